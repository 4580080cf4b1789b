/**
 * Test helpers ported from the Apache Kafka client's assignor tests
 * (AbstractStickyAssignorTest.verifyValidityAndBalance / isFullyBalanced,
 * CooperativeStickyAssignorTest.verifyCooperativeValidity, PartitionMovements.isSticky).
 */
import { expect } from 'vitest';
import {
  type AbstractStickyAssignor,
  type ConsumerPartitionAssignor,
  CooperativeStickyAssignor,
  encodeCooperativeUserData,
  encodeStickyUserData,
  type MemberId,
  type PartitionInfo,
  type Subscription,
  type TopicPartition,
} from '../../src/assignors/index.js';

/** A partition. */
export const tp = (topic: string, partition: number): TopicPartition => ({ topic, partition });

/** `topic-partition`, as Java prints a TopicPartition. */
export const str = (p: TopicPartition) => `${p.topic}-${p.partition}`;

/** A partition list as sorted strings, for order-insensitive comparisons (Java's HashSet asserts). */
export const asSet = (ps: readonly TopicPartition[] | undefined) => (ps ?? []).map(str).sort();

/** Builds a Map from an object. */
export function mapOf<V>(o: Record<string, V>): Map<string, V> {
  return new Map(Object.entries(o));
}

/** A subscription with no previous state (Java's `subscription(topics, consumerIndex)`). */
export const sub = (topics: string[], extra: Partial<Subscription> = {}): Subscription => ({
  topics,
  ...extra,
});

/**
 * Java's `buildSubscriptionV2Above` for each sticky assignor: owned partitions and generation in
 * the subscription; the eager sticky assignor also gets them in its user data (it reads only that).
 */
export function subV2(
  assignor: AbstractStickyAssignor,
  topics: string[],
  partitions: TopicPartition[],
  generation: number,
): Subscription {
  if (assignor instanceof CooperativeStickyAssignor) {
    return { topics, userData: null, ownedPartitions: partitions, generationId: generation };
  }
  // As StickyAssignorTest: its v1/v2 subscriptions carry no rack (Optional.empty()).
  return {
    topics,
    userData: encodeStickyUserData(partitions, generation),
    ownedPartitions: partitions,
    generationId: generation,
    rackId: null,
  };
}

/** Java's `buildSubscriptionV1`: owned partitions, generation only in the user data. */
export function subV1(
  assignor: AbstractStickyAssignor,
  topics: string[],
  partitions: TopicPartition[],
  generation: number,
): Subscription {
  if (assignor instanceof CooperativeStickyAssignor) {
    return { topics, userData: encodeCooperativeUserData(generation), ownedPartitions: partitions };
  }
  return {
    topics,
    userData: encodeStickyUserData(partitions, generation),
    ownedPartitions: partitions,
    rackId: null,
  };
}

/** Java's `buildSubscriptionV0`: only user data. */
export function subV0(
  assignor: AbstractStickyAssignor,
  topics: string[],
  partitions: TopicPartition[],
  generation: number,
): Subscription | null {
  // The cooperative assignor needs owned partitions in the subscription (v1+); Java returns null here.
  if (assignor instanceof CooperativeStickyAssignor) return null;
  return { topics, userData: encodeStickyUserData(partitions, generation) };
}

/** Java's `isFullyBalanced`: assignment sizes differ by at most one. */
export function isFullyBalanced(assignment: Map<MemberId, TopicPartition[]>): boolean {
  const sizes = [...assignment.values()].map((l) => l.length);
  if (sizes.length === 0) return true;
  return Math.max(...sizes) - Math.min(...sizes) <= 1;
}

/**
 * Java's `AbstractStickyAssignorTest.verifyValidityAndBalance`: every member has an entry, members
 * only get partitions of topics they subscribe to, no partition twice, and two members whose
 * sizes differ by more than one share no topic (else a partition could have moved).
 */
export function verifyValidityAndBalanceOnce(
  subscriptions: Map<MemberId, Subscription>,
  assignment: Map<MemberId, TopicPartition[]>,
  partitionsPerTopic: Map<string, number>,
): void {
  expect([...assignment.keys()].sort()).toEqual([...subscriptions.keys()].sort());
  // Problems are collected and checked once: one expect per partition is slow on large groups.
  const problems: string[] = [];
  const consumers = [...assignment.keys()].sort();
  const seen = new Set<string>();
  for (const c of consumers) {
    const topics = new Set(subscriptions.get(c)!.topics);
    for (const p of assignment.get(c)!) {
      if (!topics.has(p.topic)) problems.push(`${str(p)} assigned to ${c}, not subscribed to it`);
      if (!(p.partition < partitionsPerTopic.get(p.topic)!)) problems.push(`${str(p)} does not exist`);
      if (seen.has(str(p))) problems.push(`${str(p)} assigned twice`);
      seen.add(str(p));
    }
  }
  const topicSets = new Map(consumers.map((c) => [c, new Set(assignment.get(c)!.map((p) => p.topic))]));
  for (let i = 0; i < consumers.length; i++) {
    for (let j = i + 1; j < consumers.length; j++) {
      const a = assignment.get(consumers[i])!;
      const b = assignment.get(consumers[j])!;
      if (Math.abs(a.length - b.length) <= 1) continue;
      const ta = topicSets.get(consumers[i])!;
      for (const t of topicSets.get(consumers[j])!) {
        if (ta.has(t))
          problems.push(`partitions of ${t} could move between ${consumers[i]} and ${consumers[j]}`);
      }
    }
  }
  expect(problems).toEqual([]);
}

/**
 * Java's `CooperativeStickyAssignorTest.verifyCooperativeValidity`: no partition is added to a
 * member in the same round it is revoked from another. Returns whether anything was revoked
 * (so a follow-up rebalance happens).
 */
export function verifyCooperativeValidity(
  subscriptions: Map<MemberId, Subscription>,
  assignment: Map<MemberId, TopicPartition[]>,
): boolean {
  const added = new Set<string>();
  const revoked = new Set<string>();
  for (const [member, assigned] of assignment) {
    const owned = (subscriptions.get(member)!.ownedPartitions ?? []).map(str);
    const now = assigned.map(str);
    for (const p of owned) if (!now.includes(p)) revoked.add(p);
    for (const p of now) if (!owned.includes(p)) added.add(p);
  }
  expect(
    [...added].filter((p) => revoked.has(p)),
    'assigned while being revoked',
  ).toEqual([]);
  return revoked.size > 0;
}

/**
 * `verifyValidityAndBalance` for either sticky assignor; for the cooperative one, as Java's
 * override: while partitions are being revoked, run the follow-up rebalance (at most 4), then check
 * the final assignment. Returns the final assignment (Java mutates the map in place).
 */
export function verifyValidityAndBalance(
  assignor: AbstractStickyAssignor | null,
  subscriptions: Map<MemberId, Subscription>,
  assignment: Map<MemberId, TopicPartition[]>,
  partitionsPerTopic: Map<string, number>,
  generation = 1,
): Map<MemberId, TopicPartition[]> {
  let current = assignment;
  if (assignor instanceof CooperativeStickyAssignor) {
    let rebalances = 0;
    while (verifyCooperativeValidity(subscriptions, current)) {
      for (const [member, partitions] of current) {
        subscriptions.set(member, subV2(assignor, subscriptions.get(member)!.topics, partitions, generation));
      }
      current = assignor.assign(partitionsPerTopic, subscriptions);
      rebalances++;
      expect(rebalances).toBeLessThanOrEqual(4);
    }
  }
  verifyValidityAndBalanceOnce(subscriptions, current, partitionsPerTopic);
  return current;
}

/**
 * Java's `PartitionMovements.isSticky`: the partitions of one topic that moved between members
 * that exist in both rounds form no cycle (A gives one to B while B gives one to A).
 */
export function isSticky(
  before: Map<MemberId, TopicPartition[]>,
  after: Map<MemberId, TopicPartition[]>,
): boolean {
  const ownerBefore = new Map<string, MemberId>();
  for (const [m, ps] of before) for (const p of ps) ownerBefore.set(str(p), m);
  const edges = new Map<string, Set<string>>(); // `${topic}\0${from}` -> to members
  for (const [m, ps] of after) {
    for (const p of ps) {
      const from = ownerBefore.get(str(p));
      if (from === undefined || from === m || !after.has(from)) continue;
      const k = `${p.topic}\0${from}`;
      if (!edges.has(k)) edges.set(k, new Set());
      edges.get(k)!.add(m);
    }
  }
  for (const [k, tos] of edges) {
    const [topic, from] = k.split('\0');
    // a cycle through `from`: search forward along this topic's edges
    const stack = [...tos];
    const visited = new Set<string>();
    while (stack.length) {
      const m = stack.pop()!;
      if (m === from) return false;
      if (visited.has(m)) continue;
      visited.add(m);
      for (const n of edges.get(`${topic}\0${m}`) ?? []) stack.push(n);
    }
  }
  return true;
}

/** Java's test names for generated topics and consumers (`getTopicName(i, max)`): zero-padded. */
export function padded(prefix: string, i: number, max: number): string {
  return `${prefix}${String(i).padStart(String(max).length, '0')}`;
}

/** The sticky assignor's map of partitions changing owner, as `topic-partition -> member`. */
export function transferring(assignor: AbstractStickyAssignor): Record<string, string> | null {
  const t = assignor.partitionsTransferringOwnership;
  if (t === null) return null;
  return Object.fromEntries([...t.values()].map(({ partition, member }) => [str(partition), member]));
}

/** Java's `AbstractPartitionAssignorTest.RackConfig`. */
export const RACK_CONFIGS = ['NO_BROKER_RACK', 'NO_CONSUMER_RACK', 'BROKER_AND_CONSUMER_RACK'] as const;
/** One of {@link RACK_CONFIGS}. */
export type RackConfig = (typeof RACK_CONFIGS)[number];
/** Java's `ALL_RACKS`. */
export const ALL_RACKS = ['a', 'b', 'c', 'd', 'e', 'f'];

/** Java's `racks(n)`. */
export const racks = (n: number) => Array.from({ length: n }, (_, i) => ALL_RACKS[i % ALL_RACKS.length]);
/** Java's `nullRacks(n)`. */
export const nullRacks = (n: number): (string | null)[] => Array.from({ length: n }, () => null);

/**
 * Java's `AbstractPartitionAssignorTest.partitionInfos(topic, n, replicationFactor, brokerRacks,
 * nextNodeIndex)`: partition i's replicas are brokers i+nextNodeIndex ... (mod the broker count).
 */
export function partitionInfos(
  topic: string,
  n: number,
  replicationFactor: number,
  brokerRacks: readonly (string | null)[],
  nextNodeIndex: number,
): PartitionInfo[] {
  return Array.from({ length: n }, (_, partition) => ({
    topic,
    partition,
    replicaRacks: Array.from(
      { length: replicationFactor },
      (_, j) => brokerRacks[(partition + j + nextNodeIndex) % brokerRacks.length],
    ),
  }));
}

/** Java's `partitionInfos(topic, n, replicationFactor, numBrokerRacks, nextNodeIndex)`. */
export function partitionInfosOnRacks(
  topic: string,
  n: number,
  replicationFactor: number,
  numBrokerRacks: number,
  nextNodeIndex: number,
): PartitionInfo[] {
  const numBrokers = numBrokerRacks <= 0 ? replicationFactor : numBrokerRacks * replicationFactor;
  const brokerRacks = Array.from({ length: numBrokers }, (_, i) =>
    numBrokerRacks <= 0 ? null : ALL_RACKS[i % numBrokerRacks],
  );
  return partitionInfos(topic, n, replicationFactor, brokerRacks, nextNodeIndex);
}

/**
 * The consumer index a Java test gives a member (`consumer1` is 0, `consumer` is 0, `c05` is 5),
 * which picks its rack in `consumerRackId(consumerIndex)`.
 */
function consumerIndex(member: string): number {
  const m = /^consumer(\d+)$/.exec(member);
  if (m) return Number(m[1]) - 1;
  const c = /^c(\d+)$/.exec(member);
  if (c) return Number(c[1]);
  return 0;
}

/**
 * Java's `initializeRacks(rackConfig)` for an assignor: from now on its `assign` runs Java's
 * `assignPartitions` over partitions with replicas on 3 racks (unless NO_BROKER_RACK, replication
 * factor 3) and members with racks (unless NO_CONSUMER_RACK), with `preferRackAwareLogic` on.
 * The tests' expectations hold for every rack config.
 */
export function initializeRacks<A extends AbstractStickyAssignor>(assignor: A, rackConfig: RackConfig): A {
  const numBrokerRacks = rackConfig !== 'NO_BROKER_RACK' ? 3 : 0;
  const hasConsumerRack = rackConfig !== 'NO_CONSUMER_RACK';
  assignor.preferRackAwareLogic = true;
  assignor.assign = (ppt, subs) => {
    let next = 0;
    const infos = new Map<string, PartitionInfo[]>();
    for (const [topic, n] of ppt)
      infos.set(topic, partitionInfosOnRacks(topic, n, 3, numBrokerRacks, next++));
    const numRacks = numBrokerRacks > 0 ? numBrokerRacks : ALL_RACKS.length;
    const withRacks = new Map(
      [...subs].map(([m, s]) => [
        m,
        // A subscription that states its rack (null: none) keeps it; the others get Java's
        // consumerRackId(consumerIndex).
        {
          ...s,
          rackId:
            s.rackId !== undefined
              ? s.rackId
              : hasConsumerRack
                ? ALL_RACKS[consumerIndex(m) % numRacks]
                : null,
        },
      ]),
    );
    return assignor.assignPartitions(infos, withRacks);
  };
  return assignor;
}

/** Partitions as Java's `toSortedString`: `t1-0, t1-3, ...` sorted as strings. */
export const toSortedString = (ps: readonly TopicPartition[]) => ps.map(str).sort().join(', ');

/** Parses `t1-0, t2-3` (Java's `ownedPartitions` helper). */
export function parsePartitions(s: string | undefined): TopicPartition[] {
  if (!s) return [];
  return s
    .split(', ')
    .map((p) => tp(p.slice(0, p.lastIndexOf('-')), Number(p.slice(p.lastIndexOf('-') + 1))));
}

/**
 * Java's `AbstractPartitionAssignorTest.verifyRackAssignment`: members `consumer0..` with the given
 * racks, topics and owned partitions (generation unknown), partitions with replicas on
 * `brokerRacks`; checks the assignment and, unless `numPartitionsWithRackMismatch` is negative,
 * how many assigned partitions have no replica on their member's rack.
 */
export function verifyRackAssignment(
  assignor: Required<Pick<ConsumerPartitionAssignor, 'assignPartitions'>>,
  numPartitionsPerTopic: Map<string, number>,
  replicationFactor: number,
  brokerRacks: readonly (string | null)[],
  consumerRacks: readonly (string | null)[],
  consumerTopics: readonly string[][],
  consumerOwnedPartitions: readonly string[] | null,
  expectedAssignments: readonly string[],
  numPartitionsWithRackMismatch: number,
): void {
  const consumers = consumerRacks.map((_, i) => `consumer${i}`);
  const subscriptions = new Map<MemberId, Subscription>(
    consumers.map((c, i) => [
      c,
      {
        topics: consumerTopics[i],
        userData: null,
        ownedPartitions: parsePartitions(consumerOwnedPartitions?.[i]),
        generationId: -1,
        rackId: consumerRacks[i],
      },
    ]),
  );
  const partitionsPerTopic = new Map<string, PartitionInfo[]>();
  let next = 0;
  for (const [topic, n] of numPartitionsPerTopic) {
    partitionsPerTopic.set(topic, partitionInfos(topic, n, replicationFactor, brokerRacks, next));
    next += n;
  }
  const assignment = assignor.assignPartitions(partitionsPerTopic, subscriptions);
  if (assignment instanceof Promise) throw new Error('a synchronous assignor expected');
  expect(Object.fromEntries(consumers.map((c) => [c, toSortedString(assignment.get(c) ?? [])]))).toEqual(
    Object.fromEntries(consumers.map((c, i) => [c, expectedAssignments[i]])),
  );
  if (numPartitionsWithRackMismatch >= 0) {
    const mismatched: string[] = [];
    consumers.forEach((c, i) => {
      const rack = consumerRacks[i];
      if (rack == null) return;
      for (const p of assignment.get(c) ?? []) {
        const info = partitionsPerTopic.get(p.topic)!.find((x) => x.partition === p.partition)!;
        if (!(info.replicaRacks ?? []).includes(rack)) mismatched.push(str(p));
      }
    });
    expect(mismatched.length, `partitions with rack mismatch ${mismatched}`).toBe(
      numPartitionsWithRackMismatch,
    );
  }
}
