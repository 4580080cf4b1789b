/**
 * Our producer against our reference broker, end to end: every codec and acks setting (read back
 * by kcat, which we did not write), SASL PLAIN and SCRAM, an idempotent producer whose responses
 * are lost after the broker stored the batch (each record still stored once, in order), leader
 * errors, and `buffer.memory` making `send` wait and then reject.
 */
import { type RunningBroker, startBroker } from '@tskafka/broker';
import { ApiKey, ErrorCode } from '@tskafka/protocol';
import { Kafka } from 'tskafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTopicWithKcat as readWithKcat } from './interop/kcat.js';

let broker: RunningBroker;
let bootstrap: string;

beforeAll(async () => {
  broker = await startBroker({ config: { 'num.partitions': 3 } });
  bootstrap = broker.bootstrapServers.join(',');
});
afterAll(async () => {
  await broker?.close();
});

function kafka(clientId: string): Kafka {
  return new Kafka({ bootstrapServers: broker.bootstrapServers, clientId });
}

describe('producer against the reference broker', () => {
  for (const codec of ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const) {
    for (const acks of [0, 1, 'all'] as const) {
      it(`compression ${codec}, acks ${acks}: kcat reads what we wrote`, async () => {
        const topic = `p-${codec}-${acks}`;
        broker.cluster.metadata.createTopic(topic, { numPartitions: 3, replicationFactor: 1 });
        const producer = kafka('codecs').producer({ acks, compression: codec, idempotent: acks === 'all' });
        await producer.connect();
        const base = Date.now() - 10_000;
        const metas = await Promise.all(
          Array.from({ length: 200 }, (_, i) =>
            producer.send({
              topic,
              partition: i % 3,
              key: `k${i}`,
              value: `v${i}`,
              timestamp: base + i,
              headers: { i: String(i) },
            }),
          ),
        );
        await producer.close();
        if (acks !== 0) expect(metas.map((m) => m.offset)).toEqual(metas.map((_, i) => Math.floor(i / 3)));
        const read = await readWithKcat(bootstrap, topic);
        expect(read).toHaveLength(200);
        const byKey = new Map(read.map((r) => [r.key, r]));
        for (let i = 0; i < 200; i++) {
          expect(byKey.get(`k${i}`)).toEqual({
            partition: i % 3,
            offset: Math.floor(i / 3),
            key: `k${i}`,
            value: `v${i}`,
            timestamp: base + i,
            headers: `i=${i}`,
          });
        }
      });
    }
  }

  it('sends to a topic not yet in metadata are delivered in order by flush() and by close()', async () => {
    for (const how of ['flush', 'close'] as const) {
      const topic = `fresh-${how}`;
      const producer = kafka('fresh').producer({ acks: 1 });
      await producer.connect();
      const sends = Array.from({ length: 500 }, (_, i) =>
        producer.send({ topic, partition: 0, value: String(i) }),
      );
      if (how === 'flush') {
        await producer.flush();
        await producer.close();
      } else {
        await producer.close();
      }
      const metas = await Promise.all(sends);
      expect(metas.map((m) => m.offset)).toEqual(metas.map((_, i) => i));
      const read = await readWithKcat(bootstrap, topic);
      expect(read.map((r) => r.value)).toEqual(metas.map((_, i) => String(i)));
    }
  });

  it('a send waiting for metadata that fails rejects for whoever awaits it, and is logged, never an unhandled rejection', async () => {
    const warnings: string[] = [];
    const logger = { debug() {}, info() {}, error() {}, warn: (m: string) => void warnings.push(m) };
    const producer = new Kafka({
      bootstrapServers: broker.bootstrapServers,
      clientId: 'invalid',
      logger,
    }).producer({ acks: 1, maxBlockMs: 5000 });
    await producer.connect();
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => {
      unhandled.push(reason);
    };
    process.on('unhandledRejection', onUnhandled);
    try {
      const topic = 'not a valid topic!';
      void producer.send({ topic, value: 'nobody awaits this one' });
      const awaited = producer.send({ topic, value: 'awaited' });
      await expect(awaited).rejects.toMatchObject({ code: ErrorCode.INVALID_TOPIC_EXCEPTION });
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);
      // Whether a send is awaited cannot be seen: each failed send is logged.
      expect(warnings.filter((w) => w.includes(`send(s) to ${topic} failed`))).toHaveLength(2);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      await producer.close();
    }
  });

  it('idempotent producer: responses lost after the batch was stored still give each record once, in order', async () => {
    const topic = 'lost-responses';
    broker.cluster.metadata.createTopic(topic, { numPartitions: 2, replicationFactor: 1 });
    const producer = kafka('idem').producer({ acks: 'all', idempotent: true, lingerMs: 1, batchSize: 1024 });
    await producer.connect();
    const sends: Promise<unknown>[] = [];
    for (let i = 0; i < 2000; i++) {
      if (i === 300) broker.node.faults.dropNextResponses(ApiKey.Produce, 2);
      if (i === 900) broker.node.faults.pushRequestErrors(ApiKey.Produce, ErrorCode.NOT_LEADER_OR_FOLLOWER);
      if (i === 1200) broker.node.faults.dropNextResponses(ApiKey.Produce, 1);
      sends.push(producer.send({ topic, partition: i % 2, value: String(i) }));
      if (i % 100 === 99) await new Promise((r) => setImmediate(r));
    }
    await Promise.all(sends);
    await producer.close();
    // Every armed fault was hit: three responses lost after the append, one leader error.
    expect(broker.node.faults.pendingCount(ApiKey.Produce)).toBe(0);
    const read = await readWithKcat(bootstrap, topic);
    for (const p of [0, 1]) {
      expect(read.filter((r) => r.partition === p).map((r) => Number(r.value))).toEqual(
        Array.from({ length: 1000 }, (_, j) => 2 * j + p),
      );
    }
  });

  it('a full buffer.memory makes send wait up to maxBlockMs, then reject with a clear error', async () => {
    const topic = 'full-buffer';
    broker.cluster.metadata.createTopic(topic, { numPartitions: 1, replicationFactor: 1 });
    const producer = kafka('full').producer({
      acks: 1,
      bufferMemory: 64 * 1024,
      batchSize: 16 * 1024,
      maxBlockMs: 100,
    });
    await producer.connect();
    broker.node.faults.setLatency(ApiKey.Produce, 500);
    const results = await Promise.allSettled(
      Array.from({ length: 16 }, (_, i) => producer.send({ topic, value: Buffer.alloc(8 * 1024, i) })),
    );
    const ok = results.filter((r) => r.status === 'fulfilled');
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    // 16 × 8 KiB cannot fit in 64 KiB while the broker is slow: some sends waited, then failed...
    expect(ok.length).toBeGreaterThan(0);
    expect(failed.length).toBeGreaterThan(0);
    for (const f of failed) expect(String(f.reason)).toMatch(/buffer\.memory/);
    // ...and exactly the accepted ones were stored: nothing lost, nothing extra.
    const stored = await readWithKcat(bootstrap, topic);
    expect(stored).toHaveLength(ok.length);
    broker.node.faults.setLatency(ApiKey.Produce, 0);
    await producer.close();
  });
});

describe('producer with SASL against the reference broker', () => {
  let secure: RunningBroker;
  beforeAll(async () => {
    secure = await startBroker({
      config: { 'sasl.enabled.mechanisms': 'PLAIN,SCRAM-SHA-256,SCRAM-SHA-512', 'num.partitions': 1 },
      users: { alice: 'alice-secret' },
    });
  });
  afterAll(async () => {
    await secure?.close();
  });

  for (const mechanism of ['plain', 'scram-sha-256', 'scram-sha-512'] as const) {
    it(`${mechanism}: authenticates and produces; kcat reads it back with the same credentials`, async () => {
      const topic = `sasl-${mechanism}`;
      const k = new Kafka({
        bootstrapServers: secure.bootstrapServers,
        clientId: 'sasl',
        sasl: { mechanism, username: 'alice', password: 'alice-secret' },
      });
      const producer = k.producer({ acks: 'all' });
      await producer.connect();
      const meta = await producer.send({ topic, key: 'a', value: `hello ${mechanism}` });
      expect(meta.offset).toBe(0);
      await producer.close();
      const read = await readWithKcat(secure.bootstrapServers.join(','), topic, [
        '-X',
        'security.protocol=SASL_PLAINTEXT',
        '-X',
        `sasl.mechanisms=${mechanism.toUpperCase()}`,
        '-X',
        'sasl.username=alice',
        '-X',
        'sasl.password=alice-secret',
      ]);
      expect(read.map((r) => r.value)).toEqual([`hello ${mechanism}`]);
    });
  }

  it('a wrong password fails connect with an authentication error', async () => {
    const k = new Kafka({
      bootstrapServers: secure.bootstrapServers,
      clientId: 'sasl-bad',
      sasl: { mechanism: 'scram-sha-256', username: 'alice', password: 'wrong' },
    });
    const producer = k.producer();
    await expect(producer.connect()).rejects.toThrow(/authentication/i);
    await producer.close();
  });
});
