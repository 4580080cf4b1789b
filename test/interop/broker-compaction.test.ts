/**
 * Log compaction end to end, read by clients we did not write: kcat writes many values for a few
 * keys to a `cleanup.policy=compact` topic with small segments; the broker's log cleaner (every
 * 100 ms here instead of Kafka's 15 s) rewrites the closed segments. kcat and
 * confluent-kafka-python then read the latest value of each key at its original offset, with the
 * gaps a compacted log has, and so does our consumer. The internal topics are compacted too.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningBroker, startBroker } from '@tskafka/broker';
import { Kafka } from 'tskafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../until.js';
import { readTopicWithKcat, runKcat } from './kcat.js';
import { requirePythonClient, runPython } from './python.js';

let broker: RunningBroker;
let dir: string;
let bootstrap: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tskafka-compaction-'));
  broker = await startBroker({ dataDir: dir, config: { 'log.cleaner.backoff.ms': 100 }, logLevel: 'error' });
  bootstrap = broker.bootstrapServers[0];
});

afterAll(async () => {
  await broker?.close();
  rmSync(dir, { recursive: true, force: true });
});

const KEYS = ['alpha', 'beta', 'gamma', 'delta'];
const ROUNDS = 5;

describe('a compacted topic read by other clients', () => {
  it('serves the latest value per key at its own offset, with gaps, to kcat, Python and our consumer', async () => {
    const topic = 'compacted-prices';
    const kafka = new Kafka({ bootstrapServers: [bootstrap], clientId: 'compaction-test' });
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics([
        {
          topic,
          numPartitions: 1,
          replicationFactor: 1,
          configs: {
            'cleanup.policy': 'compact',
            'segment.bytes': '400',
            'min.cleanable.dirty.ratio': '0.01',
          },
        },
      ]);
    } finally {
      await admin.close();
    }
    const produce = (lines: string[]) =>
      runKcat(['-b', bootstrap, '-P', '-t', topic, '-p', '0', '-K', ':'], { input: `${lines.join('\n')}\n` });
    // Offsets 0..19: every key once per round; then alpha and gamma once more (20, 21).
    for (let round = 0; round < ROUNDS; round++) await produce(KEYS.map((k) => `${k}:${k}-v${round}`));
    await produce(['alpha:alpha-last', 'gamma:gamma-last']);
    // A record too large to share a segment (offset 22): everything before it is in closed
    // segments, which the cleaner compacts, whatever the batches kcat made.
    await produce([`filler:${'x'.repeat(300)}`]);
    const expected = [
      { offset: 17, key: 'beta', value: `beta-v${ROUNDS - 1}` },
      { offset: 19, key: 'delta', value: `delta-v${ROUNDS - 1}` },
      { offset: 20, key: 'alpha', value: 'alpha-last' },
      { offset: 21, key: 'gamma', value: 'gamma-last' },
      { offset: 22, key: 'filler', value: 'x'.repeat(300) },
    ];
    await until('the log cleaner compacts the closed segments', async () => {
      const records = await readTopicWithKcat(bootstrap, topic);
      return records.length === expected.length;
    });
    // What kcat sees: the latest value of each key at its original offset, with the gaps.
    const records = await readTopicWithKcat(bootstrap, topic);
    expect(records.map(({ offset, key, value }) => ({ offset, key, value }))).toEqual(expected);
    // Where the cleaner got to is checkpointed as Kafka does, for the next start.
    const checkpoint = readFileSync(join(dir, 'cleaner-offset-checkpoint'), 'utf8');
    expect(checkpoint).toMatch(new RegExp(`^${topic} 0 22$`, 'm'));

    requirePythonClient();
    const py = (await runPython('read_records.py', [bootstrap, topic])) as {
      offset: number;
      key: string;
      value: string;
    }[];
    expect(py).toEqual(expected);

    const consumer = kafka.consumer<string | null, string | null>({
      keyDeserializer: 'string',
      valueDeserializer: 'string',
    });
    await consumer.connect();
    try {
      const tp = { topic, partition: 0 };
      await consumer.assign([tp]);
      consumer.seekToBeginning();
      const ours: { offset: number; key: string | null; value: string | null }[] = [];
      for (let i = 0; i < 100 && ours.length < expected.length; i++) {
        for (const r of await consumer.poll(200)) ours.push({ offset: r.offset, key: r.key, value: r.value });
      }
      expect(ours).toEqual(expected);
      expect(await consumer.position(tp)).toBe(23);
    } finally {
      await consumer.close();
    }
  });

  it('creates __consumer_offsets compacted', async () => {
    // A group commit makes the broker create the offsets topic.
    await runKcat(['-b', bootstrap, '-P', '-t', 'for-group'], { input: 'x\n' });
    await runKcat(['-b', bootstrap, '-G', 'compaction-group', '-o', 'beginning', '-e', 'for-group'], {
      stopAfterMs: 3000,
    });
    const kafka = new Kafka({ bootstrapServers: [bootstrap], clientId: 'compaction-configs' });
    const admin = kafka.admin();
    await admin.connect();
    try {
      const [described] = await admin.describeConfigs([{ type: 'topic', name: '__consumer_offsets' }]);
      const policy = described.configs.find((c) => c.name === 'cleanup.policy');
      expect(policy?.value).toBe('compact');
    } finally {
      await admin.close();
    }
  });

  it('keeps a group’s latest committed offset through a compacted __consumer_offsets and a restart', async () => {
    const kafka = () =>
      new Kafka({ bootstrapServers: broker.bootstrapServers, clientId: 'compaction-offsets' });
    let admin = kafka().admin();
    await admin.connect();
    try {
      for (let offset = 1; offset <= 5; offset++) {
        await admin.alterConsumerGroupOffsets('compacted-offsets', [
          { topic: 'for-group', partition: 0, offset },
        ]);
      }
    } finally {
      await admin.close();
    }
    // Close the active segments of the offsets topic so that the cleaner may compact them.
    const rm = broker.node.replicaManager;
    const now = Date.now();
    for (const p of rm.partitions.values()) if (p.topic === '__consumer_offsets') p.log.roll(now);
    const cleaned = rm.cleanLogs(now, true);
    expect(cleaned.some((key) => key.startsWith('__consumer_offsets-'))).toBe(true);
    await broker.close();
    broker = await startBroker({
      dataDir: dir,
      config: { 'log.cleaner.backoff.ms': 100 },
      logLevel: 'error',
    });
    admin = kafka().admin();
    await admin.connect();
    try {
      const offsets = await admin.listConsumerGroupOffsets('compacted-offsets');
      expect(offsets.map((o) => [o.topic, o.partition, o.offset])).toEqual([['for-group', 0, 5]]);
    } finally {
      await admin.close();
    }
  });
});
