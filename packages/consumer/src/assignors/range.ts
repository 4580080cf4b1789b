/**
 * The `range` assignor (Java's `RangeAssignor`, the default): per topic, the members subscribed to
 * it in member order, each taking a contiguous range of partitions; the first
 * `partitions % members` members take one extra. Members that subscribe to the same topics with
 * the same partition counts therefore get the same partition numbers of each (co-partitioning).
 *
 * Rack-aware (KIP-881) when members send a `client.rack` and the partitions' replicas carry
 * `broker.rack`s, and some partition is not on every rack: each member first takes, up to its
 * share of each topic, partitions with a replica on its rack; topics with the same members and
 * partition count are matched partition by partition, so co-partitioning still holds. What is left
 * is assigned as ranges. Balance (each member's share per topic) always wins over rack alignment.
 */
import { useRackAwareAssignment } from './sticky-support.js';
import {
  type ConsumerPartitionAssignor,
  type MemberId,
  type PartitionInfo,
  RebalanceProtocol,
  type Subscription,
  type TopicPartition,
} from './types.js';
import { comparePartitions, partitionKey, sortMembers } from './util.js';

/** Assigns ranges of each topic's partitions; see the module comment. */
export class RangeAssignor implements ConsumerPartitionAssignor {
  /** The protocol name, as Java's. */
  static readonly NAME = 'range';
  /** {@inheritDoc ConsumerPartitionAssignor.name} */
  readonly name = RangeAssignor.NAME;
  /** {@inheritDoc ConsumerPartitionAssignor.supportedProtocols} */
  readonly supportedProtocols: readonly RebalanceProtocol[] = [RebalanceProtocol.EAGER];
  /**
   * Match racks whenever members and replicas share one, even if every partition is on every rack
   * (Java's `preferRackAwareLogic`, set by tests).
   */
  preferRackAwareLogic = false;

  /** {@inheritDoc ConsumerPartitionAssignor.assign} */
  assign(
    partitionsPerTopic: Map<string, number>,
    subscriptions: Map<MemberId, Subscription>,
  ): Map<MemberId, TopicPartition[]> {
    const infos = new Map<string, PartitionInfo[]>();
    for (const [topic, n] of partitionsPerTopic) {
      infos.set(
        topic,
        Array.from({ length: n }, (_, partition) => ({ topic, partition })),
      );
    }
    return this.assignPartitions(infos, subscriptions);
  }

  /** {@inheritDoc ConsumerPartitionAssignor.assignPartitions} */
  assignPartitions(
    partitionsPerTopic: Map<string, readonly PartitionInfo[]>,
    subscriptions: Map<MemberId, Subscription>,
  ): Map<MemberId, TopicPartition[]> {
    const members = sortMembers(subscriptions);
    const racks = new Map<MemberId, string>();
    for (const [m, s] of subscriptions) if (s.rackId != null && s.rackId !== '') racks.set(m, s.rackId);
    // Topics in name order: the partitions a member gets do not depend on it, their order does.
    const states = [...partitionsPerTopic.keys()]
      .sort()
      .filter((t) => partitionsPerTopic.get(t)!.length > 0)
      .map(
        (t) =>
          new TopicAssignmentState(
            t,
            partitionsPerTopic.get(t)!,
            members.filter((m) => subscriptions.get(m)!.topics.includes(t)),
            racks,
            this.preferRackAwareLogic,
          ),
      );
    const assignment = new Map<MemberId, TopicPartition[]>();
    for (const m of subscriptions.keys()) assignment.set(m, []);
    const rackAware = states.some((s) => s.needsRackAwareAssignment);
    if (rackAware) assignWithRackMatching(states, assignment);
    for (const state of states) assignRanges(state, () => true, assignment);
    // As Java: rack matching assigns out of range order, so each member's list is sorted after.
    if (rackAware) for (const list of assignment.values()) list.sort(comparePartitions);
    return assignment;
  }
}

/** One topic's progress: its members (in member order), its racks and who got how many. */
class TopicAssignmentState {
  /** Each member subscribed to the topic, with its rack (null: none), in member order. */
  readonly consumers: Map<MemberId, string | null>;
  readonly needsRackAwareAssignment: boolean;
  /** The racks of each partition's replicas; empty when no member of the topic has a rack. */
  readonly partitionRacks = new Map<string, Set<string>>();
  /** Unassigned partitions, in partition order. */
  readonly unassigned: TopicPartition[];
  private readonly numAssigned = new Map<MemberId, number>();
  private readonly numPartitionsPerConsumer: number;
  private remainingConsumersWithExtraPartition: number;

  constructor(
    readonly topic: string,
    partitionInfos: readonly PartitionInfo[],
    members: readonly MemberId[],
    racks: ReadonlyMap<MemberId, string>,
    preferRackAwareLogic: boolean,
  ) {
    this.consumers = new Map(members.map((m) => [m, racks.get(m) ?? null]));
    this.unassigned = partitionInfos.map((p) => ({ topic: p.topic, partition: p.partition }));
    for (const m of members) this.numAssigned.set(m, 0);
    const n = members.length;
    this.numPartitionsPerConsumer = n === 0 ? 0 : Math.floor(partitionInfos.length / n);
    this.remainingConsumersWithExtraPartition = n === 0 ? 0 : partitionInfos.length % n;
    const consumerRacks = new Set<string>();
    for (const rack of this.consumers.values()) if (rack !== null) consumerRacks.add(rack);
    const allPartitionRacks = new Set<string>();
    if (consumerRacks.size > 0) {
      for (const p of partitionInfos) {
        const replicaRacks = new Set<string>();
        for (const r of p.replicaRacks ?? []) if (r != null) replicaRacks.add(r);
        this.partitionRacks.set(partitionKey(p), replicaRacks);
        for (const r of replicaRacks) allPartitionRacks.add(r);
      }
    }
    this.needsRackAwareAssignment = useRackAwareAssignment(
      consumerRacks,
      allPartitionRacks,
      this.partitionRacks,
      preferRackAwareLogic,
    );
  }

  /** A member without a rack matches every partition; one with a rack those with a replica there. */
  racksMatch(consumer: MemberId, tp: TopicPartition): boolean {
    const rack = this.consumers.get(consumer) ?? null;
    if (rack === null) return true;
    return this.partitionRacks.get(partitionKey(tp))?.has(rack) ?? false;
  }

  /** How many more partitions of this topic the member may take and keep the topic balanced. */
  maxAssignable(consumer: MemberId): number {
    const max =
      this.numPartitionsPerConsumer +
      (this.remainingConsumersWithExtraPartition > 0 ? 1 : 0) -
      this.numAssigned.get(consumer)!;
    return Math.max(0, max);
  }

  onAssigned(consumer: MemberId, partitions: readonly TopicPartition[]): void {
    const n = this.numAssigned.get(consumer)! + partitions.length;
    this.numAssigned.set(consumer, n);
    if (n > this.numPartitionsPerConsumer) this.remainingConsumersWithExtraPartition--;
    const gone = new Set(partitions.map((p) => p.partition));
    for (let i = this.unassigned.length - 1; i >= 0; i--) {
      if (gone.has(this.unassigned[i].partition)) this.unassigned.splice(i, 1);
    }
  }
}

function assign(
  consumer: MemberId,
  partitions: readonly TopicPartition[],
  state: TopicAssignmentState,
  assignment: Map<MemberId, TopicPartition[]>,
): void {
  assignment.get(consumer)!.push(...partitions);
  state.onAssigned(consumer, partitions);
}

/** Each member in turn takes the unassigned partitions it may (in order), up to its share. */
function assignRanges(
  state: TopicAssignmentState,
  mayAssign: (consumer: MemberId, tp: TopicPartition) => boolean,
  assignment: Map<MemberId, TopicPartition[]>,
): void {
  for (const consumer of state.consumers.keys()) {
    if (state.unassigned.length === 0) break;
    const max = state.maxAssignable(consumer);
    const assignable: TopicPartition[] = [];
    for (const tp of state.unassigned) {
      if (assignable.length >= max) break;
      if (mayAssign(consumer, tp)) assignable.push(tp);
    }
    if (assignable.length > 0) assign(consumer, assignable, state, assignment);
  }
}

/**
 * Java's `assignWithRackMatching`: topics with the same members (and racks) and the same number
 * of partitions are co-partitioned, matched partition index by partition index; any other topic
 * that needs it gets ranges of same-rack partitions.
 */
function assignWithRackMatching(
  states: readonly TopicAssignmentState[],
  assignment: Map<MemberId, TopicPartition[]>,
): void {
  const byConsumers = new Map<string, TopicAssignmentState[]>();
  for (const s of states) {
    const key = JSON.stringify([...s.consumers]);
    const list = byConsumers.get(key);
    if (list) list.push(s);
    else byConsumers.set(key, [s]);
  }
  for (const group of byConsumers.values()) {
    // As Java groups them: by the size of the partition-racks map (0 for topics without racks).
    const byCount = new Map<number, TopicAssignmentState[]>();
    for (const s of group) {
      const n = s.partitionRacks.size;
      const list = byCount.get(n);
      if (list) list.push(s);
      else byCount.set(n, [s]);
    }
    for (const [numPartitions, coPartitioned] of byCount) {
      if (coPartitioned.length > 1) {
        assignCoPartitionedWithRackMatching(numPartitions, coPartitioned, assignment);
      } else if (coPartitioned[0].needsRackAwareAssignment) {
        const state = coPartitioned[0];
        assignRanges(state, (c, tp) => state.racksMatch(c, tp), assignment);
      }
    }
  }
}

/**
 * Partition `p` of every co-partitioned topic goes to the first member (in member order) that is
 * on a rack of all of them and may still take one of each.
 */
function assignCoPartitionedWithRackMatching(
  numPartitions: number,
  states: readonly TopicAssignmentState[],
  assignment: Map<MemberId, TopicPartition[]>,
): void {
  const remaining = [...states[0].consumers.keys()];
  for (let p = 0; p < numPartitions; p++) {
    const consumer = remaining.find((c) =>
      states.every((t) => t.racksMatch(c, { topic: t.topic, partition: p }) && t.maxAssignable(c) > 0),
    );
    if (consumer === undefined) continue;
    for (const t of states) assign(consumer, [{ topic: t.topic, partition: p }], t, assignment);
    if (states.every((t) => t.maxAssignable(consumer) <= 0)) {
      remaining.splice(remaining.indexOf(consumer), 1);
      if (remaining.length === 0) break;
    }
  }
}

/** The shared `range` assignor. */
export const range: RangeAssignor = new RangeAssignor();
