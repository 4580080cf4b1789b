/**
 * A member of a classic group (Kafka's MemberMetadata / ClassicGroupMember), its protocols, what
 * its JoinGroup, SyncGroup and LeaveGroup requests carry, and the answers they receive.
 */

const EMPTY = Buffer.alloc(0);
/** One protocol (assignor) a member supports, with its metadata. */
export interface Protocol {
  /** The protocol name, e.g. `range`. */
  name: string;
  /** The member's metadata for it (a ConsumerProtocolSubscription for consumers). */
  metadata: Buffer;
}

/** What a JoinGroup request is answered with. */
export interface JoinGroupResult {
  /** The error code, 0 on success. */
  errorCode: number;
  /** The generation, -1 on error. */
  generationId: number;
  /** The group's protocol type. */
  protocolType: string | null;
  /** The selected protocol. */
  protocolName: string | null;
  /** The leader's member id. */
  leader: string;
  /** KIP-814: the (static) leader must not run the assignor again. */
  skipAssignment: boolean;
  /** The member id of the joining member (new, for MEMBER_ID_REQUIRED). */
  memberId: string;
  /** Every member with its metadata, for the leader only. */
  members: { memberId: string; groupInstanceId: string | null; metadata: Buffer }[];
}

/** What a SyncGroup request is answered with. */
export interface SyncGroupResult {
  /** The error code, 0 on success. */
  errorCode: number;
  /** The group's protocol type, on success. */
  protocolType: string | null;
  /** The selected protocol, on success. */
  protocolName: string | null;
  /** The member's assignment. */
  assignment: Buffer;
}

/** The answer to a JoinGroup that failed with `errorCode`. */
export function joinError(memberId: string, errorCode: number): JoinGroupResult {
  return {
    errorCode,
    generationId: -1,
    protocolType: null,
    protocolName: null,
    leader: '',
    skipAssignment: false,
    memberId,
    members: [],
  };
}

/** The answer to a SyncGroup that failed with `errorCode`. */
export function syncError(errorCode: number): SyncGroupResult {
  return { errorCode, protocolType: null, protocolName: null, assignment: EMPTY };
}

/** A member of a classic group. */
export class MemberMetadata {
  /** The member id; changes when a static member rejoins with an unknown id. */
  memberId: string;
  /** The static member's group.instance.id, or null for a dynamic member. */
  readonly groupInstanceId: string | null;
  /** The client id of its latest JoinGroup. */
  clientId: string;
  /** The client's host (connection address). */
  clientHost: string;
  /** How long the coordinator waits for it to rejoin during a rebalance. */
  rebalanceTimeoutMs: number;
  /** How long without a heartbeat before it is removed. */
  sessionTimeoutMs: number;
  /** Its protocol type (`consumer`, `connect`, ...). */
  readonly protocolType: string;
  /** The protocols it supports, in its order of preference. */
  supportedProtocols: Protocol[];
  /** The assignment from the last completed SyncGroup. */
  assignment: Buffer = EMPTY;
  /** Set while its JoinGroup is parked: answers it. */
  awaitingJoin: ((r: JoinGroupResult) => void) | null = null;
  /** Set while its SyncGroup is parked: answers it. */
  awaitingSync: ((r: SyncGroupResult) => void) | null = null;
  /** True from its first join until that rebalance completes (it has no heartbeats yet). */
  isNew = false;
  /** Its session (heartbeat) expiration timer, owned by the coordinator. */
  heartbeatTimer: unknown = null;

  /** A member as a JoinGroup describes it. */
  constructor(m: {
    memberId: string;
    groupInstanceId: string | null;
    clientId: string;
    clientHost: string;
    rebalanceTimeoutMs: number;
    sessionTimeoutMs: number;
    protocolType: string;
    supportedProtocols: Protocol[];
  }) {
    this.memberId = m.memberId;
    this.groupInstanceId = m.groupInstanceId;
    this.clientId = m.clientId;
    this.clientHost = m.clientHost;
    this.rebalanceTimeoutMs = m.rebalanceTimeoutMs;
    this.sessionTimeoutMs = m.sessionTimeoutMs;
    this.protocolType = m.protocolType;
    this.supportedProtocols = m.supportedProtocols;
  }

  /** Whether its JoinGroup is parked. */
  get isAwaitingJoin(): boolean {
    return this.awaitingJoin !== null;
  }

  /** Whether its SyncGroup is parked. */
  get isAwaitingSync(): boolean {
    return this.awaitingSync !== null;
  }

  /** Whether it has a group.instance.id. */
  get isStaticMember(): boolean {
    return this.groupInstanceId !== null;
  }

  /** Its metadata for `protocol`; throws when it does not support it. */
  metadata(protocol: string): Buffer {
    const p = this.supportedProtocols.find((x) => x.name === protocol);
    if (!p) throw new Error(`member ${this.memberId} does not support protocol ${protocol}`);
    return p.metadata;
  }

  /** Whether `protocols` are exactly its current ones (names, metadata bytes and order). */
  matches(protocols: readonly Protocol[]): boolean {
    if (protocols.length !== this.supportedProtocols.length) return false;
    return protocols.every((p, i) => {
      const q = this.supportedProtocols[i];
      return p.name === q.name && p.metadata.equals(q.metadata);
    });
  }

  /** Its vote: the first protocol it prefers among `candidates`. */
  vote(candidates: ReadonlySet<string>): string {
    const p = this.supportedProtocols.find((x) => candidates.has(x.name));
    if (!p) throw new Error(`member ${this.memberId} does not support any of the candidate protocols`);
    return p.name;
  }
}

/** A JoinGroup request, as the coordinator needs it. */
export interface JoinGroupParams {
  /** The group id. */
  groupId: string;
  /** The member id, '' for a first join. */
  memberId: string;
  /** The static member's group.instance.id (JoinGroup v5+). */
  groupInstanceId: string | null;
  /** JoinGroup v4+: a first join is answered MEMBER_ID_REQUIRED with an id to rejoin with (KIP-394). */
  requireKnownMemberId: boolean;
  /** JoinGroup v9+: a static leader rejoining a Stable group is told to skip the assignment (KIP-814). */
  supportSkippingAssignment: boolean;
  /** The client id of the request. */
  clientId: string;
  /** The client's host, as Kafka shows it (`/127.0.0.1`). */
  clientHost: string;
  /** The rebalance timeout (the session timeout for JoinGroup v0). */
  rebalanceTimeoutMs: number;
  /** The session timeout. */
  sessionTimeoutMs: number;
  /** The protocol type, e.g. `consumer`. */
  protocolType: string;
  /** The supported protocols, in preference order. */
  protocols: Protocol[];
  /** Why the member (re)joins (v8+), for the log. */
  reason: string | null;
}

/** A SyncGroup request, as the coordinator needs it. */
export interface SyncGroupParams {
  /** The group id. */
  groupId: string;
  /** The member's generation. */
  generationId: number;
  /** The member id. */
  memberId: string;
  /** The group.instance.id, if static. */
  groupInstanceId: string | null;
  /** The protocol type (v5+; null before). */
  protocolType: string | null;
  /** The protocol name (v5+; null before). */
  protocolName: string | null;
  /** The leader's assignments by member id (empty from followers). */
  assignments: { memberId: string; assignment: Buffer }[];
}

/** One member of a LeaveGroup, and its answer. */
export interface LeaveMemberResult {
  /** The member id ('' to remove a static member by instance id). */
  memberId: string;
  /** The group.instance.id, if given. */
  groupInstanceId: string | null;
  /** The error code for this member. */
  errorCode: number;
}
