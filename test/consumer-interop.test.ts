/**
 * A mixed consumer group: a kcat consumer (`-G`, librdkafka's balanced consumer) and our
 * consumer in one group on our reference broker, agreeing on the `range` assignor. The
 * partitions are split between them and every record is read exactly once.
 */
import { spawn } from 'node:child_process';
import { type RunningBroker, startBroker } from '@tskafka/broker';
import { Kafka, stringDeserializer } from 'tskafka';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { haveKcat, requireTool } from './interop/mock-cluster.js';

let broker: RunningBroker;

beforeAll(async () => {
  broker = await startBroker({
    config: { 'group.initial.rebalance.delay.ms': 0, 'group.min.session.timeout.ms': 500 },
  });
});
afterAll(async () => {
  await broker?.close();
});

describe('a group with a librdkafka member', () => {
  it('kcat -G and our consumer share the partitions; every record is read once', async () => {
    requireTool(haveKcat());
    const topic = 'mixed';
    const group = 'mixed-group';
    broker.cluster.metadata.createTopic(topic, { numPartitions: 4, replicationFactor: 1 });
    const bootstrap = broker.bootstrapServers.join(',');
    const kcat = spawn(
      'kcat',
      [
        '-b',
        bootstrap,
        '-G',
        group,
        '-X',
        'auto.offset.reset=earliest',
        '-X',
        'partition.assignment.strategy=range',
        '-X',
        'session.timeout.ms=6000',
        '-X',
        'heartbeat.interval.ms=100',
        '-q',
        '-u', // unbuffered: each record is printed as it arrives
        '-f',
        '%p\t%o\t%s\n',
        topic,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const kcatRecords: { partition: number; offset: number; value: string }[] = [];
    let buffered = '';
    kcat.stdout.setEncoding('utf8').on('data', (s: string) => {
      buffered += s;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        const [p, o, value] = line.split('\t');
        kcatRecords.push({ partition: Number(p), offset: Number(o), value });
      }
    });
    const exited = new Promise((resolve) => kcat.once('close', resolve));
    try {
      const kafka = new Kafka({ bootstrapServers: broker.bootstrapServers, clientId: 'mixed' });
      const consumer = kafka.consumer({
        groupId: group,
        autoOffsetReset: 'earliest',
        valueDeserializer: stringDeserializer,
        heartbeatIntervalMs: 100,
        sessionTimeoutMs: 6_000,
      });
      await consumer.connect();
      await consumer.subscribe([topic]);
      const ours: { partition: number; offset: number; value: string | null }[] = [];
      // The group settles with two partitions each (range over 4 partitions, 2 members).
      await vi.waitFor(
        async () => {
          for (const r of await consumer.poll(100)) ours.push(r);
          expect(consumer.assignment()).toHaveLength(2);
        },
        { timeout: 20_000, interval: 10 },
      );
      const producer = kafka.producer();
      await producer.connect();
      await Promise.all(
        Array.from({ length: 400 }, (_, i) => producer.send({ topic, partition: i % 4, value: `v${i}` })),
      );
      await producer.close();
      await vi.waitFor(
        async () => {
          for (const r of await consumer.poll(100)) ours.push(r);
          expect(ours.length + kcatRecords.length).toBeGreaterThanOrEqual(400);
        },
        { timeout: 20_000, interval: 10 },
      );
      const mine = new Set(consumer.assignment().map((p) => p.partition));
      await consumer.close();
      expect(ours.length).toBe(200);
      expect(kcatRecords.length).toBe(200);
      expect(ours.every((r) => mine.has(r.partition))).toBe(true);
      expect(kcatRecords.every((r) => !mine.has(r.partition))).toBe(true);
      const values = [...ours.map((r) => r.value), ...kcatRecords.map((r) => r.value)].sort();
      expect(values).toEqual(Array.from({ length: 400 }, (_, i) => `v${i}`).sort());
    } finally {
      kcat.kill('SIGINT');
      await exited;
    }
  });
});
