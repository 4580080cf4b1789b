/**
 * The consumer's own errors. Broker errors keep their Kafka error classes from
 * `@tskafka/protocol`. None of them is retriable: each needs the application to act (call
 * differently, rejoin and reprocess, configure a reset policy).
 *
 * @module
 */
import { KafkaClientError } from '@tskafka/protocol';
import type { TopicPartition } from './types.js';

/**
 * A consumer error not from a broker: misuse, a closed consumer, a failed commit. A
 * {@link KafkaClientError}; not retriable unless it says so.
 */
export class ConsumerError extends KafkaClientError {}

/** The consumer is closed (or closing). Not retriable. */
export class ConsumerClosedError extends ConsumerError {}

/**
 * `auto.offset.reset=none` and partitions without a committed offset (or with one out of
 * range): `partitions` names them. Not retriable (Java's `NoOffsetForPartitionException`): seek,
 * or configure a reset policy.
 */
export class NoOffsetForPartitionError extends ConsumerError {
  /** @param partitions - the partitions without a valid offset. */
  constructor(readonly partitions: readonly TopicPartition[]) {
    super(
      `Undefined offset with no reset policy for partitions: ${partitions
        .map((p) => `${p.topic}-${p.partition}`)
        .join(', ')}`,
    );
  }
}

/**
 * A commit that cannot succeed: the group rebalanced and the partitions may belong to another
 * member now (Java's `CommitFailedException`). Not retriable: rejoin and reprocess.
 */
export class CommitFailedError extends ConsumerError {}

/** A call that needs a group (`subscribe`, commits) on a consumer without `groupId`. Not retriable. */
export class GroupIdRequiredError extends ConsumerError {}
