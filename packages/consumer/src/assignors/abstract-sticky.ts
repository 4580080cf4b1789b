/**
 * The algorithm shared by `sticky` and `cooperative-sticky`, after Java's `AbstractStickyAssignor`:
 * an assignment as balanced as the subscriptions allow that moves as few previously owned
 * partitions as possible.
 *
 * When every member subscribes to the same topics, the constrained path (Java's
 * `constrainedAssign`) computes quotas (`minQuota = floor(P / N)`, at most `P % N` members get one
 * more), lets each member keep owned partitions up to its quota, and deals the rest out round-robin
 * to the members under quota. Otherwise the general path keeps every valid owned partition, gives
 * each unassigned partition (those with the fewest possible consumers first) to the least loaded
 * member subscribed to it, then moves partitions from a member to another subscribed to the topic
 * while the first holds at least two more; every move shrinks the sum of squared loads, so this
 * ends, and it ends balanced in the sense Java's tests check (`verifyValidityAndBalance`).
 */
import { DEFAULT_GENERATION, type MemberData } from './sticky-user-data.js';
import type {
  ConsumerPartitionAssignor,
  MemberId,
  RebalanceProtocol,
  Subscription,
  TopicPartition,
} from './types.js';
import { comparePartitions, javaHashMapOrder, partitionKey, sortedPartitions } from './util.js';

/** Ownership as resolved from every member's claims. */
export interface ResolvedOwnership {
  /** Each member's still-valid owned partitions, in the order it listed them. */
  owned: Map<MemberId, TopicPartition[]>;
  /** Partitions claimed by two members of the same generation: owned by nobody now. */
  multiplyClaimed: Set<string>;
}

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

  /** The previous partitions and generation a member's subscription carries. */
  abstract memberData(subscription: Subscription): MemberData;

  /** {@inheritDoc ConsumerPartitionAssignor.assign} */
  assign(
    partitionsPerTopic: Map<string, number>,
    subscriptions: Map<MemberId, Subscription>,
  ): Map<MemberId, TopicPartition[]> {
    // Only the subscribed topics the leader knows take part (Java's AbstractPartitionAssignor).
    const subscribed = new Map<string, number>();
    for (const s of subscriptions.values()) {
      for (const t of s.topics) {
        const n = partitionsPerTopic.get(t);
        if (n !== undefined) subscribed.set(t, n);
      }
    }
    const resolved = this.resolveOwnership(subscribed, subscriptions);
    let result: Map<MemberId, TopicPartition[]>;
    if (allSubscriptionsEqual(subscriptions)) {
      this.partitionsTransferringOwnership = new Map();
      result = this.constrainedAssign(subscribed, resolved, [...subscriptions.keys()]);
    } else {
      this.partitionsTransferringOwnership = null;
      result = generalAssign(subscribed, subscriptions, resolved);
    }
    return new Map([...subscriptions.keys()].map((m) => [m, result.get(m) ?? []]));
  }

  /**
   * Each member's claims, cut down as Java does: partitions of unknown topics dropped; a
   * partition claimed by members of different generations stays with the newest; one claimed by
   * two members of the same generation is owned by neither.
   */
  resolveOwnership(
    partitionsPerTopic: Map<string, number>,
    subscriptions: Map<MemberId, Subscription>,
  ): ResolvedOwnership {
    const owned = new Map<MemberId, TopicPartition[]>();
    const multiplyClaimed = new Set<string>();
    const ownerOf = new Map<string, { member: MemberId; generation: number }>();
    for (const member of javaHashMapOrder([...subscriptions.keys()])) {
      const data = this.memberData(subscriptions.get(member)!);
      const generation = data.generation ?? DEFAULT_GENERATION;
      const list: TopicPartition[] = [];
      owned.set(member, list);
      for (const tp of data.partitions) {
        const n = partitionsPerTopic.get(tp.topic);
        if (n === undefined || tp.partition < 0 || tp.partition >= n) continue;
        const key = partitionKey(tp);
        const other = ownerOf.get(key);
        if (!other) {
          list.push(tp);
          ownerOf.set(key, { member, generation });
        } else if (other.member === member) {
          // listed twice by the same member: keep one
        } else if (generation === other.generation) {
          multiplyClaimed.add(key);
        } else if (generation > other.generation) {
          list.push(tp);
          const theirs = owned.get(other.member)!;
          theirs.splice(
            theirs.findIndex((x) => partitionKey(x) === key),
            1,
          );
          ownerOf.set(key, { member, generation });
        }
      }
    }
    for (const list of owned.values()) {
      for (let i = list.length - 1; i >= 0; i--)
        if (multiplyClaimed.has(partitionKey(list[i]))) list.splice(i, 1);
    }
    return { owned, multiplyClaimed };
  }

  /** Java's `constrainedAssign`, for identical subscriptions; records partitions changing owner. */
  private constrainedAssign(
    partitionsPerTopic: Map<string, number>,
    { owned, multiplyClaimed }: ResolvedOwnership,
    memberIds: MemberId[],
  ): Map<MemberId, TopicPartition[]> {
    const transferring = this.partitionsTransferringOwnership!;
    const all = sortedPartitions(partitionsPerTopic, partitionsPerTopic.keys());
    const numMembers = memberIds.length;
    const assignment = new Map<MemberId, TopicPartition[]>(memberIds.map((m) => [m, []]));
    if (numMembers === 0) return assignment;
    const minQuota = Math.floor(all.length / numMembers);
    const maxQuota = Math.ceil(all.length / numMembers);
    const expectedOverMin = all.length % numMembers;
    let currentOverMin = 0;
    const underMin: MemberId[] = [];
    let exactlyMin: MemberId[] = [];
    const revoked = new Set<string>();
    const assigned = new Set<string>();
    const keep = (member: MemberId, partitions: TopicPartition[]) => {
      assignment.get(member)!.push(...partitions);
      for (const tp of partitions) assigned.add(partitionKey(tp));
    };

    // Reassign previously owned partitions, up to the quota of each member.
    for (const member of javaHashMapOrder(memberIds)) {
      const ownedPartitions = owned.get(member) ?? [];
      if (ownedPartitions.length < minQuota) {
        keep(member, ownedPartitions);
        underMin.push(member);
      } else if (ownedPartitions.length >= maxQuota && currentOverMin < expectedOverMin) {
        currentOverMin++;
        if (currentOverMin === expectedOverMin) exactlyMin = [];
        keep(member, ownedPartitions.slice(0, maxQuota));
        for (const tp of ownedPartitions.slice(maxQuota)) revoked.add(partitionKey(tp));
      } else {
        keep(member, ownedPartitions.slice(0, minQuota));
        for (const tp of ownedPartitions.slice(minQuota)) revoked.add(partitionKey(tp));
        if (currentOverMin < expectedOverMin) exactlyMin.push(member);
      }
    }

    const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    underMin.sort(cmp);
    exactlyMin.sort(cmp);
    // Round-robin over the members under minQuota, then one more each to members at minQuota.
    let next = 0;
    for (const tp of all) {
      const key = partitionKey(tp);
      if (assigned.has(key)) continue;
      let member: MemberId;
      if (next < underMin.length) {
        member = underMin[next++];
      } else if (underMin.length === 0) {
        const m = exactlyMin.shift();
        if (m === undefined) throw new Error('sticky assignor: no member left to take a partition');
        member = m;
      } else {
        next = 0;
        member = underMin[next++];
      }
      const list = assignment.get(member)!;
      list.push(tp);
      if (revoked.has(key) || multiplyClaimed.has(key)) transferring.set(key, { partition: tp, member });
      if (list.length === minQuota && next > 0 && underMin[next - 1] === member) {
        underMin.splice(--next, 1);
        exactlyMin.push(member);
      } else if (list.length === maxQuota) {
        currentOverMin++;
      }
    }
    return assignment;
  }
}

function allSubscriptionsEqual(subscriptions: Map<MemberId, Subscription>): boolean {
  let first: Set<string> | undefined;
  for (const s of subscriptions.values()) {
    const topics = new Set(s.topics);
    if (!first) first = topics;
    else if (topics.size !== first.size || [...topics].some((t) => !first!.has(t))) return false;
  }
  return true;
}

/** The general path; see the module comment. */
function generalAssign(
  partitionsPerTopic: Map<string, number>,
  subscriptions: Map<MemberId, Subscription>,
  { owned }: ResolvedOwnership,
): Map<MemberId, TopicPartition[]> {
  const members = [...subscriptions.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const topicsOf = new Map(members.map((m) => [m, new Set(subscriptions.get(m)!.topics)]));
  const consumersOfTopic = new Map<string, MemberId[]>();
  for (const topic of partitionsPerTopic.keys()) {
    consumersOfTopic.set(
      topic,
      members.filter((m) => topicsOf.get(m)!.has(topic)),
    );
  }
  const assignment = new Map<MemberId, TopicPartition[]>();
  const previouslyOwned = new Set<string>();
  const assigned = new Set<string>();
  for (const m of members) {
    // Keep the owned partitions of topics this member still subscribes to.
    const keep = (owned.get(m) ?? []).filter((tp) => topicsOf.get(m)!.has(tp.topic));
    assignment.set(m, keep);
    for (const tp of keep) {
      previouslyOwned.add(`${m}\0${partitionKey(tp)}`);
      assigned.add(partitionKey(tp));
    }
  }
  const load = (m: MemberId) => assignment.get(m)!.length;
  // Partitions with the fewest potential consumers first (Java's PartitionComparator).
  const unassigned = sortedPartitions(partitionsPerTopic, partitionsPerTopic.keys())
    .filter((tp) => !assigned.has(partitionKey(tp)))
    .sort(
      (a, b) =>
        consumersOfTopic.get(a.topic)!.length - consumersOfTopic.get(b.topic)!.length ||
        comparePartitions(a, b),
    );
  for (const tp of unassigned) {
    let best: MemberId | undefined;
    for (const m of consumersOfTopic.get(tp.topic)!) if (best === undefined || load(m) < load(best)) best = m;
    if (best !== undefined) assignment.get(best)!.push(tp);
  }

  // Balance: move a partition from a member to one with at least two fewer that can take it,
  // most loaded member first, partitions it did not own before first.
  for (;;) {
    let moved = false;
    const byLoad = [...members].sort((a, b) => load(b) - load(a) || (a < b ? -1 : a > b ? 1 : 0));
    for (const from of byLoad) {
      const list = assignment.get(from)!;
      const candidates = list
        .map((tp, i) => ({ tp, i, wasOwned: previouslyOwned.has(`${from}\0${partitionKey(tp)}`) }))
        .sort((x, y) => Number(x.wasOwned) - Number(y.wasOwned) || y.i - x.i);
      for (const { tp } of candidates) {
        let to: MemberId | undefined;
        for (const m of consumersOfTopic.get(tp.topic)!) {
          if (m !== from && load(m) < load(from) - 1 && (to === undefined || load(m) < load(to))) to = m;
        }
        if (to === undefined) continue;
        list.splice(list.indexOf(tp), 1);
        assignment.get(to)!.push(tp);
        moved = true;
        break;
      }
      if (moved) break;
    }
    if (!moved) break;
  }
  return assignment;
}
