/**
 * OffsetDelete (KIP-496): deletes a group's committed offsets of partitions it does not consume;
 * partitions of topics its members subscribe to answer GROUP_SUBSCRIBED_TO_TOPIC.
 */

import { AclOperation, ErrorCode, ResourceType } from '@tskafka/protocol';
import { Api } from '@tskafka/protocol/internals';
import { authorize, checkGroup, withAuthorization } from '../auth/request-auth.js';
import { defineHandler } from '../handler.js';

/** OffsetDelete handler (v0). */
const offsetDeleteApi = defineHandler({
  api: Api.OffsetDelete,
  minVersion: 0,
  maxVersion: 0,
  handle(ctx, req) {
    const errors = new Map<string, Map<number, number>>();
    const set = (topic: string, partition: number, code: number) => {
      let byPartition = errors.get(topic);
      if (!byPartition) {
        byPartition = new Map();
        errors.set(topic, byPartition);
      }
      byPartition.set(partition, code);
    };
    const known: { topic: string; partition: number }[] = [];
    for (const t of req.topics) {
      const topic = ctx.node.metadata.topics.get(t.name);
      const allowed = authorize(ctx, AclOperation.READ, ResourceType.TOPIC, t.name);
      for (const p of t.partitions) {
        if (!allowed) set(t.name, p.partitionIndex, ErrorCode.TOPIC_AUTHORIZATION_FAILED);
        else if (!topic || p.partitionIndex < 0 || p.partitionIndex >= topic.partitions.length) {
          set(t.name, p.partitionIndex, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
        } else known.push({ topic: t.name, partition: p.partitionIndex });
      }
    }
    const r = ctx.node.groupCoordinator.offsets.deleteOffsets(req.groupId, known);
    if (r.errorCode !== 0) return { errorCode: r.errorCode, throttleTimeMs: 0, topics: [] };
    for (const p of r.partitions) set(p.topic, p.partition, p.errorCode);
    return {
      errorCode: 0,
      throttleTimeMs: 0,
      topics: [...errors].map(([name, byPartition]) => ({
        name,
        partitions: [...byPartition].map(([partitionIndex, errorCode]) => ({ partitionIndex, errorCode })),
      })),
    };
  },
  errorResponse(_req, errorCode) {
    return { errorCode, throttleTimeMs: 0, topics: [] };
  },
});

/** The OffsetDelete handler, refusing with GROUP_AUTHORIZATION_FAILED a principal without DELETE on the group. */
export const offsetDeleteHandler = withAuthorization(offsetDeleteApi, (ctx, req) =>
  checkGroup(ctx, AclOperation.DELETE, req.groupId),
);
