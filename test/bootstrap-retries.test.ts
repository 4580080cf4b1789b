/**
 * One dropped request at bootstrap does not fail the client. As Java's clients, `connect()` tries
 * the other bootstrap addresses and retries with the reconnect backoff until `max.block.ms`
 * (producer) or `default.api.timeout.ms` (consumer, admin): a first broker that drops one
 * Metadata request or its first ApiVersions, or the only broker being down for a moment, is
 * ridden out. Running out of time says what was tried.
 */
import { type Cluster, startCluster } from '@tskafka/broker';
import { ApiKey } from '@tskafka/protocol';
import { ConnectionError, Kafka } from 'tskafka';
import { afterEach, describe, expect, it } from 'vitest';
import { capturingLogger } from './capturing-logger.js';
import { until } from './until.js';

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function cluster(brokers: number): Promise<Cluster> {
  const c = await startCluster({ brokers, logLevel: 'silent' });
  cleanups.push(() => c.close());
  return c;
}

/** A producer and a consumer of `bootstrapServers`, closed after the test. */
function clients(bootstrapServers: string[]) {
  const kafka = new Kafka({ bootstrapServers, clientId: 'bootstrap-retries', logger: silent });
  const producer = kafka.producer({ maxBlockMs: 10_000 });
  const consumer = kafka.consumer({ defaultApiTimeoutMs: 10_000 });
  cleanups.push(
    () => producer.close(),
    () => consumer.close(),
  );
  return { producer, consumer };
}

const silent = { debug() {}, info() {}, warn() {}, error() {} };

describe('bootstrap', () => {
  it('survives the first address dropping a Metadata request, for the producer and the consumer', async () => {
    const c = await cluster(3);
    c.broker(1).faults.dropNextRequests(ApiKey.Metadata, 2);
    const { producer, consumer } = clients(c.bootstrapServers);
    await producer.connect();
    await consumer.connect();
    expect(c.broker(1).faults.pendingCount(ApiKey.Metadata)).toBe(0);
    const meta = await producer.send({ topic: 'after-drop', value: 'v' });
    expect(meta.offset).toBe(0);
  });

  it('survives the first address dropping the first ApiVersions', async () => {
    const c = await cluster(3);
    c.broker(1).faults.dropNextRequests(ApiKey.ApiVersions, 2);
    const { producer, consumer } = clients(c.bootstrapServers);
    await producer.connect();
    await consumer.connect();
    expect(c.broker(1).faults.pendingCount(ApiKey.ApiVersions)).toBe(0);
  });

  it('waits for the only broker while it is down for a moment', async () => {
    const c = await cluster(1);
    await c.stopBroker(1);
    const logger = capturingLogger();
    const kafka = new Kafka({ bootstrapServers: c.bootstrapServers, clientId: 'bootstrap-retries', logger });
    const producer = kafka.producer({ maxBlockMs: 10_000 });
    const consumer = kafka.consumer({ defaultApiTimeoutMs: 10_000 });
    cleanups.push(
      () => producer.close(),
      () => consumer.close(),
    );
    const connecting = Promise.all([producer.connect(), consumer.connect()]);
    connecting.catch(() => {});
    // Both have found the broker down once and are backing off before the next try.
    await until(
      'both clients retry',
      () => logger.warnings.filter((w) => w.startsWith('bootstrap failed')).length >= 2,
    );
    await c.startBroker(1);
    await connecting;
    expect((await producer.send({ topic: 'after-restart', value: 'v' })).offset).toBe(0);
  });

  it('gives up after max.block.ms naming the addresses tried', async () => {
    const c = await cluster(1);
    const address = c.bootstrapServers[0];
    await c.stopBroker(1);
    const kafka = new Kafka({ bootstrapServers: [address], clientId: 'bootstrap-retries', logger: silent });
    const producer = kafka.producer({ maxBlockMs: 400 });
    cleanups.push(() => producer.close());
    const error = await producer.connect().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as Error).message).toContain(`none of ${address} answered within 400 ms`);
  });
});
