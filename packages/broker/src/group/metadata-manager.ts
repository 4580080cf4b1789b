/**
 * Kafka's GroupMetadataManager: the cache of groups this broker coordinates, which partitions of
 * `__consumer_offsets` it owns (it leads them and has replayed them), and the reads and writes of
 * group metadata and committed offsets as records of those partitions.
 */

import { ErrorCode } from '@tskafka/protocol';
import { ControlRecordType, decodeControlRecord } from '@tskafka/protocol/internals';
import { ApiError } from '../api-error.js';
import type { Clock } from '../clock.js';
import type { BrokerConfig } from '../config.js';
import type { ClusterMetadata, TopicState } from '../metadata.js';
import { ClassicGroup, GroupState, type OffsetAndMetadata, type PendingTxnOffset } from './group.js';
import { MemberMetadata } from './member.js';
import {
  decodeGroupMetadataValue,
  decodeOffsetCommitValue,
  decodeRecordKey,
  groupMetadataKey,
  groupMetadataValue,
  offsetCommitKey,
  offsetCommitValue,
} from './records.js';
import {
  type CoordinatorRecord,
  GROUP_METADATA_TOPIC_NAME,
  type GroupStore,
  type InternalLog,
  type ReplayedBatch,
  type TxnProducer,
} from './store.js';

/** What the coordinator needs of its broker node (BrokerNode satisfies it). */
export interface CoordinatorHost {
  /** This broker's node id. */
  readonly nodeId: number;
  /** The broker configuration (group.* and offsets.* settings). */
  readonly config: BrokerConfig;
  /** The cluster metadata: the offsets topic and who leads its partitions. */
  readonly metadata: ClusterMetadata;
  /** The local log, for the offsets topic's records. */
  readonly replicaManager: InternalLog;
  /** Logs a line. */
  log(level: 'debug' | 'info' | 'warn' | 'error', message: string): void;
}

/** Java's `String.hashCode()`: `s[0]*31^(n-1) + ... + s[n-1]` over UTF-16 code units, in int32. */
export function javaStringHashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

/** The offsets partition of a group: `Utils.abs(groupId.hashCode) % partitions`, Kafka's `abs` being `& 0x7fffffff`. */
export function partitionForGroup(groupId: string, numPartitions: number): number {
  return (javaStringHashCode(groupId) & 0x7fffffff) % numPartitions;
}

/** How Kafka creates `__consumer_offsets`: compacted, producer compression, 100 MiB segments. */
export const OFFSETS_TOPIC_CONFIGS: Record<string, string> = {
  'cleanup.policy': 'compact',
  'compression.type': 'producer',
  'segment.bytes': '104857600',
};

/** `offset.metadata.max.bytes`: longer commit metadata is refused with OFFSET_METADATA_TOO_LARGE. */
export const OFFSET_METADATA_MAX_BYTES = 4096;

/** Offsets gathered by a load: group id → `topic:partition` → the offset and where its record is. */
type LoadedOffsets = Map<string, Map<string, PendingTxnOffset>>;
type LoadedMetadata = Map<string, ReturnType<typeof decodeGroupMetadataValue> | null>;

/** What a load gathers from one offsets partition (Kafka's `doLoadGroupsAndOffsets`). */
interface LoadState {
  /** Committed offsets. */
  offsets: LoadedOffsets;
  /** Transactional offsets whose marker has not been seen yet, by producer id. */
  pending: Map<number, LoadedOffsets>;
  /** Group metadata. */
  metadata: LoadedMetadata;
}

function offsetsOf(all: LoadedOffsets, groupId: string): Map<string, PendingTxnOffset> {
  let byGroup = all.get(groupId);
  if (!byGroup) {
    byGroup = new Map();
    all.set(groupId, byGroup);
  }
  return byGroup;
}

/** Applies a marker to a load: a COMMIT moves its producer's pending offsets to the committed ones. */
function replayMarker(producerId: number, key: Buffer | null, value: Buffer | null, state: LoadState): void {
  const control = decodeControlRecord(key, value);
  if (control.type !== ControlRecordType.Commit && control.type !== ControlRecordType.Abort) return;
  const pending = state.pending.get(producerId);
  state.pending.delete(producerId);
  if (!pending || control.type !== ControlRecordType.Commit) return;
  for (const [groupId, byTp] of pending) {
    const committed = offsetsOf(state.offsets, groupId);
    for (const [tp, o] of byTp) {
      const current = committed.get(tp);
      if (!current || current.recordOffset < o.recordOffset) committed.set(tp, o);
    }
  }
}

/**
 * Applies one record of the offsets topic to what a load has gathered: the last record of a key
 * wins; offsets of a transactional batch wait for their producer's marker.
 */
function replayRecord(
  key: Buffer,
  value: Buffer | null,
  recordOffset: number,
  batch: ReplayedBatch,
  state: LoadState,
): void {
  const k = decodeRecordKey(key);
  if (k.type === 'group') {
    state.metadata.set(k.group, value === null ? null : decodeGroupMetadataValue(value));
    return;
  }
  if (k.type !== 'offset') return; // records of newer coordinators (KIP-848 groups, ...) are not ours
  let target = state.offsets;
  if (batch.isTransactional) {
    target = state.pending.get(batch.producerId) ?? new Map();
    state.pending.set(batch.producerId, target);
  }
  const byGroup = offsetsOf(target, k.group);
  const tp = `${k.topic}:${k.partition}`;
  if (value === null) {
    byGroup.delete(tp);
    return;
  }
  const v = decodeOffsetCommitValue(value);
  byGroup.set(tp, {
    topic: k.topic,
    partition: k.partition,
    recordOffset,
    offset: {
      offset: v.offset,
      leaderEpoch: v.leaderEpoch,
      metadata: v.metadata,
      commitTimestamp: v.commitTimestamp,
      // Only version 1 carries an expire timestamp (commits that asked for a retention time).
      expireTimestamp: v.version === 1 && v.expireTimestamp >= 0 ? v.expireTimestamp : null,
    },
  });
}

/** Called when a group is loaded from, or unloaded for, a partition. */
export interface GroupLoadListener {
  /** A group was read back from its partition (members continue from the stored generation). */
  onGroupLoaded(group: ClassicGroup): void;
  /** This broker no longer coordinates the group. */
  onGroupUnloaded(group: ClassicGroup): void;
}

/** The groups of the offsets partitions this broker leads. */
export class GroupMetadataManager {
  /** Groups by id. */
  readonly groups = new Map<string, ClassicGroup>();
  private readonly loaded = new Set<number>();
  private readonly host: CoordinatorHost;
  private readonly store: GroupStore;
  private readonly clock: Clock;
  private readonly listener: GroupLoadListener;

  /** A manager persisting through `store`. */
  constructor(host: CoordinatorHost, store: GroupStore, clock: Clock, listener: GroupLoadListener) {
    this.host = host;
    this.store = store;
    this.clock = clock;
    this.listener = listener;
  }

  /** The offsets topic, if it exists yet. */
  get offsetsTopic(): TopicState | undefined {
    return this.host.metadata.topics.get(GROUP_METADATA_TOPIC_NAME);
  }

  /** Partitions of the offsets topic: the topic's own count once it exists, else the configured one. */
  get numPartitions(): number {
    return this.offsetsTopic?.partitions.length || this.host.config.offsetsTopicNumPartitions;
  }

  /** The offsets partition that holds `groupId`. */
  partitionFor(groupId: string): number {
    return partitionForGroup(groupId, this.numPartitions);
  }

  /**
   * Creates `__consumer_offsets` if it does not exist yet (Kafka creates it on the first
   * FindCoordinator). Throws ApiError when it cannot, e.g. too few brokers for its replication factor.
   */
  ensureOffsetsTopic(): TopicState {
    const existing = this.offsetsTopic;
    if (existing) return existing;
    const cfg = this.host.config;
    const alive = this.host.metadata.aliveBrokers().length;
    if (alive < cfg.offsetsTopicReplicationFactor) {
      throw new ApiError(
        ErrorCode.COORDINATOR_NOT_AVAILABLE,
        `Number of alive brokers '${alive}' does not meet the required replication factor '${cfg.offsetsTopicReplicationFactor}' for the offsets topic (configured via 'offsets.topic.replication.factor').`,
      );
    }
    this.host.log(
      'info',
      `creating ${GROUP_METADATA_TOPIC_NAME} with ${cfg.offsetsTopicNumPartitions} partitions`,
    );
    return this.host.metadata.createTopic(GROUP_METADATA_TOPIC_NAME, {
      numPartitions: cfg.offsetsTopicNumPartitions,
      replicationFactor: cfg.offsetsTopicReplicationFactor,
      internal: true,
      configs: OFFSETS_TOPIC_CONFIGS,
    });
  }

  /**
   * Whether this broker coordinates `groupId` now: 0, NOT_COORDINATOR (another broker leads its
   * partition, or the topic does not exist yet) or COORDINATOR_LOAD_IN_PROGRESS (its partition
   * could not be read yet). Loads the partition on first use and unloads it when leadership moved.
   */
  checkOwnership(groupId: string): number {
    const p = this.partitionFor(groupId);
    const ps = this.offsetsTopic?.partitions[p];
    if (!ps || ps.leader !== this.host.nodeId) {
      if (this.loaded.has(p)) this.unloadPartition(p);
      return ErrorCode.NOT_COORDINATOR;
    }
    if (!this.loaded.has(p) && !this.loadPartition(p)) return ErrorCode.COORDINATOR_LOAD_IN_PROGRESS;
    return ErrorCode.NONE;
  }

  /** Loads every partition this broker leads and unloads those it no longer leads. */
  syncOwnership(): void {
    const topic = this.offsetsTopic;
    for (const p of [...this.loaded]) {
      if (topic?.partitions[p]?.leader !== this.host.nodeId) this.unloadPartition(p);
    }
    for (const ps of topic?.partitions ?? []) {
      if (ps.leader === this.host.nodeId && !this.loaded.has(ps.partition)) this.loadPartition(ps.partition);
    }
  }

  /**
   * Replays partition `p` into the cache (Kafka's doLoadGroupsAndOffsets): the last record of
   * each key wins, tombstones delete; groups with offsets but no metadata are simple groups.
   * Transactional offsets become committed at their COMMIT marker, are dropped at ABORT, and stay
   * pending when the log holds no marker for them yet. Returns false when the partition cannot be
   * read yet.
   */
  loadPartition(p: number): boolean {
    const state: LoadState = { offsets: new Map(), pending: new Map(), metadata: new Map() };
    const { offsets, pending, metadata } = state;
    try {
      this.store.replay(p, (key, value, recordOffset, batch) => {
        try {
          if (batch.isControl) replayMarker(batch.producerId, key, value, state);
          else if (key) replayRecord(key, value, recordOffset, batch, state);
        } catch (e) {
          // One bad record must not keep every group of the partition from loading.
          this.host.log(
            'warn',
            `${GROUP_METADATA_TOPIC_NAME}-${p}: skipping the undecodable record at offset ${recordOffset}: ${(e as Error).message}`,
          );
        }
      });
    } catch (e) {
      this.host.log('warn', `cannot load ${GROUP_METADATA_TOPIC_NAME}-${p} yet: ${(e as Error).message}`);
      return false;
    }
    this.loaded.add(p);
    const now = this.clock.now();
    const loadedGroups: ClassicGroup[] = [];
    for (const [groupId, v] of metadata) {
      if (v === null) continue;
      loadedGroups.push(this.groupFromRecord(groupId, v, now));
    }
    const withOffsets = new Set<string>();
    for (const [groupId, byGroup] of offsets) if (byGroup.size > 0) withOffsets.add(groupId);
    for (const byProducer of pending.values())
      for (const [groupId, byGroup] of byProducer) if (byGroup.size > 0) withOffsets.add(groupId);
    const withMetadata = new Set(loadedGroups.map((g) => g.groupId));
    for (const groupId of withOffsets) {
      if (!withMetadata.has(groupId)) loadedGroups.push(new ClassicGroup(groupId, GroupState.Empty, now));
    }
    for (const group of loadedGroups) {
      for (const o of offsets.get(group.groupId)?.values() ?? [])
        group.putOffset(o.topic, o.partition, o.offset, o.recordOffset);
      for (const [producerId, byProducer] of pending)
        for (const o of byProducer.get(group.groupId)?.values() ?? [])
          group.putPendingTxnOffset(producerId, o);
      this.groups.set(group.groupId, group);
      this.listener.onGroupLoaded(group);
    }
    this.host.log('info', `loaded ${loadedGroups.length} groups from ${GROUP_METADATA_TOPIC_NAME}-${p}`);
    return true;
  }

  private groupFromRecord(
    groupId: string,
    v: ReturnType<typeof decodeGroupMetadataValue>,
    now: number,
  ): ClassicGroup {
    const state = v.members.length > 0 ? GroupState.Stable : GroupState.Empty;
    const group = new ClassicGroup(groupId, state, now);
    group.generationId = v.generation;
    group.protocolType = v.protocolType === '' ? null : v.protocolType;
    group.protocolName = v.protocol;
    group.currentStateTimestamp = v.currentStateTimestamp >= 0 ? v.currentStateTimestamp : null;
    for (const m of v.members) {
      const member = new MemberMetadata({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        // v0 records have no rebalance timeout: Kafka then uses the session timeout.
        rebalanceTimeoutMs: v.version >= 1 ? m.rebalanceTimeout : m.sessionTimeout,
        sessionTimeoutMs: m.sessionTimeout,
        protocolType: v.protocolType,
        supportedProtocols: [{ name: v.protocol ?? '', metadata: Buffer.from(m.subscription) }],
      });
      member.assignment = Buffer.from(m.assignment);
      group.add(member);
    }
    group.leaderId = v.leader;
    group.subscribedTopics = group.computeSubscribedTopics();
    return group;
  }

  /** Drops the groups of partition `p` from the cache (this broker no longer leads it). */
  unloadPartition(p: number): void {
    this.loaded.delete(p);
    for (const group of [...this.groups.values()]) {
      if (this.partitionFor(group.groupId) !== p) continue;
      this.groups.delete(group.groupId);
      this.listener.onGroupUnloaded(group);
    }
    this.host.log('info', `unloaded the groups of ${GROUP_METADATA_TOPIC_NAME}-${p}`);
  }

  /** Unloads everything (shutdown). */
  unloadAll(): void {
    for (const p of [...this.loaded]) this.unloadPartition(p);
  }

  /** The group, if cached. */
  getGroup(groupId: string): ClassicGroup | undefined {
    return this.groups.get(groupId);
  }

  /** The group; when absent and `create`, a new Empty one. */
  getOrMaybeCreateGroup(groupId: string, create: boolean): ClassicGroup | undefined {
    const existing = this.groups.get(groupId);
    if (existing || !create) return existing;
    const group = new ClassicGroup(groupId, GroupState.Empty, this.clock.now());
    this.groups.set(groupId, group);
    return group;
  }

  /**
   * Writes the group's metadata with `assignment` (member id → bytes) as one record; resolves with
   * 0 once it is in the ISR, or with the append's error (not yet mapped for members: see
   * `groupAppendError`).
   */
  storeGroup(group: ClassicGroup, assignment: ReadonlyMap<string, Buffer>): Promise<number> {
    const protocol = group.protocolName;
    const value = groupMetadataValue({
      protocolType: group.protocolType ?? '',
      generation: group.generationId,
      protocol,
      leader: group.leaderId,
      currentStateTimestamp: group.currentStateTimestamp ?? -1,
      members: [...group.members.values()].map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        rebalanceTimeout: m.rebalanceTimeoutMs,
        sessionTimeout: m.sessionTimeoutMs,
        subscription: protocol === null ? Buffer.alloc(0) : m.metadata(protocol),
        assignment: assignment.get(m.memberId) ?? Buffer.alloc(0),
      })),
    });
    const { error, endOffset } = this.append(group.groupId, [
      { key: groupMetadataKey(group.groupId), value },
    ]);
    if (error !== ErrorCode.NONE) return Promise.resolve(error);
    return this.awaitReplicated(group.groupId, endOffset);
  }

  /**
   * Writes committed offsets as one batch and caches them once the batch is in the ISR, as
   * Kafka's `storeOffsets` does (until then OffsetFetch with requireStable sees them pending).
   * Resolves with 0 or the error for every partition of the commit (the batch is all or nothing).
   */
  async storeOffsets(
    group: ClassicGroup,
    offsets: { topic: string; partition: number; offset: OffsetAndMetadata }[],
  ): Promise<number> {
    if (offsets.length === 0) return ErrorCode.NONE;
    const records = offsets.map(({ topic, partition, offset }) => ({
      key: offsetCommitKey(group.groupId, topic, partition),
      value: offsetCommitValue(offset),
    }));
    const { error, baseOffset, endOffset } = this.append(group.groupId, records);
    if (error !== ErrorCode.NONE) return error;
    group.prepareOffsetCommit(offsets);
    const replicated = await this.awaitReplicated(group.groupId, endOffset);
    group.completeOffsetCommit(offsets);
    if (replicated !== ErrorCode.NONE) return replicated;
    // A group deleted meanwhile keeps nothing (Kafka checks the group is not Dead in the callback).
    if (!group.is(GroupState.Dead)) {
      offsets.forEach((o, i) => {
        group.putOffsetIfNewer(o.topic, o.partition, o.offset, baseOffset + i);
      });
    }
    return ErrorCode.NONE;
  }

  /**
   * Writes offsets committed in `txn`'s transaction as one transactional batch of that producer;
   * they stay pending until the transaction's marker reaches the group's offsets partition.
   * Resolves with 0 once the batch is in the ISR, or the error for every partition. Pending from
   * the append on, as the log holds them: a marker can only follow the client's next request.
   */
  async storeTxnOffsets(
    group: ClassicGroup,
    txn: TxnProducer,
    offsets: { topic: string; partition: number; offset: OffsetAndMetadata }[],
  ): Promise<number> {
    if (offsets.length === 0) return ErrorCode.NONE;
    const records = offsets.map(({ topic, partition, offset }) => ({
      key: offsetCommitKey(group.groupId, topic, partition),
      value: offsetCommitValue(offset),
    }));
    const { error, baseOffset, endOffset } = this.append(group.groupId, records, txn);
    if (error !== ErrorCode.NONE) return error;
    if (!group.is(GroupState.Dead)) {
      offsets.forEach((o, i) => {
        group.putPendingTxnOffset(txn.producerId, { ...o, recordOffset: baseOffset + i });
      });
    }
    return this.awaitReplicated(group.groupId, endOffset);
  }

  /** Waits until the group's partition has everything below `endOffset` in its ISR (see GroupStore.awaitReplicated). */
  private awaitReplicated(groupId: string, endOffset: number): Promise<number> {
    return this.store
      .awaitReplicated(this.partitionFor(groupId), endOffset, this.host.config.offsetsCommitTimeoutMs)
      .catch((e: unknown) => {
        this.host.log(
          'error',
          `cannot wait for ${GROUP_METADATA_TOPIC_NAME} replication for group ${groupId}: ${(e as Error).stack}`,
        );
        return ErrorCode.UNKNOWN_SERVER_ERROR;
      });
  }

  /** Appends to the group's partition: the error code (0 when stored), the first record's offset and the offset after the last. */
  private append(
    groupId: string,
    records: CoordinatorRecord[],
    txn?: TxnProducer,
  ): { error: number; baseOffset: number; endOffset: number } {
    try {
      const baseOffset = this.store.append(this.partitionFor(groupId), records, this.clock.now(), txn);
      return { error: ErrorCode.NONE, baseOffset, endOffset: baseOffset + records.length };
    } catch (e) {
      if (e instanceof ApiError) return { error: e.code, baseOffset: -1, endOffset: -1 };
      this.host.log(
        'error',
        `cannot append to ${GROUP_METADATA_TOPIC_NAME} for group ${groupId}: ${(e as Error).stack}`,
      );
      return { error: ErrorCode.UNKNOWN_SERVER_ERROR, baseOffset: -1, endOffset: -1 };
    }
  }

  /**
   * Removes what `selector` picks from each group, then writes tombstones for those offsets; an
   * Empty group left without offsets dies, and its metadata gets a tombstone too unless it never
   * had a generation (a group only used for offsets). Tombstones are best effort, as in Kafka: a
   * lost one is written again by the next cleanup. Returns the number of offsets removed.
   */
  cleanupGroupMetadata(
    groups: Iterable<ClassicGroup>,
    selector: (g: ClassicGroup) => { topic: string; partition: number }[],
  ): number {
    let removed = 0;
    const now = this.clock.now();
    for (const group of [...groups]) {
      const removedOffsets = selector(group);
      if (group.is(GroupState.Empty) && !group.hasOffsets) group.transitionTo(GroupState.Dead, now);
      const tombstones: CoordinatorRecord[] = removedOffsets.map((tp) => ({
        key: offsetCommitKey(group.groupId, tp.topic, tp.partition),
        value: null,
      }));
      if (group.is(GroupState.Dead) && this.groups.get(group.groupId) === group) {
        this.groups.delete(group.groupId);
        if (group.generationId > 0) tombstones.push({ key: groupMetadataKey(group.groupId), value: null });
      }
      if (tombstones.length === 0) continue;
      const { error } = this.append(group.groupId, tombstones);
      if (error === ErrorCode.NONE) removed += removedOffsets.length;
      else this.host.log('warn', `cannot write tombstones for group ${group.groupId}: error ${error}`);
    }
    return removed;
  }

  /**
   * Ends a producer's pending transactional offsets in the groups of `offsetsPartition`: moved to
   * the committed offsets on COMMIT, dropped on ABORT (Kafka's `handleTxnCompletion`).
   */
  handleTxnCompletion(producerId: number, offsetsPartition: number, committed: boolean): void {
    for (const group of this.groups.values()) {
      if (this.partitionFor(group.groupId) !== offsetsPartition) continue;
      group.completePendingTxnOffsetCommit(producerId, committed);
    }
  }

  /** Expires offsets past their retention and removes groups left Empty with none (Kafka's periodic cleanup). */
  expireOffsets(now: number): number {
    const retention = this.host.config.offsetsRetentionMs;
    const removed = this.cleanupGroupMetadata(this.groups.values(), (g) => {
      const expired = g.expiredOffsets(now, retention);
      return g.removeOffsets(expired);
    });
    if (removed > 0) this.host.log('info', `removed ${removed} expired offsets`);
    return removed;
  }
}
