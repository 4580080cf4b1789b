/** DescribeTransactions: the state of transactional ids this broker coordinates. */
import { AclOperation } from '@tskafka/protocol';
import { Api } from '@tskafka/protocol/internals';
import { checkTransactionalId } from '../auth/request-auth.js';
import { defineHandler } from '../handler.js';
import { undescribedTransaction } from '../txn/coordinator.js';

/** DescribeTransactions handler (v0). */
export const describeTransactionsHandler = defineHandler({
  api: Api.DescribeTransactions,
  minVersion: 0,
  maxVersion: 0,
  handle(ctx, req) {
    return {
      throttleTimeMs: 0,
      transactionStates: req.transactionalIds.map((id) => {
        const denied = checkTransactionalId(ctx, AclOperation.DESCRIBE, id);
        return denied !== null
          ? undescribedTransaction(id, denied)
          : ctx.node.txnCoordinator.handleDescribeTransaction(id);
      }),
    };
  },
  errorResponse(req, errorCode) {
    return {
      throttleTimeMs: 0,
      transactionStates: req.transactionalIds.map((id) => undescribedTransaction(id, errorCode)),
    };
  },
});
