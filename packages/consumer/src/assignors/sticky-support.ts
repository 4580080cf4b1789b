/**
 * The bookkeeping the sticky assignors share, after the inner classes of Java's
 * `AbstractStickyAssignor`: `RackInfo` (which member sits on which rack, which racks hold each
 * partition's replicas), `PartitionMovements` (which partitions moved between which members, to
 * keep moves sticky and detect cycles) and the members ordered by load (Java's `TreeSet` with its
 * `SubscriptionComparator`).
 */
import type { MemberId, PartitionInfo, Subscription, TopicPartition } from './types.js';
import { javaHashSetFirst, partitionKey } from './util.js';

/**
 * Java's `AbstractPartitionAssignor.useRackAwareAssignment`: racks are used when some member has a
 * rack that some replica is on, and (unless `preferRackAwareLogic`) some partition is not on every
 * rack.
 */
export function useRackAwareAssignment(
  consumerRacks: ReadonlySet<string>,
  partitionRacks: ReadonlySet<string>,
  racksPerPartition: ReadonlyMap<string, ReadonlySet<string>>,
  preferRackAwareLogic: boolean,
): boolean {
  if (consumerRacks.size === 0 || ![...consumerRacks].some((r) => partitionRacks.has(r))) return false;
  if (preferRackAwareLogic) return true;
  for (const racks of racksPerPartition.values()) {
    if (racks.size !== partitionRacks.size || [...racks].some((r) => !partitionRacks.has(r))) return true;
  }
  return false;
}

/** Java's `AbstractStickyAssignor.RackInfo`: empty maps when rack-aware assignment is off. */
export class RackInfo {
  /** Each member's rack, when rack-aware assignment is on. */
  readonly consumerRacks = new Map<MemberId, string>();
  /** The racks of each partition's replicas (by `partitionKey`), when rack-aware assignment is on. */
  readonly partitionRacks = new Map<string, Set<string>>();
  private readonly numConsumersByPartition = new Map<string, number>();

  constructor(
    partitionInfos: readonly PartitionInfo[],
    subscriptions: Map<MemberId, Subscription>,
    preferRackAwareLogic: boolean,
  ) {
    const consumersByRack = new Map<string, MemberId[]>();
    for (const [member, subscription] of subscriptions) {
      const rack = subscription.rackId;
      if (rack == null || rack === '') continue;
      const list = consumersByRack.get(rack);
      if (list) list.push(member);
      else consumersByRack.set(rack, [member]);
    }
    const partitionRacks = new Map<string, Set<string>>();
    const racksWithPartitions = new Set<string>();
    if (consumersByRack.size > 0) {
      for (const p of partitionInfos) {
        const racks = new Set<string>();
        for (const rack of p.replicaRacks ?? []) {
          if (rack == null) continue;
          racks.add(rack);
          racksWithPartitions.add(rack);
        }
        partitionRacks.set(partitionKey(p), racks);
      }
    }
    if (
      useRackAwareAssignment(
        new Set(consumersByRack.keys()),
        racksWithPartitions,
        partitionRacks,
        preferRackAwareLogic,
      )
    ) {
      for (const [rack, members] of consumersByRack) for (const m of members) this.consumerRacks.set(m, rack);
      for (const [k, v] of partitionRacks) this.partitionRacks.set(k, v);
    }
    // As Java: computed from the racks even when rack-aware assignment is off, so partitions are
    // still ordered by how many members share a rack with them.
    for (const [k, racks] of partitionRacks) {
      let n = 0;
      for (const r of racks) n += consumersByRack.get(r)?.length ?? 0;
      this.numConsumersByPartition.set(k, n);
    }
  }

  /** True when the member has a rack and no replica of the partition is on it. */
  racksMismatch(consumer: MemberId, tp: TopicPartition): boolean {
    const consumerRack = this.consumerRacks.get(consumer);
    if (consumerRack === undefined) return false;
    const replicaRacks = this.partitionRacks.get(partitionKey(tp));
    return replicaRacks === undefined || !replicaRacks.has(consumerRack);
  }

  /** Partitions with the fewest same-rack members first (a stable sort, as Java's). */
  sortPartitionsByRackConsumers(partitions: TopicPartition[]): TopicPartition[] {
    if (this.numConsumersByPartition.size === 0) return partitions;
    const n = (tp: TopicPartition) => this.numConsumersByPartition.get(partitionKey(tp)) ?? 0;
    return [...partitions].sort((a, b) => n(a) - n(b));
  }

  /** The index of the first member from `firstIndex` on (cyclically) on one of the partition's racks, or -1. */
  nextRackConsumer(tp: TopicPartition, consumerList: readonly MemberId[], firstIndex: number): number {
    const racks = this.partitionRacks.get(partitionKey(tp));
    if (racks === undefined || racks.size === 0) return -1;
    for (let i = 0; i < consumerList.length; i++) {
      const index = (firstIndex + i) % consumerList.length;
      const rack = this.consumerRacks.get(consumerList[index]);
      if (rack !== undefined && racks.has(rack)) return index;
    }
    return -1;
  }
}

/** A move of partitions of one topic from `src` to `dst`. */
const pairKey = (src: MemberId, dst: MemberId) => `${src}\0${dst}`;

/**
 * Java's `PartitionMovements`: the net move of each partition during a rebalance, by topic and
 * member pair. Moving a partition of a topic along a pair whose reverse already moved one moves
 * that one back instead, so no two members swap partitions of the same topic.
 */
export class PartitionMovements {
  private readonly byTopic = new Map<string, Map<string, TopicPartition[]>>();
  private readonly movements = new Map<string, { src: MemberId; dst: MemberId }>();

  private removeMovementRecord(tp: TopicPartition): { src: MemberId; dst: MemberId } {
    const key = partitionKey(tp);
    const pair = this.movements.get(key)!;
    this.movements.delete(key);
    const forTopic = this.byTopic.get(tp.topic)!;
    const pk = pairKey(pair.src, pair.dst);
    const list = forTopic.get(pk)!;
    list.splice(
      list.findIndex((x) => partitionKey(x) === key),
      1,
    );
    if (list.length === 0) forTopic.delete(pk);
    if (forTopic.size === 0) this.byTopic.delete(tp.topic);
    return pair;
  }

  private addMovementRecord(tp: TopicPartition, src: MemberId, dst: MemberId): void {
    this.movements.set(partitionKey(tp), { src, dst });
    let forTopic = this.byTopic.get(tp.topic);
    if (!forTopic) {
      forTopic = new Map();
      this.byTopic.set(tp.topic, forTopic);
    }
    const pk = pairKey(src, dst);
    const list = forTopic.get(pk);
    if (list) list.push(tp);
    else forTopic.set(pk, [tp]);
  }

  /** Records that `tp` moved from `oldConsumer` to `newConsumer`. */
  movePartition(tp: TopicPartition, oldConsumer: MemberId, newConsumer: MemberId): void {
    if (this.movements.has(partitionKey(tp))) {
      const existing = this.removeMovementRecord(tp);
      // Moving back to where it came from cancels the move.
      if (existing.src !== newConsumer) this.addMovementRecord(tp, existing.src, newConsumer);
    } else {
      this.addMovementRecord(tp, oldConsumer, newConsumer);
    }
  }

  /** The partition to move instead of `tp`, so the move does not reverse an earlier one. */
  theActualPartitionToBeMoved(
    tp: TopicPartition,
    oldConsumer: MemberId,
    newConsumer: MemberId,
  ): TopicPartition {
    const forTopic = this.byTopic.get(tp.topic);
    if (!forTopic) return tp;
    let from = oldConsumer;
    const moved = this.movements.get(partitionKey(tp));
    if (moved) from = moved.src;
    const reverse = forTopic.get(pairKey(newConsumer, from));
    if (!reverse) return tp;
    // Java takes the first element of a HashSet<TopicPartition>.
    return javaHashSetFirst(reverse, topicPartitionHash);
  }

  /** Java's `isSticky`: no topic has partitions moved both ways between two members. */
  isSticky(): boolean {
    for (const pairs of this.byTopic.values()) {
      for (const pk of pairs.keys()) {
        const [src, dst] = pk.split('\0');
        if (pairs.has(pairKey(dst, src))) return false;
      }
    }
    return true;
  }
}

/** Java's `TopicPartition.hashCode`. */
function topicPartitionHash(tp: TopicPartition): number {
  let h = 0;
  for (let i = 0; i < tp.topic.length; i++) h = (Math.imul(31, h) + tp.topic.charCodeAt(i)) | 0;
  return (Math.imul(31, 31 + tp.partition) + h) | 0;
}

/**
 * Members ordered by how many partitions they hold, then by id (Java's `TreeSet` with its
 * `SubscriptionComparator`). A member's load must not change while it is in the set: remove it,
 * change its assignment, add it back, as Java does.
 */
export class MembersByLoad {
  private readonly sorted: MemberId[] = [];

  constructor(private readonly assignment: Map<MemberId, TopicPartition[]>) {}

  private compare(a: MemberId, b: MemberId): number {
    const d = this.assignment.get(a)!.length - this.assignment.get(b)!.length;
    if (d !== 0) return d;
    return a < b ? -1 : a > b ? 1 : 0;
  }

  /** Adds a member at its place. */
  add(member: MemberId): void {
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = this.compare(this.sorted[mid], member);
      if (c === 0) return;
      if (c < 0) lo = mid + 1;
      else hi = mid;
    }
    this.sorted.splice(lo, 0, member);
  }

  /** Removes a member. */
  remove(member: MemberId): void {
    const i = this.sorted.indexOf(member);
    if (i >= 0) this.sorted.splice(i, 1);
  }

  /** The least loaded member. */
  first(): MemberId {
    return this.sorted[0];
  }

  /** The most loaded member. */
  last(): MemberId {
    return this.sorted[this.sorted.length - 1];
  }

  /** The members, least loaded first. */
  [Symbol.iterator](): IterableIterator<MemberId> {
    return this.sorted[Symbol.iterator]();
  }
}

/** Removes the partition with key `key` from `list`, if there. */
export function removePartition(list: TopicPartition[], key: string): void {
  const i = list.findIndex((x) => partitionKey(x) === key);
  if (i >= 0) list.splice(i, 1);
}

/** Every partition of `topics` in the order given, each topic's partitions ascending. */
export function partitionsOf(
  partitionsPerTopic: Map<string, number>,
  topics: readonly string[],
): TopicPartition[] {
  const out: TopicPartition[] = [];
  for (const topic of topics) {
    const n = partitionsPerTopic.get(topic) ?? 0;
    for (let partition = 0; partition < n; partition++) out.push({ topic, partition });
  }
  return out;
}

/** Java's `String.compareTo`, for sorting member ids and topics. */
export const compareIds = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
