/**
 * A classic consumer group: Kafka's GroupMetadata (ClassicGroup in the newer coordinator). Pure
 * state and the rules of its state machine; the coordinator decides when to move between states,
 * and owns timers and persistence.
 */
import { ConsumerProtocolSubscription, decodeMessage, Reader } from '@tskafka/protocol/internals';
import {
  type JoinGroupResult,
  joinError,
  type MemberMetadata,
  type Protocol,
  type SyncGroupResult,
  syncError,
} from './member.js';

/** The states of a classic group. */
export enum GroupState {
  /** No members; the group may still hold committed offsets (also simple, `assign()`-based groups). */
  Empty = 'Empty',
  /** Waiting for members to (re)join; JoinGroup responses are parked until all have. */
  PreparingRebalance = 'PreparingRebalance',
  /** Waiting for the leader's SyncGroup with the assignment. */
  CompletingRebalance = 'CompletingRebalance',
  /** Every member has its assignment; heartbeats are answered normally. */
  Stable = 'Stable',
  /** The group was deleted or moved to another coordinator; nothing is served from it. */
  Dead = 'Dead',
}

/** From which states each state may be entered (Kafka's `validPreviousStates`). */
const VALID_PREVIOUS: Record<GroupState, readonly GroupState[]> = {
  [GroupState.PreparingRebalance]: [GroupState.Stable, GroupState.CompletingRebalance, GroupState.Empty],
  [GroupState.CompletingRebalance]: [GroupState.PreparingRebalance],
  [GroupState.Stable]: [GroupState.CompletingRebalance],
  [GroupState.Dead]: [
    GroupState.Stable,
    GroupState.PreparingRebalance,
    GroupState.CompletingRebalance,
    GroupState.Empty,
    GroupState.Dead,
  ],
  [GroupState.Empty]: [GroupState.PreparingRebalance],
};

/** The protocol type of Kafka consumers; only their metadata is parsed (for subscribed topics). */
export const CONSUMER_PROTOCOL_TYPE = 'consumer';

/** A committed offset (Kafka's OffsetAndMetadata). */
export interface OffsetAndMetadata {
  /** The next offset to consume. */
  offset: number;
  /** The leader epoch of the last consumed record, -1 when unknown. */
  leaderEpoch: number;
  /** The client's metadata string. */
  metadata: string;
  /** When it was committed. */
  commitTimestamp: number;
  /** When it expires, if the commit gave a retention time (OffsetCommit v1-4); else null. */
  expireTimestamp: number | null;
}

/** A transactional offset commit written to the log but not yet decided by its transaction's marker. */
export interface PendingTxnOffset {
  /** The topic. */
  topic: string;
  /** The partition. */
  partition: number;
  /** What was committed. */
  offset: OffsetAndMetadata;
  /** Offset of its record in `__consumer_offsets`, to order it against other commits. */
  recordOffset: number;
}

const EMPTY = Buffer.alloc(0);

/**
 * A parked rebalance (Kafka's DelayedJoin, or InitialDelayedJoin while an empty group waits
 * `group.initial.rebalance.delay.ms` for more members).
 */
export interface DelayedJoin {
  /** InitialDelayedJoin: only its timer completes it, and it extends while members keep coming. */
  readonly initial: boolean;
  /** This delay. */
  readonly delayMs: number;
  /** What is left of the rebalance timeout after this delay (initial joins only). */
  readonly remainingMs: number;
  /** The timer, owned by the coordinator. */
  timer: unknown;
}

/** The timers the coordinator runs for a group (handles are opaque here). */
export interface GroupTimers {
  /** The parked rebalance, while PreparingRebalance. */
  join: DelayedJoin | null;
  /** DelayedSync: members that do not send SyncGroup within the rebalance timeout are removed. */
  sync: { timer: unknown; generationId: number } | null;
  /** Expirations of MEMBER_ID_REQUIRED members that never joined, by member id. */
  readonly pending: Map<string, unknown>;
}

/** A member as DescribeGroups shows it. */
export interface MemberSummary {
  /** The member id. */
  memberId: string;
  /** The group.instance.id, or null. */
  groupInstanceId: string | null;
  /** The client id. */
  clientId: string;
  /** The client host. */
  clientHost: string;
  /** Its metadata for the selected protocol (empty unless the group is Stable). */
  metadata: Buffer;
  /** Its assignment (empty unless the group is Stable). */
  assignment: Buffer;
}

/** A classic group: membership, generation, protocol and committed offsets. */
export class ClassicGroup {
  /** The group id. */
  readonly groupId: string;
  /** The current state. */
  state: GroupState;
  /** The state before the current one. */
  previousState: GroupState;
  /** When the group entered its current state (kept in the metadata record; offsets expire from it). */
  currentStateTimestamp: number | null;
  /** The protocol type, set by the first member; null for a group that only stores offsets. */
  protocolType: string | null = null;
  /** The protocol selected for the current generation. */
  protocolName: string | null = null;
  /** The generation, bumped by every completed join phase. */
  generationId = 0;
  /** The leader's member id. */
  leaderId: string | null = null;
  /** Members by id, in the order they joined. */
  readonly members = new Map<string, MemberMetadata>();
  /** group.instance.id → member id, for static members. */
  readonly staticMembers = new Map<string, string>();
  /** Member ids handed out with MEMBER_ID_REQUIRED that have not joined yet (KIP-394). */
  readonly pendingMembers = new Set<string>();
  /** Members of this generation that have not sent their SyncGroup yet. */
  readonly pendingSyncMembers = new Set<string>();
  /** Set when a member joins during the initial delay, which then extends (InitialDelayedJoin). */
  newMemberAdded = false;
  /** The topics the members subscribe to, for consumer groups; null when unknown. */
  subscribedTopics: Set<string> | null = null;
  /** Committed offsets: topic → partition → offset. */
  readonly offsets = new Map<string, Map<number, OffsetAndMetadata>>();
  /** Transactional offset commits not yet committed or aborted: producer id → `topic:partition` → commit. */
  readonly pendingTxnOffsets = new Map<number, Map<string, PendingTxnOffset>>();
  /** Offset in `__consumer_offsets` of each committed offset's record (`topic:partition`), when known. */
  private readonly offsetRecordOffsets = new Map<string, number>();
  /** Plain commits written but not yet in the ISR, by `topic:partition` (Kafka's pendingOffsetCommits). */
  private readonly pendingOffsetWrites = new Map<string, number>();
  /** Timers of this group's delayed operations. */
  readonly timers: GroupTimers = { join: null, sync: null, pending: new Map() };

  /** A group in `state` at `now`. */
  constructor(groupId: string, state: GroupState, now: number) {
    this.groupId = groupId;
    this.state = state;
    this.previousState = state;
    this.currentStateTimestamp = now;
  }

  /** Whether the group is in `state`. */
  is(state: GroupState): boolean {
    return this.state === state;
  }

  /** Whether `memberId` is a member. */
  has(memberId: string): boolean {
    return this.members.has(memberId);
  }

  /** The member `memberId`; throws when absent. */
  get(memberId: string): MemberMetadata {
    const m = this.members.get(memberId);
    if (!m) throw new Error(`no member ${memberId} in group ${this.groupId}`);
    return m;
  }

  /** The number of members. */
  get size(): number {
    return this.members.size;
  }

  /** Whether `memberId` leads the group. */
  isLeader(memberId: string): boolean {
    return this.leaderId === memberId;
  }

  /** Whether this is a Kafka consumer group. */
  get isConsumerGroup(): boolean {
    return this.protocolType === CONSUMER_PROTOCOL_TYPE;
  }

  /** Whether a rebalance may start from the current state. */
  get canRebalance(): boolean {
    return VALID_PREVIOUS[GroupState.PreparingRebalance].includes(this.state);
  }

  /** Moves to `state`; throws on a transition Kafka forbids (a coordinator bug). */
  transitionTo(state: GroupState, now: number): void {
    if (!VALID_PREVIOUS[state].includes(this.state)) {
      throw new Error(
        `group ${this.groupId} should be in ${VALID_PREVIOUS[state].join('/')} to move to ${state}, not ${this.state}`,
      );
    }
    this.previousState = this.state;
    this.state = state;
    this.currentStateTimestamp = now;
  }

  /** Adds a member; the first one sets the protocol type and, with no leader yet, becomes the leader. */
  add(member: MemberMetadata, callback: ((r: JoinGroupResult) => void) | null = null): void {
    if (member.groupInstanceId !== null) {
      if (this.staticMembers.has(member.groupInstanceId)) {
        throw new Error(`static member ${member.groupInstanceId} is already in group ${this.groupId}`);
      }
      this.staticMembers.set(member.groupInstanceId, member.memberId);
    }
    if (this.members.size === 0) this.protocolType = member.protocolType;
    if (this.leaderId === null) this.leaderId = member.memberId;
    this.members.set(member.memberId, member);
    member.awaitingJoin = callback;
    this.pendingMembers.delete(member.memberId);
  }

  /** Removes a member (and its pending state); a departing leader is replaced by the oldest member. */
  remove(memberId: string): void {
    const m = this.members.get(memberId);
    if (m) {
      this.members.delete(memberId);
      if (m.groupInstanceId !== null) this.staticMembers.delete(m.groupInstanceId);
    }
    if (this.isLeader(memberId)) this.leaderId = this.members.keys().next().value ?? null;
    this.pendingMembers.delete(memberId);
    this.pendingSyncMembers.delete(memberId);
  }

  /**
   * Keeps the leader if it rejoined, else elects any member that did. False when no leader can be
   * had: the group is empty or nobody rejoined.
   */
  maybeElectNewJoinedLeader(): boolean {
    if (this.leaderId === null) return false;
    if (this.get(this.leaderId).isAwaitingJoin) return true;
    for (const m of this.members.values()) {
      if (m.isAwaitingJoin) {
        this.leaderId = m.memberId;
        return true;
      }
    }
    return false;
  }

  /**
   * A static member rejoined with an unknown member id: the same member continues under
   * `newMemberId`. Whoever still waits under the old id is fenced (FENCED_INSTANCE_ID).
   */
  replaceStaticMember(
    groupInstanceId: string,
    oldMemberId: string,
    newMemberId: string,
    fenced: number,
  ): MemberMetadata {
    const member = this.get(oldMemberId);
    this.members.delete(oldMemberId);
    this.maybeInvokeJoinCallback(member, joinError(oldMemberId, fenced));
    this.maybeInvokeSyncCallback(member, syncError(fenced));
    member.memberId = newMemberId;
    this.members.set(newMemberId, member);
    if (this.isLeader(oldMemberId)) this.leaderId = newMemberId;
    this.staticMembers.set(groupInstanceId, newMemberId);
    if (this.pendingSyncMembers.delete(oldMemberId)) this.pendingSyncMembers.add(newMemberId);
    return member;
  }

  /** The member id currently holding `groupInstanceId`. */
  currentStaticMemberId(groupInstanceId: string): string | undefined {
    return this.staticMembers.get(groupInstanceId);
  }

  /** Members that have not rejoined in this rebalance. */
  notYetRejoinedMembers(): MemberMetadata[] {
    return [...this.members.values()].filter((m) => !m.isAwaitingJoin);
  }

  /** Whether every member has rejoined and no MEMBER_ID_REQUIRED member is still expected. */
  get hasAllMembersJoined(): boolean {
    for (const m of this.members.values()) if (!m.isAwaitingJoin) return false;
    return this.pendingMembers.size === 0;
  }

  /** The group's rebalance timeout: the largest of its members'. */
  get rebalanceTimeoutMs(): number {
    let max = 0;
    for (const m of this.members.values()) max = Math.max(max, m.rebalanceTimeoutMs);
    return max;
  }

  /** Protocols every member supports. */
  candidateProtocols(): Set<string> {
    const [first, ...rest] = this.members.values();
    const out = new Set<string>();
    if (!first) return out;
    for (const p of first.supportedProtocols) {
      if (rest.every((m) => m.supportedProtocols.some((q) => q.name === p.name))) out.add(p.name);
    }
    return out;
  }

  /**
   * Kafka's `selectProtocol`: among the protocols all members support, each member votes for its
   * most preferred; the most votes wins. Ties go to the protocol voted first in join order (Kafka
   * leaves them to hash order; any deterministic choice is as valid).
   */
  selectProtocol(): string {
    if (this.members.size === 0) throw new Error(`cannot select a protocol for empty group ${this.groupId}`);
    const candidates = this.candidateProtocols();
    const votes = new Map<string, number>();
    for (const m of this.members.values()) {
      const v = m.vote(candidates);
      votes.set(v, (votes.get(v) ?? 0) + 1);
    }
    let best = '';
    let bestVotes = -1;
    for (const [name, n] of votes) {
      if (n > bestVotes) {
        best = name;
        bestVotes = n;
      }
    }
    return best;
  }

  /** Whether a member with this protocol type and these protocols may join. */
  supportsProtocols(protocolType: string, protocols: readonly string[]): boolean {
    if (this.is(GroupState.Empty)) return protocolType.length > 0 && protocols.length > 0;
    if (this.protocolType !== protocolType) return false;
    return protocols.some((p) => {
      for (const m of this.members.values())
        if (!m.supportedProtocols.some((q) => q.name === p)) return false;
      return true;
    });
  }

  /**
   * Whether the group consumes `topic`. When it cannot tell (not a consumer group, or metadata
   * that does not parse) it says yes, to be safe, as Kafka does.
   */
  isSubscribedToTopic(topic: string): boolean {
    return this.subscribedTopics === null || this.subscribedTopics.has(topic);
  }

  /**
   * The union of the members' subscribed topics, for consumer groups. Parsed with version 0 of
   * ConsumerProtocolSubscription, the prefix of every version, so future versions parse too.
   */
  computeSubscribedTopics(): Set<string> | null {
    if (this.protocolType !== CONSUMER_PROTOCOL_TYPE) return null;
    if (this.members.size === 0) return new Set();
    if (this.protocolName === null) return null;
    try {
      const topics = new Set<string>();
      for (const m of this.members.values()) {
        const r = new Reader(m.metadata(this.protocolName));
        r.int16();
        for (const t of decodeMessage(ConsumerProtocolSubscription, 0, r, false).topics) topics.add(t);
      }
      return topics;
    } catch {
      return null;
    }
  }

  /** Replaces a member's protocols and timeouts and parks (or un-parks) its JoinGroup. */
  updateMember(
    member: MemberMetadata,
    protocols: Protocol[],
    rebalanceTimeoutMs: number,
    sessionTimeoutMs: number,
    callback: ((r: JoinGroupResult) => void) | null,
  ): void {
    member.supportedProtocols = protocols;
    member.rebalanceTimeoutMs = rebalanceTimeoutMs;
    member.sessionTimeoutMs = sessionTimeoutMs;
    member.awaitingJoin = callback;
  }

  /** Answers the member's parked JoinGroup, if any. */
  maybeInvokeJoinCallback(member: MemberMetadata, result: JoinGroupResult): boolean {
    const cb = member.awaitingJoin;
    if (!cb) return false;
    member.awaitingJoin = null;
    cb(result);
    return true;
  }

  /** Answers the member's parked SyncGroup, if any. */
  maybeInvokeSyncCallback(member: MemberMetadata, result: SyncGroupResult): boolean {
    const cb = member.awaitingSync;
    if (!cb) return false;
    member.awaitingSync = null;
    cb(result);
    return true;
  }

  /** Starts the next generation: CompletingRebalance with a selected protocol, or Empty. */
  initNextGeneration(now: number): void {
    this.generationId++;
    if (this.members.size > 0) {
      this.protocolName = this.selectProtocol();
      this.subscribedTopics = this.computeSubscribedTopics();
      this.transitionTo(GroupState.CompletingRebalance, now);
    } else {
      this.protocolName = null;
      this.subscribedTopics = this.computeSubscribedTopics();
      this.transitionTo(GroupState.Empty, now);
    }
    this.pendingSyncMembers.clear();
  }

  /** Every member with its metadata for the selected protocol (the leader's JoinGroup answer). */
  currentMemberMetadata(): JoinGroupResult['members'] {
    if (this.is(GroupState.Dead) || this.is(GroupState.PreparingRebalance) || this.protocolName === null) {
      throw new Error(`cannot list member metadata of group ${this.groupId} in state ${this.state}`);
    }
    const protocol = this.protocolName;
    return [...this.members.values()].map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      metadata: m.metadata(protocol),
    }));
  }

  /** What DescribeGroups shows: metadata and assignments only once Stable, as in Kafka. */
  summary(): { state: GroupState; protocolType: string; protocol: string; members: MemberSummary[] } {
    const stable = this.is(GroupState.Stable) && this.protocolName !== null;
    const protocol = stable ? (this.protocolName as string) : '';
    return {
      state: this.state,
      protocolType: this.protocolType ?? '',
      protocol,
      members: [...this.members.values()].map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        metadata: stable ? m.metadata(protocol) : EMPTY,
        assignment: stable ? m.assignment : EMPTY,
      })),
    };
  }

  /** The committed offset of a partition. */
  offset(topic: string, partition: number): OffsetAndMetadata | undefined {
    return this.offsets.get(topic)?.get(partition);
  }

  /** Records a committed offset; `recordOffset` is where its record is in `__consumer_offsets`. */
  putOffset(topic: string, partition: number, o: OffsetAndMetadata, recordOffset?: number): void {
    if (recordOffset === undefined) this.offsetRecordOffsets.delete(`${topic}:${partition}`);
    else this.offsetRecordOffsets.set(`${topic}:${partition}`, recordOffset);
    let byPartition = this.offsets.get(topic);
    if (!byPartition) {
      byPartition = new Map();
      this.offsets.set(topic, byPartition);
    }
    byPartition.set(partition, o);
  }

  /**
   * Records a committed offset once its write is in the ISR, unless a record written later to the
   * log already holds the partition (two commits in flight complete in log order, but a reload
   * may have put the later one first).
   */
  putOffsetIfNewer(topic: string, partition: number, o: OffsetAndMetadata, recordOffset: number): void {
    const current = this.offsetRecordOffsets.get(`${topic}:${partition}`);
    if (current !== undefined && current > recordOffset && this.offset(topic, partition)) return;
    this.putOffset(topic, partition, o, recordOffset);
  }

  /** Marks a plain commit of these partitions as written and waiting for the ISR. */
  prepareOffsetCommit(partitions: readonly { topic: string; partition: number }[]): void {
    for (const { topic, partition } of partitions) {
      const key = `${topic}:${partition}`;
      this.pendingOffsetWrites.set(key, (this.pendingOffsetWrites.get(key) ?? 0) + 1);
    }
  }

  /** Ends what {@link ClassicGroup.prepareOffsetCommit} marked, replicated or not. */
  completeOffsetCommit(partitions: readonly { topic: string; partition: number }[]): void {
    for (const { topic, partition } of partitions) {
      const key = `${topic}:${partition}`;
      const left = (this.pendingOffsetWrites.get(key) ?? 0) - 1;
      if (left > 0) this.pendingOffsetWrites.set(key, left);
      else this.pendingOffsetWrites.delete(key);
    }
  }

  /** Forgets the offsets of these partitions; returns those that existed. */
  removeOffsets(
    partitions: readonly { topic: string; partition: number }[],
  ): { topic: string; partition: number }[] {
    const removed: { topic: string; partition: number }[] = [];
    for (const { topic, partition } of partitions) {
      for (const pending of this.pendingTxnOffsets.values()) pending.delete(`${topic}:${partition}`);
      this.offsetRecordOffsets.delete(`${topic}:${partition}`);
      const byPartition = this.offsets.get(topic);
      if (byPartition?.delete(partition)) removed.push({ topic, partition });
      if (byPartition && byPartition.size === 0) this.offsets.delete(topic);
    }
    return removed;
  }

  /** Every committed offset. */
  allOffsets(): { topic: string; partition: number; offset: OffsetAndMetadata }[] {
    const out: { topic: string; partition: number; offset: OffsetAndMetadata }[] = [];
    for (const [topic, byPartition] of this.offsets) {
      for (const [partition, offset] of byPartition) out.push({ topic, partition, offset });
    }
    return out;
  }

  /** Whether any offset is committed. */
  get hasOffsets(): boolean {
    return this.offsets.size > 0 || this.pendingTxnOffsets.size > 0 || this.pendingOffsetWrites.size > 0;
  }

  /** Keeps a transactional commit of `producerId`, written at `recordOffset`, until its transaction ends. */
  putPendingTxnOffset(producerId: number, pending: PendingTxnOffset): void {
    let byProducer = this.pendingTxnOffsets.get(producerId);
    if (!byProducer) {
      byProducer = new Map();
      this.pendingTxnOffsets.set(producerId, byProducer);
    }
    byProducer.set(`${pending.topic}:${pending.partition}`, pending);
  }

  /**
   * Ends the transaction of `producerId` (Kafka's `completePendingTxnOffsetCommit`): on commit its
   * pending offsets become the committed ones, unless a commit written later to the log already
   * replaced them; on abort they are dropped. Returns how many became committed.
   */
  completePendingTxnOffsetCommit(producerId: number, isCommit: boolean): number {
    const pending = this.pendingTxnOffsets.get(producerId);
    if (!pending) return 0;
    this.pendingTxnOffsets.delete(producerId);
    if (!isCommit) return 0;
    let applied = 0;
    for (const [key, p] of pending) {
      const current = this.offsetRecordOffsets.get(key);
      const hasCurrent = this.offset(p.topic, p.partition) !== undefined;
      if (hasCurrent && current !== undefined && current > p.recordOffset) continue;
      this.putOffset(p.topic, p.partition, p.offset, p.recordOffset);
      applied++;
    }
    return applied;
  }

  /**
   * Whether a commit of this partition is not settled yet (requireStable): a transactional one
   * awaiting its transaction's end, or a plain one awaiting the ISR.
   */
  hasPendingOffsetCommits(topic: string, partition: number): boolean {
    if (this.pendingOffsetWrites.has(`${topic}:${partition}`)) return true;
    for (const pending of this.pendingTxnOffsets.values())
      if (pending.has(`${topic}:${partition}`)) return true;
    return false;
  }

  /**
   * The offsets due to expire at `now` (KIP-211): for an Empty group, `retentionMs` after it
   * became empty; for a Stable consumer group, offsets of topics it no longer subscribes to,
   * `retentionMs` after their commit; for a group without a protocol (simple consumers),
   * `retentionMs` after their commit. An explicit expire timestamp (OffsetCommit v1-4) wins.
   */
  expiredOffsets(now: number, retentionMs: number): { topic: string; partition: number }[] {
    let base: ((o: OffsetAndMetadata) => number) | null = null;
    let keep: Set<string> = new Set();
    if (this.protocolType !== null && this.is(GroupState.Empty)) {
      const since = this.currentStateTimestamp;
      base = (o) => since ?? o.commitTimestamp;
    } else if (this.isConsumerGroup && this.subscribedTopics !== null && this.is(GroupState.Stable)) {
      base = (o) => o.commitTimestamp;
      keep = this.subscribedTopics;
    } else if (this.protocolType === null) {
      base = (o) => o.commitTimestamp;
    }
    if (!base) return [];
    const baseOf = base;
    return this.allOffsets()
      .filter(({ topic, partition, offset }) => {
        if (keep.has(topic) || this.hasPendingOffsetCommits(topic, partition)) return false;
        return offset.expireTimestamp !== null
          ? now >= offset.expireTimestamp
          : now - baseOf(offset) >= retentionMs;
      })
      .map(({ topic, partition }) => ({ topic, partition }));
  }
}
