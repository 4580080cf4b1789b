/**
 * The `roundrobin` assignor (Java's `RoundRobinAssignor`): every partition of every subscribed
 * topic, sorted by topic then index, dealt out over the members in member order, skipping members
 * not subscribed to the partition's topic.
 */
import {
  type ConsumerPartitionAssignor,
  type MemberId,
  RebalanceProtocol,
  type Subscription,
  type TopicPartition,
} from './types.js';
import { sortedPartitions, sortMembers } from './util.js';

/** Deals partitions out one by one over the members; see the module comment. */
export class RoundRobinAssignor implements ConsumerPartitionAssignor {
  /** The protocol name, as Java's. */
  static readonly NAME = 'roundrobin';
  /** {@inheritDoc ConsumerPartitionAssignor.name} */
  readonly name = RoundRobinAssignor.NAME;
  /** {@inheritDoc ConsumerPartitionAssignor.supportedProtocols} */
  readonly supportedProtocols: readonly RebalanceProtocol[] = [RebalanceProtocol.EAGER];

  /** {@inheritDoc ConsumerPartitionAssignor.assign} */
  assign(
    partitionsPerTopic: Map<string, number>,
    subscriptions: Map<MemberId, Subscription>,
  ): Map<MemberId, TopicPartition[]> {
    const assignment = new Map<MemberId, TopicPartition[]>();
    for (const m of subscriptions.keys()) assignment.set(m, []);
    const members = sortMembers(subscriptions);
    const topicSets = new Map(members.map((m) => [m, new Set(subscriptions.get(m)!.topics)]));
    const allTopics = members.flatMap((m) => subscriptions.get(m)!.topics);
    let next = 0;
    for (const tp of sortedPartitions(partitionsPerTopic, allTopics)) {
      // Some member subscribes to every topic here, so this loop ends within one lap.
      while (!topicSets.get(members[next])!.has(tp.topic)) next = (next + 1) % members.length;
      assignment.get(members[next])!.push(tp);
      next = (next + 1) % members.length;
    }
    return assignment;
  }
}

/** The shared `roundrobin` assignor. */
export const roundRobin: RoundRobinAssignor = new RoundRobinAssignor();
