/**
 * The group coordinator's offset and admin operations, after Kafka's GroupCoordinator:
 * OffsetCommit (members of the current generation, or simple `assign()` consumers of an empty
 * group), TxnOffsetCommit (offsets pending until their transaction's marker), OffsetFetch, DescribeGroups, ListGroups, DeleteGroups and OffsetDelete.
 */
import { ErrorCode } from '@tskafka/protocol';
import type { GroupCoordinator } from './coordinator.js';
import { type ClassicGroup, GroupState, type MemberSummary, type OffsetAndMetadata } from './group.js';
import { type GroupMetadataManager, OFFSET_METADATA_MAX_BYTES } from './metadata-manager.js';
import { offsetAppendError } from './store.js';

/** One partition's offset to commit. */
export interface OffsetCommitEntry {
  /** The topic. */
  topic: string;
  /** The partition. */
  partition: number;
  /** What to commit. */
  offset: OffsetAndMetadata;
}

/** An OffsetCommit request, as the coordinator needs it. */
export interface CommitOffsetsParams {
  /** The group id. */
  groupId: string;
  /** The member id ('' for simple consumers). */
  memberId: string;
  /** The group.instance.id, if static. */
  groupInstanceId: string | null;
  /** The member's generation (-1 for simple consumers). */
  generationId: number;
  /** The request version (v9+ answers GROUP_ID_NOT_FOUND for an unknown group). */
  apiVersion: number;
  /** The offsets. */
  offsets: OffsetCommitEntry[];
}

/** A TxnOffsetCommit request, as the coordinator needs it. */
export interface CommitTxnOffsetsParams {
  /** The group id. */
  groupId: string;
  /** The transactional producer's id. */
  producerId: number;
  /** Its epoch. */
  producerEpoch: number;
  /** The member id (v3+; '' when not sent). */
  memberId: string;
  /** The group.instance.id (v3+), if static. */
  groupInstanceId: string | null;
  /** The member's generation (v3+; -1 when not sent). */
  generationId: number;
  /** The offsets. */
  offsets: OffsetCommitEntry[];
}

/** One partition's committed offset, as OffsetFetch answers it. */
export interface FetchedOffset {
  /** The topic. */
  topic: string;
  /** The partition. */
  partition: number;
  /** The committed offset, -1 when there is none. */
  offset: number;
  /** Its leader epoch, -1 when unknown. */
  leaderEpoch: number;
  /** Its metadata ('' when there is none). */
  metadata: string;
  /** The partition's error code. */
  errorCode: number;
}

/** A group as DescribeGroups answers it. */
export interface DescribedGroup {
  /** The error code. */
  errorCode: number;
  /** The state name, '' on error. */
  state: string;
  /** The protocol type. */
  protocolType: string;
  /** The selected protocol while Stable, else ''. */
  protocol: string;
  /** The members. */
  members: MemberSummary[];
}

/** Group type names of ListGroups v5; this coordinator only has classic groups. */
export const CLASSIC_GROUP_TYPE = 'classic';

/** The offset and admin operations of one coordinator. */
export class OffsetOps {
  private readonly coordinator: GroupCoordinator;
  private readonly manager: GroupMetadataManager;

  /** Operations on `manager`'s groups, validated by `coordinator`. */
  constructor(coordinator: GroupCoordinator, manager: GroupMetadataManager) {
    this.coordinator = coordinator;
    this.manager = manager;
  }

  /**
   * Commits offsets; resolves with one error code per entry, in order. It resolves once the
   * offsets are in the ISR of the group's `__consumer_offsets` partition, so an answered commit
   * survives a restart and a coordinator failover; a write the ISR does not take within
   * `offsets.commit.timeout.ms` answers REQUEST_TIMED_OUT, one whose leader moved NOT_COORDINATOR.
   */
  async commitOffsets(p: CommitOffsetsParams): Promise<number[]> {
    const all = (code: number) => p.offsets.map(() => code);
    const status = this.coordinator.validateGroupStatus(p.groupId, true);
    if (status !== ErrorCode.NONE) return all(status);
    let group = this.manager.getGroup(p.groupId);
    if (!group) {
      if (p.generationId >= 0) {
        return all(p.apiVersion >= 9 ? ErrorCode.GROUP_ID_NOT_FOUND : ErrorCode.ILLEGAL_GENERATION);
      }
      // Not using group management (generation -1): a "simple" group that only stores offsets.
      group = this.manager.getOrMaybeCreateGroup(p.groupId, true) as ClassicGroup;
    }
    const error = this.validateOffsetCommit(group, p);
    if (error !== ErrorCode.NONE) return all(error);
    switch (group.state) {
      case GroupState.Empty:
        break;
      case GroupState.Stable:
      case GroupState.PreparingRebalance:
        // Commits are allowed while preparing: the heartbeat answer tells the member to rejoin.
        this.coordinator.touchMember(group, p.memberId);
        break;
      case GroupState.CompletingRebalance:
        // The member has its new generation but not its assignment yet; it should finish the rebalance.
        return all(ErrorCode.REBALANCE_IN_PROGRESS);
      default:
        return all(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    }
    const results = p.offsets.map((o) =>
      Buffer.byteLength(o.offset.metadata) > OFFSET_METADATA_MAX_BYTES
        ? ErrorCode.OFFSET_METADATA_TOO_LARGE
        : ErrorCode.NONE,
    );
    const valid = p.offsets.filter((_, i) => results[i] === ErrorCode.NONE);
    const stored = offsetAppendError(await this.manager.storeOffsets(group, valid));
    return results.map((r) => (r === ErrorCode.NONE ? stored : r));
  }

  /**
   * Commits offsets in a producer's transaction (Kafka's `handleTxnCommitOffsets`): written to
   * `__consumer_offsets` as a transactional batch of that producer, then kept pending, invisible
   * to OffsetFetch, until the transaction's marker commits or drops them. Generation and member
   * are checked when the request carries them (v3+); a group with members is not required, since
   * older clients send neither. Resolves with one error code per entry, in order, once the batch
   * is in the ISR (as {@link OffsetOps.commitOffsets}).
   */
  async commitTxnOffsets(p: CommitTxnOffsetsParams): Promise<number[]> {
    const all = (code: number) => p.offsets.map(() => code);
    const status = this.coordinator.validateGroupStatus(p.groupId, false);
    if (status !== ErrorCode.NONE) return all(status);
    const group = this.manager.getOrMaybeCreateGroup(p.groupId, true) as ClassicGroup;
    const error = this.validateOffsetCommit(group, p, true);
    if (error !== ErrorCode.NONE) return all(error);
    const results = p.offsets.map((o) =>
      Buffer.byteLength(o.offset.metadata) > OFFSET_METADATA_MAX_BYTES
        ? ErrorCode.OFFSET_METADATA_TOO_LARGE
        : ErrorCode.NONE,
    );
    const valid = p.offsets.filter((_, i) => results[i] === ErrorCode.NONE);
    const stored = offsetAppendError(
      await this.manager.storeTxnOffsets(
        group,
        { producerId: p.producerId, producerEpoch: p.producerEpoch },
        valid,
      ),
    );
    return results.map((r) => (r === ErrorCode.NONE ? stored : r));
  }

  /** Kafka's `validateOffsetCommit` for a classic group. */
  private validateOffsetCommit(
    group: ClassicGroup,
    p: Pick<CommitOffsetsParams, 'generationId' | 'memberId' | 'groupInstanceId'>,
    isTransactional = false,
  ): number {
    if (group.is(GroupState.Dead)) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    // Generation -1 comes from the admin client or a consumer without group management.
    if (p.generationId < 0 && group.is(GroupState.Empty)) return ErrorCode.NONE;
    if (p.generationId >= 0 || p.memberId !== '' || p.groupInstanceId !== null) {
      const error = this.coordinator.validateCurrentMember(group, p.memberId, p.groupInstanceId);
      if (error !== ErrorCode.NONE) return error;
      return p.generationId !== group.generationId ? ErrorCode.ILLEGAL_GENERATION : ErrorCode.NONE;
    }
    // Only members may commit for a group that has members; not so for transactional commits,
    // whose older versions carry no member id or generation.
    return isTransactional || group.is(GroupState.Empty) ? ErrorCode.NONE : ErrorCode.UNKNOWN_MEMBER_ID;
  }

  /**
   * Fetches committed offsets of `partitions`, or of every partition the group has committed when
   * null. Partitions without a commit answer -1. With `requireStable`, a partition whose
   * transactional commit is still open answers UNSTABLE_OFFSET_COMMIT, so the client retries.
   */
  fetchOffsets(
    groupId: string,
    requireStable: boolean,
    partitions: { topic: string; partition: number }[] | null,
  ): { errorCode: number; offsets: FetchedOffset[] } {
    const status = this.coordinator.validateGroupStatus(groupId, true);
    if (status !== ErrorCode.NONE) return { errorCode: status, offsets: [] };
    const none = (topic: string, partition: number, errorCode: number = ErrorCode.NONE): FetchedOffset => ({
      topic,
      partition,
      offset: -1,
      leaderEpoch: -1,
      metadata: '',
      errorCode,
    });
    const group = this.manager.getGroup(groupId);
    if (!group || group.is(GroupState.Dead)) {
      return {
        errorCode: ErrorCode.NONE,
        offsets: (partitions ?? []).map((tp) => none(tp.topic, tp.partition)),
      };
    }
    const wanted = partitions ?? group.allOffsets().map(({ topic, partition }) => ({ topic, partition }));
    const offsets = wanted.map(({ topic, partition }) => {
      if (requireStable && group.hasPendingOffsetCommits(topic, partition)) {
        return none(topic, partition, ErrorCode.UNSTABLE_OFFSET_COMMIT);
      }
      const o = group.offset(topic, partition);
      if (!o) return none(topic, partition);
      return {
        topic,
        partition,
        offset: o.offset,
        leaderEpoch: o.leaderEpoch,
        metadata: o.metadata,
        errorCode: 0,
      };
    });
    return { errorCode: ErrorCode.NONE, offsets };
  }

  /** Describes a group; an unknown one is described as Dead with no members (DescribeGroups v0-5). */
  describeGroup(groupId: string): DescribedGroup {
    const status = this.coordinator.validateGroupStatus(groupId, true);
    if (status !== ErrorCode.NONE)
      return { errorCode: status, state: '', protocolType: '', protocol: '', members: [] };
    const group = this.manager.getGroup(groupId);
    if (!group) return { errorCode: 0, state: GroupState.Dead, protocolType: '', protocol: '', members: [] };
    return { errorCode: 0, ...group.summary() };
  }

  /**
   * Lists the groups this broker coordinates, filtered by state names (v4, case-insensitive) and
   * group types (v5: only `classic` matches here). Every broker answers for its own groups.
   */
  listGroups(
    statesFilter: readonly string[],
    typesFilter: readonly string[],
  ): {
    errorCode: number;
    groups: { groupId: string; protocolType: string; state: string; groupType: string }[];
  } {
    if (!this.coordinator.isActive) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, groups: [] };
    this.manager.syncOwnership();
    const states = new Set(statesFilter.map((s) => s.toLowerCase()));
    const types = new Set(typesFilter.map((s) => s.toLowerCase()));
    if (types.size > 0 && !types.has(CLASSIC_GROUP_TYPE)) return { errorCode: 0, groups: [] };
    const groups = [...this.manager.groups.values()]
      .filter((g) => !g.is(GroupState.Dead) && (states.size === 0 || states.has(g.state.toLowerCase())))
      .map((g) => ({
        groupId: g.groupId,
        protocolType: g.protocolType ?? '',
        state: g.state,
        groupType: CLASSIC_GROUP_TYPE,
      }));
    return { errorCode: 0, groups };
  }

  /** Deletes empty groups with their offsets; returns an error code per group id. */
  deleteGroups(groupIds: readonly string[]): Map<string, number> {
    const errors = new Map<string, number>();
    const eligible: ClassicGroup[] = [];
    for (const groupId of groupIds) {
      const status = this.coordinator.validateGroupStatus(groupId, true);
      if (status !== ErrorCode.NONE) {
        errors.set(groupId, status);
        continue;
      }
      const group = this.manager.getGroup(groupId);
      if (!group || group.is(GroupState.Dead)) errors.set(groupId, ErrorCode.GROUP_ID_NOT_FOUND);
      else if (!group.is(GroupState.Empty)) errors.set(groupId, ErrorCode.NON_EMPTY_GROUP);
      else {
        group.transitionTo(GroupState.Dead, this.coordinator.clock.now());
        eligible.push(group);
      }
    }
    if (eligible.length > 0) {
      this.manager.cleanupGroupMetadata(eligible, (g) => g.removeOffsets(g.allOffsets()));
      for (const g of eligible) errors.set(g.groupId, ErrorCode.NONE);
    }
    return errors;
  }

  /**
   * Deletes committed offsets of partitions a group does not consume (KIP-496): any partition of
   * an Empty group; for a consumer group with members, those of topics it is not subscribed to
   * (GROUP_SUBSCRIBED_TO_TOPIC otherwise); other groups with members get NON_EMPTY_GROUP.
   */
  deleteOffsets(
    groupId: string,
    partitions: { topic: string; partition: number }[],
  ): { errorCode: number; partitions: { topic: string; partition: number; errorCode: number }[] } {
    const status = this.coordinator.validateGroupStatus(groupId, false);
    if (status !== ErrorCode.NONE) return { errorCode: status, partitions: [] };
    const group = this.manager.getGroup(groupId);
    if (!group || group.is(GroupState.Dead))
      return { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, partitions: [] };
    let eligible: { topic: string; partition: number }[];
    const out: { topic: string; partition: number; errorCode: number }[] = [];
    if (group.is(GroupState.Empty)) eligible = partitions;
    else if (group.isConsumerGroup) {
      eligible = partitions.filter((tp) => !group.isSubscribedToTopic(tp.topic));
      for (const tp of partitions) {
        if (group.isSubscribedToTopic(tp.topic))
          out.push({ ...tp, errorCode: ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC });
      }
    } else return { errorCode: ErrorCode.NON_EMPTY_GROUP, partitions: [] };
    if (eligible.length > 0) {
      this.manager.cleanupGroupMetadata([group], (g) => g.removeOffsets(eligible));
      for (const tp of eligible) out.push({ ...tp, errorCode: ErrorCode.NONE });
    }
    return { errorCode: ErrorCode.NONE, partitions: out };
  }
}
