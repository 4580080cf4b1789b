/**
 * The algorithm shared by `sticky` and `cooperative-sticky`, a port of Java's
 * `AbstractStickyAssignor` (Apache Kafka, Apache License 2.0): an assignment as balanced as the
 * subscriptions allow that moves as few previously owned partitions as possible, and, when members
 * and replicas have racks, keeps partitions on their members' racks where balance allows.
 *
 * When every member subscribes to the same topics the constrained builder runs: quotas
 * (`minQuota = floor(P / N)`, `P % N` members get one more), each member keeps owned partitions
 * (same-rack ones when rack-aware) up to its quota, then the rest are dealt out round-robin, first
 * within racks. Otherwise the general builder keeps every valid owned partition, assigns the rest
 * to the least loaded eligible member, and moves partitions towards balance while that lowers the
 * balance score, never swapping partitions of one topic between two members.
 *
 * Where Java's outcome depends on the iteration order of a `HashMap` keyed by member id, members
 * are walked in that order ({@link javaHashMapOrder}), so our assignment is the one Java computes.
 */

import { ConstrainedAssignmentBuilder } from './sticky-constrained.js';
import { GeneralAssignmentBuilder } from './sticky-general.js';
import { PartitionMovements, RackInfo, removePartition } from './sticky-support.js';
import { DEFAULT_GENERATION, type MemberData } from './sticky-user-data.js';
import type {
  ConsumerPartitionAssignor,
  MemberId,
  PartitionInfo,
  RebalanceProtocol,
  Subscription,
  TopicPartition,
} from './types.js';
import { javaHashMapOrder, partitionKey } from './util.js';

/** The base of the sticky assignors; subclasses say where a member's previous partitions come from. */
export abstract class AbstractStickyAssignor implements ConsumerPartitionAssignor {
  /** {@inheritDoc ConsumerPartitionAssignor.name} */
  abstract readonly name: string;
  /** {@inheritDoc ConsumerPartitionAssignor.supportedProtocols} */
  abstract readonly supportedProtocols: readonly RebalanceProtocol[];
  /**
   * After {@link AbstractStickyAssignor.assign} on the constrained path: each partition handed to
   * a member other than the one that owned it, with its new owner (Java's
   * `partitionsTransferringOwnership`), keyed by `partition:topic`. Null after the general path.
   */
  partitionsTransferringOwnership: Map<string, { partition: TopicPartition; member: MemberId }> | null = null;
  /**
   * Use racks whenever members and replicas share one, even if every partition is on every rack
   * (Java's `preferRackAwareLogic`, set by tests).
   */
  preferRackAwareLogic = false;
  /** The highest generation seen in any subscription so far (Java keeps it across rebalances). */
  maxGeneration = DEFAULT_GENERATION;
  private partitionMovements: PartitionMovements | null = null;

  /** The previous partitions and generation a member's subscription carries. */
  abstract memberData(subscription: Subscription): MemberData;

  /** {@inheritDoc ConsumerPartitionAssignor.assign} */
  assign(
    partitionsPerTopic: Map<string, number>,
    subscriptions: Map<MemberId, Subscription>,
  ): Map<MemberId, TopicPartition[]> {
    // Only the subscribed topics the leader knows take part (Java's AbstractPartitionAssignor).
    const infos = new Map<string, PartitionInfo[]>();
    for (const s of subscriptions.values()) {
      for (const topic of s.topics) {
        const n = partitionsPerTopic.get(topic);
        if (n === undefined || infos.has(topic)) continue;
        infos.set(
          topic,
          Array.from({ length: n }, (_, partition) => ({ topic, partition })),
        );
      }
    }
    return this.assignPartitions(infos, subscriptions);
  }

  /**
   * Java's `assignPartitions`: the assignment for partitions that carry their replicas' racks, so
   * members with a `rackId` get partitions on their rack where balance allows.
   * @param partitionsPerTopic every partition of each subscribed topic.
   */
  assignPartitions(
    partitionsPerTopic: Map<string, readonly PartitionInfo[]>,
    subscriptions: Map<MemberId, Subscription>,
  ): Map<MemberId, TopicPartition[]> {
    const all: PartitionInfo[] = [];
    for (const list of partitionsPerTopic.values()) all.push(...list);
    const rackInfo = new RackInfo(all, subscriptions, this.preferRackAwareLogic);
    const counts = new Map([...partitionsPerTopic].map(([t, l]) => [t, l.length]));
    const owned = new Map<MemberId, TopicPartition[]>();
    const multiplyClaimed = new Set<string>();
    let result: Map<MemberId, TopicPartition[]>;
    if (this.allSubscriptionsEqual(counts, subscriptions, owned, multiplyClaimed)) {
      this.partitionsTransferringOwnership = new Map();
      result = new ConstrainedAssignmentBuilder(
        counts,
        rackInfo,
        owned,
        multiplyClaimed,
        this.partitionsTransferringOwnership,
      ).build();
    } else {
      // Null tells the cooperative assignor to work out the moving partitions itself.
      this.partitionsTransferringOwnership = null;
      this.partitionMovements = new PartitionMovements();
      result = new GeneralAssignmentBuilder(
        (s) => this.memberData(s),
        this.maxGeneration,
        counts,
        rackInfo,
        owned,
        subscriptions,
        this.partitionMovements,
      ).build();
    }
    return new Map([...subscriptions.keys()].map((m) => [m, result.get(m) ?? []]));
  }

  /** Java's `isSticky`: after the general path, no partitions of a topic were swapped between two members. */
  isSticky(): boolean {
    return this.partitionMovements?.isSticky() ?? true;
  }

  /**
   * Java's `allSubscriptionsEqual`: whether every member subscribes to the same topics; also fills
   * each member's still-valid owned partitions. A partition claimed by members of different
   * generations stays with the newest; one claimed by two members of the same generation is owned
   * by neither and goes to `multiplyClaimed`.
   */
  private allSubscriptionsEqual(
    partitionsPerTopic: Map<string, number>,
    subscriptions: Map<MemberId, Subscription>,
    owned: Map<MemberId, TopicPartition[]>,
    multiplyClaimed: Set<string>,
  ): boolean {
    let equal = true;
    let subscribed: Set<string> | null = null;
    const previousOwner = new Map<string, MemberId>();
    for (const consumer of javaHashMapOrder([...subscriptions.keys()])) {
      const subscription = subscriptions.get(consumer)!;
      if (subscribed === null) {
        subscribed = new Set(subscription.topics);
      } else if (
        equal &&
        !(
          new Set(subscription.topics).size === subscribed.size &&
          subscription.topics.every((t) => subscribed!.has(t))
        )
      ) {
        equal = false;
      }
      const data = this.memberData(subscription);
      const generation = data.generation ?? DEFAULT_GENERATION;
      this.maxGeneration = Math.max(this.maxGeneration, generation);
      const list: TopicPartition[] = [];
      owned.set(consumer, list);
      for (const tp of data.partitions) {
        const n = partitionsPerTopic.get(tp.topic);
        if (n === undefined || tp.partition < 0 || tp.partition >= n) continue;
        const key = partitionKey(tp);
        const other = previousOwner.get(key);
        if (other === undefined) {
          list.push(tp);
          previousOwner.set(key, consumer);
          continue;
        }
        if (other === consumer) continue;
        // As Java: the other member's generation is the one its subscription states.
        const otherGeneration = subscriptionGeneration(subscriptions.get(other)!);
        if (generation === otherGeneration) {
          multiplyClaimed.add(key);
          removePartition(owned.get(other)!, key);
          previousOwner.set(key, consumer);
        } else if (generation > otherGeneration) {
          list.push(tp);
          removePartition(owned.get(other)!, key);
          previousOwner.set(key, consumer);
        }
      }
    }
    return equal;
  }
}

function subscriptionGeneration(s: Subscription): number {
  return s.generationId !== undefined && s.generationId >= 0 ? s.generationId : DEFAULT_GENERATION;
}
