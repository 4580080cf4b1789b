/**
 * A group consumer whose coordinator is gone (its broker stopped, `__consumer_offsets` with one
 * replica so no other broker can take the group over) goes on delivering the records of partitions
 * whose leaders are alive, as Java's consumer does: auto commit runs in the background, so a commit
 * that cannot find a coordinator does not hold poll() for up to `request.timeout.ms` (it did, for
 * the whole time the coordinator was away: issue 18, item 8). Here `request.timeout.ms` is five
 * minutes, so a poll held by the commit would outlast the test.
 */
import { type Cluster, startCluster } from '@tskafka/broker';
import { Kafka, silentLogger } from 'tskafka';
import { afterAll, describe, expect, it } from 'vitest';

let cluster: Cluster | undefined;
afterAll(async () => {
  await cluster?.close();
});

/** Kafka's `Utils.abs(groupId.hashCode()) % offsets.topic.num.partitions`. */
function offsetsPartitionFor(groupId: string, partitions: number): number {
  let h = 0;
  for (let i = 0; i < groupId.length; i++) h = (Math.imul(h, 31) + groupId.charCodeAt(i)) | 0;
  return (h & 0x7fffffff) % partitions;
}

describe('a group consumer without a coordinator', () => {
  it('keeps delivering records from live leaders while its auto commit cannot reach the group', {
    timeout: 60_000,
  }, async () => {
    cluster = await startCluster({
      brokers: 3,
      logLevel: 'silent',
      config: { 'offsets.topic.replication.factor': 1, 'offsets.topic.num.partitions': 3 },
    });
    const kafka = new Kafka({
      bootstrapServers: cluster.bootstrapServers,
      logger: silentLogger,
      requestTimeoutMs: 300_000,
    });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics([{ topic: 'orders', numPartitions: 3, replicationFactor: 3 }]);
    await admin.close();
    const group = 'billing';
    const consumer = kafka.consumer<Buffer | null, string | null>({
      groupId: group,
      autoOffsetReset: 'earliest',
      autoCommitIntervalMs: 100,
      defaultApiTimeoutMs: 300_000,
      valueDeserializer: 'string',
    });
    const producer = kafka.producer({ acks: 'all' });
    await producer.connect();
    await consumer.connect();
    await consumer.subscribe(['orders']);
    try {
      for (let p = 0; p < 3; p++)
        await producer.send({ topic: 'orders', partition: p, value: `before-${p}` });
      const seen = new Set<string>();
      while (seen.size < 3) for (const r of await consumer.poll(500)) seen.add(r.value ?? '');

      const coordinator =
        cluster.metadata.topics.get('__consumer_offsets')?.partitions[offsetsPartitionFor(group, 3)].leader;
      expect(coordinator).toBeGreaterThan(0);
      await cluster.stopBroker(coordinator as number);
      expect(
        cluster.metadata.topics.get('__consumer_offsets')?.partitions[offsetsPartitionFor(group, 3)].leader,
      ).toBe(-1);

      for (let p = 0; p < 3; p++) await producer.send({ topic: 'orders', partition: p, value: `after-${p}` });
      const after = new Set<string>();
      // Each poll is past an auto commit interval, so each one starts (or finds) a commit that
      // cannot complete while the group has no coordinator.
      while (after.size < 3)
        for (const r of await consumer.poll(500)) if (r.value?.startsWith('after')) after.add(r.value);
      expect([...after].sort()).toEqual(['after-0', 'after-1', 'after-2']);
    } finally {
      await producer.close({ timeoutMs: 2000 });
      await consumer.close({ timeoutMs: 2000 }).catch(() => {});
    }
  });
});
