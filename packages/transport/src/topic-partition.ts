/**
 * Kafka's `TopicPartition`: the one name for a partition of a topic, defined here, low in the
 * stack, so the producer, the consumer and the admin client all hand out and accept the same type.
 *
 * @module
 */

/** A partition of a topic, as Java's `org.apache.kafka.common.TopicPartition`. */
export interface TopicPartition {
  /** The topic name. */
  readonly topic: string;
  /** The partition index. */
  readonly partition: number;
}
