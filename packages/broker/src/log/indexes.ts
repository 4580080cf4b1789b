/**
 * The sparse indexes of a segment, in Kafka's file formats (`AbstractIndex`, `OffsetIndex`,
 * `TimeIndex`): fixed-size big-endian entries appended every `index.interval.bytes` of log,
 * looked up by binary search.
 *
 * Where Kafka memory-maps a preallocated file, we keep a copy of the entries in memory (loaded
 * on first use, like Kafka's `LazyIndex`); index files are small (one entry per 4 KiB of log by
 * default), and the copy makes lookups free of I/O. New entries reach the file in groups, as a
 * memory-mapped index reaches the disk whenever the kernel writes it back: at the latest when the
 * index is flushed, released or closed (a segment's roll flushes it), else every
 * {@link PENDING_ENTRIES_MAX} entries. A write(2) per entry was two of the three system calls
 * of every produce append. Entries lost to a crash are those of the active segment, whose
 * indexes loading always rebuilds from its batches (Kafka rebuilds them after an unclean
 * shutdown).
 *
 * @module
 */
import type { SegmentFile } from './storage.js';

/** Entries kept in memory only before they are written to the file together. */
export const PENDING_ENTRIES_MAX = 256;

/** Largest relative offset an index entry can hold (int32). */
const MAX_RELATIVE_OFFSET = 0x7fffffff;

/** An offset index entry: the batch whose last offset is `offset` starts at `position`. */
export interface OffsetPosition {
  offset: number;
  position: number;
}

/** A time index entry: batches after `offset` only hold timestamps greater than `timestamp`. */
export interface TimestampOffset {
  timestamp: number;
  offset: number;
}

/** What the two index types share: the file, the in-memory copy, binary search, truncation. */
abstract class LogIndex {
  private mirror: Buffer | null = null;
  private entries: number;
  /** Entries in the file; those after it are in the copy only. */
  private persisted: number;

  /**
   * @param file - the index file
   * @param baseOffset - the base offset of the segment; entries store offsets relative to it
   * @param maxIndexBytes - `segment.index.bytes`: the index is full at this many bytes
   * @param entrySize - bytes per entry
   */
  protected constructor(
    readonly file: SegmentFile,
    readonly baseOffset: number,
    maxIndexBytes: number,
    private readonly entrySize: number,
  ) {
    this.maxEntries = Math.floor(maxIndexBytes / entrySize);
    this.entries = Math.floor(file.size / entrySize);
    this.persisted = this.entries;
  }

  /** How many entries fit before the segment must roll. */
  readonly maxEntries: number;

  /** Number of entries. */
  get entryCount(): number {
    return this.entries;
  }

  /** Whether no entry can be added (`segment.index.bytes` reached): the segment must roll. */
  get isFull(): boolean {
    return this.entries >= this.maxEntries;
  }

  /** Whether the file holds a whole number of entries (a torn entry means a rebuild). */
  get isSizeValid(): boolean {
    return this.file.size % this.entrySize === 0;
  }

  /** Whether `offset` can be stored relative to the base offset (int32). */
  canAppendOffset(offset: number): boolean {
    const relative = offset - this.baseOffset;
    return relative >= 0 && relative <= MAX_RELATIVE_OFFSET;
  }

  /** The entries, loaded from the file on first use. */
  protected data(): Buffer {
    if (this.mirror === null) {
      const bytes = this.entries * this.entrySize;
      this.mirror = Buffer.allocUnsafe(Math.max(bytes, 64 * this.entrySize));
      this.file.read(0, bytes).copy(this.mirror);
    }
    return this.mirror;
  }

  /** Appends one encoded entry to the in-memory copy; the file gets it with the next group. */
  protected appendEntry(entry: Buffer): void {
    let data = this.data();
    const at = this.entries * this.entrySize;
    if (at + this.entrySize > data.length) {
      const grown = Buffer.allocUnsafe(data.length * 2);
      data.copy(grown, 0, 0, at);
      this.mirror = data = grown;
    }
    entry.copy(data, at);
    this.entries++;
    if (this.entries - this.persisted >= PENDING_ENTRIES_MAX) this.writePending();
  }

  /** Writes the entries that are in memory only to the file, in one write. */
  writePending(): void {
    if (this.persisted >= this.entries || this.mirror === null) return;
    this.file.append(this.mirror.subarray(this.persisted * this.entrySize, this.entries * this.entrySize));
    this.persisted = this.entries;
  }

  /** Writes pending entries and fsyncs the file. */
  flush(): void {
    this.writePending();
    this.file.flush();
  }

  /** Writes pending entries and releases the file's descriptor until the next use. */
  release(): void {
    this.writePending();
    this.file.release();
  }

  /** Writes pending entries, flushes and closes the file. */
  close(): void {
    this.writePending();
    this.file.close();
  }

  /** Removes the file; pending entries are dropped with it. */
  delete(): void {
    this.persisted = this.entries;
    this.file.delete();
  }

  /** Largest slot whose key is ≤ `target`, or -1 (Kafka's `largestLowerBoundSlotFor`). */
  protected largestLowerBoundSlot(target: number, keyAt: (slot: number) => number): number {
    if (this.entries === 0 || keyAt(0) > target) return -1;
    let lo = 0;
    let hi = this.entries - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (keyAt(mid) <= target) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Drops every entry whose offset is ≥ `offset` (entries' offsets increase). */
  truncateTo(offset: number): void {
    const slot = this.largestLowerBoundSlot(offset, (i) => this.offsetAt(i));
    this.truncateToEntries(slot < 0 ? 0 : this.offsetAt(slot) === offset ? slot : slot + 1);
  }

  /** Keeps the first `n` entries. */
  truncateToEntries(n: number): void {
    if (n >= this.entries && this.isSizeValid) return;
    this.entries = Math.min(n, this.entries);
    this.persisted = Math.min(this.persisted, this.entries);
    this.file.truncate(this.persisted * this.entrySize);
  }

  /** Removes every entry (before a rebuild). */
  reset(): void {
    this.truncateToEntries(0);
  }

  /** The absolute offset stored in slot `slot`. */
  protected abstract offsetAt(slot: number): number;
}

/** The `.index` file: 8-byte entries `relativeOffset int32, position int32`. */
export class OffsetIndex extends LogIndex {
  /** An offset index over `file` for the segment starting at `baseOffset`. */
  constructor(file: SegmentFile, baseOffset: number, maxIndexBytes: number) {
    super(file, baseOffset, maxIndexBytes, 8);
  }

  /** @inheritDoc */
  protected offsetAt(slot: number): number {
    return this.baseOffset + this.data().readInt32BE(slot * 8);
  }

  /** The entry in `slot`. */
  entry(slot: number): OffsetPosition {
    const data = this.data();
    return { offset: this.baseOffset + data.readInt32BE(slot * 8), position: data.readInt32BE(slot * 8 + 4) };
  }

  /** The offset of the last entry, or the base offset when empty. */
  get lastOffset(): number {
    return this.entryCount === 0 ? this.baseOffset : this.offsetAt(this.entryCount - 1);
  }

  /**
   * Records that the batch whose last offset is `offset` starts at byte `position`. Offsets must
   * increase, as in Kafka (`InvalidOffsetException` there).
   */
  append(offset: number, position: number): void {
    if (this.isFull) throw new Error(`offset index of segment ${this.baseOffset} is full`);
    if (this.entryCount > 0 && offset <= this.lastOffset) {
      throw new Error(`offset index entry ${offset} is not above the last entry ${this.lastOffset}`);
    }
    const entry = Buffer.allocUnsafe(8);
    entry.writeInt32BE(offset - this.baseOffset, 0);
    entry.writeInt32BE(position, 4);
    this.appendEntry(entry);
  }

  /**
   * The entry with the largest offset ≤ `target`, or `{ baseOffset, 0 }`: where to start scanning
   * forward for the batch holding `target`.
   */
  lookup(target: number): OffsetPosition {
    const slot = this.largestLowerBoundSlot(target, (i) => this.offsetAt(i));
    return slot < 0 ? { offset: this.baseOffset, position: 0 } : this.entry(slot);
  }
}

/** The `.timeindex` file: 12-byte entries `timestamp int64, relativeOffset int32`. */
export class TimeIndex extends LogIndex {
  /** A time index over `file` for the segment starting at `baseOffset`. */
  constructor(file: SegmentFile, baseOffset: number, maxIndexBytes: number) {
    super(file, baseOffset, maxIndexBytes, 12);
  }

  private timestampAt(slot: number): number {
    const data = this.data();
    return data.readInt32BE(slot * 12) * 0x1_0000_0000 + data.readUInt32BE(slot * 12 + 4);
  }

  /** @inheritDoc */
  protected offsetAt(slot: number): number {
    return this.baseOffset + this.data().readInt32BE(slot * 12 + 8);
  }

  /** The entry in `slot`. */
  entry(slot: number): TimestampOffset {
    return { timestamp: this.timestampAt(slot), offset: this.offsetAt(slot) };
  }

  /** The last entry, or `{ -1, baseOffset }` when empty (Kafka's `lastEntry`). */
  get lastEntry(): TimestampOffset {
    return this.entryCount === 0
      ? { timestamp: -1, offset: this.baseOffset }
      : this.entry(this.entryCount - 1);
  }

  /**
   * Appends `(timestamp, offset)` if `timestamp` is above the last entry's; timestamps and offsets
   * never go back. `skipFullCheck` lets the final entry of a rolled segment in (Kafka does too).
   */
  maybeAppend(timestamp: number, offset: number, skipFullCheck = false): void {
    if (!skipFullCheck && this.isFull) throw new Error(`time index of segment ${this.baseOffset} is full`);
    const last = this.lastEntry;
    if (this.entryCount > 0 && offset < last.offset) {
      throw new Error(`time index entry offset ${offset} is below the last entry ${last.offset}`);
    }
    if (this.entryCount > 0 && timestamp < last.timestamp) {
      throw new Error(`time index entry timestamp ${timestamp} is below the last entry ${last.timestamp}`);
    }
    if (timestamp <= last.timestamp) return;
    const entry = Buffer.allocUnsafe(12);
    const hi = Math.floor(timestamp / 0x1_0000_0000);
    entry.writeInt32BE(hi, 0);
    entry.writeUInt32BE(timestamp - hi * 0x1_0000_0000, 4);
    entry.writeInt32BE(offset - this.baseOffset, 8);
    this.appendEntry(entry);
  }

  /**
   * The entry with the largest timestamp ≤ `timestamp`, or `{ -1, baseOffset }`: every record
   * with a timestamp ≥ the target is at or after the batch holding the returned offset.
   */
  lookup(timestamp: number): TimestampOffset {
    const slot = this.largestLowerBoundSlot(timestamp, (i) => this.timestampAt(i));
    return slot < 0 ? { timestamp: -1, offset: this.baseOffset } : this.entry(slot);
  }
}
