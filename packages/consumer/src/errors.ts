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
 * The records of a partition cannot be read at the consumer's position (Java's `KafkaException`
 * "Received exception when fetching the next record"): a batch that is corrupt, fails its CRC,
 * decompresses beyond what the consumer asked for (`fetch.max.bytes`), or Fetch responses for it
 * that could not be read several times in a row. `cause` says what was wrong. Not retriable as
 * such: the next poll fetches the same records again; `seek` past `offset` to skip them.
 */
export class RecordFetchError extends ConsumerError {
  /**
   * @param topic - the partition's topic.
   * @param partition - the partition.
   * @param offset - the position whose records could not be read.
   * @param cause - what went wrong.
   */
  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly offset: number,
    cause: unknown,
  ) {
    super(
      `Received exception when fetching the next record from ${topic}-${partition} at offset ${offset}: ${
        cause instanceof Error ? cause.message : String(cause)
      }. If needed, please seek past the record to continue consumption.`,
      { cause },
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
