/**
 * KafkaJS's `RoundRobinAssigner` as a tskafka assignor: the same protocol name and the same
 * assignment, so `tskafka/kafkajs` consumers and KafkaJS consumers can share a group while an
 * application moves over one process at a time.
 *
 * @module
 */
import type { ConsumerPartitionAssignor, MemberId, Subscription, TopicPartition } from '@tskafka/consumer';

/**
 * KafkaJS's round robin: members sorted by id, every partition of every subscribed topic (topics
 * in subscription order, partitions ascending) dealt to them in turn. Unlike Java's
 * `RoundRobinAssignor` it ignores which member subscribed to which topic, as KafkaJS does.
 */
export const roundRobinAssigner: ConsumerPartitionAssignor = {
  name: 'RoundRobinAssigner',
  assign(partitionsPerTopic: Map<string, number>, subscriptions: Map<MemberId, Subscription>) {
    const members = [...subscriptions.keys()].sort();
    const topics: string[] = [];
    for (const member of members)
      for (const t of subscriptions.get(member)?.topics ?? []) if (!topics.includes(t)) topics.push(t);
    const out = new Map<MemberId, TopicPartition[]>(members.map((m) => [m, []]));
    let i = 0;
    for (const topic of topics) {
      const count = partitionsPerTopic.get(topic) ?? 0;
      for (let partition = 0; partition < count; partition++) {
        out.get(members[i % members.length])?.push({ topic, partition });
        i++;
      }
    }
    return out;
  },
};

/** KafkaJS's built-in assigners by name (`PartitionAssigners.roundRobin`). */
export const PartitionAssigners: {
  /** KafkaJS's default, `RoundRobinAssigner`. */
  roundRobin: ConsumerPartitionAssignor;
} = { roundRobin: roundRobinAssigner };
