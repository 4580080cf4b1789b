/**
 * Partition reassignments (AlterPartitionReassignments and ListPartitionReassignments, to the
 * controller): Kafka's `Admin.alterPartitionReassignments` and `listPartitionReassignments`, what
 * `kafka-reassign-partitions.sh` runs.
 *
 * @module
 */

import { createKafkaError, ErrorCode } from '@tskafka/protocol';
import { Api } from '@tskafka/protocol/internals';
import { type AdminContext, groupBy, requestController, requestTimeoutFor, retryCall } from './requests.js';
import type {
  AdminTopicPartition,
  NewPartitionReassignment,
  PartitionReassignment,
  PartitionReassignmentResult,
} from './types.js';

/** Starts, replaces or cancels the reassignment of each partition; one result per partition. */
export async function alterPartitionReassignments(
  ctx: AdminContext,
  reassignments: readonly NewPartitionReassignment[],
  timeoutMs: number,
): Promise<PartitionReassignmentResult[]> {
  const res = await retryCall(ctx, async () => {
    const r = await requestController(
      ctx.cluster,
      Api.AlterPartitionReassignments,
      {
        timeoutMs,
        topics: [...groupBy(reassignments, (p) => p.topic)].map(([name, ps]) => ({
          name,
          partitions: ps.map((p) => ({
            partitionIndex: p.partition,
            replicas: p.targetReplicas === null ? null : [...p.targetReplicas],
          })),
        })),
      },
      requestTimeoutFor(ctx.cluster, timeoutMs),
    );
    if (r.errorCode !== ErrorCode.NONE) {
      throw createKafkaError(r.errorCode, {
        apiName: 'AlterPartitionReassignments',
        message: r.errorMessage ?? undefined,
      });
    }
    return r;
  });
  return res.responses.flatMap((t) =>
    t.partitions.map(
      (p): PartitionReassignmentResult => ({
        topic: t.name,
        partition: p.partitionIndex,
        error:
          p.errorCode === ErrorCode.NONE
            ? null
            : createKafkaError(p.errorCode, {
                apiName: 'AlterPartitionReassignments',
                topic: t.name,
                partition: p.partitionIndex,
                message: p.errorMessage ?? undefined,
              }),
      }),
    ),
  );
}

/** The ongoing reassignments of `partitions` (all when null), sorted by topic and partition. */
export async function listPartitionReassignments(
  ctx: AdminContext,
  partitions: readonly AdminTopicPartition[] | null,
  timeoutMs: number,
): Promise<PartitionReassignment[]> {
  const res = await retryCall(ctx, async () => {
    const r = await requestController(
      ctx.cluster,
      Api.ListPartitionReassignments,
      {
        timeoutMs,
        topics:
          partitions === null
            ? null
            : [...groupBy(partitions, (p) => p.topic)].map(([name, ps]) => ({
                name,
                partitionIndexes: ps.map((p) => p.partition),
              })),
      },
      requestTimeoutFor(ctx.cluster, timeoutMs),
    );
    if (r.errorCode !== ErrorCode.NONE) {
      throw createKafkaError(r.errorCode, {
        apiName: 'ListPartitionReassignments',
        message: r.errorMessage ?? undefined,
      });
    }
    return r;
  });
  const out = res.topics.flatMap((t) =>
    t.partitions.map(
      (p): PartitionReassignment => ({
        topic: t.name,
        partition: p.partitionIndex,
        replicas: p.replicas,
        addingReplicas: p.addingReplicas,
        removingReplicas: p.removingReplicas,
      }),
    ),
  );
  return out.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
}
