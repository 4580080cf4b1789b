/**
 * Group membership on the classic protocol, as a state machine without I/O (the membership half
 * of Java's `AbstractCoordinator`): it takes `now` and the outcome of each JoinGroup, SyncGroup
 * and Heartbeat, and says what to do next. The consumer coordinator is the I/O shell around it.
 *
 * ```
 *  Unjoined ──join──▶ Joining ──JoinGroup ok──▶ Syncing ──SyncGroup ok──▶ Stable
 *     ▲                  │ MEMBER_ID_REQUIRED: retry with the id          │ heartbeat REBALANCE_IN_PROGRESS
 *     │                  ▼                                                ▼
 *     └──── reset ◀── error ◀───────────────────────────────── PreparingRebalance ──▶ Joining
 * ```
 *
 * @module
 */
import { ErrorCode } from '@tskafka/protocol';

/** Where a member is in the group (Java's `MemberState`, spelled out). */
export const MemberState = {
  /** Not in the group: never joined, left, or reset after an error. */
  Unjoined: 'Unjoined',
  /** In the group, but a rebalance is needed: the next poll revokes (eager) and rejoins. */
  PreparingRebalance: 'PreparingRebalance',
  /** JoinGroup sent, waiting for the response. */
  Joining: 'Joining',
  /** SyncGroup sent, waiting for the assignment. */
  Syncing: 'Syncing',
  /** In the group with an assignment; heartbeating. */
  Stable: 'Stable',
  /** Closed, or failed with an error that rejoining cannot fix (e.g. FENCED_INSTANCE_ID). */
  Fatal: 'Fatal',
} as const;
/** See {@link MemberState}. */
export type MemberState = (typeof MemberState)[keyof typeof MemberState];

/** What the coordinator shell should do after a response or a timer check. */
export const MembershipAction = {
  /** Nothing more. */
  None: 'None',
  /** Send JoinGroup again at once (e.g. MEMBER_ID_REQUIRED). */
  RetryJoin: 'RetryJoin',
  /** Back off, then rejoin (coordinator loading, rebalance in progress during join). */
  Backoff: 'Backoff',
  /** Forget the coordinator, find it again, then rejoin. */
  Rediscover: 'Rediscover',
  /** Rejoin at the next poll, keeping the assignment until then (a rebalance started). */
  Rejoin: 'Rejoin',
  /** The member is out of the group: its partitions are lost; rejoin as a new member. */
  Reset: 'Reset',
  /** Give up: the error is fatal. */
  Fatal: 'Fatal',
} as const;
/** See {@link MembershipAction}. */
export type MembershipAction = (typeof MembershipAction)[keyof typeof MembershipAction];

/** The timeouts membership runs on. */
export interface MembershipOptions {
  /** `session.timeout.ms`. */
  sessionTimeoutMs: number;
  /** `heartbeat.interval.ms`. */
  heartbeatIntervalMs: number;
  /** `max.poll.interval.ms`. */
  maxPollIntervalMs: number;
  /** `group.instance.id`, or null for a dynamic member. */
  groupInstanceId: string | null;
  /** `retry.backoff.ms`: how long to wait after a heartbeat failed before the next one. */
  retryBackoffMs: number;
}

/** What JoinGroup answered. */
export interface JoinResult {
  /** The response error code. */
  errorCode: number;
  /** The generation. */
  generationId: number;
  /** The chosen protocol (assignor) name. */
  protocolName: string | null;
  /** The leader's member id. */
  leader: string;
  /** This member's id. */
  memberId: string;
}

/** The membership state machine. */
export class GroupMembership {
  private _state: MemberState = MemberState.Unjoined;
  /** The generation, or -1 outside one. */
  generationId = -1;
  /** This member's id, empty before the first JoinGroup. */
  memberId = '';
  /** The assignor the group agreed on. */
  protocolName: string | null = null;
  /** Whether this member leads the generation (runs the assignor). */
  isLeader = false;
  /** Why the next join happens, for logs and JoinGroup v8+'s reason. */
  rejoinReason = 'initial join';
  private lastHeartbeatSend = 0;
  private lastHeartbeatReceive = 0;
  private heartbeatFailedAt = -1;
  private heartbeatInFlight = false;
  private lastPoll: number;

  /**
   * @param options - the timeouts.
   * @param now - the current time, ms.
   */
  constructor(
    readonly options: MembershipOptions,
    now: number,
  ) {
    this.lastPoll = now;
  }

  /** Where the member is. */
  get state(): MemberState {
    return this._state;
  }

  /** Whether the next poll must (re)join before handing out records. */
  get needsJoin(): boolean {
    return this._state === MemberState.Unjoined || this._state === MemberState.PreparingRebalance;
  }

  /** Whether the member has a generation (its commits can succeed). */
  get hasGeneration(): boolean {
    return this.generationId >= 0;
  }

  /** The user polled: the max.poll.interval.ms clock restarts. */
  pollCalled(now: number): void {
    this.lastPoll = now;
  }

  /** Whether the user has not polled within max.poll.interval.ms (the member must leave). */
  pollTimeoutExpired(now: number): boolean {
    return now - this.lastPoll > this.options.maxPollIntervalMs;
  }

  /** Ms until the poll timer expires. */
  timeToPollTimeout(now: number): number {
    return Math.max(0, this.lastPoll + this.options.maxPollIntervalMs - now);
  }

  /** A rebalance is needed (a heartbeat said so, the subscription changed, cooperative follow-up). */
  requestRejoin(reason: string): void {
    this.rejoinReason = reason;
    if (this._state === MemberState.Stable || this._state === MemberState.Syncing)
      this._state = MemberState.PreparingRebalance;
  }

  /**
   * The member fell out of the group (or left): generation gone, partitions lost.
   * @param keepMemberId - keep the member id (ILLEGAL_GENERATION) rather than start anew.
   */
  resetGeneration(reason: string, keepMemberId = false): void {
    this.generationId = -1;
    if (!keepMemberId) this.memberId = '';
    this.protocolName = null;
    this.isLeader = false;
    this.rejoinReason = reason;
    if (this._state !== MemberState.Fatal) this._state = MemberState.Unjoined;
  }

  /** JoinGroup is about to be sent. */
  joinSent(): void {
    this._state = MemberState.Joining;
  }

  /** Handles a JoinGroup response. */
  joinCompleted(r: JoinResult): MembershipAction {
    switch (r.errorCode) {
      case 0:
        this.generationId = r.generationId;
        this.memberId = r.memberId;
        this.protocolName = r.protocolName;
        this.isLeader = r.leader === r.memberId;
        this._state = MemberState.Syncing;
        return MembershipAction.None;
      case ErrorCode.MEMBER_ID_REQUIRED:
        // KIP-394: the coordinator hands out the id and waits for a JoinGroup that carries it.
        this.memberId = r.memberId;
        this._state = MemberState.Unjoined;
        return MembershipAction.RetryJoin;
      case ErrorCode.UNKNOWN_MEMBER_ID:
        this.resetGeneration('unknown member id in JoinGroup');
        return MembershipAction.RetryJoin;
      case ErrorCode.ILLEGAL_GENERATION:
        this.resetGeneration('illegal generation in JoinGroup', true);
        return MembershipAction.RetryJoin;
      case ErrorCode.COORDINATOR_NOT_AVAILABLE:
      case ErrorCode.NOT_COORDINATOR:
        this._state = MemberState.Unjoined;
        return MembershipAction.Rediscover;
      case ErrorCode.COORDINATOR_LOAD_IN_PROGRESS:
      case ErrorCode.REBALANCE_IN_PROGRESS:
        this._state = MemberState.Unjoined;
        return MembershipAction.Backoff;
      default:
        this._state = MemberState.Fatal;
        return MembershipAction.Fatal;
    }
  }

  /**
   * JoinGroup or SyncGroup got no answer (connection lost, timeout): back to Unjoined to try
   * again, keeping the generation, so owned partitions count as revoked rather than lost.
   */
  joinInterrupted(reason: string): void {
    this.rejoinReason = reason;
    if (this._state === MemberState.Joining || this._state === MemberState.Syncing)
      this._state = MemberState.Unjoined;
  }

  /** SyncGroup is about to be sent (state stays Syncing). */
  syncSent(): void {
    this._state = MemberState.Syncing;
  }

  /** Handles a SyncGroup response; on success the member is Stable and heartbeats start. */
  syncCompleted(errorCode: number, now: number): MembershipAction {
    switch (errorCode) {
      case 0:
        this._state = MemberState.Stable;
        this.lastHeartbeatSend = now;
        this.lastHeartbeatReceive = now;
        this.heartbeatFailedAt = -1;
        return MembershipAction.None;
      case ErrorCode.REBALANCE_IN_PROGRESS:
        this._state = MemberState.Unjoined;
        this.rejoinReason = 'rebalance in progress during SyncGroup';
        return MembershipAction.RetryJoin;
      case ErrorCode.UNKNOWN_MEMBER_ID:
        this.resetGeneration('unknown member id in SyncGroup');
        return MembershipAction.RetryJoin;
      case ErrorCode.ILLEGAL_GENERATION:
        this.resetGeneration('illegal generation in SyncGroup', true);
        return MembershipAction.RetryJoin;
      case ErrorCode.COORDINATOR_NOT_AVAILABLE:
      case ErrorCode.NOT_COORDINATOR:
        this._state = MemberState.Unjoined;
        return MembershipAction.Rediscover;
      default:
        this._state = MemberState.Fatal;
        return MembershipAction.Fatal;
    }
  }

  /** Whether a heartbeat should be sent now: Stable, none in flight, and the interval passed (or a backoff after a failure). */
  heartbeatDue(now: number): boolean {
    if (!this.heartbeating || this.heartbeatInFlight) return false;
    return this.timeToNextHeartbeat(now) === 0;
  }

  /** Whether heartbeats run: the member holds a generation and is not joining. */
  get heartbeating(): boolean {
    return this._state === MemberState.Stable || this._state === MemberState.PreparingRebalance;
  }

  /** Ms until the next heartbeat is due. */
  timeToNextHeartbeat(now: number): number {
    const next =
      this.heartbeatFailedAt >= 0
        ? this.heartbeatFailedAt + this.options.retryBackoffMs
        : this.lastHeartbeatSend + this.options.heartbeatIntervalMs;
    return Math.max(0, next - now);
  }

  /** Whether no heartbeat got through for session.timeout.ms (the coordinator is presumed gone). */
  sessionTimeoutExpired(now: number): boolean {
    return this.heartbeating && now - this.lastHeartbeatReceive > this.options.sessionTimeoutMs;
  }

  /** A heartbeat was sent. */
  heartbeatSent(now: number): void {
    this.heartbeatInFlight = true;
    this.lastHeartbeatSend = now;
  }

  /** Handles a Heartbeat response, or a transport failure (`errorCode` null). */
  heartbeatCompleted(errorCode: number | null, now: number): MembershipAction {
    this.heartbeatInFlight = false;
    if (errorCode === null) {
      this.heartbeatFailedAt = now;
      return MembershipAction.Rediscover;
    }
    this.heartbeatFailedAt = -1;
    switch (errorCode) {
      case 0:
        this.lastHeartbeatReceive = now;
        return MembershipAction.None;
      case ErrorCode.REBALANCE_IN_PROGRESS:
        this.lastHeartbeatReceive = now;
        if (this._state === MemberState.Stable) this.requestRejoin('group is rebalancing');
        return MembershipAction.Rejoin;
      case ErrorCode.UNKNOWN_MEMBER_ID:
        this.resetGeneration('unknown member id in Heartbeat');
        return MembershipAction.Reset;
      case ErrorCode.ILLEGAL_GENERATION:
        this.resetGeneration('illegal generation in Heartbeat', true);
        return MembershipAction.Reset;
      case ErrorCode.COORDINATOR_NOT_AVAILABLE:
      case ErrorCode.NOT_COORDINATOR:
        this.heartbeatFailedAt = now;
        return MembershipAction.Rediscover;
      case ErrorCode.COORDINATOR_LOAD_IN_PROGRESS:
        this.heartbeatFailedAt = now;
        return MembershipAction.None;
      default:
        this._state = MemberState.Fatal;
        return MembershipAction.Fatal;
    }
  }

  /** The member left (LeaveGroup sent, or the poll timer expired): out of the group. */
  left(reason: string): void {
    // A static member keeps its member id only in the coordinator's view; locally it starts anew.
    this.resetGeneration(reason);
  }

  /** The member is closed. */
  close(): void {
    this._state = MemberState.Fatal;
  }
}
