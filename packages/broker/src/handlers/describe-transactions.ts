/** DescribeTransactions: the state of transactional ids this broker coordinates. */
import { Api } from '@tskafka/protocol/internals';
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
      transactionStates: req.transactionalIds.map((id) =>
        ctx.node.txnCoordinator.handleDescribeTransaction(id),
      ),
    };
  },
  errorResponse(req, errorCode) {
    return {
      throttleTimeMs: 0,
      transactionStates: req.transactionalIds.map((id) => undescribedTransaction(id, errorCode)),
    };
  },
});
