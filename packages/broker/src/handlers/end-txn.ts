/**
 * EndTxn: commit or abort the producer's open transaction. Answered once PrepareCommit/PrepareAbort
 * is in `__transaction_state`; the coordinator then writes the markers. v5 (a new epoch per
 * transaction, KIP-890 part 2) is not served.
 */
import { AclOperation } from '@tskafka/protocol';
import { Api } from '@tskafka/protocol/internals';
import { checkTransactionalId, withAuthorization } from '../auth/request-auth.js';
import { defineHandler } from '../handler.js';
import { afterTxnStateReplicated, fencedForVersion } from './txn-errors.js';

/** EndTxn handler (v0-4). */
const endTxnApi = defineHandler({
  api: Api.EndTxn,
  minVersion: 0,
  maxVersion: 4,
  async handle(ctx, req) {
    const errorCode = await afterTxnStateReplicated(
      ctx,
      req.transactionalId,
      ctx.node.txnCoordinator.handleEndTransaction(
        req.transactionalId,
        req.producerId,
        req.producerEpoch,
        req.committed,
      ),
    );
    return { throttleTimeMs: 0, errorCode: fencedForVersion(errorCode, ctx.apiVersion, 2) };
  },
  errorResponse(_req, errorCode) {
    return { throttleTimeMs: 0, errorCode };
  },
});

/** The EndTxn handler, refusing with TRANSACTIONAL_ID_AUTHORIZATION_FAILED a principal without WRITE on the transactional id. */
export const endTxnHandler = withAuthorization(endTxnApi, (ctx, req) =>
  checkTransactionalId(ctx, AclOperation.WRITE, req.transactionalId),
);
