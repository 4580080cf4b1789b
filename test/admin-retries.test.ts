/**
 * Admin calls keep to their deadline from the first step on (issue 13): a call made while the
 * cluster does not answer retries its first connection until its `timeoutMs` (or
 * `defaultApiTimeoutMs`), warning while it does, then rejects with a `KafkaTimeoutError` naming
 * the call with the last error as its cause; a broker that starts within that time is reached;
 * what retrying cannot fix (a wrong password) rejects at once.
 *
 * No assertion is about how long something took beyond a generous guard against hanging.
 */
import { createServer } from 'node:net';
import { type RunningBroker, startBroker } from '@tskafka/broker';
import { Admin, ConnectionError, KafkaTimeoutError, SaslAuthenticationError } from 'tskafka';
import { afterEach, describe, expect, it } from 'vitest';
import { capturingLogger } from './capturing-logger.js';

let broker: RunningBroker | null = null;
let admin: Admin | null = null;

afterEach(async () => {
  await admin?.close();
  admin = null;
  await broker?.close();
  broker = null;
});

/** A port nothing listens on now (the OS gave it out and it was closed again). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** The error `promise` rejects with (null if it resolves). */
function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => null,
    (e: unknown) => e,
  );
}

describe('an admin call while the cluster does not answer', () => {
  it('retries its first connection until its timeoutMs, warning, then names the call', async () => {
    const port = await freePort();
    const logger = capturingLogger();
    admin = new Admin({ bootstrapServers: `127.0.0.1:${port}`, logger });
    const error = await rejectionOf(
      admin.createTopics([{ topic: 'never', numPartitions: 1 }], { timeoutMs: 600 }),
    );
    expect(error).toBeInstanceOf(KafkaTimeoutError);
    expect((error as Error).message).toMatch(/^createTopics timed out after 600 ms/);
    expect((error as Error).cause).toBeInstanceOf(ConnectionError);
    expect(logger.warnings.some((w) => w.startsWith('createTopics failed with a retriable error'))).toBe(
      true,
    );
  });

  it('without a timeoutMs of its own keeps to defaultApiTimeoutMs', async () => {
    const port = await freePort();
    admin = new Admin({
      bootstrapServers: `127.0.0.1:${port}`,
      defaultApiTimeoutMs: 500,
      logger: capturingLogger(),
    });
    const error = await rejectionOf(admin.describeCluster());
    expect(error).toBeInstanceOf(KafkaTimeoutError);
    expect((error as Error).message).toMatch(/^describeCluster timed out after 500 ms/);
    expect((error as KafkaTimeoutError).timeoutMs).toBe(500);
  });

  it('against a broker that went away names the call, metadata steps included', async () => {
    broker = await startBroker({ logLevel: 'error' });
    const logger = capturingLogger();
    admin = new Admin({ bootstrapServers: broker.bootstrapServers, defaultApiTimeoutMs: 500, logger });
    await admin.createTopics([{ topic: 'offsets-gone', numPartitions: 1 }], { timeoutMs: 10_000 });
    await broker.close();
    broker = null;
    const error = await rejectionOf(admin.listOffsets('offsets-gone', 'latest'));
    expect(error).toBeInstanceOf(KafkaTimeoutError);
    expect((error as Error).message).toMatch(/^listOffsets timed out after 500 ms/);
    const described = await rejectionOf(admin.describeTopics(['offsets-gone'], { timeoutMs: 400 }));
    expect(described).toBeInstanceOf(KafkaTimeoutError);
    expect((described as Error).message).toMatch(/^describeTopics timed out after 400 ms/);
  });

  it('succeeds once a broker that was down when it began starts', async () => {
    const port = await freePort();
    admin = new Admin({ bootstrapServers: `127.0.0.1:${port}`, logger: capturingLogger() });
    const listing = admin.listTopics({ timeoutMs: 10_000 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    broker = await startBroker({ port, logLevel: 'error' });
    expect(await listing).toEqual([]);
    await admin.createTopics([{ topic: 'late', numPartitions: 1 }]);
    expect(await admin.listTopics()).toEqual(['late']);
  });

  it('rejects at once with what retrying cannot fix: a wrong password', async () => {
    broker = await startBroker({
      logLevel: 'error',
      config: { 'sasl.enabled.mechanisms': 'SCRAM-SHA-256' },
      users: { alice: 'alice-secret' },
    });
    const logger = capturingLogger();
    admin = new Admin({
      bootstrapServers: broker.bootstrapServers,
      sasl: { mechanism: 'scram-sha-256', username: 'alice', password: 'wrong' },
      logger,
    });
    // A minute to retry in: only rejecting at once settles this within the test's timeout.
    const error = await rejectionOf(admin.listTopics({ timeoutMs: 60_000 }));
    expect(error).toBeInstanceOf(SaslAuthenticationError);
    expect(logger.warnings.filter((w) => w.includes('retriable'))).toEqual([]);
  });
});
