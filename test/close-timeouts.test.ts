/**
 * Closing and timing out against a cluster that is gone (issue 13): `close({ timeoutMs })` of the
 * consumer, the producer and the admin client returns within its bound whatever the brokers do,
 * and fails what it gave up on with a typed error; the consumer's 30 s default, on a manual
 * clock; admin calls that give up after `defaultApiTimeoutMs` with a `KafkaTimeoutError` naming
 * the call and warn while they retry; a send to a topic that never appears warns long before
 * `max.block.ms`; and the reference broker's `group.initial.rebalance.delay.ms` of 0.
 *
 * No assertion is about how long something took: a promise that must settle is raced against a
 * much longer guard, and the 30 s default is shown by moving a manual clock.
 */
import { type RunningBroker, startBroker } from '@tskafka/broker';
import {
  Admin,
  Consumer,
  KafkaTimeoutError,
  type Logger,
  ManualClock,
  Producer,
  ProducerClosedError,
} from 'tskafka';
import { afterEach, describe, expect, it } from 'vitest';
import { capturingLogger } from './capturing-logger.js';

const GUARD_MS = 15_000;
let broker: RunningBroker | null = null;

afterEach(async () => {
  await broker?.close();
  broker = null;
});

/** Whether `promise` settled (either way) before a guard of `ms` real milliseconds. */
async function settles(promise: Promise<unknown>, ms = GUARD_MS): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  const settled = promise.then(
    () => true as const,
    () => true as const,
  );
  try {
    return await Promise.race([settled, guard]);
  } finally {
    clearTimeout(timer);
  }
}

/** Lets real I/O and promise callbacks run for `ms`. */
function turn(ms = 50): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function produceOne(bootstrapServers: string[], topic: string): Promise<void> {
  const producer = new Producer({ bootstrapServers, logger: capturingLogger() });
  await producer.connect();
  await producer.send({ topic, value: 'hello' });
  await producer.close();
}

/** A consumer in group `groupId` that has subscribed to `topic` and polled its one record. */
async function consumerThatPolled(
  bootstrapServers: string[],
  topic: string,
  options: { clock?: ManualClock; logger?: Logger } = {},
): Promise<Consumer> {
  const consumer = new Consumer({
    bootstrapServers,
    groupId: `${topic}-group`,
    autoOffsetReset: 'earliest',
    logger: options.logger ?? capturingLogger(),
    ...(options.clock === undefined ? {} : { clock: options.clock }),
  });
  await consumer.connect();
  await consumer.subscribe([topic]);
  const records = await consumer.poll(5_000);
  expect(records.map((r) => r.value?.toString())).toEqual(['hello']);
  return consumer;
}

describe('close() against a broker that is gone', () => {
  it('consumer.close({ timeoutMs }) returns with auto commit on, warning that it gave up', async () => {
    broker = await startBroker({ logLevel: 'error' });
    const servers = broker.bootstrapServers;
    await produceOne(servers, 'gone-consumer');
    const logger = capturingLogger();
    const consumer = await consumerThatPolled(servers, 'gone-consumer', { logger });
    await broker.close();
    broker = null;
    // Before the fix this took ~122 s: two coordinator lookups of default.api.timeout.ms each.
    expect(await settles(consumer.close({ timeoutMs: 500 }))).toBe(true);
    // The final auto commit cannot succeed with the broker gone: it is said, either as the commit's
    // own failure (with its cause) or, when the deadline came first, as what close gave up on
    // with the bound it ran into. Which of the two depends on how fast the refused connections fail.
    const said = logger.warnings.filter(
      (w) => w === 'auto commit failed' || /did not (close|complete) within .*500 ms/.test(w),
    );
    expect(said.length).toBeGreaterThan(0);
    if (said.includes('auto commit failed'))
      expect(logger.causes.get('auto commit failed')).toBeInstanceOf(Error);
  });

  it('consumer.close() keeps to its 30 s default (manual clock)', async () => {
    broker = await startBroker({ logLevel: 'error' });
    const servers = broker.bootstrapServers;
    await produceOne(servers, 'gone-default');
    const clock = new ManualClock(1_000_000);
    const logger = capturingLogger();
    const consumer = await consumerThatPolled(servers, 'gone-default', { clock, logger });
    await broker.close();
    broker = null;
    let settled = false;
    const closing = consumer.close().then(() => {
      settled = true;
    });
    clock.advance(29_999);
    await turn(200);
    expect(settled).toBe(false); // the final commit is still being retried
    clock.advance(1);
    expect(await settles(closing)).toBe(true);
    expect(logger.warnings.some((w) => w.includes('did not close within 30000 ms'))).toBe(true);
    await turn();
    expect(clock.pendingTimers).toBe(0); // heartbeats and the rest stopped: the process can exit
  });

  it('producer.close({ timeoutMs }) returns and fails the records it could not deliver', async () => {
    broker = await startBroker({ logLevel: 'error' });
    const servers = broker.bootstrapServers;
    await produceOne(servers, 'gone-producer');
    const producer = new Producer({ bootstrapServers: servers, logger: capturingLogger() });
    await producer.connect();
    await producer.send({ topic: 'gone-producer', value: 'before' });
    await broker.close();
    broker = null;
    const pending = Array.from({ length: 5 }, (_, i) =>
      producer.send({ topic: 'gone-producer', value: `after-${i}` }),
    );
    const results = Promise.allSettled(pending);
    expect(await settles(producer.close({ timeoutMs: 500 }))).toBe(true);
    for (const r of await results) {
      expect(r.status).toBe('rejected');
      const error = (r as PromiseRejectedResult).reason as Error;
      expect(error).toBeInstanceOf(ProducerClosedError);
      expect(error.message).toContain('close timeoutMs 500 ms');
    }
  });

  it('producer.close() keeps to its 30 s default (manual clock)', async () => {
    broker = await startBroker({ logLevel: 'error' });
    const servers = broker.bootstrapServers;
    await produceOne(servers, 'gone-producer-default');
    const clock = new ManualClock(1_000_000);
    const producer = new Producer({ bootstrapServers: servers, logger: capturingLogger(), clock });
    await producer.connect();
    await producer.partitionsFor('gone-producer-default');
    await broker.close();
    broker = null;
    const send = producer.send({ topic: 'gone-producer-default', value: 'after' });
    const outcome = send.then(
      () => null,
      (e: unknown) => e,
    );
    let settled = false;
    const closing = producer.close().then(() => {
      settled = true;
    });
    clock.advance(29_999);
    await turn(200);
    expect(settled).toBe(false); // the record is still being retried
    clock.advance(1);
    expect(await settles(closing)).toBe(true);
    const error = await outcome;
    expect(error).toBeInstanceOf(ProducerClosedError);
    expect((error as Error).message).toContain('close timeoutMs 30000 ms');
    await turn();
    expect(clock.pendingTimers).toBe(0); // the linger and retry timers stopped: the process can exit
  });

  it('a transactional producer closing warns, with the cause, that it could not abort its transaction', async () => {
    broker = await startBroker({ logLevel: 'error' });
    const logger = capturingLogger();
    const producer = new Producer({
      bootstrapServers: broker.bootstrapServers,
      transactionalId: 'gone-tx',
      logger,
    });
    await producer.connect();
    await producer.initTransactions();
    await producer.beginTransaction();
    await producer.send({ topic: 'gone-tx', value: 'in the transaction' });
    await broker.close();
    broker = null;
    expect(await settles(producer.close({ timeoutMs: 500 }))).toBe(true);
    expect(logger.warnings).toContain('could not abort the open transaction on close');
    expect(logger.causes.get('could not abort the open transaction on close')).toBeInstanceOf(Error);
  });

  it('admin.close({ timeoutMs }) returns, and calls give up after defaultApiTimeoutMs naming the call', async () => {
    broker = await startBroker({ logLevel: 'error' });
    const logger = capturingLogger();
    const admin = new Admin({ bootstrapServers: broker.bootstrapServers, defaultApiTimeoutMs: 800, logger });
    await admin.connect();
    await broker.close();
    broker = null;
    const listing = admin.listTopics();
    const error = await listing.then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(KafkaTimeoutError);
    expect((error as Error).message).toMatch(/^listTopics timed out after 800 ms/);
    expect(logger.warnings.some((w) => w.startsWith('listTopics failed with a retriable error'))).toBe(true);
    expect(await settles(admin.close({ timeoutMs: 500 }))).toBe(true);
  });
});

describe('a send to a topic that never appears', () => {
  it('warns once, naming the topic, before max.block.ms rejects it', async () => {
    broker = await startBroker({ logLevel: 'error', config: { 'auto.create.topics.enable': false } });
    const logger = capturingLogger();
    const producer = new Producer({ bootstrapServers: broker.bootstrapServers, maxBlockMs: 1_500, logger });
    await producer.connect();
    const send = producer.send({ topic: 'never-there', value: 'x' });
    const error = await send.then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(KafkaTimeoutError);
    const warnings = logger.warnings.filter((w) => w.includes('never-there'));
    // One warning while it waits, then the producer's one report of the failed send (it logs every
    // failed send, since it cannot tell whether the promise is awaited).
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toBe(
      'topic never-there is not in the metadata (the metadata says UNKNOWN_TOPIC_OR_PARTITION); waiting for it up to max.block.ms=1500 ms',
    );
    expect(warnings[1]).toMatch(/^1 send\(s\) to never-there failed: /);
    await producer.close();
  });

  it('is failed by a close that runs out of time first, naming the timeout', async () => {
    broker = await startBroker({ logLevel: 'error', config: { 'auto.create.topics.enable': false } });
    const producer = new Producer({ bootstrapServers: broker.bootstrapServers, logger: capturingLogger() });
    await producer.connect();
    const outcome = producer.send({ topic: 'never-there-either', value: 'x' }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(await settles(producer.close({ timeoutMs: 300 }))).toBe(true);
    const error = await outcome;
    expect(error).toBeInstanceOf(ProducerClosedError);
    expect((error as Error).message).toContain(
      "close timeoutMs 300 ms) while the record still waited for its topic's metadata",
    );
  });
});

describe('the reference broker for tests', () => {
  it("has no initial rebalance delay: the README's first poll(1000) gets the record", async () => {
    broker = await startBroker({ logLevel: 'error' });
    expect(broker.node.config.groupInitialRebalanceDelayMs).toBe(0);
    await produceOne(broker.bootstrapServers, 'first-poll');
    const consumer = new Consumer({
      bootstrapServers: broker.bootstrapServers,
      groupId: 'first-poll-group',
      autoOffsetReset: 'earliest',
      logger: capturingLogger(),
    });
    await consumer.connect();
    await consumer.subscribe(['first-poll']);
    const records = await consumer.poll(1000);
    await consumer.close();
    expect(records.map((r) => r.value?.toString())).toEqual(['hello']);
  });

  it("keeps Kafka's 3000 ms one property away", async () => {
    broker = await startBroker({ logLevel: 'error', config: { 'group.initial.rebalance.delay.ms': 3000 } });
    expect(broker.node.config.groupInitialRebalanceDelayMs).toBe(3000);
  });
});
