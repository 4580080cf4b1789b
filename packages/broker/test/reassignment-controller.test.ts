/**
 * The controller's partition reassignment (ClusterMetadata), without brokers running: the
 * replicas become target + removing, the adding replicas join through the ISR, the move
 * completes (leader moved off a removed replica) once the ISR holds every target replica,
 * cancelling reverts, and invalid targets are refused with Kafka's codes.
 */
import { ErrorCode } from '@tskafka/protocol';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../src/api-error.js';
import { parseBrokerConfig } from '../src/config.js';
import { ClusterMetadata } from '../src/metadata.js';

function cluster(brokers: number) {
  const md = new ClusterMetadata(parseBrokerConfig());
  for (let id = 1; id <= brokers; id++)
    md.registerBroker({ nodeId: id, host: 'localhost', port: 9000 + id, rack: null });
  md.createTopic('t', { numPartitions: 1, replicationFactor: 2, assignments: [[1, 2]] });
  const p = () => md.topics.get('t')?.partitions[0];
  return { md, p };
}

function codeOf(f: () => void): number {
  try {
    f();
  } catch (e) {
    if (e instanceof ApiError) return e.code;
    throw e;
  }
  return ErrorCode.NONE;
}

describe('controller: partition reassignment', () => {
  it('adds the target replicas, waits for them in the ISR, then drops the old ones and moves the leader', () => {
    const { md, p } = cluster(4);
    md.alterPartitionReassignment('t', 0, [3, 4]);
    expect(p()).toMatchObject({
      replicas: [3, 4, 1, 2],
      addingReplicas: [3, 4],
      removingReplicas: [1, 2],
      leader: 1,
    });
    expect(md.ongoingReassignments()).toHaveLength(1);
    // One new replica in sync is not enough.
    md.alterIsr('t', 0, 1, 0, [1, 2, 3]);
    expect(p()?.replicas).toEqual([3, 4, 1, 2]);
    md.alterIsr('t', 0, 1, 0, [1, 2, 3, 4]);
    expect(p()).toMatchObject({
      replicas: [3, 4],
      isr: [3, 4],
      leader: 3,
      leaderEpoch: 1,
      addingReplicas: [],
      removingReplicas: [],
    });
    expect(md.ongoingReassignments()).toEqual([]);
  });

  it('keeps the leader when it stays, and completes at once when nothing is added', () => {
    const { md, p } = cluster(3);
    md.alterPartitionReassignment('t', 0, [1]);
    expect(p()).toMatchObject({ replicas: [1], isr: [1], leader: 1, leaderEpoch: 0 });
  });

  it('cancels back to the original replicas, and refuses what Kafka refuses', () => {
    const { md, p } = cluster(3);
    expect(codeOf(() => md.alterPartitionReassignment('t', 0, null))).toBe(
      ErrorCode.NO_REASSIGNMENT_IN_PROGRESS,
    );
    md.alterPartitionReassignment('t', 0, [2, 3]);
    expect(p()?.replicas).toEqual([2, 3, 1]);
    // As Kafka's revert: the original replicas in their order during the move.
    md.alterPartitionReassignment('t', 0, null);
    expect(p()).toMatchObject({
      replicas: [2, 1],
      isr: [1, 2],
      leader: 1,
      addingReplicas: [],
      removingReplicas: [],
    });
    expect(codeOf(() => md.alterPartitionReassignment('t', 0, [1, 9]))).toBe(
      ErrorCode.INVALID_REPLICA_ASSIGNMENT,
    );
    expect(codeOf(() => md.alterPartitionReassignment('t', 0, [2, 2]))).toBe(
      ErrorCode.INVALID_REPLICA_ASSIGNMENT,
    );
    expect(codeOf(() => md.alterPartitionReassignment('t', 0, []))).toBe(
      ErrorCode.INVALID_REPLICA_ASSIGNMENT,
    );
    expect(codeOf(() => md.alterPartitionReassignment('t', 5, [1]))).toBe(
      ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    );
  });
});
