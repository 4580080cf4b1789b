/**
 * The plumbing behind the producer's transactional methods: the check each one makes before it
 * starts, and the abort of a transaction still open when the producer closes.
 *
 * @module
 */
import type { Logger } from '@tskafka/transport';
import { ProducerClosedError, TransactionStateError } from './errors.js';
import { ProducerState } from './producer-options.js';
import type { SenderLoop } from './sender-loop.js';
import { type TransactionalResult, TransactionState } from './transaction-state.js';
import type { TransactionManager } from './transactions.js';

/**
 * The transaction manager, for `operation`; throws if the producer has no `transactionalId` or
 * is closing.
 */
export function requireTransactions(
  transactions: TransactionManager | null,
  state: ProducerState,
  operation: string,
): TransactionManager {
  if (transactions === null) {
    throw new TransactionStateError(
      operation,
      'NotTransactional',
      'the producer has no transactional.id (set transactionalId to use transactions)',
    );
  }
  if (state === ProducerState.Closing || state === ProducerState.Closed) {
    throw new ProducerClosedError(`cannot call ${operation} after the producer is closed`);
  }
  return transactions;
}

/**
 * close(): an open transaction is aborted first, as Java's sender does on shutdown, waiting up to
 * `timeoutMs`; a failure (or running out of time) is logged at warn with its cause, not thrown. Nothing to abort if the sender `loop` never
 * started.
 */
export async function abortOnClose(
  txn: TransactionManager | null,
  loop: SenderLoop | null,
  timeoutMs: number,
  logger: Logger,
): Promise<void> {
  if (txn === null || loop === null || !txn.hasOngoingTransaction) return;
  let result: TransactionalResult;
  try {
    result =
      txn.state === TransactionState.InTransaction || txn.state === TransactionState.AbortableError
        ? txn.beginAbort()
        : (txn.pendingResult() ?? txn.beginAbort());
  } catch (e) {
    // The transaction is in a state that cannot abort (e.g. a fatal error): its records are failed
    // by the close; say so rather than drop the reason.
    logger.warn('could not abort the open transaction on close', { error: e as Error });
    return;
  }
  loop.wakeup();
  try {
    await txn.awaitResult(result, timeoutMs, 'abortTransaction() on close');
  } catch (e) {
    logger.warn('could not abort the open transaction on close', { error: e as Error });
  }
}
