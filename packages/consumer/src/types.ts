/**
 * What the consumer hands out and takes: records, partitions, offsets, the rebalance listener.
 *
 * @module
 */
import type { RecordHeader } from '@tskafka/protocol';
import type { TopicPartition } from './assignors/index.js';

export type { TopicPartition };

/** A consumed record. Without deserializers, `key` and `value` are `Buffer`s (or null). */
export interface ConsumerRecord<K, V> {
  /** The topic it was read from. */
  topic: string;
  /** The partition it was read from. */
  partition: number;
  /** Its offset in the partition. */
  offset: number;
  /** Its timestamp (ms since the epoch): create time, or log append time if the topic says so. */
  timestamp: number;
  /** The deserialized key. */
  key: K;
  /** The deserialized value. */
  value: V;
  /** Headers in wire order; keys may repeat. */
  headers: RecordHeader[];
  /** The leader epoch of the batch the record came from, or -1. */
  leaderEpoch: number;
}

/** An offset to commit (the next offset to read) with optional metadata. */
export interface OffsetAndMetadata {
  /** The next offset to read: the offset of the last processed record plus one. */
  offset: number;
  /** Free text stored with the offset; default empty. */
  metadata?: string;
  /** The leader epoch of the last processed record, if known. */
  leaderEpoch?: number;
}

/** Offsets by partition, as `commitSync(offsets)` takes them. */
export type OffsetsToCommit = ReadonlyMap<TopicPartition, OffsetAndMetadata> | readonly CommitOffset[];

/** One offset to commit, in the array form of {@link OffsetsToCommit}. */
export interface CommitOffset extends TopicPartition, OffsetAndMetadata {}

/**
 * Called around rebalances (Java's `ConsumerRebalanceListener`). Every callback is awaited:
 * `onPartitionsRevoked` before the partitions are given up (so committing there is safe),
 * `onPartitionsAssigned` before fetching starts (so a `seek` there wins).
 */
export interface ConsumerRebalanceListener {
  /**
   * Partitions are about to be taken away. Under the eager protocol every owned partition is
   * revoked before each rebalance; under the cooperative protocol only those that move.
   */
  onPartitionsRevoked?(partitions: TopicPartition[]): void | Promise<void>;
  /** Partitions were assigned (under the cooperative protocol: only the newly added ones). */
  onPartitionsAssigned?(partitions: TopicPartition[]): void | Promise<void>;
  /**
   * Partitions were lost: the member fell out of the group (session expired, fenced), so other
   * members may own them already and committing is not possible. Default: `onPartitionsRevoked`.
   */
  onPartitionsLost?(partitions: TopicPartition[]): void | Promise<void>;
}

export type { ConsumerGroupMetadata } from '@tskafka/transport';

/** `"topic-partition"`, the key the consumer files partitions under. */
export function partitionKey(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}

/** Partitions sorted by topic, then partition. */
export function sortPartitions<T extends TopicPartition>(partitions: Iterable<T>): T[] {
  return [...partitions].sort((a, b) =>
    a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1,
  );
}
