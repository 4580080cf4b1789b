/**
 * The vocabulary of the {@link TransactionManager}: its states, the result of a transactional
 * call, a queued request, what each coordinator error code means for each request (Java's
 * `TxnRequestHandler` subclasses, as a table), and which errors are fatal to the producer.
 *
 * @module
 */
import { createKafkaError, ErrorCode, isRetriable, KafkaError } from '@tskafka/protocol';
import { KafkaTimeoutError, UnsupportedApiVersionError } from '@tskafka/transport';
import type { TimerClock } from './buffer-pool.js';
import { ProduceRequestError } from './errors.js';
import type {
  TransactionApi,
  TransactionCoordinatorKey,
  TransactionRequest,
  TransactionResponse,
} from './transaction-requests.js';
import type { TransactionManager } from './transactions.js';

/** The states of a transactional producer; see `transactions.ts`. Java's names. */
export const TransactionState = {
  /** Built; `initTransactions()` not called yet. */
  Uninitialized: 'Uninitialized',
  /** InitProducerId in progress (first, or an epoch bump after an abort). */
  Initializing: 'Initializing',
  /** A producer id; no transaction open. */
  Ready: 'Ready',
  /** A transaction is open: `send` and `sendOffsetsToTransaction` are allowed. */
  InTransaction: 'InTransaction',
  /** `commitTransaction()` in progress. */
  CommittingTransaction: 'CommittingTransaction',
  /** `abortTransaction()` in progress. */
  AbortingTransaction: 'AbortingTransaction',
  /** The transaction failed; only `abortTransaction()` is allowed. */
  AbortableError: 'AbortableError',
  /** The producer cannot go on (fenced, not authorized, ...); it must be closed. */
  FatalError: 'FatalError',
} as const;
/** A value of {@link TransactionState}. */
export type TransactionState = (typeof TransactionState)[keyof typeof TransactionState];

/** What to do instead, for the message of a `TransactionStateError` in `state`. */
export function stateAdvice(state: TransactionState): string {
  switch (state) {
    case TransactionState.Uninitialized:
      return 'call initTransactions() first';
    case TransactionState.Initializing:
      return 'initTransactions() has not completed';
    case TransactionState.Ready:
      return 'no transaction is open: call beginTransaction() first';
    case TransactionState.InTransaction:
      return 'a transaction is already open';
    case TransactionState.CommittingTransaction:
      return 'the transaction is being committed';
    case TransactionState.AbortingTransaction:
      return 'the transaction is being aborted';
    case TransactionState.AbortableError:
      return 'the transaction failed: call abortTransaction()';
    default:
      return 'the producer failed and must be closed';
  }
}

/** The outcome of a transactional call (Java's `TransactionalRequestResult`), settled once. */
export class TransactionalResult {
  /** Settles with the outcome. */
  readonly promise: Promise<void>;
  private settled = false;
  private resolveFn!: () => void;
  private rejectFn!: (e: Error) => void;

  /** A pending result. */
  constructor() {
    this.promise = new Promise<void>((resolve, reject) => {
      this.resolveFn = resolve;
      this.rejectFn = reject;
    });
    this.promise.catch(() => {}); // whoever awaits it sees the error
  }

  /** Whether it has settled. */
  get isCompleted(): boolean {
    return this.settled;
  }

  /** Succeeds (no-op once settled). */
  done(): void {
    if (this.settled) return;
    this.settled = true;
    this.resolveFn();
  }

  /** Fails with `error` (no-op once settled). */
  fail(error: Error): void {
    if (this.settled) return;
    this.settled = true;
    this.rejectFn(error);
  }

  /**
   * Resolves once done, rejects with the failure, or with a `KafkaTimeoutError` after
   * `timeoutMs` on `clock` (`max.block.ms`); the result itself then stays pending, for the call
   * to be made again.
   */
  async within(clock: TimerClock, timeoutMs: number, operation: string): Promise<void> {
    if (this.settled || timeoutMs >= Number.POSITIVE_INFINITY) return;
    let timer: unknown;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = clock.setTimer(() => resolve('timeout'), timeoutMs);
    });
    const outcome = await Promise.race([this.promise.then(() => 'done' as const), timeout]).finally(() =>
      clock.clearTimer(timer),
    );
    if (outcome === 'timeout') {
      throw new KafkaTimeoutError(
        `Timeout expired after ${timeoutMs} ms while awaiting ${operation}`,
        timeoutMs,
      );
    }
  }
}

/** Errors that end the producer wherever they come from (Java's `maybeTransitionToErrorState`). */
const FATAL_CODES: ReadonlySet<number> = new Set([
  ErrorCode.PRODUCER_FENCED,
  ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
  ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
  ErrorCode.UNSUPPORTED_VERSION,
]);

/**
 * Whether a batch's failure fails the producer, not just the transaction (Java's
 * `maybeTransitionToErrorState`). A Produce request the broker has no common version for is
 * UNSUPPORTED_VERSION's equivalent.
 */
export function isFatalBatchError(error: Error): boolean {
  if (error instanceof KafkaError) return FATAL_CODES.has(error.code);
  return error instanceof ProduceRequestError && error.cause instanceof UnsupportedApiVersionError;
}

/**
 * The error for INVALID_PRODUCER_EPOCH (or PRODUCER_FENCED) from a transaction coordinator:
 * another producer with `transactionalId` took over, so this one is fenced.
 */
export function fencedError(transactionalId: string, api: string): KafkaError {
  return createKafkaError(ErrorCode.PRODUCER_FENCED, {
    apiName: api,
    message: `there is a newer producer with transactional id ${transactionalId}; this one is fenced and must be closed`,
  });
}

/** A request handed out by {@link TransactionManager.poll}, awaiting its response. */
export interface TransactionInFlight {
  /** The request to send. */
  readonly request: TransactionRequest;
}

/** What {@link TransactionManager.poll} decided. */
export interface TransactionPlan {
  /** The request to send now, or null. */
  readonly request: TransactionInFlight | null;
  /** Poll again after this many ms at the latest (a backoff); Infinity: on a wakeup. */
  readonly pollTimeoutMs: number;
}

const PRIORITY: Record<TransactionApi, number> = {
  FindCoordinator: 0,
  InitProducerId: 1,
  AddPartitionsToTxn: 2,
  AddOffsetsToTxn: 2,
  TxnOffsetCommit: 2,
  EndTxn: 3,
};

/** @internal One queued request, the call waiting for it, and what to do with its response. */
export class TxnHandler<A extends TransactionApi = TransactionApi> implements TransactionInFlight {
  /** FindCoordinator, then InitProducerId, then partitions and offsets, then EndTxn (Java's order). */
  readonly priority: number;
  /** Not sent before this time (a retry's backoff). */
  retryAtMs = 0;

  /** A request; `seq` orders requests of one priority. */
  constructor(
    readonly seq: number,
    readonly request: TransactionRequest<A>,
    readonly result: TransactionalResult | null,
    readonly operation: string,
    readonly onResponse: (response: TransactionResponse<A>, now: number, self: TxnHandler) => void,
  ) {
    this.priority = PRIORITY[request.api];
  }
}

/** The key of a coordinator in the manager's set of known ones. */
export function coordinatorId(c: TransactionCoordinatorKey): string {
  return `${c.type}:${c.key}`;
}

/** What an error code in a coordinator's response makes the manager do. */
export const TxnErrorAction = {
  /** Send the request again after `retry.backoff.ms`. */
  Retry: 'Retry',
  /** The coordinator moved: FindCoordinator, then the request again. */
  FindCoordinator: 'FindCoordinator',
  /** Ignore this partition's code (OPERATION_NOT_ATTEMPTED: another partition's error says why). */
  Skip: 'Skip',
  /** The transaction must be aborted. */
  Abortable: 'Abortable',
  /** The transaction must be aborted, then the epoch bumped (the producer id's state is lost). */
  AbortableBump: 'AbortableBump',
  /** Another producer with the transactional id took over: fatal `ProducerFencedError`. */
  Fenced: 'Fenced',
  /** The producer must be closed. */
  Fatal: 'Fatal',
} as const;
/** A value of {@link TxnErrorAction}. */
export type TxnErrorAction = (typeof TxnErrorAction)[keyof typeof TxnErrorAction];

const E = ErrorCode;
const A = TxnErrorAction;
// Coordinator moves and transient states, the same for every request to the transaction
// coordinator; INVALID_PRODUCER_EPOCH from a coordinator (not a partition leader) is fencing.
const COORDINATOR: readonly (readonly [number, TxnErrorAction])[] = [
  [E.NOT_COORDINATOR, A.FindCoordinator],
  [E.COORDINATOR_NOT_AVAILABLE, A.FindCoordinator],
  [E.COORDINATOR_LOAD_IN_PROGRESS, A.Retry],
  [E.CONCURRENT_TRANSACTIONS, A.Retry],
  [E.INVALID_PRODUCER_EPOCH, A.Fenced],
  [E.PRODUCER_FENCED, A.Fenced],
  [E.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, A.Fatal],
  [E.CLUSTER_AUTHORIZATION_FAILED, A.Fatal],
  [E.TRANSACTION_ABORTABLE, A.Abortable],
];

interface ErrorTable {
  readonly codes: ReadonlyMap<number, TxnErrorAction>;
  /** For a retriable code not in `codes`; null: as `other`. */
  readonly retriable: TxnErrorAction | null;
  /** For any other code. */
  readonly other: TxnErrorAction;
}

function table(
  extra: readonly (readonly [number, TxnErrorAction])[],
  other: TxnErrorAction,
  retriable: TxnErrorAction | null = null,
  base = COORDINATOR,
): ErrorTable {
  return { codes: new Map([...base, ...extra]), retriable, other };
}

// Java's TxnRequestHandler subclasses, code by code.
const ERROR_TABLES: Record<TransactionApi, ErrorTable> = {
  FindCoordinator: table(
    [
      [E.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, A.Fatal],
      [E.CLUSTER_AUTHORIZATION_FAILED, A.Fatal],
      [E.GROUP_AUTHORIZATION_FAILED, A.Abortable],
    ],
    A.Fatal,
    A.Retry,
    [],
  ),
  InitProducerId: table([], A.Fatal),
  AddPartitionsToTxn: table(
    [
      [E.INVALID_TXN_STATE, A.Fatal],
      [E.OPERATION_NOT_ATTEMPTED, A.Skip],
      [E.UNKNOWN_PRODUCER_ID, A.AbortableBump],
      [E.INVALID_PRODUCER_ID_MAPPING, A.AbortableBump],
    ],
    // TOPIC_AUTHORIZATION_FAILED and the like: the partitions cannot join; abort.
    A.Abortable,
    A.Retry,
  ),
  AddOffsetsToTxn: table(
    [
      [E.UNKNOWN_PRODUCER_ID, A.AbortableBump],
      [E.INVALID_PRODUCER_ID_MAPPING, A.AbortableBump],
      [E.GROUP_AUTHORIZATION_FAILED, A.Abortable],
    ],
    A.Fatal,
  ),
  TxnOffsetCommit: table(
    [
      [E.NOT_COORDINATOR, A.FindCoordinator],
      [E.COORDINATOR_NOT_AVAILABLE, A.FindCoordinator],
      [E.REQUEST_TIMED_OUT, A.FindCoordinator],
      [E.COORDINATOR_LOAD_IN_PROGRESS, A.Retry],
      [E.UNKNOWN_TOPIC_OR_PARTITION, A.Retry],
      [E.INVALID_PRODUCER_EPOCH, A.Fenced],
      [E.PRODUCER_FENCED, A.Fenced],
      [E.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, A.Fatal],
      [E.UNSUPPORTED_FOR_MESSAGE_FORMAT, A.Fatal],
      // The consumer's group moved on, or refuses us: the offsets cannot commit.
      [E.GROUP_AUTHORIZATION_FAILED, A.Abortable],
      [E.FENCED_INSTANCE_ID, A.Abortable],
      [E.UNKNOWN_MEMBER_ID, A.Abortable],
      [E.ILLEGAL_GENERATION, A.Abortable],
      [E.TRANSACTION_ABORTABLE, A.Abortable],
    ],
    A.Fatal,
    null,
    [],
  ),
  EndTxn: table(
    [
      [E.INVALID_TXN_STATE, A.Fatal],
      [E.UNKNOWN_PRODUCER_ID, A.AbortableBump],
      [E.INVALID_PRODUCER_ID_MAPPING, A.AbortableBump],
    ],
    A.Fatal,
  ),
};

/** What error `code` (not 0) in a response of `api` makes the transaction manager do. */
export function txnErrorAction(api: TransactionApi, code: number): TxnErrorAction {
  const t = ERROR_TABLES[api];
  const action = t.codes.get(code);
  if (action !== undefined) return action;
  if (t.retriable !== null && isRetriable(code)) return t.retriable;
  return t.other;
}
