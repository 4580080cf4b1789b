/**
 * Offset commits wait for the ISR of `__consumer_offsets` (issue 18): Kafka's group coordinator
 * appends OffsetCommit with acks=-1 and answers only once the write is committed, so a committed
 * offset survives the coordinator's failover. A three-broker cluster with the offsets topic on
 * three replicas: a commit while a follower is cut off is not acknowledged (it times out after
 * `offsets.commit.timeout.ms` with the retriable REQUEST_TIMED_OUT, and is not served as
 * committed); with replication slow but healthy, a commit by our consumer or by
 * confluent-kafka-python, followed at once by stopping the coordinator's broker, is still there
 * at the new coordinator.
 */
import { type Cluster, startCluster } from '@tskafka/broker';
import { ApiKey, ErrorCode } from '@tskafka/protocol';
import { Api } from '@tskafka/protocol/internals';
import { Kafka, silentLogger } from 'tskafka';
import { afterEach, describe, expect, it } from 'vitest';
import { requirePythonClient, runPython } from './interop/python.js';
import { WireClient } from './interop/wire-client.js';
import { until } from './until.js';

const OFFSETS = '__consumer_offsets';
/**
 * How long the coordinator's broker holds each fetch before handling it: replication is slow, not
 * stalled. Followers' fetches do not wait at the leader (replica.fetch.wait.max.ms 1), so a
 * commit reaches a follower only with the next fetch handled after it, most likely long after a
 * commit answered at once (the bug) has been followed by the coordinator's stop.
 */
const SLOW_REPLICATION_MS = 1000;
/** A cluster for the slow replication: commits may take two of its fetches to be in the ISR. */
const SLOW = { commitTimeoutMs: 15_000, replicaFetchWaitMaxMs: 1 };

let cluster: Cluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

/** A cluster whose one `__consumer_offsets` partition has three replicas, all in sync, and a topic `orders`. */
async function offsetsOnThreeReplicas(opts: { commitTimeoutMs: number; replicaFetchWaitMaxMs?: number }) {
  const c = await startCluster({
    brokers: 3,
    logLevel: 'silent',
    config: {
      'offsets.topic.replication.factor': 3,
      'offsets.topic.num.partitions': 1,
      'offsets.commit.timeout.ms': opts.commitTimeoutMs,
      'replica.fetch.wait.max.ms': opts.replicaFetchWaitMaxMs ?? 500,
      'group.initial.rebalance.delay.ms': 0,
    },
  });
  cluster = c;
  const kafka = new Kafka({ bootstrapServers: c.bootstrapServers, logger: silentLogger });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics([{ topic: 'orders', numPartitions: 1, replicationFactor: 3 }]);
  // The first FindCoordinator creates the offsets topic.
  await admin.listConsumerGroupOffsets('warm-up');
  const partition = () => c.metadata.topics.get(OFFSETS)?.partitions[0];
  await until('__consumer_offsets-0 has three replicas in sync', () => partition()?.isr.length === 3);
  const coordinator = partition()?.leader as number;
  const followers = (partition()?.replicas ?? []).filter((id) => id !== coordinator);
  /** Moves `orders` off the coordinator's broker, then slows down every fetch that broker serves. */
  const slowReplication = () => {
    c.moveLeader('orders', 0, followers[0]);
    c.broker(coordinator).faults.setLatency(ApiKey.Fetch, SLOW_REPLICATION_MS);
  };
  return { cluster: c, kafka, admin, coordinator, followers, partition, slowReplication };
}

async function produceOrders(kafka: Kafka, count: number): Promise<void> {
  const producer = kafka.producer({ acks: 'all' });
  await producer.connect();
  for (let i = 0; i < count; i++)
    await producer.send({ topic: 'orders', partition: 0, key: `k${i}`, value: `order-${i}` });
  await producer.close();
}

const committedOffset = async (admin: ReturnType<Kafka['admin']>, groupId: string) =>
  (await admin.listConsumerGroupOffsets(groupId, ['orders'])).find((o) => o.partition === 0)?.offset ?? -1;

describe('offset commits wait for the ISR of __consumer_offsets', () => {
  it('a commit while a follower is cut off times out with REQUEST_TIMED_OUT and is not served as committed', {
    timeout: 60_000,
  }, async () => {
    const s = await offsetsOnThreeReplicas({ commitTimeoutMs: 1500 });
    try {
      const wire = await WireClient.connect(s.cluster.broker(s.coordinator).address);
      const commit = (offset: number) =>
        wire.request(Api.OffsetCommit, 8, {
          groupId: 'simple',
          generationIdOrMemberEpoch: -1,
          memberId: '',
          groupInstanceId: null,
          topics: [
            {
              name: 'orders',
              partitions: [
                {
                  partitionIndex: 0,
                  committedOffset: offset,
                  committedLeaderEpoch: -1,
                  committedMetadata: '',
                },
              ],
            },
          ],
        });
      const fetchCommitted = async () =>
        (
          await wire.request(Api.OffsetFetch, 7, {
            groupId: 'simple',
            topics: [{ name: 'orders', partitionIndexes: [0] }],
            requireStable: false,
          })
        ).topics[0].partitions[0];
      expect((await commit(10)).topics[0].partitions[0].errorCode).toBe(ErrorCode.NONE);

      // The follower stays in the ISR (replica.lag.time.max.ms is 30 s) but gets nothing.
      s.cluster.broker(s.coordinator).faults.isolateReplicas([s.followers[0]]);
      const stalled = await commit(42);
      expect(stalled.topics[0].partitions[0].errorCode).toBe(ErrorCode.REQUEST_TIMED_OUT);
      expect(await fetchCommitted()).toMatchObject({ committedOffset: 10, errorCode: ErrorCode.NONE });

      // Healed: the follower catches up and the retried commit is answered.
      s.cluster.broker(s.coordinator).faults.isolateReplicas([]);
      expect((await commit(42)).topics[0].partitions[0].errorCode).toBe(ErrorCode.NONE);
      expect(await fetchCommitted()).toMatchObject({ committedOffset: 42, errorCode: ErrorCode.NONE });
      wire.close();
    } finally {
      await s.admin.close();
    }
  });

  it('our consumer commits, the coordinator is stopped at once, and the new coordinator has the offset', {
    timeout: 60_000,
  }, async () => {
    const s = await offsetsOnThreeReplicas(SLOW);
    await produceOrders(s.kafka, 5);
    s.slowReplication();
    const consumer = s.kafka.consumer({
      groupId: 'billing',
      autoOffsetReset: 'earliest',
      enableAutoCommit: false,
    });
    await consumer.connect();
    await consumer.subscribe(['orders']);
    try {
      let read = 0;
      while (read < 5) read += (await consumer.poll(500)).length;
      await consumer.commitSync();
      await s.cluster.stopBroker(s.coordinator);
      expect(s.partition()?.leader).not.toBe(s.coordinator);
      expect(await committedOffset(s.admin, 'billing')).toBe(5);
    } finally {
      await consumer.close({ timeoutMs: 2000 }).catch(() => {});
      await s.admin.close();
    }
  });

  it('confluent-kafka-python commits, the coordinator is stopped at once, and the new coordinator has the offset', {
    timeout: 60_000,
  }, async () => {
    requirePythonClient();
    const s = await offsetsOnThreeReplicas(SLOW);
    await produceOrders(s.kafka, 4);
    s.slowReplication();
    const lines = await runPython('group_consume.py', [
      s.cluster.bootstrapServers.join(','),
      'orders',
      'py-billing',
      '4',
    ]);
    await s.cluster.stopBroker(s.coordinator);
    try {
      expect(lines.at(-1)).toEqual({ committed: { '0': 4 } });
      expect(await committedOffset(s.admin, 'py-billing')).toBe(4);
    } finally {
      await s.admin.close();
    }
  });
});
