/**
 * ListTransactions: the transactional ids this broker coordinates (an admin client asks every
 * broker), filtered by state, producer id and (v1) how long the transaction has been running.
 */
import { AclOperation, ResourceType } from '@tskafka/protocol';
import { Api } from '@tskafka/protocol/internals';
import { authorize } from '../auth/request-auth.js';
import { defineHandler } from '../handler.js';

/** ListTransactions handler (v0-1). */
export const listTransactionsHandler = defineHandler({
  api: Api.ListTransactions,
  minVersion: 0,
  maxVersion: 1,
  handle(ctx, req) {
    const listed = ctx.node.txnCoordinator.handleListTransactions(
      req.stateFilters,
      req.producerIdFilters,
      ctx.apiVersion >= 1 ? req.durationFilter : -1,
    );
    // Only the transactional ids the principal may describe are listed.
    const transactionStates = listed.transactionStates.filter((t) =>
      authorize(ctx, AclOperation.DESCRIBE, ResourceType.TRANSACTIONAL_ID, t.transactionalId),
    );
    return { throttleTimeMs: 0, ...listed, transactionStates };
  },
  errorResponse(_req, errorCode) {
    return { throttleTimeMs: 0, errorCode, unknownStateFilters: [], transactionStates: [] };
  },
});
