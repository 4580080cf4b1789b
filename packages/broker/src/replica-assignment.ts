/** Checks of a replica assignment a client chose, as Kafka's controller makes them. */
import { ErrorCode } from '@tskafka/protocol';
import { ApiError } from './api-error.js';

/**
 * Kafka's `validateManualPartitionAssignment`: replicas not empty, each a registered broker
 * named once, and as many as the topic's other partitions have; throws INVALID_REPLICA_ASSIGNMENT
 * with Kafka's wording.
 */
export function validateManualAssignment(
  replicas: readonly number[],
  replicationFactor: number,
  isRegistered: (brokerId: number) => boolean,
): void {
  if (replicas.length === 0) {
    throw new ApiError(
      ErrorCode.INVALID_REPLICA_ASSIGNMENT,
      'The manual partition assignment includes an empty replica list.',
    );
  }
  const sorted = [...replicas].sort((a, b) => a - b);
  for (const [i, brokerId] of sorted.entries()) {
    if (!isRegistered(brokerId)) {
      throw new ApiError(
        ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        `The manual partition assignment includes broker ${brokerId}, but no such broker is registered.`,
      );
    }
    if (i > 0 && sorted[i - 1] === brokerId) {
      throw new ApiError(
        ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        `The manual partition assignment includes the broker ${brokerId} more than once.`,
      );
    }
  }
  if (sorted.length !== replicationFactor) {
    throw new ApiError(
      ErrorCode.INVALID_REPLICA_ASSIGNMENT,
      `The manual partition assignment includes a partition with ${sorted.length} replica(s), but this is inconsistent with previous partitions, which have ${replicationFactor} replica(s).`,
    );
  }
}
