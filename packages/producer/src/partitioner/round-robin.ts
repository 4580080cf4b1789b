/** Java's `RoundRobinPartitioner`: records of a topic take its available partitions in turn. */

import type { Partitioner, PartitionerCluster } from './types.js';

/**
 * Round robin, keys ignored, as Java's `org.apache.kafka.clients.producer.RoundRobinPartitioner`:
 * a counter per topic, starting at 0, picks `available[counter % available.length]`, or
 * `counter % partitionCount` while no partition has a leader.
 *
 * Under the KIP-480 protocol the accumulator asks again for a record that opened a new batch;
 * `onNewBatch` remembers the partition so that second answer repeats it rather than skipping
 * one (the uneven spread of KAFKA-9965), and each record still advances the counter once.
 */
export function roundRobin(): Partitioner {
  const counters = new Map<string, number>();
  const requeued = new Map<string, number[]>();
  return {
    partition(topic, _key, _keyBytes, _value, cluster) {
      const queue = requeued.get(topic);
      if (queue !== undefined && queue.length > 0) return queue.shift() as number;
      const next = counters.get(topic) ?? 0;
      counters.set(topic, (next + 1) & 0x7fffffff);
      const available = cluster.availablePartitionsFor(topic);
      if (available.length > 0) return available[next % available.length];
      return next % cluster.partitionCountFor(topic);
    },
    onNewBatch(topic: string, _cluster: PartitionerCluster, previousPartition: number) {
      const queue = requeued.get(topic);
      if (queue === undefined) requeued.set(topic, [previousPartition]);
      else queue.push(previousPartition);
    },
  };
}
