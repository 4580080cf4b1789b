/**
 * The assignor contract: what the group leader hands an assignor and what it gets back. Mirrors
 * Java's `ConsumerPartitionAssignor`, with maps keyed by member id.
 */

import type { TopicPartition } from '@tskafka/transport';

// One `TopicPartition` for the whole SDK, defined in the transport.
export type { TopicPartition };

/** A member id, as the group coordinator handed it out in JoinGroup. */
export type MemberId = string;

/**
 * What one member sent in its JoinGroup metadata (ConsumerProtocolSubscription), decoded.
 * Optional fields are absent when the member's protocol version does not carry them.
 */
export interface Subscription {
  /** The topics the member subscribes to. */
  topics: string[];
  /** Assignor-specific bytes (sticky: previous assignment; cooperative-sticky: generation). */
  userData?: Buffer | null;
  /** The partitions the member owns now (subscription v1+). */
  ownedPartitions?: TopicPartition[];
  /** The generation in which the member got `ownedPartitions` (subscription v2+); -1 when unknown. */
  generationId?: number;
  /** The member's `group.instance.id` (static membership, KIP-345), from JoinGroup. */
  groupInstanceId?: string | null;
  /** The member's `client.rack` (subscription v3+). */
  rackId?: string | null;
}

/**
 * A partition and the racks of the brokers holding its replicas, as the rack-aware assignors read
 * it (the parts of Java's `PartitionInfo` they use).
 */
export interface PartitionInfo {
  /** The topic. */
  topic: string;
  /** The partition index. */
  partition: number;
  /** The rack of each replica's broker; null for a broker without `broker.rack`. Empty when unknown. */
  replicaRacks?: readonly (string | null)[];
}

/** What one member receives in SyncGroup (ConsumerProtocolAssignment), decoded. */
export interface Assignment {
  /** The partitions assigned to the member. */
  partitions: TopicPartition[];
  /** Assignor-specific bytes, passed through to the member. */
  userData?: Buffer | null;
}

/** The rebalance protocols an assignor can work with (Java's `RebalanceProtocol`). */
export enum RebalanceProtocol {
  /** Every member revokes all its partitions before it rejoins. */
  EAGER = 'EAGER',
  /**
   * Members keep their partitions across a rebalance; only partitions that move are revoked, and
   * they are handed to their new owner in a follow-up rebalance (KIP-429).
   */
  COOPERATIVE = 'COOPERATIVE',
}

/** The generation and member a member was assigned partitions in. */
export interface GroupGeneration {
  /** The generation id from JoinGroup. */
  generationId: number;
  /** This member's id. */
  memberId: MemberId;
}

/**
 * A partition assignor: run by the elected group leader over every member's subscription.
 * User assignors implement this same interface and plug in next to the built-in ones.
 */
export interface ConsumerPartitionAssignor {
  /** The protocol name sent in JoinGroup, e.g. `range`; members agree on one by name. */
  readonly name: string;
  /** The rebalance protocols this assignor supports, preferred first. Defaults to EAGER. */
  readonly supportedProtocols?: readonly RebalanceProtocol[];
  /** The version of this assignor's user data format, for assignors that evolve it. */
  readonly version?: number;
  /**
   * Computes the assignment.
   * @param partitionsPerTopic partition counts of the subscribed topics known to the leader;
   *   topics missing here are not assigned.
   * @param subscriptions every member's subscription, by member id.
   * @returns every member's partitions; every member id of `subscriptions` is a key. An assignor
   *   may compute them asynchronously (KafkaJS's assigners do), returning a promise.
   */
  assign(
    partitionsPerTopic: Map<string, number>,
    subscriptions: Map<MemberId, Subscription>,
  ): Map<MemberId, TopicPartition[]> | Promise<Map<MemberId, TopicPartition[]>>;
  /**
   * Computes the assignment knowing where each partition's replicas are (Java's
   * `assignPartitions`): the rack-aware assignors (`range`, `sticky`, `cooperative-sticky`) use the
   * replicas' racks to give members with a `client.rack` partitions on their rack. The group leader
   * calls this instead of {@link ConsumerPartitionAssignor.assign} when the assignor has it.
   * @param partitionsPerTopic every partition of each subscribed topic known to the leader, with
   *   its replicas' racks.
   * @param subscriptions every member's subscription, by member id.
   * @returns every member's partitions; every member id of `subscriptions` is a key.
   */
  assignPartitions?(
    partitionsPerTopic: Map<string, readonly PartitionInfo[]>,
    subscriptions: Map<MemberId, Subscription>,
  ): Map<MemberId, TopicPartition[]> | Promise<Map<MemberId, TopicPartition[]>>;
  /** User data to put in this member's subscription for `topics`; null or absent for none. */
  subscriptionUserData?(topics: readonly string[]): Buffer | null;
  /** Called on every member when it receives its assignment in SyncGroup. */
  onAssignment?(assignment: Assignment, generation: GroupGeneration): void;
}
