/**
 * A consumer group shared with kafka-python (Debian's python3-kafka), a client we did not write,
 * with kafka-python as the group leader: it decodes our subscription, assigns with the range
 * assignor, and both members read their partitions, with no rebalance loop. Our subscription goes
 * out at the lowest ConsumerProtocolSubscription version that carries what we have: v0 for a
 * member that owns nothing yet and has no rack, which leaders of any age can read (Sarama 1.22
 * could not read the v3 Java 3.5+ sends, and rebalanced for ever).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningBroker, startBroker } from '@tskafka/broker';
import { Admin, Consumer, Producer } from 'tskafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PYTHON, runPython } from './python.js';

const topic = 'mixed';
const groupId = 'mixed-group';
const PER_PARTITION = 5;
let broker: RunningBroker;
let dir: string;

beforeAll(async () => {
  const r = spawnSync(PYTHON, ['-c', 'import kafka'], { encoding: 'utf8' });
  if (r.status !== 0)
    throw new Error(`kafka-python is needed under ${PYTHON}: apt-get install python3-kafka`);
  dir = mkdtempSync(join(tmpdir(), 'mixed-group-'));
  broker = await startBroker({ logLevel: 'silent', config: { 'group.initial.rebalance.delay.ms': 0 } });
  const admin = new Admin({ bootstrapServers: broker.bootstrapServers });
  const producer = new Producer({ bootstrapServers: broker.bootstrapServers });
  try {
    await admin.createTopics([{ topic, numPartitions: 4, replicationFactor: 1 }]);
    await producer.connect();
    for (let partition = 0; partition < 4; partition++)
      for (let i = 0; i < PER_PARTITION; i++)
        await producer.send({ topic, partition, value: `${partition}-${i}` });
  } finally {
    await producer.close();
    await admin.close();
  }
});

afterAll(async () => {
  await broker?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Resolves once `check` holds, polling every 50 ms; fails after `limitMs`. */
async function until(what: string, check: () => boolean, limitMs = 30_000): Promise<void> {
  for (let waited = 0; !check(); waited += 50) {
    if (waited > limitMs) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const group = () => broker.node.groupCoordinator.groupManager.getGroup(groupId);

describe('a group shared with kafka-python as its leader', () => {
  it('both members consume their range assignment; our subscription is v0', async () => {
    const stopFile = join(dir, 'stop');
    const python = runPython(
      'kafka_python_group.py',
      [broker.bootstrapServers[0], topic, groupId, stopFile],
      90_000,
    );
    python.catch(() => {}); // awaited below; keeps an early failure from being unhandled
    // kafka-python joins first, alone, so it is the leader when we join.
    await until('kafka-python to join', () => group()?.members.size === 1 && group()?.state === 'Stable');
    const consumer = new Consumer({
      bootstrapServers: broker.bootstrapServers,
      groupId,
      clientId: 'tskafka-member',
      autoOffsetReset: 'earliest',
      enableAutoCommit: false,
    });
    const ours: string[] = [];
    try {
      await consumer.connect();
      await consumer.subscribe([topic]);
      while (consumer.assignment().length === 0 || ours.length < consumer.assignment().length * PER_PARTITION)
        for (const r of await consumer.poll(200)) ours.push(`${r.partition}:${r.offset}`);
      const g = group();
      expect(g?.members.size).toBe(2);
      const members = [...(g?.members.values() ?? [])];
      const leader = members.find((m) => m.memberId === g?.leaderId);
      expect(leader?.clientId).toBe('kafka-python-member');
      const mine = members.find((m) => m.clientId === 'tskafka-member');
      const range = mine?.supportedProtocols.find((p) => p.name === 'range');
      // The version prefix of the bytes we sent: v0, we own nothing and have no rack.
      expect(range?.metadata.readInt16BE(0)).toBe(0);
      // No loop: more polls leave the generation where it is.
      const generation = g?.generationId;
      for (let i = 0; i < 5; i++) expect(await consumer.poll(100)).toEqual([]);
      expect(group()?.generationId).toBe(generation);
      expect(group()?.state).toBe('Stable');
      const ourPartitions = consumer.assignment().map((tp) => tp.partition);
      expect(ourPartitions.length).toBeGreaterThan(0);
      expect(ours.sort()).toEqual(
        ourPartitions.flatMap((p) => Array.from({ length: PER_PARTITION }, (_, o) => `${p}:${o}`)).sort(),
      );
      writeFileSync(stopFile, '');
      const lines = (await python) as { assigned?: number[]; partition?: number; offset?: number }[];
      const assignments = lines.filter((l) => l.assigned).map((l) => l.assigned as number[]);
      const theirs = assignments[assignments.length - 1];
      // Range over 4 partitions: two each, disjoint, covering the topic.
      expect([...theirs, ...ourPartitions].sort()).toEqual([0, 1, 2, 3]);
      expect(theirs).toHaveLength(2);
      const read = new Set(
        lines.filter((l) => l.partition !== undefined).map((l) => `${l.partition}:${l.offset}`),
      );
      for (const p of theirs)
        for (let o = 0; o < PER_PARTITION; o++) expect(read.has(`${p}:${o}`)).toBe(true);
    } finally {
      if (!existsSync(stopFile)) writeFileSync(stopFile, '');
      await consumer.close();
    }
  }, 120_000);
});
