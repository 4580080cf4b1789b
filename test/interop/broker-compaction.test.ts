/**
 * Log compaction end to end, read by clients we did not write: kcat writes many values for a few
 * keys to a `cleanup.policy=compact` topic with small segments; the broker's log cleaner (every
 * 100 ms here instead of Kafka's 15 s) rewrites the closed segments. kcat and
 * confluent-kafka-python then read the latest value of each key at its original offset, with the
 * gaps a compacted log has, and so does our consumer. The internal topics are compacted too.
 */
import { mkdtempSync, rmSync } from 'node:fs';
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
const ROUNDS = 6;

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
            'segment.bytes': '300',
            'min.cleanable.dirty.ratio': '0.01',
          },
        },
      ]);
    } finally {
      await admin.close();
    }
    // One kcat run per round: each round's batch is written alone, so segments roll between them.
    for (let round = 0; round < ROUNDS; round++) {
      const lines = KEYS.map((k) => `${k}:${k}-v${round}`).join('\n');
      await runKcat(['-b', bootstrap, '-P', '-t', topic, '-p', '0', '-K', ':'], { input: `${lines}\n` });
    }
    const total = KEYS.length * ROUNDS;
    // Offsets of the latest value of each key, as written: the last round.
    const latest = new Map(KEYS.map((k, i) => [k, (ROUNDS - 1) * KEYS.length + i]));

    let records = await readTopicWithKcat(bootstrap, topic);
    await until('the log cleaner compacts the closed segments', async () => {
      records = await readTopicWithKcat(bootstrap, topic);
      return records.length <= 2 * KEYS.length;
    });
    // What kcat sees: each key's records in offset order end with its latest value, at its
    // original offset; the first offsets are gone (a gap from the start).
    for (const key of KEYS) {
      const mine = records.filter((r) => r.key === key);
      expect(mine.at(-1)).toMatchObject({ offset: latest.get(key), value: `${key}-v${ROUNDS - 1}` });
    }
    const offsets = records.map((r) => r.offset);
    expect(offsets[0]).toBeGreaterThan(0);
    expect(offsets.at(-1)).toBe(total - 1);
    expect(offsets.length).toBeLessThan(total);

    requirePythonClient();
    const py = (await runPython('read_records.py', [bootstrap, topic])) as {
      offset: number;
      key: string;
      value: string;
    }[];
    expect(py.map((r) => r.offset)).toEqual(offsets);
    for (const key of KEYS) {
      expect(py.filter((r) => r.key === key).at(-1)).toMatchObject({
        offset: latest.get(key),
        value: `${key}-v${ROUNDS - 1}`,
      });
    }

    const consumer = kafka.consumer<string | null, string | null>({
      keyDeserializer: 'string',
      valueDeserializer: 'string',
    });
    await consumer.connect();
    try {
      const tp = { topic, partition: 0 };
      await consumer.assign([tp]);
      consumer.seekToBeginning();
      const ours: { offset: number; key: string | null }[] = [];
      while (ours.length < offsets.length) {
        for (const r of await consumer.poll(200)) ours.push({ offset: r.offset, key: r.key });
      }
      expect(ours.map((r) => r.offset)).toEqual(offsets);
      expect(await consumer.position(tp)).toBe(total);
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
});
