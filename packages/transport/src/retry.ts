/**
 * Retrying an operation that failed with a retriable error, with Java's exponential backoff
 * (`retry.backoff.ms` growing to `retry.backoff.max.ms`, ±20% jitter), until it succeeds, fails
 * with an error that is not retriable, runs out of attempts, or runs out of time.
 *
 * @module
 */

import { ExponentialBackoff } from './backoff.js';
import { type Clock, systemClock } from './clock.js';
import { ClientClosedError, isRetriableError, KafkaTimeoutError } from './errors.js';

/** Options of {@link retry}. */
export interface RetryOptions {
  /** Attempts after the first; default unlimited (bounded by `timeoutMs`). */
  retries?: number;
  /**
   * Give up once this much time has passed since the first attempt; default unlimited. An
   * attempt still running then is not waited for.
   */
  timeoutMs?: number;
  /**
   * When the call began, on `clock` (default: now). A call whose earlier steps (a first
   * connection, a metadata refresh) already took time has only the rest of `timeoutMs`.
   */
  startedAt?: number;
  /**
   * The call, in the caller's words (e.g. `CreateTopics`): running out of time then rejects with
   * a {@link KafkaTimeoutError} that names it, with the last error as its cause. Without it, the
   * last error itself.
   */
  operation?: string;
  /** The first backoff, ms; default 100 (`retry.backoff.ms`). */
  backoffMs?: number;
  /** The largest backoff, ms; default 1000 (`retry.backoff.max.ms`). */
  backoffMaxMs?: number;
  /** Which errors to retry; default {@link isRetriableError}. */
  isRetriable?: (error: unknown) => boolean;
  /** Called before each backoff with the error, the attempt that failed (0 first) and the delay; may be async. */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void | Promise<void>;
  /** Stops retrying (rejecting with the last error) once aborted. */
  signal?: AbortSignal;
  /** The time source for `timeoutMs`. */
  clock?: Clock;
  /** Random numbers in [0, 1) for the jitter. */
  random?: () => number;
}

/** Resolves after `ms`; rejects with a {@link ClientClosedError} if `signal` aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(new ClientClosedError('aborted'));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new ClientClosedError('aborted'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Calls `fn(attempt)` until it resolves. A retriable failure waits the backoff and tries again;
 * anything else, or running out of retries, rejects with the last error; running out of time
 * too, or, with `operation`, with a {@link KafkaTimeoutError} naming it.
 */
export async function retry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const clock = options.clock ?? systemClock;
  const backoffMs = options.backoffMs ?? 100;
  const backoff = new ExponentialBackoff(
    backoffMs,
    2,
    Math.max(backoffMs, options.backoffMaxMs ?? 1000),
    0.2,
    options.random,
  );
  const isRetriable = options.isRetriable ?? isRetriableError;
  const retries = options.retries ?? Number.POSITIVE_INFINITY;
  const timeoutMs = options.timeoutMs;
  const deadline =
    timeoutMs === undefined ? Number.POSITIVE_INFINITY : (options.startedAt ?? clock.now()) + timeoutMs;
  const timedOut = (last: unknown): unknown => {
    if (options.operation === undefined && last !== undefined) return last;
    return new KafkaTimeoutError(
      `${options.operation ?? 'the call'} timed out after ${timeoutMs} ms${last === undefined ? '' : ` (last error: ${errorMessage(last)})`}`,
      timeoutMs ?? 0,
      last === undefined ? {} : { cause: last },
    );
  };
  let last: unknown;
  for (let attempt = 0; ; attempt++) {
    let result: T | typeof DEADLINE;
    try {
      // An attempt may itself wait long (a connection that never answers, a nested lookup with
      // its own timeout): the call's time bounds it too.
      result =
        deadline === Number.POSITIVE_INFINITY
          ? await fn(attempt)
          : await withinDeadline(fn(attempt), deadline - clock.now());
    } catch (e) {
      if (!isRetriable(e) || attempt >= retries || options.signal?.aborted) throw e;
      last = e;
      const remaining = deadline - clock.now();
      if (remaining <= 0) throw timedOut(e);
      const delay = Math.min(backoff.backoff(attempt), remaining);
      await options.onRetry?.(e, attempt, delay);
      try {
        await sleep(delay, options.signal);
      } catch {
        throw e;
      }
      continue;
    }
    if (result === DEADLINE) throw timedOut(last);
    return result;
  }
}

const DEADLINE: unique symbol = Symbol('deadline');

/** `promise`'s value, or {@link DEADLINE} once `ms` of real time have passed. */
function withinDeadline<T>(promise: Promise<T>, ms: number): Promise<T | typeof DEADLINE> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<typeof DEADLINE>((resolve) => {
    timer = setTimeout(() => resolve(DEADLINE), Math.max(0, Math.min(ms, 2 ** 31 - 1)));
  });
  promise.catch(() => {}); // a late failure of an abandoned attempt is nobody's to report
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
