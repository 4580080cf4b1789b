/**
 * A partition replica hosted by one broker: its log, and the state kept apart from the log as
 * Kafka keeps it: leader epoch, high watermark (what consumers may read), last stable offset (what
 * read_committed consumers may read), log end offset (what the log holds), and the producer state
 * for idempotence and transactions. As leader it tracks each follower's log end offset from its
 * fetches, proposes ISR changes (expand when a follower has caught up, shrink when one lags more
 * than `replica.lag.time.max.ms`) and keeps the high watermark at the smallest log end offset in
 * the ISR (Kafka's `maybeExpandIsr`, `maybeShrinkIsr`, `maybeIncrementLeaderHW`). As follower it
 * appends the leader's batches as they are and takes the leader's high watermark. The controller
 * applies ISR changes; this class only says what to ask for, and takes `now` as a parameter.
 */

import { ErrorCode } from '@tskafka/protocol';
import {
  buildEndTxnMarkerBatch,
  ControlRecordType,
  decodeControlRecord,
  decodeRecordBatch,
} from '@tskafka/protocol/internals';
import { ApiError } from './api-error.js';
import {
  type AbortedTxn,
  type AppendOptions,
  type BatchSummary,
  type EpochEndOffset,
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

/** What a leader knows of one follower replica (Kafka's `ReplicaState`). */
export interface FollowerState {
  /** The follower's log end offset, from its last fetch offset; -1 until it fetches. */
  logEndOffset: number;
  /** When the follower was last known to hold everything the leader had. */
  lastCaughtUpTimeMs: number;
  /** When it last fetched. */
  lastFetchTimeMs: number;
  /** The leader's log end offset at that fetch. */
  lastFetchLeaderLogEndOffset: number;
}

/** The leadership and replica set the controller gives a partition. */
export interface ReplicaAssignment {
  /** The leader's node id, -1 for none. */
  leader: number;
  /** The leader epoch. */
  leaderEpoch: number;
  /** The partition epoch (bumped on ISR and replica changes). */
  partitionEpoch: number;
  /** Assigned replicas. */
  replicas: number[];
  /** In-sync replicas. */
  isr: number[];
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
  /** Idempotent producer state (rebuilt from the log after a follower truncates). */
  producerState = new ProducerStateManager();
  /** This broker's node id; -1 for a replica outside a cluster (the ISR is then this one alone). */
  localBrokerId = -1;
  /** Assigned replicas, as the controller last said. */
  replicas: number[] = [];
  /** In-sync replicas, as the controller last said. Empty: this replica alone. */
  isr: number[] = [];
  /** The partition epoch of that state. */
  partitionEpoch = 0;
  /** The log end offset when this replica became leader in its current epoch. */
  private leaderEpochStartOffset = 0;
  /** Followers' state, while leader. */
  private readonly followers = new Map<number, FollowerState>();
  private config: LogConfig;

  /**
   * Wraps an opened log. `highWatermark` is the checkpointed one (Kafka's
   * `replication-offset-checkpoint`), kept within the log; without it everything the log holds
   * counts as committed.
   */
  constructor(
    topic: string,
    index: number,
    log: PartitionLog,
    config: LogConfig,
    highWatermark = log.logEndOffset,
  ) {
    this.topic = topic;
    this.index = index;
    this.key = `${topic}-${index}`;
    this.log = log;
    this.config = config;
    // A leader recomputes it from its ISR, a follower takes the leader's: until then a restarted
    // replica must not expose more than was committed before it stopped.
    this.highWatermark = Math.max(log.logStartOffset, Math.min(highWatermark, log.logEndOffset));
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

  /**
   * OffsetForLeaderEpoch on this replica (Kafka's `lastOffsetForLeaderEpoch`, always leader-only
   * as Kafka asks it): the client's current epoch is checked first, then leadership; the answer
   * is the leader epoch cache's end offset of `leaderEpoch`, `-1, -1` when it cannot say.
   */
  lastOffsetForLeaderEpoch(currentLeaderEpoch: number, leaderEpoch: number): EpochEndOffset {
    this.checkLeaderEpoch(currentLeaderEpoch);
    if (!this.isLeader) {
      throw new ApiError(ErrorCode.NOT_LEADER_OR_FOLLOWER, `This broker is not the leader of ${this.key}`);
    }
    return this.log.endOffsetForEpoch(leaderEpoch);
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
      compacted: this.config.cleanupPolicy.includes('compact'),
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

  /**
   * As leader, raises the high watermark to the smallest log end offset in the ISR (a follower
   * that has not fetched since this replica became leader holds it back); it never goes down.
   * With the ISR this replica alone, everything in the log is committed. Returns whether it moved.
   */
  maybeAdvanceHighWatermark(): boolean {
    if (!this.isLeader) return false;
    let hw = this.log.logEndOffset;
    for (const id of this.isr) {
      if (id === this.localBrokerId) continue;
      hw = Math.min(hw, this.followers.get(id)?.logEndOffset ?? -1);
    }
    if (hw <= this.highWatermark) return false;
    this.highWatermark = hw;
    return true;
  }

  /**
   * Becomes leader for `state` (Kafka's `makeLeader`): every follower's state is unknown again,
   * ISR members counting as caught up now so they have `replica.lag.time.max.ms` to fetch, and
   * the new epoch starts at the log end offset in the leader epoch cache, so followers ahead of
   * it find where they diverge.
   */
  makeLeader(state: ReplicaAssignment, now: number): void {
    this.isLeader = true;
    this.leaderEpoch = state.leaderEpoch;
    this.leaderEpochStartOffset = this.log.logEndOffset;
    // Only replicated partitions need it (a lone replica has no follower to diverge from), and a
    // lone replica's directory then stays as it was.
    if (state.replicas.length > 1) this.log.assignEpochStartOffset(state.leaderEpoch, this.log.logEndOffset);
    this.followers.clear();
    this.updateAssignment(state, now);
    this.maybeAdvanceHighWatermark();
  }

  /**
   * Whether, as leader, this replica's high watermark still lies before the start of its epoch:
   * just after an election it is the old one, which the previous leader had moved past (KIP-207).
   * Until followers catch up it cannot say what "latest" is without going backwards.
   */
  get highWatermarkBehindEpochStart(): boolean {
    return this.isLeader && this.highWatermark < this.leaderEpochStartOffset;
  }

  /** Becomes a follower for `state`; the high watermark is bounded by what the log holds. */
  makeFollower(state: ReplicaAssignment): void {
    this.isLeader = false;
    this.leaderEpoch = state.leaderEpoch;
    this.followers.clear();
    this.replicas = [...state.replicas];
    this.isr = [...state.isr];
    this.partitionEpoch = state.partitionEpoch;
    this.highWatermark = Math.min(this.highWatermark, this.log.logEndOffset);
  }

  /** Takes a new replica set and ISR from the controller in the same leader epoch. */
  updateAssignment(state: ReplicaAssignment, now: number): void {
    this.replicas = [...state.replicas];
    this.isr = [...state.isr];
    this.partitionEpoch = state.partitionEpoch;
    if (!this.isLeader) return;
    for (const id of this.replicas) {
      if (id === this.localBrokerId || this.followers.has(id)) continue;
      this.followers.set(id, {
        logEndOffset: -1,
        lastCaughtUpTimeMs: this.isr.includes(id) ? now : 0,
        lastFetchTimeMs: 0,
        lastFetchLeaderLogEndOffset: -1,
      });
    }
    for (const id of [...this.followers.keys()]) if (!this.replicas.includes(id)) this.followers.delete(id);
  }

  /** The leader's view of follower `replicaId`, if it is one. */
  followerState(replicaId: number): Readonly<FollowerState> | undefined {
    return this.followers.get(replicaId);
  }

  /**
   * As leader, records a fetch of follower `replicaId` at `fetchOffset` (its log end offset,
   * Kafka's `updateFollowerFetchState`). It counts as caught up now when it asked for the leader's
   * log end offset, or as of its previous fetch when it reached what the leader had then. Returns
   * whether the high watermark moved, and the ISR to propose when the follower has caught up
   * with the high watermark and this epoch's start (Kafka's `maybeExpandIsr`).
   */
  recordFollowerFetch(
    replicaId: number,
    fetchOffset: number,
    now: number,
  ): { highWatermarkChanged: boolean; expandIsr: number[] | null } {
    const f = this.followers.get(replicaId);
    if (!this.isLeader || !f) return { highWatermarkChanged: false, expandIsr: null };
    const leaderEnd = this.log.logEndOffset;
    if (fetchOffset >= leaderEnd) f.lastCaughtUpTimeMs = Math.max(f.lastCaughtUpTimeMs, now);
    else if (fetchOffset >= f.lastFetchLeaderLogEndOffset)
      f.lastCaughtUpTimeMs = Math.max(f.lastCaughtUpTimeMs, f.lastFetchTimeMs);
    f.logEndOffset = fetchOffset;
    f.lastFetchTimeMs = now;
    f.lastFetchLeaderLogEndOffset = leaderEnd;
    const inSync = fetchOffset >= this.highWatermark && fetchOffset >= this.leaderEpochStartOffset;
    const expandIsr = !this.isr.includes(replicaId) && inSync ? [...this.isr, replicaId] : null;
    return { highWatermarkChanged: this.maybeAdvanceHighWatermark(), expandIsr };
  }

  /**
   * As leader, the ISR without the followers not caught up for more than `lagTimeMaxMs` (Kafka's
   * `maybeShrinkIsr`), or null when all keep up.
   */
  isrAfterShrink(now: number, lagTimeMaxMs: number): number[] | null {
    if (!this.isLeader || this.isr.length <= 1) return null;
    const outOfSync = this.isr.filter((id) => {
      if (id === this.localBrokerId) return false;
      const f = this.followers.get(id);
      return !f || now - f.lastCaughtUpTimeMs > lagTimeMaxMs;
    });
    return outOfSync.length === 0 ? null : this.isr.filter((id) => !outOfSync.includes(id));
  }

  /**
   * Appends batches fetched from the leader, keeping their offsets and epochs (Kafka's
   * `appendAsFollower`): only their structure and CRC are checked. Producer state and
   * transactions follow them, so this replica can take over as leader.
   */
  appendAsFollower(records: Buffer, now: number): void {
    if (this.isLeader) {
      throw new ApiError(ErrorCode.NOT_LEADER_OR_FOLLOWER, `${this.key}: a leader takes no replicated data`);
    }
    const batches = validateRecordBatches(records, {
      origin: 'replication',
      maxMessageBytes: Number.MAX_SAFE_INTEGER,
    });
    this.log.appendAsFollower(records, now);
    for (const b of batches) {
      const aborted = this.replayBatch(b, b.baseOffset);
      if (aborted) this.log.appendAbortedTxn(aborted);
    }
  }

  /** As follower, takes the leader's high watermark, bounded by this log's end. */
  updateFollowerHighWatermark(leaderHighWatermark: number): void {
    this.highWatermark = Math.min(leaderHighWatermark, this.log.logEndOffset);
  }

  /** As follower, follows the leader's log start offset up (DeleteRecords and retention there). */
  maybeIncrementLogStartOffset(leaderLogStartOffset: number): void {
    const target = Math.min(leaderLogStartOffset, this.highWatermark);
    if (target > this.log.logStartOffset) this.deleteRecordsBefore(target);
  }

  /**
   * As follower, cuts the log at `offset` where it diverges from the leader's; producer state is
   * rebuilt from what stays. Returns whether anything was removed.
   */
  truncateTo(offset: number, now: number): boolean {
    const changed = this.log.truncateTo(offset, now);
    if (changed) {
      this.producerState = new ProducerStateManager();
      this.rebuildProducerState();
    }
    this.highWatermark = Math.min(this.highWatermark, this.log.logEndOffset);
    return changed;
  }

  /** As follower behind the leader's log start, empties the log to restart at `offset`. */
  truncateFullyAndStartAt(offset: number, now: number): void {
    this.log.truncateFullyAndStartAt(offset, now);
    this.producerState = new ProducerStateManager();
    this.highWatermark = offset;
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
      const entry = this.replayBatch(b, offset);
      if (entry) aborted.push(entry);
    });
    this.log.recoverTxnIndexes(aborted);
  }

  /**
   * Applies one batch already in the log to the producer state: data batches move sequences,
   * markers close transactions. Returns the aborted transaction a marker closed, if any.
   */
  private replayBatch(b: BatchSummary, offset: number): AbortedTxn | null {
    if (b.producerId < 0) return null;
    if (!b.isControl) {
      this.producerState.update(b, offset, offset + b.lastOffsetDelta, b.maxTimestamp);
      return null;
    }
    const marker = this.readMarker(b, offset);
    return marker === null ? null : this.completeTxn(marker, offset, b.maxTimestamp);
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
