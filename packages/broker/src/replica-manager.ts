/**
 * The partitions a broker hosts (Kafka's ReplicaManager): creates and deletes their logs as the
 * cluster metadata changes, makes each replica leader or follower as the controller says (a
 * follower is handed to the replica fetchers), appends produce data, serves fetch reads, takes
 * followers' fetch positions and proposes ISR changes to the controller, runs retention, and
 * wakes waiting fetches and acks=all produces through the purgatories when data arrives or the
 * high watermark moves.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { type CompressionType, ErrorCode } from '@tskafka/protocol';
import { decodeRecordBatches, decompressSync, encodeRecordBatch } from '@tskafka/protocol/internals';
import { ApiError } from './api-error.js';
import type { BrokerNode } from './broker.js';
import type { TimerHandle } from './clock.js';
import { GROUP_METADATA_TOPIC_NAME, type ReplayCallback, type TxnProducer } from './group/store.js';
import {
  type LogConfig,
  logConfigFromTopicConfig,
  PartitionLog,
  ReadBufferPool,
  readOffsetCheckpoint,
  writeOffsetCheckpoint,
} from './log/index.js';
import { cleanPartition } from './log-cleaner.js';
import type { MetadataChange, PartitionState, TopicState } from './metadata.js';
import { Partition } from './partition.js';
import { Purgatory } from './purgatory.js';

/** How long a transaction marker waits for the ISR (Kafka: the broker's request.timeout.ms, 30 s). */
export const MARKER_REPLICATION_TIMEOUT_MS = 30_000;

import { ReplicaFetcherManager } from './replica-fetcher.js';
import { effectiveTopicConfig } from './topic-config.js';

/** High watermarks of the data directory's partitions, as Kafka names the file. */
export const REPLICATION_OFFSET_CHECKPOINT = 'replication-offset-checkpoint';
/** Where the log cleaner has cleaned each compacted partition up to, as Kafka names the file. */
export const CLEANER_OFFSET_CHECKPOINT = 'cleaner-offset-checkpoint';
/** Offsets up to which each partition's log is flushed, as Kafka names the file. */
export const RECOVERY_POINT_OFFSET_CHECKPOINT = 'recovery-point-offset-checkpoint';

/** One transaction's markers, as WriteTxnMarkers carries them. */
export interface TxnMarkerRequest {
  /** The transactional producer's id. */
  producerId: number;
  /** The producer epoch the transaction ran under. */
  producerEpoch: number;
  /** Epoch of the transaction coordinator writing the markers. */
  coordinatorEpoch: number;
  /** true = COMMIT, false = ABORT. */
  committed: boolean;
  /** The partitions the transaction wrote to (data partitions and `__consumer_offsets`). */
  partitions: { topic: string; partition: number }[];
}

/** Per-partition result: errorCode 0 when the marker is stored. */
export interface TxnMarkerResult {
  /** The topic. */
  topic: string;
  /** The partition index. */
  partition: number;
  /** 0, or the Kafka error code the marker was refused with. */
  errorCode: number;
}

/** The partitions hosted by one broker. */
export class ReplicaManager {
  /** Hosted partitions by `topic-index`. */
  readonly partitions = new Map<string, Partition>();
  /** Fetches waiting for data, watched by partition key. */
  readonly fetchPurgatory: Purgatory;
  /** acks=all produces waiting for the high watermark, watched by partition key. */
  readonly producePurgatory: Purgatory;
  /** Memory Fetch responses read segment files into, reused once each response is written. */
  readonly readBuffers = new ReadBufferPool();
  private readonly node: BrokerNode;
  private readonly dataDir: string | null;
  private retentionTimer: TimerHandle | null = null;
  private cleanerTimer: TimerHandle | null = null;
  private isrExpirationTimer: TimerHandle | null = null;
  private checkpointTimer: TimerHandle | null = null;
  /** High watermarks read from the data directory at start, by `topic-index`. */
  private checkpointedHighWatermarks = new Map<string, number>();
  /** Cleaner checkpoints read from the data directory at start, by `topic-index`. */
  private cleanerCheckpoints = new Map<string, number>();
  private fetchers: ReplicaFetcherManager | null = null;
  private stopped = false;

  /** Whether partition logs live in memory (and may keep appended bytes by reference). */
  get logsInMemory(): boolean {
    return this.dataDir === null;
  }

  /** Where the logs are, as DescribeLogDirs names it: the data dir, or `memory:broker-<id>`. */
  get logDir(): string {
    return this.dataDir ?? `memory:broker-${this.node.nodeId}`;
  }

  /** Partitions of `node`, in memory or under `dataDir`. */
  constructor(node: BrokerNode, dataDir: string | null) {
    this.node = node;
    this.dataDir = dataDir;
    this.fetchPurgatory = new Purgatory(node.clock);
    this.producePurgatory = new Purgatory(node.clock);
  }

  /** Opens the logs of every hosted partition and follows metadata changes. */
  start(): void {
    const clock = this.node.clock;
    if (this.dataDir) {
      this.checkpointedHighWatermarks =
        readOffsetCheckpoint(this.dataDir, REPLICATION_OFFSET_CHECKPOINT) ?? new Map();
      this.cleanerCheckpoints = readOffsetCheckpoint(this.dataDir, CLEANER_OFFSET_CHECKPOINT) ?? new Map();
      const interval = this.node.config.replicaHighWatermarkCheckpointIntervalMs;
      this.checkpointTimer = clock.setInterval(() => this.checkpointOffsets(false), interval);
    }
    for (const topic of this.node.metadata.topics.values()) this.openTopic(topic, 0, false);
    this.node.metadata.onChange((c) => {
      if (!this.stopped) this.onMetadataChange(c);
    });
    const interval = this.node.config.logRetentionCheckIntervalMs;
    this.retentionTimer = clock.setInterval(() => this.applyRetention(clock.now()), interval);
    if (this.node.config.logCleanerEnable) {
      const backoff = this.node.config.logCleanerBackoffMs;
      this.cleanerTimer = clock.setInterval(() => this.cleanLogs(clock.now()), backoff);
    }
    // Kafka's isr-expiration task runs at half the lag time.
    const lag = this.node.config.replicaLagTimeMaxMs;
    this.isrExpirationTimer = clock.setInterval(() => this.maybeShrinkIsr(clock.now()), Math.max(1, lag / 2));
  }

  /** Stops the replica fetchers, expires waiting fetches and produces, and closes every log. */
  stop(): void {
    this.stopped = true;
    const clock = this.node.clock;
    if (this.retentionTimer) clock.clearInterval(this.retentionTimer);
    if (this.cleanerTimer) clock.clearInterval(this.cleanerTimer);
    if (this.isrExpirationTimer) clock.clearInterval(this.isrExpirationTimer);
    if (this.checkpointTimer) clock.clearInterval(this.checkpointTimer);
    this.fetchers?.shutdown();
    this.fetchPurgatory.expireAll();
    this.producePurgatory.expireAll();
    for (const p of this.partitions.values()) p.log.close();
    // Closed logs are flushed: the recovery points are the log end offsets.
    this.checkpointOffsets(true);
    this.partitions.clear();
  }

  /**
   * Writes the high watermark of every hosted partition to `replication-offset-checkpoint`
   * (Kafka's `checkpointHighWatermarks`, every `replica.high.watermark.checkpoint.interval.ms`
   * and at shutdown) and their recovery points to `recovery-point-offset-checkpoint`: the log end
   * offset once `flushed`, else the active segment's base offset (older segments are flushed
   * when rolled). A restarted replica starts from the checkpointed high watermark.
   */
  checkpointOffsets(flushed: boolean): void {
    if (!this.dataDir) return;
    const hws = [];
    const recoveryPoints = [];
    for (const p of this.partitions.values()) {
      hws.push({ topic: p.topic, partition: p.index, offset: p.highWatermark });
      const recoveryPoint = flushed ? p.logEndOffset : (p.log.segments.at(-1)?.baseOffset ?? 0);
      recoveryPoints.push({ topic: p.topic, partition: p.index, offset: recoveryPoint });
    }
    writeOffsetCheckpoint(this.dataDir, REPLICATION_OFFSET_CHECKPOINT, hws);
    writeOffsetCheckpoint(this.dataDir, RECOVERY_POINT_OFFSET_CHECKPOINT, recoveryPoints);
  }

  private onMetadataChange(c: MetadataChange): void {
    switch (c.type) {
      case 'topicCreated':
        this.openTopic(c.topic, 0, true);
        break;
      case 'partitionsCreated':
        this.openTopic(c.topic, c.from, true);
        break;
      case 'topicDeleted':
        for (const ps of c.topic.partitions) {
          const key = `${c.topic.name}-${ps.partition}`;
          const p = this.partitions.get(key);
          if (!p) continue;
          this.partitions.delete(key);
          this.fetchers?.removePartition(p);
          p.log.deleteLog();
          this.wakeWaiting(key);
        }
        break;
      case 'configChanged': {
        const config = this.logConfig(c.topic);
        for (const ps of c.topic.partitions)
          this.partitions.get(`${c.topic.name}-${ps.partition}`)?.updateConfig(config);
        break;
      }
      case 'dynamicConfigChanged':
        // A broker default changed (the node has already applied it): every topic without its
        // own override of that config follows, as Kafka's DynamicLogConfig reconfigures all logs.
        for (const topic of this.node.metadata.topics.values()) {
          const config = this.logConfig(topic);
          for (const ps of topic.partitions)
            this.partitions.get(`${topic.name}-${ps.partition}`)?.updateConfig(config);
        }
        break;
      case 'leaderChanged':
      case 'isrChanged':
        this.syncReplica(c.topic, c.partition, this.node.clock.now());
        break;
    }
  }

  /**
   * Follows a partition's new state: a replica newly assigned here by a reassignment gets an
   * empty log and starts following; one no longer assigned here stops and deletes its log (Kafka's
   * StopReplica with deletion); otherwise the state is applied.
   */
  private syncReplica(topic: TopicState, ps: PartitionState, now: number): void {
    const key = `${topic.name}-${ps.partition}`;
    const hosted = this.partitions.get(key);
    const assigned = ps.replicas.includes(this.node.nodeId);
    if (!hosted && assigned) {
      this.openPartition(topic, ps, this.logConfig(topic), true);
    } else if (hosted && !assigned) {
      this.partitions.delete(key);
      this.fetchers?.removePartition(hosted);
      hosted.isLeader = false;
      this.wakeWaiting(key);
      // The request that completed the move may still be reading this log (a follower's fetch
      // whose ISR expansion finished it): the log goes once that request is done with it.
      queueMicrotask(() => hosted.log.deleteLog());
      this.node.log('info', `${key}: replica removed from this broker`);
    } else {
      this.applyPartitionState(topic, ps, now);
    }
  }

  /**
   * Makes the hosted replica of `ps` leader or follower as the controller says (Kafka's
   * `makeLeaders`/`makeFollowers`): a new leader epoch resets it, the same epoch only takes the
   * new replica set and ISR. Followers of a live leader go to that leader's fetcher. Waiting
   * operations on it are re-checked: a produce whose leader moved fails, one whose ISR shrank may
   * complete.
   */
  private applyPartitionState(topic: TopicState, ps: PartitionState, now: number): void {
    const p = this.partitions.get(`${topic.name}-${ps.partition}`);
    if (!p) return;
    const newEpoch = p.leaderEpoch !== ps.leaderEpoch;
    if (ps.leader === this.node.nodeId) {
      if (!p.isLeader || newEpoch) {
        this.fetchers?.removePartition(p);
        p.makeLeader(ps, now);
      } else {
        p.updateAssignment(ps, now);
        p.maybeAdvanceHighWatermark();
      }
    } else if (p.isLeader || newEpoch) {
      p.makeFollower(ps);
      this.fetchers?.removePartition(p);
      if (ps.leader !== -1) this.fetcherManager().addPartition(p, ps.leader);
    } else {
      p.updateAssignment(ps, now);
    }
    this.wakeWaiting(p.key);
  }

  private fetcherManager(): ReplicaFetcherManager {
    this.fetchers ??= new ReplicaFetcherManager(this.node);
    return this.fetchers;
  }

  /** Re-checks the fetches and produces waiting on `key` (new data, high watermark, leadership). */
  private wakeWaiting(key: string): void {
    this.fetchPurgatory.checkAndComplete(key);
    this.producePurgatory.checkAndComplete(key);
  }

  /**
   * A follower's fetch reached this leader (Kafka's `updateFollowerFetchState`): its position is
   * recorded, the ISR grows when it has caught up, and operations waiting on a moved high
   * watermark are woken.
   */
  recordFollowerFetch(p: Partition, replicaId: number, fetchOffset: number, now: number): void {
    const r = p.recordFollowerFetch(replicaId, fetchOffset, now);
    if (r.expandIsr) this.proposeIsr(p, r.expandIsr);
    if (r.highWatermarkChanged) this.wakeWaiting(p.key);
  }

  /** Drops followers that lag more than `replica.lag.time.max.ms` from the ISRs this broker leads. */
  maybeShrinkIsr(now: number): void {
    for (const p of this.partitions.values()) {
      const isr = p.isrAfterShrink(now, this.node.config.replicaLagTimeMaxMs);
      if (isr) this.proposeIsr(p, isr);
    }
  }

  /** Sends an ISR change to the controller; its event comes back through {@link applyPartitionState}. */
  private proposeIsr(p: Partition, isr: number[]): void {
    const ok = this.node.metadata.alterIsr(p.topic, p.index, this.node.nodeId, p.leaderEpoch, isr);
    if (ok)
      this.node.log('info', `${p.key}: ISR now ${p.isr.join(',')} (partition epoch ${p.partitionEpoch})`);
  }

  /** The log config of a topic: its overrides over the broker's defaults. */
  logConfig(topic: TopicState): LogConfig {
    return logConfigFromTopicConfig(effectiveTopicConfig(topic.configs, this.node.config));
  }

  /** Opens the logs of `topic`'s partitions from index `from`; `fresh` clears leftovers of a deleted namesake. */
  private openTopic(topic: TopicState, from: number, fresh: boolean): void {
    const config = this.logConfig(topic);
    for (const ps of topic.partitions.slice(from)) {
      if (!ps.replicas.includes(this.node.nodeId)) continue;
      if (this.partitions.has(`${topic.name}-${ps.partition}`)) continue;
      this.openPartition(topic, ps, config, fresh);
    }
  }

  /** Opens the log of this broker's replica of `ps` and gives it its state. */
  private openPartition(topic: TopicState, ps: PartitionState, config: LogConfig, fresh: boolean): void {
    const key = `${topic.name}-${ps.partition}`;
    const dir = this.dataDir ? join(this.dataDir, key) : null;
    if (dir && fresh) rmSync(dir, { recursive: true, force: true });
    // Decompression lets timestamp lookups see each record's time inside compressed batches.
    const log = PartitionLog.open({
      dir,
      config,
      now: this.node.clock.now(),
      topicId: topic.topicId,
      decompress: (type, data) => decompressSync(type as CompressionType, data),
    });
    // Kafka starts from the checkpointed high watermark, 0 (the log start) without one; a
    // replica in memory has nothing checkpointed and starts from its log end.
    const hw = dir ? (fresh ? 0 : (this.checkpointedHighWatermarks.get(key) ?? 0)) : log.logEndOffset;
    const cleaned = fresh ? undefined : this.cleanerCheckpoints.get(key);
    if (cleaned !== undefined) log.restoreCleanerCheckpoint(cleaned);
    const p = new Partition(topic.name, ps.partition, log, config, hw);
    p.localBrokerId = this.node.nodeId;
    // Neither leader nor follower yet: the controller's state below makes it one of them.
    p.isLeader = false;
    p.leaderEpoch = -1;
    this.partitions.set(key, p);
    this.applyPartitionState(topic, ps, this.node.clock.now());
  }

  /** The hosted partition, or undefined. */
  getPartition(topic: string, partition: number): Partition | undefined {
    return this.partitions.get(`${topic}-${partition}`);
  }

  /**
   * The partition if this broker leads it; else throws UNKNOWN_TOPIC_OR_PARTITION (no such
   * partition) or NOT_LEADER_OR_FOLLOWER (it exists but another broker leads it).
   */
  leaderPartition(topic: string, partition: number): Partition {
    const p = this.partitions.get(`${topic}-${partition}`);
    if (p?.isLeader) return p;
    const t = this.node.metadata.topics.get(topic);
    if (!t?.partitions[partition]) {
      throw new ApiError(
        ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
        'This server does not host this topic-partition.',
      );
    }
    throw new ApiError(
      ErrorCode.NOT_LEADER_OR_FOLLOWER,
      'For requests intended only for the leader, this error indicates that the broker is not the current leader.',
    );
  }

  /**
   * Appends produce data to a partition this broker leads and wakes fetches waiting on it. With
   * `adopt` the log may keep `records` uncopied (they are a request's bytes, see
   * {@link Partition.appendAsLeader}).
   */
  appendToLeader(topic: string, partition: number, records: Buffer, now: number, adopt = false) {
    const p = this.leaderPartition(topic, partition);
    const result = p.appendAsLeader(records, now, 'client', adopt);
    if (!result.duplicate) this.fetchPurgatory.checkAndComplete(p.key);
    return result;
  }

  /**
   * Appends one uncompressed batch of key/value records to an internal topic (the coordinators'
   * state). With `txn` the batch is transactional, written for that producer (the group
   * coordinator's TxnOffsetCommit): its epoch is checked, its transaction opens in the partition,
   * and the marker written later decides it.
   */
  appendInternal(
    topic: string,
    partition: number,
    records: { key: Buffer | null; value: Buffer | null }[],
    now: number,
    txn?: TxnProducer,
  ): number {
    const batch = encodeRecordBatch({
      records: records.map((r) => ({ key: r.key, value: r.value, timestamp: now })),
      // Kafka writes coordinator batches with sequence 0; only their epoch is checked.
      ...(txn
        ? {
            producerId: txn.producerId,
            producerEpoch: txn.producerEpoch,
            baseSequence: 0,
            isTransactional: true,
          }
        : {}),
    });
    const p = this.leaderPartition(topic, partition);
    const result = p.appendAsLeader(batch, now, 'coordinator');
    this.fetchPurgatory.checkAndComplete(p.key);
    return result.baseOffset;
  }

  /**
   * Replays every record of a hosted partition in order, markers included, with the batch each
   * came from (coordinators load their state with it).
   */
  readInternal(topic: string, partition: number, onRecord: ReplayCallback): void {
    const p = this.getPartition(topic, partition);
    if (!p) return;
    let offset = p.logStartOffset;
    while (offset < p.logEndOffset) {
      const { records } = p.log.read(offset, 1024 * 1024, p.logEndOffset, true);
      const data = Array.isArray(records) ? Buffer.concat(records) : records;
      if (data.length === 0) break;
      let next = offset;
      for (const batch of decodeRecordBatches(data)) {
        const info = {
          producerId: batch.producerId,
          isTransactional: batch.isTransactional,
          isControl: batch.isControl,
        };
        for (const r of batch.records) {
          if (r.offset >= offset) onRecord(r.key, r.value, r.offset, info);
        }
        next = batch.baseOffset + batch.lastOffsetDelta + 1;
      }
      if (next <= offset) break;
      offset = next;
    }
  }

  /**
   * Writes one transaction's COMMIT or ABORT marker to each listed partition this broker leads
   * (UNKNOWN_TOPIC_OR_PARTITION / NOT_LEADER_OR_FOLLOWER for the others), wakes fetches waiting on
   * them (the last stable offset moves), and hands markers on `__consumer_offsets` partitions to
   * the group coordinator, which then commits or drops the producer's pending offsets. Called by
   * the WriteTxnMarkers handler and by the local transaction coordinator alike.
   *
   * As Kafka appends markers with acks=all, a partition's result is only NONE once its high
   * watermark has passed the marker: a marker the leader alone held would be cut off by the next
   * leader's log, leaving the transaction open there, so the following transaction of the
   * producer would be taken as part of it (its committed records read as aborted, or aborted
   * ones as committed). NOT_LEADER_OR_FOLLOWER (leadership moved) and REQUEST_TIMED_OUT make the
   * coordinator write it again, at the new leader.
   */
  async writeTxnMarkers(req: TxnMarkerRequest): Promise<TxnMarkerResult[]> {
    const now = this.node.clock.now();
    const results: TxnMarkerResult[] = [];
    const pending: { result: TxnMarkerResult; p: Partition; leaderEpoch: number; requiredOffset: number }[] =
      [];
    for (const { topic, partition } of req.partitions) {
      let errorCode: number = ErrorCode.NONE;
      try {
        const p = this.leaderPartition(topic, partition);
        const markerOffset = p.appendTxnMarker(
          {
            producerId: req.producerId,
            producerEpoch: req.producerEpoch,
            coordinatorEpoch: req.coordinatorEpoch,
            committed: req.committed,
          },
          now,
        );
        this.fetchPurgatory.checkAndComplete(p.key);
        if (topic === GROUP_METADATA_TOPIC_NAME) {
          this.node.groupCoordinator.onTxnMarker(partition, req.producerId, req.committed);
        }
        const result = { topic, partition, errorCode };
        results.push(result);
        pending.push({ result, p, leaderEpoch: p.leaderEpoch, requiredOffset: markerOffset + 1 });
        continue;
      } catch (e) {
        if (!(e instanceof ApiError)) throw e;
        errorCode = e.code;
      }
      results.push({ topic, partition, errorCode });
    }
    await this.awaitMarkersReplicated(pending);
    return results;
  }

  /**
   * Compacts every hosted log of a compacted topic whose cleaning is due (the log cleaner's
   * round); with `force`, whatever the dirty ratio. Returns the partitions cleaned.
   */
  cleanLogs(now: number, force = false): string[] {
    const cleaned: string[] = [];
    for (const p of this.partitions.values()) {
      if (cleanPartition(p, now, (level, message) => this.node.log(level, message), force))
        cleaned.push(p.key);
    }
    if (cleaned.length > 0 && this.dataDir) {
      const entries = [...this.partitions.values()]
        .filter((p) => p.log.config.cleanupPolicy.includes('compact'))
        .map((p) => ({ topic: p.topic, partition: p.index, offset: p.log.cleanerCheckpoint }));
      writeOffsetCheckpoint(this.dataDir, CLEANER_OFFSET_CHECKPOINT, entries);
    }
    return cleaned;
  }

  /**
   * Resolves with NONE once this broker's replica of `topic`-`partition` has its high watermark at
   * `offset` or beyond (what was appended up to there is in the ISR), NOT_LEADER_OR_FOLLOWER when
   * it stops leading it first, REQUEST_TIMED_OUT after `timeoutMs` (Kafka's acks=all append
   * for the coordinators' own writes).
   */
  awaitHighWatermark(topic: string, partition: number, offset: number, timeoutMs: number): Promise<number> {
    const p = this.getPartition(topic, partition);
    if (!p?.isLeader) return Promise.resolve(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    const leaderEpoch = p.leaderEpoch;
    const status = (): number | null => {
      if (!p.isLeader || p.leaderEpoch !== leaderEpoch) return ErrorCode.NOT_LEADER_OR_FOLLOWER;
      return p.highWatermark >= offset ? ErrorCode.NONE : null;
    };
    const now = status();
    if (now !== null) return Promise.resolve(now);
    return new Promise((resolve) => {
      this.producePurgatory.tryCompleteElseWatch(
        {
          tryComplete() {
            const s = status();
            if (s === null) return false;
            resolve(s);
            return true;
          },
          onExpire() {
            resolve(status() ?? ErrorCode.REQUEST_TIMED_OUT);
          },
        },
        [p.key],
        timeoutMs,
      );
    });
  }

  /** Waits until each marker is below its partition's high watermark (see writeTxnMarkers). */
  private awaitMarkersReplicated(
    pending: { result: TxnMarkerResult; p: Partition; leaderEpoch: number; requiredOffset: number }[],
  ): Promise<void> {
    const settle = (expired: boolean): boolean => {
      let done = true;
      for (const w of pending) {
        if (w.result.errorCode !== ErrorCode.NONE) continue;
        if (!w.p.isLeader || w.p.leaderEpoch !== w.leaderEpoch)
          w.result.errorCode = ErrorCode.NOT_LEADER_OR_FOLLOWER;
        else if (w.p.highWatermark < w.requiredOffset) {
          if (expired) w.result.errorCode = ErrorCode.REQUEST_TIMED_OUT;
          else done = false;
        }
      }
      return done;
    };
    if (settle(false)) return Promise.resolve();
    return new Promise((resolve) => {
      this.producePurgatory.tryCompleteElseWatch(
        {
          tryComplete() {
            if (!settle(false)) return false;
            resolve();
            return true;
          },
          onExpire() {
            settle(true);
            resolve();
          },
        },
        [...new Set(pending.map((w) => w.p.key))],
        MARKER_REPLICATION_TIMEOUT_MS,
      );
    });
  }

  /** Deletes old segments of every hosted partition by time and size. */
  applyRetention(now: number): void {
    for (const p of this.partitions.values()) {
      p.log.applyRetention(now, p.highWatermark);
      p.producerState.truncateHead(p.logStartOffset);
      p.producerState.expire(now, this.node.config.producerIdExpirationMs);
    }
  }
}
