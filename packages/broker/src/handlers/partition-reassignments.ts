/**
 * AlterPartitionReassignments and ListPartitionReassignments, answered by the controller as
 * Kafka's `ReplicationControlManager` does: each partition of an alter request starts, replaces
 * or (replicas null) cancels its reassignment; the list shows every partition being moved with
 * its replicas, adding replicas and removing replicas.
 */
import { ErrorCode } from '@tskafka/protocol';
import { Api } from '@tskafka/protocol/internals';
import { ApiError, errorCodeOf } from '../api-error.js';
import { defineHandler } from '../handler.js';

/** AlterPartitionReassignments handler. */
export const alterPartitionReassignmentsHandler = defineHandler({
  api: Api.AlterPartitionReassignments,
  minVersion: 0,
  maxVersion: 0,
  handle(ctx, req) {
    const metadata = ctx.node.metadata;
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      responses: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => {
          try {
            metadata.alterPartitionReassignment(t.name, p.partitionIndex, p.replicas);
            return { partitionIndex: p.partitionIndex, errorCode: ErrorCode.NONE, errorMessage: null };
          } catch (e) {
            if (!(e instanceof ApiError)) throw e;
            return { partitionIndex: p.partitionIndex, errorCode: errorCodeOf(e), errorMessage: e.message };
          }
        }),
      })),
    };
  },
  errorResponse(req, errorCode) {
    return {
      throttleTimeMs: 0,
      errorCode,
      errorMessage: null,
      responses: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({
          partitionIndex: p.partitionIndex,
          errorCode,
          errorMessage: null,
        })),
      })),
    };
  },
});

/** ListPartitionReassignments handler. */
export const listPartitionReassignmentsHandler = defineHandler({
  api: Api.ListPartitionReassignments,
  minVersion: 0,
  maxVersion: 0,
  handle(ctx, req) {
    const wanted =
      req.topics === null
        ? null
        : new Set(req.topics.flatMap((t) => t.partitionIndexes.map((p) => `${t.name}-${p}`)));
    const byTopic = new Map<
      string,
      { partitionIndex: number; replicas: number[]; addingReplicas: number[]; removingReplicas: number[] }[]
    >();
    for (const { topic, partition: p } of ctx.node.metadata.ongoingReassignments()) {
      if (wanted !== null && !wanted.has(`${topic.name}-${p.partition}`)) continue;
      const list = byTopic.get(topic.name) ?? [];
      list.push({
        partitionIndex: p.partition,
        replicas: [...p.replicas],
        addingReplicas: [...(p.addingReplicas ?? [])],
        removingReplicas: [...(p.removingReplicas ?? [])],
      });
      byTopic.set(topic.name, list);
    }
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      topics: [...byTopic].map(([name, partitions]) => ({ name, partitions })),
    };
  },
  errorResponse(_req, errorCode) {
    return { throttleTimeMs: 0, errorCode, errorMessage: null, topics: [] };
  },
});
