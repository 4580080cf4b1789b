/**
 * OffsetCommit: members of the current generation commit their positions; consumers without
 * group management (`assign()`) commit with generation -1 to an empty group. The answer waits
 * until the offsets are written to `__consumer_offsets` and replicated to its ISR. Partitions of unknown topics are refused with
 * UNKNOWN_TOPIC_OR_PARTITION before the coordinator sees them, as Kafka's request handler does.
 */
import { AclOperation, ResourceType } from '@tskafka/protocol';
import { Api } from '@tskafka/protocol/internals';
import { authorize, checkGroup, withAuthorization } from '../auth/request-auth.js';
import { defineHandler } from '../handler.js';
import { allPartitionsFailed, commitKnownPartitions } from './offset-commit-entries.js';

/** OffsetCommit handler (v0-9; v0/v1 are deprecated in Kafka but still served). */
const offsetCommitApi = defineHandler({
  api: Api.OffsetCommit,
  minVersion: 0,
  maxVersion: 9,
  async handle(ctx, req) {
    const v = ctx.apiVersion;
    const coordinator = ctx.node.groupCoordinator;
    const now = coordinator.clock.now();
    // v2-4 may ask for a retention time; v5+ always use the broker's offsets.retention.
    const expireTimestamp = v >= 2 && v <= 4 && req.retentionTimeMs !== -1 ? now + req.retentionTimeMs : null;
    const topics = await commitKnownPartitions(
      ctx.node.metadata,
      req.topics,
      (p) => ({
        offset: p.committedOffset,
        leaderEpoch: p.committedLeaderEpoch,
        metadata: p.committedMetadata ?? '',
        // Only v1 carries a commit timestamp; -1 means "now".
        commitTimestamp: v === 1 && p.commitTimestamp !== -1 ? p.commitTimestamp : now,
        expireTimestamp,
      }),
      (offsets) =>
        coordinator.offsets.commitOffsets({
          groupId: req.groupId,
          memberId: req.memberId,
          groupInstanceId: req.groupInstanceId,
          generationId: req.generationIdOrMemberEpoch,
          apiVersion: v,
          offsets,
        }),
      (topic) => authorize(ctx, AclOperation.READ, ResourceType.TOPIC, topic),
    );
    return { throttleTimeMs: 0, topics };
  },
  errorResponse(req, errorCode) {
    return { topics: allPartitionsFailed(req.topics, errorCode) };
  },
});

/** The OffsetCommit handler, refusing with GROUP_AUTHORIZATION_FAILED a principal without READ on the group. */
export const offsetCommitHandler = withAuthorization(offsetCommitApi, (ctx, req) =>
  checkGroup(ctx, AclOperation.READ, req.groupId),
);
