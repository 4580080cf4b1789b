/**
 * The partition log, run twice: in memory and on disk. Reopen and recovery tests, which only
 * make sense on disk, are in log-recovery.test.ts.
 */
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type LogConfig,
  LogError,
  logConfig,
  logConfigFromTopicConfig,
  OffsetOutOfRangeError,
  PartitionLog,
  type PartitionLogOptions,
} from '../src/log/index.js';
import { buildBatch, parseBatches, simpleBatch, tempDataDir } from './log-batches.js';

const T0 = 1_700_000_000_000;

const backends = [
  { name: 'memory', disk: false },
  { name: 'disk', disk: true },
] as const;

describe.each(backends)('PartitionLog ($name)', ({ disk }) => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const c of cleanups.splice(0)) c();
  });

  function open(config: Partial<LogConfig> = {}, extra: Partial<PartitionLogOptions> = {}): PartitionLog {
    let dir: string | null = null;
    if (disk) {
      const tmp = tempDataDir();
      cleanups.push(tmp.cleanup);
      dir = join(tmp.dataDir, 'orders-0');
    }
    const log = PartitionLog.open({ dir, config: logConfig(config), now: T0, ...extra });
    cleanups.unshift(() => log.close());
    return log;
  }

  function readAll(log: PartitionLog, from = log.logStartOffset): Buffer {
    const chunks: Buffer[] = [];
    let offset = from;
    while (offset < log.logEndOffset) {
      const r = log.read(offset, 1 << 20);
      if (r.sizeInBytes === 0) break;
      chunks.push(...r.records);
      offset = r.nextOffset;
    }
    return Buffer.concat(chunks);
  }

  it('starts empty at offset 0 and reads nothing at the log end offset', () => {
    const log = open();
    expect(log.logStartOffset).toBe(0);
    expect(log.logEndOffset).toBe(0);
    expect(log.read(0, 1000)).toMatchObject({ records: [], sizeInBytes: 0, nextOffset: 0 });
    expect(log.segments).toHaveLength(1);
  });

  it('assigns offsets and the leader epoch in place, keeping the CRC valid', () => {
    const log = open();
    const a = log.append(simpleBatch(3), { leaderEpoch: 5, now: T0 });
    const b = log.append(simpleBatch(2), { leaderEpoch: 5, now: T0 });
    expect(a).toMatchObject({ firstOffset: 0, lastOffset: 2, logAppendTime: -1, logStartOffset: 0 });
    expect(b).toMatchObject({
      firstOffset: 3,
      lastOffset: 4,
      maxTimestamp: T0 + 1,
      shallowOffsetOfMaxTimestamp: 4,
    });
    expect(log.logEndOffset).toBe(5);
    const batches = parseBatches(readAll(log));
    expect(batches.map((x) => [x.baseOffset, x.lastOffset, x.leaderEpoch, x.crcValid])).toEqual([
      [0, 2, 5, true],
      [3, 4, 5, true],
    ]);
  });

  it('rewrites attributes, maxTimestamp and CRC for LogAppendTime', () => {
    const log = open({ messageTimestampType: 'LogAppendTime' });
    const now = T0 + 99_999;
    const r = log.append(simpleBatch(4, T0), { leaderEpoch: 0, now });
    expect(r).toMatchObject({ logAppendTime: now, maxTimestamp: now });
    const [batch] = parseBatches(readAll(log));
    expect(batch.attributes & 0x08).toBe(0x08);
    expect(batch.maxTimestamp).toBe(now);
    expect(batch.crcValid).toBe(true);
    // Per-call override: CreateTime leaves the batch's own timestamps.
    log.append(simpleBatch(1, T0), { leaderEpoch: 0, now, timestampType: 'CreateTime' });
    const second = parseBatches(readAll(log))[1];
    expect([second.attributes & 0x08, second.maxTimestamp, second.crcValid]).toEqual([0, T0, true]);
  });

  it('stores compressed batches byte for byte (apart from offset and epoch)', () => {
    const log = open();
    const batch = buildBatch([{ value: 'a' }, { value: 'b' }], { gzip: true });
    const original = Buffer.from(batch);
    log.append(batch, { leaderEpoch: 1, now: T0 });
    const stored = readAll(log);
    expect(stored.subarray(17)).toEqual(original.subarray(17));
  });

  it('rolls segments at segment.bytes and reads across them', () => {
    const log = open({ segmentBytes: 1000, indexIntervalBytes: 100 });
    const sizes: number[] = [];
    for (let i = 0; i < 40; i++) {
      const batch = simpleBatch(1 + (i % 4), T0 + i * 10, 20 + i);
      sizes.push(batch.length);
      log.append(batch, { leaderEpoch: 0, now: T0 });
    }
    expect(log.segments.length).toBeGreaterThan(5);
    for (const s of log.segments.slice(0, -1)) expect(s.size).toBeLessThanOrEqual(1000);
    expect(log.size).toBe(sizes.reduce((a, b) => a + b, 0));
    const all = parseBatches(readAll(log));
    expect(all).toHaveLength(40);
    expect(all.every((b, i) => i === 0 || b.baseOffset === all[i - 1].lastOffset + 1)).toBe(true);
    // Every offset reads from the batch that holds it, even across segment boundaries.
    for (let offset = 0; offset < log.logEndOffset; offset++) {
      const r = log.read(offset, 500);
      const first = parseBatches(Buffer.concat(r.records))[0];
      expect(first.baseOffset).toBeLessThanOrEqual(offset);
      expect(first.lastOffset).toBeGreaterThanOrEqual(offset);
    }
    // A read larger than a segment spans segments and returns whole batches only.
    const big = log.read(0, 2500);
    expect(big.records.length).toBeGreaterThan(1);
    expect(big.sizeInBytes).toBeLessThanOrEqual(2500);
    expect(parseBatches(Buffer.concat(big.records)).every((b) => b.crcValid)).toBe(true);
  });

  it('writes sparse index entries every index.interval.bytes', () => {
    const log = open({ indexIntervalBytes: 500 });
    for (let i = 0; i < 50; i++) log.append(simpleBatch(2, T0 + i, 80), { leaderEpoch: 0, now: T0 });
    const [segment] = log.segments;
    const batchSize = simpleBatch(2, T0, 80).length;
    // An entry goes in once more than 500 bytes were written since the previous one.
    expect(segment.offsetIndexEntries).toBe(Math.floor(49 / (Math.floor(500 / batchSize) + 1)));
    expect(segment.timeIndexEntries).toBe(segment.offsetIndexEntries);
  });

  it('reads whole batches within maxBytes, bounded by maxOffset, and at least one with minOneBatch', () => {
    const log = open();
    for (let i = 0; i < 10; i++) log.append(simpleBatch(5), { leaderEpoch: 0, now: T0 });
    const size = simpleBatch(5).length;
    expect(parseBatches(Buffer.concat(log.read(0, size * 3 + 10).records))).toHaveLength(3);
    // An offset inside a batch returns that whole batch.
    expect(parseBatches(Buffer.concat(log.read(7, size).records))[0].baseOffset).toBe(5);
    // maxOffset (exclusive) stops before any batch reaching it.
    expect(log.read(0, 1 << 20, 20).nextOffset).toBe(20);
    expect(log.read(0, 1 << 20, 22).nextOffset).toBe(20);
    expect(log.read(20, 1 << 20, 22).sizeInBytes).toBe(0);
    expect(log.read(25, 1 << 20, 20)).toMatchObject({ sizeInBytes: 0, nextOffset: 25 });
    // minOneBatch: the first batch comes even when larger than maxBytes.
    expect(log.read(0, 10, 50, true).sizeInBytes).toBe(size);
    expect(log.read(0, 10, 50, false).sizeInBytes).toBe(0);
    expect(log.read(0, 0, 50, true).sizeInBytes).toBe(size);
  });

  it('throws OffsetOutOfRange below the log start and above the log end offset', () => {
    const log = open();
    log.append(simpleBatch(3), { leaderEpoch: 0, now: T0 });
    expect(log.read(3, 100).sizeInBytes).toBe(0);
    const err = (() => {
      try {
        log.read(4, 100);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(OffsetOutOfRangeError);
    expect(err).toMatchObject({ errorCode: 1, errorName: 'OFFSET_OUT_OF_RANGE', logEndOffset: 3 });
    log.deleteRecordsBefore(2);
    expect(() => log.read(1, 100)).toThrow(OffsetOutOfRangeError);
    expect(parseBatches(Buffer.concat(log.read(2, 100).records))[0].baseOffset).toBe(0);
  });

  it('matches a model of batches for random appends and reads (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ records: fc.integer({ min: 1, max: 6 }), valueSize: fc.integer({ min: 1, max: 120 }) }),
          {
            minLength: 1,
            maxLength: 30,
          },
        ),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 3000 }), fc.boolean()), { maxLength: 10 }),
        (appends, reads) => {
          const log = open({ segmentBytes: 1200, indexIntervalBytes: 150 });
          const model: { base: number; last: number; size: number }[] = [];
          for (const a of appends) {
            const batch = simpleBatch(a.records, T0, a.valueSize);
            const r = log.append(batch, { leaderEpoch: 0, now: T0 });
            model.push({ base: r.firstOffset, last: r.lastOffset, size: batch.length });
          }
          for (const [o, maxBytes, minOne] of reads) {
            const offset = o % (log.logEndOffset + 1);
            const got = parseBatches(
              Buffer.concat(log.read(offset, maxBytes, log.logEndOffset, minOne).records),
            );
            const expected: number[] = [];
            let total = 0;
            for (const b of model.filter((m) => m.last >= offset)) {
              if (total + b.size > maxBytes && !(minOne && expected.length === 0)) break;
              expected.push(b.base);
              total += b.size;
            }
            expect(got.map((b) => b.baseOffset)).toEqual(expected);
          }
        },
      ),
      { numRuns: disk ? 15 : 60 },
    );
  });

  it('finds offsets by timestamp, per record, through the time index', () => {
    const log = open({ segmentBytes: 600, indexIntervalBytes: 100 });
    // Batches of 3 records at T0 + 100*i + {0, 10, 20}.
    for (let i = 0; i < 20; i++) {
      const base = T0 + 100 * i;
      log.append(
        buildBatch([
          { value: 'a', timestamp: base },
          { value: 'b', timestamp: base + 10 },
          { value: 'c', timestamp: base + 20 },
        ]),
        { leaderEpoch: 3, now: T0 },
      );
    }
    expect(log.segments.length).toBeGreaterThan(2);
    expect(log.offsetForTimestamp(0)).toEqual({ timestamp: T0, offset: 0, leaderEpoch: 3 });
    expect(log.offsetForTimestamp(T0 + 505)).toEqual({ timestamp: T0 + 510, offset: 16, leaderEpoch: 3 });
    expect(log.offsetForTimestamp(T0 + 510)).toEqual({ timestamp: T0 + 510, offset: 16, leaderEpoch: 3 });
    expect(log.offsetForTimestamp(T0 + 1920)).toEqual({ timestamp: T0 + 1920, offset: 59, leaderEpoch: 3 });
    expect(log.offsetForTimestamp(T0 + 1921)).toBeNull();
    for (let i = 0; i < 60; i++) {
      const ts = T0 + 100 * Math.floor(i / 3) + 10 * (i % 3);
      expect(log.offsetForTimestamp(ts)?.offset).toBe(i);
    }
    // The log start offset bounds the answer.
    log.deleteRecordsBefore(31);
    expect(log.offsetForTimestamp(T0)).toMatchObject({ offset: 31, timestamp: T0 + 1010 });
    expect(() => log.offsetForTimestamp(-1)).toThrow(RangeError);
  });

  it('handles timestamps that go back in time (CreateTime from many producers)', () => {
    const log = open({ indexIntervalBytes: 50 });
    const stamps = [500, 100, 900, 300, 900, 50, 1000];
    for (const s of stamps)
      log.append(buildBatch([{ value: 'x', timestamp: T0 + s }]), { leaderEpoch: 0, now: T0 });
    // The first offset whose timestamp is >= the target, in offset order.
    expect(log.offsetForTimestamp(T0 + 200)?.offset).toBe(0);
    expect(log.offsetForTimestamp(T0 + 600)?.offset).toBe(2);
    expect(log.offsetForTimestamp(T0 + 950)?.offset).toBe(6);
    expect(log.offsetOfMaxTimestamp()).toEqual({ timestamp: T0 + 1000, offset: 6, leaderEpoch: 0 });
  });

  it('resolves compressed batches per record with a decompressor, per batch without', () => {
    const records = [
      { value: 'a', timestamp: T0 },
      { value: 'b', timestamp: T0 + 50 },
      { value: 'c', timestamp: T0 + 20 },
    ];
    const withGzip = open({}, { decompress: (codec, data) => (codec === 1 ? gunzipSync(data) : data) });
    const without = open();
    for (const log of [withGzip, without]) {
      log.append(simpleBatch(2, T0 - 100), { leaderEpoch: 0, now: T0 });
      log.append(buildBatch(records, { gzip: true }), { leaderEpoch: 0, now: T0 });
    }
    expect(withGzip.offsetForTimestamp(T0 + 10)).toMatchObject({ offset: 3, timestamp: T0 + 50 });
    expect(withGzip.offsetOfMaxTimestamp()).toMatchObject({ offset: 3, timestamp: T0 + 50 });
    expect(without.offsetForTimestamp(T0 + 10)).toMatchObject({ offset: 2, timestamp: T0 + 50 });
    expect(without.offsetOfMaxTimestamp()).toMatchObject({ offset: 2, timestamp: T0 + 50 });
  });

  it('answers MAX_TIMESTAMP with the first record holding the largest timestamp', () => {
    const log = open({ segmentBytes: 300 });
    expect(log.offsetOfMaxTimestamp()).toBeNull();
    for (let i = 0; i < 12; i++) {
      const ts = i === 4 ? T0 + 5000 : T0 + i;
      log.append(
        buildBatch([
          { value: 'x', timestamp: ts - 1 },
          { value: 'y', timestamp: ts },
          { value: 'z', timestamp: ts },
        ]),
        {
          leaderEpoch: 2,
          now: T0,
        },
      );
    }
    expect(log.offsetOfMaxTimestamp()).toEqual({ timestamp: T0 + 5000, offset: 13, leaderEpoch: 2 });
    const lat = open({ messageTimestampType: 'LogAppendTime' });
    lat.append(simpleBatch(3), { leaderEpoch: 0, now: T0 + 7 });
    lat.append(simpleBatch(3), { leaderEpoch: 0, now: T0 + 9 });
    expect(lat.offsetOfMaxTimestamp()).toEqual({ timestamp: T0 + 9, offset: 3, leaderEpoch: 0 });
  });

  it('deleteRecordsBefore moves the log start offset and deletes whole segments below it', () => {
    const log = open({ segmentBytes: 400 });
    for (let i = 0; i < 20; i++) log.append(simpleBatch(2), { leaderEpoch: 0, now: T0 });
    const before = log.segments;
    expect(log.deleteRecordsBefore(0)).toBe(0);
    const target = before[2].baseOffset + 1;
    expect(log.deleteRecordsBefore(target)).toBe(target);
    expect(log.logStartOffset).toBe(target);
    expect(log.segments[0].baseOffset).toBe(before[2].baseOffset);
    expect(log.deleteRecordsBefore(target - 1)).toBe(target);
    expect(() => log.deleteRecordsBefore(log.logEndOffset + 1)).toThrow(OffsetOutOfRangeError);
    // Up to the log end offset: only the active segment stays.
    expect(log.deleteRecordsBefore(log.logEndOffset)).toBe(40);
    expect(log.segments).toHaveLength(1);
    expect(log.read(40, 100).sizeInBytes).toBe(0);
    expect(log.append(simpleBatch(1), { leaderEpoch: 0, now: T0 }).firstOffset).toBe(40);
  });

  it('deletes old segments by retention.bytes, never the active one', () => {
    const log = open({ segmentBytes: 500, retentionBytes: 1200, retentionMs: -1 });
    for (let i = 0; i < 30; i++) log.append(simpleBatch(1, T0, 60), { leaderEpoch: 0, now: T0 });
    const total = log.size;
    const segments = log.segments;
    const result = log.applyRetention(T0);
    expect(result.deleted.length).toBeGreaterThan(0);
    expect(result.deleted.every((d) => d.reason === 'retention.bytes')).toBe(true);
    expect(log.size).toBeLessThanOrEqual(1200 + segments[0].size);
    expect(total - log.size).toBe(result.deleted.reduce((a, d) => a + d.segment.size, 0));
    expect(log.logStartOffset).toBe(log.segments[0].baseOffset);
    expect(result.logStartOffset).toBe(log.logStartOffset);
    // With a tiny limit everything but the active segment goes.
    log.updateConfig({ ...log.config, retentionBytes: 0 });
    log.applyRetention(T0);
    expect(log.segments).toHaveLength(1);
    expect(log.segments[0].size).toBeGreaterThan(0);
  });

  it('deletes segments older than retention.ms by their largest timestamp, bounded by the high watermark', () => {
    const log = open({ segmentBytes: 400, retentionMs: 1000 });
    for (let i = 0; i < 24; i++) log.append(simpleBatch(1, T0 + i * 100, 50), { leaderEpoch: 0, now: T0 });
    const segments = log.segments;
    expect(log.applyRetention(T0 + 1000).deleted).toHaveLength(0);
    // Only segments wholly below the high watermark go.
    const cut = log.applyRetention(T0 + 100_000, segments[2].baseOffset);
    expect(cut.deleted.map((d) => d.segment.baseOffset)).toEqual([
      segments[0].baseOffset,
      segments[1].baseOffset,
    ]);
    const now = segments[3].maxTimestamp + 1001;
    const r = log.applyRetention(now);
    expect(r.deleted.map((d) => d.reason)).toEqual(['retention.ms', 'retention.ms']);
    expect(log.segments[0].baseOffset).toBe(segments[4].baseOffset);
    expect(log.logStartOffset).toBe(segments[4].baseOffset);
    expect(() => log.read(0, 100)).toThrow(OffsetOutOfRangeError);
  });

  it('rolls on segment.ms by the first batch timestamp', () => {
    const log = open({ segmentMs: 1000 });
    log.append(simpleBatch(1, T0), { leaderEpoch: 0, now: T0 });
    log.append(simpleBatch(1, T0 + 1000), { leaderEpoch: 0, now: T0 });
    expect(log.segments).toHaveLength(1);
    log.append(simpleBatch(1, T0 + 1001), { leaderEpoch: 0, now: T0 });
    expect(log.segments.map((s) => s.baseOffset)).toEqual([0, 2]);
  });

  it('truncates to an offset for followers and appends after it', () => {
    const log = open({ segmentBytes: 400 });
    for (let i = 0; i < 20; i++) log.append(simpleBatch(2), { leaderEpoch: i < 10 ? 1 : 2, now: T0 });
    expect(log.truncateTo(50, T0)).toBe(false);
    expect(log.truncateTo(24, T0)).toBe(true);
    expect(log.logEndOffset).toBe(24);
    expect(parseBatches(readAll(log)).at(-1)?.lastOffset).toBe(23);
    expect(log.segments.at(-1)!.baseOffset).toBeLessThanOrEqual(24);
    expect(log.epochEntries).toEqual([
      { epoch: 1, startOffset: 0 },
      { epoch: 2, startOffset: 20 },
    ]);
    expect(log.append(simpleBatch(2), { leaderEpoch: 3, now: T0 }).firstOffset).toBe(24);
    expect(parseBatches(readAll(log)).every((b) => b.crcValid)).toBe(true);
    log.truncateFullyAndStartAt(100, T0);
    expect([log.logStartOffset, log.logEndOffset, log.segments.length]).toEqual([100, 100, 1]);
  });

  it('keeps leader epochs for OffsetForLeaderEpoch', () => {
    const log = open();
    log.append(simpleBatch(3), { leaderEpoch: 1, now: T0 });
    log.append(simpleBatch(3), { leaderEpoch: 1, now: T0 });
    log.append(simpleBatch(3), { leaderEpoch: 4, now: T0 });
    expect(log.latestEpoch).toBe(4);
    expect(log.endOffsetForEpoch(4)).toEqual({ leaderEpoch: 4, endOffset: 9 });
    expect(log.endOffsetForEpoch(2)).toEqual({ leaderEpoch: 1, endOffset: 6 });
    expect(log.endOffsetForEpoch(0)).toEqual({ leaderEpoch: 0, endOffset: 0 });
    expect(log.endOffsetForEpoch(7)).toEqual({ leaderEpoch: -1, endOffset: -1 });
  });

  it('appends as a follower keeping offsets and epochs, rejecting overlaps', () => {
    const log = open();
    const leader = open();
    leader.append(simpleBatch(3), { leaderEpoch: 2, now: T0 });
    leader.append(simpleBatch(2), { leaderEpoch: 3, now: T0 });
    const fetched = Buffer.concat(leader.read(0, 1 << 20).records);
    const r = log.appendAsFollower(Buffer.from(fetched), T0);
    expect(r).toMatchObject({ firstOffset: 0, lastOffset: 4 });
    expect(readAll(log)).toEqual(fetched);
    expect(log.epochEntries).toEqual(leader.epochEntries);
    expect(() => log.appendAsFollower(Buffer.from(fetched), T0)).toThrow(/does not follow/);
  });

  it('visits every batch header from the log start offset', () => {
    const log = open({ segmentBytes: 300 });
    for (let i = 0; i < 10; i++) {
      log.append(
        buildBatch([{ value: 'x' }, { value: 'y' }], {
          producerId: 7,
          producerEpoch: 1,
          baseSequence: i * 2,
        }),
        {
          leaderEpoch: 0,
          now: T0,
        },
      );
    }
    log.deleteRecordsBefore(5);
    const seen: [number, number][] = [];
    log.forEachBatch((b, offset) => seen.push([offset, b.baseSequence]));
    expect(seen[0]).toEqual([4, 4]);
    expect(seen.at(-1)).toEqual([18, 18]);
    expect(seen).toHaveLength(8);
  });

  it('refuses appends it cannot frame and batches larger than a segment', () => {
    const log = open({ segmentBytes: 100 });
    expect(() => log.append(Buffer.alloc(0), { leaderEpoch: 0, now: T0 })).toThrow(LogError);
    expect(() => log.append(simpleBatch(1).subarray(0, 40), { leaderEpoch: 0, now: T0 })).toThrow(
      expect.objectContaining({ errorCode: 2 }),
    );
    expect(() => log.append(simpleBatch(10), { leaderEpoch: 0, now: T0 })).toThrow(
      expect.objectContaining({ errorCode: 18 }),
    );
    expect(log.logEndOffset).toBe(0);
  });

  it('deletes the whole log', () => {
    const log = open();
    log.append(simpleBatch(1), { leaderEpoch: 0, now: T0 });
    log.deleteLog();
    expect(() => log.read(0, 10)).toThrow(/closed/);
  });
});

describe('logConfigFromTopicConfig', () => {
  it('maps Kafka topic config names, from a Map or an object', () => {
    const config = logConfigFromTopicConfig(
      new Map([
        ['segment.bytes', '1048576'],
        ['retention.ms', '-1'],
        ['message.timestamp.type', 'LogAppendTime'],
        ['cleanup.policy', 'delete'],
      ]),
    );
    expect(config).toMatchObject({
      segmentBytes: 1048576,
      retentionMs: -1,
      messageTimestampType: 'LogAppendTime',
    });
    expect(config.indexIntervalBytes).toBe(4096);
    expect(logConfigFromTopicConfig({ 'retention.bytes': 5 }).retentionBytes).toBe(5);
    expect(() => logConfigFromTopicConfig({ 'segment.bytes': 'big' })).toThrow(/segment.bytes/);
    expect(() => logConfigFromTopicConfig({ 'message.timestamp.type': 'Now' })).toThrow(
      /message.timestamp.type/,
    );
  });
});
