/**
 * The log of one partition replica (Kafka's `UnifiedLog` with its `LocalLog`): a list of segments
 * of which the last is active, the log start offset, the log end offset and the leader epoch
 * cache. The same code runs in memory and on disk; only the `LogDirectory` differs.
 *
 * The high watermark, ISR and acks are the partition layer's business, not the log's: reads and
 * retention take the bound they must respect as a parameter.
 *
 * @module
 */
import {
  type AppendOptions,
  type AppendResult,
  appendInfo,
  frameBatches,
  rollSegment,
  segmentForAppend,
  stampAsLeader,
} from './append.js';
import type { BatchHeader, Decompressor } from './batch.js';
import {
  type CleanableRange,
  type CleanOptions,
  type CleanResult,
  cleanableRange,
  cleanLog,
} from './cleaner.js';
import type { LogConfig } from './config.js';
import { DiskLogDirectory, flushDirectory } from './disk.js';
import { InconsistentTopicIdError, OffsetOutOfRangeError } from './errors.js';
import { type EpochEndOffset, type EpochEntry, LeaderEpochCache } from './leader-epoch.js';
import { loadLog } from './loader.js';
import type { ReadBufferLease, ReadBuffers } from './read-buffers.js';
import { LogSegment, type RecoveryResult, type SegmentInfo, type TimestampAndOffset } from './segment.js';
import { type LogDirectory, MemoryLogDirectory } from './storage.js';
import { type AbortedTxn, collectAbortedTxns, reconcileTxnIndexes } from './txn-index.js';
import { type BatchSummary, readBatchSummary } from './validator.js';

// Moved to append.ts with the append path; still exported from here, where they always were.
export type { AppendOptions, AppendResult } from './append.js';

/** File holding the topic id, in the partition directory. */
export const PARTITION_METADATA = 'partition.metadata';

/** Options of {@link PartitionLog.open}. */
export interface PartitionLogOptions {
  /** The partition directory `<dataDir>/<topic>-<partition>`, or `null` to keep the log in memory. */
  dir: string | null;
  config: LogConfig;
  /** The current time (ms): creation time of new segments. */
  now: number;
  /** The topic id (Kafka's base64 Uuid string), written to `partition.metadata`. */
  topicId?: string;
  /**
   * Decompresses a compressed batch's records, to resolve timestamp lookups to the exact record.
   * Without it, compressed batches are resolved to the batch (see `offsetForTimestamp`).
   */
  decompress?: Decompressor;
}

/** What {@link PartitionLog.read} returns. */
export interface LogReadResult {
  /** Whole batches, back to back across the chunks (one chunk per contiguous range read). */
  records: Buffer[];
  /** Total bytes in `records`. */
  sizeInBytes: number;
  /** The offset after the last batch returned (the requested offset when nothing was returned). */
  nextOffset: number;
  logStartOffset: number;
  logEndOffset: number;
}

/** A segment removed by retention or log start offset movement, and why. */
export interface DeletedSegment {
  segment: SegmentInfo;
  reason: 'log-start-offset' | 'retention.bytes' | 'retention.ms';
}

/** What {@link PartitionLog.applyRetention} did. */
export interface RetentionResult {
  deleted: DeletedSegment[];
  logStartOffset: number;
}

/** A partition log: segments on disk or in memory, appended to by the leader or a follower. */
export class PartitionLog {
  private segmentList: LogSegment[];
  private _logStartOffset: number;
  private _logEndOffset: number;
  private _topicId: string | null;
  private closed = false;
  /**
   * The log cleaner's checkpoint: offsets below it are clean. The broker keeps it in
   * `cleaner-offset-checkpoint`; without it the first cleaning treats the whole log as dirty,
   * which costs time but never correctness.
   */
  private firstDirtyOffset = 0;
  /** The latest delete horizon the last cleaning left (-1: none), when tombstones expire. */
  private latestDeleteHorizon = -1;
  /** The recovery run on the last segment at open (tests and logging). */
  readonly recovery: RecoveryResult;

  private constructor(
    private readonly directory: LogDirectory,
    /** The log's configuration; replace it with {@link PartitionLog.updateConfig}. */
    public config: LogConfig,
    private readonly epochs: LeaderEpochCache,
    now: number,
    topicId: string | undefined,
    private readonly decompress: Decompressor | undefined,
  ) {
    const loaded = loadLog(directory, config, now, epochs);
    this.segmentList = loaded.segments;
    this._logStartOffset = loaded.logStartOffset;
    this._logEndOffset = loaded.logEndOffset;
    this.recovery = loaded.recovery;
    this._topicId = PartitionLog.readTopicId(directory);
    if (topicId !== undefined) this.assignTopicId(topicId);
  }

  /**
   * Opens the log in `options.dir` (creating it if needed) or in memory. An existing directory is
   * loaded and its last segment recovered: batches are checked one by one (size, magic 2,
   * CRC-32C, offsets) and a torn or corrupt tail is cut, with its index entries, as Kafka does
   * after an unclean shutdown. Throws {@link InconsistentTopicIdError} when `topicId` differs
   * from the one stored in `partition.metadata`.
   */
  static open(options: PartitionLogOptions): PartitionLog {
    const directory = options.dir === null ? new MemoryLogDirectory() : new DiskLogDirectory(options.dir);
    const epochs = new LeaderEpochCache(directory);
    return new PartitionLog(
      directory,
      options.config,
      epochs,
      options.now,
      options.topicId,
      options.decompress,
    );
  }

  /** The partition directory, or `null` in memory. */
  get dir(): string | null {
    return this.directory.path;
  }

  /** The first offset a consumer can read. */
  get logStartOffset(): number {
    return this._logStartOffset;
  }

  /** The offset the next appended record gets. */
  get logEndOffset(): number {
    return this._logEndOffset;
  }

  /** Total size of the segments in bytes. */
  get size(): number {
    let size = 0;
    for (const segment of this.segmentList) size += segment.size;
    return size;
  }

  /** The segments, oldest first (for tests and DescribeLogDirs). */
  get segments(): SegmentInfo[] {
    return this.segmentList.map((s) => s.info);
  }

  /** The topic id from `partition.metadata`, or `null` if none was assigned. */
  get topicId(): string | null {
    return this._topicId;
  }

  /** The latest leader epoch seen in appended batches, or -1. */
  get latestEpoch(): number {
    return this.epochs.latestEpoch;
  }

  /** The leader epoch cache entries, oldest first. */
  get epochEntries(): readonly EpochEntry[] {
    return this.epochs.epochEntries;
  }

  /** OffsetForLeaderEpoch: the end offset of `leaderEpoch` in this log (`-1, -1` if unknown). */
  endOffsetForEpoch(leaderEpoch: number): EpochEndOffset {
    return this.epochs.endOffsetFor(leaderEpoch, this._logEndOffset);
  }

  /** Records that `epoch` starts at `offset` (a new leader's epoch begins at its log end). */
  assignEpochStartOffset(epoch: number, offset: number): void {
    this.epochs.assign(epoch, offset);
  }

  /** Replaces the configuration; segment and index sizes apply from the next segment. */
  updateConfig(config: LogConfig): void {
    this.config = config;
  }

  /**
   * Records the topic id in `partition.metadata` (`version: 0` / `topic_id: <id>`), as Kafka does
   * when a replica is created; throws {@link InconsistentTopicIdError} if another id is stored.
   */
  assignTopicId(topicId: string): void {
    if (this._topicId === topicId) return;
    if (this._topicId !== null) throw new InconsistentTopicIdError(this._topicId, topicId);
    this.directory.writeText(PARTITION_METADATA, `version: 0\ntopic_id: ${topicId}\n`);
    this._topicId = topicId;
  }

  private static readTopicId(directory: LogDirectory): string | null {
    const text = directory.readText(PARTITION_METADATA);
    const match = text === null ? null : /^topic_id: *(\S+)$/m.exec(text);
    return match ? match[1] : null;
  }

  private get activeSegment(): LogSegment {
    return this.segmentList[this.segmentList.length - 1];
  }

  private checkOpen(): void {
    if (this.closed) throw new Error(`log ${this.directory.path ?? '(memory)'} is closed`);
  }

  /**
   * Appends validated batches as the leader (Kafka's `appendAsLeader`). `batches` is taken over
   * and patched in place: each batch gets the next offsets (baseOffset) and `leaderEpoch`
   * (partitionLeaderEpoch), both outside the CRC; with LogAppendTime also the timestamp-type bit
   * and maxTimestamp `now`, with the CRC recomputed. Compressed batches are stored as written.
   * The bytes reach the file (write(2)) before this returns.
   *
   * `batches` must have passed {@link validateRecordBatches}; only their framing is re-checked.
   */
  append(batches: Buffer, options: AppendOptions): AppendResult {
    this.checkOpen();
    const headers = frameBatches(batches, this.config.segmentBytes);
    const timestampType = options.timestampType ?? this.config.messageTimestampType;
    const logAppendTime = timestampType === 'LogAppendTime' ? options.now : null;
    const firstOffset = this._logEndOffset;
    stampAsLeader(batches, headers, firstOffset, options.leaderEpoch, logAppendTime);
    this.epochs.assign(options.leaderEpoch, firstOffset);
    return this.appendStamped(batches, headers, options.now, logAppendTime ?? -1, options.adopt === true);
  }

  /**
   * Appends batches replicated from the leader, keeping their offsets and leader epochs (Kafka's
   * `appendAsFollower`). The first batch must start at or after the log end offset (gaps are
   * allowed, as after compaction on the leader) and offsets must increase.
   */
  appendAsFollower(batches: Buffer, now: number): AppendResult {
    this.checkOpen();
    const headers = frameBatches(batches, this.config.segmentBytes);
    let expected = this._logEndOffset;
    for (const h of headers) {
      if (h.baseOffset < expected || h.lastOffset < h.baseOffset) {
        throw new Error(
          `follower append: batch [${h.baseOffset}, ${h.lastOffset}] does not follow offset ${expected - 1}`,
        );
      }
      expected = h.lastOffset + 1;
      if (h.partitionLeaderEpoch > this.epochs.latestEpoch)
        this.epochs.assign(h.partitionLeaderEpoch, h.baseOffset);
    }
    return this.appendStamped(batches, headers, now, -1);
  }

  /** Writes batches whose offsets are final, to a new segment if the active one must roll. */
  private appendStamped(
    batches: Buffer,
    headers: BatchHeader[],
    now: number,
    logAppendTime: number,
    adopt = false,
  ): AppendResult {
    const info = appendInfo(headers, logAppendTime, this._logStartOffset, batches.length);
    const segment = segmentForAppend(
      this.segmentList,
      this.directory,
      this.config,
      info,
      this._logEndOffset,
      now,
    );
    segment.append(batches, headers, now, this.config.indexIntervalBytes, adopt);
    this._logEndOffset = info.lastOffset + 1;
    return info;
  }

  /**
   * Starts a new active segment at `baseOffset` (default: the log end offset). The old one gets
   * its final time index entry and is fsynced, so after a crash only the active segment can have
   * a torn tail. An empty active segment is replaced rather than kept.
   */
  roll(now: number, baseOffset = this._logEndOffset): LogSegment {
    this.checkOpen();
    return rollSegment(this.segmentList, this.directory, this.config.segmentIndexBytes, now, baseOffset);
  }

  /** Index of the segment with the largest base offset ≤ `offset` (0 if none). */
  private floorSegmentIndex(offset: number): number {
    let lo = 0;
    let hi = this.segmentList.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.segmentList[mid].baseOffset <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /**
   * Reads whole batches from the one holding `offset` (Kafka's `UnifiedLog.read`), raw bytes as
   * stored, across segments, up to `maxBytes` and never a batch reaching `maxOffset` (exclusive:
   * the high watermark for consumers, the log end offset for followers). With `minOneBatch`, the
   * first batch comes even if larger than `maxBytes`, so a consumer always makes progress.
   * Throws {@link OffsetOutOfRangeError} below the log start offset or above the log end offset;
   * at the log end offset (or at or beyond `maxOffset`) the result is empty. Bytes read from
   * files go into memory from `into` when given (a Fetch's {@link ReadBufferLease}).
   */
  read(
    offset: number,
    maxBytes: number,
    maxOffset = this._logEndOffset,
    minOneBatch = true,
    into?: ReadBuffers,
  ): LogReadResult {
    this.checkOpen();
    if (offset < this._logStartOffset || offset > this._logEndOffset) {
      throw new OffsetOutOfRangeError(offset, this._logStartOffset, this._logEndOffset);
    }
    const records: Buffer[] = [];
    let sizeInBytes = 0;
    let at = offset;
    const bound = Math.min(maxOffset, this._logEndOffset);
    for (let i = this.floorSegmentIndex(offset); at < bound && i < this.segmentList.length; i++) {
      const first = records.length === 0;
      const r = this.segmentList[i].read(at, maxBytes - sizeInBytes, bound, minOneBatch && first, into);
      if (r === null) continue;
      if (r.records.length > 0) {
        records.push(r.records);
        sizeInBytes += r.records.length;
        at = r.nextOffset;
      }
      if (!r.endOfSegment) break;
    }
    return {
      records,
      sizeInBytes,
      nextOffset: at,
      logStartOffset: this._logStartOffset,
      logEndOffset: this._logEndOffset,
    };
  }

  /**
   * Calls `visit` for every batch from the log start offset on, oldest first, with its header
   * summary (its `position` is within its segment) and its base offset; reads headers only. For
   * rebuilding state kept outside the log, such as producer ids and sequences after a restart.
   */
  forEachBatch(visit: (batch: BatchSummary, baseOffset: number) => void): void {
    this.checkOpen();
    for (const segment of this.segmentList) {
      segment.visitBatchHeaders((header, position) => {
        const batch = readBatchSummary(header, 0, position);
        if (batch.baseOffset + batch.lastOffsetDelta >= this._logStartOffset) visit(batch, batch.baseOffset);
      });
    }
  }

  /**
   * Records an aborted transaction whose ABORT marker was just appended: the entry goes to the
   * active segment's `.txnindex`, the segment holding the marker.
   */
  appendAbortedTxn(entry: AbortedTxn): void {
    this.checkOpen();
    this.activeSegment.txnIndex.append(entry);
  }

  /**
   * The aborted transactions that overlap `[startOffset, upperBoundOffset)`: what a read_committed
   * fetch of that range must tell the consumer to skip.
   */
  collectAbortedTransactions(startOffset: number, upperBoundOffset: number): AbortedTxn[] {
    this.checkOpen();
    return collectAbortedTxns(this.segmentList, startOffset, upperBoundOffset);
  }

  /**
   * Recovery of the `.txnindex` files from `computed`, the aborted transactions a replay of the
   * log found: missing, torn or stale indexes are rewritten. Returns the base offsets of the
   * segments whose index was rewritten.
   */
  recoverTxnIndexes(computed: readonly AbortedTxn[]): number[] {
    this.checkOpen();
    return reconcileTxnIndexes(this.segmentList, computed, this._logEndOffset);
  }

  /**
   * ListOffsets by timestamp (Kafka's `fetchOffsetByTimestamp`): the first record at or after the
   * log start offset whose timestamp is ≥ `timestamp`, with that timestamp and its batch's leader
   * epoch; `null` if there is none (the response then carries offset -1). Resolution is per
   * record, for compressed batches too when `decompress` was given; otherwise a compressed batch
   * resolves to its first offset and its maxTimestamp. The special timestamps -1 (latest) and
   * -2 (earliest) are the caller's (high watermark, `logStartOffset`); -3 is
   * {@link offsetOfMaxTimestamp}. The caller also caps the answer at the high watermark.
   */
  offsetForTimestamp(timestamp: number): TimestampAndOffset | null {
    this.checkOpen();
    if (timestamp < 0)
      throw new RangeError(`timestamp ${timestamp}: special values are handled by the caller`);
    for (const segment of this.segmentList) {
      if (segment.largestTimestamp < timestamp) continue;
      const found = segment.findOffsetByTimestamp(timestamp, this._logStartOffset, this.decompress);
      if (found !== null) return found;
    }
    return null;
  }

  /**
   * ListOffsets with MAX_TIMESTAMP (-3, KIP-734): the record with the largest timestamp, the first
   * one if several share it; `null` when no batch carries a timestamp.
   */
  offsetOfMaxTimestamp(): TimestampAndOffset | null {
    this.checkOpen();
    let best: LogSegment | null = null;
    for (const segment of this.segmentList) {
      if (best === null || segment.maxTimestampSoFar.timestamp > best.maxTimestampSoFar.timestamp)
        best = segment;
    }
    return best === null ? null : best.offsetOfMaxTimestamp(this.decompress);
  }

  /** The log cleaner's checkpoint: offsets below it are clean (Kafka's `cleaner-offset-checkpoint`). */
  get cleanerCheckpoint(): number {
    return this.firstDirtyOffset;
  }

  /** Restores the log cleaner's checkpoint read back at start (kept within the log). */
  restoreCleanerCheckpoint(offset: number): void {
    this.firstDirtyOffset = Math.max(this._logStartOffset, Math.min(offset, this._logEndOffset));
  }

  /**
   * The range the log cleaner may compact now and how dirty it is (see {@link cleanableRange});
   * `lastStableOffset` bounds it, as no open transaction may be compacted.
   */
  cleanableRange(now: number, lastStableOffset: number): CleanableRange {
    this.checkOpen();
    return cleanableRange(this.segmentList, this.config, this._logStartOffset, {
      now,
      lastStableOffset,
      firstDirtyOffset: this.firstDirtyOffset,
    });
  }

  /**
   * Compacts the log if it is due (`cleanup.policy=compact`, see `cleaner.ts`): the latest record
   * of each key stays, at its offset; the segments below the cleanable end are rewritten with
   * their indexes. Returns what was done, or `null` when nothing was due.
   */
  clean(options: Omit<CleanOptions, 'firstDirtyOffset' | 'latestDeleteHorizon'>): CleanResult | null {
    this.checkOpen();
    const result = cleanLog(this.segmentList, this.directory, this.config, this._logStartOffset, {
      ...options,
      firstDirtyOffset: this.firstDirtyOffset,
      latestDeleteHorizon: this.latestDeleteHorizon,
    });
    if (result !== null) {
      this.firstDirtyOffset = result.firstDirtyOffset;
      this.latestDeleteHorizon = result.latestDeleteHorizon;
    }
    return result;
  }

  /**
   * DeleteRecords: moves the log start offset up to `offset` and deletes the segments wholly
   * below it; returns the new log start offset (the low watermark). The new offset is
   * checkpointed before any file goes. Throws {@link OffsetOutOfRangeError} above the log end
   * offset; the caller checks the high watermark, as Kafka's partition layer does.
   */
  deleteRecordsBefore(offset: number): number {
    this.checkOpen();
    if (offset > this._logEndOffset || offset < 0) {
      throw new OffsetOutOfRangeError(offset, this._logStartOffset, this._logEndOffset);
    }
    if (offset > this._logStartOffset) {
      this.updateLogStartOffset(offset);
      this.deleteOldSegments(
        'log-start-offset',
        this._logEndOffset,
        (_, next) => next.baseOffset <= this._logStartOffset,
      );
    }
    return this._logStartOffset;
  }

  /**
   * Deletes whole segments (never the active one) that are below the log start offset, beyond
   * `retention.bytes` (oldest first, while the rest still exceeds it) or older than
   * `retention.ms` by their largest timestamp, as Kafka's `deleteOldSegments`. Only segments
   * entirely below `highWatermark` qualify, so the log start offset never passes it.
   */
  applyRetention(now: number, highWatermark = this._logEndOffset): RetentionResult {
    this.checkOpen();
    const deleted = this.deleteOldSegments(
      'log-start-offset',
      highWatermark,
      (_, next) => next.baseOffset <= this._logStartOffset,
    );
    // Retention by size and time is `cleanup.policy=delete`'s; a compacted-only log keeps its keys.
    if (!this.config.cleanupPolicy.includes('delete'))
      return { deleted, logStartOffset: this._logStartOffset };
    const { retentionBytes, retentionMs } = this.config;
    if (retentionBytes >= 0 && this.size >= retentionBytes) {
      let excess = this.size - retentionBytes;
      deleted.push(
        ...this.deleteOldSegments('retention.bytes', highWatermark, (s) => {
          if (excess - s.size < 0) return false;
          excess -= s.size;
          return true;
        }),
      );
    }
    if (retentionMs >= 0) {
      deleted.push(
        ...this.deleteOldSegments(
          'retention.ms',
          highWatermark,
          (s) => now - s.largestTimestamp > retentionMs,
        ),
      );
    }
    return { deleted, logStartOffset: this._logStartOffset };
  }

  /** Deletes the oldest segments while `predicate` holds; the active segment always stays. */
  private deleteOldSegments(
    reason: DeletedSegment['reason'],
    highWatermark: number,
    predicate: (segment: LogSegment, next: LogSegment) => boolean,
  ): DeletedSegment[] {
    let count = 0;
    while (count < this.segmentList.length - 1) {
      const next = this.segmentList[count + 1];
      if (next.baseOffset > highWatermark || !predicate(this.segmentList[count], next)) break;
      count++;
    }
    if (count === 0) return [];
    const doomed = this.segmentList.splice(0, count);
    // Checkpoint first: a crash in the middle then finishes the deletion at the next load.
    this.updateLogStartOffset(Math.max(this._logStartOffset, this.segmentList[0].baseOffset));
    return doomed.map((segment) => {
      const info = segment.info;
      segment.delete();
      return { segment: info, reason };
    });
  }

  private updateLogStartOffset(offset: number): void {
    this._logStartOffset = offset;
    this.epochs.truncateFromStart(offset);
    // Checkpointed even when it equals the new first segment's base offset: if the process dies
    // before the old segments' files are gone, the next load must still skip them.
    this.directory.writeLogStartOffset(offset);
  }

  /**
   * Removes everything at or after `offset` (a follower truncating to the leader's log, Kafka's
   * `truncateTo`); returns whether anything changed. A batch holding `offset` goes entirely, and
   * the log end offset becomes `offset`.
   */
  truncateTo(offset: number, now: number): boolean {
    this.checkOpen();
    if (offset < 0) throw new RangeError(`cannot truncate to negative offset ${offset}`);
    if (offset >= this._logEndOffset) {
      // As Kafka: an epoch this replica started as leader without appending anything must go, or
      // the leader keeps finding the follower diverged.
      this.epochs.truncateFromEnd(this._logEndOffset);
      return false;
    }
    if (this.segmentList[0].baseOffset > offset) {
      this.truncateFullyAndStartAt(offset, now);
      return true;
    }
    this.epochs.truncateFromEnd(offset);
    this.firstDirtyOffset = Math.min(this.firstDirtyOffset, offset);
    while (this.activeSegment.baseOffset > offset) this.segmentList.pop()?.delete();
    this.activeSegment.truncateTo(offset, now);
    this._logEndOffset = offset;
    if (offset < this._logStartOffset) this.updateLogStartOffset(offset);
    return true;
  }

  /**
   * Deletes every segment and restarts the log empty at `offset`, which becomes both the log
   * start and end offset (a follower far behind the leader's log start offset).
   */
  truncateFullyAndStartAt(offset: number, now: number): void {
    this.checkOpen();
    for (const segment of this.segmentList) segment.delete();
    this.segmentList = [LogSegment.open(this.directory, offset, this.config.segmentIndexBytes, now)];
    this.epochs.clear();
    this._logEndOffset = offset;
    this.firstDirtyOffset = offset;
    this.updateLogStartOffset(offset);
  }

  /** fsyncs every segment with unflushed writes, and the directory. */
  flush(): void {
    this.checkOpen();
    for (const segment of this.segmentList) segment.flush();
    if (this.directory.path !== null) flushDirectory(this.directory.path);
  }

  /** Flushes and closes the log; further calls throw. */
  close(): void {
    if (this.closed) return;
    for (const segment of this.segmentList) segment.close();
    if (this.directory.path !== null) flushDirectory(this.directory.path);
    this.closed = true;
  }

  /** Deletes the log and its directory (topic deletion); further calls throw. */
  deleteLog(): void {
    for (const segment of this.segmentList) segment.delete();
    this.segmentList = [];
    this.directory.destroy();
    this.closed = true;
  }
}
