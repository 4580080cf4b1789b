/**
 * ListTransactions: the transactional ids this broker coordinates (an admin client asks every
 * broker), filtered by state, producer id and (v1) how long the transaction has been running.
 */
import { Api } from '@tskafka/protocol/internals';
import { defineHandler } from '../handler.js';

/** ListTransactions handler (v0-1). */
export const listTransactionsHandler = defineHandler({
  api: Api.ListTransactions,
  minVersion: 0,
  maxVersion: 1,
  handle(ctx, req) {
    return {
      throttleTimeMs: 0,
      ...ctx.node.txnCoordinator.handleListTransactions(
        req.stateFilters,
        req.producerIdFilters,
        ctx.apiVersion >= 1 ? req.durationFilter : -1,
      ),
    };
  },
  errorResponse(_req, errorCode) {
    return { throttleTimeMs: 0, errorCode, unknownStateFilters: [], transactionStates: [] };
  },
});
