/**
 * The `range` assignor (Java's `RangeAssignor`, the default): per topic, the members subscribed to
 * it in member order, each taking a contiguous range of partitions; the first
 * `partitions % members` members take one extra. Members that subscribe to the same topics with
 * the same partition counts therefore get the same partition numbers of each (co-partitioning).
 */
import {
  type ConsumerPartitionAssignor,
  type MemberId,
  RebalanceProtocol,
  type Subscription,
  type TopicPartition,
} from './types.js';
import { sortMembers } from './util.js';

/** Assigns ranges of each topic's partitions; see the module comment. */
export class RangeAssignor implements ConsumerPartitionAssignor {
  /** The protocol name, as Java's. */
  static readonly NAME = 'range';
  /** {@inheritDoc ConsumerPartitionAssignor.name} */
  readonly name = RangeAssignor.NAME;
  /** {@inheritDoc ConsumerPartitionAssignor.supportedProtocols} */
  readonly supportedProtocols: readonly RebalanceProtocol[] = [RebalanceProtocol.EAGER];

  /** {@inheritDoc ConsumerPartitionAssignor.assign} */
  assign(
    partitionsPerTopic: Map<string, number>,
    subscriptions: Map<MemberId, Subscription>,
  ): Map<MemberId, TopicPartition[]> {
    const assignment = new Map<MemberId, TopicPartition[]>();
    const members = sortMembers(subscriptions);
    for (const m of members) assignment.set(m, []);
    const topics = new Set<string>();
    for (const s of subscriptions.values()) for (const t of s.topics) topics.add(t);
    for (const topic of [...topics].sort()) {
      const numPartitions = partitionsPerTopic.get(topic);
      if (numPartitions === undefined) continue;
      const consumers = members.filter((m) => subscriptions.get(m)!.topics.includes(topic));
      const perConsumer = Math.floor(numPartitions / consumers.length);
      const extra = numPartitions % consumers.length;
      consumers.forEach((m, i) => {
        const start = perConsumer * i + Math.min(i, extra);
        const length = perConsumer + (i + 1 > extra ? 0 : 1);
        const list = assignment.get(m)!;
        for (let p = start; p < start + length; p++) list.push({ topic, partition: p });
      });
    }
    return new Map([...subscriptions.keys()].map((m) => [m, assignment.get(m)!]));
  }
}

/** The shared `range` assignor. */
export const range: RangeAssignor = new RangeAssignor();
