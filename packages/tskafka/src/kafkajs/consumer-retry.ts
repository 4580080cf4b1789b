/**
 * KafkaJS's retrier around a consumer's run loop, and its crash decision: a failure of
 * `eachMessage`/`eachBatch` (or of fetching) is retried after KafkaJS's randomised exponential
 * backoff, `retry.retries` times; then the consumer crashes with `KafkaJSNumberOfRetriesExceeded`.
 * An error KafkaJS does not retry (`retriable: false`, or a `TypeError`, `RangeError`,
 * `ReferenceError`, `SyntaxError`) crashes it at once, wrapped in `KafkaJSNonRetriableError`.
 *
 * @module
 */
import { KafkaJSNonRetriableError, KafkaJSNumberOfRetriesExceeded } from './errors.js';
import type { RetryOptions } from './types.js';

/** KafkaJS's retry defaults (`retry/defaults.js`). */
const DEFAULTS = { maxRetryTime: 30_000, initialRetryTime: 300, factor: 0.2, multiplier: 2, retries: 5 };

const UNRECOVERABLE = new Set(['RangeError', 'ReferenceError', 'SyntaxError', 'TypeError']);

/** KafkaJS's test for "retry this": not marked `retriable: false`, and not a programming error. */
export function isRetriable(e: unknown): boolean {
  const err = e as { retriable?: unknown; name?: unknown } | null;
  if (err === null || typeof err !== 'object') return true;
  return err.retriable !== false && !UNRECOVERABLE.has(String(err.name));
}

/** The innermost `cause` of an error. */
export function originalCause(e: unknown): unknown {
  let at = e;
  while (at !== null && typeof at === 'object' && (at as { cause?: unknown }).cause !== undefined)
    at = (at as { cause?: unknown }).cause;
  return at;
}

/** KafkaJS's `randomFromRetryTime`: `retryTime` ± `factor`. */
function jitter(factor: number, retryTime: number): number {
  const delta = factor * retryTime;
  return Math.ceil(retryTime - delta + Math.random() * 2 * delta);
}

/** The outcome of a failure: wait `waitMs` and try again, or crash with `error`. */
export type RetryDecision = { waitMs: number; error?: undefined } | { error: Error; waitMs?: undefined };

/**
 * The retry state of one run of the fetch loop (KafkaJS makes a new retrier each time the loop
 * is scheduled again: after a rebalance, or a restart).
 */
export class RunRetrier {
  private readonly config: typeof DEFAULTS;
  private retryCount = 0;
  private retryTime: number;

  /** A retrier with `options` over KafkaJS's defaults. */
  constructor(options: RetryOptions = {}) {
    this.config = { ...DEFAULTS, ...stripUndefined(options) };
    this.retryTime = jitter(this.config.factor, this.config.initialRetryTime);
  }

  /** What to do about failure `e`. */
  failed(e: unknown): RetryDecision {
    const error = e instanceof Error ? e : new Error(String(e));
    if (!isRetriable(e)) return { error: new KafkaJSNonRetriableError(error, { cause: causeOf(error) }) };
    if (this.retryCount >= this.config.retries)
      return {
        error: new KafkaJSNumberOfRetriesExceeded(error, {
          retryCount: this.retryCount,
          retryTime: this.retryTime,
        }),
      };
    const waitMs = this.retryTime;
    this.retryCount++;
    const { factor, multiplier, maxRetryTime } = this.config;
    this.retryTime = Math.min(jitter(factor, this.retryTime) * multiplier, maxRetryTime);
    return { waitMs };
  }
}

function causeOf(e: Error): unknown {
  return (e as { cause?: unknown }).cause ?? e;
}

function stripUndefined(o: RetryOptions): Partial<typeof DEFAULTS> {
  const out: Partial<typeof DEFAULTS> = {};
  for (const k of ['maxRetryTime', 'initialRetryTime', 'factor', 'multiplier', 'retries'] as const)
    if (typeof o[k] === 'number') out[k] = o[k];
  return out;
}
