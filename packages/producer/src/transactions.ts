/**
 * The transactional producer's state machine (the transactional half of Java's
 * `TransactionManager`), without I/O: the producer's calls move it between states and queue
 * requests; the sender asks it each round for the next request ({@link TransactionManager.poll})
 * and feeds back the response. One request is in flight at a time, taken from a queue ordered as
 * Java orders it: FindCoordinator, then InitProducerId, then AddPartitionsToTxn / AddOffsetsToTxn /
 * TxnOffsetCommit, then EndTxn.
 *
 * ```
 *  Uninitialized ─initTransactions─▶ Initializing ─InitProducerId─▶ Ready ◀──────────────┐
 *                                        ▲                           │ beginTransaction │
 *                     (epoch bump after  │                           ▼                  │ EndTxn
 *                      an abort, KIP-360)│                     InTransaction ─commit─▶ CommittingTransaction
 *                                        │                        │      │                 │
 *                                 AbortingTransaction ◀──abort────┘      │ abortable error │
 *                                        ▲                               ▼                 │
 *                                        └──────────abort────────── AbortableError ◀───────┘
 *   any ── fatal error (fenced, not authorized, ...) ──▶ FatalError: every call rejects with it
 * ```
 *
 * Rules, as Java's:
 * - a batch of a partition is drained only once AddPartitionsToTxn added the partition; new
 *   partitions are added in one request, before EndTxn;
 * - EndTxn waits until every record of the transaction is done (the producer flushes first);
 *   with nothing added to the transaction it is not sent at all;
 * - NOT_COORDINATOR / COORDINATOR_NOT_AVAILABLE look the coordinator up again and retry;
 *   COORDINATOR_LOAD_IN_PROGRESS, CONCURRENT_TRANSACTIONS and lost connections retry, each after
 *   `retry.backoff.ms`, inside the call;
 * - a record that fails, offsets the group refuses, UNKNOWN_PRODUCER_ID, ... make the error
 *   abortable: undrained records are dropped, only `abortTransaction()` is allowed, and after the
 *   abort the epoch is bumped (InitProducerId with the current id and epoch, KIP-360) so the
 *   producer goes on with fresh sequences;
 * - PRODUCER_FENCED (and INVALID_PRODUCER_EPOCH from the coordinator), authorization failures,
 *   INVALID_TXN_STATE, unexpected errors are fatal: every later call rejects with the error, and
 *   the producer must be closed.
 *
 * The request queue and coordinator lookup are in `transaction-queue.ts`; each request to the
 * transaction coordinator is built and its response handled in `transaction-handlers.ts`, the
 * offsets' requests in `transaction-offsets.ts`; which errors are fatal to the producer in
 * `transaction-state.ts`.
 *
 * @module
 */
import { InvalidProducerIdMappingError, KafkaClientError, type KafkaError } from '@tskafka/protocol';
import { type ConsumerGroupMetadata, isRetriableError } from '@tskafka/transport';
import type { RecordAccumulator } from './accumulator.js';
import { systemTimerClock, type TimerClock } from './buffer-pool.js';
import {
  AbortableTransactionError,
  ProducerError,
  TransactionAbortedError,
  TransactionStateError,
} from './errors.js';
import type { IdempotenceManager } from './idempotence.js';
import type { ProducerBatch } from './producer-batch.js';
import {
  enqueueAddPartitions,
  enqueueEndTxn,
  enqueueInitProducerId,
  TransactionPartitions,
  type TxnContext,
} from './transaction-handlers.js';
import { enqueueAddOffsets } from './transaction-offsets.js';
import { TxnRequestQueue } from './transaction-queue.js';
import { offsetsByTopic, type TransactionOffsets, type TransactionResponse } from './transaction-requests.js';
import {
  fencedError,
  isFatalBatchError,
  stateAdvice,
  TransactionalResult,
  type TransactionInFlight,
  type TransactionPlan,
  TransactionState,
  TxnErrorAction,
  type TxnHandler,
  txnErrorAction,
} from './transaction-state.js';

/** Options of {@link TransactionManager}. */
export interface TransactionManagerOptions {
  /** `transactional.id`. */
  transactionalId: string;
  /** `transaction.timeout.ms`, sent with InitProducerId. Default 60000. */
  transactionTimeoutMs?: number;
  /** `retry.backoff.ms` between attempts of a request. Default 100. */
  retryBackoffMs?: number;
  /** The accumulator whose batches belong to the transactions. */
  accumulator: RecordAccumulator;
  /** The producer id, epoch and sequences (created with `transactional: true`). */
  idempotence: IdempotenceManager;
  /** Time and timers (for {@link TransactionManager.awaitResult}). Default the system clock. */
  clock?: TimerClock;
}

/** The transactional producer's state machine; see the module comment. */
export class TransactionManager {
  /** `transactional.id`. */
  readonly transactionalId: string;
  /** `transaction.timeout.ms`. */
  readonly transactionTimeoutMs: number;
  /** The error that moved the manager to `AbortableError` or `FatalError`, else null. */
  lastError: Error | null = null;
  /** Incremented by each `beginTransaction()`: sends made in one transaction never land in another. */
  generation = 0;
  /** Whether records not yet in the accumulator (waiting for topic metadata) are still to come. */
  hasPendingAppends: () => boolean = () => false;
  /** Called after every state change (the producer opens and closes its send path). */
  onStateChange: (state: TransactionState) => void = () => {};
  private _state: TransactionState = TransactionState.Uninitialized;
  private readonly retryBackoffMs: number;
  private readonly accumulator: RecordAccumulator;
  private readonly idempotence: IdempotenceManager;
  private readonly clock: TimerClock;
  private readonly requests = new TxnRequestQueue();
  private readonly parts = new TransactionPartitions();
  private readonly ctx: TxnContext;
  private transactionStarted = false;
  private epochBumpRequired = false;
  private pendingTransition: { operation: string; result: TransactionalResult } | null = null;

  /** A manager in state `Uninitialized`; see {@link TransactionManagerOptions}. */
  constructor(options: TransactionManagerOptions) {
    this.transactionalId = options.transactionalId;
    this.transactionTimeoutMs = options.transactionTimeoutMs ?? 60000;
    this.retryBackoffMs = options.retryBackoffMs ?? 100;
    this.accumulator = options.accumulator;
    this.idempotence = options.idempotence;
    this.clock = options.clock ?? systemTimerClock;
    if (!this.idempotence.transactional) {
      throw new RangeError('a transactional producer needs an IdempotenceManager with transactional: true');
    }
    this.ctx = {
      transactionalId: this.transactionalId,
      transactionTimeoutMs: this.transactionTimeoutMs,
      retryBackoffMs: this.retryBackoffMs,
      idempotence: this.idempotence,
      requests: this.requests,
      partitions: this.parts,
      handleError: (self, code, error, now) => this.handleError(self, code, error, now),
      abortableError: (error, bumpEpoch, fromBatch) => this.abortableError(error, bumpEpoch, fromBatch),
      transactionStarted: () => {
        this.transactionStarted = true;
      },
      producerIdReady: (isBump, result) => {
        if (isBump) this.resetTransaction();
        this.lastError = null;
        this.transitionTo(TransactionState.Ready);
        result.done();
      },
      completeTransaction: (result) => this.completeTransaction(result),
    };
    this.idempotence.onEpochBumpNeeded = () => {
      this.abortableError(
        new ProducerError(
          'the producer lost track of the sequences of a partition (records failed or were not acknowledged); ' +
            'it is safe to abort the transaction and go on',
        ),
        true,
        true,
      );
    };
    options.accumulator.addListener({
      onNewBatch: (topic, partition) => this.maybeAddPartition(topic, partition),
    });
  }

  /** The current state. */
  get state(): TransactionState {
    return this._state;
  }

  /** Whether a request is waiting or in flight. */
  get hasPendingRequests(): boolean {
    return this.requests.hasPending;
  }

  /** Whether a transaction was begun and is not finished (committed, aborted, or fatally failed). */
  get hasOngoingTransaction(): boolean {
    const s = this._state;
    return (
      s === TransactionState.InTransaction ||
      s === TransactionState.CommittingTransaction ||
      s === TransactionState.AbortingTransaction ||
      s === TransactionState.AbortableError
    );
  }

  // ---- the producer's calls ---------------------------------------------------------------

  /**
   * Starts InitProducerId (after FindCoordinator): fences earlier producers with the same
   * transactional id and completes or aborts their open transaction. A call after one that timed
   * out returns the same result.
   */
  initTransactions(): TransactionalResult {
    const cached = this.cachedResult('initTransactions()');
    if (cached !== null) return cached;
    this.failIfFatal();
    if (this._state !== TransactionState.Uninitialized) {
      throw new TransactionStateError(
        'initTransactions()',
        this._state,
        'it is called once, before the first transaction',
      );
    }
    this.transitionTo(TransactionState.Initializing);
    const result = new TransactionalResult();
    enqueueInitProducerId(this.ctx, -1, -1, result);
    this.pendingTransition = { operation: 'initTransactions()', result };
    return result;
  }

  /** Opens a transaction (no request: partitions and offsets are added as they come). */
  beginTransaction(): void {
    const op = 'beginTransaction()';
    this.failIfPending(op);
    this.failWithError(op);
    if (this._state !== TransactionState.Ready) {
      throw new TransactionStateError(op, this._state, stateAdvice(this._state));
    }
    this.generation++;
    this.transitionTo(TransactionState.InTransaction);
  }

  /**
   * Adds consumed offsets to the open transaction: AddOffsetsToTxn to the transaction
   * coordinator, then TxnOffsetCommit to the group's coordinator. Empty offsets do nothing.
   */
  sendOffsetsToTransaction(offsets: TransactionOffsets, group: ConsumerGroupMetadata): TransactionalResult {
    const op = 'sendOffsetsToTransaction()';
    this.failIfPending(op);
    this.failWithError(op);
    if (this._state !== TransactionState.InTransaction) {
      throw new TransactionStateError(
        op,
        this._state,
        'offsets are sent inside a transaction: call beginTransaction() first',
      );
    }
    const byTopic = offsetsByTopic(offsets);
    const result = new TransactionalResult();
    if (byTopic.size === 0) {
      result.done();
      return result;
    }
    enqueueAddOffsets(this.ctx, byTopic, group, result, op);
    return result;
  }

  /** Starts committing: once every record of the transaction is done, EndTxn(commit). */
  beginCommit(): TransactionalResult {
    const op = 'commitTransaction()';
    const cached = this.cachedResult(op);
    if (cached !== null) return cached;
    this.failWithError(op);
    if (this._state !== TransactionState.InTransaction) {
      throw new TransactionStateError(op, this._state, stateAdvice(this._state));
    }
    this.transitionTo(TransactionState.CommittingTransaction);
    return this.beginCompleting(true, op);
  }

  /**
   * Starts aborting: records not sent yet are dropped (they fail with a
   * {@link TransactionAbortedError}), records in flight are awaited, then EndTxn(abort), then an
   * epoch bump if the transaction lost sequences.
   */
  beginAbort(): TransactionalResult {
    const op = 'abortTransaction()';
    const cached = this.cachedResult(op);
    if (cached !== null) return cached;
    this.failIfFatal();
    if (this._state !== TransactionState.InTransaction && this._state !== TransactionState.AbortableError) {
      throw new TransactionStateError(op, this._state, stateAdvice(this._state));
    }
    this.transitionTo(TransactionState.AbortingTransaction);
    this.parts.added.clear();
    return this.beginCompleting(false, op);
  }

  /** Why `send` is refused now (null in a transaction): for the producer's slow path. */
  sendError(): Error | null {
    const s = this._state;
    if (s === TransactionState.InTransaction) return null;
    if (s === TransactionState.FatalError) return this.lastError as Error;
    if (s === TransactionState.AbortableError) return new AbortableTransactionError('send()', this.lastError);
    return new TransactionStateError('send()', s, stateAdvice(this._state));
  }

  /**
   * Whether a record sent in transaction `generation` (and held back, waiting for topic metadata)
   * may still be appended; else the error to fail it with.
   */
  appendError(generation: number): Error | null {
    const s = this._state;
    if (generation === this.generation) {
      if (s === TransactionState.InTransaction || s === TransactionState.CommittingTransaction) return null;
      if (s === TransactionState.FatalError) return this.lastError as Error;
    }
    return new TransactionAbortedError(
      'the transaction was aborted before the record was sent',
      this.lastError ?? undefined,
    );
  }

  /**
   * Waits for `result` up to `timeoutMs` (`max.block.ms`); then rejects with a
   * `KafkaTimeoutError` and the operation stays pending: calling it again waits for the same
   * result, as in Java.
   */
  async awaitResult(result: TransactionalResult, timeoutMs: number, operation: string): Promise<void> {
    await result.within(this.clock, timeoutMs, operation);
    try {
      await result.promise;
    } finally {
      if (this.pendingTransition?.result === result) this.pendingTransition = null;
    }
  }

  /** The result of `initTransactions()`, `commitTransaction()` or `abortTransaction()` in progress, if any. */
  pendingResult(): TransactionalResult | null {
    const p = this.pendingTransition;
    return p === null || p.result.isCompleted ? null : p.result;
  }

  /** Fails every request and waiting call with `error` (the producer is closing). */
  close(error: Error): void {
    const handlers = this.requests.all();
    this.requests.drop();
    this.requests.inFlight = null;
    for (const h of handlers) h.result?.fail(error);
    this.pendingTransition?.result.fail(error);
  }

  // ---- the sender's side --------------------------------------------------------------------

  /** A new batch of `topic`-`partition` was opened: the partition joins the transaction. */
  maybeAddPartition(topic: string, partition: number): void {
    this.parts.maybeAdd(this.accumulator.queueFor(topic, partition));
  }

  /** A batch failed for good (not dropped by an abort): the transaction cannot commit. */
  handleFailedBatch(_batch: ProducerBatch, error: Error): void {
    if (isFatalBatchError(error)) this.fatalError(error);
    else this.abortableError(error, true, true);
  }

  /**
   * Called by the sender each round, before it drains: drops what an abort or error leaves
   * unsendable, queues AddPartitionsToTxn for new partitions, and returns the next request to send
   * (one at a time).
   */
  poll(now: number): TransactionPlan {
    const acc = this.accumulator;
    const s = this._state;
    if (s === TransactionState.FatalError) {
      if (!acc.isEmpty()) acc.abortIncompleteBatches(this.lastError as Error);
      return { request: null, pollTimeoutMs: Number.POSITIVE_INFINITY };
    }
    if (s === TransactionState.AbortableError || s === TransactionState.AbortingTransaction) {
      if (acc.hasUndrained()) {
        acc.abortUndrainedBatches(
          new TransactionAbortedError(
            'the transaction was aborted before the record was sent',
            this.lastError ?? undefined,
          ),
        );
      }
    }
    const requests = this.requests;
    if (requests.inFlight !== null) return { request: null, pollTimeoutMs: Number.POSITIVE_INFINITY };
    if (
      this.parts.added.size > 0 &&
      (s === TransactionState.InTransaction || s === TransactionState.CommittingTransaction)
    ) {
      enqueueAddPartitions(this.ctx);
    }
    for (;;) {
      const head = requests.peek();
      if (head === undefined) return { request: null, pollTimeoutMs: Number.POSITIVE_INFINITY };
      // EndTxn waits until every record of the transaction is done; responses wake the sender.
      if (head.request.api === 'EndTxn' && (!acc.isEmpty() || this.hasPendingAppends())) {
        return { request: null, pollTimeoutMs: Number.POSITIVE_INFINITY };
      }
      if (head.retryAtMs > now) return { request: null, pollTimeoutMs: head.retryAtMs - now };
      requests.shift();
      if (this.terminateWithError(head)) continue;
      if (head.request.api === 'EndTxn' && !this.transactionStarted) {
        // Nothing was added to the transaction: the coordinator knows of none to end.
        this.completeTransaction(head.result);
        continue;
      }
      const c = head.request.coordinator;
      if (head.request.api !== 'FindCoordinator' && !requests.isKnown(c)) {
        requests.lookupCoordinator(c, this.ctx.handleError);
        requests.push(head);
        continue;
      }
      requests.inFlight = head;
      return { request: head, pollTimeoutMs: Number.POSITIVE_INFINITY };
    }
  }

  /** The response of the request {@link TransactionManager.poll} handed out. */
  handleResponse(request: TransactionInFlight, response: TransactionResponse, now: number): void {
    if (this.requests.inFlight !== request) return;
    const h = request as TxnHandler;
    try {
      (h.onResponse as (r: TransactionResponse, now: number, self: TxnHandler) => void)(response, now, h);
    } catch (e) {
      this.fatalError(e instanceof Error ? e : new Error(String(e)));
    } finally {
      if (this.requests.inFlight === h) this.requests.inFlight = null;
    }
  }

  /**
   * The request failed as a whole: a retriable error (a lost connection, a timeout) looks the
   * coordinator up again and retries after the backoff; anything else is fatal, unknown errors
   * included (no common API version, an encode failure, a closed client), as in Java.
   */
  handleFailure(request: TransactionInFlight, error: unknown, now: number): void {
    if (this.requests.inFlight !== request) return;
    this.requests.inFlight = null;
    const h = request as TxnHandler;
    if (isRetriableError(error)) {
      this.requests.forget(h.request.coordinator);
      this.requests.retry(h, now, this.retryBackoffMs);
      return;
    }
    if (error instanceof KafkaClientError) this.fatalError(error);
    else {
      const why = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      this.fatalError(new ProducerError(`${h.request.api} request failed: ${why}`, { cause: error }));
    }
  }

  private beginCompleting(commit: boolean, op: string): TransactionalResult {
    const result = new TransactionalResult();
    this.pendingTransition = { operation: op, result };
    if (commit && this.parts.added.size > 0) enqueueAddPartitions(this.ctx);
    if (!commit && this.lastError instanceof InvalidProducerIdMappingError) {
      // The coordinator will not accept EndTxn for this producer id: go straight to InitProducerId.
      enqueueInitProducerId(this.ctx, this.idempotence.producerId, this.idempotence.producerEpoch, result);
      return result;
    }
    enqueueEndTxn(this.ctx, commit, result, op);
    return result;
  }

  // What an error code does (see txnErrorAction); `error` is the code's KafkaError.
  private handleError(self: TxnHandler, code: number, error: KafkaError, now: number): void {
    switch (txnErrorAction(self.request.api, code)) {
      case TxnErrorAction.FindCoordinator:
        this.requests.lookupCoordinator(self.request.coordinator, this.ctx.handleError);
        this.requests.retry(self, now, this.retryBackoffMs);
        return;
      case TxnErrorAction.Retry:
        this.requests.retry(self, now, this.retryBackoffMs);
        return;
      case TxnErrorAction.Abortable:
      case TxnErrorAction.Skip:
        this.abortableError(error, false, false);
        return;
      case TxnErrorAction.AbortableBump:
        this.abortableError(error, true, false);
        return;
      case TxnErrorAction.Fenced:
        this.fatalError(fencedError(this.transactionalId, self.request.api));
        return;
      default:
        this.fatalError(error);
    }
  }

  // EndTxn succeeded (or was not needed). After an abort that lost sequences, the epoch is
  // bumped before the abort completes.
  private completeTransaction(result: TransactionalResult | null): void {
    if (this.epochBumpRequired && this._state === TransactionState.AbortingTransaction) {
      this.transitionTo(TransactionState.Initializing);
      enqueueInitProducerId(
        this.ctx,
        this.idempotence.producerId,
        this.idempotence.producerEpoch,
        result ?? new TransactionalResult(),
      );
      return;
    }
    this.resetTransaction();
    this.lastError = null;
    this.transitionTo(TransactionState.Ready);
    result?.done();
  }

  private resetTransaction(): void {
    this.parts.reset();
    this.transactionStarted = false;
    this.epochBumpRequired = false;
  }

  // ---- errors and states ----------------------------------------------------------------------

  private terminateWithError(h: TxnHandler): boolean {
    if (this._state === TransactionState.FatalError) {
      h.result?.fail(this.lastError as Error);
      return true;
    }
    if (this._state === TransactionState.AbortableError && h.request.api !== 'FindCoordinator') {
      h.result?.fail(new AbortableTransactionError(h.operation, this.lastError));
      return true;
    }
    return false;
  }

  // `fromBatch`: a record failed. While aborting that changes nothing (the abort goes on, with
  // an epoch bump); a coordinator's abortable error fails the abort, which may be called again.
  private abortableError(error: Error, bumpEpoch: boolean, fromBatch: boolean): void {
    if (bumpEpoch) this.epochBumpRequired = true;
    const s = this._state;
    if (s === TransactionState.FatalError || s === TransactionState.AbortableError) return;
    if (fromBatch && s === TransactionState.AbortingTransaction) return;
    this.lastError = error;
    this.transitionTo(TransactionState.AbortableError);
    for (const h of this.requests.all()) {
      if (h.request.api !== 'FindCoordinator')
        h.result?.fail(new AbortableTransactionError(h.operation, error));
    }
    this.requests.drop((h) => h.request.api === 'FindCoordinator');
    const p = this.pendingTransition;
    if (p !== null) p.result.fail(new AbortableTransactionError(p.operation, error));
  }

  private fatalError(error: Error): void {
    if (this._state === TransactionState.FatalError) return;
    this.lastError = error;
    this.transitionTo(TransactionState.FatalError);
    const handlers = this.requests.all();
    this.requests.drop();
    for (const h of handlers) h.result?.fail(error);
    this.pendingTransition?.result.fail(error);
  }

  private transitionTo(state: TransactionState): void {
    if (this._state === state) return;
    this._state = state;
    this.onStateChange(state);
  }

  private failIfFatal(): void {
    if (this._state === TransactionState.FatalError) throw this.lastError as Error;
  }

  // Java's maybeFailWithError: a fatal error rethrown; an abortable one wrapped.
  private failWithError(operation: string): void {
    this.failIfFatal();
    if (this._state === TransactionState.AbortableError) {
      throw new AbortableTransactionError(operation, this.lastError);
    }
  }

  private failIfPending(operation: string): void {
    const p = this.pendingTransition;
    if (p !== null && !p.result.isCompleted) {
      throw new TransactionStateError(
        operation,
        this._state,
        `${p.operation} has not completed (it timed out and must be called again, or is still running)`,
      );
    }
  }

  // A call that timed out is retried by calling it again: the same result. Another call while
  // one is pending is refused.
  private cachedResult(operation: string): TransactionalResult | null {
    const p = this.pendingTransition;
    if (p === null) return null;
    if (p.operation === operation) return p.result;
    if (p.result.isCompleted) {
      this.pendingTransition = null;
      return null;
    }
    throw new TransactionStateError(
      operation,
      this._state,
      `${p.operation} has not completed (it timed out and must be called again, or is still running)`,
    );
  }
}
