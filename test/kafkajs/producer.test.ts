/**
 * `tskafka/kafkajs`'s producer against KafkaJS's own: the same sends give the same partitions
 * (both partitioners) and the same `RecordMetadata[]`.
 */
import { Partitioners } from 'tskafka/kafkajs';
import { describe, expect, it } from 'vitest';
import { both, type ScenarioContext } from './harness.js';

const KEYS = Array.from({ length: 40 }, (_, i) =>
  i % 3 === 0 ? Buffer.from([i, 255 - i, i * 7]) : `key-${i * 37}`,
);

async function partitionsPerKey(
  { lib, kafka }: ScenarioContext,
  partitioner: 'DefaultPartitioner' | 'LegacyPartitioner',
) {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'keys', numPartitions: 7 }] });
  await admin.disconnect();
  const producer = kafka.producer({ createPartitioner: lib.Partitioners[partitioner] });
  await producer.connect();
  const sent = [];
  for (const key of KEYS) sent.push(await producer.send({ topic: 'keys', messages: [{ key, value: 'v' }] }));
  await producer.disconnect();
  // logStartOffset is not reported by tskafka's producer (see the module's documentation).
  return sent.map((r) => r.map(({ logStartOffset: _, ...rest }) => rest));
}

describe('tskafka/kafkajs producer, differential against kafkajs 2.2.4', () => {
  it('DefaultPartitioner: the same partition and base offset for each key', async () => {
    const r = await both((ctx) => partitionsPerKey(ctx, 'DefaultPartitioner'));
    expect(new Set(r.kafkajs.flat().map((m) => m.partition)).size).toBeGreaterThan(3);
    expect(r.ours).toEqual(r.kafkajs);
  });

  it('LegacyPartitioner: KafkaJS 1.x hashing gives the same partitions', async () => {
    const r = await both((ctx) => partitionsPerKey(ctx, 'LegacyPartitioner'));
    expect(r.ours).toEqual(r.kafkajs);
    // The legacy hash is not Java's: some of these keys land elsewhere under DefaultPartitioner.
    const javaCompatible = Partitioners.DefaultPartitioner();
    const partitionMetadata = Array.from({ length: 7 }, (_, p) => ({
      partitionErrorCode: 0,
      partitionId: p,
      leader: 1,
      replicas: [1],
      isr: [1],
    }));
    const java = KEYS.map((key) =>
      javaCompatible({ topic: 'keys', partitionMetadata, message: { key, value: 'v' } }),
    );
    expect(r.kafkajs.map((m) => m[0].partition)).not.toEqual(java);
  });

  it('sendBatch over two topics answers one entry per partition, with its base offset', async () => {
    const r = await both(async ({ kafka }) => {
      const admin = kafka.admin();
      await admin.connect();
      await admin.createTopics({
        topics: [
          { topic: 'a', numPartitions: 3 },
          { topic: 'b', numPartitions: 2 },
        ],
      });
      await admin.disconnect();
      const producer = kafka.producer();
      await producer.connect();
      const first = await producer.send({ topic: 'a', messages: [{ value: 'x', partition: 1 }] });
      const batch = await producer.sendBatch({
        topicMessages: [
          { topic: 'a', messages: [0, 1, 2, 3, 4, 5].map((i) => ({ key: `k${i}`, value: `v${i}` })) },
          {
            topic: 'b',
            messages: [
              { value: 'b0', partition: 1 },
              { value: 'b1', partition: 1 },
              { value: 'b2', partition: 0 },
            ],
          },
        ],
      });
      await producer.disconnect();
      const strip = (list: { logStartOffset?: string }[]) =>
        list.map(({ logStartOffset: _, ...rest }) => rest);
      const order = (list: { topicName: string; partition: number }[]) =>
        [...list].sort((x, y) => x.topicName.localeCompare(y.topicName) || x.partition - y.partition);
      return {
        first: strip(first),
        batch: order(strip(batch) as { topicName: string; partition: number }[]),
      };
    });
    expect(r.kafkajs.batch.length).toBeGreaterThan(2);
    expect(r.ours).toEqual(r.kafkajs);
  });

  it('acks and compression per send: the same answers (none with acks 0)', async () => {
    const r = await both(async ({ lib, kafka }) => {
      const admin = kafka.admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic: 'c', numPartitions: 2 }] });
      await admin.disconnect();
      const producer = kafka.producer();
      await producer.connect();
      const strip = <T extends { logStartOffset?: string }>(list: T[]) =>
        list.map(({ logStartOffset: _, ...rest }) => rest);
      const messages = [0, 1, 2, 3].map((i) => ({ value: `v${i}`.repeat(50), partition: i % 2 }));
      const gzip = await producer.send({ topic: 'c', messages, compression: lib.CompressionTypes.GZIP });
      const leaderOnly = await producer.send({ topic: 'c', messages, acks: 1 });
      const none = await producer.send({ topic: 'c', messages, acks: 0 });
      await producer.disconnect();
      return { gzip: strip(gzip), leaderOnly: strip(leaderOnly), none: strip(none) };
    });
    expect(r.kafkajs.leaderOnly.map((m) => m.baseOffset)).toEqual(['2', '2']);
    expect(r.ours).toEqual(r.kafkajs);
  });
});
