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
 * @module
 */
import { createKafkaError, ErrorCode, InvalidProducerIdMappingError, KafkaError } from '@tskafka/protocol';
import { type ConsumerGroupMetadata, isRetriableError, KafkaTimeoutError } from '@tskafka/transport';
import type { RecordAccumulator } from './accumulator.js';
import { systemTimerClock, type TimerClock } from './buffer-pool.js';
import {
  AbortableTransactionError,
  ProducerError,
  TransactionAbortedError,
  TransactionStateError,
} from './errors.js';
import type { IdempotenceManager } from './idempotence.js';
import type { PartitionQueue, ProducerBatch } from './producer-batch.js';
import {
  offsetsByTopic,
  type TransactionApi,
  type TransactionCoordinatorKey,
  type TransactionOffsets,
  type TransactionRequest,
  type TransactionResponse,
  type TxnOffsetCommitPartition,
  type TxnPartitionResult,
} from './transaction-requests.js';
import {
  coordinatorId,
  stateAdvice,
  TransactionalResult,
  type TransactionInFlight,
  type TransactionPlan,
  TransactionState,
  TxnErrorAction,
  TxnHandler,
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

/** Errors that end the producer wherever they come from (Java's `maybeTransitionToErrorState`). */
const FATAL_CODES: ReadonlySet<number> = new Set([
  ErrorCode.PRODUCER_FENCED,
  ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
  ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
  ErrorCode.UNSUPPORTED_VERSION,
]);

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
  private queue: TxnHandler[] = [];
  private inFlight: TxnHandler | null = null;
  private seq = 0;
  private readonly knownCoordinators = new Set<string>();
  private readonly newPartitions = new Set<PartitionQueue>();
  private readonly pendingPartitions = new Set<PartitionQueue>();
  private readonly partitions = new Set<PartitionQueue>();
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
    return this.inFlight !== null || this.queue.length > 0;
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
    this.enqueueInitProducerId(-1, -1, result);
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
    const groupId = group.groupId;
    this.enqueue(
      {
        api: 'AddOffsetsToTxn',
        coordinator: { type: 'transaction', key: this.transactionalId },
        body: { ...this.producerFields(), groupId },
      },
      result,
      op,
      (res, now, self) => {
        const code = res.errorCode;
        if (code === 0) {
          this.transactionStarted = true;
          this.enqueueTxnOffsetCommit(byTopic, group, result, op, 0);
          return;
        }
        const message =
          code === ErrorCode.GROUP_AUTHORIZATION_FAILED ? `not authorized for group ${groupId}` : undefined;
        this.handleError(self, code, createKafkaError(code, { apiName: 'AddOffsetsToTxn', message }), now);
      },
    );
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
    this.newPartitions.clear();
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
    if (!result.isCompleted && timeoutMs < Number.POSITIVE_INFINITY) {
      let timer: unknown;
      const timeout = new Promise<'timeout'>((resolve) => {
        timer = this.clock.setTimer(() => resolve('timeout'), timeoutMs);
      });
      const outcome = await Promise.race([result.promise.then(() => 'done' as const), timeout]).finally(() =>
        this.clock.clearTimer(timer),
      );
      if (outcome === 'timeout') {
        throw new KafkaTimeoutError(
          `Timeout expired after ${timeoutMs} ms while awaiting ${operation}`,
          timeoutMs,
        );
      }
    }
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
    const handlers = this.inFlight === null ? this.queue : [this.inFlight, ...this.queue];
    this.queue = [];
    this.inFlight = null;
    for (const h of handlers) h.result?.fail(error);
    this.pendingTransition?.result.fail(error);
  }

  // ---- the sender's side --------------------------------------------------------------------

  /** A new batch of `topic`-`partition` was opened: the partition joins the transaction. */
  maybeAddPartition(topic: string, partition: number): void {
    const q = this.accumulator.queueFor(topic, partition);
    if (q.inTransaction || this.newPartitions.has(q) || this.pendingPartitions.has(q)) return;
    this.newPartitions.add(q);
  }

  /** A batch failed for good (not dropped by an abort): the transaction cannot commit. */
  handleFailedBatch(_batch: ProducerBatch, error: Error): void {
    if (error instanceof KafkaError && FATAL_CODES.has(error.code)) this.fatalError(error);
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
    if (this.inFlight !== null) return { request: null, pollTimeoutMs: Number.POSITIVE_INFINITY };
    if (
      this.newPartitions.size > 0 &&
      (s === TransactionState.InTransaction || s === TransactionState.CommittingTransaction)
    ) {
      this.enqueueAddPartitions();
    }
    for (;;) {
      const head = this.queue[0];
      if (head === undefined) return { request: null, pollTimeoutMs: Number.POSITIVE_INFINITY };
      // EndTxn waits until every record of the transaction is done; responses wake the sender.
      if (head.request.api === 'EndTxn' && (!acc.isEmpty() || this.hasPendingAppends())) {
        return { request: null, pollTimeoutMs: Number.POSITIVE_INFINITY };
      }
      if (head.retryAtMs > now) return { request: null, pollTimeoutMs: head.retryAtMs - now };
      this.queue.shift();
      if (this.terminateWithError(head)) continue;
      if (head.request.api === 'EndTxn' && !this.transactionStarted) {
        // Nothing was added to the transaction: the coordinator knows of none to end.
        this.completeTransaction(head.result);
        continue;
      }
      const c = head.request.coordinator;
      if (head.request.api !== 'FindCoordinator' && !this.knownCoordinators.has(coordinatorId(c))) {
        this.lookupCoordinator(c);
        this.queue.push(head);
        this.sortQueue();
        continue;
      }
      this.inFlight = head;
      return { request: head, pollTimeoutMs: Number.POSITIVE_INFINITY };
    }
  }

  /** The response of the request {@link TransactionManager.poll} handed out. */
  handleResponse(request: TransactionInFlight, response: TransactionResponse, now: number): void {
    if (this.inFlight !== request) return;
    const h = request as TxnHandler;
    try {
      (h.onResponse as (r: TransactionResponse, now: number, self: TxnHandler) => void)(response, now, h);
    } catch (e) {
      this.fatalError(e instanceof Error ? e : new Error(String(e)));
    } finally {
      if (this.inFlight === h) this.inFlight = null;
    }
  }

  /**
   * The request failed as a whole: a lost connection or timeout looks the coordinator up again
   * and retries after the backoff; anything else is fatal.
   */
  handleFailure(request: TransactionInFlight, error: unknown, now: number): void {
    if (this.inFlight !== request) return;
    this.inFlight = null;
    const h = request as TxnHandler;
    if (isRetriableError(error) || !(error instanceof Error)) {
      const c = h.request.coordinator;
      this.knownCoordinators.delete(coordinatorId(c));
      this.retry(h, now);
      return;
    }
    this.fatalError(error);
  }

  // ---- requests -----------------------------------------------------------------------------

  private producerFields(): { transactionalId: string; producerId: number; producerEpoch: number } {
    return {
      transactionalId: this.transactionalId,
      producerId: this.idempotence.producerId,
      producerEpoch: this.idempotence.producerEpoch,
    };
  }

  private enqueue<A extends TransactionApi>(
    request: TransactionRequest<A>,
    result: TransactionalResult | null,
    operation: string,
    onResponse: (response: TransactionResponse<A>, now: number, self: TxnHandler) => void,
  ): TxnHandler<A> {
    const h = new TxnHandler<A>(this.seq++, request, result, operation, onResponse);
    this.queue.push(h as unknown as TxnHandler);
    this.sortQueue();
    return h;
  }

  private sortQueue(): void {
    this.queue.sort((a, b) => a.priority - b.priority || a.seq - b.seq);
  }

  private retry(h: TxnHandler, now: number): void {
    h.retryAtMs = now + this.retryBackoffMs;
    this.queue.push(h);
    this.sortQueue();
  }

  private lookupCoordinator(c: TransactionCoordinatorKey): void {
    const id = coordinatorId(c);
    this.knownCoordinators.delete(id);
    if (
      this.queue.some(
        (h) => h.request.api === 'FindCoordinator' && coordinatorId(h.request.coordinator) === id,
      )
    ) {
      return;
    }
    this.enqueue(
      { api: 'FindCoordinator', coordinator: c, body: {} },
      null,
      'FindCoordinator',
      (res, now, self) => {
        const code = res.errorCode;
        if (code === 0) {
          this.knownCoordinators.add(id);
          return;
        }
        const error = createKafkaError(code, { apiName: 'FindCoordinator', message: res.errorMessage });
        this.handleError(self, code, error, now);
      },
    );
  }

  private enqueueInitProducerId(
    producerId: number,
    producerEpoch: number,
    result: TransactionalResult,
  ): void {
    const op = producerId < 0 ? 'initTransactions()' : 'abortTransaction()';
    const isBump = producerId >= 0;
    const coordinator: TransactionCoordinatorKey = { type: 'transaction', key: this.transactionalId };
    this.enqueue(
      {
        api: 'InitProducerId',
        coordinator,
        body: {
          transactionalId: this.transactionalId,
          transactionTimeoutMs: this.transactionTimeoutMs,
          producerId,
          producerEpoch,
        },
      },
      result,
      op,
      (res, now, self) => {
        const code = res.errorCode;
        if (code === 0) {
          this.idempotence.completeProducerIdRequest({
            producerId: res.producerId,
            producerEpoch: res.producerEpoch,
          });
          if (isBump) this.resetTransaction();
          this.lastError = null;
          this.transitionTo(TransactionState.Ready);
          result.done();
          return;
        }
        this.handleError(self, code, createKafkaError(code, { apiName: 'InitProducerId' }), now);
      },
    );
  }

  private enqueueAddPartitions(): void {
    const byTopic = new Map<string, number[]>();
    for (const q of this.newPartitions) {
      this.pendingPartitions.add(q);
      let list = byTopic.get(q.topic);
      if (list === undefined) {
        list = [];
        byTopic.set(q.topic, list);
      }
      list.push(q.partition);
    }
    const added = [...this.newPartitions];
    this.newPartitions.clear();
    const coordinator: TransactionCoordinatorKey = { type: 'transaction', key: this.transactionalId };
    this.enqueue(
      {
        api: 'AddPartitionsToTxn',
        coordinator,
        body: {
          ...this.producerFields(),
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
          this.handleError(self, code, error, now);
          return;
        }
        for (const q of added) this.pendingPartitions.delete(q);
        if (failed.length > 0) {
          const first = failed[0];
          const error = createKafkaError(first.errorCode, {
            apiName: 'AddPartitionsToTxn',
            topic: first.topic,
            partition: first.partition,
            message: `could not add ${failed.map((f) => `${f.topic}-${f.partition}`).join(', ')} to the transaction`,
          });
          this.abortableError(error, false, false);
          return;
        }
        for (const q of added) {
          q.inTransaction = true;
          this.partitions.add(q);
        }
        this.transactionStarted = true;
      },
    );
  }

  private enqueueTxnOffsetCommit(
    byTopic: Map<string, TxnOffsetCommitPartition[]>,
    group: ConsumerGroupMetadata,
    result: TransactionalResult,
    op: string,
    retryAtMs: number,
  ): void {
    const coordinator: TransactionCoordinatorKey = { type: 'group', key: group.groupId };
    const handler = this.enqueue(
      {
        api: 'TxnOffsetCommit',
        coordinator,
        body: {
          ...this.producerFields(),
          groupId: group.groupId,
          generationId: group.generationId,
          memberId: group.memberId,
          groupInstanceId: group.groupInstanceId,
          topics: Array.from(byTopic, ([name, partitions]) => ({ name, partitions })),
        },
      },
      result,
      op,
      (res, now, self) => {
        // Partitions that failed with a retriable error go again; the first other error ends it.
        const again = new Map<string, TxnOffsetCommitPartition[]>();
        let lookedUp = false;
        for (const r of res.results) {
          const code = r.errorCode;
          if (code === 0) continue;
          const action = txnErrorAction('TxnOffsetCommit', code);
          if (action === TxnErrorAction.FindCoordinator || action === TxnErrorAction.Retry) {
            if (action === TxnErrorAction.FindCoordinator && !lookedUp) {
              lookedUp = true;
              this.lookupCoordinator(coordinator);
            }
            const offset = byTopic.get(r.topic)?.find((p) => p.partition === r.partition);
            if (offset !== undefined) {
              const list = again.get(r.topic);
              if (list === undefined) again.set(r.topic, [offset]);
              else list.push(offset);
            }
            continue;
          }
          const error = createKafkaError(code, {
            apiName: 'TxnOffsetCommit',
            topic: r.topic,
            partition: r.partition,
          });
          this.handleError(self, code, error, now);
          return;
        }
        if (again.size === 0) result.done();
        else this.enqueueTxnOffsetCommit(again, group, result, op, now + this.retryBackoffMs);
      },
    );
    handler.retryAtMs = retryAtMs;
  }

  private beginCompleting(commit: boolean, op: string): TransactionalResult {
    const result = new TransactionalResult();
    this.pendingTransition = { operation: op, result };
    if (commit && this.newPartitions.size > 0) this.enqueueAddPartitions();
    if (!commit && this.lastError instanceof InvalidProducerIdMappingError) {
      // The coordinator will not accept EndTxn for this producer id: go straight to InitProducerId.
      this.enqueueInitProducerId(this.idempotence.producerId, this.idempotence.producerEpoch, result);
      return result;
    }
    const coordinator: TransactionCoordinatorKey = { type: 'transaction', key: this.transactionalId };
    this.enqueue(
      { api: 'EndTxn', coordinator, body: { ...this.producerFields(), committed: commit } },
      result,
      op,
      (res, now, self) => {
        const code = res.errorCode;
        if (code === 0) this.completeTransaction(result);
        else this.handleError(self, code, createKafkaError(code, { apiName: 'EndTxn' }), now);
      },
    );
    return result;
  }

  // What an error code does (see txnErrorAction); `error` is the code's KafkaError.
  private handleError(self: TxnHandler, code: number, error: KafkaError, now: number): void {
    switch (txnErrorAction(self.request.api, code)) {
      case TxnErrorAction.FindCoordinator:
        this.lookupCoordinator(self.request.coordinator);
        this.retry(self, now);
        return;
      case TxnErrorAction.Retry:
        this.retry(self, now);
        return;
      case TxnErrorAction.Abortable:
      case TxnErrorAction.Skip:
        this.abortableError(error, false, false);
        return;
      case TxnErrorAction.AbortableBump:
        this.abortableError(error, true, false);
        return;
      case TxnErrorAction.Fenced:
        this.fatalError(this.fencedError(self.request.api));
        return;
      default:
        this.fatalError(error);
    }
  }

  // INVALID_PRODUCER_EPOCH from a coordinator means another producer took over: fenced.
  private fencedError(api: string): KafkaError {
    return createKafkaError(ErrorCode.PRODUCER_FENCED, {
      apiName: api,
      message: `there is a newer producer with transactional id ${this.transactionalId}; this one is fenced and must be closed`,
    });
  }

  // EndTxn succeeded (or was not needed). After an abort that lost sequences, the epoch is
  // bumped before the abort completes.
  private completeTransaction(result: TransactionalResult | null): void {
    if (this.epochBumpRequired && this._state === TransactionState.AbortingTransaction) {
      this.transitionTo(TransactionState.Initializing);
      this.enqueueInitProducerId(
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
    for (const q of this.partitions) q.inTransaction = false;
    this.partitions.clear();
    this.newPartitions.clear();
    this.pendingPartitions.clear();
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
    const handlers = this.inFlight === null ? this.queue : [this.inFlight, ...this.queue];
    for (const h of handlers) {
      if (h.request.api !== 'FindCoordinator')
        h.result?.fail(new AbortableTransactionError(h.operation, error));
    }
    this.queue = this.queue.filter((h) => h.request.api === 'FindCoordinator');
    const p = this.pendingTransition;
    if (p !== null) p.result.fail(new AbortableTransactionError(p.operation, error));
  }

  private fatalError(error: Error): void {
    if (this._state === TransactionState.FatalError) return;
    this.lastError = error;
    this.transitionTo(TransactionState.FatalError);
    const handlers = this.inFlight === null ? this.queue : [this.inFlight, ...this.queue];
    this.queue = [];
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
