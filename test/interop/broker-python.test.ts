/**
 * confluent-kafka-python (Debian's python3-confluent-kafka, librdkafka underneath), a client we
 * did not write, against the reference broker: an idempotent producer with acks=all whose
 * responses get lost on the way back (so it retries batches the broker already stored) still
 * writes every record exactly once, in order; a group consumer that commits, stops, and starts
 * again continues from its committed offsets, reading nothing twice and missing nothing.
 *
 * The scripts live in `python/`; they run under `/usr/bin/python3`, the interpreter the Debian
 * package installs into, not whatever `python3` comes first on PATH.
 */
import { type RunningBroker, startBroker } from '@tskafka/broker';
import { ApiKey } from '@tskafka/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirePythonClient, runPython } from './python.js';

/** A record as the scripts print it. */
interface PyRecord {
  partition: number;
  offset: number;
  key: string;
  value: string;
  error?: string | null;
}

/** Runs group_consume.py; returns what it read and what it committed. */
async function consume(
  topic: string,
  group: string,
  limit: number,
): Promise<{ records: PyRecord[]; committed: Record<string, number> }> {
  const lines = await runPython('group_consume.py', [bootstrap, topic, group, String(limit)]);
  const last = lines.pop() as { committed: Record<string, number> };
  return { records: lines as PyRecord[], committed: last.committed };
}

let broker: RunningBroker;
let bootstrap: string;
const logLines: string[] = [];

beforeAll(async () => {
  requirePythonClient();
  broker = await startBroker({
    config: { 'num.partitions': 3, 'group.initial.rebalance.delay.ms': 0 },
    logLevel: 'info',
    logger: (level, message) => {
      logLines.push(message);
      if (level === 'error') process.stderr.write(`[broker] ${message}\n`);
    },
  });
  bootstrap = broker.bootstrapServers[0];
});

afterAll(async () => {
  await broker?.close();
});

/** Groups records by partition, each list in offset order. */
function byPartition(records: PyRecord[]): Map<number, PyRecord[]> {
  const out = new Map<number, PyRecord[]>();
  for (const r of records) out.set(r.partition, [...(out.get(r.partition) ?? []), r]);
  for (const list of out.values()) list.sort((a, b) => a.offset - b.offset);
  return out;
}

describe('confluent-kafka-python against the reference broker', () => {
  it('idempotent producer (acks=all) writes each record exactly once, in order, despite lost responses', async () => {
    const topic = 'py-idempotent';
    const count = 3000;
    broker.cluster.metadata.createTopic(topic, { numPartitions: 3, replicationFactor: 1 });
    // The first two Produce requests are stored, then their connection closes before the
    // answer: librdkafka retries them with the same sequence numbers, and the broker must
    // recognise them as duplicates instead of storing them again.
    broker.node.faults.dropNextResponses(ApiKey.Produce, 2);
    const reports = (await runPython('idempotent_produce.py', [
      bootstrap,
      topic,
      String(count),
    ])) as PyRecord[];
    expect(logLines.filter((l) => l.includes('dropping the Produce response'))).toHaveLength(2);
    expect(reports).toHaveLength(count);
    expect(reports.filter((r) => r.error)).toEqual([]);

    // The delivery reports: per partition, offsets 0..n-1, in the order the records were produced.
    const reported = byPartition(reports);
    expect(reported.size).toBe(3);
    for (const list of reported.values()) {
      expect(list.map((r) => r.offset)).toEqual(list.map((_, i) => i));
      const order = list.map((r) => Number(r.value.slice(1)));
      expect(order).toEqual([...order].sort((a, b) => a - b));
    }
    // The log holds exactly those records: nothing duplicated by the retries.
    let stored = 0;
    for (const p of [0, 1, 2]) stored += broker.node.replicaManager.getPartition(topic, p)?.logEndOffset ?? 0;
    expect(stored).toBe(count);
    // They were written by one idempotent producer (a producer id, sequence-checked).
    const ids = new Set<number>();
    for (const p of [0, 1, 2]) {
      for (const id of broker.node.replicaManager.getPartition(topic, p)?.producerState.producers.keys() ??
        []) {
        ids.add(id);
      }
    }
    expect(ids.size).toBe(1);

    // Read back by a consumer: the same records at the same offsets.
    const { records } = await consume(topic, 'py-idempotent-reader', -1);
    const key = (r: PyRecord) => `${r.partition}/${r.offset}/${r.key}/${r.value}`;
    expect(records.map(key).sort()).toEqual(reports.map(key).sort());
    // The same key always went to the same partition.
    const partitionOfKey = new Map<string, Set<number>>();
    for (const r of records)
      partitionOfKey.set(r.key, (partitionOfKey.get(r.key) ?? new Set()).add(r.partition));
    for (const ps of partitionOfKey.values()) expect(ps.size).toBe(1);
  }, 50_000);

  it('a group consumer that committed and was restarted continues from its committed offsets', async () => {
    const topic = 'py-resume';
    const group = 'py-resume-group';
    const count = 600;
    broker.cluster.metadata.createTopic(topic, { numPartitions: 3, replicationFactor: 1 });
    const produced = (await runPython('idempotent_produce.py', [
      bootstrap,
      topic,
      String(count),
    ])) as PyRecord[];
    expect(produced).toHaveLength(count);

    const first = await consume(topic, group, 250);
    expect(first.records).toHaveLength(250);
    // What it committed is what the broker keeps for the group: the next offset per partition.
    const stored = broker.node.groupCoordinator.offsets.fetchOffsets(
      group,
      false,
      [0, 1, 2].map((partition) => ({ topic, partition })),
    );
    const committedOnBroker = Object.fromEntries(
      stored.offsets.filter((o) => o.offset >= 0).map((o) => [String(o.partition), o.offset]),
    );
    expect(committedOnBroker).toEqual(first.committed);

    // Restarted: starts at the committed offsets, so nothing is read twice and nothing missed.
    const second = await consume(topic, group, -1);
    const key = (r: PyRecord) => `${r.partition}/${r.offset}`;
    const firstKeys = new Set(first.records.map(key));
    expect(second.records.filter((r) => firstKeys.has(key(r)))).toEqual([]);
    for (const [p, list] of byPartition(second.records)) {
      expect(list[0].offset).toBe(first.committed[p] ?? 0);
    }
    const all = [...first.records, ...second.records].map(key).sort();
    expect(all).toEqual(produced.map(key).sort());
  }, 50_000);
});
