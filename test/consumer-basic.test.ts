/**
 * Our consumer against our reference broker without a group and with one: `assign` + `poll`
 * reads what our producer wrote, in order per partition, as Buffers or deserialized; `seek`,
 * `seekToBeginning/End`, `pause/resume`; `auto.offset.reset` earliest, latest and none;
 * commits and a restart that resumes from the committed offset; interceptors.
 */
import { type RunningBroker, startBroker } from '@tskafka/broker';
import {
  type ConsumerInterceptor,
  type ConsumerRecord,
  Kafka,
  NoOffsetForPartitionError,
  stringDeserializer,
} from 'tskafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let broker: RunningBroker;

beforeAll(async () => {
  broker = await startBroker({ config: { 'num.partitions': 3 } });
});
afterAll(async () => {
  await broker?.close();
});

function kafka(clientId = 'consumer-test'): Kafka {
  return new Kafka({ bootstrapServers: broker.bootstrapServers, clientId });
}

async function produce(
  topic: string,
  count: number,
  partitions = 3,
  codec: 'none' | 'lz4' | 'zstd' | 'gzip' | 'snappy' = 'none',
): Promise<void> {
  const producer = kafka().producer({ compression: codec });
  await producer.connect();
  await Promise.all(
    Array.from({ length: count }, (_, i) =>
      producer.send({
        topic,
        partition: i % partitions,
        key: `k${i}`,
        value: `v${i}`,
        headers: { i: String(i) },
      }),
    ),
  );
  await producer.close();
}

/** Polls until `count` records arrived (or fails after `maxPolls` empty-handed polls). */
async function pollUntil<K, V>(
  consumer: { poll(ms: number): Promise<ConsumerRecord<K, V>[]> },
  count: number,
  maxPolls = 50,
): Promise<ConsumerRecord<K, V>[]> {
  const out: ConsumerRecord<K, V>[] = [];
  for (let i = 0; out.length < count && i < maxPolls; i++) out.push(...(await consumer.poll(200)));
  return out;
}

describe('consumer without a group', () => {
  it('assign + poll reads every record in order per partition, as Buffers', async () => {
    const topic = 'c-assign';
    broker.cluster.metadata.createTopic(topic, { numPartitions: 3, replicationFactor: 1 });
    await produce(topic, 300);
    const consumer = kafka().consumer({ autoOffsetReset: 'earliest', maxPollRecords: 50 });
    await consumer.connect();
    await consumer.assign([0, 1, 2].map((partition) => ({ topic, partition })));
    const records = await pollUntil(consumer, 300);
    await consumer.close();
    expect(records).toHaveLength(300);
    for (const r of records) {
      expect(Buffer.isBuffer(r.value)).toBe(true);
      const i = Number(r.headers[0].value?.toString());
      expect(r.partition).toBe(i % 3);
      expect(r.offset).toBe(Math.floor(i / 3));
      expect(r.key?.toString()).toBe(`k${i}`);
      expect(r.value?.toString()).toBe(`v${i}`);
    }
    for (const p of [0, 1, 2]) {
      const offsets = records.filter((r) => r.partition === p).map((r) => r.offset);
      expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
    }
  });

  for (const codec of ['gzip', 'snappy', 'lz4', 'zstd'] as const) {
    it(`decodes ${codec} batches`, async () => {
      const topic = `c-codec-${codec}`;
      broker.cluster.metadata.createTopic(topic, { numPartitions: 1, replicationFactor: 1 });
      await produce(topic, 100, 1, codec);
      const consumer = kafka().consumer({
        autoOffsetReset: 'earliest',
        valueDeserializer: stringDeserializer,
      });
      await consumer.connect();
      await consumer.assign([{ topic, partition: 0 }]);
      const records = await pollUntil(consumer, 100);
      await consumer.close();
      expect(records.map((r) => r.value)).toEqual(Array.from({ length: 100 }, (_, i) => `v${i}`));
    });
  }

  it('seek, seekToBeginning and seekToEnd move the position; position() reports it', async () => {
    const topic = 'c-seek';
    broker.cluster.metadata.createTopic(topic, { numPartitions: 1, replicationFactor: 1 });
    await produce(topic, 20, 1);
    const tp = { topic, partition: 0 };
    const consumer = kafka().consumer({ autoOffsetReset: 'latest', valueDeserializer: 'string' });
    await consumer.connect();
    await consumer.assign([tp]);
    expect(await consumer.position(tp)).toBe(20);
    consumer.seek(tp, 15);
    const fromFifteen = await pollUntil(consumer, 5);
    expect(fromFifteen.map((r) => r.offset)).toEqual([15, 16, 17, 18, 19]);
    consumer.seekToBeginning([tp]);
    expect(await consumer.position(tp)).toBe(0);
    const all = await pollUntil(consumer, 20);
    expect(all.map((r) => r.value)).toEqual(Array.from({ length: 20 }, (_, i) => `v${i}`));
    consumer.seekToEnd();
    expect(await consumer.position(tp)).toBe(20);
    await consumer.close();
  });

  it('pause holds a partition back; resume hands its records out', async () => {
    const topic = 'c-pause';
    broker.cluster.metadata.createTopic(topic, { numPartitions: 2, replicationFactor: 1 });
    await produce(topic, 20, 2);
    const consumer = kafka().consumer({ autoOffsetReset: 'earliest' });
    await consumer.connect();
    await consumer.assign([
      { topic, partition: 0 },
      { topic, partition: 1 },
    ]);
    consumer.pause([{ topic, partition: 1 }]);
    expect(consumer.paused()).toEqual([{ topic, partition: 1 }]);
    const first = await pollUntil(consumer, 10);
    expect(first.every((r) => r.partition === 0)).toBe(true);
    expect(first).toHaveLength(10);
    // Nothing more while partition 1 is paused.
    expect(await consumer.poll(300)).toEqual([]);
    consumer.resume([{ topic, partition: 1 }]);
    const second = await pollUntil(consumer, 10);
    expect(second.map((r) => r.partition)).toEqual(Array(10).fill(1));
    await consumer.close();
  });

  it("auto.offset.reset 'none' without a committed offset is a NoOffsetForPartitionError naming the partitions", async () => {
    const topic = 'c-none';
    broker.cluster.metadata.createTopic(topic, { numPartitions: 2, replicationFactor: 1 });
    const consumer = kafka().consumer({ groupId: 'c-none-group', autoOffsetReset: 'none' });
    await consumer.connect();
    await consumer.assign([
      { topic, partition: 0 },
      { topic, partition: 1 },
    ]);
    const error = await consumer.poll(100).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(NoOffsetForPartitionError);
    expect((error as NoOffsetForPartitionError).partitions).toEqual([
      { topic, partition: 0 },
      { topic, partition: 1 },
    ]);
    expect((error as Error).message).toContain(`${topic}-0`);
    await consumer.close();
  });

  it('manual commitSync, then a new consumer resumes from the committed offset; interceptors see it', async () => {
    const topic = 'c-commit';
    broker.cluster.metadata.createTopic(topic, { numPartitions: 1, replicationFactor: 1 });
    await produce(topic, 30, 1);
    const tp = { topic, partition: 0 };
    const commits: number[] = [];
    const consumed: number[] = [];
    const interceptor: ConsumerInterceptor<string | null, string | null> = {
      onConsume: (records) => {
        consumed.push(records.length);
        return records.map((r) => ({ ...r, value: `${r.value}!` }));
      },
      onCommit: (offsets) => {
        for (const o of offsets.values()) commits.push(o.offset);
      },
    };
    const first = kafka().consumer<string | null, string | null>({
      groupId: 'c-commit-group',
      autoOffsetReset: 'earliest',
      enableAutoCommit: false,
      maxPollRecords: 10,
      valueDeserializer: stringDeserializer,
      interceptors: [interceptor],
    });
    await first.connect();
    await first.assign([tp]);
    const batch = await pollUntil(first, 10);
    expect(batch.map((r) => r.value)).toEqual(Array.from({ length: 10 }, (_, i) => `v${i}!`));
    await first.commitSync();
    expect(commits).toEqual([10]);
    expect(consumed.reduce((a, b) => a + b, 0)).toBe(10);
    const committed = await first.committed([tp]);
    expect([...committed.values()][0]?.offset).toBe(10);
    await first.commitSync([{ topic, partition: 0, offset: 12 }]);
    await first.close();

    const second = kafka().consumer({
      groupId: 'c-commit-group',
      autoOffsetReset: 'earliest',
      valueDeserializer: 'string',
    });
    await second.connect();
    await second.assign([tp]);
    const rest = await pollUntil(second, 18);
    expect(rest.map((r) => r.offset)).toEqual(Array.from({ length: 18 }, (_, i) => 12 + i));
    await second.close();
  });
});
