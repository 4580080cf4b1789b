/**
 * `tskafka/kafkajs`'s producer against KafkaJS's own: the same sends give the same partitions
 * (both partitioners), the same `RecordMetadata[]` (log start offset and append time included),
 * and the same headers, repeated ones too.
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
  return sent;
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
      const order = (list: { topicName: string; partition: number }[]) =>
        [...list].sort((x, y) => x.topicName.localeCompare(y.topicName) || x.partition - y.partition);
      return { first, batch: order(batch) };
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
      const messages = [0, 1, 2, 3].map((i) => ({ value: `v${i}`.repeat(50), partition: i % 2 }));
      const gzip = await producer.send({ topic: 'c', messages, compression: lib.CompressionTypes.GZIP });
      const leaderOnly = await producer.send({ topic: 'c', messages, acks: 1 });
      const none = await producer.send({ topic: 'c', messages, acks: 0 });
      await producer.disconnect();
      return { gzip, leaderOnly, none };
    });
    expect(r.kafkajs.leaderOnly.map((m) => m.baseOffset)).toEqual(['2', '2']);
    expect(r.ours).toEqual(r.kafkajs);
  });
});

describe('tskafka/kafkajs producer: Produce response fields and headers, differential', () => {
  it('logStartOffset after a deletion, and logAppendTime on a LogAppendTime topic', async () => {
    const r = await both(async ({ kafka }) => {
      const admin = kafka.admin();
      await admin.connect();
      await admin.createTopics({
        topics: [
          { topic: 'start', numPartitions: 1 },
          {
            topic: 'appended',
            numPartitions: 1,
            configEntries: [{ name: 'message.timestamp.type', value: 'LogAppendTime' }],
          },
        ],
      });
      const producer = kafka.producer();
      await producer.connect();
      const messages = [0, 1, 2, 3].map((i) => ({ value: `v${i}` }));
      await producer.send({ topic: 'start', messages });
      // KafkaJS's admin finds the leader only in metadata it has fetched since the topic was made.
      await admin.fetchTopicMetadata({ topics: ['start'] });
      await admin.deleteTopicRecords({ topic: 'start', partitions: [{ partition: 0, offset: '3' }] });
      const afterDelete = await producer.send({ topic: 'start', messages });
      const before = Date.now();
      const [appended] = await producer.send({ topic: 'appended', messages });
      await producer.disconnect();
      await admin.disconnect();
      // The append time is the broker's clock: the same for both only in kind.
      const appendTime = Number(appended.logAppendTime);
      return {
        afterDelete,
        appended: { ...appended, logAppendTime: appendTime >= before - 1000 && appendTime <= Date.now() },
      };
    });
    expect(r.kafkajs.afterDelete).toEqual([
      {
        topicName: 'start',
        partition: 0,
        errorCode: 0,
        baseOffset: '4',
        logAppendTime: '-1',
        logStartOffset: '3',
      },
    ]);
    expect(r.kafkajs.appended.logAppendTime).toBe(true);
    expect(r.ours).toEqual(r.kafkajs);
  });

  it('a header whose value is an array is written once per value, and read back as an array', async () => {
    const r = await both(async ({ kafka }) => {
      const producer = kafka.producer();
      await producer.connect();
      await producer.send({
        topic: 'h',
        messages: [
          {
            value: 'v',
            headers: {
              trace: ['a', Buffer.from([1, 2])],
              one: 'x',
              single: ['only'],
              many: [Buffer.from('p'), 'q', 'r'],
            },
          },
        ],
      });
      await producer.disconnect();
      const consumer = kafka.consumer({ groupId: 'h-reader' });
      await consumer.connect();
      await consumer.subscribe({ topic: 'h', fromBeginning: true });
      const seen = new Promise<unknown>((resolve) => {
        void consumer.run({
          eachMessage: async ({ message }) => {
            // Consumed header values are Buffers (KafkaJS types them as its send-side IHeaders).
            const hex = (b: string | Buffer) => (Buffer.isBuffer(b) ? b.toString('hex') : `string ${b}`);
            const show = (v: string | Buffer | (string | Buffer)[] | undefined) =>
              Array.isArray(v) ? v.map(hex) : v === undefined ? v : hex(v);
            resolve(Object.entries(message.headers ?? {}).map(([k, v]) => [k, show(v)]));
          },
        });
      });
      const headers = await seen;
      await consumer.disconnect();
      return headers;
    });
    expect(r.kafkajs).toEqual([
      ['trace', ['61', '0102']],
      ['one', '78'],
      ['single', '6f6e6c79'],
      ['many', ['70', '71', '72']],
    ]);
    expect(r.ours).toEqual(r.kafkajs);
  });
});
