/**
 * The on-disk log across restarts: Kafka's file layout, a clean reopen, and recovery of a torn or
 * corrupt tail after an unclean shutdown.
 */
import {
  appendFileSync,
  existsSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { InconsistentTopicIdError, type LogConfig, logConfig, PartitionLog } from '../src/log/index.js';
import { parseBatches, simpleBatch, tempDataDir } from './log-batches.js';

const T0 = 1_700_000_000_000;

describe('PartitionLog on disk across restarts', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const c of cleanups.splice(0)) c();
  });

  function setup(config: Partial<LogConfig> = {}) {
    const tmp = tempDataDir();
    cleanups.push(tmp.cleanup);
    const dir = join(tmp.dataDir, 'payments-3');
    const opened: PartitionLog[] = [];
    cleanups.unshift(() => {
      for (const l of opened) l.close();
    });
    const open = (topicId?: string) => {
      const log = PartitionLog.open({ dir, config: logConfig(config), now: T0, topicId });
      opened.push(log);
      return log;
    };
    return { dataDir: tmp.dataDir, dir, open };
  }

  function fill(log: PartitionLog, batches: number, records = 2, valueSize = 30): number[] {
    const ends: number[] = [];
    for (let i = 0; i < batches; i++) {
      log.append(simpleBatch(records, T0 + i * 10, valueSize), {
        leaderEpoch: 1 + Math.floor(i / 5),
        now: T0,
      });
      ends.push(log.size);
    }
    return ends;
  }

  function readAll(log: PartitionLog): Buffer {
    return Buffer.concat(log.read(log.logStartOffset, 1 << 30).records);
  }

  it("writes Kafka's layout: 20-digit segment files, indexes, partition.metadata, checkpoints", () => {
    const { dataDir, dir, open } = setup({ segmentBytes: 500, indexIntervalBytes: 100 });
    const log = open('AAAAAAAAAAAAAAAAAAAAAQ');
    fill(log, 20);
    log.deleteRecordsBefore(log.segments[1].baseOffset + 1);
    log.close();
    const files = readdirSync(dir).sort();
    const second = String(log.segments[0].baseOffset).padStart(20, '0');
    expect(files).toContain(`${second}.log`);
    expect(files).toContain(`${second}.index`);
    expect(files).toContain(`${second}.timeindex`);
    expect(files.filter((f) => f.endsWith('.log'))).toHaveLength(log.segments.length);
    expect(readFileSync(join(dir, 'partition.metadata'), 'utf8')).toBe(
      'version: 0\ntopic_id: AAAAAAAAAAAAAAAAAAAAAQ\n',
    );
    expect(readFileSync(join(dir, 'leader-epoch-checkpoint'), 'utf8')).toBe(
      `0\n4\n1 ${log.logStartOffset}\n2 10\n3 20\n4 30\n`,
    );
    expect(readFileSync(join(dataDir, 'log-start-offset-checkpoint'), 'utf8')).toBe(
      `0\n1\npayments 3 ${log.logStartOffset}\n`,
    );
    // Index files hold whole 8- and 12-byte entries, nothing preallocated.
    const index = statSync(join(dir, `${second}.index`)).size;
    const timeIndex = statSync(join(dir, `${second}.timeindex`)).size;
    expect(index % 8).toBe(0);
    expect(timeIndex % 12).toBe(0);
    expect(index).toBeGreaterThan(0);
  });

  it('reopens after a clean close with every batch, offset, index and epoch', () => {
    const { open } = setup({ segmentBytes: 600, indexIntervalBytes: 100 });
    const log = open('topic-id-1');
    fill(log, 30);
    log.deleteRecordsBefore(7);
    const before = {
      bytes: readAll(log),
      segments: log.segments,
      start: log.logStartOffset,
      end: log.logEndOffset,
      epochs: log.epochEntries,
      ts: log.offsetForTimestamp(T0 + 155),
    };
    log.close();
    const again = open('topic-id-1');
    expect(again.recovery.truncatedBytes).toBe(0);
    expect(readAll(again)).toEqual(before.bytes);
    expect(again.segments).toEqual(before.segments);
    expect([again.logStartOffset, again.logEndOffset]).toEqual([before.start, before.end]);
    expect(again.epochEntries).toEqual(before.epochs);
    expect(again.offsetForTimestamp(T0 + 155)).toEqual(before.ts);
    expect(again.topicId).toBe('topic-id-1');
    expect(again.append(simpleBatch(1), { leaderEpoch: 9, now: T0 }).firstOffset).toBe(before.end);
  });

  it('keeps every acknowledged append when the process dies without closing', () => {
    const { open } = setup({ segmentBytes: 800 });
    const log = open();
    fill(log, 25);
    const bytes = readAll(log);
    // No close, no flush: as after kill -9, the next process opens what write(2) left.
    const again = open();
    expect(again.recovery).toMatchObject({ truncatedBytes: 0, defect: null });
    expect(readAll(again)).toEqual(bytes);
    expect(again.logEndOffset).toBe(50);
  });

  it('cuts a torn last batch and appends after the last whole one', () => {
    const { dir, open } = setup({ segmentBytes: 1000, indexIntervalBytes: 100 });
    const log = open();
    fill(log, 25);
    const last = log.segments.at(-1)!;
    const file = join(dir, `${String(last.baseOffset).padStart(20, '0')}.log`);
    const batches = parseBatches(readFileSync(file));
    expect(batches.length).toBeGreaterThan(2);
    const keep = batches.slice(0, -1).reduce((a, b) => a + b.size, 0);
    const intact = Buffer.concat(log.read(0, 1 << 30, batches.at(-1)!.baseOffset).records);
    log.close();
    truncateSync(file, keep + 17);
    const again = open();
    expect(again.recovery.truncatedBytes).toBe(17);
    expect(again.recovery.defect).toMatch(/only 17 left/);
    expect(statSync(file).size).toBe(keep);
    expect(again.logEndOffset).toBe(batches.at(-1)!.baseOffset);
    expect(readAll(again)).toEqual(intact);
    const next = again.append(simpleBatch(3), { leaderEpoch: 9, now: T0 });
    expect(next.firstOffset).toBe(batches.at(-1)!.baseOffset);
    expect(parseBatches(readAll(again)).every((b) => b.crcValid)).toBe(true);
    // The rebuilt index serves lookups in the recovered segment.
    for (let offset = last.baseOffset; offset < again.logEndOffset; offset++) {
      const first = parseBatches(Buffer.concat(again.read(offset, 1).records))[0];
      expect(offset).toBeGreaterThanOrEqual(first.baseOffset);
      expect(offset).toBeLessThanOrEqual(first.lastOffset);
    }
  });

  it('cuts everything from a corrupt batch on (flipped byte), keeping what precedes it', () => {
    const { dir, open } = setup({ indexIntervalBytes: 100 });
    const log = open();
    const ends = fill(log, 12);
    log.close();
    const file = join(dir, '00000000000000000000.log');
    const bytes = readFileSync(file);
    bytes[ends[6] + 70] ^= 0x40; // inside the records of batch 7
    writeFileSync(file, bytes);
    const again = open();
    expect(again.recovery.defect).toMatch(/CRC/);
    expect(again.recovery.truncatedBytes).toBe(ends[11] - ends[6]);
    expect(again.logEndOffset).toBe(14);
    expect(parseBatches(readAll(again)).map((b) => b.baseOffset)).toEqual([0, 2, 4, 6, 8, 10, 12]);
    // Epochs that only existed in the cut tail are gone.
    expect(again.latestEpoch).toBe(2);
    expect(again.append(simpleBatch(1), { leaderEpoch: 3, now: T0 }).firstOffset).toBe(14);
  });

  it('cuts a zero-filled tail, as a power loss may leave', () => {
    const { dir, open } = setup();
    const log = open();
    fill(log, 3);
    log.close();
    appendFileSync(join(dir, '00000000000000000000.log'), Buffer.alloc(4096));
    const again = open();
    expect(again.recovery).toMatchObject({ truncatedBytes: 4096, nextOffset: 6 });
    expect(again.logEndOffset).toBe(6);
  });

  it('rebuilds a missing or torn index of an older segment and drops orphan index files', () => {
    const { dir, open } = setup({ segmentBytes: 500, indexIntervalBytes: 60 });
    const log = open();
    fill(log, 20);
    const segments = log.segments;
    log.close();
    const name = (base: number, suffix: string) => join(dir, `${String(base).padStart(20, '0')}${suffix}`);
    rmSync(name(segments[1].baseOffset, '.index'));
    appendFileSync(name(segments[2].baseOffset, '.timeindex'), Buffer.alloc(5));
    writeFileSync(name(99_999, '.index'), Buffer.alloc(8));
    writeFileSync(join(dir, 'leader-epoch-checkpoint.tmp'), 'partial');
    const again = open();
    expect(again.segments).toEqual(segments);
    expect(existsSync(name(99_999, '.index'))).toBe(false);
    expect(existsSync(join(dir, 'leader-epoch-checkpoint.tmp'))).toBe(false);
    for (let offset = 0; offset < again.logEndOffset; offset += 3) {
      expect(parseBatches(Buffer.concat(again.read(offset, 1).records))[0].lastOffset).toBeGreaterThanOrEqual(
        offset,
      );
    }
  });

  it('finishes a retention deletion interrupted by a crash', () => {
    const { dir, open } = setup({ segmentBytes: 400, retentionBytes: 0 });
    const log = open();
    fill(log, 20);
    const first = log.segments[0];
    const name = join(dir, `${String(first.baseOffset).padStart(20, '0')}.log`);
    const saved = readFileSync(name);
    log.applyRetention(T0);
    const start = log.logStartOffset;
    log.close();
    // The crash left the first segment's log file behind.
    writeFileSync(name, saved);
    const again = open();
    expect(again.logStartOffset).toBe(start);
    expect(again.segments[0].baseOffset).toBe(start);
    expect(existsSync(name)).toBe(false);
  });

  it('restores the log start offset and finishes interrupted segment deletion', () => {
    const { dataDir, open } = setup({ segmentBytes: 400 });
    const log = open();
    fill(log, 20);
    const segments = log.segments;
    const target = segments[3].baseOffset + 1;
    log.close();
    // A crash after the checkpoint was written but before the segments went.
    writeFileSync(join(dataDir, 'log-start-offset-checkpoint'), `0\n2\nother 0 5\npayments 3 ${target}\n`);
    const again = open();
    expect(again.logStartOffset).toBe(target);
    expect(again.segments[0].baseOffset).toBe(segments[3].baseOffset);
    again.deleteLog();
    expect(readFileSync(join(dataDir, 'log-start-offset-checkpoint'), 'utf8')).toBe('0\n1\nother 0 5\n');
  });

  it('refuses a directory holding another topic id', () => {
    const { open } = setup();
    open('id-A').close();
    expect(() => open('id-B')).toThrow(InconsistentTopicIdError);
    expect(open().topicId).toBe('id-A');
  });

  it('deleteLog removes the partition directory', () => {
    const { dir, open } = setup();
    const log = open();
    fill(log, 2);
    log.deleteLog();
    expect(existsSync(dir)).toBe(false);
  });

  it('requires a <topic>-<partition> directory name', () => {
    const tmp = tempDataDir();
    cleanups.push(tmp.cleanup);
    expect(() =>
      PartitionLog.open({ dir: join(tmp.dataDir, 'nopartition'), config: logConfig(), now: T0 }),
    ).toThrow(/<topic>-<partition>/);
  });
});
