/**
 * AddOffsetsToTxn: a transactional producer is about to commit a group's offsets
 * (sendOffsetsToTransaction); the group's `__consumer_offsets` partition joins the transaction so it
 * gets the marker that makes those offsets visible (or drops them).
 */
import { AclOperation } from '@tskafka/protocol';
import { Api } from '@tskafka/protocol/internals';
import { checkGroup, checkTransactionalId, withAuthorization } from '../auth/request-auth.js';
import { GROUP_METADATA_TOPIC_NAME } from '../group/store.js';
import { defineHandler } from '../handler.js';
import { afterTxnStateReplicated, fencedForVersion } from './txn-errors.js';

/** AddOffsetsToTxn handler (v0-4). */
const addOffsetsToTxnApi = defineHandler({
  api: Api.AddOffsetsToTxn,
  minVersion: 0,
  maxVersion: 4,
  async handle(ctx, req) {
    const partition = ctx.node.groupCoordinator.groupManager.partitionFor(req.groupId);
    const errorCode = await afterTxnStateReplicated(
      ctx,
      req.transactionalId,
      ctx.node.txnCoordinator.handleAddPartitionsToTransaction(
        req.transactionalId,
        req.producerId,
        req.producerEpoch,
        [{ topic: GROUP_METADATA_TOPIC_NAME, partition }],
      ),
    );
    return { throttleTimeMs: 0, errorCode: fencedForVersion(errorCode, ctx.apiVersion, 2) };
  },
  errorResponse(_req, errorCode) {
    return { throttleTimeMs: 0, errorCode };
  },
});

/** The AddOffsetsToTxn handler, refusing a principal without WRITE on the transactional id (TRANSACTIONAL_ID_AUTHORIZATION_FAILED) or READ on the group (GROUP_AUTHORIZATION_FAILED). */
export const addOffsetsToTxnHandler = withAuthorization(
  addOffsetsToTxnApi,
  (ctx, req) =>
    checkTransactionalId(ctx, AclOperation.WRITE, req.transactionalId) ??
    checkGroup(ctx, AclOperation.READ, req.groupId),
);
