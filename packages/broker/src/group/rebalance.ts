/**
 * The rebalance half of the group coordinator: Kafka's delayed operations and transitions of the
 * classic protocol. DelayedJoin (and InitialDelayedJoin) parks a rebalance until every member has
 * rejoined or the rebalance timeout passes; DelayedSync removes members that never send SyncGroup;
 * session timers remove members that stop heartbeating. {@link GroupCoordinator} handles the
 * requests on top of it.
 */
import { ErrorCode } from '@tskafka/protocol';
import type { Clock, TimerHandle } from '../clock.js';
import { type ClassicGroup, type DelayedJoin, GroupState } from './group.js';
import { type JoinGroupResult, joinError, type MemberMetadata, syncError } from './member.js';
import { type CoordinatorHost, GroupMetadataManager } from './metadata-manager.js';
import { type GroupStore, groupAppendError } from './store.js';

/** The state machine of the classic groups of one coordinator, with its timers. */
export class GroupStateMachine {
  /** The group cache, partition ownership and persistence. */
  readonly groupManager: GroupMetadataManager;
  /** The coordinator's time. */
  readonly clock: Clock;
  /** The broker node. */
  protected readonly host: CoordinatorHost;
  /** Whether requests are served (between start and stop); timers do nothing otherwise. */
  protected active = false;

  /** The state machine of `host`'s groups, persisted through `store`. */
  constructor(host: CoordinatorHost, store: GroupStore, clock: Clock) {
    this.host = host;
    this.clock = clock;
    this.groupManager = new GroupMetadataManager(host, store, clock, {
      onGroupLoaded: (g) => this.onGroupLoaded(g),
      onGroupUnloaded: (g) => this.onGroupUnloaded(g),
    });
  }

  /**
   * Writes the group with `assignment`, then calls `then` with the error to give members (0 once
   * the write is in the ISR), as Kafka's storeGroup callback; a `then` that throws is logged.
   */
  protected storeGroupThen(
    group: ClassicGroup,
    assignment: ReadonlyMap<string, Buffer>,
    then: (error: number) => void,
  ): void {
    this.groupManager
      .storeGroup(group, assignment)
      .then((code) => then(groupAppendError(code)))
      .catch((e: unknown) =>
        this.host.log('error', `group ${group.groupId}: after storing it: ${(e as Error).stack}`),
      );
  }

  /** The JoinGroup answer for `member` in the current generation (member list for the leader only). */
  protected joinResult(
    group: ClassicGroup,
    member: MemberMetadata,
    skipAssignment: boolean,
  ): JoinGroupResult {
    return {
      errorCode: ErrorCode.NONE,
      generationId: group.generationId,
      protocolType: group.protocolType,
      protocolName: group.protocolName,
      leader: group.leaderId ?? '',
      skipAssignment,
      memberId: member.memberId,
      members: group.isLeader(member.memberId) ? group.currentMemberMetadata() : [],
    };
  }

  /** Kafka's `validateCurrentMember`: FENCED_INSTANCE_ID, UNKNOWN_MEMBER_ID, or 0. */
  validateCurrentMember(group: ClassicGroup, memberId: string, groupInstanceId: string | null): number {
    if (groupInstanceId !== null) {
      const current = group.currentStaticMemberId(groupInstanceId);
      if (current === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
      if (current !== memberId) {
        this.log(group, `member ${memberId} of static member ${groupInstanceId} is fenced by ${current}`);
        return ErrorCode.FENCED_INSTANCE_ID;
      }
    }
    return group.has(memberId) ? ErrorCode.NONE : ErrorCode.UNKNOWN_MEMBER_ID;
  }

  /** Starts a rebalance unless one is already being prepared (or the group is Dead). */
  protected maybePrepareRebalance(group: ClassicGroup, reason: string): void {
    if (group.canRebalance) this.prepareRebalance(group, reason);
  }

  /** Starts a rebalance: parked SyncGroups are told REBALANCE_IN_PROGRESS, JoinGroups are parked. */
  protected prepareRebalance(group: ClassicGroup, reason: string): void {
    if (group.is(GroupState.CompletingRebalance))
      this.resetAndPropagateAssignmentError(group, ErrorCode.REBALANCE_IN_PROGRESS);
    this.removeSyncExpiration(group);
    const wasEmpty = group.is(GroupState.Empty);
    group.transitionTo(GroupState.PreparingRebalance, this.clock.now());
    this.log(group, `preparing to rebalance generation ${group.generationId} (${reason})`);
    const delay = this.host.config.groupInitialRebalanceDelayMs;
    this.watchJoin(
      group,
      wasEmpty
        ? {
            initial: true,
            delayMs: delay,
            remainingMs: Math.max(group.rebalanceTimeoutMs - delay, 0),
            timer: null,
          }
        : { initial: false, delayMs: group.rebalanceTimeoutMs, remainingMs: 0, timer: null },
    );
  }

  /** Parks the rebalance (Kafka's tryCompleteElseWatch of a DelayedJoin). */
  protected watchJoin(group: ClassicGroup, op: DelayedJoin): void {
    group.timers.join = op;
    if (!op.initial && group.hasAllMembersJoined) {
      this.completeJoin(group);
      return;
    }
    op.timer = this.clock.setTimeout(() => {
      if (group.timers.join === op) this.completeJoin(group);
    }, op.delayMs);
  }

  /** Completes the parked rebalance if every member has rejoined (never the initial delay). */
  protected checkJoin(group: ClassicGroup): void {
    const op = group.timers.join;
    if (op && !op.initial && group.hasAllMembersJoined) this.completeJoin(group);
  }

  /** Completes the parked rebalance now (its timer fired, or every member has rejoined). */
  protected completeJoin(group: ClassicGroup): void {
    const op = group.timers.join;
    if (!op) return;
    group.timers.join = null;
    if (op.timer) this.clock.clearTimeout(op.timer as TimerHandle);
    // InitialDelayedJoin: members kept coming, and the rebalance timeout allows more waiting.
    if (op.initial && group.newMemberAdded && op.remainingMs !== 0) {
      group.newMemberAdded = false;
      const delayMs = Math.min(this.host.config.groupInitialRebalanceDelayMs, op.remainingMs);
      const remainingMs = Math.max(op.remainingMs - op.delayMs, 0);
      this.watchJoin(group, { initial: true, delayMs, remainingMs, timer: null });
      return;
    }
    this.onCompleteJoin(group);
  }

  /**
   * The join phase ends: dynamic members that did not rejoin are removed, the next generation
   * starts, and every parked JoinGroup is answered (the leader with all members' metadata).
   */
  protected onCompleteJoin(group: ClassicGroup): void {
    for (const m of group.notYetRejoinedMembers()) {
      if (m.isStaticMember) continue;
      this.log(group, `removing member ${m.memberId}, which did not rejoin within the rebalance timeout`);
      group.remove(m.memberId);
      this.cancelExpiration(m);
    }
    if (group.is(GroupState.Dead)) return;
    if (!group.maybeElectNewJoinedLeader() && group.size > 0) {
      // Only static members that did not rejoin remain: wait for them, or for their sessions to expire.
      this.host.log('warn', `group ${group.groupId} could not complete its rebalance: no member rejoined`);
      this.watchJoin(group, {
        initial: false,
        delayMs: group.rebalanceTimeoutMs,
        remainingMs: 0,
        timer: null,
      });
      return;
    }
    group.initNextGeneration(this.clock.now());
    if (group.is(GroupState.Empty)) {
      this.log(group, `generation ${group.generationId} is empty`);
      // The previous generation on disk has no live members either: a lost write only costs a warning.
      this.storeGroupThen(group, new Map(), (error) => {
        if (error !== ErrorCode.NONE)
          this.host.log('warn', `cannot store empty group ${group.groupId}: error ${error}`);
      });
      return;
    }
    this.log(
      group,
      `generation ${group.generationId} with ${group.size} members, protocol ${group.protocolName}`,
    );
    for (const m of group.members.values()) {
      group.maybeInvokeJoinCallback(m, this.joinResult(group, m, false));
      this.scheduleExpiration(group, m, m.sessionTimeoutMs);
      m.isNew = false;
      group.pendingSyncMembers.add(m.memberId);
    }
    this.schedulePendingSync(group);
  }

  /** Answers every parked SyncGroup with `error` and forgets the assignments. */
  protected resetAndPropagateAssignmentError(group: ClassicGroup, error: number): void {
    for (const m of group.members.values()) m.assignment = Buffer.alloc(0);
    this.propagateAssignment(group, error);
  }

  /** Answers every parked SyncGroup with the member's assignment (or `error`). */
  protected propagateAssignment(group: ClassicGroup, error: number): void {
    for (const m of group.members.values()) {
      const answered = group.maybeInvokeSyncCallback(m, {
        errorCode: error,
        protocolType: error === ErrorCode.NONE ? group.protocolType : null,
        protocolName: error === ErrorCode.NONE ? group.protocolName : null,
        assignment: m.assignment,
      });
      // Sessions restart once members hear their assignment: one that expired while waiting was ignored.
      if (answered) this.scheduleExpiration(group, m, m.sessionTimeoutMs);
    }
  }

  /** Starts DelayedSync for the new generation: every member must send SyncGroup within the rebalance timeout. */
  protected schedulePendingSync(group: ClassicGroup): void {
    const generationId = group.generationId;
    const timer = this.clock.setTimeout(() => {
      if (group.timers.sync?.timer !== timer) return;
      group.timers.sync = null;
      this.onExpirePendingSync(group, generationId);
    }, group.rebalanceTimeoutMs);
    group.timers.sync = { timer, generationId };
  }

  /** A member sent its SyncGroup; once all have, DelayedSync is done. */
  protected removePendingSyncMember(group: ClassicGroup, memberId: string): void {
    group.pendingSyncMembers.delete(memberId);
    if (group.pendingSyncMembers.size === 0) this.removeSyncExpiration(group);
  }

  /** Cancels DelayedSync. */
  protected removeSyncExpiration(group: ClassicGroup): void {
    group.pendingSyncMembers.clear();
    if (group.timers.sync) this.clock.clearTimeout(group.timers.sync.timer as TimerHandle);
    group.timers.sync = null;
  }

  /** Members that got a generation but never sent SyncGroup within the rebalance timeout are removed. */
  protected onExpirePendingSync(group: ClassicGroup, generationId: number): void {
    if (generationId !== group.generationId) return;
    if (!group.is(GroupState.CompletingRebalance) && !group.is(GroupState.Stable)) return;
    if (group.pendingSyncMembers.size === 0) return;
    const pending = [...group.pendingSyncMembers];
    for (const id of pending) {
      const m = group.members.get(id);
      group.remove(id);
      if (m) this.cancelExpiration(m);
    }
    this.prepareRebalance(group, `members ${pending.join(', ')} did not send SyncGroup in time`);
  }

  /** Removes a member (left, or its session expired) and rebalances the rest. */
  protected removeMemberAndUpdateGroup(group: ClassicGroup, member: MemberMetadata, reason: string): void {
    this.log(group, `removing member ${member.memberId}: ${reason}`);
    // A new member may time out while parked in JoinGroup: tell it to retry from scratch.
    group.maybeInvokeJoinCallback(member, joinError('', ErrorCode.UNKNOWN_MEMBER_ID));
    group.maybeInvokeSyncCallback(member, syncError(ErrorCode.UNKNOWN_MEMBER_ID));
    group.remove(member.memberId);
    this.cancelExpiration(member);
    switch (group.state) {
      case GroupState.Stable:
      case GroupState.CompletingRebalance:
        this.maybePrepareRebalance(group, reason);
        return;
      case GroupState.PreparingRebalance:
        this.checkJoin(group);
        return;
      default:
        return;
    }
  }

  /** Forgets a MEMBER_ID_REQUIRED member that left or never came back. */
  protected removePendingMemberAndUpdateGroup(group: ClassicGroup, memberId: string): void {
    group.remove(memberId);
    this.cancelPendingExpiration(group, memberId);
    if (group.is(GroupState.PreparingRebalance)) this.checkJoin(group);
  }

  // ---------------------------------------------------------------- sessions

  /** (Re)starts a member's session timer: it must heartbeat (or rejoin) within `timeoutMs`. */
  protected scheduleExpiration(group: ClassicGroup, member: MemberMetadata, timeoutMs: number): void {
    this.cancelExpiration(member);
    const timer = this.clock.setTimeout(() => {
      if (member.heartbeatTimer !== timer) return;
      member.heartbeatTimer = null;
      this.onExpireHeartbeat(group, member);
    }, timeoutMs);
    member.heartbeatTimer = timer;
  }

  /** Stops a member's session timer. */
  protected cancelExpiration(member: MemberMetadata): void {
    if (member.heartbeatTimer) this.clock.clearTimeout(member.heartbeatTimer as TimerHandle);
    member.heartbeatTimer = null;
  }

  /** A member's session timer fired: remove it unless a rebalance holds its place. */
  protected onExpireHeartbeat(group: ClassicGroup, member: MemberMetadata): void {
    if (!this.active || group.is(GroupState.Dead) || group.members.get(member.memberId) !== member) return;
    // Members parked in a rebalance count as alive, except new ones (their join timed out).
    if (!member.isNew && (member.isAwaitingJoin || member.isAwaitingSync)) return;
    this.removeMemberAndUpdateGroup(
      group,
      member,
      `session timeout expired (${member.isNew ? 'new member join' : 'no heartbeat'})`,
    );
  }

  /** A MEMBER_ID_REQUIRED member must join with its id within its session timeout. */
  protected addPendingMemberExpiration(group: ClassicGroup, memberId: string, timeoutMs: number): void {
    this.cancelPendingExpiration(group, memberId);
    const timer = this.clock.setTimeout(() => {
      if (group.timers.pending.get(memberId) !== timer) return;
      group.timers.pending.delete(memberId);
      if (this.active && !group.is(GroupState.Dead) && group.pendingMembers.has(memberId)) {
        this.log(group, `pending member ${memberId} did not join within its session timeout`);
        this.removePendingMemberAndUpdateGroup(group, memberId);
      }
    }, timeoutMs);
    group.timers.pending.set(memberId, timer);
  }

  /** Stops a pending member's expiration timer. */
  protected cancelPendingExpiration(group: ClassicGroup, memberId: string): void {
    const timer = group.timers.pending.get(memberId);
    if (timer) this.clock.clearTimeout(timer as TimerHandle);
    group.timers.pending.delete(memberId);
  }

  /** Refreshes a member's session when it commits offsets (a commit proves it is alive). */
  touchMember(group: ClassicGroup, memberId: string): void {
    const member = group.members.get(memberId);
    if (member) this.scheduleExpiration(group, member, member.sessionTimeoutMs);
  }

  /** A group read back from the log: its members' sessions start now. */
  protected onGroupLoaded(group: ClassicGroup): void {
    for (const m of group.members.values()) this.scheduleExpiration(group, m, m.sessionTimeoutMs);
  }

  /** The group moved away (or the broker stops): answer parked requests NOT_COORDINATOR, stop its timers. */
  protected onGroupUnloaded(group: ClassicGroup): void {
    group.transitionTo(GroupState.Dead, this.clock.now());
    // Kafka answers the parked JoinGroups of a preparing group and the SyncGroups of the others;
    // answering every parked request covers both and leaves no request hanging.
    for (const m of group.members.values()) {
      group.maybeInvokeJoinCallback(m, joinError(m.memberId, ErrorCode.NOT_COORDINATOR));
      group.maybeInvokeSyncCallback(m, syncError(ErrorCode.NOT_COORDINATOR));
      this.cancelExpiration(m);
    }
    if (group.timers.join?.timer) this.clock.clearTimeout(group.timers.join.timer as TimerHandle);
    group.timers.join = null;
    this.removeSyncExpiration(group);
    for (const id of [...group.timers.pending.keys()]) this.cancelPendingExpiration(group, id);
  }

  /** Logs an info line about `group`. */
  protected log(group: ClassicGroup, message: string): void {
    this.host.log('info', `group ${group.groupId}: ${message}`);
  }
}
