/**
 * The broker's log cleaner on a manual clock: it runs every `log.cleaner.backoff.ms`, compacts
 * the logs of compacted topics (leader and follower alike), and leaves `cleanup.policy=delete`
 * topics alone.
 */
import { encodeRecordBatch } from '@tskafka/protocol/internals';
import { afterEach, describe, expect, it } from 'vitest';
import { type Cluster, startCluster } from '../src/broker.js';
import { ManualClock } from '../src/clock.js';

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Resolves once `condition` holds, checking every 20 ms; fails naming `what` after 20 s. */
async function until(what: string, condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('the broker’s log cleaner', () => {
  it('compacts compacted topics every log.cleaner.backoff.ms, on every replica, and nothing else', async () => {
    const clock = new ManualClock(1_700_000_000_000);
    const backoff = 15_000;
    const cluster: Cluster = await startCluster({
      brokers: 2,
      logLevel: 'error',
      config: { 'log.cleaner.backoff.ms': backoff },
      clock,
    });
    cleanups.push(() => cluster.close());
    const [b1, b2] = [...cluster.metadata.brokers.keys()].sort((a, b) => a - b);
    for (const [name, policy] of [
      ['kv', 'compact'],
      ['events', 'delete'],
    ]) {
      cluster.metadata.createTopic(name, {
        numPartitions: 1,
        replicationFactor: 2,
        assignments: [[b1, b2]],
        configs: { 'cleanup.policy': policy, 'min.cleanable.dirty.ratio': '0.01' },
      });
    }
    const leader = cluster.broker(b1).replicaManager;
    for (const topic of ['kv', 'events']) {
      for (let i = 0; i < 3; i++) {
        const batch = encodeRecordBatch({ timestamp: clock.now(), records: [{ key: 'k', value: `v${i}` }] });
        leader.appendToLeader(topic, 0, batch, clock.now());
      }
    }
    // The follower catches up and learns the high watermark (its next fetch waits up to
    // replica.fetch.wait.max.ms at the leader); then both replicas roll, so the updates are in
    // closed segments below the high watermark.
    const follower = cluster.broker(b2).replicaManager;
    const caughtUp = (rm: typeof leader) =>
      ['kv', 'events'].every((t) => rm.getPartition(t, 0)?.highWatermark === 3);
    await until('the leader has its high watermark at 3', () => caughtUp(leader));
    const fetchWait = 500;
    clock.advance(fetchWait);
    await until('the follower has its high watermark at 3', () => caughtUp(follower));
    for (const rm of [leader, follower])
      for (const t of ['kv', 'events']) rm.getPartition(t, 0)?.log.roll(clock.now());
    const recordsOf = (topic: string, rm = leader) =>
      rm.getPartition(topic, 0)?.log.segments.reduce((n, s) => n + s.size, 0) ?? 0;
    const before = { kv: recordsOf('kv'), events: recordsOf('events') };
    clock.advance(backoff - fetchWait - 1);
    expect(recordsOf('kv')).toBe(before.kv);
    clock.advance(1);
    expect(recordsOf('kv')).toBeLessThan(before.kv);
    expect(recordsOf('kv', follower)).toBeLessThan(before.kv);
    expect(recordsOf('events')).toBe(before.events);
  });
});
