/**
 * A partition replica hosted by one broker: its log, and the state kept apart from the log as
 * Kafka keeps it: leader epoch, high watermark (what consumers may read), log end offset (what the
 * log holds), and the producer state for idempotence. Followers and ISR plug in here later: the
 * high watermark already advances through {@link Partition.maybeAdvanceHighWatermark}.
 */
import { ErrorCode } from '@tskafka/protocol';
import { ApiError } from './api-error.js';
import { type LogConfig, type PartitionLog, validateRecordBatches } from './log/index.js';
import { type BatchMetadata, ProducerStateManager } from './producer-state.js';

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
   */
  appendAsLeader(records: Buffer, now: number): LeaderAppendResult {
    if (!this.isLeader) {
      throw new ApiError(ErrorCode.NOT_LEADER_OR_FOLLOWER, `This broker is not the leader of ${this.key}`);
    }
    const batches = validateRecordBatches(records, { maxMessageBytes: this.config.maxMessageBytes });
    // Idempotent producers send one batch per partition; Kafka checks duplicates for that case.
    for (const b of batches) {
      const check = this.producerState.check(b);
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

  /** Re-reads producer ids, epochs and sequences from the log (after restart). */
  private rebuildProducerState(): void {
    this.log.forEachBatch((b, offset) => {
      if (b.producerId < 0 || b.isControl) return;
      this.producerState.update(b, offset, offset + b.lastOffsetDelta, b.maxTimestamp);
    });
  }
}
