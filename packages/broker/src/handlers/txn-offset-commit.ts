/**
 * TxnOffsetCommit: a transactional producer commits a consumer group's offsets inside its
 * transaction (`sendOffsetsToTransaction`). The group coordinator writes them to
 * `__consumer_offsets` as records of that producer's transaction; they become the group's
 * committed offsets only when the COMMIT marker reaches that partition (dropped on ABORT).
 * Partitions of unknown topics are refused with UNKNOWN_TOPIC_OR_PARTITION before the
 * coordinator sees them, as Kafka's request handler does.
 */
import { Api, ErrorCode } from '@tskafka/protocol';
import type { OffsetCommitEntry } from '../group/offset-ops.js';
import { defineHandler } from '../handler.js';

/** TxnOffsetCommit handler (v0-4; v3 adds the member id, generation and instance id). */
export const txnOffsetCommitHandler = defineHandler({
  api: Api.TxnOffsetCommit,
  minVersion: 0,
  maxVersion: 4,
  handle(ctx, req) {
    const coordinator = ctx.node.groupCoordinator;
    const now = coordinator.clock.now();
    const errors: number[][] = [];
    const entries: OffsetCommitEntry[] = [];
    const slots: [number, number][] = [];
    for (const [ti, topic] of req.topics.entries()) {
      const known = ctx.node.metadata.topics.get(topic.name);
      errors.push(topic.partitions.map(() => ErrorCode.UNKNOWN_TOPIC_OR_PARTITION));
      for (const [pi, p] of topic.partitions.entries()) {
        if (!known || p.partitionIndex < 0 || p.partitionIndex >= known.partitions.length) continue;
        slots.push([ti, pi]);
        entries.push({
          topic: topic.name,
          partition: p.partitionIndex,
          offset: {
            offset: p.committedOffset,
            leaderEpoch: p.committedLeaderEpoch,
            metadata: p.committedMetadata ?? '',
            commitTimestamp: now,
            expireTimestamp: null,
          },
        });
      }
    }
    if (entries.length > 0) {
      const results = coordinator.offsets.commitTxnOffsets({
        groupId: req.groupId,
        producerId: req.producerId,
        producerEpoch: req.producerEpoch,
        memberId: req.memberId,
        groupInstanceId: req.groupInstanceId,
        generationId: req.generationId,
        offsets: entries,
      });
      for (const [i, [ti, pi]] of slots.entries()) errors[ti][pi] = results[i];
    }
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t, ti) => ({
        name: t.name,
        partitions: t.partitions.map((p, pi) => ({
          partitionIndex: p.partitionIndex,
          errorCode: errors[ti][pi],
        })),
      })),
    };
  },
  errorResponse(req, errorCode) {
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })),
      })),
    };
  },
});
