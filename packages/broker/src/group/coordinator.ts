/**
 * The group coordinator of the reference broker: Kafka's classic group protocol, after Apache
 * Kafka's GroupCoordinator (core) and its state machine:
 *
 * ```
 *            join (first member)              all joined / rebalance timeout
 *   Empty ───────────────────────▶ PreparingRebalance ──────────────────────▶ CompletingRebalance
 *     ▲  (initial delay, extended       ▲        │ nobody left                     │ leader's SyncGroup
 *     │   while members keep joining)   │        ▼                                 ▼ (stored first)
 *     └──────────────────────────────── │ ─── Empty        join/leave/expiry ◀── Stable
 *                                       └──────────────────────────────────────────┘
 * ```
 *
 * JoinGroup and SyncGroup answers are parked as callbacks (the handlers await Promises) that the
 * state machine calls when the rebalance moves on; session, rebalance and sync timeouts run on an
 * injectable {@link Clock}. Persistence goes through {@link GroupStore}: group metadata after each
 * completed rebalance, offsets before a commit is answered. This file handles the membership
 * requests; the delayed operations and transitions are in rebalance.ts, offsets and the admin
 * APIs in offset-ops.ts.
 */
import { randomUUID } from 'node:crypto';
import { ErrorCode } from '@tskafka/protocol';
import { type Clock, systemClock, type TimerHandle } from '../clock.js';
import type { TopicState } from '../metadata.js';
import { type ClassicGroup, GroupState } from './group.js';
import {
  type JoinGroupParams,
  type JoinGroupResult,
  joinError,
  type LeaveMemberResult,
  MemberMetadata,
  type SyncGroupParams,
  type SyncGroupResult,
  syncError,
} from './member.js';
import type { CoordinatorHost } from './metadata-manager.js';
import { OffsetOps } from './offset-ops.js';
import { GroupStateMachine } from './rebalance.js';
import { GROUP_METADATA_TOPIC_NAME, type GroupStore, ReplicaLogGroupStore } from './store.js';

/**
 * How long a new member's JoinGroup may stay parked. New members cannot heartbeat yet and a
 * muted connection cannot tell us the client left, so a stale join expires after this (Kafka's
 * `NewMemberJoinTimeoutMs`); a live client simply retries.
 */
export const NEW_MEMBER_JOIN_TIMEOUT_MS = 5 * 60 * 1000;
/** `offsets.retention.check.interval.ms`: how often expired offsets and dead groups are cleaned up. */
export const OFFSETS_RETENTION_CHECK_INTERVAL_MS = 600_000;

/** Options of {@link GroupCoordinator} besides its host. */
export interface GroupCoordinatorOptions {
  /** Where state is persisted (default: the broker's `__consumer_offsets` partitions). */
  store?: GroupStore;
  /** Time and timers (default: the system clock). */
  clock?: Clock;
}

function protocolNames(p: JoinGroupParams): string[] {
  return p.protocols.map((x) => x.name);
}

/** The group coordinator of one broker (`node.groupCoordinator`). */
export class GroupCoordinator extends GroupStateMachine {
  /** Offset commits and fetches, and the admin APIs (describe, list, delete). */
  readonly offsets: OffsetOps;
  private listening = false;
  private expirationTimer: TimerHandle | null = null;

  /** A coordinator for `host` (a BrokerNode), not yet started. */
  constructor(host: CoordinatorHost, opts: GroupCoordinatorOptions = {}) {
    super(host, opts.store ?? new ReplicaLogGroupStore(host.replicaManager), opts.clock ?? systemClock);
    this.offsets = new OffsetOps(this, this.groupManager);
  }

  /** Whether the coordinator serves requests (between start and stop). */
  get isActive(): boolean {
    return this.active;
  }

  /** Loads the groups of the offsets partitions this broker leads and starts serving. */
  async start(): Promise<void> {
    this.active = true;
    if (!this.listening) {
      this.listening = true;
      // Leadership of offsets partitions moves with brokers: load what we gain, unload what we lose.
      this.host.metadata.onChange((c) => {
        if (!this.active || !('topic' in c) || c.type === 'configChanged') return;
        if (c.topic.name === GROUP_METADATA_TOPIC_NAME) this.groupManager.syncOwnership();
        else if (c.type === 'topicDeleted') this.onTopicDeleted(c.topic.name);
      });
    }
    this.groupManager.syncOwnership();
    this.scheduleOffsetExpiration();
  }

  /** Offsets of a deleted topic are removed, so a topic created again under its name starts afresh. */
  private onTopicDeleted(topic: string): void {
    const removed = this.groupManager.cleanupGroupMetadata(this.groupManager.groups.values(), (g) =>
      g.removeOffsets(g.allOffsets().filter((o) => o.topic === topic)),
    );
    if (removed > 0) this.host.log('info', `removed ${removed} offsets of deleted topic ${topic}`);
  }

  /**
   * A transaction marker was written to `__consumer_offsets` partition `offsetsPartition`: the
   * producer's pending transactional offsets there become committed offsets (COMMIT) or are
   * dropped (ABORT), Kafka's `scheduleHandleTxnCompletion`.
   */
  onTxnMarker(offsetsPartition: number, producerId: number, committed: boolean): void {
    if (!this.active) return;
    this.groupManager.handleTxnCompletion(producerId, offsetsPartition, committed);
  }

  /** Stops serving: parked requests get NOT_COORDINATOR, timers stop, nothing more is written. */
  stop(): void {
    this.active = false;
    if (this.expirationTimer) this.clock.clearTimeout(this.expirationTimer);
    this.expirationTimer = null;
    this.groupManager.unloadAll();
  }

  private scheduleOffsetExpiration(): void {
    this.expirationTimer = this.clock.setTimeout(() => {
      if (!this.active) return;
      this.groupManager.expireOffsets(this.clock.now());
      this.scheduleOffsetExpiration();
    }, OFFSETS_RETENTION_CHECK_INTERVAL_MS);
  }

  /**
   * Kafka's `validateGroupStatus`: INVALID_GROUP_ID, COORDINATOR_NOT_AVAILABLE (not running),
   * NOT_COORDINATOR or COORDINATOR_LOAD_IN_PROGRESS; 0 when this broker serves the group. The
   * offset and admin APIs accept the empty group id for backward compatibility.
   */
  validateGroupStatus(groupId: string | null, allowEmptyId: boolean): number {
    if (groupId === null || (!allowEmptyId && groupId === '')) return ErrorCode.INVALID_GROUP_ID;
    if (!this.active) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    return this.groupManager.checkOwnership(groupId);
  }

  /**
   * The broker coordinating `groupId`, creating `__consumer_offsets` on first use; errors are
   * COORDINATOR_NOT_AVAILABLE (topic not creatable, partition without a live leader).
   */
  findCoordinator(groupId: string): {
    errorCode: number;
    errorMessage: string | null;
    nodeId: number;
    host: string;
    port: number;
  } {
    let topic: TopicState;
    try {
      topic = this.groupManager.ensureOffsetsTopic();
    } catch (e) {
      this.host.log('warn', `cannot create __consumer_offsets: ${(e as Error).message}`);
      return {
        errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE,
        errorMessage: (e as Error).message,
        nodeId: -1,
        host: '',
        port: -1,
      };
    }
    const ps = topic.partitions[this.groupManager.partitionFor(groupId)];
    const broker = ps && ps.leader >= 0 ? this.host.metadata.brokers.get(ps.leader) : undefined;
    if (!broker?.alive) {
      return {
        errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE,
        errorMessage: 'The coordinator is not available.',
        nodeId: -1,
        host: '',
        port: -1,
      };
    }
    return {
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      nodeId: broker.nodeId,
      host: broker.host,
      port: broker.port,
    };
  }

  // ---------------------------------------------------------------- JoinGroup

  /** Handles a JoinGroup; resolves when the member's place in the next generation is known. */
  handleJoinGroup(p: JoinGroupParams): Promise<JoinGroupResult> {
    return new Promise((resolve) => this.joinGroup(p, resolve));
  }

  private joinGroup(p: JoinGroupParams, cb: (r: JoinGroupResult) => void): void {
    const status = this.validateGroupStatus(p.groupId, false);
    if (status !== ErrorCode.NONE) {
      cb(joinError(p.memberId, status));
      return;
    }
    const cfg = this.host.config;
    if (
      p.sessionTimeoutMs < cfg.groupMinSessionTimeoutMs ||
      p.sessionTimeoutMs > cfg.groupMaxSessionTimeoutMs
    ) {
      cb(joinError(p.memberId, ErrorCode.INVALID_SESSION_TIMEOUT));
      return;
    }
    const isUnknownMember = p.memberId === '';
    // A group is created only by a member without an id; a member id for an unknown group is stale.
    const group = this.groupManager.getOrMaybeCreateGroup(p.groupId, isUnknownMember);
    if (!group) {
      cb(joinError(p.memberId, ErrorCode.UNKNOWN_MEMBER_ID));
      return;
    }
    if (isUnknownMember) this.doNewMemberJoinGroup(group, p, cb);
    else this.doCurrentMemberJoinGroup(group, p, cb);
    if (group.is(GroupState.PreparingRebalance)) this.checkJoin(group);
  }

  private doNewMemberJoinGroup(
    group: ClassicGroup,
    p: JoinGroupParams,
    cb: (r: JoinGroupResult) => void,
  ): void {
    if (group.is(GroupState.Dead)) {
      cb(joinError('', ErrorCode.COORDINATOR_NOT_AVAILABLE));
      return;
    }
    if (!group.supportsProtocols(p.protocolType, protocolNames(p))) {
      cb(joinError('', ErrorCode.INCONSISTENT_GROUP_PROTOCOL));
      return;
    }
    const newMemberId = `${p.groupInstanceId ?? p.clientId}-${randomUUID()}`;
    if (p.groupInstanceId !== null) {
      const oldMemberId = group.currentStaticMemberId(p.groupInstanceId);
      if (oldMemberId !== undefined) {
        this.log(
          group,
          `static member ${p.groupInstanceId} rejoins with an unknown member id; ${oldMemberId} becomes ${newMemberId}`,
        );
        this.updateStaticMemberAndRebalance(group, oldMemberId, newMemberId, p.groupInstanceId, p, cb);
      } else {
        this.addMemberAndRebalance(group, newMemberId, p, cb);
      }
    } else if (p.requireKnownMemberId) {
      // KIP-394: hand out the id first, so a client that times out and retries does not leave a
      // trail of members behind; the member is only added when it joins again with this id.
      group.pendingMembers.add(newMemberId);
      this.addPendingMemberExpiration(group, newMemberId, p.sessionTimeoutMs);
      cb(joinError(newMemberId, ErrorCode.MEMBER_ID_REQUIRED));
    } else {
      this.addMemberAndRebalance(group, newMemberId, p, cb);
    }
  }

  private doCurrentMemberJoinGroup(
    group: ClassicGroup,
    p: JoinGroupParams,
    cb: (r: JoinGroupResult) => void,
  ): void {
    if (group.is(GroupState.Dead)) {
      cb(joinError(p.memberId, ErrorCode.COORDINATOR_NOT_AVAILABLE));
      return;
    }
    if (!group.supportsProtocols(p.protocolType, protocolNames(p))) {
      cb(joinError(p.memberId, ErrorCode.INCONSISTENT_GROUP_PROTOCOL));
      return;
    }
    if (group.pendingMembers.has(p.memberId)) {
      // Pending ids are only handed to dynamic members; a static one here is a client bug.
      if (p.groupInstanceId !== null) {
        cb(joinError(p.memberId, ErrorCode.UNKNOWN_SERVER_ERROR));
        return;
      }
      this.addMemberAndRebalance(group, p.memberId, p, cb);
      return;
    }
    const error = this.validateCurrentMember(group, p.memberId, p.groupInstanceId);
    if (error !== ErrorCode.NONE) {
      cb(joinError(p.memberId, error));
      return;
    }
    const member = group.get(p.memberId);
    const reason = p.reason ?? 'not provided';
    switch (group.state) {
      case GroupState.PreparingRebalance:
        this.updateMemberAndRebalance(
          group,
          member,
          p,
          `member ${member.memberId} joins during rebalance (${reason})`,
          cb,
        );
        return;
      case GroupState.CompletingRebalance:
        // The same metadata again: the member most likely lost our JoinGroup answer; repeat it.
        if (member.matches(p.protocols)) {
          cb(this.joinResult(group, member, false));
          return;
        }
        this.updateMemberAndRebalance(
          group,
          member,
          p,
          `member ${member.memberId} changed its metadata (${reason})`,
          cb,
        );
        return;
      case GroupState.Stable:
        // A leader's JoinGroup always rebalances: it is how a consumer leader reacts to topic
        // metadata changes that do not change any member's subscription.
        if (group.isLeader(member.memberId) || !member.matches(p.protocols)) {
          this.updateMemberAndRebalance(
            group,
            member,
            p,
            `member ${member.memberId} rejoins (${reason})`,
            cb,
          );
          return;
        }
        cb({ ...this.joinResult(group, member, false), members: [] });
        return;
      default:
        cb(joinError(p.memberId, ErrorCode.UNKNOWN_MEMBER_ID));
        return;
    }
  }

  private addMemberAndRebalance(
    group: ClassicGroup,
    memberId: string,
    p: JoinGroupParams,
    cb: (r: JoinGroupResult) => void,
  ): void {
    const member = new MemberMetadata({
      memberId,
      groupInstanceId: p.groupInstanceId,
      clientId: p.clientId,
      clientHost: p.clientHost,
      rebalanceTimeoutMs: p.rebalanceTimeoutMs,
      sessionTimeoutMs: p.sessionTimeoutMs,
      protocolType: p.protocolType,
      supportedProtocols: p.protocols,
    });
    member.isNew = true;
    // A member arriving during the initial delay of a group that was empty extends the delay.
    if (group.is(GroupState.PreparingRebalance) && group.previousState === GroupState.Empty)
      group.newMemberAdded = true;
    this.cancelPendingExpiration(group, memberId);
    group.add(member, cb);
    this.scheduleExpiration(group, member, NEW_MEMBER_JOIN_TIMEOUT_MS);
    this.maybePrepareRebalance(group, `adding member ${memberId} (${p.reason ?? 'not provided'})`);
  }

  /**
   * A known static member rejoined with an unknown member id (a restart): it takes over its old
   * place under a new id. In a Stable group whose protocol would not change this needs no
   * rebalance: the group is stored with the new id and the member gets the current generation.
   */
  private updateStaticMemberAndRebalance(
    group: ClassicGroup,
    oldMemberId: string,
    newMemberId: string,
    groupInstanceId: string,
    p: JoinGroupParams,
    cb: (r: JoinGroupResult) => void,
  ): void {
    const currentLeader = group.leaderId ?? '';
    const member = group.replaceStaticMember(
      groupInstanceId,
      oldMemberId,
      newMemberId,
      ErrorCode.FENCED_INSTANCE_ID,
    );
    this.scheduleExpiration(group, member, member.sessionTimeoutMs);
    const old = {
      protocols: member.supportedProtocols,
      rebalance: member.rebalanceTimeoutMs,
      session: member.sessionTimeoutMs,
    };
    group.updateMember(member, p.protocols, p.rebalanceTimeoutMs, p.sessionTimeoutMs, cb);
    switch (group.state) {
      case GroupState.Stable: {
        if (group.protocolName !== group.selectProtocol()) {
          this.maybePrepareRebalance(group, `static member ${groupInstanceId} rejoined with other protocols`);
          return;
        }
        const assignment = new Map([...group.members.values()].map((m) => [m.memberId, m.assignment]));
        // The new member id is answered only once it is in the ISR (Kafka's storeGroup callback).
        this.storeGroupThen(group, assignment, (error) => {
          if (error !== ErrorCode.NONE) {
            // Not persisted: undo, so the old member id stays valid, and tell the new one.
            group.updateMember(member, old.protocols, old.rebalance, old.session, null);
            const restored = group.replaceStaticMember(
              groupInstanceId,
              newMemberId,
              oldMemberId,
              ErrorCode.FENCED_INSTANCE_ID,
            );
            this.scheduleExpiration(group, restored, restored.sessionTimeoutMs);
            cb({
              ...this.joinResult(group, restored, false),
              errorCode: error,
              memberId: '',
              leader: currentLeader,
              members: [],
            });
            return;
          }
          if (p.supportSkippingAssignment) {
            // KIP-814: the static leader learns it leads (to keep watching metadata) but must not
            // assign again, since a Stable group would not hand out a new assignment.
            const isLeader = group.isLeader(newMemberId);
            group.maybeInvokeJoinCallback(member, this.joinResult(group, member, isLeader));
          } else {
            // Older clients: answer with the old leader id, so that a returning leader does not
            // think it leads and run an assignment nobody would receive.
            group.maybeInvokeJoinCallback(member, {
              ...this.joinResult(group, member, false),
              leader: currentLeader,
              members: [],
            });
          }
        });
        return;
      }
      case GroupState.CompletingRebalance:
        // The leader may already be assigning to the old member id: start over.
        this.prepareRebalance(group, `static member ${groupInstanceId} rejoined during CompletingRebalance`);
        return;
      default:
        // PreparingRebalance: the member simply waits for the rebalance with the others.
        return;
    }
  }

  private updateMemberAndRebalance(
    group: ClassicGroup,
    member: MemberMetadata,
    p: JoinGroupParams,
    reason: string,
    cb: (r: JoinGroupResult) => void,
  ): void {
    // A second parked JoinGroup for the same member (a retry on a new connection) supersedes the first.
    group.maybeInvokeJoinCallback(member, joinError(member.memberId, ErrorCode.REBALANCE_IN_PROGRESS));
    group.updateMember(member, p.protocols, p.rebalanceTimeoutMs, p.sessionTimeoutMs, cb);
    this.maybePrepareRebalance(group, reason);
  }

  // ---------------------------------------------------------------- SyncGroup

  /** Handles a SyncGroup; followers' answers wait for the leader's assignment. */
  handleSyncGroup(p: SyncGroupParams): Promise<SyncGroupResult> {
    return new Promise((resolve) => this.syncGroup(p, resolve));
  }

  private syncGroup(p: SyncGroupParams, cb: (r: SyncGroupResult) => void): void {
    const status = this.validateGroupStatus(p.groupId, false);
    // Still loading means the rebalance state is lost: rejoin (older clients do not know LOAD_IN_PROGRESS here).
    if (status === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS) {
      cb(syncError(ErrorCode.REBALANCE_IN_PROGRESS));
      return;
    }
    if (status !== ErrorCode.NONE) {
      cb(syncError(status));
      return;
    }
    const group = this.groupManager.getGroup(p.groupId);
    if (!group) {
      cb(syncError(ErrorCode.UNKNOWN_MEMBER_ID));
      return;
    }
    const error = this.validateSyncGroup(group, p);
    if (error !== ErrorCode.NONE) {
      cb(syncError(error));
      return;
    }
    switch (group.state) {
      case GroupState.Empty:
        cb(syncError(ErrorCode.UNKNOWN_MEMBER_ID));
        return;
      case GroupState.PreparingRebalance:
        cb(syncError(ErrorCode.REBALANCE_IN_PROGRESS));
        return;
      case GroupState.CompletingRebalance: {
        const member = group.get(p.memberId);
        group.maybeInvokeSyncCallback(member, syncError(ErrorCode.REBALANCE_IN_PROGRESS));
        member.awaitingSync = cb;
        this.removePendingSyncMember(group, p.memberId);
        if (!group.isLeader(p.memberId)) return;
        // The leader's assignment: members it left out get an empty one; it is stored before anyone hears it.
        const assignment = new Map<string, Buffer>();
        for (const a of p.assignments) assignment.set(a.memberId, Buffer.from(a.assignment));
        for (const id of group.members.keys()) if (!assignment.has(id)) assignment.set(id, Buffer.alloc(0));
        const generationId = group.generationId;
        this.storeGroupThen(group, assignment, (stored) => {
          // Members may have joined or left while the write waited for the ISR: only the same
          // generation, still completing, takes this assignment (Kafka's storeGroup callback).
          if (!group.is(GroupState.CompletingRebalance) || group.generationId !== generationId) return;
          if (stored !== ErrorCode.NONE) {
            this.resetAndPropagateAssignmentError(group, stored);
            this.maybePrepareRebalance(group, `error ${stored} storing the assignment`);
            return;
          }
          for (const m of group.members.values())
            m.assignment = assignment.get(m.memberId) ?? Buffer.alloc(0);
          this.propagateAssignment(group, ErrorCode.NONE);
          group.transitionTo(GroupState.Stable, this.clock.now());
          this.log(group, `generation ${group.generationId} is stable`);
        });
        return;
      }
      case GroupState.Stable: {
        const member = group.get(p.memberId);
        this.removePendingSyncMember(group, p.memberId);
        cb({
          errorCode: 0,
          protocolType: group.protocolType,
          protocolName: group.protocolName,
          assignment: member.assignment,
        });
        this.scheduleExpiration(group, member, member.sessionTimeoutMs);
        return;
      }
      default:
        cb(syncError(ErrorCode.COORDINATOR_NOT_AVAILABLE));
        return;
    }
  }

  private validateSyncGroup(group: ClassicGroup, p: SyncGroupParams): number {
    if (group.is(GroupState.Dead)) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    const error = this.validateCurrentMember(group, p.memberId, p.groupInstanceId);
    if (error !== ErrorCode.NONE) return error;
    if (p.generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
    if (p.protocolType !== null && p.protocolType !== group.protocolType)
      return ErrorCode.INCONSISTENT_GROUP_PROTOCOL;
    if (p.protocolName !== null && p.protocolName !== group.protocolName)
      return ErrorCode.INCONSISTENT_GROUP_PROTOCOL;
    return ErrorCode.NONE;
  }

  // ---------------------------------------------------------------- Heartbeat and LeaveGroup

  /** Handles a Heartbeat; REBALANCE_IN_PROGRESS tells the member to rejoin. */
  handleHeartbeat(p: {
    groupId: string;
    memberId: string;
    groupInstanceId: string | null;
    generationId: number;
  }): number {
    const status = this.validateGroupStatus(p.groupId, false);
    // While loading, answer blindly: the member's session is not known yet anyway.
    if (status === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS) return ErrorCode.NONE;
    if (status !== ErrorCode.NONE) return status;
    const group = this.groupManager.getGroup(p.groupId);
    if (!group) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (group.is(GroupState.Dead)) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    const error = this.validateCurrentMember(group, p.memberId, p.groupInstanceId);
    if (error !== ErrorCode.NONE) return error;
    if (p.generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
    if (group.is(GroupState.Empty)) return ErrorCode.UNKNOWN_MEMBER_ID;
    const member = group.get(p.memberId);
    this.scheduleExpiration(group, member, member.sessionTimeoutMs);
    return group.is(GroupState.PreparingRebalance) ? ErrorCode.REBALANCE_IN_PROGRESS : ErrorCode.NONE;
  }

  /**
   * Handles a LeaveGroup of one member (v0-2) or several (v3+, also by group.instance.id alone,
   * the admin's way to remove a static member). Returns a group error and one result per member.
   */
  handleLeaveGroup(
    groupId: string,
    members: { memberId: string; groupInstanceId: string | null; reason: string | null }[],
  ): { errorCode: number; members: LeaveMemberResult[] } {
    const status = this.validateGroupStatus(groupId, false);
    if (status !== ErrorCode.NONE) return { errorCode: status, members: [] };
    const result = (m: (typeof members)[number], errorCode: number): LeaveMemberResult => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      errorCode,
    });
    const group = this.groupManager.getGroup(groupId);
    if (!group) return { errorCode: 0, members: members.map((m) => result(m, ErrorCode.UNKNOWN_MEMBER_ID)) };
    if (group.is(GroupState.Dead)) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, members: [] };
    const out = members.map((m) => {
      const why = `member ${m.memberId || m.groupInstanceId} left (${m.reason ?? 'not provided'})`;
      if (m.memberId === '') {
        const current =
          m.groupInstanceId === null ? undefined : group.currentStaticMemberId(m.groupInstanceId);
        if (current === undefined) return result(m, ErrorCode.UNKNOWN_MEMBER_ID);
        this.removeMemberAndUpdateGroup(group, group.get(current), why);
        return result(m, ErrorCode.NONE);
      }
      if (group.pendingMembers.has(m.memberId)) {
        this.removePendingMemberAndUpdateGroup(group, m.memberId);
        return result(m, ErrorCode.NONE);
      }
      const error = this.validateCurrentMember(group, m.memberId, m.groupInstanceId);
      if (error !== ErrorCode.NONE) return result(m, error);
      this.removeMemberAndUpdateGroup(group, group.get(m.memberId), why);
      return result(m, ErrorCode.NONE);
    });
    return { errorCode: ErrorCode.NONE, members: out };
  }
}
