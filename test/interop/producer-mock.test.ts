/**
 * Our producer against librdkafka's mock cluster, a broker we did not write, with kcat (also not
 * ours) reading back what we wrote: keys, values, headers, timestamps and partitions, with every
 * codec and acks setting; and an idempotent producer that, while the mock fails Produce requests
 * (NOT_LEADER_OR_FOLLOWER, REQUEST_TIMED_OUT, dropped connections), still writes every record
 * exactly once and in order.
 */
import { ApiKey } from '@tskafka/protocol';
import { Kafka } from 'tskafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTopicWithKcat as readWithKcat, runKcat } from './kcat.js';
import { type MockCluster, startMockCluster } from './mock-cluster.js';

const CODECS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
const ACKS = [0, 1, 'all'] as const;

let mock: MockCluster;
const topics: string[] = [];
for (const codec of CODECS) for (const acks of ACKS) topics.push(`codec-${codec}-${acks}`);

beforeAll(async () => {
  mock = await startMockCluster({
    brokers: 3,
    topics: [
      ...topics.map((name) => ({ name, partitions: 3, replicationFactor: 3 })),
      { name: 'faults', partitions: 3, replicationFactor: 3 },
      { name: 'keys', partitions: 7 },
    ],
  });
});
afterAll(async () => {
  await mock?.close();
});

describe('producer against the librdkafka mock cluster, read back by kcat', () => {
  for (const codec of CODECS) {
    for (const acks of ACKS) {
      it(`compression ${codec}, acks ${acks}: kcat reads keys, values, headers, timestamps, partitions`, async () => {
        const topic = `codec-${codec}-${acks}`;
        const kafka = new Kafka({ bootstrapServers: mock.bootstrapServers.split(','), clientId: 'interop' });
        const producer = kafka.producer({
          acks,
          compression: codec,
          idempotent: acks === 'all',
          lingerMs: 5,
        });
        await producer.connect();
        const base = Date.now() - 60_000;
        const sends = [];
        for (let i = 0; i < 300; i++) {
          sends.push(
            producer.send({
              topic,
              partition: i % 3,
              key: `k${i}`,
              value: `value-${i}-${'x'.repeat(i % 50)}`,
              timestamp: base + i,
              headers: { n: String(i), kind: 'interop' },
            }),
          );
        }
        const metas = await Promise.all(sends);
        await producer.close();

        for (let i = 0; i < metas.length; i++) {
          expect(metas[i].topic).toBe(topic);
          expect(metas[i].partition).toBe(i % 3);
          // acks=0 has no offsets to report; Java reports -1.
          if (acks === 0) expect(metas[i].offset).toBe(-1);
          else expect(metas[i].offset).toBe(Math.floor(i / 3));
        }

        const read = await readWithKcat(mock.bootstrapServers, topic);
        expect(read).toHaveLength(300);
        const byKey = new Map(read.map((r) => [r.key, r]));
        for (let i = 0; i < 300; i++) {
          const r = byKey.get(`k${i}`);
          expect(r, `record k${i}`).toBeDefined();
          expect(r?.value).toBe(`value-${i}-${'x'.repeat(i % 50)}`);
          expect(r?.partition).toBe(i % 3);
          expect(r?.offset).toBe(Math.floor(i / 3));
          expect(r?.timestamp).toBe(base + i);
          expect(r?.headers).toBe(`n=${i},kind=interop`);
        }
      });
    }
  }

  it('default partitioner puts each key where librdkafka murmur2_random would (same as Java)', async () => {
    const kafka = new Kafka({ bootstrapServers: mock.bootstrapServers.split(','), clientId: 'keys' });
    const producer = kafka.producer({ acks: 1 });
    await producer.connect();
    const keys = Array.from({ length: 200 }, (_, i) => `customer-${i * 7919}`);
    const ours = await Promise.all(keys.map((key) => producer.send({ topic: 'keys', key, value: 'v' })));
    await producer.close();
    // kcat produces the same keys with librdkafka's Java-compatible partitioner.
    await runKcat(
      ['-b', mock.bootstrapServers, '-P', '-t', 'keys', '-K:', '-X', 'partitioner=murmur2_random'],
      {
        input: keys.map((k) => `${k}:peer`).join('\n'),
      },
    );
    const read = await readWithKcat(mock.bootstrapServers, 'keys');
    const peer = new Map(read.filter((r) => r.value === 'peer').map((r) => [r.key, r.partition]));
    expect(peer.size).toBe(keys.length);
    for (let i = 0; i < keys.length; i++) expect(ours[i].partition, keys[i]).toBe(peer.get(keys[i]));
    expect(new Set(ours.map((m) => m.partition)).size).toBe(7);
  });

  it('idempotent producer under Produce errors and dropped connections: each record once, in order', async () => {
    const kafka = new Kafka({ bootstrapServers: mock.bootstrapServers.split(','), clientId: 'faults' });
    const producer = kafka.producer({
      acks: 'all',
      idempotent: true,
      lingerMs: 2,
      batchSize: 512,
      retryBackoffMs: 10,
      maxInFlightRequestsPerConnection: 5,
    });
    await producer.connect();
    const total = 3000;
    const sends: Promise<unknown>[] = [];
    for (let i = 0; i < total; i++) {
      if (i === 500) {
        // NOT_LEADER_OR_FOLLOWER, REQUEST_TIMED_OUT, then a dropped connection (-195 __TRANSPORT).
        await mock.command(`push_request_errors ${ApiKey.Produce} 6 6 7 -195 6 7 -195`);
      }
      if (i === 1500) await mock.command(`push_request_errors ${ApiKey.Produce} 3 7 -195 6`);
      sends.push(producer.send({ topic: 'faults', key: `k${i}`, value: String(i), partition: i % 3 }));
    }
    await Promise.all(sends);
    await producer.close();

    const read = await readWithKcat(mock.bootstrapServers, 'faults');
    expect(read).toHaveLength(total);
    for (let p = 0; p < 3; p++) {
      const values = read.filter((r) => r.partition === p).map((r) => Number(r.value));
      const expected = Array.from({ length: total / 3 }, (_, j) => j * 3 + p);
      expect(values).toEqual(expected);
    }
  });
});
