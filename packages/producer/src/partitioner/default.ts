/**
 * The default partitioner: Java-compatible hashing of keys, KIP-480 stickiness for records
 * without one.
 */

import { partitionForKey } from './murmur2.js';
import { allPartitions, StickyPartitionCache } from './sticky.js';
import type { Partitioner, PartitionerCluster, RandomInt } from './types.js';

/** Options of {@link murmur2Partitioner}. */
export interface Murmur2PartitionerOptions {
  /**
   * `partitioner.ignore.keys`: place every record as if it had no key (sticky), default false.
   */
  ignoreKeys?: boolean;
  /** Source of the sticky choices for keyless records (default `Math.random`). */
  random?: RandomInt;
}

/**
 * The default partitioner, `murmur2`. A record with a key goes to
 * `toPositive(murmur2(keyBytes)) % partitionCount`, over all partitions whether or not they have
 * a leader, exactly as the Java client's `BuiltInPartitioner.partitionForKey` (and
 * librdkafka's `murmur2_random`, KafkaJS's `DefaultPartitioner`): the same key bytes land on the
 * same partition whichever of these clients produced them. An empty key is a key; only a null
 * one is not. Records without a key use the KIP-480 sticky partition of their topic.
 *
 * @example
 * ```ts
 * const producer = kafka.producer({ partitioner: murmur2Partitioner() }); // what 'murmur2' gives
 * ```
 */
export function murmur2Partitioner(options: Murmur2PartitionerOptions = {}): Partitioner {
  const keyless = new StickyPartitionCache(options.random);
  const ignoreKeys = options.ignoreKeys === true;
  return {
    partition(topic, _key, keyBytes, _value, cluster) {
      if (keyBytes !== null && !ignoreKeys) {
        return partitionForKey(keyBytes, cluster.partitionCountFor(topic));
      }
      return keyless.partition(
        topic,
        allPartitions(cluster.partitionCountFor(topic)),
        cluster.availablePartitionsFor(topic),
      );
    },
    onNewBatch(topic: string, cluster: PartitionerCluster, previousPartition: number) {
      keyless.nextPartition(
        topic,
        allPartitions(cluster.partitionCountFor(topic)),
        cluster.availablePartitionsFor(topic),
        previousPartition,
      );
    },
  };
}
