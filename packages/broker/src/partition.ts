/**
 * A partition replica hosted by one broker: its log, and the state kept apart from the log as
 * Kafka keeps it: leader epoch, high watermark (what consumers may read), last stable offset (what
 * read_committed consumers may read), log end offset (what the log holds), and the producer state
 * for idempotence and transactions. Followers and ISR plug in here later: the high watermark
 * already advances through {@link Partition.maybeAdvanceHighWatermark}.
 */
import {
  buildEndTxnMarkerBatch,
  ControlRecordType,
  decodeControlRecord,
  decodeRecordBatch,
  ErrorCode,
} from '@tskafka/protocol';
import { ApiError } from './api-error.js';
import {
  type AbortedTxn,
  type AppendOptions,
  type BatchSummary,
  type LogConfig,
  type PartitionLog,
  validateRecordBatches,
} from './log/index.js';
import {
  type AppendOrigin,
  type BatchMetadata,
  type MarkerInfo,
  ProducerStateManager,
} from './producer-state.js';

/** Result of appending a produce request's records to a leader. */
export interface LeaderAppendResult {
  /** Offset of the first record written (or of the original, for a duplicate). */
  baseOffset: number;
  /** Offset of the last record written. */
  lastOffset: number;
  /** Log append time, or -1 with CreateTime. */
  logAppendTime: number;
  /** The log start offset after the append. */
  logStartOffset: number;
  /** Whether the batch was a retry already in the log (nothing was stored). */
  duplicate: boolean;
}

/** A COMMIT or ABORT marker to write to one partition. */
export type TxnMarker = MarkerInfo;

/** A partition replica on this broker. */
export class Partition {
  /** The topic name. */
  readonly topic: string;
  /** The partition index. */
  readonly index: number;
  /** `topic-index`, the key fetches and produces wait on in the purgatory. */
  readonly key: string;
  /** The log. */
  readonly log: PartitionLog;
  /** The leader epoch this replica knows. */
  leaderEpoch = 0;
  /** Whether this broker leads the partition. */
  isLeader = true;
  /** Offsets below this are committed (replicated to the ISR) and visible to consumers. */
  highWatermark: number;
  /** Idempotent producer state. */
  readonly producerState = new ProducerStateManager();
  private config: LogConfig;

  /** Wraps an opened log. */
  constructor(topic: string, index: number, log: PartitionLog, config: LogConfig) {
    this.topic = topic;
    this.index = index;
    this.key = `${topic}-${index}`;
    this.log = log;
    this.config = config;
    // A single replica has everything it holds committed; with followers the leader recomputes it.
    this.highWatermark = log.logEndOffset;
    this.rebuildProducerState();
  }

  /** Log end offset: the next offset the log will assign. */
  get logEndOffset(): number {
    return this.log.logEndOffset;
  }

  /** Log start offset: the first offset still readable. */
  get logStartOffset(): number {
    return this.log.logStartOffset;
  }

  /**
   * Last stable offset: read_committed consumers read below it. The first offset of the earliest
   * open transaction (never below the log start offset, as Kafka's first unstable offset), capped
   * by the high watermark.
   */
  get lastStableOffset(): number {
    const first = this.producerState.firstUnstableOffset;
    if (first === null) return this.highWatermark;
    return Math.min(this.highWatermark, Math.max(first, this.log.logStartOffset));
  }

  /**
   * The aborted transactions overlapping `[startOffset, upperBoundOffset)`, for a read_committed
   * fetch returning that range.
   */
  collectAbortedTransactions(startOffset: number, upperBoundOffset: number): AbortedTxn[] {
    return this.log.collectAbortedTransactions(startOffset, upperBoundOffset);
  }

  /**
   * Checks a client's current leader epoch (-1 skips the check, as Kafka does): newer than ours is
   * UNKNOWN_LEADER_EPOCH (we are behind), older is FENCED_LEADER_EPOCH (the client is behind).
   */
  checkLeaderEpoch(currentLeaderEpoch: number): void {
    if (currentLeaderEpoch < 0 || currentLeaderEpoch === this.leaderEpoch) return;
    throw new ApiError(
      currentLeaderEpoch > this.leaderEpoch ? ErrorCode.UNKNOWN_LEADER_EPOCH : ErrorCode.FENCED_LEADER_EPOCH,
      `leader epoch ${currentLeaderEpoch} does not match ${this.leaderEpoch}`,
    );
  }

  /** Applies a new topic config (retention, segment size, ...). */
  updateConfig(config: LogConfig): void {
    this.config = config;
    this.log.updateConfig(config);
  }

  /**
   * Validates and appends a produce request's records. Throws {@link ApiError} with Kafka's code
   * for invalid batches and sequence errors; a duplicate retry returns the original offsets.
   * `origin` is `coordinator` for the group coordinator's own records (transactional offset
   * commits), which are checked for their producer epoch only. With `adopt` the caller hands
   * `records` over to the log (see {@link AppendOptions.adopt}).
   */
  appendAsLeader(
    records: Buffer,
    now: number,
    origin: AppendOrigin = 'client',
    adopt = false,
  ): LeaderAppendResult {
    if (!this.isLeader) {
      throw new ApiError(ErrorCode.NOT_LEADER_OR_FOLLOWER, `This broker is not the leader of ${this.key}`);
    }
    const batches = validateRecordBatches(records, {
      maxMessageBytes: this.config.maxMessageBytes,
      singleBatch: origin === 'client',
    });
    // Idempotent producers send one batch per partition; Kafka checks duplicates for that case.
    for (const b of batches) {
      const check = this.producerState.check(b, origin);
      if (check.kind === 'duplicate') {
        if (batches.length !== 1) {
          throw new ApiError(
            ErrorCode.DUPLICATE_SEQUENCE_NUMBER,
            'Duplicate batch inside a multi-batch request',
          );
        }
        return this.duplicateResult(check.batch);
      }
    }
    const appended = this.log.append(records, {
      leaderEpoch: this.leaderEpoch,
      now,
      timestampType: this.config.messageTimestampType,
      adopt,
    });
    let offset = appended.firstOffset;
    for (const b of batches) {
      const last = offset + b.lastOffsetDelta;
      this.producerState.update(
        b,
        offset,
        last,
        appended.logAppendTime === -1 ? b.maxTimestamp : appended.logAppendTime,
      );
      offset = last + 1;
    }
    this.maybeAdvanceHighWatermark();
    return {
      baseOffset: appended.firstOffset,
      lastOffset: appended.lastOffset,
      logAppendTime: appended.logAppendTime,
      logStartOffset: this.log.logStartOffset,
      duplicate: false,
    };
  }

  /**
   * Writes a transaction marker for a producer (Kafka's `appendAsLeader` with origin
   * COORDINATOR): a control batch, transactional, with the producer's id and epoch, no sequence and
   * one COMMIT or ABORT record carrying the coordinator epoch. The producer's open transaction
   * here closes; an aborted one goes into the aborted transaction index. Throws
   * INVALID_PRODUCER_EPOCH for a marker older than the producer's epoch and
   * TRANSACTION_COORDINATOR_FENCED for one from an older coordinator. Returns the marker's offset.
   */
  appendTxnMarker(marker: TxnMarker, now: number): number {
    if (!this.isLeader) {
      throw new ApiError(ErrorCode.NOT_LEADER_OR_FOLLOWER, `This broker is not the leader of ${this.key}`);
    }
    this.producerState.checkMarker(marker);
    const batch = buildEndTxnMarkerBatch({
      producerId: marker.producerId,
      producerEpoch: marker.producerEpoch,
      commit: marker.committed,
      coordinatorEpoch: marker.coordinatorEpoch,
      timestamp: now,
    });
    const appended = this.log.append(batch, {
      leaderEpoch: this.leaderEpoch,
      now,
      timestampType: this.config.messageTimestampType,
    });
    const aborted = this.completeTxn(marker, appended.firstOffset, now);
    if (aborted) this.log.appendAbortedTxn(aborted);
    this.maybeAdvanceHighWatermark();
    return appended.firstOffset;
  }

  /** Closes the producer's transaction at the marker at `offset`; indexes it when aborted. */
  private completeTxn(marker: MarkerInfo, offset: number, now: number): AbortedTxn | null {
    const txn = this.producerState.completeTxn(marker, offset, now);
    if (txn === null || !txn.isAborted) return null;
    return {
      producerId: txn.producerId,
      firstOffset: txn.firstOffset,
      lastOffset: txn.lastOffset,
      lastStableOffset: this.producerState.lastStableOffsetAfter(txn),
    };
  }

  private duplicateResult(b: BatchMetadata): LeaderAppendResult {
    return {
      baseOffset: b.firstOffset,
      lastOffset: b.lastOffset,
      logAppendTime: this.config.messageTimestampType === 'LogAppendTime' ? b.timestamp : -1,
      logStartOffset: this.log.logStartOffset,
      duplicate: true,
    };
  }

  /** With no followers yet the ISR is this replica alone, so everything in the log is committed. */
  maybeAdvanceHighWatermark(): boolean {
    const hw = this.log.logEndOffset;
    if (hw === this.highWatermark) return false;
    this.highWatermark = hw;
    return true;
  }

  /** Moves the log start offset (DeleteRecords); returns the new low watermark. */
  deleteRecordsBefore(offset: number): number {
    if (offset > this.highWatermark) {
      throw new ApiError(
        ErrorCode.OFFSET_OUT_OF_RANGE,
        `Cannot delete records of ${this.key} before ${offset}: above the high watermark ${this.highWatermark}`,
      );
    }
    const start = this.log.deleteRecordsBefore(offset);
    this.producerState.truncateHead(start);
    return start;
  }

  /**
   * Re-reads producer ids, epochs, sequences and open transactions from the log (after restart),
   * and recovers the aborted transaction index from the markers found: a `.txnindex` missing,
   * torn or behind its log is rewritten.
   */
  private rebuildProducerState(): void {
    const aborted: AbortedTxn[] = [];
    this.log.forEachBatch((b, offset) => {
      if (b.producerId < 0) return;
      if (!b.isControl) {
        this.producerState.update(b, offset, offset + b.lastOffsetDelta, b.maxTimestamp);
        return;
      }
      const marker = this.readMarker(b, offset);
      if (marker === null) return;
      const entry = this.completeTxn(marker, offset, b.maxTimestamp);
      if (entry) aborted.push(entry);
    });
    this.log.recoverTxnIndexes(aborted);
  }

  /** The transaction marker in the control batch at `offset`, or null for other control records. */
  private readMarker(b: BatchSummary, offset: number): MarkerInfo | null {
    const data = this.log.read(offset, b.length, offset + b.lastOffsetDelta + 1, true).records;
    const bytes = data.length === 1 ? data[0] : Buffer.concat(data);
    const record = decodeRecordBatch(bytes.subarray(0, b.length)).records[0];
    if (!record) return null;
    const control = decodeControlRecord(record.key, record.value);
    if (control.type !== ControlRecordType.Commit && control.type !== ControlRecordType.Abort) return null;
    return {
      producerId: b.producerId,
      producerEpoch: b.producerEpoch,
      coordinatorEpoch: control.coordinatorEpoch ?? -1,
      committed: control.type === ControlRecordType.Commit,
    };
  }
}
