/**
 * TxnOffsetCommit: a transactional producer commits a consumer group's offsets inside its
 * transaction (`sendOffsetsToTransaction`). The group coordinator writes them to
 * `__consumer_offsets` as records of that producer's transaction; they become the group's
 * committed offsets only when the COMMIT marker reaches that partition (dropped on ABORT).
 * Partitions of unknown topics are refused before the coordinator sees them (see
 * {@link commitKnownPartitions}).
 */
import { AclOperation, ResourceType } from '@tskafka/protocol';
import { Api } from '@tskafka/protocol/internals';
import { authorize, checkGroup, checkTransactionalId, withAuthorization } from '../auth/request-auth.js';
import { defineHandler } from '../handler.js';
import { allPartitionsFailed, commitKnownPartitions } from './offset-commit-entries.js';

/** TxnOffsetCommit handler (v0-4; v3 adds the member id, generation and instance id). */
const txnOffsetCommitApi = defineHandler({
  api: Api.TxnOffsetCommit,
  minVersion: 0,
  maxVersion: 4,
  async handle(ctx, req) {
    const coordinator = ctx.node.groupCoordinator;
    const now = coordinator.clock.now();
    const topics = await commitKnownPartitions(
      ctx.node.metadata,
      req.topics,
      (p) => ({
        offset: p.committedOffset,
        leaderEpoch: p.committedLeaderEpoch,
        metadata: p.committedMetadata ?? '',
        commitTimestamp: now,
        expireTimestamp: null,
      }),
      (offsets) =>
        coordinator.offsets.commitTxnOffsets({
          groupId: req.groupId,
          producerId: req.producerId,
          producerEpoch: req.producerEpoch,
          memberId: req.memberId,
          groupInstanceId: req.groupInstanceId,
          generationId: req.generationId,
          offsets,
        }),
      (topic) => authorize(ctx, AclOperation.READ, ResourceType.TOPIC, topic),
    );
    return { throttleTimeMs: 0, topics };
  },
  errorResponse(req, errorCode) {
    return { throttleTimeMs: 0, topics: allPartitionsFailed(req.topics, errorCode) };
  },
});

/** The TxnOffsetCommit handler, refusing a principal without WRITE on the transactional id (TRANSACTIONAL_ID_AUTHORIZATION_FAILED) or READ on the group (GROUP_AUTHORIZATION_FAILED). */
export const txnOffsetCommitHandler = withAuthorization(
  txnOffsetCommitApi,
  (ctx, req) =>
    checkTransactionalId(ctx, AclOperation.WRITE, req.transactionalId) ??
    checkGroup(ctx, AclOperation.READ, req.groupId),
);
