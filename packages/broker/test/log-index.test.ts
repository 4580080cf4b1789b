/** The sparse offset and time indexes against a plain model, and their file format. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemorySegmentFile, OffsetIndex, TimeIndex } from '../src/log/index.js';
import { PENDING_ENTRIES_MAX } from '../src/log/indexes.js';

const BASE = 1000;

describe('OffsetIndex', () => {
  it('writes 8-byte big-endian entries of relative offset and position', () => {
    const file = new MemorySegmentFile();
    const index = new OffsetIndex(file, BASE, 1 << 20);
    index.append(BASE + 3, 0);
    index.append(BASE + 70_000, 123_456);
    index.flush();
    expect(file.read(0, 16)).toEqual(
      Buffer.from([0, 0, 0, 3, 0, 0, 0, 0, 0, 1, 0x11, 0x70, 0, 1, 0xe2, 0x40]),
    );
    expect(new OffsetIndex(file, BASE, 1 << 20).entry(1)).toEqual({
      offset: BASE + 70_000,
      position: 123_456,
    });
  });

  it('looks up the largest entry at or below the target: first, middle, last, outside', () => {
    const index = new OffsetIndex(new MemorySegmentFile(), BASE, 1 << 20);
    for (let i = 1; i <= 100; i++) index.append(BASE + i * 10, i * 500);
    expect(index.lookup(BASE)).toEqual({ offset: BASE, position: 0 });
    expect(index.lookup(BASE + 9)).toEqual({ offset: BASE, position: 0 });
    expect(index.lookup(BASE + 10)).toEqual({ offset: BASE + 10, position: 500 });
    expect(index.lookup(BASE + 505)).toEqual({ offset: BASE + 500, position: 25_000 });
    expect(index.lookup(BASE + 1000)).toEqual({ offset: BASE + 1000, position: 50_000 });
    expect(index.lookup(BASE + 99_999)).toEqual({ offset: BASE + 1000, position: 50_000 });
    expect(() => index.append(BASE + 1000, 1)).toThrow(/not above/);
  });

  it('agrees with a linear scan and truncates like Kafka (property)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 5000 }), { maxLength: 80 }),
        fc.array(fc.integer({ min: -10, max: 5100 }), { maxLength: 20 }),
        fc.integer({ min: 0, max: 5100 }),
        (offsets, targets, cut) => {
          const sorted = [...offsets].sort((a, b) => a - b);
          const file = new MemorySegmentFile();
          const index = new OffsetIndex(file, BASE, 1 << 20);
          for (const o of sorted) index.append(BASE + o, o * 3);
          index.flush();
          const reloaded = new OffsetIndex(file, BASE, 1 << 20);
          for (const t of targets) {
            const below = sorted.filter((o) => o <= t);
            const expected = below.length
              ? { offset: BASE + below.at(-1)!, position: below.at(-1)! * 3 }
              : { offset: BASE, position: 0 };
            expect(index.lookup(BASE + t)).toEqual(expected);
            expect(reloaded.lookup(BASE + t)).toEqual(expected);
          }
          index.truncateTo(BASE + cut);
          expect(index.entryCount).toBe(sorted.filter((o) => o < cut).length);
          expect(file.size).toBe(index.entryCount * 8);
        },
      ),
    );
  });

  it('writes entries to the file in groups, and all of them when flushed, released or closed', () => {
    const file = new MemorySegmentFile();
    const appends: number[] = [];
    const append = file.append.bind(file);
    file.append = (data: Uint8Array) => {
      appends.push(data.length);
      append(data);
    };
    const index = new OffsetIndex(file, BASE, 1 << 20);
    for (let i = 1; i < PENDING_ENTRIES_MAX; i++) index.append(BASE + i, i * 100);
    // Lookups see every entry; the file none yet.
    expect(index.lookup(BASE + PENDING_ENTRIES_MAX - 1).position).toBe((PENDING_ENTRIES_MAX - 1) * 100);
    expect(file.size).toBe(0);
    index.append(BASE + PENDING_ENTRIES_MAX, 1);
    expect(appends).toEqual([PENDING_ENTRIES_MAX * 8]);
    index.append(BASE + PENDING_ENTRIES_MAX + 1, 2);
    index.release();
    expect(file.size).toBe((PENDING_ENTRIES_MAX + 1) * 8);
    index.append(BASE + PENDING_ENTRIES_MAX + 2, 3);
    index.close();
    expect(new OffsetIndex(file, BASE, 1 << 20).entryCount).toBe(PENDING_ENTRIES_MAX + 2);
    // Truncating below what the file holds cuts the file; pending entries are dropped.
    index.truncateTo(BASE + 10);
    expect([index.entryCount, file.size]).toEqual([9, 9 * 8]);
  });

  it('is full at segment.index.bytes and refuses offsets beyond int32 from the base', () => {
    const index = new OffsetIndex(new MemorySegmentFile(), BASE, 8 * 3 + 5);
    expect(index.maxEntries).toBe(3);
    for (let i = 0; i < 3; i++) index.append(BASE + i, i);
    expect(index.isFull).toBe(true);
    expect(() => index.append(BASE + 5, 5)).toThrow(/full/);
    expect(index.canAppendOffset(BASE + 0x7fffffff)).toBe(true);
    expect(index.canAppendOffset(BASE + 0x80000000)).toBe(false);
    expect(index.canAppendOffset(BASE - 1)).toBe(false);
  });

  it('drops a torn trailing entry when truncated', () => {
    const file = new MemorySegmentFile();
    const index = new OffsetIndex(file, BASE, 1 << 20);
    index.append(BASE + 1, 10);
    index.flush();
    file.append(Buffer.from([0, 0, 0]));
    const reloaded = new OffsetIndex(file, BASE, 1 << 20);
    expect([reloaded.entryCount, reloaded.isSizeValid]).toEqual([1, false]);
    reloaded.truncateToEntries(1);
    expect(file.size).toBe(8);
  });
});

describe('TimeIndex', () => {
  it('writes 12-byte entries and appends only increasing timestamps', () => {
    const file = new MemorySegmentFile();
    const index = new TimeIndex(file, BASE, 1 << 20);
    expect(index.lastEntry).toEqual({ timestamp: -1, offset: BASE });
    index.maybeAppend(1_700_000_000_000, BASE + 5);
    index.maybeAppend(1_700_000_000_000, BASE + 9);
    expect(index.entryCount).toBe(1);
    index.flush();
    expect(file.read(0, 12)).toEqual(Buffer.from([0, 0, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x00, 0, 0, 0, 5]));
    expect(() => index.maybeAppend(1_700_000_000_001, BASE + 4)).toThrow(/offset/);
    expect(() => index.maybeAppend(1_699_999_999_999, BASE + 10)).toThrow(/timestamp/);
  });

  it('looks up the largest timestamp at or below the target', () => {
    const index = new TimeIndex(new MemorySegmentFile(), BASE, 1 << 20);
    for (let i = 1; i <= 50; i++) index.maybeAppend(i * 100, BASE + i * 7);
    expect(index.lookup(99)).toEqual({ timestamp: -1, offset: BASE });
    expect(index.lookup(100)).toEqual({ timestamp: 100, offset: BASE + 7 });
    expect(index.lookup(2550)).toEqual({ timestamp: 2500, offset: BASE + 175 });
    expect(index.lookup(10_000)).toEqual({ timestamp: 5000, offset: BASE + 350 });
    index.truncateTo(BASE + 175);
    expect(index.lastEntry).toEqual({ timestamp: 2400, offset: BASE + 168 });
  });
});
