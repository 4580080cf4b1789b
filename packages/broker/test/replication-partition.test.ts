/**
 * The replication rules of one partition, driven by hand with a manual clock: the leader's high
 * watermark is the smallest log end offset in the ISR, a follower joins the ISR once it reached
 * the high watermark and this epoch's start, leaves it after `replica.lag.time.max.ms` without
 * catching up; a follower appends the leader's batches as they are (offsets, epochs, producer
 * state) and cuts its log where it diverged.
 */
import { encodeRecordBatch } from '@tskafka/protocol/internals';
import { afterEach, describe, expect, it } from 'vitest';
import { logConfig, PartitionLog } from '../src/log/index.js';
import { Partition, type ReplicaAssignment } from '../src/partition.js';

const T0 = 1_700_000_000_000;
const LAG = 30_000;
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

function replica(nodeId: number): Partition {
  const cfg = logConfig({});
  const p = new Partition('orders', 0, PartitionLog.open({ dir: null, config: cfg, now: T0 }), cfg);
  p.localBrokerId = nodeId;
  cleanups.push(() => p.log.close());
  return p;
}

function state(leader: number, leaderEpoch: number, isr: number[]): ReplicaAssignment {
  return { leader, leaderEpoch, partitionEpoch: 0, replicas: [1, 2, 3], isr };
}

const records = (n: number, from = 0) =>
  encodeRecordBatch({
    timestamp: T0,
    records: Array.from({ length: n }, (_, i) => ({ value: `v${from + i}` })),
  });

/** What the leader's log holds from `offset`, as a follower's fetch would get it. */
function fetchFrom(leader: Partition, offset: number): Buffer {
  return Buffer.concat(leader.log.read(offset, 1 << 20).records);
}

describe('leader: high watermark and ISR', () => {
  it('a lone replica commits on append; with followers the high watermark waits for the ISR', () => {
    const alone = replica(1);
    alone.makeLeader({ ...state(1, 0, [1]), replicas: [1] }, T0);
    alone.appendAsLeader(records(3), T0);
    expect(alone.highWatermark).toBe(3);

    const leader = replica(1);
    leader.makeLeader(state(1, 0, [1, 2, 3]), T0);
    leader.appendAsLeader(records(5), T0);
    expect(leader.logEndOffset).toBe(5);
    expect(leader.highWatermark).toBe(0);
    expect(leader.recordFollowerFetch(2, 5, T0 + 1).highWatermarkChanged).toBe(false);
    expect(leader.highWatermark).toBe(0); // follower 3 has not fetched yet
    expect(leader.recordFollowerFetch(3, 2, T0 + 1)).toEqual({ highWatermarkChanged: true, expandIsr: null });
    expect(leader.highWatermark).toBe(2);
    leader.recordFollowerFetch(3, 5, T0 + 2);
    expect(leader.highWatermark).toBe(5);
    // It never goes down, whatever a follower reports.
    leader.recordFollowerFetch(3, 1, T0 + 3);
    expect(leader.highWatermark).toBe(5);
  });

  it('a follower out of the ISR joins once it reached the high watermark; only ISR members hold it back', () => {
    const leader = replica(1);
    leader.makeLeader(state(1, 0, [1, 2]), T0);
    leader.appendAsLeader(records(4), T0);
    leader.recordFollowerFetch(2, 4, T0);
    expect(leader.highWatermark).toBe(4); // follower 3 is not in the ISR and does not count
    expect(leader.recordFollowerFetch(3, 3, T0).expandIsr).toBeNull();
    expect(leader.recordFollowerFetch(3, 4, T0).expandIsr).toEqual([1, 2, 3]);
  });

  it('a new leader waits for followers to pass the start of its epoch before adding them', () => {
    const leader = replica(1);
    leader.makeLeader(state(1, 0, [1]), T0);
    leader.appendAsLeader(records(6), T0);
    leader.makeLeader(state(1, 1, [1]), T0); // epoch 1 starts at offset 6
    expect(leader.highWatermark).toBe(6);
    expect(leader.log.endOffsetForEpoch(0)).toEqual({ leaderEpoch: 0, endOffset: 6 });
    expect(leader.recordFollowerFetch(2, 5, T0).expandIsr).toBeNull();
    expect(leader.recordFollowerFetch(2, 6, T0).expandIsr).toEqual([1, 2]);
  });

  it('shrinks the ISR by followers not caught up for replica.lag.time.max.ms', () => {
    const leader = replica(1);
    leader.makeLeader(state(1, 0, [1, 2, 3]), T0);
    expect(leader.isrAfterShrink(T0 + LAG, LAG)).toBeNull(); // both get the lag time from becoming leader
    leader.appendAsLeader(records(2), T0 + 1000);
    // Follower 2 keeps fetching the leader's end; follower 3 fetches but never catches up.
    for (let t = T0 + 1000; t <= T0 + LAG + 2000; t += 500) {
      leader.appendAsLeader(records(1), t);
      leader.recordFollowerFetch(2, leader.logEndOffset, t);
      leader.recordFollowerFetch(3, 0, t);
    }
    expect(leader.isrAfterShrink(T0 + LAG + 2000, LAG)).toEqual([1, 2]);
    // A follower that reaches what the leader had at its previous fetch counts as caught up then.
    const l2 = replica(1);
    l2.makeLeader(state(1, 0, [1, 2]), T0);
    l2.appendAsLeader(records(1), T0);
    l2.recordFollowerFetch(2, 0, T0 + 10_000); // leader end 1 at that fetch
    l2.appendAsLeader(records(1), T0 + 20_000);
    l2.recordFollowerFetch(2, 1, T0 + 40_000); // reached 1: caught up as of T0 + 10 s
    expect(l2.followerState(2)?.lastCaughtUpTimeMs).toBe(T0 + 10_000);
    expect(l2.isrAfterShrink(T0 + 40_000, LAG)).toBeNull();
    expect(l2.isrAfterShrink(T0 + 40_001, LAG)).toEqual([1]);
  });
});

describe('follower: append, high watermark, truncation', () => {
  it('appends the leader batches with their offsets, epochs and producer state', () => {
    const leader = replica(1);
    leader.makeLeader(state(1, 3, [1, 2]), T0);
    leader.appendAsLeader(records(2), T0);
    const idempotent = () =>
      encodeRecordBatch({
        producerId: 7,
        producerEpoch: 0,
        baseSequence: 0,
        timestamp: T0,
        records: [{ value: 'a' }, { value: 'b' }],
      });
    leader.appendAsLeader(idempotent(), T0);
    const follower = replica(2);
    follower.makeFollower(state(1, 3, [1, 2]));
    follower.appendAsFollower(fetchFrom(leader, 0), T0);
    expect(follower.logEndOffset).toBe(4);
    expect(follower.log.latestEpoch).toBe(3);
    expect(fetchFrom(follower, 0).equals(fetchFrom(leader, 0))).toBe(true);
    follower.updateFollowerHighWatermark(10);
    expect(follower.highWatermark).toBe(4); // bounded by its own log end
    follower.updateFollowerHighWatermark(3);
    expect(follower.highWatermark).toBe(3);
    // Taking over, it knows the idempotent producer: a retry of its batch is a duplicate.
    follower.makeLeader(state(2, 4, [2]), T0);
    expect(follower.appendAsLeader(idempotent(), T0)).toMatchObject({ duplicate: true, baseOffset: 2 });
  });

  it('truncates where its log diverged and keeps what both logs share', () => {
    const oldLeader = replica(1);
    oldLeader.makeLeader(state(1, 0, [1, 2]), T0);
    oldLeader.appendAsLeader(records(5), T0);
    const follower = replica(2);
    follower.makeFollower(state(1, 0, [1, 2]));
    follower.appendAsFollower(fetchFrom(oldLeader, 0), T0);
    oldLeader.appendAsLeader(records(3, 5), T0); // never replicated
    // Broker 2 takes over in epoch 1 and writes other records at 5.
    follower.makeLeader(state(2, 1, [2]), T0);
    follower.appendAsLeader(records(2, 100), T0);
    const diverging = follower.log.endOffsetForEpoch(oldLeader.log.latestEpoch);
    expect(diverging).toEqual({ leaderEpoch: 0, endOffset: 5 });
    oldLeader.makeFollower(state(2, 1, [2]));
    expect(oldLeader.truncateTo(diverging.endOffset, T0)).toBe(true);
    expect(oldLeader.logEndOffset).toBe(5);
    oldLeader.appendAsFollower(fetchFrom(follower, 5), T0);
    expect(fetchFrom(oldLeader, 0).equals(fetchFrom(follower, 0))).toBe(true);
  });
});
