/**
 * The transaction coordinator's requests of the {@link TransactionManager}, each built and its
 * response handled in one place: InitProducerId (first, and the epoch bump after an abort,
 * KIP-360), AddPartitionsToTxn (with the partitions waiting to join the transaction) and EndTxn.
 * The offsets' requests are in `transaction-offsets.ts`, FindCoordinator in `transaction-queue.ts`.
 *
 * Handlers change the manager only through a {@link TxnContext}.
 *
 * @module
 */
import { createKafkaError } from '@tskafka/protocol';
import type { IdempotenceManager } from './idempotence.js';
import type { PartitionQueue } from './producer-batch.js';
import type { TxnErrorHandler, TxnRequestQueue } from './transaction-queue.js';
import type { TransactionCoordinatorKey, TxnPartitionResult } from './transaction-requests.js';
import { type TransactionalResult, TxnErrorAction, txnErrorAction } from './transaction-state.js';

/** @internal What a response handler may see and do of its {@link TransactionManager}. */
export interface TxnContext {
  /** `transactional.id`. */
  readonly transactionalId: string;
  /** `transaction.timeout.ms`. */
  readonly transactionTimeoutMs: number;
  /** `retry.backoff.ms`. */
  readonly retryBackoffMs: number;
  /** The producer id, epoch and sequences. */
  readonly idempotence: IdempotenceManager;
  /** The requests and coordinators. */
  readonly requests: TxnRequestQueue;
  /** The partitions of the transaction. */
  readonly partitions: TransactionPartitions;
  /** An error code in a coordinator's response: retry, look up, abort or fail, by the code. */
  readonly handleError: TxnErrorHandler;
  /** The transaction cannot commit (`bumpEpoch`: and the epoch must be bumped after the abort). */
  abortableError(error: Error, bumpEpoch: boolean, fromBatch: boolean): void;
  /** A partition or offsets joined the transaction: EndTxn has something to end. */
  transactionStarted(): void;
  /** InitProducerId succeeded (`isBump`: after an abort) and settles `result`. */
  producerIdReady(isBump: boolean, result: TransactionalResult): void;
  /** EndTxn succeeded: the transaction is done (after an epoch bump if one is needed). */
  completeTransaction(result: TransactionalResult | null): void;
}

/** The partitions of the open transaction, by how far they are in joining it. */
export class TransactionPartitions {
  /** With a batch, not yet in an AddPartitionsToTxn. */
  readonly added = new Set<PartitionQueue>();
  /** In an AddPartitionsToTxn without a response yet. */
  readonly pending = new Set<PartitionQueue>();
  /** In the transaction: their batches may be drained. */
  readonly inTransaction = new Set<PartitionQueue>();

  /** `q` opened a batch: it joins the transaction unless it is in or on its way. */
  maybeAdd(q: PartitionQueue): void {
    if (q.inTransaction || this.added.has(q) || this.pending.has(q)) return;
    this.added.add(q);
  }

  /** The transaction ended: no partition is in the next one yet. */
  reset(): void {
    for (const q of this.inTransaction) q.inTransaction = false;
    this.inTransaction.clear();
    this.added.clear();
    this.pending.clear();
  }
}

/** The producer's fields of every request to the transaction coordinator. */
export function producerFields(ctx: TxnContext): {
  transactionalId: string;
  producerId: number;
  producerEpoch: number;
} {
  return {
    transactionalId: ctx.transactionalId,
    producerId: ctx.idempotence.producerId,
    producerEpoch: ctx.idempotence.producerEpoch,
  };
}

/** The transaction coordinator's key of this producer. */
export function transactionCoordinator(ctx: TxnContext): TransactionCoordinatorKey {
  return { type: 'transaction', key: ctx.transactionalId };
}

/**
 * Queues InitProducerId: with -1/-1 for `initTransactions()`, with the current id and epoch to
 * bump the epoch after an abort (KIP-360).
 */
export function enqueueInitProducerId(
  ctx: TxnContext,
  producerId: number,
  producerEpoch: number,
  result: TransactionalResult,
): void {
  const op = producerId < 0 ? 'initTransactions()' : 'abortTransaction()';
  const isBump = producerId >= 0;
  ctx.requests.enqueue(
    {
      api: 'InitProducerId',
      coordinator: transactionCoordinator(ctx),
      body: {
        transactionalId: ctx.transactionalId,
        transactionTimeoutMs: ctx.transactionTimeoutMs,
        producerId,
        producerEpoch,
      },
    },
    result,
    op,
    (res, now, self) => {
      const code = res.errorCode;
      if (code === 0) {
        ctx.idempotence.completeProducerIdRequest({
          producerId: res.producerId,
          producerEpoch: res.producerEpoch,
        });
        ctx.producerIdReady(isBump, result);
        return;
      }
      ctx.handleError(self, code, createKafkaError(code, { apiName: 'InitProducerId' }), now);
    },
  );
}

/**
 * Queues AddPartitionsToTxn for the partitions that opened a batch since the last one; once it
 * succeeds their batches may be drained. A partition the coordinator refuses makes the error
 * abortable.
 */
export function enqueueAddPartitions(ctx: TxnContext): void {
  const parts = ctx.partitions;
  const byTopic = new Map<string, number[]>();
  for (const q of parts.added) {
    parts.pending.add(q);
    let list = byTopic.get(q.topic);
    if (list === undefined) {
      list = [];
      byTopic.set(q.topic, list);
    }
    list.push(q.partition);
  }
  const added = [...parts.added];
  parts.added.clear();
  ctx.requests.enqueue(
    {
      api: 'AddPartitionsToTxn',
      coordinator: transactionCoordinator(ctx),
      body: {
        ...producerFields(ctx),
        topics: Array.from(byTopic, ([name, partitions]) => ({ name, partitions })),
      },
    },
    null,
    'send()',
    (res, now, self) => {
      const failed: TxnPartitionResult[] = [];
      for (const r of res.results) {
        const code = r.errorCode;
        if (code === 0) continue;
        const action = txnErrorAction('AddPartitionsToTxn', code);
        if (action === TxnErrorAction.Skip) continue;
        if (action === TxnErrorAction.Abortable) {
          failed.push(r);
          continue;
        }
        const error = createKafkaError(code, {
          apiName: 'AddPartitionsToTxn',
          topic: r.topic,
          partition: r.partition,
        });
        ctx.handleError(self, code, error, now);
        return;
      }
      for (const q of added) parts.pending.delete(q);
      if (failed.length > 0) {
        const first = failed[0];
        const error = createKafkaError(first.errorCode, {
          apiName: 'AddPartitionsToTxn',
          topic: first.topic,
          partition: first.partition,
          message: `could not add ${failed.map((f) => `${f.topic}-${f.partition}`).join(', ')} to the transaction`,
        });
        ctx.abortableError(error, false, false);
        return;
      }
      for (const q of added) {
        q.inTransaction = true;
        parts.inTransaction.add(q);
      }
      ctx.transactionStarted();
    },
  );
}

/** Queues EndTxn (commit or abort); it waits in the queue until every record is done. */
export function enqueueEndTxn(
  ctx: TxnContext,
  commit: boolean,
  result: TransactionalResult,
  op: string,
): void {
  ctx.requests.enqueue(
    {
      api: 'EndTxn',
      coordinator: transactionCoordinator(ctx),
      body: { ...producerFields(ctx), committed: commit },
    },
    result,
    op,
    (res, now, self) => {
      const code = res.errorCode;
      if (code === 0) ctx.completeTransaction(result);
      else ctx.handleError(self, code, createKafkaError(code, { apiName: 'EndTxn' }), now);
    },
  );
}
