/**
 * The consumer's own errors. Broker errors keep their Kafka error classes from
 * `@tskafka/protocol`.
 *
 * @module
 */
import type { TopicPartition } from './types.js';

/** A consumer error not from a broker: misuse, a closed consumer, a failed commit. */
export class ConsumerError extends Error {
  override readonly name: string = 'ConsumerError';
}

/** The consumer is closed (or closing). */
export class ConsumerClosedError extends ConsumerError {
  override readonly name: string = 'ConsumerClosedError';
}

/**
 * `auto.offset.reset=none` and partitions without a committed offset (or with one out of
 * range): `partitions` names them.
 */
export class NoOffsetForPartitionError extends ConsumerError {
  override readonly name: string = 'NoOffsetForPartitionError';

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
 * member now (Java's `CommitFailedException`). Retrying does not help; rejoin and reprocess.
 */
export class CommitFailedError extends ConsumerError {
  override readonly name: string = 'CommitFailedError';
}

/** A call that needs a group (`subscribe`, commits) on a consumer without `groupId`. */
export class GroupIdRequiredError extends ConsumerError {
  override readonly name: string = 'GroupIdRequiredError';
}
