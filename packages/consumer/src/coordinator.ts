/**
 * The consumer coordinator (Java's `ConsumerCoordinator`): the I/O shell around
 * {@link GroupMembership}. It finds the coordinator, joins and syncs (running the assignor when
 * this member leads), calls the rebalance listener, heartbeats on its own timer, commits and
 * fetches offsets, and leaves the group.
 *
 * @module
 */

import { createKafkaError } from '@tskafka/protocol';
import { Api } from '@tskafka/protocol/internals';
import type { Logger, TimerClock, TimerHandle } from '@tskafka/transport';
import { type Cluster, raceTimer, sleepOn } from '@tskafka/transport/internals';
import {
  CONSUMER_PROTOCOL_TYPE,
  type ConsumerPartitionAssignor,
  decodeAssignment,
  decodeSubscription,
  encodeSubscription,
  type PartitionInfo,
  performAssignmentAsync,
  RebalanceProtocol,
  rebalanceProtocolOf,
} from './assignors/index.js';
import { CommitFailedError, ConsumerClosedError, ConsumerError } from './errors.js';
import { GroupMembership, MembershipAction } from './membership.js';
import { refreshMetadataOrWarn } from './metadata-refresh.js';
import { coordinatorVersion, GroupOffsets, type OffsetCallOptions } from './offset-commit.js';
import type { SubscriptionState } from './subscription-state.js';
import {
  type ConsumerRebalanceListener,
  type OffsetAndMetadata,
  partitionKey,
  sortPartitions,
  type TopicPartition,
} from './types.js';

/** Settings of a {@link ConsumerCoordinator}. */
export interface CoordinatorOptions {
  /** `group.id`. */
  groupId: string;
  /** `group.instance.id`, or null. */
  groupInstanceId: string | null;
  /** `client.rack`, sent in the subscription for the rack-aware assignors; null for none. */
  clientRack?: string | null;
  /** `session.timeout.ms`. */
  sessionTimeoutMs: number;
  /** `heartbeat.interval.ms`. */
  heartbeatIntervalMs: number;
  /** `max.poll.interval.ms` (also the rebalance timeout). */
  maxPollIntervalMs: number;
  /** `retry.backoff.ms`. */
  retryBackoffMs: number;
  /** `request.timeout.ms`. */
  requestTimeoutMs: number;
  /** The assignors, preferred first. */
  assignors: readonly ConsumerPartitionAssignor[];
  /** `enable.auto.commit`. */
  autoCommit: boolean;
  /** `auto.commit.interval.ms`. */
  autoCommitIntervalMs: number;
}

/** What the coordinator needs from the consumer around it. */
export interface CoordinatorHooks {
  /** The user's rebalance listener, if any. */
  listener(): ConsumerRebalanceListener | undefined;
  /** Commits went through (for interceptors). */
  onCommit(offsets: ReadonlyMap<TopicPartition, OffsetAndMetadata>): void;
  /** A rebalance is pending or the member was reset: wake a waiting poll. */
  wake(): void;
  /** Partitions were taken away: drop their buffered data. */
  revoked(): void;
  /** The time, and the timers of heartbeats and backoffs. */
  readonly clock: TimerClock;
}

/** The consumer coordinator. */
export class ConsumerCoordinator {
  /** The membership state machine. */
  readonly membership: GroupMembership;
  private readonly protocol: RebalanceProtocol;
  private heartbeatTimer: TimerHandle | null = null;
  private closed = false;
  private joinPrepared = false;
  private nextAutoCommit: number;
  /** The background auto commit in flight (see maybeAutoCommit). */
  private autoCommitInFlight: Promise<void> | null = null;
  private fatal: Error | null = null;
  private readonly offsets: GroupOffsets;
  /** As leader: the partition counts the last assignment was computed over. */
  private assignedCounts: Map<string, number> | null = null;

  /**
   * @param cluster - the transport.
   * @param subscriptions - subscription and assignment.
   * @param options - settings.
   * @param hooks - callbacks into the consumer.
   * @param logger - log lines.
   */
  constructor(
    private readonly cluster: Cluster,
    private readonly subscriptions: SubscriptionState,
    readonly options: CoordinatorOptions,
    private readonly hooks: CoordinatorHooks,
    private readonly logger: Logger,
  ) {
    const now = hooks.clock.now();
    this.membership = new GroupMembership(
      {
        sessionTimeoutMs: options.sessionTimeoutMs,
        heartbeatIntervalMs: options.heartbeatIntervalMs,
        maxPollIntervalMs: options.maxPollIntervalMs,
        groupInstanceId: options.groupInstanceId,
        retryBackoffMs: options.retryBackoffMs,
      },
      now,
    );
    this.protocol = rebalanceProtocolOf(options.assignors);
    this.offsets = new GroupOffsets(cluster, options.groupId, this.membership, {
      inGroup: () => subscriptions.hasAutoAssignment,
      groupInstanceId: options.groupInstanceId,
      onCommit: (offsets) => hooks.onCommit(offsets),
      wake: () => hooks.wake(),
    });
    this.nextAutoCommit = now + options.autoCommitIntervalMs;
  }

  /** The rebalance protocol in use. */
  get rebalanceProtocol(): RebalanceProtocol {
    return this.protocol;
  }

  // ---- joining -------------------------------------------------------------------------------

  /**
   * Makes sure the member is in the group with an assignment: joins or rejoins when needed,
   * calling the rebalance listener on the way. Called by every poll.
   */
  async ensureActiveGroup(): Promise<void> {
    if (this.fatal !== null) throw this.fatal;
    this.membership.pollCalled(this.hooks.clock.now());
    this.checkPartitionCounts();
    while (this.membership.needsJoin) {
      if (this.closed) throw new ConsumerClosedError('the consumer is closed');
      await this.ensureCoordinator();
      if (!this.joinPrepared) {
        await this.onJoinPrepare();
        this.joinPrepared = true;
      }
      const assignment = await this.joinAndSync();
      if (assignment === null) continue;
      this.joinPrepared = false;
      await this.onJoinComplete(assignment);
    }
    this.startHeartbeats();
  }

  /**
   * The leader asks for a rebalance when a subscribed topic's partition count changed since it
   * assigned (partitions added, a topic created or deleted), as Java's leader does.
   */
  private checkPartitionCounts(): void {
    const counts = this.assignedCounts;
    if (counts === null || !this.membership.isLeader || this.membership.needsJoin) return;
    for (const [topic, n] of counts) {
      const now = this.cluster.partitionCountFor(topic);
      if (now !== undefined && now !== n) {
        this.membership.requestRejoin(`the partition count of ${topic} changed from ${n} to ${now}`);
        return;
      }
    }
  }

  private async ensureCoordinator(): Promise<void> {
    await this.cluster.findCoordinator('group', this.options.groupId);
  }

  /** Returns the assignment bytes, or null to go round again (after any backoff). */
  private async joinAndSync(): Promise<Buffer | null> {
    const m = this.membership;
    const o = this.options;
    const topics = [...this.subscriptions.topics].sort();
    const owned = this.subscriptions.assignment();
    m.joinSent();
    let join: Awaited<ReturnType<typeof this.requestJoin>>;
    try {
      join = await this.requestJoin(topics, owned);
    } catch (e) {
      return this.transportFailure(e);
    }
    const action = m.joinCompleted({
      errorCode: join.errorCode,
      generationId: join.generationId,
      protocolName: join.protocolName,
      leader: join.leader,
      memberId: join.memberId,
    });
    if (action !== MembershipAction.None) {
      await this.handleAction(action, join.errorCode, 'JoinGroup');
      return null;
    }
    const assignments = m.isLeader ? await this.performAssignment(join.protocolName ?? '', join.members) : [];
    m.syncSent();
    let sync: { errorCode: number; assignment: Buffer };
    try {
      sync = await this.cluster.requestCoordinator('group', o.groupId, Api.SyncGroup, {
        groupId: o.groupId,
        generationId: m.generationId,
        memberId: m.memberId,
        groupInstanceId: o.groupInstanceId,
        protocolType: CONSUMER_PROTOCOL_TYPE,
        protocolName: m.protocolName,
        assignments,
      });
    } catch (e) {
      return this.transportFailure(e);
    }
    const syncAction = m.syncCompleted(sync.errorCode, this.hooks.clock.now());
    if (syncAction !== MembershipAction.None) {
      await this.handleAction(syncAction, sync.errorCode, 'SyncGroup');
      return null;
    }
    return sync.assignment;
  }

  private requestJoin(topics: string[], owned: TopicPartition[]) {
    const m = this.membership;
    const o = this.options;
    return this.cluster.requestCoordinator(
      'group',
      o.groupId,
      Api.JoinGroup,
      {
        groupId: o.groupId,
        sessionTimeoutMs: o.sessionTimeoutMs,
        rebalanceTimeoutMs: o.maxPollIntervalMs,
        memberId: m.memberId,
        groupInstanceId: o.groupInstanceId,
        protocolType: CONSUMER_PROTOCOL_TYPE,
        protocols: o.assignors.map((a) => ({
          name: a.name,
          metadata: encodeSubscription({
            topics,
            userData: a.subscriptionUserData?.(topics) ?? null,
            ownedPartitions: owned,
            generationId: m.generationId,
            rackId: o.clientRack ?? null,
          }),
        })),
        reason: m.rejoinReason,
      },
      // The coordinator holds JoinGroup until every member rejoined, up to the rebalance timeout.
      { timeoutMs: o.maxPollIntervalMs + 5_000 },
    );
  }

  private async transportFailure(e: unknown): Promise<null> {
    if (this.closed) throw new ConsumerClosedError('the consumer is closed');
    this.logger.debug('group request failed; finding the coordinator again', { error: e as Error });
    this.cluster.invalidateCoordinator('group', this.options.groupId);
    this.membership.joinInterrupted('a group request failed');
    await sleepOn(this.hooks.clock, this.options.retryBackoffMs);
    return null;
  }

  private async handleAction(action: MembershipAction, errorCode: number, api: string): Promise<void> {
    switch (action) {
      case MembershipAction.Rediscover:
        this.cluster.invalidateCoordinator('group', this.options.groupId);
        await sleepOn(this.hooks.clock, this.options.retryBackoffMs);
        return;
      case MembershipAction.Backoff:
        await sleepOn(this.hooks.clock, this.options.retryBackoffMs);
        return;
      case MembershipAction.Fatal:
        this.fatal = createKafkaError(errorCode, { apiName: api });
        throw this.fatal;
      default:
        return;
    }
  }

  /** The leader's job: decode every member's subscription, run the assignor, encode the result. */
  private async performAssignment(
    protocolName: string,
    members: readonly { memberId: string; groupInstanceId: string | null; metadata: Buffer }[],
  ): Promise<{ memberId: string; assignment: Buffer }[]> {
    const assignor = this.options.assignors.find((a) => a.name === protocolName);
    if (assignor === undefined)
      throw new ConsumerError(
        `the group chose assignor "${protocolName}", which this consumer does not have`,
      );
    const allTopics = new Set<string>();
    for (const member of members)
      for (const t of decodeSubscription(member.metadata).topics) allTopics.add(t);
    const partitionsPerTopic = new Map<string, number>();
    await refreshMetadataOrWarn(this.cluster, this.logger, [...allTopics], 'the group assignment');
    for (const t of allTopics) {
      const n = this.cluster.partitionCountFor(t);
      if (n !== undefined && n > 0) partitionsPerTopic.set(t, n);
    }
    this.assignedCounts = partitionsPerTopic;
    const result = await performAssignmentAsync(
      assignor,
      partitionsPerTopic,
      members,
      undefined,
      this.partitionInfos(partitionsPerTopic),
    );
    this.logger.debug('assignment computed', { assignor: assignor.name, members: members.length });
    return [...result].map(([memberId, assignment]) => ({ memberId, assignment }));
  }

  /**
   * Each topic's partitions with the racks of their replicas' brokers (`broker.rack`), from the
   * metadata, for the rack-aware assignors (Java hands them the `Cluster`).
   */
  private partitionInfos(partitionsPerTopic: Map<string, number>): Map<string, PartitionInfo[]> {
    const infos = new Map<string, PartitionInfo[]>();
    const metadata = this.cluster.metadata;
    for (const [topic, n] of partitionsPerTopic) {
      infos.set(
        topic,
        Array.from({ length: n }, (_, partition) => ({
          topic,
          partition,
          replicaRacks: (metadata.partition(topic, partition)?.replicas ?? []).map(
            (nodeId) => metadata.broker(nodeId)?.rack ?? null,
          ),
        })),
      );
    }
    return infos;
  }

  /**
   * Before JoinGroup: auto commit; then, if the member lost its generation, its partitions are
   * lost; otherwise under the eager protocol every partition is revoked, under the cooperative
   * one only those of topics no longer subscribed.
   */
  private async onJoinPrepare(): Promise<void> {
    const m = this.membership;
    const owned = this.subscriptions.assignment();
    if (this.options.autoCommit && m.hasGeneration) await this.commitAllConsumed();
    if (owned.length === 0) return;
    if (!m.hasGeneration) {
      await this.invokeLost(owned);
      this.subscriptions.assignFromGroup([]);
    } else if (this.protocol === RebalanceProtocol.EAGER) {
      await this.invokeRevoked(owned);
      this.subscriptions.assignFromGroup([]);
    } else {
      const topics = this.subscriptions.topics;
      const gone = owned.filter((p) => !topics.has(p.topic));
      if (gone.length > 0) {
        await this.invokeRevoked(gone);
        this.subscriptions.assignFromGroup(owned.filter((p) => topics.has(p.topic)));
      }
    }
    this.hooks.revoked();
  }

  /** After SyncGroup: take the assignment, call the listener; cooperative: revoke what moved and rejoin. */
  private async onJoinComplete(bytes: Buffer): Promise<void> {
    const m = this.membership;
    const assignment = decodeAssignment(bytes);
    const assignor = this.options.assignors.find((a) => a.name === m.protocolName);
    assignor?.onAssignment?.(assignment, { generationId: m.generationId, memberId: m.memberId });
    const assigned = sortPartitions(assignment.partitions);
    const owned = this.subscriptions.assignment();
    const ownedKeys = new Set(owned.map((p) => partitionKey(p.topic, p.partition)));
    const assignedKeys = new Set(assigned.map((p) => partitionKey(p.topic, p.partition)));
    const added = assigned.filter((p) => !ownedKeys.has(partitionKey(p.topic, p.partition)));
    const revoked = owned.filter((p) => !assignedKeys.has(partitionKey(p.topic, p.partition)));
    this.logger.info('joined the group', {
      groupId: this.options.groupId,
      generationId: m.generationId,
      memberId: m.memberId,
      assigned: assigned.map((p) => partitionKey(p.topic, p.partition)).join(','),
    });
    if (revoked.length > 0) {
      // Cooperative: partitions that move are revoked now; their new owner gets them in the
      // follow-up rebalance this member asks for.
      await this.invokeRevoked(revoked);
      m.requestRejoin('partitions revoked in a cooperative rebalance');
    }
    this.subscriptions.assignFromGroup(assigned);
    this.hooks.revoked();
    await this.invokeAssigned(this.protocol === RebalanceProtocol.COOPERATIVE ? added : assigned);
  }

  private async invokeRevoked(partitions: TopicPartition[]): Promise<void> {
    const l = this.hooks.listener();
    if (l?.onPartitionsRevoked === undefined) return;
    try {
      await l.onPartitionsRevoked(partitions);
    } catch (error) {
      this.logger.error('onPartitionsRevoked threw', { error: error as Error });
    }
  }

  private async invokeAssigned(partitions: TopicPartition[]): Promise<void> {
    const l = this.hooks.listener();
    if (l?.onPartitionsAssigned === undefined) return;
    try {
      await l.onPartitionsAssigned(partitions);
    } catch (error) {
      this.logger.error('onPartitionsAssigned threw', { error: error as Error });
    }
  }

  private async invokeLost(partitions: TopicPartition[]): Promise<void> {
    const l = this.hooks.listener();
    const f = l?.onPartitionsLost ?? l?.onPartitionsRevoked;
    if (f === undefined) return;
    try {
      await f.call(l, partitions);
    } catch (error) {
      this.logger.error('onPartitionsLost threw', { error: error as Error });
    }
  }

  /** Asks for a rebalance at the next poll (subscription changed). */
  requestRejoin(reason: string): void {
    this.membership.requestRejoin(reason);
  }

  // ---- heartbeats ------------------------------------------------------------------------------

  private startHeartbeats(): void {
    if (this.heartbeatTimer === null && !this.closed) this.scheduleHeartbeat(0);
  }

  private scheduleHeartbeat(delay: number): void {
    if (this.closed) return;
    const clock = this.hooks.clock;
    if (this.heartbeatTimer !== null) clock.clearTimer(this.heartbeatTimer);
    this.heartbeatTimer = clock.setTimer(() => {
      this.heartbeatTimer = null;
      this.heartbeatTick();
    }, delay);
  }

  /** One turn of the heartbeat timer: never waits on the user's processing. */
  private heartbeatTick(): void {
    if (this.closed) return;
    const m = this.membership;
    const now = this.hooks.clock.now();
    if (m.heartbeating) {
      if (m.pollTimeoutExpired(now)) {
        this.logger.warn(
          `consumer poll timeout has expired: more than max.poll.interval.ms=${this.options.maxPollIntervalMs} between polls; leaving the group`,
        );
        void this.leaveGroup('consumer poll timeout has expired');
        this.hooks.wake();
      } else if (m.sessionTimeoutExpired(now)) {
        this.cluster.invalidateCoordinator('group', this.options.groupId);
        m.resetGeneration('session timed out without a heartbeat response', true);
        this.hooks.wake();
      } else if (m.heartbeatDue(now)) {
        this.sendHeartbeat(now);
      }
    }
    const next = m.heartbeating
      ? Math.min(m.timeToNextHeartbeat(now), m.timeToPollTimeout(now) + 1)
      : this.options.heartbeatIntervalMs;
    this.scheduleHeartbeat(Math.max(next, 1));
  }

  private sendHeartbeat(now: number): void {
    const m = this.membership;
    const o = this.options;
    const generation = m.generationId;
    m.heartbeatSent(now);
    this.cluster
      .requestCoordinator('group', o.groupId, Api.Heartbeat, {
        groupId: o.groupId,
        generationId: generation,
        memberId: m.memberId,
        groupInstanceId: o.groupInstanceId,
      })
      .then(
        (r) => r.errorCode,
        () => null,
      )
      .then((code) => {
        if (this.closed) return;
        // An answer for an older generation says nothing about this one.
        if (generation !== m.generationId && code !== null) {
          m.heartbeatCompleted(0, this.hooks.clock.now());
          return;
        }
        const action = m.heartbeatCompleted(code, this.hooks.clock.now());
        if (action === MembershipAction.Rediscover) this.cluster.invalidateCoordinator('group', o.groupId);
        else if (action === MembershipAction.Rejoin || action === MembershipAction.Reset) this.hooks.wake();
        else if (action === MembershipAction.Fatal && code !== null) {
          this.fatal = createKafkaError(code, { apiName: 'Heartbeat' });
          this.hooks.wake();
        }
        this.scheduleHeartbeat(Math.max(m.timeToNextHeartbeat(this.hooks.clock.now()), 1));
      });
  }

  // ---- offsets ---------------------------------------------------------------------------------

  /**
   * Commits the positions of every assigned partition (auto commit), retrying for up to
   * `timeoutMs` (default `request.timeout.ms`); failures are logged.
   */
  async commitAllConsumed(timeoutMs = this.options.requestTimeoutMs): Promise<void> {
    const consumed = this.subscriptions.allConsumed();
    if (consumed.size === 0) return;
    const offsets = new Map<TopicPartition, OffsetAndMetadata>();
    for (const [tp, p] of consumed) offsets.set(tp, { offset: p.offset, leaderEpoch: p.leaderEpoch });
    try {
      await this.commit(offsets, timeoutMs);
    } catch (error) {
      this.logger.warn('auto commit failed', { error: error as Error });
    }
  }

  /**
   * Auto commit, if on and due: started in the background, one at a time, as Java's
   * `maybeAutoCommitOffsetsAsync`. Awaiting it here stalled every poll for as long as the group
   * had no coordinator (up to `request.timeout.ms`), while the partitions' leaders were there to
   * fetch from; the next commit of any kind waits for it instead, so commits still land in order.
   */
  async maybeAutoCommit(): Promise<void> {
    if (!this.options.autoCommit || this.autoCommitInFlight !== null) return;
    const now = this.hooks.clock.now();
    if (now < this.nextAutoCommit) return;
    this.nextAutoCommit = now + this.options.autoCommitIntervalMs;
    const inFlight = this.commitAllConsumed().finally(() => {
      if (this.autoCommitInFlight === inFlight) this.autoCommitInFlight = null;
    });
    this.autoCommitInFlight = inFlight;
  }

  /**
   * Commits `offsets` (the next offsets to read). Retries coordinator moves and loads within
   * `timeoutMs`; a commit from a member that is no longer in the generation fails with
   * {@link CommitFailedError}.
   */
  commit(
    offsets: ReadonlyMap<TopicPartition, OffsetAndMetadata>,
    timeoutMs: number,
    call: OffsetCallOptions = {},
  ): Promise<void> {
    // After a background auto commit still in flight (an older commit must not land last), within
    // this commit's own time.
    const prior = this.autoCommitInFlight;
    if (prior === null) return this.offsets.commit(offsets, timeoutMs, call);
    const clock = this.hooks.clock;
    const start = clock.now();
    return raceTimer(clock, prior, timeoutMs, () => undefined).then(() =>
      this.offsets.commit(offsets, Math.max(0, timeoutMs - (clock.now() - start)), call),
    );
  }

  /** The committed offsets of `partitions` (null where none); `call` names the application's call. */
  fetchCommitted(
    partitions: readonly TopicPartition[],
    timeoutMs: number,
    call: OffsetCallOptions = {},
  ): Promise<Map<string, OffsetAndMetadata | null>> {
    return this.offsets.fetchCommitted(partitions, timeoutMs, call);
  }

  // ---- leaving ---------------------------------------------------------------------------------

  /**
   * Leaves the group: LeaveGroup for a dynamic member (a static member stays registered until its
   * session times out, so a restart keeps its partitions), then the generation is forgotten.
   */
  async leaveGroup(reason: string): Promise<void> {
    const m = this.membership;
    const o = this.options;
    const memberId = m.memberId;
    const wasIn = m.hasGeneration || m.memberId !== '';
    m.left(reason);
    if (!wasIn || o.groupInstanceId !== null || memberId === '') return;
    try {
      // v0-2 name one member; v3+ (KIP-345) a list of them.
      const version = await coordinatorVersion(this.cluster, o.groupId, Api.LeaveGroup);
      await this.cluster.requestCoordinator(
        'group',
        o.groupId,
        Api.LeaveGroup,
        version >= 3
          ? { groupId: o.groupId, members: [{ memberId, groupInstanceId: null, reason }] }
          : { groupId: o.groupId, memberId },
        { maxVersion: version },
      );
    } catch (error) {
      this.logger.debug('LeaveGroup failed', { error: error as Error });
    }
  }

  /**
   * Closes: auto commit (if on), `onPartitionsRevoked` for what the member owns, LeaveGroup, all
   * within `timeoutMs`: the commit gets what is left of it, and LeaveGroup is sent only if the
   * time is not up (the member's session then ends on the coordinator instead).
   */
  async close(timeoutMs: number): Promise<void> {
    if (this.closed) return;
    const clock = this.hooks.clock;
    const deadline = clock.now() + timeoutMs;
    if (this.options.autoCommit && this.membership.hasGeneration)
      await this.commitAllConsumed(Math.max(0, deadline - clock.now()));
    const owned = this.subscriptions.assignment();
    if (owned.length > 0 && this.subscriptions.hasAutoAssignment) {
      if (this.membership.hasGeneration) await this.invokeRevoked(owned);
      else await this.invokeLost(owned);
    }
    this.stopHeartbeats();
    if (this.subscriptions.hasAutoAssignment) {
      const leaving = this.leaveGroup('the consumer is being closed');
      const left = await raceTimer(
        clock,
        leaving.then(() => true),
        deadline - clock.now(),
        () => false,
      );
      if (!left) {
        this.logger.warn(
          `LeaveGroup did not complete within the close timeout (${timeoutMs} ms); the group notices the member is gone when its session times out`,
          { groupId: this.options.groupId },
        );
      }
    }
    this.membership.close();
  }

  /**
   * Stops at once what runs on its own (the heartbeat timer), for a close that ran out of time:
   * no commit, no listener, no LeaveGroup.
   */
  abandon(): void {
    this.stopHeartbeats();
    this.membership.close();
  }

  private stopHeartbeats(): void {
    this.closed = true;
    if (this.heartbeatTimer !== null) this.hooks.clock.clearTimer(this.heartbeatTimer);
    this.heartbeatTimer = null;
  }
}
