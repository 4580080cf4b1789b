/**
 * Retrying an operation that failed with a retriable error, with Java's exponential backoff
 * (`retry.backoff.ms` growing to `retry.backoff.max.ms`, ±20% jitter), until it succeeds, fails
 * with an error that is not retriable, runs out of attempts, or runs out of time.
 *
 * @module
 */

import { ExponentialBackoff } from './backoff.js';
import { type Clock, systemClock } from './clock.js';
import { ClientClosedError, isRetriableError } from './errors.js';

/** Options of {@link retry}. */
export interface RetryOptions {
  /** Attempts after the first; default unlimited (bounded by `timeoutMs`). */
  retries?: number;
  /** Give up once this much time has passed since the first attempt; default unlimited. */
  timeoutMs?: number;
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
 * anything else, or running out of retries or time, rejects with the last error.
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
  const deadline =
    options.timeoutMs === undefined ? Number.POSITIVE_INFINITY : clock.now() + options.timeoutMs;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (e) {
      if (!isRetriable(e) || attempt >= retries || options.signal?.aborted) throw e;
      const remaining = deadline - clock.now();
      if (remaining <= 0) throw e;
      const delay = Math.min(backoff.backoff(attempt), remaining);
      await options.onRetry?.(e, attempt, delay);
      try {
        await sleep(delay, options.signal);
      } catch {
        throw e;
      }
    }
  }
}
