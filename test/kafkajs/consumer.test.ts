/**
 * `tskafka/kafkajs`'s consumer against KafkaJS's own: the same group reads the same messages
 * (keys, values, offsets, headers, timestamps as strings) through `eachMessage` and `eachBatch`,
 * and leaves the same committed offsets.
 */
import { describe, expect, it } from 'vitest';
import { both, type ScenarioContext, until } from './harness.js';

async function produce({ kafka }: ScenarioContext, topic: string, partitions: number, count: number) {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: partitions }] });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({
    topic,
    messages: Array.from({ length: count }, (_, i) => ({
      key: i % 4 === 0 ? null : `k${i}`,
      value: i === 5 ? null : `value-${i}`,
      partition: i % partitions,
      timestamp: String(1_700_000_000_000 + i),
      headers: i % 2 === 0 ? { n: String(i), bin: Buffer.from([i]) } : undefined,
    })),
  });
  await producer.disconnect();
}

const text = (b: Buffer | string | null | undefined) => (b == null ? null : b.toString());

async function committed({ kafka }: ScenarioContext, groupId: string, topic: string) {
  const admin = kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchOffsets({ groupId, topics: [topic] });
  await admin.disconnect();
  return offsets.map((t) => ({
    topic: t.topic,
    partitions: t.partitions.map(({ partition, offset }) => ({ partition, offset })),
  }));
}

describe('tskafka/kafkajs consumer, differential against kafkajs 2.2.4', () => {
  it('eachMessage: the same messages, in partition order, and the same committed offsets', async () => {
    const r = await both(async (ctx) => {
      await produce(ctx, 'orders', 3, 20);
      const consumer = ctx.kafka.consumer({ groupId: 'g1', maxWaitTimeInMs: 100 });
      const events: { type: string; payload: unknown }[] = [];
      const { CONNECT, GROUP_JOIN, START_BATCH_PROCESS, DISCONNECT } = consumer.events;
      for (const name of [CONNECT, GROUP_JOIN, START_BATCH_PROCESS, DISCONNECT])
        consumer.on(name, ({ type, payload }) => events.push({ type, payload }));
      await consumer.connect();
      await consumer.subscribe({ topics: [/^ord/], fromBeginning: true });
      const seen: unknown[] = [];
      await consumer.run({
        eachMessage: async ({ topic, partition, message }) => {
          seen.push({
            topic,
            partition,
            offset: message.offset,
            timestamp: message.timestamp,
            key: text(message.key),
            value: text(message.value),
            headers: Object.fromEntries(
              Object.entries(message.headers ?? {}).map(([k, v]) => [
                k,
                Array.isArray(v) ? v.map(text) : text(v),
              ]),
            ),
          });
        },
      });
      await until('20 messages are read', () => seen.length >= 20);
      await consumer.disconnect();
      const byPartition = (x: unknown) => (x as { partition: number }).partition;
      seen.sort((a, b) => byPartition(a) - byPartition(b));
      // The events both emit: the first and last, the assignment, and each batch's facts.
      const join = events.find((e) => e.type === GROUP_JOIN)?.payload as { memberAssignment: unknown };
      const batches = events
        .filter((e) => e.type === START_BATCH_PROCESS)
        .map((e) => {
          const {
            topic,
            partition,
            highWatermark,
            offsetLag,
            offsetLagLow,
            batchSize,
            firstOffset,
            lastOffset,
          } = e.payload as Record<string, unknown>;
          return {
            topic,
            partition,
            highWatermark,
            offsetLag,
            offsetLagLow,
            batchSize,
            firstOffset,
            lastOffset,
          };
        })
        .sort((a, b) => Number(a.partition) - Number(b.partition));
      const order = [events[0]?.type, events[events.length - 1]?.type];
      return {
        seen,
        committed: await committed(ctx, 'g1', 'orders'),
        events: { order, memberAssignment: join?.memberAssignment, batches },
      };
    });
    expect(r.kafkajs.events.order).toEqual(['consumer.connect', 'consumer.disconnect']);
    expect(r.kafkajs.events.batches).toHaveLength(3);
    expect(r.kafkajs.seen).toHaveLength(20);
    expect(r.kafkajs.committed[0].partitions.map((p) => p.offset)).toEqual(['7', '7', '6']);
    expect(r.ours).toEqual(r.kafkajs);
  });

  it('eachBatch: offsets, high watermark and lags per batch; resolveOffset bounds the commit', async () => {
    const r = await both(async (ctx) => {
      await produce(ctx, 'batches', 2, 10);
      const consumer = ctx.kafka.consumer({ groupId: 'g2', maxWaitTimeInMs: 100 });
      await consumer.connect();
      await consumer.subscribe({ topic: 'batches', fromBeginning: true });
      const seen: {
        partition: number;
        offsets: string[];
        highWatermark: string;
        lastOffset: string;
        lag: string;
        lagLow: string;
      }[] = [];
      await consumer.run({
        eachBatchAutoResolve: false,
        eachBatch: async ({ batch, resolveOffset }) => {
          seen.push({
            partition: batch.partition,
            offsets: batch.messages.map((m) => m.offset),
            highWatermark: batch.highWatermark,
            lastOffset: batch.lastOffset(),
            lag: batch.offsetLag(),
            lagLow: batch.offsetLagLow(),
          });
          // Only the first two messages of each batch are handled.
          for (const m of batch.messages.slice(0, 2)) resolveOffset(m.offset);
        },
      });
      // Unresolved messages are fetched again: each partition's last batch is its last message alone.
      const done = () => seen.filter((s) => s.offsets.length === 1 && s.offsets[0] === '4').length === 2;
      await until('every message is resolved', done);
      await consumer.disconnect();
      seen.sort((a, b) => a.partition - b.partition);
      return { seen, committed: await committed(ctx, 'g2', 'batches') };
    });
    expect(r.kafkajs.seen.map((s) => s.offsets)).toEqual([
      ['0', '1', '2', '3', '4'],
      ['2', '3', '4'],
      ['4'],
      ['0', '1', '2', '3', '4'],
      ['2', '3', '4'],
      ['4'],
    ]);
    expect(r.kafkajs.committed[0].partitions.map((p) => p.offset)).toEqual(['5', '5']);
    expect(r.ours).toEqual(r.kafkajs);
  });

  it('pause from eachMessage, resume, a handler that throws once, and seek: the same deliveries', async () => {
    const r = await both(async (ctx) => {
      await produce(ctx, 'flow', 1, 10);
      const consumer = ctx.kafka.consumer({ groupId: 'g3', maxWaitTimeInMs: 100 });
      await consumer.connect();
      await consumer.subscribe({ topics: ['flow'], fromBeginning: true });
      const delivered: string[] = [];
      let thrown = false;
      let pausedSeen: unknown = null;
      await consumer.run({
        eachMessage: async ({ message, pause }) => {
          delivered.push(message.offset);
          if (message.offset === '3') {
            const resume = pause();
            pausedSeen = consumer.paused();
            setTimeout(resume, 100);
          }
          if (message.offset === '7' && !thrown) {
            thrown = true;
            throw new Error('handler failed once');
          }
        },
      });
      await until('all ten are handled', () => delivered.includes('9'));
      consumer.seek({ topic: 'flow', partition: 0, offset: '5' });
      await until('the seek is read again', () => delivered.filter((o) => o === '9').length === 2);
      await consumer.disconnect();
      return { delivered, pausedSeen, committed: await committed(ctx, 'g3', 'flow') };
    });
    expect(r.kafkajs.delivered).toEqual([
      '0',
      '1',
      '2',
      '3',
      '4',
      '5',
      '6',
      '7',
      '7',
      '8',
      '9',
      '5',
      '6',
      '7',
      '8',
      '9',
    ]);
    expect(r.kafkajs.pausedSeen).toEqual([{ topic: 'flow', partitions: [0] }]);
    expect(r.ours).toEqual(r.kafkajs);
  });

  it('partitionsConsumedConcurrently: partitions are handled at once, every message once', async () => {
    const r = await both(async (ctx) => {
      await produce(ctx, 'wide', 3, 30);
      const consumer = ctx.kafka.consumer({ groupId: 'g4', maxWaitTimeInMs: 100 });
      await consumer.connect();
      await consumer.subscribe({ topics: ['wide'], fromBeginning: true });
      const delivered: string[] = [];
      let inFlight = 0;
      let mostInFlight = 0;
      await consumer.run({
        partitionsConsumedConcurrently: 3,
        eachMessage: async ({ partition, message }) => {
          inFlight++;
          mostInFlight = Math.max(mostInFlight, inFlight);
          await new Promise((resolve) => setTimeout(resolve, 5));
          delivered.push(`${partition}:${message.offset}`);
          inFlight--;
        },
      });
      await until('all thirty are handled', () => delivered.length >= 30);
      await consumer.disconnect();
      return { delivered: delivered.sort(), overlapped: mostInFlight > 1 };
    });
    expect(r.kafkajs.delivered).toHaveLength(30);
    expect(r.kafkajs.overlapped).toBe(true);
    expect(r.ours).toEqual(r.kafkajs);
  });
});
