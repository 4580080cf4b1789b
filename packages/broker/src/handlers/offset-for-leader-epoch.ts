/**
 * OffsetForLeaderEpoch: the end offset of a leader epoch in a partition's log, from its leader
 * epoch cache. Consumers (KIP-320) ask it after a leader change to check that their position was
 * not truncated away; followers used it before Fetch carried `lastFetchedEpoch`. As Kafka, only
 * the leader answers, for consumers and replicas alike; a partition this broker does not host is
 * NOT_LEADER_OR_FOLLOWER when it exists elsewhere, else UNKNOWN_TOPIC_OR_PARTITION.
 */

import { AclOperation, ErrorCode, ResourceType } from '@tskafka/protocol';
import { Api } from '@tskafka/protocol/internals';
import { ApiError, errorCodeOf } from '../api-error.js';
import { authorize, notAuthorized } from '../auth/request-auth.js';
import { defineHandler, type RequestContext } from '../handler.js';

/** One partition's answer. */
function endOffset(
  ctx: RequestContext,
  topic: string,
  p: { partition: number; currentLeaderEpoch: number; leaderEpoch: number },
) {
  try {
    if (!authorize(ctx, AclOperation.DESCRIBE, ResourceType.TOPIC, topic)) throw notAuthorized(topic);
    const part = ctx.node.replicaManager.getPartition(topic, p.partition);
    if (!part) {
      const exists = ctx.node.metadata.topics.get(topic)?.partitions[p.partition] !== undefined;
      throw new ApiError(
        exists ? ErrorCode.NOT_LEADER_OR_FOLLOWER : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
        `This server does not host ${topic}-${p.partition}`,
      );
    }
    const found = part.lastOffsetForLeaderEpoch(p.currentLeaderEpoch, p.leaderEpoch);
    return { errorCode: 0, partition: p.partition, ...found };
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    return { errorCode: errorCodeOf(e), partition: p.partition, leaderEpoch: -1, endOffset: -1 };
  }
}

/** OffsetForLeaderEpoch handler. */
export const offsetForLeaderEpochHandler = defineHandler({
  api: Api.OffsetForLeaderEpoch,
  minVersion: 0,
  maxVersion: 4,
  handle(ctx, req) {
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        topic: t.topic,
        partitions: t.partitions.map((p) => endOffset(ctx, t.topic, p)),
      })),
    };
  },
  errorResponse(req, errorCode) {
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        topic: t.topic,
        partitions: t.partitions.map((p) => ({
          errorCode,
          partition: p.partition,
          leaderEpoch: -1,
          endOffset: -1,
        })),
      })),
    };
  },
});
