/**
 * The consumer's blocking offset calls against a broker that is gone (issue 13): `commitSync`,
 * `committed`, `beginningOffsets`, `endOffsets` and `position` retry until
 * `defaultApiTimeoutMs`, warning while they do, then reject with a `KafkaTimeoutError` that
 * names the call, the last error (if any) as its cause (before, they rejected with the last error itself,
 * which did not say what had run out of time).
 */
import { type RunningBroker, startBroker } from '@tskafka/broker';
import { ConnectionError, Consumer, KafkaTimeoutError, Producer } from 'tskafka';
import { afterEach, describe, expect, it } from 'vitest';
import { capturingLogger } from './capturing-logger.js';

let broker: RunningBroker | null = null;
let consumer: Consumer | null = null;

afterEach(async () => {
  await consumer?.close({ timeoutMs: 200 });
  consumer = null;
  await broker?.close();
  broker = null;
});

/** The error `promise` rejects with (null if it resolves). */
function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => null,
    (e: unknown) => e,
  );
}

/** Expects `error` to be the call's named timeout after 500 ms. */
function expectNamedTimeout(error: unknown, operation: string): void {
  expect(error).toBeInstanceOf(KafkaTimeoutError);
  expect((error as Error).message).toMatch(new RegExp(`^${operation} timed out after 500 ms`));
}

describe('consumer offset calls against a broker that is gone', () => {
  it('reject with a KafkaTimeoutError naming the call after defaultApiTimeoutMs, warning meanwhile', async () => {
    broker = await startBroker({ logLevel: 'error' });
    const servers = broker.bootstrapServers;
    const producer = new Producer({ bootstrapServers: servers, logger: capturingLogger() });
    await producer.connect();
    await producer.send({ topic: 'gone-offsets', value: 'hello' });
    await producer.close();
    const logger = capturingLogger();
    consumer = new Consumer({
      bootstrapServers: servers,
      groupId: 'gone-offsets-group',
      autoOffsetReset: 'earliest',
      enableAutoCommit: false,
      defaultApiTimeoutMs: 500,
      logger,
    });
    await consumer.connect();
    await consumer.subscribe(['gone-offsets']);
    const records = await consumer.poll(5_000);
    expect(records.map((r) => r.value?.toString())).toEqual(['hello']);
    const tp = { topic: 'gone-offsets', partition: 0 };
    await broker.close();
    broker = null;

    const commitError = await rejectionOf(consumer.commitSync());
    expectNamedTimeout(commitError, 'commitSync');
    // The refused connection it kept meeting (a later call may instead spend its whole time in
    // the reconnect backoff, with no error to carry).
    expect((commitError as Error).cause).toBeInstanceOf(ConnectionError);
    expect(logger.warnings.some((w) => w.startsWith('commitSync failed with a retriable error'))).toBe(true);
    expectNamedTimeout(await rejectionOf(consumer.committed([tp])), 'committed');
    expectNamedTimeout(await rejectionOf(consumer.beginningOffsets([tp])), 'beginningOffsets');
    expectNamedTimeout(await rejectionOf(consumer.endOffsets([tp])), 'endOffsets');
    consumer.seekToEnd([tp]); // the position is now to be looked up
    expectNamedTimeout(await rejectionOf(consumer.position(tp)), 'position');
  });
});
