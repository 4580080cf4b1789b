/**
 * One transactional id's state, after Apache Kafka's TransactionMetadata: the producer id and
 * epoch, the open transaction's partitions, and the state machine
 *
 * ```
 *              AddPartitions/AddOffsets             EndTxn(commit)             markers written
 *   Empty ─────────────────────────────▶ Ongoing ─────────────────▶ PrepareCommit ─────────▶ CompleteCommit
 *     ▲  ▲                                │  │ EndTxn(abort)                                      │
 *     │  │ InitProducerId                 │  └───────────────────▶ PrepareAbort ──────────▶ CompleteAbort
 *     │  └────────────────────────────────┼──────────────────────────▲── (timeout / InitProducerId: │
 *     │                                   └─▶ PrepareEpochFence ─────┘    fence the epoch first)   │
 *     └──────────────────── InitProducerId, AddPartitions (Complete* → Ongoing) ◀─────────────────┘
 * ```
 *
 * plus Dead for an expired transactional id. A change is two steps: `prepare*` checks the
 * transition, sets `pendingState` and returns the target ({@link TxnTransitMetadata}) to write to
 * `__transaction_state`; once written, {@link TransactionMetadata.completeTransitionTo} applies it.
 * While a transition is pending, other requests get CONCURRENT_TRANSACTIONS.
 */
import { KafkaClientError } from '@tskafka/protocol';

/** Transaction states; the values are Kafka's ids, as written in the transaction log. */
export enum TransactionState {
  /** No transaction open. */
  Empty = 0,
  /** A transaction is open: partitions were added. */
  Ongoing = 1,
  /** Commit decided and logged; markers are being written. */
  PrepareCommit = 2,
  /** Abort decided and logged; markers are being written. */
  PrepareAbort = 3,
  /** Commit markers written everywhere. */
  CompleteCommit = 4,
  /** Abort markers written everywhere. */
  CompleteAbort = 5,
  /** The transactional id expired and is being removed. */
  Dead = 6,
  /** The epoch is being bumped to fence a producer before aborting its transaction. */
  PrepareEpochFence = 7,
}

/** State names as DescribeTransactions and ListTransactions show them. */
export const TRANSACTION_STATE_NAMES: Record<TransactionState, string> = {
  [TransactionState.Empty]: 'Empty',
  [TransactionState.Ongoing]: 'Ongoing',
  [TransactionState.PrepareCommit]: 'PrepareCommit',
  [TransactionState.PrepareAbort]: 'PrepareAbort',
  [TransactionState.CompleteCommit]: 'CompleteCommit',
  [TransactionState.CompleteAbort]: 'CompleteAbort',
  [TransactionState.Dead]: 'Dead',
  [TransactionState.PrepareEpochFence]: 'PrepareEpochFence',
};

const S = TransactionState;
/** The states each state may be entered from. */
const VALID_PREVIOUS_STATES: Record<TransactionState, readonly TransactionState[]> = {
  [S.Empty]: [S.Empty, S.CompleteCommit, S.CompleteAbort],
  [S.Ongoing]: [S.Ongoing, S.Empty, S.CompleteCommit, S.CompleteAbort],
  [S.PrepareCommit]: [S.Ongoing],
  [S.PrepareAbort]: [S.Ongoing, S.PrepareEpochFence],
  [S.CompleteCommit]: [S.PrepareCommit],
  [S.CompleteAbort]: [S.PrepareAbort],
  [S.Dead]: [S.Empty, S.CompleteAbort, S.CompleteCommit],
  [S.PrepareEpochFence]: [S.Ongoing],
};

/** No producer id (RecordBatch.NO_PRODUCER_ID). */
export const NO_PRODUCER_ID = -1;
/** No producer epoch (RecordBatch.NO_PRODUCER_EPOCH). */
export const NO_PRODUCER_EPOCH = -1;
/** The largest int16, the epoch that is never handed to a client (so the coordinator can always fence). */
export const MAX_PRODUCER_EPOCH = 32767;

/** Whether no epoch may be handed out after `epoch` (Kafka keeps Short.MaxValue for fencing). */
export function isEpochExhausted(epoch: number): boolean {
  return epoch >= MAX_PRODUCER_EPOCH - 1;
}

/** Raised for a transition the state machine forbids: a coordinator bug, never a client error. Not retriable. */
export class IllegalTransactionStateError extends KafkaClientError {}

/** The target of a transition: what is written to the log, then applied. */
export interface TxnTransitMetadata {
  /** Producer id after the transition. */
  readonly producerId: number;
  /** Producer id before it (kept for KIP-360 retries across an id rotation). */
  readonly lastProducerId: number;
  /** Producer epoch after the transition. */
  readonly producerEpoch: number;
  /** The previous epoch, for a retried InitProducerId (KIP-360); -1 when none. */
  readonly lastProducerEpoch: number;
  /** Transaction timeout. */
  readonly txnTimeoutMs: number;
  /** The target state. */
  readonly txnState: TransactionState;
  /** Partitions, as `topic-partition` keys. */
  readonly topicPartitions: ReadonlySet<string>;
  /** When the transaction started, -1 when none is open. */
  readonly txnStartTimestamp: number;
  /** When this transition happened. */
  readonly txnLastUpdateTimestamp: number;
}

/** The state of one transactional id (mutated only through prepare/complete). */
export class TransactionMetadata {
  /** The transactional id. */
  readonly transactionalId: string;
  /** Current producer id. */
  producerId: number;
  /** Previous producer id, or -1. */
  lastProducerId: number;
  /** Current producer epoch (-1 for a just-created id). */
  producerEpoch: number;
  /** Previous producer epoch, or -1. */
  lastProducerEpoch: number;
  /** Transaction timeout. */
  txnTimeoutMs: number;
  /** Current state. */
  state: TransactionState;
  /** Partitions of the open transaction, as `topic-partition` keys. */
  readonly topicPartitions: Set<string>;
  /** When the open transaction started, -1 when none. */
  txnStartTimestamp: number;
  /** When the metadata last changed. */
  txnLastUpdateTimestamp: number;
  /** The state being written to the log, if any. */
  pendingState: TransactionState | null = null;
  /** A previous epoch fence may not have reached the log: the next fence does not bump again. */
  hasFailedEpochFence = false;

  /** Metadata in `state` (Empty for a new transactional id). */
  constructor(init: {
    transactionalId: string;
    producerId: number;
    lastProducerId?: number;
    producerEpoch: number;
    lastProducerEpoch?: number;
    txnTimeoutMs: number;
    state: TransactionState;
    topicPartitions?: Iterable<string>;
    txnStartTimestamp?: number;
    txnLastUpdateTimestamp: number;
  }) {
    this.transactionalId = init.transactionalId;
    this.producerId = init.producerId;
    this.lastProducerId = init.lastProducerId ?? NO_PRODUCER_ID;
    this.producerEpoch = init.producerEpoch;
    this.lastProducerEpoch = init.lastProducerEpoch ?? NO_PRODUCER_EPOCH;
    this.txnTimeoutMs = init.txnTimeoutMs;
    this.state = init.state;
    this.topicPartitions = new Set(init.topicPartitions ?? []);
    this.txnStartTimestamp = init.txnStartTimestamp ?? -1;
    this.txnLastUpdateTimestamp = init.txnLastUpdateTimestamp;
  }

  /** Whether a transition is being written. */
  get pendingTransitionInProgress(): boolean {
    return this.pendingState !== null;
  }

  /** Whether the epochs of the current producer id are used up. */
  get isProducerEpochExhausted(): boolean {
    return isEpochExhausted(this.producerEpoch);
  }

  /** Whether a transaction is open or being completed. */
  get hasPendingTransaction(): boolean {
    return this.state === S.Ongoing || this.state === S.PrepareAbort || this.state === S.PrepareCommit;
  }

  /** Bumps the epoch to fence the current producer before its transaction is aborted. */
  prepareFenceProducerEpoch(): TxnTransitMetadata {
    if (this.producerEpoch === MAX_PRODUCER_EPOCH) {
      throw new IllegalTransactionStateError(
        'Cannot fence producer with epoch equal to Short.MaxValue since this would overflow',
      );
    }
    // A fence whose write failed already bumped the epoch (never returned to a client): keep it.
    const bumped = this.hasFailedEpochFence ? this.producerEpoch : this.producerEpoch + 1;
    return this.prepareTransitionTo(
      S.PrepareEpochFence,
      this.producerId,
      bumped,
      NO_PRODUCER_EPOCH,
      this.txnTimeoutMs,
      new Set(this.topicPartitions),
      this.txnStartTimestamp,
      this.txnLastUpdateTimestamp,
    );
  }

  /**
   * InitProducerId: the next epoch. With `expectedEpoch` (KIP-360) a retry of a bump that
   * succeeded returns the current epoch again; an epoch that is neither current nor previous is
   * fenced (`'fenced'`).
   */
  prepareIncrementProducerEpoch(
    newTxnTimeoutMs: number,
    expectedEpoch: number | null,
    now: number,
  ): TxnTransitMetadata | 'fenced' {
    if (this.isProducerEpochExhausted) {
      throw new IllegalTransactionStateError(
        `Cannot allocate any more producer epochs for producerId ${this.producerId}`,
      );
    }
    const bumped = this.producerEpoch + 1;
    let next: number;
    let last: number;
    if (expectedEpoch === null) {
      next = bumped;
      last = NO_PRODUCER_EPOCH;
    } else if (this.producerEpoch === NO_PRODUCER_EPOCH || expectedEpoch === this.producerEpoch) {
      next = bumped;
      last = this.producerEpoch;
    } else if (expectedEpoch === this.lastProducerEpoch) {
      next = this.producerEpoch;
      last = this.lastProducerEpoch;
    } else {
      return 'fenced';
    }
    return this.prepareTransitionTo(
      S.Empty,
      this.producerId,
      next,
      last,
      newTxnTimeoutMs,
      new Set(),
      -1,
      now,
    );
  }

  /** InitProducerId once the epochs are exhausted: a new producer id at epoch 0. */
  prepareProducerIdRotation(
    newProducerId: number,
    newTxnTimeoutMs: number,
    now: number,
    recordLastEpoch: boolean,
  ): TxnTransitMetadata {
    if (this.hasPendingTransaction) {
      throw new IllegalTransactionStateError(
        'Cannot rotate producer ids while a transaction is still pending',
      );
    }
    return this.prepareTransitionTo(
      S.Empty,
      newProducerId,
      0,
      recordLastEpoch ? this.producerEpoch : NO_PRODUCER_EPOCH,
      newTxnTimeoutMs,
      new Set(),
      -1,
      now,
    );
  }

  /** AddPartitionsToTxn / AddOffsetsToTxn: the transaction is (or stays) Ongoing with more partitions. */
  prepareAddPartitions(added: Iterable<string>, now: number): TxnTransitMetadata {
    const start =
      this.state === S.Empty || this.state === S.CompleteAbort || this.state === S.CompleteCommit
        ? now
        : this.txnStartTimestamp;
    return this.prepareTransitionTo(
      S.Ongoing,
      this.producerId,
      this.producerEpoch,
      this.lastProducerEpoch,
      this.txnTimeoutMs,
      new Set([...this.topicPartitions, ...added]),
      start,
      now,
    );
  }

  /** EndTxn: PrepareCommit or PrepareAbort. */
  prepareAbortOrCommit(
    newState: TransactionState.PrepareCommit | TransactionState.PrepareAbort,
    now: number,
  ) {
    return this.prepareTransitionTo(
      newState,
      this.producerId,
      this.producerEpoch,
      this.lastProducerEpoch,
      this.txnTimeoutMs,
      new Set(this.topicPartitions),
      this.txnStartTimestamp,
      now,
    );
  }

  /** Every marker is written: CompleteCommit or CompleteAbort. */
  prepareComplete(now: number): TxnTransitMetadata {
    const newState = this.state === S.PrepareCommit ? S.CompleteCommit : S.CompleteAbort;
    // The fence reached the log with the Prepare record.
    this.hasFailedEpochFence = false;
    return this.prepareTransitionTo(
      newState,
      this.producerId,
      this.producerEpoch,
      this.lastProducerEpoch,
      this.txnTimeoutMs,
      new Set(),
      this.txnStartTimestamp,
      now,
    );
  }

  /** Expiration of the transactional id. */
  prepareDead(): TxnTransitMetadata {
    return this.prepareTransitionTo(
      S.Dead,
      this.producerId,
      this.producerEpoch,
      this.lastProducerEpoch,
      this.txnTimeoutMs,
      new Set(),
      this.txnStartTimestamp,
      this.txnLastUpdateTimestamp,
    );
  }

  /** A marker reached `key`'s partition: it no longer waits for one. */
  removePartition(key: string): void {
    if (this.state !== S.PrepareCommit && this.state !== S.PrepareAbort) {
      throw new IllegalTransactionStateError(
        `${this.transactionalId}: removing partition ${key} in state ${TRANSACTION_STATE_NAMES[this.state]}`,
      );
    }
    this.topicPartitions.delete(key);
  }

  private prepareTransitionTo(
    newState: TransactionState,
    producerId: number,
    producerEpoch: number,
    lastProducerEpoch: number,
    txnTimeoutMs: number,
    topicPartitions: Set<string>,
    txnStartTimestamp: number,
    txnLastUpdateTimestamp: number,
  ): TxnTransitMetadata {
    if (this.pendingState !== null) {
      throw new IllegalTransactionStateError(
        `${this.transactionalId}: preparing a transition to ${TRANSACTION_STATE_NAMES[newState]} while ${TRANSACTION_STATE_NAMES[this.pendingState]} is pending`,
      );
    }
    if (producerId < 0) throw new IllegalTransactionStateError(`illegal new producer id ${producerId}`);
    if (newState !== S.Dead && producerEpoch < 0) {
      throw new IllegalTransactionStateError(`illegal new producer epoch ${producerEpoch}`);
    }
    if (!VALID_PREVIOUS_STATES[newState].includes(this.state)) {
      throw new IllegalTransactionStateError(
        `${this.transactionalId}: ${TRANSACTION_STATE_NAMES[this.state]} cannot become ${TRANSACTION_STATE_NAMES[newState]}`,
      );
    }
    this.pendingState = newState;
    return {
      producerId,
      lastProducerId: this.producerId,
      producerEpoch,
      lastProducerEpoch,
      txnTimeoutMs,
      txnState: newState,
      topicPartitions,
      txnStartTimestamp,
      txnLastUpdateTimestamp,
    };
  }

  /** Applies a transition whose record reached the log; checks it is the one prepared. */
  completeTransitionTo(m: TxnTransitMetadata): void {
    const to = this.pendingState;
    if (to === null || to !== m.txnState) this.transitionFailure(m);
    const sameProducer = m.producerEpoch === this.producerEpoch && m.producerId === this.producerId;
    switch (to) {
      case S.Empty: {
        const validBump =
          m.producerEpoch === this.producerEpoch + 1 ||
          (m.producerEpoch === 0 && m.producerId !== this.producerId);
        if (
          (m.producerEpoch !== this.producerEpoch && !validBump) ||
          m.topicPartitions.size > 0 ||
          m.txnStartTimestamp !== -1
        ) {
          this.transitionFailure(m);
        }
        this.txnTimeoutMs = m.txnTimeoutMs;
        this.producerEpoch = m.producerEpoch;
        this.lastProducerEpoch = m.lastProducerEpoch;
        this.producerId = m.producerId;
        this.lastProducerId = m.lastProducerId;
        break;
      }
      case S.Ongoing:
        if (!sameProducer || this.txnTimeoutMs !== m.txnTimeoutMs) this.transitionFailure(m);
        for (const tp of this.topicPartitions) if (!m.topicPartitions.has(tp)) this.transitionFailure(m);
        this.txnStartTimestamp = m.txnStartTimestamp;
        for (const tp of m.topicPartitions) this.topicPartitions.add(tp);
        break;
      case S.PrepareAbort:
      case S.PrepareCommit:
        if (
          !sameProducer ||
          this.txnTimeoutMs !== m.txnTimeoutMs ||
          this.txnStartTimestamp !== m.txnStartTimestamp ||
          m.topicPartitions.size !== this.topicPartitions.size
        ) {
          this.transitionFailure(m);
        }
        break;
      case S.CompleteAbort:
      case S.CompleteCommit:
        if (!sameProducer || this.txnTimeoutMs !== m.txnTimeoutMs || m.txnStartTimestamp === -1) {
          this.transitionFailure(m);
        }
        this.txnStartTimestamp = m.txnStartTimestamp;
        this.topicPartitions.clear();
        break;
      default:
        // PrepareEpochFence is never completed (it becomes PrepareAbort); Dead is removed, not applied.
        this.transitionFailure(m);
    }
    this.txnLastUpdateTimestamp = m.txnLastUpdateTimestamp;
    this.pendingState = null;
    this.state = to as TransactionState;
  }

  private transitionFailure(m: TxnTransitMetadata): never {
    throw new IllegalTransactionStateError(
      `${this.transactionalId}: failed transition from ${TRANSACTION_STATE_NAMES[this.state]} to ${TRANSACTION_STATE_NAMES[m.txnState]} (epoch ${this.producerEpoch} → ${m.producerEpoch})`,
    );
  }
}
