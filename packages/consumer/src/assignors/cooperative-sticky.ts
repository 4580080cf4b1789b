/**
 * The `cooperative-sticky` assignor (Java's `CooperativeStickyAssignor`, KIP-429): the sticky
 * assignment, except that a partition moving from one member to another is left out of its new
 * owner's assignment in this rebalance. The old owner sees it missing and revokes it, then rejoins;
 * the follow-up rebalance hands it to the new owner. So no partition is ever owned by two members
 * at once, and members keep consuming the partitions that do not move.
 */
import { AbstractStickyAssignor } from './abstract-sticky.js';
import {
  DEFAULT_GENERATION,
  decodeCooperativeUserData,
  encodeCooperativeUserData,
  type MemberData,
} from './sticky-user-data.js';
import {
  type Assignment,
  type ConsumerPartitionAssignor,
  type GroupGeneration,
  type MemberId,
  type PartitionInfo,
  RebalanceProtocol,
  type Subscription,
  type TopicPartition,
} from './types.js';
import { partitionKey } from './util.js';

/** Java's `CooperativeStickyAssignor`; keep one instance per consumer, it remembers the generation. */
export class CooperativeStickyAssignor extends AbstractStickyAssignor {
  /** The protocol name, as Java's. */
  static readonly NAME = 'cooperative-sticky';
  /** {@inheritDoc ConsumerPartitionAssignor.name} */
  readonly name = CooperativeStickyAssignor.NAME;
  /** Cooperative first; eager still works, for upgrading a group from eager assignors. */
  readonly supportedProtocols: readonly RebalanceProtocol[] = [
    RebalanceProtocol.COOPERATIVE,
    RebalanceProtocol.EAGER,
  ];
  /** The user data version written (v0: the generation). */
  readonly version = 0;
  private generation = DEFAULT_GENERATION;

  /** {@inheritDoc ConsumerPartitionAssignor.onAssignment} */
  onAssignment(_assignment: Assignment, generation: GroupGeneration): void {
    this.generation = generation.generationId;
  }

  /** The generation of the last assignment, as an int32 (for members on subscription v0/v1). */
  subscriptionUserData(_topics: readonly string[]): Buffer | null {
    return encodeCooperativeUserData(this.generation);
  }

  /**
   * Owned partitions come from the subscription; the generation from the subscription (v2+) or
   * else from the user data.
   */
  memberData(subscription: Subscription): MemberData {
    const partitions = subscription.ownedPartitions ?? [];
    if (subscription.generationId !== undefined && subscription.generationId >= 0) {
      return { partitions, generation: subscription.generationId };
    }
    const userData = subscription.userData;
    if (!userData) return { partitions };
    return { partitions, generation: decodeCooperativeUserData(userData) };
  }

  /**
   * The sticky assignment minus the partitions that change owner in this round (Java's
   * `adjustAssignment`): on the constrained path those the builder recorded, on the general path
   * those assigned to one member while another gives them up.
   */
  override assignPartitions(
    partitionsPerTopic: Map<string, readonly PartitionInfo[]>,
    subscriptions: Map<MemberId, Subscription>,
  ): Map<MemberId, TopicPartition[]> {
    const assignment = super.assignPartitions(partitionsPerTopic, subscriptions);
    const transferring =
      this.partitionsTransferringOwnership === null
        ? computePartitionsTransferringOwnership(subscriptions, assignment)
        : new Map([...this.partitionsTransferringOwnership].map(([k, v]) => [k, v.member]));
    for (const [key, member] of transferring) {
      const list = assignment.get(member);
      if (!list) continue;
      const i = list.findIndex((tp) => partitionKey(tp) === key);
      if (i >= 0) list.splice(i, 1);
    }
    return assignment;
  }
}

/** Partitions added to one member that another member owned and loses, with the member they go to. */
function computePartitionsTransferringOwnership(
  subscriptions: Map<MemberId, Subscription>,
  assignment: Map<MemberId, TopicPartition[]>,
): Map<string, MemberId> {
  const added = new Map<string, MemberId>();
  const revoked = new Set<string>();
  for (const [member, assigned] of assignment) {
    const owned = (subscriptions.get(member)?.ownedPartitions ?? []).map(partitionKey);
    const ownedSet = new Set(owned);
    const assignedSet = new Set(assigned.map(partitionKey));
    for (const key of assignedSet) if (!ownedSet.has(key)) added.set(key, member);
    for (const key of owned) if (!assignedSet.has(key)) revoked.add(key);
  }
  for (const key of [...added.keys()]) if (!revoked.has(key)) added.delete(key);
  return added;
}

/**
 * For each claimed partition, the members that may still hold it: its claimants of the highest
 * generation that claims it (an older generation's claim is stale, as Java treats it).
 */
export function currentHolders(
  assignor: AbstractStickyAssignor,
  subscriptions: Map<MemberId, Subscription>,
): Map<string, Set<MemberId>> {
  const best = new Map<string, { generation: number; members: Set<MemberId> }>();
  for (const [member, subscription] of subscriptions) {
    const data = assignor.memberData(subscription);
    const generation = data.generation ?? DEFAULT_GENERATION;
    for (const tp of data.partitions) {
      const key = partitionKey(tp);
      const cur = best.get(key);
      if (!cur || generation > cur.generation) best.set(key, { generation, members: new Set([member]) });
      else if (generation === cur.generation) cur.members.add(member);
    }
  }
  return new Map([...best].map(([k, v]) => [k, v.members]));
}

/** A new `cooperative-sticky` assignor (stateful: one per consumer). */
export function cooperativeSticky(): ConsumerPartitionAssignor {
  return new CooperativeStickyAssignor();
}
