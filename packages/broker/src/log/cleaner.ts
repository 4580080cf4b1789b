/**
 * Log compaction (Kafka's `LogCleaner` / `Cleaner` / `LogCleanerManager`) for `cleanup.policy`
 * `compact`: keeps the latest record of every key.
 *
 * One cleaning of a log, as Kafka's `Cleaner.doClean`:
 * 1. the cleanable range: from the first dirty offset (the cleaner's checkpoint) up to the first
 *    uncleanable offset, the smallest of the active segment's base offset, the last stable offset
 *    and the first segment with a record younger than `min.compaction.lag.ms` (rounded down to
 *    a segment boundary here, where Kafka may stop inside a segment);
 * 2. whether it is worth it: dirty bytes over all bytes at least `min.cleanable.dirty.ratio`, or
 *    a dirty record older than `max.compaction.lag.ms`;
 * 3. the offset map: the last offset of every key in the dirty range, aborted transactions left
 *    out;
 * 4. every segment below the first uncleanable offset is rewritten, in groups that fit one
 *    segment: a record goes when a later offset holds its key; a tombstone stays for
 *    `delete.retention.ms` after the clean that first saw it (the batch is stamped with a delete
 *    horizon, KIP-534: the two-pass removal); records of aborted transactions go; a transaction
 *    marker stays while any record of its transaction does, then until its own delete horizon;
 *    the last batch of a producer that is still active stays as an empty batch, so its sequence
 *    and epoch survive and idempotence still works;
 * 5. the cleaned group is written as `.cleaned` files with their indexes, swapped in through
 *    `.swap` files (a crash during the swap is finished when the log is loaded) and the old
 *    segments deleted.
 *
 * @module
 */
import { type DecodedRecord, decodeRecordBatch } from '@tskafka/protocol/internals';
import { BatchAttribute, type BatchHeader, readBatchHeader } from './batch.js';
import { deleteHorizonOf, rewriteBatch } from './compacted-batch.js';
import type { LogConfig } from './config.js';
import { LogSegment, SegmentSuffix, segmentFileName } from './segment.js';
import type { LogDirectory } from './storage.js';
import { type AbortedTxn, collectAbortedTxns } from './txn-index.js';

/** The text file naming the range a cleaning swaps in: `baseOffset endOffset`. */
export const CLEANER_SWAP_FILE = 'cleaner-swap';
const INT32_MAX = 0x7fffffff;
/** Control record types (Kafka's `ControlRecordType`): the key's second int16. */
const ABORT = 0;
const COMMIT = 1;

/** What the cleaner needs to know of a producer still active in the partition. */
export interface ActiveProducer {
  /** Its current epoch. */
  producerEpoch: number;
  /** Last offset of its last data batch, or `null` when it has none. */
  lastDataOffset: number | null;
}

/** Inputs of one cleaning that come from outside the log. */
export interface CleanOptions {
  /** The current time (ms): ages of records, delete horizons. */
  now: number;
  /** The cleaner's checkpoint: offsets below it were cleaned before. */
  firstDirtyOffset: number;
  /** The partition's last stable offset: nothing at or after it is cleaned. */
  lastStableOffset: number;
  /** Producers still active, by producer id: their last batch is kept (possibly empty). */
  activeProducers: ReadonlyMap<number, ActiveProducer>;
  /** Clean even if the dirty ratio is below `min.cleanable.dirty.ratio` (tests, admin). */
  force?: boolean;
  /**
   * The latest delete horizon the previous cleaning left in the log, or -1: once it has passed,
   * a cleaning is due even with nothing dirty, to remove the expired tombstones (as Kafka's
   * `LogCleanerManager` does in a quiet log).
   */
  latestDeleteHorizon?: number;
}

/** The range one cleaning may cover (Kafka's `LogToClean` and `cleanableOffsets`). */
export interface CleanableRange {
  /** Where the dirty section starts. */
  firstDirtyOffset: number;
  /** Where the cleanable range ends (exclusive). */
  firstUncleanableOffset: number;
  /** Bytes of the segments below the first dirty offset. */
  cleanBytes: number;
  /** Bytes of the cleanable dirty segments. */
  dirtyBytes: number;
  /** `dirtyBytes / (cleanBytes + dirtyBytes)`, 0 for an empty range. */
  dirtyRatio: number;
  /** Whether a dirty record is older than `max.compaction.lag.ms`. */
  maxCompactionLagExceeded: boolean;
}

/** What one cleaning did. */
export interface CleanResult {
  /** The new checkpoint: offsets below it are clean. */
  firstDirtyOffset: number;
  /** Bytes of the rewritten segments before and after. */
  bytesBefore: number;
  bytesAfter: number;
  /** Records read and records removed. */
  recordsRead: number;
  recordsRemoved: number;
  /** Base offsets of the segments after cleaning (one per group). */
  segments: number[];
  /** The latest delete horizon of a batch left in the cleaned segments, or -1 when none has one. */
  latestDeleteHorizon: number;
}

/** The cleanable range of `segments` (the last is the active one) under `config`. */
export function cleanableRange(
  segments: readonly LogSegment[],
  config: LogConfig,
  logStartOffset: number,
  options: Pick<CleanOptions, 'now' | 'firstDirtyOffset' | 'lastStableOffset'>,
): CleanableRange {
  const active = segments[segments.length - 1];
  const firstDirtyOffset = Math.max(options.firstDirtyOffset, logStartOffset);
  let limit = Math.min(active.baseOffset, options.lastStableOffset);
  let maxCompactionLagExceeded = false;
  for (let i = 0; i < segments.length - 1; i++) {
    const s = segments[i];
    const end = segments[i + 1].baseOffset;
    if (end <= firstDirtyOffset) continue;
    const newest = s.maxTimestampSoFar.timestamp;
    if (options.now - newest > config.maxCompactionLagMs && s.size > 0) maxCompactionLagExceeded = true;
    if (config.minCompactionLagMs > 0 && newest > options.now - config.minCompactionLagMs) {
      limit = Math.min(limit, s.baseOffset);
      break;
    }
  }
  // Whole segments only: the last one wholly below the limit ends the range.
  let firstUncleanableOffset = segments[0].baseOffset;
  let cleanBytes = 0;
  let dirtyBytes = 0;
  for (let i = 0; i < segments.length - 1; i++) {
    const end = segments[i + 1].baseOffset;
    if (end > limit) break;
    firstUncleanableOffset = end;
    if (end <= firstDirtyOffset) cleanBytes += segments[i].size;
    else dirtyBytes += segments[i].size;
  }
  const total = cleanBytes + dirtyBytes;
  return {
    firstDirtyOffset,
    firstUncleanableOffset,
    cleanBytes,
    dirtyBytes,
    dirtyRatio: total === 0 ? 0 : dirtyBytes / total,
    maxCompactionLagExceeded: maxCompactionLagExceeded && firstUncleanableOffset > firstDirtyOffset,
  };
}

/** Whether a cleaning of `range` is due (Kafka's `LogCleanerManager.grabFilthiestCompactedLog`). */
export function needsCleaning(range: CleanableRange, config: LogConfig): boolean {
  if (range.firstUncleanableOffset <= range.firstDirtyOffset || range.dirtyBytes === 0) return false;
  return range.maxCompactionLagExceeded || range.dirtyRatio > config.minCleanableDirtyRatio;
}

/** The batches of a segment, in order. */
function readBatches(segment: LogSegment): Generator<{ header: BatchHeader; bytes: Buffer }> {
  return segment.batches();
}

/** The control record type of a control batch, or -1 when it has no record. */
function controlType(bytes: Buffer): number {
  const record = decodeRecordBatch(bytes).records[0];
  return record?.key && record.key.length >= 4 ? record.key.readInt16BE(2) : -1;
}

/**
 * Tracks transactions while the cleaner walks the log (Kafka's `CleanedTransactionMetadata`):
 * which batches belong to aborted transactions, and when a marker may go.
 */
class TransactionTracker {
  private next = 0;
  /** Aborted transactions begun and not yet ended, by producer: whether a batch of it was seen. */
  private readonly ongoingAborted = new Map<number, { txn: AbortedTxn; sawBatch: boolean }>();
  /** Producers with a committed transaction whose data batches were seen and kept. */
  private readonly ongoingCommitted = new Set<number>();

  constructor(private readonly aborted: readonly AbortedTxn[]) {}

  private consumeUpTo(offset: number): void {
    while (this.next < this.aborted.length && this.aborted[this.next].firstOffset <= offset) {
      const txn = this.aborted[this.next++];
      this.ongoingAborted.set(txn.producerId, { txn, sawBatch: false });
    }
  }

  /** A data batch: whether it belongs to an aborted transaction (and so goes). */
  onDataBatch(h: BatchHeader, producerId: number): boolean {
    this.consumeUpTo(h.lastOffset);
    if ((h.attributes & BatchAttribute.transactional) === 0) return false;
    const aborted = this.ongoingAborted.get(producerId);
    if (aborted) {
      aborted.sawBatch = true;
      return true;
    }
    this.ongoingCommitted.add(producerId);
    return false;
  }

  /**
   * A marker: whether it may be discarded (no record of its transaction is left), and the aborted
   * transaction to index again when it stays.
   */
  onMarker(
    h: BatchHeader,
    producerId: number,
    type: number,
  ): { discardable: boolean; keep: AbortedTxn | null } {
    this.consumeUpTo(h.lastOffset);
    if (type === ABORT) {
      const aborted = this.ongoingAborted.get(producerId);
      this.ongoingAborted.delete(producerId);
      // Kept until every batch of the transaction is gone from the log.
      if (aborted?.sawBatch) return { discardable: false, keep: aborted.txn };
      return { discardable: true, keep: null };
    }
    if (type === COMMIT) return { discardable: !this.ongoingCommitted.delete(producerId), keep: null };
    return { discardable: false, keep: null };
  }

  /** Whether a data batch of `producerId` at `offset` is part of an aborted transaction. */
  isAborted(producerId: number, h: BatchHeader): boolean {
    this.consumeUpTo(h.lastOffset);
    return (h.attributes & BatchAttribute.transactional) !== 0 && this.ongoingAborted.has(producerId);
  }
}

/** Reads the producer id of a batch (header field at byte 43). */
function producerIdOf(bytes: Buffer): number {
  return bytes.readInt32BE(43) * 0x1_0000_0000 + bytes.readUInt32BE(47);
}

function producerEpochOf(bytes: Buffer): number {
  return bytes.readInt16BE(51);
}

/** Last offset of each key in `[from, to)`, aborted transactions left out (Kafka's `buildOffsetMap`). */
function buildOffsetMap(
  segments: readonly LogSegment[],
  from: number,
  to: number,
  aborted: readonly AbortedTxn[],
): Map<string, number> {
  const map = new Map<string, number>();
  const txns = new TransactionTracker(aborted);
  for (let i = 0; i < segments.length; i++) {
    const end = i + 1 < segments.length ? segments[i + 1].baseOffset : Number.POSITIVE_INFINITY;
    if (end <= from) continue;
    if (segments[i].baseOffset >= to) break;
    for (const { header, bytes } of readBatches(segments[i])) {
      if (header.lastOffset < from) continue;
      if (header.baseOffset >= to) break;
      const producerId = producerIdOf(bytes);
      if (header.attributes & BatchAttribute.control) {
        txns.onMarker(header, producerId, controlType(bytes));
        continue;
      }
      if (txns.isAborted(producerId, header) || header.recordCount === 0) continue;
      for (const r of decodeRecordBatch(bytes).records) {
        if (r.key !== null && r.offset >= from && r.offset < to) map.set(r.key.toString('latin1'), r.offset);
      }
    }
  }
  return map;
}

/** Consecutive segments to rewrite into one: within `segment.bytes` and int32 relative offsets. */
function groupSegments(segments: readonly LogSegment[], maxSize: number, end: number): LogSegment[][] {
  const groups: LogSegment[][] = [];
  let i = 0;
  while (i < segments.length - 1 && segments[i + 1].baseOffset <= end) {
    const group = [segments[i]];
    let size = segments[i].size;
    i++;
    while (i < segments.length - 1 && segments[i + 1].baseOffset <= end) {
      const s = segments[i];
      if (size + s.size > maxSize || segments[i + 1].baseOffset - 1 - group[0].baseOffset > INT32_MAX) break;
      group.push(s);
      size += s.size;
      i++;
    }
    groups.push(group);
  }
  return groups;
}

/**
 * Cleans the log whose segments are `segments` (changed in place: cleaned groups replace their
 * segments). Returns `null` when nothing is due.
 */
export function cleanLog(
  segments: LogSegment[],
  directory: LogDirectory,
  config: LogConfig,
  logStartOffset: number,
  options: CleanOptions,
): CleanResult | null {
  const range = cleanableRange(segments, config, logStartOffset, options);
  const horizon = options.latestDeleteHorizon ?? -1;
  const tombstonesExpired = horizon >= 0 && horizon <= options.now;
  const anything = range.firstUncleanableOffset > logStartOffset;
  if (!needsCleaning(range, config) && !((options.force || tombstonesExpired) && anything)) return null;
  const end = range.firstUncleanableOffset;
  const aborted = collectAbortedTxns(segments, logStartOffset, end);
  const map = buildOffsetMap(segments, range.firstDirtyOffset, end, aborted);
  const txns = new TransactionTracker(aborted);
  const deleteHorizonMs = options.now + config.deleteRetentionMs;
  const result: CleanResult = {
    firstDirtyOffset: end,
    bytesBefore: 0,
    bytesAfter: 0,
    recordsRead: 0,
    recordsRemoved: 0,
    segments: [],
    latestDeleteHorizon: -1,
  };
  for (const group of groupSegments(segments, config.segmentBytes, end)) {
    const cleaned = LogSegment.open(
      directory,
      group[0].baseOffset,
      config.segmentIndexBytes,
      options.now,
      false,
      '.cleaned',
    );
    for (const segment of group) {
      result.bytesBefore += segment.size;
      for (const { header, bytes } of readBatches(segment)) {
        const out = cleanBatch(header, bytes, map, txns, options, deleteHorizonMs, result, cleaned);
        if (out === null) continue;
        const written = readBatchHeader(out, 0);
        cleaned.append(out, [written], options.now, config.indexIntervalBytes);
        const kept = deleteHorizonOf(written);
        if (kept !== null) result.latestDeleteHorizon = Math.max(result.latestDeleteHorizon, kept);
      }
    }
    cleaned.lastModified = Math.max(...group.map((s) => s.lastModified));
    result.bytesAfter += cleaned.size;
    swapIn(segments, directory, config, group, cleaned, options.now);
    result.segments.push(group[0].baseOffset);
  }
  return result;
}

/** The batch to write for `bytes` in the cleaned segment, or `null` when it goes entirely. */
function cleanBatch(
  header: BatchHeader,
  bytes: Buffer,
  map: ReadonlyMap<string, number>,
  txns: TransactionTracker,
  options: CleanOptions,
  deleteHorizonMs: number,
  result: CleanResult,
  cleaned: LogSegment,
): Buffer | null {
  const producerId = producerIdOf(bytes);
  const isControl = (header.attributes & BatchAttribute.control) !== 0;
  const horizon = deleteHorizonOf(header);
  let discardable: boolean;
  let keepTxn: AbortedTxn | null = null;
  if (isControl) {
    const marker = txns.onMarker(header, producerId, controlType(bytes));
    discardable = marker.discardable;
    keepTxn = marker.keep;
  } else {
    discardable = txns.onDataBatch(header, producerId);
  }
  // A marker whose transaction left nothing behind goes once its own delete horizon has passed.
  const discardRecords = isControl ? discardable && horizon !== null && horizon <= options.now : discardable;
  const active = producerId >= 0 ? options.activeProducers.get(producerId) : undefined;
  const lastOfActiveProducer =
    active !== undefined &&
    (isControl
      ? producerEpochOf(bytes) === active.producerEpoch &&
        (active.lastDataOffset === null || header.baseOffset > active.lastDataOffset)
      : header.lastOffset === active.lastDataOffset);

  const records = header.recordCount === 0 ? [] : decodeRecordBatch(bytes).records;
  result.recordsRead += records.length;
  let retained: DecodedRecord[];
  if (discardRecords) retained = [];
  else if (isControl) retained = records;
  else {
    retained = records.filter((r) => {
      if (r.offset >= options.lastStableOffset) return true;
      if (r.key === null) return false; // a compacted topic holds keyed records only
      const latest = map.get(r.key.toString('latin1'));
      if (latest !== undefined && latest > r.offset) return false;
      return r.value !== null || horizon === null || options.now < horizon;
    });
  }
  result.recordsRemoved += records.length - retained.length;
  if (keepTxn !== null && !discardRecords) cleaned.txnIndex.append(keepTxn);

  const hasTombstone = !isControl && retained.some((r) => r.value === null);
  const needsHorizon = horizon === null && (hasTombstone || (isControl && discardable));
  if (retained.length === 0) {
    if (!lastOfActiveProducer) return null;
    // Kept empty: the batch carries the producer's last sequence (or, a marker, its epoch).
    return isControl || records.length === 0 ? bytes : rewriteBatch(bytes, header, [], null);
  }
  if (retained.length === records.length && !needsHorizon) return bytes;
  return rewriteBatch(bytes, header, retained, needsHorizon ? deleteHorizonMs : horizon);
}

/**
 * Replaces `group` in `segments` with `cleaned`: its files are renamed `.cleaned` → `.swap` (the
 * `.log` last: from then on the load finishes the swap), the old segments deleted, and the swap
 * files renamed to their final names, as Kafka's `replaceSegments` does.
 */
function swapIn(
  segments: LogSegment[],
  directory: LogDirectory,
  config: LogConfig,
  group: readonly LogSegment[],
  cleaned: LogSegment,
  now: number,
): void {
  const base = group[0].baseOffset;
  const index = segments.indexOf(group[0]);
  const next = segments[index + group.length];
  const hasTxnIndex = cleaned.txnIndex.exists;
  cleaned.onBecomeInactiveSegment();
  cleaned.release();
  const lastModified = cleaned.lastModified;
  directory.writeText(CLEANER_SWAP_FILE, `${base} ${next.baseOffset}\n`);
  const suffixes = [SegmentSuffix.index, SegmentSuffix.timeIndex, SegmentSuffix.txnIndex, SegmentSuffix.log];
  const present = new Set(directory.list());
  for (const suffix of suffixes) {
    const name = segmentFileName(base, suffix);
    if (present.has(`${name}.cleaned`)) directory.rename(`${name}.cleaned`, `${name}.swap`);
  }
  for (const old of group) old.delete();
  for (const suffix of suffixes) {
    const name = segmentFileName(base, suffix);
    if (present.has(`${name}.cleaned`)) directory.rename(`${name}.swap`, name);
  }
  directory.remove(CLEANER_SWAP_FILE);
  const swapped = LogSegment.open(directory, base, config.segmentIndexBytes, now, hasTxnIndex);
  swapped.lastModified = lastModified;
  swapped.release();
  segments.splice(index, group.length, swapped);
}

/**
 * Finishes or undoes a cleaning interrupted by a crash, before the log is loaded: a `.log.swap`
 * means the swap was committed, so the old segments of its range go and the swap files take
 * their names; `.cleaned` files (and swap files without their `.log`) are what an uncommitted
 * cleaning left, and go.
 */
export function completeInterruptedSwap(directory: LogDirectory): void {
  const names = directory.list();
  const text = directory.readText(CLEANER_SWAP_FILE);
  const logSwap = names.find((n) => n.endsWith(`${SegmentSuffix.log}.swap`));
  if (logSwap !== undefined && text !== null) {
    const [base, end] = text.trim().split(' ').map(Number);
    const segmentFile = /^(\d{20})\.(log|index|timeindex|txnindex)$/;
    for (const name of names) {
      const m = segmentFile.exec(name);
      if (m && Number(m[1]) >= base && Number(m[1]) < end) directory.remove(name);
    }
    for (const name of names) if (name.endsWith('.swap')) directory.rename(name, name.slice(0, -5));
  }
  for (const name of directory.list()) {
    if (name.endsWith('.cleaned') || name.endsWith('.swap')) directory.remove(name);
  }
  if (text !== null) directory.remove(CLEANER_SWAP_FILE);
}
