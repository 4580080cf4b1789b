/**
 * One segment of a partition log (Kafka's `LogSegment`): a `.log` file of record batches
 * plus its sparse `.index` and `.timeindex`, all named by the segment's base offset.
 *
 * @module
 */
import {
  type BatchHeader,
  batchDefect,
  batchSizeAt,
  type Decompressor,
  LOG_OVERHEAD,
  RECORD_BATCH_OVERHEAD,
  readBatchHeader,
  visitRecordTimestamps,
} from './batch.js';
import { LogError, LogErrorCode } from './errors.js';
import { OffsetIndex, TimeIndex, type TimestampOffset } from './indexes.js';
import type { ReadBuffers } from './read-buffers.js';
import type { LogDirectory, SegmentFile } from './storage.js';
import { TransactionIndex } from './txn-index.js';

/** File suffixes of a segment, as in Kafka. */
export const SegmentSuffix = {
  log: '.log',
  index: '.index',
  timeIndex: '.timeindex',
  txnIndex: '.txnindex',
} as const;

/** How much a scan of batch headers reads at once: one read covers many small batches. */
const SCAN_READ_AHEAD = 64 * 1024;
/** Recovery reads whole batches for their CRC, in larger steps. */
const RECOVERY_READ_AHEAD = 1024 * 1024;
const EMPTY = Buffer.alloc(0);

/** The file name of a segment file: the base offset on 20 digits, then the suffix. */
export function segmentFileName(baseOffset: number, suffix: string): string {
  return `${String(baseOffset).padStart(20, '0')}${suffix}`;
}

/** A timestamp found in the log, the offset of its record and the leader epoch of its batch. */
export interface TimestampAndOffset {
  timestamp: number;
  offset: number;
  /** The partition leader epoch of the batch, or -1 if unknown. */
  leaderEpoch: number;
}

/** What a segment read returns: whole batches, back to back. */
export interface SegmentReadResult {
  /** The batches (possibly empty). */
  records: Buffer;
  /** The offset after the last batch returned, or the requested offset when none. */
  nextOffset: number;
  /** Whether the read stopped because the segment has no more batches (not a size or offset bound). */
  endOfSegment: boolean;
}

/** The outcome of {@link LogSegment.recover}. */
export interface RecoveryResult {
  /** Bytes cut from the end of the segment. */
  truncatedBytes: number;
  /** The offset after the last valid batch, or the base offset if none. */
  nextOffset: number;
  /** Why the first invalid batch was rejected, or `null` when the whole segment was valid. */
  defect: string | null;
}

/** Inputs of {@link LogSegment.shouldRoll} (Kafka's `RollParams`). */
export interface RollParams {
  now: number;
  segmentBytes: number;
  segmentMs: number;
  /** Bytes about to be appended. */
  messagesSize: number;
  maxTimestampInMessages: number;
  maxOffsetInMessages: number;
}

/** Summary of a segment, for tests and DescribeLogDirs. */
export interface SegmentInfo {
  baseOffset: number;
  /** Size of the `.log` file in bytes. */
  size: number;
  /** Largest batch timestamp in the segment, or -1. */
  maxTimestamp: number;
  offsetIndexEntries: number;
  timeIndexEntries: number;
}

/**
 * A view of a file through one buffer: reads ahead so that scanning consecutive batch headers
 * costs one read per `readAhead` bytes rather than one per batch.
 */
class FileWindow {
  private buf: Buffer = EMPTY;
  private start = 0;

  constructor(
    private readonly file: SegmentFile,
    private readonly readAhead: number,
    private readonly into?: ReadBuffers,
  ) {}

  /** Bytes `[position, position + length)`, fewer at the end of the file. Do not modify. */
  get(position: number, length: number): Buffer {
    const end = Math.min(position + length, this.file.size);
    if (position >= this.start && end <= this.start + this.buf.length) {
      return this.buf.subarray(position - this.start, end - this.start);
    }
    this.buf = this.file.read(position, Math.max(length, this.readAhead), this.into);
    this.start = position;
    return this.buf.subarray(0, Math.max(0, end - position));
  }
}

/**
 * A segment: log file, offset index, time index and aborted transaction index. Not thread-safe
 * (nothing here is).
 */
export class LogSegment {
  private bytesSinceLastIndexEntry = 0;
  /** Largest timestamp and the last offset of its batch; `null` until read from the time index. */
  private maxTimestampAndOffset: TimestampOffset | null = null;
  /** Max timestamp of the first batch, for `segment.ms`; `undefined` until read. */
  private rollingBasedTimestamp: number | undefined;
  /** When this segment object was created: the `segment.ms` clock for segments without timestamps. */
  private created: number;
  /** Last append time, or the file's mtime: retention age of segments without timestamps. */
  lastModified: number;

  private constructor(
    readonly baseOffset: number,
    readonly log: SegmentFile,
    readonly offsetIndex: OffsetIndex,
    readonly timeIndex: TimeIndex,
    /** The aborted transactions whose ABORT marker is in this segment. */
    readonly txnIndex: TransactionIndex,
    now: number,
  ) {
    this.created = now;
    this.lastModified = log.modifiedAt ?? now;
  }

  /**
   * Opens (creating if missing) the segment starting at `baseOffset` in `dir`; its `.txnindex` is
   * opened only when `hasTxnIndex` (it exists), else created by its first entry. `fileSuffix`
   * follows every file name (the log cleaner writes a segment as `.cleaned` files first).
   */
  static open(
    dir: LogDirectory,
    baseOffset: number,
    segmentIndexBytes: number,
    now: number,
    hasTxnIndex = false,
    fileSuffix = '',
  ): LogSegment {
    const name = (suffix: string) => segmentFileName(baseOffset, suffix) + fileSuffix;
    return new LogSegment(
      baseOffset,
      dir.open(name(SegmentSuffix.log)),
      new OffsetIndex(dir.open(name(SegmentSuffix.index)), baseOffset, segmentIndexBytes),
      new TimeIndex(dir.open(name(SegmentSuffix.timeIndex)), baseOffset, segmentIndexBytes),
      new TransactionIndex(dir, name(SegmentSuffix.txnIndex), hasTxnIndex),
      now,
    );
  }

  /** Size of the log file in bytes. */
  get size(): number {
    return this.log.size;
  }

  /** The largest batch timestamp and the last offset of that batch (`{-1, baseOffset}` if none). */
  get maxTimestampSoFar(): TimestampOffset {
    if (this.maxTimestampAndOffset === null) this.maxTimestampAndOffset = this.timeIndex.lastEntry;
    return this.maxTimestampAndOffset;
  }

  /** The age reference for `retention.ms`: the largest timestamp, else the last modification. */
  get largestTimestamp(): number {
    const max = this.maxTimestampSoFar.timestamp;
    return max >= 0 ? max : this.lastModified;
  }

  /** Summary for tests and DescribeLogDirs. */
  get info(): SegmentInfo {
    return {
      baseOffset: this.baseOffset,
      size: this.size,
      maxTimestamp: this.maxTimestampSoFar.timestamp,
      offsetIndexEntries: this.offsetIndex.entryCount,
      timeIndexEntries: this.timeIndex.entryCount,
    };
  }

  /** Whether `offset` fits this segment's indexes (relative offset within int32). */
  canConvertToRelativeOffset(offset: number): boolean {
    return this.offsetIndex.canAppendOffset(offset);
  }

  /**
   * Whether the next append must go to a new segment (Kafka's `shouldRoll`): it would pass
   * `segment.bytes`, the first batch is older than `segment.ms`, an index is full, or the last
   * offset would not fit the indexes.
   */
  shouldRoll(p: RollParams): boolean {
    const size = this.size;
    const reachedRollMs = this.timeWaitedForRoll(p.now, p.maxTimestampInMessages) > p.segmentMs;
    return (
      size > p.segmentBytes - p.messagesSize ||
      (size > 0 && reachedRollMs) ||
      this.offsetIndex.isFull ||
      this.timeIndex.isFull ||
      !this.canConvertToRelativeOffset(p.maxOffsetInMessages)
    );
  }

  /**
   * Time against `segment.ms`: since the first batch's timestamp when it has one (so replaying
   * old data does not roll on wall-clock time), else since the segment was created.
   */
  private timeWaitedForRoll(now: number, messageTimestamp: number): number {
    if (this.rollingBasedTimestamp === undefined) {
      const head = this.size >= RECORD_BATCH_OVERHEAD ? this.log.read(0, RECORD_BATCH_OVERHEAD) : null;
      this.rollingBasedTimestamp = head ? readBatchHeader(head, 0).maxTimestamp : -1;
    }
    return this.rollingBasedTimestamp >= 0
      ? messageTimestamp - this.rollingBasedTimestamp
      : now - this.created;
  }

  /**
   * Appends `batches` (whole batches, offsets already assigned) described by `headers`, whose
   * positions are relative to `batches`, and indexes them: an offset index entry (last offset of
   * the batch, its position) and a time index entry once more than `indexIntervalBytes` were
   * written since the previous entry, per batch, exactly as recovery rebuilds them. With `adopt`
   * the caller hands `batches` over (see {@link SegmentFile.append}).
   */
  append(
    batches: Buffer,
    headers: readonly BatchHeader[],
    now: number,
    indexIntervalBytes: number,
    adopt = false,
  ): void {
    if (batches.length === 0) return;
    const physicalPosition = this.size;
    const lastOffset = headers[headers.length - 1].lastOffset;
    if (!this.canConvertToRelativeOffset(lastOffset)) {
      throw new Error(`offset ${lastOffset} overflows segment ${this.baseOffset}`);
    }
    let max = this.maxTimestampSoFar;
    if (physicalPosition === 0) this.rollingBasedTimestamp = Math.max(...headers.map((h) => h.maxTimestamp));
    this.log.append(batches, adopt);
    for (const h of headers) {
      if (h.maxTimestamp > max.timestamp) max = { timestamp: h.maxTimestamp, offset: h.lastOffset };
      if (
        this.bytesSinceLastIndexEntry > indexIntervalBytes &&
        !this.offsetIndex.isFull &&
        !this.timeIndex.isFull
      ) {
        this.offsetIndex.append(h.lastOffset, physicalPosition + h.position);
        this.timeIndex.maybeAppend(max.timestamp, max.offset);
        this.bytesSinceLastIndexEntry = 0;
      }
      this.bytesSinceLastIndexEntry += h.size;
    }
    this.maxTimestampAndOffset = max;
    this.lastModified = now;
  }

  /** Headers of the batches from `position` to the end of the segment. */
  private *batchesFrom(window: FileWindow, position: number): Generator<BatchHeader> {
    const end = this.size;
    while (position < end) {
      const head = window.get(position, RECORD_BATCH_OVERHEAD);
      const size = head.length >= LOG_OVERHEAD ? batchSizeAt(head, 0) : 0;
      if (head.length < RECORD_BATCH_OVERHEAD || size < RECORD_BATCH_OVERHEAD || position + size > end) {
        // Recovery leaves only whole, valid batches; reaching this means the file changed under us.
        throw new LogError(
          LogErrorCode.CORRUPT_MESSAGE,
          `segment ${this.baseOffset}: no valid batch at position ${position} of ${end}`,
        );
      }
      yield readBatchHeader(head, 0, position);
      position += size;
    }
  }

  /**
   * Calls `visit` with the 61-byte header of each batch, in order, and the batch's position in
   * the segment. The header is a view valid during the call only.
   */
  visitBatchHeaders(visit: (header: Buffer, position: number) => void): void {
    const window = new FileWindow(this.log, RECOVERY_READ_AHEAD);
    for (const h of this.batchesFrom(window, 0))
      visit(window.get(h.position, RECORD_BATCH_OVERHEAD), h.position);
  }

  /**
   * Every batch of the segment, in order: its header and its bytes (a view that stays valid, for
   * the log cleaner, which reads whole segments batch by batch).
   */
  *batches(): Generator<{ header: BatchHeader; bytes: Buffer }> {
    const window = new FileWindow(this.log, RECOVERY_READ_AHEAD);
    for (const header of this.batchesFrom(window, 0))
      yield { header, bytes: window.get(header.position, header.size) };
  }

  /** The first batch whose last offset is ≥ `offset`: index lookup, then a short forward scan. */
  private locate(window: FileWindow, offset: number): BatchHeader | null {
    for (const h of this.batchesFrom(window, this.offsetIndex.lookup(offset).position)) {
      if (h.lastOffset >= offset) return h;
    }
    return null;
  }

  /**
   * The header of the first batch whose last offset is ≥ `offset`, or `null` if there is none in
   * this segment (Kafka's `translateOffset`).
   */
  translateOffset(offset: number): BatchHeader | null {
    return this.locate(new FileWindow(this.log, SCAN_READ_AHEAD), offset);
  }

  /**
   * Whole batches starting with the one that holds `startOffset` (Kafka's `LogSegment.read`),
   * stopping before a batch that would pass `maxBytes` or reach `maxOffset` (exclusive). With
   * `minOneBatch`, the first batch is returned even if larger than `maxBytes`. `null` when the
   * segment has no batch at or after `startOffset`. Bytes read from a file go into memory from
   * `into` when given.
   */
  read(
    startOffset: number,
    maxBytes: number,
    maxOffset: number,
    minOneBatch: boolean,
    into?: ReadBuffers,
  ): SegmentReadResult | null {
    // The window starts at the index entry before the first batch: reading maxBytes plus some of
    // the way there keeps the answer inside one read, where maxBytes alone often ran a few KiB
    // past it and read the whole answer a second time.
    const window = new FileWindow(this.log, Math.min(maxBytes, 8 * 1024 * 1024) + SCAN_READ_AHEAD, into);
    const first = this.locate(window, startOffset);
    if (first === null) return null;
    if (first.lastOffset >= maxOffset || (!minOneBatch && first.size > maxBytes)) {
      return { records: EMPTY, nextOffset: startOffset, endOfSegment: false };
    }
    let total = first.size;
    let last = first;
    let endOfSegment = true;
    for (const h of this.batchesFrom(window, first.position + first.size)) {
      if (h.lastOffset >= maxOffset || total + h.size > maxBytes) {
        endOfSegment = false;
        break;
      }
      total += h.size;
      last = h;
    }
    return { records: window.get(first.position, total), nextOffset: last.lastOffset + 1, endOfSegment };
  }

  /**
   * The first record with a timestamp ≥ `timestamp` and an offset ≥ `startingOffset` (Kafka's
   * `findOffsetByTimestamp`): the time index narrows the start, then batches whose maxTimestamp
   * reaches the target are walked record by record. A compressed batch is walked only with
   * `decompress`; without it the answer is the batch itself (its first offset ≥ `startingOffset`
   * and its maxTimestamp), which is where a consumer must start reading anyway.
   */
  findOffsetByTimestamp(
    timestamp: number,
    startingOffset: number,
    decompress?: Decompressor,
  ): TimestampAndOffset | null {
    const indexed = this.timeIndex.lookup(timestamp);
    const position = this.offsetIndex.lookup(Math.max(indexed.offset, startingOffset)).position;
    const window = new FileWindow(this.log, SCAN_READ_AHEAD);
    for (const h of this.batchesFrom(window, position)) {
      if (h.maxTimestamp < timestamp || h.lastOffset < startingOffset) continue;
      const leaderEpoch = Math.max(-1, h.partitionLeaderEpoch);
      let found: TimestampAndOffset | null = null;
      const readable = visitRecordTimestamps(
        window.get(h.position, h.size),
        (offset, ts) => {
          if (ts < timestamp || offset < startingOffset) return false;
          found = { timestamp: ts, offset, leaderEpoch };
          return true;
        },
        decompress,
      );
      if (readable === undefined) {
        return { timestamp: h.maxTimestamp, offset: Math.max(h.baseOffset, startingOffset), leaderEpoch };
      }
      if (found) return found;
    }
    return null;
  }

  /**
   * The record holding this segment's largest timestamp: the first record of the batch with that
   * maxTimestamp whose timestamp equals it (Kafka's `RecordBatch.offsetOfMaxTimestamp`), or the
   * batch's first offset when its records cannot be read. `null` if no batch has a timestamp.
   */
  offsetOfMaxTimestamp(decompress?: Decompressor): TimestampAndOffset | null {
    const max = this.maxTimestampSoFar;
    if (max.timestamp < 0) return null;
    const window = new FileWindow(this.log, SCAN_READ_AHEAD);
    for (const h of this.batchesFrom(window, this.offsetIndex.lookup(max.offset).position)) {
      if (h.maxTimestamp !== max.timestamp) continue;
      let offset = h.baseOffset;
      visitRecordTimestamps(
        window.get(h.position, h.size),
        (o, ts) => {
          if (ts !== max.timestamp) return false;
          offset = o;
          return true;
        },
        decompress,
      );
      return { timestamp: h.maxTimestamp, offset, leaderEpoch: Math.max(-1, h.partitionLeaderEpoch) };
    }
    return null;
  }

  /**
   * Rebuilds both indexes from the log and cuts the log after the last valid batch (Kafka's
   * `LogSegment.recover`, run on the last segment after an unclean shutdown). A batch is valid
   * when its size is sane and within the file, its magic is 2, its CRC-32C matches and its
   * offsets follow the previous batch within this segment's range.
   *
   * @param onBatch - called for each valid batch (to rebuild the leader epoch cache)
   */
  recover(indexIntervalBytes: number, onBatch?: (h: BatchHeader) => void): RecoveryResult {
    this.offsetIndex.reset();
    this.timeIndex.reset();
    const fileSize = this.size;
    const window = new FileWindow(this.log, RECOVERY_READ_AHEAD);
    let max: TimestampOffset = { timestamp: -1, offset: this.baseOffset };
    let validBytes = 0;
    let lastIndexEntry = 0;
    let nextOffset = this.baseOffset;
    let defect: string | null = null;
    while (validBytes < fileSize) {
      const available = fileSize - validBytes;
      const head = window.get(validBytes, LOG_OVERHEAD);
      const size = head.length >= LOG_OVERHEAD ? batchSizeAt(head, 0) : 0;
      const bytes = size >= RECORD_BATCH_OVERHEAD && size <= available ? window.get(validBytes, size) : head;
      // `bytes` holds the whole batch whenever its size is sane, and batchDefect reads no further.
      defect = batchDefect(bytes, 0, available);
      const h = defect === null ? readBatchHeader(bytes, 0, validBytes) : null;
      if (
        h &&
        (h.baseOffset < nextOffset ||
          h.lastOffset < h.baseOffset ||
          !this.canConvertToRelativeOffset(h.lastOffset))
      ) {
        defect = `offsets [${h.baseOffset}, ${h.lastOffset}] do not follow ${nextOffset - 1} in segment ${this.baseOffset}`;
      }
      if (defect !== null || h === null) break;
      if (h.maxTimestamp > max.timestamp) max = { timestamp: h.maxTimestamp, offset: h.lastOffset };
      if (validBytes - lastIndexEntry > indexIntervalBytes) {
        this.offsetIndex.append(h.lastOffset, validBytes);
        this.timeIndex.maybeAppend(max.timestamp, max.offset, true);
        lastIndexEntry = validBytes;
      }
      validBytes += h.size;
      nextOffset = h.lastOffset + 1;
      onBatch?.(h);
    }
    this.log.truncate(validBytes);
    // A segment closed cleanly ends its time index with its largest timestamp; so does this.
    this.timeIndex.maybeAppend(max.timestamp, max.offset, true);
    this.maxTimestampAndOffset = max;
    this.bytesSinceLastIndexEntry = validBytes - lastIndexEntry;
    this.rollingBasedTimestamp = undefined;
    return { truncatedBytes: fileSize - validBytes, nextOffset, defect };
  }

  /**
   * Removes every batch whose last offset is ≥ `offset`, with their index entries (Kafka's
   * `LogSegment.truncateTo`); returns the bytes removed. A batch holding `offset` goes entirely.
   */
  truncateTo(offset: number, now: number): number {
    const mapping = this.translateOffset(offset);
    this.offsetIndex.truncateTo(offset);
    this.timeIndex.truncateTo(offset);
    this.txnIndex.truncateTo(offset);
    const removed = mapping === null ? 0 : this.size - mapping.position;
    if (mapping !== null) this.log.truncate(mapping.position);
    if (this.size === 0) this.created = now;
    this.rollingBasedTimestamp = undefined;
    const entries = this.offsetIndex.entryCount;
    this.bytesSinceLastIndexEntry =
      this.size - (entries > 0 ? this.offsetIndex.entry(entries - 1).position : 0);
    this.maxTimestampAndOffset = this.readLargestTimestamp();
    return removed;
  }

  /** The largest timestamp: the time index's last entry, then a scan of the batches after it. */
  private readLargestTimestamp(): TimestampOffset {
    let max = this.timeIndex.lastEntry;
    const window = new FileWindow(this.log, SCAN_READ_AHEAD);
    for (const h of this.batchesFrom(window, this.offsetIndex.lookup(max.offset).position)) {
      if (h.maxTimestamp > max.timestamp) max = { timestamp: h.maxTimestamp, offset: h.lastOffset };
    }
    return max;
  }

  /**
   * The segment stops being the active one (Kafka's `onBecomeInactiveSegment`): its largest
   * timestamp goes into the time index, so retention can read it back after a restart; then its
   * files are made durable and the index files released.
   */
  onBecomeInactiveSegment(): void {
    const max = this.maxTimestampSoFar;
    this.timeIndex.maybeAppend(max.timestamp, max.offset, true);
    this.flush();
    this.offsetIndex.release();
    this.timeIndex.release();
    this.txnIndex.release();
  }

  /** Whether the index files are whole and plausible; otherwise they are rebuilt at load. */
  get indexesLookSound(): boolean {
    return (
      this.offsetIndex.isSizeValid &&
      this.timeIndex.isSizeValid &&
      (this.offsetIndex.entryCount === 0 ||
        this.offsetIndex.entry(this.offsetIndex.entryCount - 1).position < this.size)
    );
  }

  /** fsyncs the log and index files. */
  flush(): void {
    this.log.flush();
    this.offsetIndex.flush();
    this.timeIndex.flush();
    this.txnIndex.flush();
  }

  /** Releases file descriptors until the next use. */
  release(): void {
    this.log.release();
    this.offsetIndex.release();
    this.timeIndex.release();
    this.txnIndex.release();
  }

  /** Writes the final time index entry, flushes and closes the files. */
  close(): void {
    const max = this.maxTimestampSoFar;
    this.timeIndex.maybeAppend(max.timestamp, max.offset, true);
    this.log.close();
    this.offsetIndex.close();
    this.timeIndex.close();
    this.txnIndex.close();
  }

  /** Deletes the segment's files. */
  delete(): void {
    this.log.delete();
    this.offsetIndex.delete();
    this.timeIndex.delete();
    this.txnIndex.delete();
  }
}
