/**
 * What transactions leave in a data partition: producer state (open transactions, fencing of
 * markers), the control batches written as COMMIT/ABORT markers, the last stable offset, and the
 * aborted transaction index (`.txnindex`) in memory and on disk, through restart, recovery and
 * retention.
 */
import { appendFileSync, existsSync, readFileSync, rmSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode } from '@tskafka/protocol';
import { decodeRecordBatches, encodeRecordBatch } from '@tskafka/protocol/internals';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../src/api-error.js';
import {
  type AbortedTxn,
  decodeAbortedTxns,
  encodeAbortedTxns,
  type LogConfig,
  logConfig,
  MemoryLogDirectory,
  PartitionLog,
  TransactionIndex,
} from '../src/log/index.js';
import { Partition } from '../src/partition.js';
import { tempDataDir } from './log-batches.js';

const T0 = 1_700_000_000_000;
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

function open(dir: string | null, config: Partial<LogConfig> = {}): Partition {
  const cfg = logConfig(config);
  const p = new Partition('orders', 0, PartitionLog.open({ dir, config: cfg, now: T0 }), cfg);
  cleanups.push(() => p.log.close());
  return p;
}

function diskDir(): string {
  const tmp = tempDataDir();
  cleanups.push(tmp.cleanup);
  return join(tmp.dataDir, 'orders-0');
}

/** A batch of `n` records from producer `pid` (transactional unless said otherwise). */
function batch(pid: number, epoch: number, seq: number, n: number, transactional = true): Buffer {
  return encodeRecordBatch({
    producerId: pid,
    producerEpoch: epoch,
    baseSequence: seq,
    isTransactional: transactional,
    timestamp: T0,
    records: Array.from({ length: n }, (_, i) => ({ value: `p${pid}-${seq + i}` })),
  });
}

const plain = (n: number) =>
  encodeRecordBatch({ timestamp: T0, records: Array.from({ length: n }, (_, i) => ({ value: `x${i}` })) });

function marker(pid: number, epoch: number, committed: boolean, coordinatorEpoch = 0) {
  return { producerId: pid, producerEpoch: epoch, coordinatorEpoch, committed };
}

function errorOf(f: () => unknown): number | null {
  try {
    f();
    return null;
  } catch (e) {
    if (e instanceof ApiError) return e.code;
    throw e;
  }
}

describe('transactions in a partition', () => {
  it('a transactional batch opens a transaction at its first offset, which holds the LSO until its marker', () => {
    const p = open(null);
    p.appendAsLeader(plain(2), T0); // 0-1
    expect(p.lastStableOffset).toBe(2);
    p.appendAsLeader(batch(10, 0, 0, 3), T0); // 2-4
    p.appendAsLeader(batch(11, 0, 0, 2), T0); // 5-6
    p.appendAsLeader(batch(10, 0, 3, 1), T0); // 7: same transaction, stays open at 2
    expect(p.producerState.ongoingTxns).toEqual(
      new Map([
        [10, 2],
        [11, 5],
      ]),
    );
    expect(p.highWatermark).toBe(8);
    expect(p.lastStableOffset).toBe(2);

    expect(p.appendTxnMarker(marker(10, 0, true), T0)).toBe(8);
    expect(p.lastStableOffset).toBe(5);
    expect(p.appendTxnMarker(marker(11, 0, false), T0)).toBe(9);
    expect(p.lastStableOffset).toBe(10);
    expect(p.highWatermark).toBe(10);
    expect(p.producerState.ongoingTxns.size).toBe(0);
    // Only the aborted transaction is indexed; its LSO after the abort is the offset after its marker.
    expect(p.collectAbortedTransactions(0, 10)).toEqual([
      { producerId: 11, firstOffset: 5, lastOffset: 9, lastStableOffset: 10 },
    ]);
  });

  it('writes markers as Kafka does: a transactional control batch, no sequence, one COMMIT/ABORT record', () => {
    const p = open(null);
    p.appendAsLeader(batch(42, 3, 0, 1), T0);
    p.leaderEpoch = 5;
    p.appendTxnMarker(marker(42, 3, false, 17), T0 + 1);
    const [b] = decodeRecordBatches(Buffer.concat(p.log.read(1, 1 << 20).records));
    expect(b).toMatchObject({
      baseOffset: 1,
      isControl: true,
      isTransactional: true,
      producerId: 42,
      producerEpoch: 3,
      baseSequence: -1,
      partitionLeaderEpoch: 5,
    });
    expect(b.records).toHaveLength(1);
    // Key: version 0, type 0 (ABORT). Value: version 0, coordinator epoch 17.
    expect(Buffer.from(b.records[0].key as Uint8Array).toString('hex')).toBe('00000000');
    expect(Buffer.from(b.records[0].value as Uint8Array).toString('hex')).toBe('000000000011');
  });

  it('refuses a marker older than the producer epoch or from an older coordinator, writing nothing', () => {
    const p = open(null);
    p.appendAsLeader(batch(7, 2, 0, 1), T0);
    expect(errorOf(() => p.appendTxnMarker(marker(7, 1, true, 4), T0))).toBe(
      ErrorCode.INVALID_PRODUCER_EPOCH,
    );
    expect(p.logEndOffset).toBe(1);
    p.appendTxnMarker(marker(7, 2, true, 4), T0);
    p.appendAsLeader(batch(7, 2, 1, 1), T0);
    expect(errorOf(() => p.appendTxnMarker(marker(7, 2, false, 3), T0))).toBe(
      ErrorCode.TRANSACTION_COORDINATOR_FENCED,
    );
    expect(p.logEndOffset).toBe(3);
    expect(p.lastStableOffset).toBe(2);
  });

  it('a coordinator aborting with a bumped epoch fences the old producer', () => {
    const p = open(null);
    p.appendAsLeader(batch(7, 1, 0, 2), T0);
    p.appendTxnMarker(marker(7, 2, false), T0);
    expect(p.lastStableOffset).toBe(3);
    expect(errorOf(() => p.appendAsLeader(batch(7, 1, 2, 1), T0))).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
    // The producer with the new epoch starts again at sequence 0.
    expect(p.appendAsLeader(batch(7, 2, 0, 1), T0).baseOffset).toBe(3);
  });

  it('refuses a non-transactional write from a producer whose transaction is open', () => {
    const p = open(null);
    p.appendAsLeader(batch(5, 0, 0, 1), T0);
    expect(errorOf(() => p.appendAsLeader(batch(5, 0, 1, 1, false), T0))).toBe(ErrorCode.INVALID_TXN_STATE);
  });

  it('a marker of a transaction that wrote nothing here changes neither the LSO nor the index', () => {
    const p = open(null);
    p.appendAsLeader(batch(1, 0, 0, 1), T0); // 0, open
    p.appendTxnMarker(marker(2, 0, false), T0); // 1: producer 2 wrote nothing
    expect(p.lastStableOffset).toBe(0);
    expect(p.collectAbortedTransactions(0, 2)).toEqual([]);
    p.appendTxnMarker(marker(1, 0, false), T0); // 2
    // Producer 1's abort sees no other open transaction: LSO after it is 3.
    expect(p.collectAbortedTransactions(0, 3)).toEqual([
      { producerId: 1, firstOffset: 0, lastOffset: 2, lastStableOffset: 3 },
    ]);
  });

  it('an aborted entry records the earliest other open transaction as its LSO', () => {
    const p = open(null);
    p.appendAsLeader(batch(1, 0, 0, 1), T0); // 0
    p.appendAsLeader(batch(2, 0, 0, 1), T0); // 1
    p.appendTxnMarker(marker(2, 0, false), T0); // 2
    expect(p.collectAbortedTransactions(0, 3)).toEqual([
      { producerId: 2, firstOffset: 1, lastOffset: 2, lastStableOffset: 0 },
    ]);
    expect(p.lastStableOffset).toBe(0);
  });
});

describe('aborted transaction index', () => {
  const entries: AbortedTxn[] = [
    { producerId: 7, firstOffset: 5, lastOffset: 9, lastStableOffset: 10 },
    { producerId: 2 ** 40, firstOffset: 11, lastOffset: 20, lastStableOffset: 21 },
  ];

  it('encodes Kafka entries: version int16 0, producerId, firstOffset, lastOffset, lastStableOffset', () => {
    const bytes = encodeAbortedTxns(entries.slice(0, 1));
    expect(bytes.toString('hex')).toBe(
      `0000${'0000000000000007'}${'0000000000000005'}${'0000000000000009'}${'000000000000000a'}`,
    );
    expect(decodeAbortedTxns(encodeAbortedTxns(entries))).toEqual(entries);
    // A torn last entry is not an entry.
    expect(decodeAbortedTxns(encodeAbortedTxns(entries).subarray(0, 50))).toEqual(entries.slice(0, 1));
  });

  it('collects the entries overlapping [fetchOffset, upperBound) and says when the search is complete', () => {
    const index = new TransactionIndex(new MemoryLogDirectory(), 'x.txnindex', false);
    index.append({ producerId: 1, firstOffset: 0, lastOffset: 3, lastStableOffset: 4 });
    index.append({ producerId: 2, firstOffset: 2, lastOffset: 8, lastStableOffset: 6 });
    index.append({ producerId: 3, firstOffset: 6, lastOffset: 10, lastStableOffset: 11 });
    const ids = (from: number, to: number) => {
      const r = index.collectAbortedTxns(from, to);
      return { ids: r.abortedTransactions.map((a) => a.producerId), complete: r.isComplete };
    };
    expect(ids(0, 2)).toEqual({ ids: [1], complete: true }); // LSO 4 ≥ 2: later aborts began after
    expect(ids(4, 6)).toEqual({ ids: [2], complete: true }); // 1 ended before 4; 3 begins at 6
    expect(ids(9, 12)).toEqual({ ids: [3], complete: false }); // may continue in the next segment
    expect(() =>
      index.append({ producerId: 4, firstOffset: 0, lastOffset: 10, lastStableOffset: 11 }),
    ).toThrow();
  });

  it('finds an aborted transaction whose marker is in a later segment', () => {
    const p = open(null, { segmentBytes: 200 });
    p.appendAsLeader(batch(9, 0, 0, 1), T0); // 0
    for (let i = 0; i < 4; i++) p.appendAsLeader(plain(1), T0);
    p.appendTxnMarker(marker(9, 0, false), T0);
    expect(p.log.segments.length).toBeGreaterThan(1);
    expect(p.log.segments[0].baseOffset).toBe(0);
    expect(p.collectAbortedTransactions(0, 1)).toEqual([
      { producerId: 9, firstOffset: 0, lastOffset: 5, lastStableOffset: 6 },
    ]);
  });

  it('is a .txnindex file next to its segment, and a restart restores open transactions and aborts', () => {
    const dir = diskDir();
    const p = open(dir);
    p.appendAsLeader(batch(1, 0, 0, 2), T0); // 0-1
    p.appendAsLeader(batch(2, 0, 0, 1), T0); // 2
    p.appendTxnMarker(marker(1, 0, false), T0); // 3
    p.appendAsLeader(batch(3, 0, 0, 1), T0); // 4, stays open
    const file = join(dir, '00000000000000000000.txnindex');
    expect(readFileSync(file)).toEqual(
      encodeAbortedTxns([{ producerId: 1, firstOffset: 0, lastOffset: 3, lastStableOffset: 2 }]),
    );
    expect(p.lastStableOffset).toBe(2);
    p.log.close();

    const again = open(dir);
    expect(again.producerState.ongoingTxns).toEqual(
      new Map([
        [2, 2],
        [3, 4],
      ]),
    );
    expect(again.lastStableOffset).toBe(2);
    expect(again.collectAbortedTransactions(0, 5)).toEqual([
      { producerId: 1, firstOffset: 0, lastOffset: 3, lastStableOffset: 2 },
    ]);
    // The restored state goes on: producer 2 commits, producer 3 aborts.
    again.appendTxnMarker(marker(2, 0, true), T0);
    again.appendTxnMarker(marker(3, 0, false), T0);
    expect(again.lastStableOffset).toBe(7);
    expect(again.collectAbortedTransactions(0, 7).map((a) => a.producerId)).toEqual([1, 3]);
  });

  it('recovery rebuilds a missing or torn .txnindex from the markers in the log', () => {
    const dir = diskDir();
    const p = open(dir);
    p.appendAsLeader(batch(1, 0, 0, 1), T0);
    p.appendTxnMarker(marker(1, 0, false), T0);
    p.appendAsLeader(batch(2, 0, 0, 1), T0);
    p.appendTxnMarker(marker(2, 0, false), T0);
    p.log.close();
    const file = join(dir, '00000000000000000000.txnindex');
    const good = readFileSync(file);
    expect(good.length).toBe(68);

    rmSync(file);
    open(dir).log.close();
    expect(readFileSync(file)).toEqual(good);

    appendFileSync(file, Buffer.from([0, 0, 0, 0, 0, 1, 2])); // a torn write
    const torn = open(dir);
    expect(readFileSync(file)).toEqual(good);
    expect(torn.collectAbortedTransactions(0, 4).map((a) => a.producerId)).toEqual([1, 2]);
  });

  it('after a crash tore the last marker, its entry goes and its transaction is open again', () => {
    const dir = diskDir();
    const p = open(dir);
    p.appendAsLeader(batch(1, 0, 0, 1), T0); // 0
    p.appendTxnMarker(marker(1, 0, false), T0); // 1
    p.appendAsLeader(batch(2, 0, 0, 1), T0); // 2
    p.appendTxnMarker(marker(2, 0, false), T0); // 3
    p.log.close();
    const log = join(dir, '00000000000000000000.log');
    truncateSync(log, statSync(log).size - 5);

    const again = open(dir);
    expect(again.logEndOffset).toBe(3);
    expect(again.lastStableOffset).toBe(2);
    expect(again.collectAbortedTransactions(0, 3).map((a) => a.producerId)).toEqual([1]);
    expect(statSync(join(dir, '00000000000000000000.txnindex')).size).toBe(34);
  });

  it('a segment without aborted transactions has no .txnindex; retention deletes it with its segment', () => {
    const dir = diskDir();
    const p = open(dir, { segmentBytes: 200, retentionBytes: 1 });
    p.appendAsLeader(plain(1), T0);
    expect(existsSync(join(dir, '00000000000000000000.txnindex'))).toBe(false);
    p.appendAsLeader(batch(1, 0, 0, 1), T0); // 1
    p.appendTxnMarker(marker(1, 0, false), T0); // 2
    const first = join(
      dir,
      `${String(p.log.segments[p.log.segments.length - 1].baseOffset).padStart(20, '0')}.txnindex`,
    );
    expect(statSync(first).size).toBe(34);
    for (let i = 0; i < 6; i++) p.appendAsLeader(plain(1), T0);
    p.log.applyRetention(T0);
    expect(p.logStartOffset).toBeGreaterThan(2);
    expect(existsSync(first)).toBe(false);
    expect(p.collectAbortedTransactions(p.logStartOffset, p.logEndOffset)).toEqual([]);
  });
});
