/**
 * OffsetForLeaderEpoch's lookup, without a network: the leader epoch cache's end offset of an
 * epoch (Kafka's `LeaderEpochFileCache.endOffsetFor`) and a replica's checks before it answers
 * (Kafka's `Partition.lastOffsetForLeaderEpoch`: the client's current epoch, then leadership).
 */
import { ErrorCode } from '@tskafka/protocol';
import { encodeRecordBatch } from '@tskafka/protocol/internals';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../src/api-error.js';
import { logConfig, MemoryLogDirectory, PartitionLog } from '../src/log/index.js';
import { LeaderEpochCache } from '../src/log/leader-epoch.js';
import { Partition } from '../src/partition.js';

const T0 = 1_700_000_000_000;
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

/** A cache holding epochs 2 from offset 10, 4 from 20 and 5 from 30. */
function cache(): LeaderEpochCache {
  const c = new LeaderEpochCache(new MemoryLogDirectory());
  c.assign(2, 10);
  c.assign(4, 20);
  c.assign(5, 30);
  return c;
}

describe('leader epoch cache: end offset of an epoch', () => {
  const LEO = 42;

  it('the latest epoch ends at the log end offset', () => {
    expect(cache().endOffsetFor(5, LEO)).toEqual({ leaderEpoch: 5, endOffset: LEO });
  });

  it('a known older epoch ends where the next one starts', () => {
    expect(cache().endOffsetFor(2, LEO)).toEqual({ leaderEpoch: 2, endOffset: 20 });
    expect(cache().endOffsetFor(4, LEO)).toEqual({ leaderEpoch: 4, endOffset: 30 });
  });

  it('an epoch in a gap answers the largest epoch below it, ending where the next starts', () => {
    expect(cache().endOffsetFor(3, LEO)).toEqual({ leaderEpoch: 2, endOffset: 20 });
  });

  it('an epoch older than the first answers itself with the start of the first, as Kafka does', () => {
    // Kafka: the data before is gone; the follower replicates from the leader's first epoch.
    expect(cache().endOffsetFor(1, LEO)).toEqual({ leaderEpoch: 1, endOffset: 10 });
  });

  it('is undefined (-1, -1) for an epoch above the latest, for -1, and on an empty cache', () => {
    expect(cache().endOffsetFor(6, LEO)).toEqual({ leaderEpoch: -1, endOffset: -1 });
    expect(cache().endOffsetFor(-1, LEO)).toEqual({ leaderEpoch: -1, endOffset: -1 });
    const empty = new LeaderEpochCache(new MemoryLogDirectory());
    expect(empty.endOffsetFor(0, 0)).toEqual({ leaderEpoch: -1, endOffset: -1 });
  });

  it('after the log end was truncated, the new latest epoch ends at the new log end offset', () => {
    const c = cache();
    c.truncateFromEnd(25);
    expect(c.endOffsetFor(4, 25)).toEqual({ leaderEpoch: 4, endOffset: 25 });
    expect(c.endOffsetFor(5, 25)).toEqual({ leaderEpoch: -1, endOffset: -1 });
  });
});

describe('replica: lastOffsetForLeaderEpoch', () => {
  /** A replica of a three-replica partition that led epoch 0 (5 records) and leads epoch 2 (3). */
  function leader(): Partition {
    const cfg = logConfig({});
    const p = new Partition('t', 0, PartitionLog.open({ dir: null, config: cfg, now: T0 }), cfg);
    cleanups.push(() => p.log.close());
    p.localBrokerId = 1;
    const batch = (n: number) =>
      encodeRecordBatch({ timestamp: T0, records: Array.from({ length: n }, () => ({ value: 'v' })) });
    const assignment = { leader: 1, partitionEpoch: 0, replicas: [1, 2, 3], isr: [1] };
    p.makeLeader({ ...assignment, leaderEpoch: 0 }, T0);
    p.appendAsLeader(batch(5), T0);
    p.makeLeader({ ...assignment, leaderEpoch: 2 }, T0);
    p.appendAsLeader(batch(3), T0);
    return p;
  }

  const codeOf = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      if (e instanceof ApiError) return e.code;
      throw e;
    }
    return ErrorCode.NONE;
  };

  it('answers from the cache, with or without the current epoch', () => {
    const p = leader();
    expect(p.lastOffsetForLeaderEpoch(2, 0)).toEqual({ leaderEpoch: 0, endOffset: 5 });
    expect(p.lastOffsetForLeaderEpoch(-1, 1)).toEqual({ leaderEpoch: 0, endOffset: 5 });
    expect(p.lastOffsetForLeaderEpoch(-1, 2)).toEqual({ leaderEpoch: 2, endOffset: 8 });
  });

  it('fences an older current epoch and does not know a newer one', () => {
    const p = leader();
    expect(codeOf(() => p.lastOffsetForLeaderEpoch(1, 0))).toBe(ErrorCode.FENCED_LEADER_EPOCH);
    expect(codeOf(() => p.lastOffsetForLeaderEpoch(3, 0))).toBe(ErrorCode.UNKNOWN_LEADER_EPOCH);
  });

  it('a follower answers NOT_LEADER_OR_FOLLOWER, after the epoch check', () => {
    const p = leader();
    p.makeFollower({ leader: 2, leaderEpoch: 3, partitionEpoch: 1, replicas: [1, 2, 3], isr: [1, 2] });
    expect(codeOf(() => p.lastOffsetForLeaderEpoch(3, 0))).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    expect(codeOf(() => p.lastOffsetForLeaderEpoch(2, 0))).toBe(ErrorCode.FENCED_LEADER_EPOCH);
  });
});
