/**
 * Log compaction of a partition log, in memory and on disk: the latest record per key stays at
 * its offset, tombstones go in a second pass after `delete.retention.ms`, the active segment,
 * young segments (`min.compaction.lag.ms`) and open transactions are left alone, aborted
 * transactions go, and a producer's last batch survives empty.
 */
import { copyFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeRecordBatches } from '@tskafka/protocol/internals';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type ActiveProducer,
  type LogConfig,
  LogValidationError,
  logConfig,
  PartitionLog,
  validateRecordBatches,
} from '../src/log/index.js';
import {
  buildBatch,
  parseBatches,
  type TestBatchOptions,
  type TestRecord,
  tempDataDir,
} from './log-batches.js';

const T0 = 1_700_000_000_000;
const DAY = 24 * 60 * 60 * 1000;

const backends = [
  { name: 'memory', disk: false },
  { name: 'disk', disk: true },
] as const;

describe.each(backends)('log cleaner ($name)', ({ disk }) => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const c of cleanups.splice(0).reverse()) c();
  });
  let dir: string | null = null;

  function open(config: Partial<LogConfig> = {}): PartitionLog {
    dir = null;
    if (disk) {
      const tmp = tempDataDir();
      cleanups.push(tmp.cleanup);
      dir = join(tmp.dataDir, 'compacted-0');
    }
    const log = PartitionLog.open({ dir, config: compacted(config), now: T0 });
    cleanups.push(() => log.close());
    return log;
  }

  function compacted(config: Partial<LogConfig>): LogConfig {
    return logConfig({ cleanupPolicy: ['compact'], indexIntervalBytes: 1, ...config });
  }

  function append(log: PartitionLog, records: TestRecord[], options: TestBatchOptions = {}): void {
    log.append(buildBatch(records, options), { leaderEpoch: 0, now: T0 });
  }

  /** Every record of the log as `offset:key=value` (`~` for a tombstone). */
  function contents(log: PartitionLog): string[] {
    const read = log.read(log.logStartOffset, 64 * 1024 * 1024);
    const batches = decodeRecordBatches(Buffer.concat(read.records));
    return batches
      .filter((b) => !b.isControl)
      .flatMap((b) => b.records.map((r) => `${r.offset}:${r.key}=${r.value === null ? '~' : r.value}`));
  }

  function clean(
    log: PartitionLog,
    now = T0,
    extra: { lastStableOffset?: number; producers?: Map<number, ActiveProducer> } = {},
  ) {
    return log.clean({
      now,
      lastStableOffset: extra.lastStableOffset ?? log.logEndOffset,
      activeProducers: extra.producers ?? new Map(),
    });
  }

  it('keeps the latest value of each key at its own offset, leaving gaps; the active segment stays', () => {
    const log = open({ minCleanableDirtyRatio: 0.1 });
    append(log, [
      { key: 'a', value: 'a1' },
      { key: 'b', value: 'b1' },
      { key: 'a', value: 'a2' },
    ]);
    log.roll(T0);
    append(log, [
      { key: 'b', value: 'b2' },
      { key: 'c', value: 'c1' },
    ]);
    log.roll(T0);
    append(log, [{ key: 'a', value: 'a3' }]); // active segment: not cleaned
    const result = clean(log);
    expect(result?.recordsRemoved).toBe(2);
    expect(contents(log)).toEqual(['2:a=a2', '3:b=b2', '4:c=c1', '5:a=a3']);
    expect(log.logEndOffset).toBe(6);
    // Every batch stays a sound v2 batch, with its offsets as they were.
    const read = log.read(0, 1 << 20);
    const batches = parseBatches(Buffer.concat(read.records));
    expect(batches.every((b) => b.crcValid)).toBe(true);
    expect(batches.map((b) => [b.baseOffset, b.lastOffset])).toEqual([
      [0, 2],
      [3, 4],
      [5, 5],
    ]);
    // A fetch from an offset the cleaner removed starts at the next record.
    const fromGap = decodeRecordBatches(Buffer.concat(log.read(1, 1 << 20).records));
    expect(fromGap[0].records.find((r) => r.offset >= 1)?.offset).toBe(2);
    // The next cleaning has nothing dirty left; a new dirty segment makes it due again.
    expect(clean(log)).toBeNull();
    log.roll(T0);
    append(log, [{ key: 'c', value: 'c2' }]);
    log.roll(T0);
    // a3 (now in a closed segment) supersedes a2, c2 supersedes c1.
    expect(clean(log)?.recordsRemoved).toBe(2);
    expect(contents(log)).toEqual(['3:b=b2', '5:a=a3', '6:c=c2']);
  });

  it('removes a tombstone only after delete.retention.ms since the clean that saw it', () => {
    const log = open({ deleteRetentionMs: DAY });
    append(log, [
      { key: 'a', value: 'a1' },
      { key: 'b', value: 'b1' },
    ]);
    append(log, [{ key: 'a', value: null }]);
    log.roll(T0);
    append(log, [{ key: 'z', value: 'z' }]);
    clean(log, T0);
    expect(contents(log)).toEqual(['1:b=b1', '2:a=~', '3:z=z']);
    // Second pass before the horizon: the tombstone stays, and nothing else makes a cleaning due.
    log.roll(T0);
    append(log, [{ key: 'y', value: 'y' }]);
    log.clean({
      now: T0 + DAY - 1,
      lastStableOffset: log.logEndOffset,
      activeProducers: new Map(),
      force: true,
    });
    expect(contents(log)).toContain('2:a=~');
    expect(clean(log, T0 + DAY - 1)).toBeNull();
    // Once the horizon has passed, the quiet log is due again and the tombstone goes.
    expect(clean(log, T0 + DAY)?.recordsRemoved).toBe(1);
    expect(contents(log)).toEqual(['1:b=b1', '3:z=z', '4:y=y']);
    expect(clean(log, T0 + 2 * DAY)).toBeNull();
  });

  it('applies retention only with cleanup.policy compact,delete, never with compact alone', () => {
    for (const [policy, kept] of [
      [['compact'], [0, 1]],
      [['compact', 'delete'], [1]],
    ] as const) {
      const log = open({ cleanupPolicy: policy, retentionMs: DAY });
      append(log, [{ key: 'old', value: 'o', timestamp: T0 }]);
      log.roll(T0);
      append(log, [{ key: 'new', value: 'n', timestamp: T0 + 2 * DAY }]);
      log.applyRetention(T0 + 2 * DAY);
      expect(log.segments.map((s) => s.baseOffset)).toEqual(kept);
    }
  });

  it('respects min.cleanable.dirty.ratio and min.compaction.lag.ms', () => {
    const log = open({ minCleanableDirtyRatio: 0.5, minCompactionLagMs: 60_000 });
    append(log, [{ key: 'a', value: 'a1', timestamp: T0 }]);
    append(log, [{ key: 'a', value: 'a2', timestamp: T0 }]);
    log.roll(T0);
    append(log, [{ key: 'a', value: 'a3', timestamp: T0 + 50_000 }]);
    log.roll(T0);
    append(log, [{ key: 'x', value: 'x', timestamp: T0 + 50_000 }]);
    // At T0 + 30 s nothing is older than the lag.
    expect(clean(log, T0 + 30_000)).toBeNull();
    // At T0 + 70 s only the first segment is old enough; the second keeps its record.
    expect(clean(log, T0 + 70_000)?.firstDirtyOffset).toBe(2);
    expect(contents(log)).toEqual(['1:a=a2', '2:a=a3', '3:x=x']);
    // Dirty ratio: clean bytes now outweigh what little is dirty.
    const range = log.cleanableRange(T0 + 200_000, log.logEndOffset);
    expect(range.firstDirtyOffset).toBe(2);
    expect(range.dirtyRatio).toBeLessThanOrEqual(0.5 + 1e-9);
  });

  it('drops aborted transactions, keeps the open one, and keeps an active producer’s last batch empty', () => {
    const log = open();
    const pid = 7;
    const txn = { producerId: pid, producerEpoch: 0, transactional: true };
    append(log, [{ key: 'k', value: 'aborted' }], { ...txn, baseSequence: 0 });
    const abortAt = log.logEndOffset;
    // The ABORT marker: control key version 0, type 0; value version 0, coordinator epoch 0.
    append(log, [{ key: '\0\0\0\0', value: '\0'.repeat(6) }], { ...txn, control: true, baseSequence: -1 });
    log.appendAbortedTxn({
      producerId: pid,
      firstOffset: 0,
      lastOffset: abortAt,
      lastStableOffset: abortAt + 1,
    });
    append(log, [{ key: 'k', value: 'v1' }], { producerId: 9, producerEpoch: 0, baseSequence: 0 });
    append(log, [{ key: 'k', value: 'v2' }], { producerId: 9, producerEpoch: 0, baseSequence: 1 });
    log.roll(T0);
    append(log, [{ key: 'open', value: 'txn' }], {
      producerId: 11,
      producerEpoch: 0,
      baseSequence: 0,
      transactional: true,
    });
    const producers = new Map<number, ActiveProducer>([[9, { producerEpoch: 0, lastDataOffset: 2 }]]);
    clean(log, T0, { lastStableOffset: 4, producers });
    expect(contents(log)).toEqual(['3:k=v2', '4:open=txn']);
    const batches = decodeRecordBatches(Buffer.concat(log.read(0, 1 << 20).records));
    // Producer 9's batch at offset 2 lost its record but stays, empty, with its sequence.
    const empty = batches.find((b) => b.baseOffset === 2);
    expect(empty?.records).toEqual([]);
    expect(empty?.producerId).toBe(9);
    expect(empty?.baseSequence).toBe(0);
  });
});

describe('log cleaner on disk', () => {
  it('comes back after a restart as it was cleaned', () => {
    const tmp = tempDataDir();
    try {
      const dir = join(tmp.dataDir, 'compacted-0');
      const config = logConfig({ cleanupPolicy: ['compact'], indexIntervalBytes: 1 });
      const log = PartitionLog.open({ dir, config, now: T0 });
      log.append(
        buildBatch([
          { key: 'a', value: 'a1' },
          { key: 'a', value: 'a2' },
        ]),
        { leaderEpoch: 0, now: T0 },
      );
      log.roll(T0);
      log.append(buildBatch([{ key: 'b', value: 'b1' }]), { leaderEpoch: 0, now: T0 });
      log.clean({ now: T0, lastStableOffset: log.logEndOffset, activeProducers: new Map() });
      const before = log.read(0, 1 << 20).records;
      const beforeBytes = Buffer.concat(before);
      log.close();
      const reopened = PartitionLog.open({ dir, config, now: T0 });
      expect(Buffer.concat(reopened.read(0, 1 << 20).records)).toEqual(beforeBytes);
      expect(reopened.segments.map((s) => s.baseOffset)).toEqual([0, 2]);
      expect(reopened.read(0, 1 << 20).nextOffset).toBe(3);
      reopened.close();
    } finally {
      tmp.cleanup();
    }
  });
});

describe('produce to a compacted topic', () => {
  it('refuses a record without a key with INVALID_RECORD, as Kafka does, compressed or not', () => {
    for (const gzip of [false, true]) {
      const batch = buildBatch(
        [
          { key: 'k', value: 'v' },
          { key: null, value: 'v' },
        ],
        { gzip },
      );
      const check = () => validateRecordBatches(batch, { maxMessageBytes: 1 << 20, compacted: true });
      expect(check).toThrow(LogValidationError);
      expect(check).toThrow('record 1: Compacted topic cannot accept message without key');
      expect(validateRecordBatches(batch, { maxMessageBytes: 1 << 20 })).toHaveLength(1);
    }
  });
});

describe('log cleaner: a crash during the swap', () => {
  const config = logConfig({ cleanupPolicy: ['compact'], indexIntervalBytes: 1 });
  /** A log in `dir` with two closed segments of updates to one key and an active one. */
  function build(dir: string): PartitionLog {
    const log = PartitionLog.open({ dir, config, now: T0 });
    for (const value of ['v0', 'v1'])
      log.append(buildBatch([{ key: 'k', value }]), { leaderEpoch: 0, now: T0 });
    log.roll(T0);
    for (const value of ['v2', 'v3'])
      log.append(buildBatch([{ key: 'k', value }]), { leaderEpoch: 0, now: T0 });
    log.roll(T0);
    log.append(buildBatch([{ key: 'other', value: 'x' }]), { leaderEpoch: 0, now: T0 });
    return log;
  }
  const bytesOf = (log: PartitionLog) => Buffer.concat(log.read(0, 1 << 20).records);

  it('finishes a committed swap (.log.swap present) at load, and drops an uncommitted one', () => {
    const tmp = tempDataDir();
    try {
      // The cleaned result, made by a cleaning that ran to its end.
      const doneDir = join(tmp.dataDir, 'done-0');
      const done = build(doneDir);
      done.clean({ now: T0, lastStableOffset: done.logEndOffset, activeProducers: new Map() });
      const expected = bytesOf(done);
      done.close();

      // Crash after the commit point: the old segments are still there, next to the swap files.
      const crashDir = join(tmp.dataDir, 'crash-0');
      build(crashDir).close();
      for (const name of readdirSync(doneDir).filter((n) => n.startsWith('00000000000000000000.'))) {
        copyFileSync(join(doneDir, name), join(crashDir, `${name}.swap`));
      }
      writeFileSync(join(crashDir, 'cleaner-swap'), '0 4\n');
      const recovered = PartitionLog.open({ dir: crashDir, config, now: T0 });
      expect(bytesOf(recovered)).toEqual(expected);
      expect(recovered.segments.map((s) => s.baseOffset)).toEqual([0, 4]);
      expect(readdirSync(crashDir).filter((n) => n.endsWith('.swap') || n === 'cleaner-swap')).toEqual([]);
      recovered.close();

      // Crash before it: only .cleaned files; the old segments stay as they were.
      const earlyDir = join(tmp.dataDir, 'early-0');
      const early = build(earlyDir);
      const before = bytesOf(early);
      early.close();
      for (const name of readdirSync(doneDir).filter((n) => n.startsWith('00000000000000000000.'))) {
        copyFileSync(join(doneDir, name), join(earlyDir, `${name}.cleaned`));
      }
      const reopened = PartitionLog.open({ dir: earlyDir, config, now: T0 });
      expect(bytesOf(reopened)).toEqual(before);
      expect(readdirSync(earlyDir).filter((n) => n.endsWith('.cleaned'))).toEqual([]);
      reopened.close();
    } finally {
      tmp.cleanup();
    }
  });
});
