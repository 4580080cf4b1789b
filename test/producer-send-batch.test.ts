/**
 * `producer.sendBatch` against the reference broker: one promise for many records, each record's
 * metadata in the order given (read back by kcat, which we did not write), a failure of some
 * records reported per record while the others are written, and the per-record paths (a topic
 * whose metadata is not known yet, interceptors with `onAcknowledgement`) giving the same answer.
 */
import { type RunningBroker, startBroker } from '@tskafka/broker';
import {
  ProducerError,
  type ProducerInterceptor,
  type RecordMetadata,
  RecordTooLargeError,
  SendBatchError,
} from '@tskafka/producer';
import { Kafka } from 'tskafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTopicWithKcat } from './interop/kcat.js';

let broker: RunningBroker;
let bootstrap: string;

beforeAll(async () => {
  broker = await startBroker({ config: { 'num.partitions': 3 } });
  bootstrap = broker.bootstrapServers.join(',');
});
afterAll(async () => {
  await broker?.close();
});

function kafka(): Kafka {
  return new Kafka({ bootstrapServers: broker.bootstrapServers, clientId: 'send-batch' });
}

describe('producer.sendBatch', () => {
  it('resolves once with every record’s metadata in call order; kcat reads each record where it says', async () => {
    const topic = 'send-batch-order';
    broker.cluster.metadata.createTopic(topic, { numPartitions: 3, replicationFactor: 1 });
    const producer = kafka().producer({ acks: 'all', batchSize: 1024 });
    await producer.connect();
    try {
      // Explicit partitions, keys and keyless records (the sticky partitioner) in one call.
      const records = Array.from({ length: 300 }, (_, i) => ({
        topic,
        value: `v${i}`,
        ...(i % 3 === 0 ? { partition: 2 } : i % 3 === 1 ? { key: `k${i}` } : {}),
      }));
      const metas = await producer.sendBatch(records);
      expect(metas).toHaveLength(300);
      const stored = await readTopicWithKcat(bootstrap, topic);
      const at = new Map(stored.map((r) => [`${r.partition}/${r.offset}`, r.value]));
      metas.forEach((m, i) => {
        expect(m.topic).toBe(topic);
        expect(at.get(`${m.partition}/${m.offset}`)).toBe(`v${i}`);
      });
      expect(metas.filter((_, i) => i % 3 === 0).every((m) => m.partition === 2)).toBe(true);
      // Offsets grow in call order within each partition.
      for (const p of [0, 1, 2]) {
        const offsets = metas.filter((m) => m.partition === p).map((m) => m.offset);
        expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
      }
      expect(await producer.sendBatch([])).toEqual([]);
    } finally {
      await producer.close();
    }
  });

  it('rejects with a SendBatchError holding each record’s outcome; the good records are written', async () => {
    const topic = 'send-batch-errors';
    broker.cluster.metadata.createTopic(topic, { numPartitions: 2, replicationFactor: 1 });
    const producer = kafka().producer({ acks: 1, maxRequestSize: 10_000 });
    await producer.connect();
    try {
      const error = await producer
        .sendBatch([
          { topic, partition: 0, value: 'a' },
          { topic, partition: 7, value: 'no such partition' },
          { topic, partition: 1, value: 'b' },
          { topic, partition: 0, value: 'x'.repeat(20_000) },
          { topic, partition: 0, value: 'c' },
        ])
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SendBatchError);
      const e = error as SendBatchError;
      expect(e.failedCount).toBe(2);
      expect(e.results[1]).toBeInstanceOf(ProducerError);
      expect((e.results[1] as Error).message).toContain('partition 7');
      expect(e.results[3]).toBeInstanceOf(RecordTooLargeError);
      expect(e.cause).toBe(e.results[1]);
      const ok = [e.results[0], e.results[2], e.results[4]] as RecordMetadata[];
      expect(ok.map((m) => [m.partition, m.offset])).toEqual([
        [0, 0],
        [1, 0],
        [0, 1],
      ]);
      const stored = await readTopicWithKcat(bootstrap, topic);
      expect(stored.map((r) => r.value).sort()).toEqual(['a', 'b', 'c']);
    } finally {
      await producer.close();
    }
  });

  it('a topic not known yet and onAcknowledgement interceptors go record by record, with the same result', async () => {
    const acknowledged: number[] = [];
    const interceptor: ProducerInterceptor = {
      onSend: (r) => r,
      onAcknowledgement: (m) => {
        if (m !== null) acknowledged.push(m.offset);
      },
    };
    const withInterceptor = kafka().producer({ acks: 1, interceptors: [interceptor] });
    const plain = kafka().producer({ acks: 1 });
    await Promise.all([withInterceptor.connect(), plain.connect()]);
    try {
      const fresh = 'send-batch-fresh'; // auto-created on first use
      const first = await plain.sendBatch(
        [0, 1, 2].map((i) => ({ topic: fresh, partition: 0, value: `f${i}` })),
      );
      expect(first.map((m) => m.offset)).toEqual([0, 1, 2]);
      const second = await withInterceptor.sendBatch(
        [3, 4].map((i) => ({ topic: fresh, partition: 0, value: `f${i}` })),
      );
      expect(second.map((m) => m.offset)).toEqual([3, 4]);
      expect(acknowledged.sort()).toEqual([3, 4]);
    } finally {
      await Promise.all([withInterceptor.close(), plain.close()]);
    }
  });
});
