/**
 * KafkaJS's retrier around the consumer's run loop, as `tskafka/kafkajs` reproduces it: the waits
 * grow by `multiplier` up to `maxRetryTime`, `retries` failures are retried and the next one ends
 * in `KafkaJSNumberOfRetriesExceeded` (which carries the count and the last wait), and a
 * programming error or a non-retriable error ends it at once in `KafkaJSNonRetriableError`.
 */
import { describe, expect, it } from 'vitest';
import { RunRetrier } from '../src/kafkajs/consumer-retry.js';
import { KafkaJSNonRetriableError } from '../src/kafkajs/errors.js';

describe('RunRetrier', () => {
  it('waits longer each time, up to maxRetryTime, then gives up with the count and the last wait', () => {
    // factor 0: no jitter, so the waits are exact.
    const r = new RunRetrier({
      initialRetryTime: 100,
      multiplier: 2,
      factor: 0,
      retries: 4,
      maxRetryTime: 500,
    });
    const boom = new Error('boom');
    expect([1, 2, 3, 4].map(() => r.failed(boom).waitMs)).toEqual([100, 200, 400, 500]);
    const last = r.failed(boom).error as Error & { retryCount: number; retryTime: number; cause: unknown };
    expect([last.name, last.message, last.retryCount, last.retryTime, last.cause]).toEqual([
      'KafkaJSNumberOfRetriesExceeded',
      'boom',
      4,
      500,
      boom,
    ]);
  });

  it('a TypeError or an error marked not retriable is not retried', () => {
    const r = new RunRetrier({ retries: 5 });
    const typeError = r.failed(new TypeError('x is not a function')).error;
    expect(typeError).toBeInstanceOf(KafkaJSNonRetriableError);
    expect((typeError as Error).cause).toBeInstanceOf(TypeError);
    const marked = Object.assign(new Error('no'), { retriable: false });
    expect(r.failed(marked).error?.name).toBe('KafkaJSNonRetriableError');
    // Neither used up a retry.
    expect(r.failed(new Error('retry me')).waitMs).toBeGreaterThan(0);
  });
});
