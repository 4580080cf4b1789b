/**
 * The partitioner contract: which partition of its topic a record without an explicit partition
 * goes to. Mirrors Java's `org.apache.kafka.clients.producer.Partitioner`, without the `Cluster`
 * object: a partitioner sees only the two facts it needs.
 */

/** What a partitioner may ask about the cluster: partition counts and which partitions have a leader. */
export interface PartitionerCluster {
  /**
   * Partitions of `topic`, available or not (Java's `cluster.partitionsForTopic(topic).size()`).
   * The producer only calls a partitioner once the topic's metadata is known, so this is >= 1.
   */
  partitionCountFor(topic: string): number;
  /**
   * Partitions of `topic` that have a leader right now, in ascending order (Java's
   * `availablePartitionsForTopic`). May be empty while leaders move; a partitioner then falls
   * back to any partition in `[0, partitionCountFor(topic))`.
   */
  availablePartitionsFor(topic: string): readonly number[];
}

/**
 * Chooses the partition of a record that names none.
 *
 * `partition()` runs on the producer's main path once per record, after the serializers: it must
 * be synchronous, cheap, and return an integer in `[0, cluster.partitionCountFor(topic))`.
 *
 * The KIP-480 protocol for sticky partitioners: when appending a record to the partition
 * `partition()` chose would open a new batch there (the open batch is full, or was drained to
 * the sender), the RecordAccumulator calls `onNewBatch(topic, cluster, thatPartition)` before
 * appending, then calls `partition()` again for the same record and appends it where the second
 * answer says. A sticky partitioner moves to another partition in `onNewBatch`; a partitioner
 * without state need not implement it.
 *
 * @typeParam K - the record key type before serialization.
 * @typeParam V - the record value type before serialization.
 */
export interface Partitioner<K = unknown, V = unknown> {
  /**
   * The partition for one record.
   *
   * @param topic - the record's topic.
   * @param key - the key as given to `send` (before serialization); null/undefined if none.
   * @param keyBytes - the serialized key (a string stands for its UTF-8 bytes), or null for a
   *   record without a key.
   * @param value - the value as given to `send`.
   * @param cluster - partition counts and availability of the topic.
   * @returns a partition in `[0, cluster.partitionCountFor(topic))`.
   */
  partition(
    topic: string,
    key: K | null | undefined,
    keyBytes: Uint8Array | string | null,
    value: V,
    cluster: PartitionerCluster,
  ): number;
  /**
   * Called by the RecordAccumulator when a record for `previousPartition` would start a new batch
   * (see the interface comment); `partition()` is then asked again for that record.
   */
  onNewBatch?(topic: string, cluster: PartitionerCluster, previousPartition: number): void;
  /** Called once when the producer closes. */
  close?(): void | Promise<void>;
}

/** A source of random integers in `[0, 2^31)`, injectable so tests can make sticky choices deterministic. */
export type RandomInt = () => number;

/** `Math.random` scaled to a non-negative 31-bit integer (the role of Java's `toPositive(nextInt())`). */
export const defaultRandomInt: RandomInt = () => Math.floor(Math.random() * 0x80000000);
