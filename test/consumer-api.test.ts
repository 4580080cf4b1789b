/**
 * The rest of the consumer's surface against our reference broker: the async iterator,
 * `run({ eachBatch })`, `commitAsync` with its callback, auto commit on close (a restart resumes
 * there), a pattern subscription, a handler error that rewinds so nothing is skipped, and a
 * consumer configured with Kafka's property names.
 */
import { type RunningBroker, startBroker } from '@tskafka/broker';
import {
  Consumer,
  type ConsumerRecord,
  Kafka,
  type OffsetAndMetadata,
  stringDeserializer,
  type TopicPartition,
} from 'tskafka';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';

let broker: RunningBroker;

beforeAll(async () => {
  broker = await startBroker({
    config: { 'group.initial.rebalance.delay.ms': 0, 'group.min.session.timeout.ms': 500 },
  });
});
afterAll(async () => {
  await broker?.close();
});

function kafka(): Kafka {
  return new Kafka({ bootstrapServers: broker.bootstrapServers, clientId: 'api-test' });
}

async function produce(topic: string, count: number, partitions: number): Promise<void> {
  const producer = kafka().producer();
  await producer.connect();
  await Promise.all(
    Array.from({ length: count }, (_, i) =>
      producer.send({ topic, partition: i % partitions, key: `k${i}`, value: `v${i}` }),
    ),
  );
  await producer.close();
}

describe('consumer API', () => {
  it('for await (const record of consumer) yields every record', async () => {
    const topic = 'api-iter';
    broker.cluster.metadata.createTopic(topic, { numPartitions: 2, replicationFactor: 1 });
    await produce(topic, 40, 2);
    const consumer = kafka().consumer({
      groupId: 'api-iter',
      autoOffsetReset: 'earliest',
      valueDeserializer: stringDeserializer,
    });
    await consumer.connect();
    await consumer.subscribe([topic]);
    const values: (string | null)[] = [];
    for await (const record of consumer) {
      values.push(record.value);
      if (values.length === 40) break;
    }
    expect(values.sort()).toEqual(Array.from({ length: 40 }, (_, i) => `v${i}`).sort());
    await consumer.close();
  });

  it('run({ eachBatch }) hands over each partition’s records in offset order; stop() ends it', async () => {
    const topic = 'api-batch';
    broker.cluster.metadata.createTopic(topic, { numPartitions: 3, replicationFactor: 1 });
    await produce(topic, 60, 3);
    const consumer = kafka().consumer({ groupId: 'api-batch', autoOffsetReset: 'earliest' });
    await consumer.connect();
    await consumer.subscribe([topic]);
    const byPartition = new Map<number, number[]>();
    let total = 0;
    let reached: () => void = () => {};
    const all = new Promise<void>((resolve) => {
      reached = resolve;
    });
    const running = consumer.run({
      eachBatch: ({ partition, messages }) => {
        expect(messages.every((m) => m.partition === partition)).toBe(true);
        byPartition.set(partition, [...(byPartition.get(partition) ?? []), ...messages.map((m) => m.offset)]);
        total += messages.length;
        if (total === 60) reached();
      },
    });
    await all;
    await consumer.stop();
    await running;
    for (const p of [0, 1, 2]) expect(byPartition.get(p)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    await consumer.close();
  });

  it('a throwing eachMessage rewinds: run rejects and the record is read again by the next poll', async () => {
    const topic = 'api-throw';
    broker.cluster.metadata.createTopic(topic, { numPartitions: 1, replicationFactor: 1 });
    await produce(topic, 10, 1);
    const consumer = kafka().consumer({ groupId: 'api-throw', autoOffsetReset: 'earliest' });
    await consumer.connect();
    await consumer.subscribe([topic]);
    const seen: number[] = [];
    const failure = await consumer
      .run({
        eachMessage: ({ message }) => {
          if (message.offset === 4) throw new Error('boom');
          seen.push(message.offset);
        },
      })
      .then(
        () => null,
        (e: Error) => e,
      );
    expect(failure?.message).toBe('boom');
    expect(seen).toEqual([0, 1, 2, 3]);
    expect(await consumer.position({ topic, partition: 0 })).toBe(4);
    const again: ConsumerRecord<Buffer | null, Buffer | null>[] = [];
    while (again.length < 6) again.push(...(await consumer.poll(500)));
    expect(again.map((r) => r.offset)).toEqual([4, 5, 6, 7, 8, 9]);
    await consumer.close();
  });

  it('commitAsync calls back with the offsets; auto commit on close lets a restart resume', async () => {
    const topic = 'api-auto';
    broker.cluster.metadata.createTopic(topic, { numPartitions: 1, replicationFactor: 1 });
    await produce(topic, 30, 1);
    const tp = { topic, partition: 0 };
    const first = kafka().consumer({ groupId: 'api-auto', autoOffsetReset: 'earliest', maxPollRecords: 10 });
    await first.connect();
    await first.subscribe([topic]);
    const got: ConsumerRecord<Buffer | null, Buffer | null>[] = [];
    while (got.length < 10) got.push(...(await first.poll(500)));
    const result = await new Promise<{
      offsets: Map<TopicPartition, OffsetAndMetadata>;
      error: Error | null;
    }>((resolve) => void first.commitAsync(undefined, (offsets, error) => resolve({ offsets, error })));
    expect(result.error).toBeNull();
    expect([...result.offsets.values()].map((o) => o.offset)).toEqual([10]);
    while (got.length < 20) got.push(...(await first.poll(500)));
    await first.close(); // enable.auto.commit (the default) commits offset 20 here

    const second = kafka().consumer({ groupId: 'api-auto', autoOffsetReset: 'earliest' });
    await second.connect();
    await second.assign([tp]);
    expect([...(await second.committed([tp])).values()][0]?.offset).toBe(20);
    const rest: ConsumerRecord<Buffer | null, Buffer | null>[] = [];
    while (rest.length < 10) rest.push(...(await second.poll(500)));
    expect(rest.map((r) => r.offset)).toEqual(Array.from({ length: 10 }, (_, i) => 20 + i));
    await second.close();
  });

  it('highWatermark(tp) is null until a fetch answers for the partition, then its end offset', async () => {
    const topic = 'api-hw';
    broker.cluster.metadata.createTopic(topic, { numPartitions: 1, replicationFactor: 1 });
    await produce(topic, 7, 1);
    const consumer = kafka().consumer();
    await consumer.connect();
    const tp = { topic, partition: 0 };
    expect(consumer.highWatermark(tp)).toBeNull();
    await consumer.assign([tp]);
    consumer.seekToBeginning([tp]);
    const records: ConsumerRecord<Buffer | null, Buffer | null>[] = [];
    while (records.length < 7) records.push(...(await consumer.poll(5_000)));
    expect(consumer.highWatermark(tp)).toBe(7);
    expect(consumer.highWatermark({ topic, partition: 1 })).toBeNull();
    await consumer.close();
  });

  it('beginningOffsets and endOffsets ask the leaders, after DeleteRecords too, without an assignment', async () => {
    const topic = 'api-offsets';
    broker.cluster.metadata.createTopic(topic, { numPartitions: 2, replicationFactor: 1 });
    await produce(topic, 10, 2);
    const admin = kafka().admin();
    await admin.connect();
    await admin.deleteRecords([{ topic, partition: 1, offset: 2 }]);
    await admin.close();
    const consumer = kafka().consumer();
    await consumer.connect();
    const tps: TopicPartition[] = [
      { topic, partition: 0 },
      { topic, partition: 1 },
    ];
    const begin = await consumer.beginningOffsets(tps);
    const end = await consumer.endOffsets(tps);
    expect(tps.map((tp) => begin.get(tp))).toEqual([0, 2]);
    expect(tps.map((tp) => end.get(tp))).toEqual([5, 5]);
    expect(consumer.assignment()).toEqual([]);
    await consumer.close();
  });

  it('named and object deserializers type the records kafka.consumer() hands out', async () => {
    const topic = 'api-typed';
    broker.cluster.metadata.createTopic(topic, { numPartitions: 1, replicationFactor: 1 });
    await produce(topic, 2, 1);
    const text = kafka().consumer({ keyDeserializer: 'string', valueDeserializer: 'string' });
    const json = kafka().consumer({ valueDeserializer: 'json' });
    const typed = kafka().consumer({ valueDeserializer: stringDeserializer });
    const raw = kafka().consumer({ groupId: 'api-typed' });
    const explicit = kafka().consumer<string | null, string | null>({ valueDeserializer: 'string' });
    expectTypeOf(text).toEqualTypeOf<Consumer<string | null, string | null>>();
    expectTypeOf(json).toEqualTypeOf<Consumer<Buffer | null, unknown>>();
    expectTypeOf(typed).toEqualTypeOf<Consumer<Buffer | null, string | null>>();
    expectTypeOf(raw).toEqualTypeOf<Consumer<Buffer | null, Buffer | null>>();
    expectTypeOf(explicit).toEqualTypeOf<Consumer<string | null, string | null>>();
    // What the types say is what comes out.
    await text.connect();
    await text.assign([{ topic, partition: 0 }]);
    text.seekToBeginning();
    const records: ConsumerRecord<string | null, string | null>[] = [];
    while (records.length < 2) records.push(...(await text.poll(200)));
    expect(records.map((r) => [r.key, r.value])).toEqual([
      ['k0', 'v0'],
      ['k1', 'v1'],
    ]);
    for (const c of [text, json, typed, raw, explicit]) await c.close();
  });

  it('subscribe(RegExp) takes every matching topic', async () => {
    for (const t of ['pat-a', 'pat-b', 'other-c'])
      broker.cluster.metadata.createTopic(t, { numPartitions: 1, replicationFactor: 1 });
    await produce('pat-a', 5, 1);
    await produce('pat-b', 5, 1);
    await produce('other-c', 5, 1);
    const consumer = kafka().consumer({ groupId: 'api-pattern', autoOffsetReset: 'earliest' });
    await consumer.connect();
    await consumer.subscribe(/^pat-/);
    const got: ConsumerRecord<Buffer | null, Buffer | null>[] = [];
    while (got.length < 10) got.push(...(await consumer.poll(500)));
    expect(new Set(got.map((r) => r.topic))).toEqual(new Set(['pat-a', 'pat-b']));
    expect(consumer.assignment().map((p) => p.topic)).toEqual(['pat-a', 'pat-b']);
    await consumer.close();
  });

  it("takes Kafka's property names, Java class names of assignors and deserializers included", async () => {
    const topic = 'api-props';
    broker.cluster.metadata.createTopic(topic, { numPartitions: 2, replicationFactor: 1 });
    await produce(topic, 10, 2);
    const consumer = Kafka.fromProperties({
      'bootstrap.servers': broker.bootstrapServers.join(','),
      'group.id': 'api-props',
      'auto.offset.reset': 'earliest',
      'partition.assignment.strategy': 'org.apache.kafka.clients.consumer.RoundRobinAssignor',
      'value.deserializer': 'org.apache.kafka.common.serialization.StringDeserializer',
      'max.poll.records': '3',
    }).consumer();
    expect(consumer.config.maxPollRecords).toBe(3);
    await consumer.connect();
    await consumer.subscribe([topic]);
    const got: ConsumerRecord<Buffer | null, Buffer | null>[] = [];
    while (got.length < 10) {
      const batch = await consumer.poll(500);
      expect(batch.length).toBeLessThanOrEqual(3);
      got.push(...batch);
    }
    expect(got.every((r) => typeof r.value === 'string')).toBe(true);
    expect(consumer.groupMetadata().groupId).toBe('api-props');
    await consumer.close();
  });

  it('new Consumer(...) straight from the package, and misuse errors', async () => {
    const consumer = new Consumer({ bootstrapServers: broker.bootstrapServers });
    await expect(consumer.poll(0)).rejects.toThrow(/connect\(\)/);
    await consumer.connect();
    await expect(consumer.poll(0)).rejects.toThrow(/not subscribed/);
    await expect(consumer.subscribe(['x'])).rejects.toThrow(/groupId/);
    await consumer.close();
    await expect(consumer.poll(0)).rejects.toThrow(/closed/);
  });
});
