/**
 * OffsetCommit: members of the current generation commit their positions; consumers without
 * group management (`assign()`) commit with generation -1 to an empty group. Offsets are written
 * to `__consumer_offsets` before the answer. Partitions of unknown topics are refused with
 * UNKNOWN_TOPIC_OR_PARTITION before the coordinator sees them, as Kafka's request handler does.
 */
import { Api, ErrorCode } from '@tskafka/protocol';
import type { OffsetCommitEntry } from '../group/offset-ops.js';
import { defineHandler } from '../handler.js';

/** OffsetCommit handler (v0-9; v0/v1 are deprecated in Kafka but still served). */
export const offsetCommitHandler = defineHandler({
  api: Api.OffsetCommit,
  minVersion: 0,
  maxVersion: 9,
  handle(ctx, req) {
    const v = ctx.apiVersion;
    const coordinator = ctx.node.groupCoordinator;
    const now = coordinator.clock.now();
    // v2-4 may ask for a retention time; v5+ always use the broker's offsets.retention.
    const expireTimestamp = v >= 2 && v <= 4 && req.retentionTimeMs !== -1 ? now + req.retentionTimeMs : null;
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
            // Only v1 carries a commit timestamp; -1 means "now".
            commitTimestamp: v === 1 && p.commitTimestamp !== -1 ? p.commitTimestamp : now,
            expireTimestamp,
          },
        });
      }
    }
    if (entries.length > 0) {
      const results = coordinator.offsets.commitOffsets({
        groupId: req.groupId,
        memberId: req.memberId,
        groupInstanceId: req.groupInstanceId,
        generationId: req.generationIdOrMemberEpoch,
        apiVersion: v,
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
      topics: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })),
      })),
    };
  },
});
