/**
 * Our consumer against librdkafka's mock cluster, a group coordinator we did not write: group
 * consumption and commits work across 3 brokers, and coordinator errors injected into
 * FindCoordinator, JoinGroup, SyncGroup, Heartbeat, OffsetCommit and OffsetFetch
 * (COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS,
 * REBALANCE_IN_PROGRESS) are retried: every record is read once and the commits land.
 */
import { ApiKey, ErrorCode } from '@tskafka/protocol';
import { type ConsumerRecord, Kafka, stringDeserializer } from 'tskafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MockCluster, startMockCluster } from './interop/mock-cluster.js';

let mock: MockCluster;

beforeAll(async () => {
  mock = await startMockCluster({
    brokers: 3,
    topics: [
      { name: 'plain', partitions: 4, replicationFactor: 3 },
      { name: 'faulty', partitions: 4, replicationFactor: 3 },
    ],
  });
});
afterAll(async () => {
  await mock?.close();
});

function kafka(): Kafka {
  return new Kafka({
    bootstrapServers: mock.bootstrapServers.split(','),
    clientId: 'consumer-mock',
    logger: { debug() {}, info() {}, warn() {}, error() {} },
  });
}

async function produce(topic: string, from: number, count: number): Promise<void> {
  const producer = kafka().producer();
  await producer.connect();
  await Promise.all(
    Array.from({ length: count }, (_, j) =>
      producer.send({ topic, partition: (from + j) % 4, value: `v${from + j}` }),
    ),
  );
  await producer.close();
}

async function consumeAll(
  topic: string,
  group: string,
  count: number,
): Promise<ConsumerRecord<Buffer | null, string | null>[]> {
  const consumer = kafka().consumer({
    groupId: group,
    autoOffsetReset: 'earliest',
    enableAutoCommit: false,
    valueDeserializer: stringDeserializer,
    sessionTimeoutMs: 6_000,
    heartbeatIntervalMs: 100,
  });
  await consumer.connect();
  await consumer.subscribe([topic]);
  const got: ConsumerRecord<Buffer | null, string | null>[] = [];
  while (got.length < count) {
    got.push(...(await consumer.poll(500)));
    if (got.length > 0) await consumer.commitSync();
  }
  const committed = await consumer.committed();
  await consumer.close();
  const total = [...committed.values()].reduce((n, o) => n + (o?.offset ?? 0), 0);
  expect(total).toBe(count);
  return got;
}

describe('consumer against the librdkafka mock cluster', () => {
  it('a group member reads every record and commits it; a restart resumes after the commits', async () => {
    await produce('plain', 0, 200);
    const first = await consumeAll('plain', 'mock-plain', 200);
    expect(first.map((r) => r.value).sort()).toEqual(Array.from({ length: 200 }, (_, i) => `v${i}`).sort());
    await produce('plain', 200, 40);
    const consumer = kafka().consumer({
      groupId: 'mock-plain',
      autoOffsetReset: 'earliest',
      valueDeserializer: stringDeserializer,
    });
    await consumer.connect();
    await consumer.subscribe(['plain']);
    const rest: ConsumerRecord<Buffer | null, string | null>[] = [];
    while (rest.length < 40) rest.push(...(await consumer.poll(500)));
    expect(rest.map((r) => r.value).sort()).toEqual(
      Array.from({ length: 40 }, (_, i) => `v${200 + i}`).sort(),
    );
    await consumer.close();
  }, 60_000); // the mock's coordinator delays each rebalance by seconds

  it('retries injected coordinator errors in every group API', async () => {
    await produce('faulty', 0, 200);
    const inject = (api: number, ...codes: number[]) =>
      mock.command(`push_request_errors ${api} ${codes.length} ${codes.join(' ')}`);
    await inject(
      ApiKey.FindCoordinator,
      ErrorCode.COORDINATOR_NOT_AVAILABLE,
      ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
    );
    await inject(
      ApiKey.JoinGroup,
      ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
      ErrorCode.NOT_COORDINATOR,
      ErrorCode.REBALANCE_IN_PROGRESS,
    );
    await inject(ApiKey.SyncGroup, ErrorCode.REBALANCE_IN_PROGRESS, ErrorCode.NOT_COORDINATOR);
    await inject(ApiKey.OffsetFetch, ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, ErrorCode.NOT_COORDINATOR);
    await inject(ApiKey.OffsetCommit, ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, ErrorCode.NOT_COORDINATOR);
    await inject(ApiKey.Heartbeat, ErrorCode.NOT_COORDINATOR, ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
    const got = await consumeAll('faulty', 'mock-faulty', 200);
    expect(got).toHaveLength(200);
    expect(new Set(got.map((r) => r.value)).size).toBe(200);
  }, 60_000);
});
