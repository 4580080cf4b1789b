/**
 * kcat (librdkafka 2.0.2), a client we did not write, against the reference broker: metadata,
 * keyed produce with every codec read back exactly, consumption from an offset and from a
 * timestamp, and a consumer group of two kcat members splitting the partitions.
 */
import { type RunningBroker, startBroker } from '@tskafka/broker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runKcat } from './kcat.js';

let broker: RunningBroker;
let bootstrap: string;

beforeAll(async () => {
  broker = await startBroker({
    config: { 'num.partitions': 3, 'group.initial.rebalance.delay.ms': 0 },
    logLevel: 'error',
  });
  bootstrap = broker.bootstrapServers[0];
});

afterAll(async () => {
  await broker?.close();
});

/** Parses `-f '%p\t%o\t%k\t%s\n'` output into records. */
function parse(out: string): { partition: number; offset: number; key: string; value: string }[] {
  return out
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [partition, offset, key, value] = line.split('\t');
      return { partition: Number(partition), offset: Number(offset), key, value };
    });
}

describe('kcat against the reference broker', () => {
  it('lists the broker and auto-created topics (-L)', async () => {
    await runKcat(['-b', bootstrap, '-P', '-t', 'meta-topic'], { input: 'hello\n' });
    const { stdout } = await runKcat(['-b', bootstrap, '-L']);
    expect(stdout).toContain(`broker 1 at ${bootstrap} (controller)`);
    expect(stdout).toMatch(/topic "meta-topic" with 3 partitions/);
  });

  for (const codec of ['none', 'gzip', 'snappy', 'lz4', 'zstd']) {
    it(`produces 10,000 keyed records with -z ${codec} and reads them back exactly`, async () => {
      const topic = `codec-${codec}`;
      const lines: string[] = [];
      for (let i = 0; i < 10_000; i++) lines.push(`key-${i % 97}:value-${i}-${'x'.repeat(i % 50)}`);
      await runKcat(['-b', bootstrap, '-P', '-t', topic, '-K:', '-z', codec], {
        input: `${lines.join('\n')}\n`,
        timeoutMs: 60_000,
      });
      const { stdout } = await runKcat(
        ['-b', bootstrap, '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%p\t%o\t%k\t%s\n'],
        { timeoutMs: 60_000 },
      );
      const got = parse(stdout);
      expect(got).toHaveLength(10_000);
      // Same content; within each partition, the order it was produced in, offsets 0, 1, 2, ...
      const byPartition = new Map<number, typeof got>();
      for (const r of got) byPartition.set(r.partition, [...(byPartition.get(r.partition) ?? []), r]);
      const expected = lines.map((l) => l.slice(l.indexOf(':') + 1));
      for (const rs of byPartition.values()) {
        expect(rs.map((r) => r.offset)).toEqual(rs.map((_, i) => i));
        const indices = rs.map((r) => Number(r.value.split('-')[1]));
        expect(indices).toEqual([...indices].sort((a, b) => a - b));
        for (const r of rs) expect(r.value).toBe(expected[Number(r.value.split('-')[1])]);
      }
      // The same key always lands on the same partition.
      const keyPartitions = new Map<string, Set<number>>();
      for (const r of got) keyPartitions.set(r.key, (keyPartitions.get(r.key) ?? new Set()).add(r.partition));
      for (const ps of keyPartitions.values()) expect(ps.size).toBe(1);
    });
  }

  it('consumes from an offset (-o N) and from a timestamp (-o s@ms)', async () => {
    const topic = 'offsets-and-times';
    await runKcat(['-b', bootstrap, '-P', '-t', topic, '-p', '0'], { input: 'a\nb\nc\n' });
    await new Promise((r) => setTimeout(r, 50));
    const t = Date.now();
    await new Promise((r) => setTimeout(r, 50));
    await runKcat(['-b', bootstrap, '-P', '-t', topic, '-p', '0'], { input: 'd\ne\n' });
    const fromOffset = await runKcat(['-b', bootstrap, '-C', '-t', topic, '-p', '0', '-o', '1', '-e', '-q']);
    expect(fromOffset.stdout.split('\n').filter(Boolean)).toEqual(['b', 'c', 'd', 'e']);
    const fromTime = await runKcat([
      '-b',
      bootstrap,
      '-C',
      '-t',
      topic,
      '-p',
      '0',
      '-o',
      `s@${t}`,
      '-e',
      '-q',
    ]);
    expect(fromTime.stdout.split('\n').filter(Boolean)).toEqual(['d', 'e']);
  });

  it('splits the partitions between two kcat group members (-G) and reads every record once', async () => {
    const topic = 'group-topic';
    const values = Array.from({ length: 300 }, (_, i) => `m${i}`);
    const member = () =>
      runKcat(
        [
          '-b',
          bootstrap,
          '-G',
          'kcat-group',
          '-X',
          'auto.offset.reset=earliest',
          '-q',
          '-f',
          '%p\t%o\t%k\t%s\n',
          topic,
        ],
        { stopAfterMs: 20_000, timeoutMs: 40_000 },
      );
    await runKcat(['-b', bootstrap, '-P', '-t', topic], { input: 'warm-up\n' });
    const members = Promise.all([member(), member()]);
    // Produce once both have joined and the group is stable with the partitions split between
    // them (a fixed sleep is not enough on a loaded machine).
    const deadline = Date.now() + 15_000;
    for (;;) {
      const g = broker.node.groupCoordinator.offsets.describeGroup('kcat-group');
      if (g.state === 'Stable' && g.members.length === 2) break;
      if (Date.now() > deadline) throw new Error(`group never became stable with 2 members: ${g.state}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await runKcat(['-b', bootstrap, '-P', '-t', topic, '-K:'], {
      input: `${values.map((v, i) => `k${i}:${v}`).join('\n')}\n`,
    });
    const [a, b] = await members;
    const ra = parse(a.stdout);
    const rb = parse(b.stdout);
    // Partitions as split once the group was stable; the warm-up record may have been read by
    // the first member alone, before the second joined and took its partition over.
    const pa = new Set(ra.filter((r) => r.value !== 'warm-up').map((r) => r.partition));
    const pb = new Set(rb.filter((r) => r.value !== 'warm-up').map((r) => r.partition));
    // Both members got partitions, none shared, all 3 covered, every record read exactly once.
    expect(pa.size).toBeGreaterThan(0);
    expect(pb.size).toBeGreaterThan(0);
    for (const p of pa) expect(pb.has(p)).toBe(false);
    expect(new Set([...pa, ...pb]).size).toBe(3);
    expect([...ra, ...rb].map((r) => r.value).sort()).toEqual([...values, 'warm-up'].sort());
  }, 60_000);
});
