/**
 * The transaction coordinator of the reference broker, after Apache Kafka's TransactionCoordinator:
 * InitProducerId for transactional ids (epoch bumps, fencing, KIP-360 recovery), AddPartitionsToTxn
 * and AddOffsetsToTxn, EndTxn (Prepare* logged, client answered, markers written, Complete*
 * logged), the abort of timed-out transactions and the expiration of idle transactional ids.
 * Every transition is prepared on the {@link TransactionMetadata}, written to
 * `__transaction_state` through the {@link TransactionStateManager}, then applied; timers run on an
 * injectable {@link Clock}, markers go through a {@link TxnMarkerChannel}.
 */
import { ErrorCode } from '@tskafka/protocol';
import { type Clock, systemClock, type TimerHandle } from '../clock.js';
import type { InternalLog } from '../group/store.js';
import type { TopicState } from '../metadata.js';
import {
  BrokerTxnMarkerChannel,
  type MarkerChannelHost,
  TransactionMarkerChannelManager,
  type TxnMarkerChannel,
} from './marker-channel.js';
import {
  isEpochExhausted,
  NO_PRODUCER_EPOCH,
  NO_PRODUCER_ID,
  TRANSACTION_STATE_NAMES,
  TransactionMetadata,
  TransactionState,
  type TxnTransitMetadata,
} from './metadata.js';
import { parseTopicPartition, TRANSACTION_STATE_TOPIC_NAME, topicPartitionKey } from './records.js';
import { TransactionStateManager } from './state-manager.js';
import { ReplicaLogTransactionStore, type TransactionLogStore } from './store.js';

/** What the coordinator needs of its broker node (BrokerNode satisfies it). */
export interface TransactionCoordinatorHost extends MarkerChannelHost {
  /** The local log, for the transaction topic's records. */
  readonly replicaManager: MarkerChannelHost['replicaManager'] & InternalLog;
}

/** Options of {@link TransactionCoordinator} besides its host. */
export interface TransactionCoordinatorOptions {
  /** Where state is persisted (default: the broker's `__transaction_state` partitions). */
  store?: TransactionLogStore;
  /** Time and timers (default: the system clock). */
  clock?: Clock;
  /** Where markers go (default: the local replica manager and WriteTxnMarkers to other brokers). */
  markerChannel?: TxnMarkerChannel;
}

/** InitProducerId's answer. */
export interface InitProducerIdResult {
  /** 0 or the error. */
  errorCode: number;
  /** The producer id, -1 on error. */
  producerId: number;
  /** The producer epoch, -1 on error. */
  producerEpoch: number;
}

/** A transaction as DescribeTransactions shows it. */
export interface DescribedTransaction {
  /** 0, or COORDINATOR_NOT_AVAILABLE / NOT_COORDINATOR / TRANSACTIONAL_ID_NOT_FOUND / ... */
  errorCode: number;
  /** The transactional id. */
  transactionalId: string;
  /** The state's name. */
  transactionState: string;
  /** The timeout. */
  transactionTimeoutMs: number;
  /** When the open transaction started, -1 when none. */
  transactionStartTimeMs: number;
  /** The producer id. */
  producerId: number;
  /** The producer epoch. */
  producerEpoch: number;
  /** Partitions of the transaction, by topic. */
  topics: { topic: string; partitions: number[] }[];
}

/** A DescribeTransactions entry that carries only `errorCode`: nothing known of the id. */
export function undescribedTransaction(transactionalId: string, errorCode: number): DescribedTransaction {
  return {
    errorCode,
    transactionalId,
    transactionState: '',
    transactionTimeoutMs: 0,
    transactionStartTimeMs: -1,
    producerId: -1,
    producerEpoch: -1,
    topics: [],
  };
}

function initError(errorCode: number): InitProducerIdResult {
  return { errorCode, producerId: NO_PRODUCER_ID, producerEpoch: NO_PRODUCER_EPOCH };
}

/** The transaction coordinator of one broker (`node.txnCoordinator`). */
export class TransactionCoordinator {
  /** The transactional ids of the partitions this broker leads. */
  readonly stateManager: TransactionStateManager;
  /** The markers being written. */
  readonly markerManager: TransactionMarkerChannelManager;
  private readonly host: TransactionCoordinatorHost;
  private readonly clock: Clock;
  private active = false;
  private listening = false;
  private abortTimer: TimerHandle | null = null;
  private expirationTimer: TimerHandle | null = null;

  /** A coordinator for `host` (a BrokerNode), not yet started. */
  constructor(host: TransactionCoordinatorHost, opts: TransactionCoordinatorOptions = {}) {
    this.host = host;
    this.clock = opts.clock ?? systemClock;
    this.stateManager = new TransactionStateManager(
      host,
      opts.store ?? new ReplicaLogTransactionStore(host.replicaManager),
      this.clock,
    );
    this.markerManager = new TransactionMarkerChannelManager(
      host,
      this.stateManager,
      opts.markerChannel ?? new BrokerTxnMarkerChannel(host),
      this.clock,
    );
    this.stateManager.setListener({
      // A reloaded partition may hold transactions whose markers were not all written.
      onLoaded: (_p, pending) => {
        for (const t of pending)
          this.markerManager.addTxnMarkersToSend(t.coordinatorEpoch, t.committed, t.metadata, t.complete);
      },
      onUnloaded: (p) => this.markerManager.removeMarkersForTxnTopicPartition(p),
    });
  }

  /** Whether the coordinator serves requests (between start and stop). */
  get isActive(): boolean {
    return this.active;
  }

  /** Loads the partitions of `__transaction_state` this broker leads and starts the periodic tasks. */
  start(): void {
    this.active = true;
    if (!this.listening) {
      this.listening = true;
      this.host.metadata.onChange((c) => {
        if (this.active && 'topic' in c && c.topic.name === TRANSACTION_STATE_TOPIC_NAME) {
          this.stateManager.syncOwnership();
        }
      });
    }
    this.stateManager.syncOwnership();
    this.scheduleAbortTimedOut();
    this.scheduleExpiration();
  }

  /** Stops serving: timers and marker sends stop, nothing more is written. */
  stop(): void {
    this.active = false;
    if (this.abortTimer) this.clock.clearTimeout(this.abortTimer);
    if (this.expirationTimer) this.clock.clearTimeout(this.expirationTimer);
    this.abortTimer = null;
    this.expirationTimer = null;
    this.markerManager.close();
    this.stateManager.unloadAll();
  }

  private scheduleAbortTimedOut(): void {
    this.abortTimer = this.clock.setTimeout(() => {
      if (!this.active) return;
      this.abortTimedOutTransactions();
      this.scheduleAbortTimedOut();
    }, this.host.config.transactionAbortTimedOutTransactionCleanupIntervalMs);
  }

  private scheduleExpiration(): void {
    this.expirationTimer = this.clock.setTimeout(() => {
      if (!this.active) return;
      this.stateManager.expireTransactionalIds(this.clock.now());
      this.scheduleExpiration();
    }, this.host.config.transactionRemoveExpiredTransactionCleanupIntervalMs);
  }

  /**
   * The broker coordinating `transactionalId`, creating `__transaction_state` on first use;
   * COORDINATOR_NOT_AVAILABLE when the topic cannot be created or the partition has no live leader.
   */
  findCoordinator(transactionalId: string): {
    errorCode: number;
    errorMessage: string | null;
    nodeId: number;
    host: string;
    port: number;
  } {
    const unavailable = (message: string) => ({
      errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE,
      errorMessage: message,
      nodeId: -1,
      host: '',
      port: -1,
    });
    let topic: TopicState;
    try {
      topic = this.stateManager.ensureTransactionTopic();
    } catch (e) {
      this.host.log('warn', `cannot create ${TRANSACTION_STATE_TOPIC_NAME}: ${(e as Error).message}`);
      return unavailable((e as Error).message);
    }
    const ps = topic.partitions[this.stateManager.partitionFor(transactionalId)];
    const broker = ps && ps.leader >= 0 ? this.host.metadata.brokers.get(ps.leader) : undefined;
    if (!broker?.alive) return unavailable('The coordinator is not available.');
    return {
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      nodeId: broker.nodeId,
      host: broker.host,
      port: broker.port,
    };
  }

  // ---------------------------------------------------------------- InitProducerId

  /**
   * InitProducerId with a transactional id: a new producer id at epoch 0 the first time, the next
   * epoch afterwards (fencing older producers), a new producer id once the epochs run out. An open
   * transaction is aborted first and the client told CONCURRENT_TRANSACTIONS until that is done.
   * `expected` (v3+, KIP-360) is the producer id and epoch the client had.
   */
  handleInitProducerId(
    transactionalId: string,
    transactionTimeoutMs: number,
    expected: { producerId: number; producerEpoch: number } | null,
  ): InitProducerIdResult {
    if (!this.active) return initError(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    if (transactionalId === '') return initError(ErrorCode.INVALID_REQUEST);
    if (!this.stateManager.validateTransactionTimeoutMs(transactionTimeoutMs)) {
      return initError(ErrorCode.INVALID_TRANSACTION_TIMEOUT);
    }
    let s = this.stateManager.getTransactionState(transactionalId);
    if ('error' in s) return initError(s.error);
    if (!s.metadata) {
      const created = new TransactionMetadata({
        transactionalId,
        producerId: this.host.metadata.allocateProducerId(),
        producerEpoch: NO_PRODUCER_EPOCH,
        txnTimeoutMs: transactionTimeoutMs,
        state: TransactionState.Empty,
        txnLastUpdateTimestamp: this.clock.now(),
      });
      s = this.stateManager.getTransactionState(transactionalId, created);
      if ('error' in s || !s.metadata) return initError(ErrorCode.NOT_COORDINATOR);
    }
    const { coordinatorEpoch, metadata } = s;
    const transit = this.prepareInitProducerIdTransit(transactionTimeoutMs, metadata, expected);
    if (typeof transit === 'number') return initError(transit);
    if (transit.txnState === TransactionState.PrepareEpochFence) {
      // Abort the open transaction under the bumped epoch; the client retries until it is done.
      const error = this.fenceAndAbort(metadata, transit);
      return initError(error === ErrorCode.NONE ? ErrorCode.CONCURRENT_TRANSACTIONS : error);
    }
    const error = this.stateManager.appendTransactionToLog(transactionalId, coordinatorEpoch, transit);
    if (error !== ErrorCode.NONE) return initError(error);
    this.host.log(
      'info',
      `initialized transactional id ${transactionalId} with producer id ${transit.producerId} and epoch ${transit.producerEpoch} on ${TRANSACTION_STATE_TOPIC_NAME}-${this.stateManager.partitionFor(transactionalId)}`,
    );
    return {
      errorCode: ErrorCode.NONE,
      producerId: transit.producerId,
      producerEpoch: transit.producerEpoch,
    };
  }

  private prepareInitProducerIdTransit(
    transactionTimeoutMs: number,
    m: TransactionMetadata,
    expected: { producerId: number; producerEpoch: number } | null,
  ): TxnTransitMetadata | number {
    if (m.pendingTransitionInProgress) return ErrorCode.CONCURRENT_TRANSACTIONS;
    // A given producer id must be the current one, unless the metadata was just created or it is a
    // retry after an id rotation the producer never heard of.
    if (
      expected &&
      !(
        m.producerEpoch === NO_PRODUCER_EPOCH ||
        expected.producerId === m.producerId ||
        (expected.producerId === m.lastProducerId && isEpochExhausted(expected.producerEpoch))
      )
    ) {
      return ErrorCode.PRODUCER_FENCED;
    }
    switch (m.state) {
      case TransactionState.PrepareAbort:
      case TransactionState.PrepareCommit:
        return ErrorCode.CONCURRENT_TRANSACTIONS;
      case TransactionState.CompleteAbort:
      case TransactionState.CompleteCommit:
      case TransactionState.Empty: {
        if (m.isProducerEpochExhausted && (!expected || expected.producerEpoch === m.producerEpoch)) {
          return m.prepareProducerIdRotation(
            this.host.metadata.allocateProducerId(),
            transactionTimeoutMs,
            this.clock.now(),
            expected !== null,
          );
        }
        const t = m.prepareIncrementProducerEpoch(
          transactionTimeoutMs,
          expected?.producerEpoch ?? null,
          this.clock.now(),
        );
        return t === 'fenced' ? ErrorCode.PRODUCER_FENCED : t;
      }
      case TransactionState.Ongoing:
        // This bumped epoch is never returned: the abort bumps it, and the client's retry bumps it
        // again (or rotates the producer id when that exhausts the epochs).
        return m.prepareFenceProducerEpoch();
      default:
        this.host.log(
          'error',
          `transactional id ${m.transactionalId} is in state ${TRANSACTION_STATE_NAMES[m.state]}`,
        );
        return ErrorCode.UNKNOWN_SERVER_ERROR;
    }
  }

  // ---------------------------------------------------------------- AddPartitionsToTxn / AddOffsetsToTxn

  /**
   * Adds partitions (`topic-partition` keys) to the transaction, starting it when none is open.
   * Returns 0 or the error for every partition.
   */
  handleAddPartitionsToTransaction(
    transactionalId: string,
    producerId: number,
    producerEpoch: number,
    partitions: { topic: string; partition: number }[],
  ): number {
    if (!this.active) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    if (transactionalId === '') return ErrorCode.INVALID_REQUEST;
    const s = this.stateManager.getTransactionState(transactionalId);
    if ('error' in s) return s.error;
    const m = s.metadata;
    if (!m || m.producerId !== producerId) return ErrorCode.INVALID_PRODUCER_ID_MAPPING;
    if (m.producerEpoch !== producerEpoch) return ErrorCode.PRODUCER_FENCED;
    if (m.pendingTransitionInProgress) return ErrorCode.CONCURRENT_TRANSACTIONS;
    if (m.state === TransactionState.PrepareCommit || m.state === TransactionState.PrepareAbort) {
      return ErrorCode.CONCURRENT_TRANSACTIONS;
    }
    const keys = partitions.map((p) => topicPartitionKey(p.topic, p.partition));
    if (m.state === TransactionState.Ongoing && keys.every((k) => m.topicPartitions.has(k)))
      return ErrorCode.NONE;
    return this.stateManager.appendTransactionToLog(
      transactionalId,
      s.coordinatorEpoch,
      m.prepareAddPartitions(keys, this.clock.now()),
    );
  }

  /**
   * AddPartitionsToTxn v4+ with verifyOnly (brokers checking a transactional produce): per
   * partition 0 when it is in the open transaction, else INVALID_TXN_STATE; the whole transaction
   * gets the coordinator or producer error.
   */
  handleVerifyPartitionsInTransaction(
    transactionalId: string,
    producerId: number,
    producerEpoch: number,
    partitions: { topic: string; partition: number }[],
  ): { topic: string; partition: number; errorCode: number }[] {
    const all = (errorCode: number) => partitions.map((p) => ({ ...p, errorCode }));
    if (!this.active) return all(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    if (transactionalId === '') return all(ErrorCode.INVALID_REQUEST);
    const s = this.stateManager.getTransactionState(transactionalId);
    if ('error' in s) return all(s.error);
    const m = s.metadata;
    if (!m || m.producerId !== producerId) return all(ErrorCode.INVALID_PRODUCER_ID_MAPPING);
    if (m.producerEpoch !== producerEpoch) return all(ErrorCode.PRODUCER_FENCED);
    if (m.pendingTransitionInProgress) return all(ErrorCode.CONCURRENT_TRANSACTIONS);
    return partitions.map((p) => ({
      ...p,
      errorCode:
        m.state === TransactionState.Ongoing && m.topicPartitions.has(topicPartitionKey(p.topic, p.partition))
          ? ErrorCode.NONE
          : ErrorCode.INVALID_TXN_STATE,
    }));
  }

  // ---------------------------------------------------------------- EndTxn

  /** EndTxn from a client: commit or abort the open transaction. Returns 0 or the error. */
  handleEndTransaction(
    transactionalId: string,
    producerId: number,
    producerEpoch: number,
    committed: boolean,
  ): number {
    if (!this.active) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    return this.endTransaction(transactionalId, producerId, producerEpoch, committed, true);
  }

  /**
   * Kafka's endTransaction: writes PrepareCommit/PrepareAbort, then starts the markers and returns
   * (the client is answered before the markers are written). A retried EndTxn for a transaction
   * already completed the same way succeeds; one still being completed gets CONCURRENT_TRANSACTIONS.
   * `isFromClient` false is the coordinator aborting on its own (timeout, fencing) under a bumped epoch.
   */
  private endTransaction(
    transactionalId: string,
    producerId: number,
    producerEpoch: number,
    committed: boolean,
    isFromClient: boolean,
  ): number {
    if (transactionalId === '') return ErrorCode.INVALID_REQUEST;
    const s = this.stateManager.getTransactionState(transactionalId);
    if ('error' in s) return s.error;
    const m = s.metadata;
    if (!m || m.producerId !== producerId) return ErrorCode.INVALID_PRODUCER_ID_MAPPING;
    // Clients must use the current epoch; the coordinator's own abort may carry the bumped one.
    if ((isFromClient && producerEpoch !== m.producerEpoch) || producerEpoch < m.producerEpoch) {
      return ErrorCode.PRODUCER_FENCED;
    }
    if (m.pendingTransitionInProgress && m.pendingState !== TransactionState.PrepareEpochFence) {
      return ErrorCode.CONCURRENT_TRANSACTIONS;
    }
    let isEpochFence = false;
    const invalid = () => {
      this.host.log(
        'debug',
        `transactional id ${transactionalId} is ${TRANSACTION_STATE_NAMES[m.state]}, cannot ${committed ? 'commit' : 'abort'}`,
      );
      return ErrorCode.INVALID_TXN_STATE;
    };
    let transit: TxnTransitMetadata;
    switch (m.state) {
      case TransactionState.Ongoing: {
        const next = committed ? TransactionState.PrepareCommit : TransactionState.PrepareAbort;
        if (next === TransactionState.PrepareAbort && m.pendingState === TransactionState.PrepareEpochFence) {
          // Make way for PrepareAbort under the bumped epoch.
          isEpochFence = true;
          m.pendingState = null;
          m.producerEpoch = producerEpoch;
          m.lastProducerEpoch = NO_PRODUCER_EPOCH;
        }
        transit = m.prepareAbortOrCommit(next, this.clock.now());
        break;
      }
      case TransactionState.CompleteCommit:
        return committed ? ErrorCode.NONE : invalid();
      case TransactionState.CompleteAbort:
        return committed ? invalid() : ErrorCode.NONE;
      case TransactionState.PrepareCommit:
        return committed ? ErrorCode.CONCURRENT_TRANSACTIONS : invalid();
      case TransactionState.PrepareAbort:
        return committed ? invalid() : ErrorCode.CONCURRENT_TRANSACTIONS;
      case TransactionState.Empty:
        return invalid();
      default:
        this.host.log(
          'error',
          `transactional id ${transactionalId} is in state ${TRANSACTION_STATE_NAMES[m.state]}`,
        );
        return ErrorCode.UNKNOWN_SERVER_ERROR;
    }
    const error = this.stateManager.appendTransactionToLog(transactionalId, s.coordinatorEpoch, transit);
    if (error !== ErrorCode.NONE) {
      // The bumped epoch stays in memory but never reached a client: do not bump it again.
      if (isEpochFence) m.hasFailedEpochFence = true;
      return error;
    }
    const complete = m.prepareComplete(this.clock.now());
    this.markerManager.addTxnMarkersToSend(s.coordinatorEpoch, committed, m, complete);
    return ErrorCode.NONE;
  }

  // ---------------------------------------------------------------- timeouts

  /**
   * Aborts every Ongoing transaction open longer than its timeout, bumping the producer epoch
   * first so the producer that went quiet is fenced (Kafka's abortTimedOutTransactions).
   */
  abortTimedOutTransactions(): number {
    let aborted = 0;
    for (const t of this.stateManager.timedOutTransactions(this.clock.now())) {
      const s = this.stateManager.getTransactionState(t.transactionalId);
      if ('error' in s || !s.metadata) continue;
      const m = s.metadata;
      if (m.producerId !== t.producerId || m.pendingTransitionInProgress) continue;
      const error = this.fenceAndAbort(m, m.prepareFenceProducerEpoch());
      if (error === ErrorCode.NONE) {
        aborted++;
        this.host.log('info', `aborting the timed-out transaction of ${t.transactionalId}`);
      } else {
        this.host.log(
          'warn',
          `cannot abort the timed-out transaction of ${t.transactionalId}: error ${error}`,
        );
      }
    }
    return aborted;
  }

  /** Aborts `m`'s open transaction under the epoch `fence` bumped to; a fence that did not happen is undone. */
  private fenceAndAbort(m: TransactionMetadata, fence: TxnTransitMetadata): number {
    const error = this.endTransaction(m.transactionalId, fence.producerId, fence.producerEpoch, false, false);
    if (m.pendingState === TransactionState.PrepareEpochFence) m.pendingState = null;
    return error;
  }

  // ---------------------------------------------------------------- DescribeTransactions / ListTransactions

  /** DescribeTransactions for one transactional id. */
  handleDescribeTransaction(transactionalId: string): DescribedTransaction {
    const base = undescribedTransaction(transactionalId, ErrorCode.NONE);
    if (!this.active) return { ...base, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE };
    if (transactionalId === '') return { ...base, errorCode: ErrorCode.INVALID_REQUEST };
    const s = this.stateManager.getTransactionState(transactionalId);
    if ('error' in s) return { ...base, errorCode: s.error };
    const m = s.metadata;
    if (!m || m.state === TransactionState.Dead)
      return { ...base, errorCode: ErrorCode.TRANSACTIONAL_ID_NOT_FOUND };
    const topics = new Map<string, number[]>();
    for (const key of m.topicPartitions) {
      const { topic, partition } = parseTopicPartition(key);
      const list = topics.get(topic);
      if (list) list.push(partition);
      else topics.set(topic, [partition]);
    }
    return {
      ...base,
      transactionState: TRANSACTION_STATE_NAMES[m.state],
      transactionTimeoutMs: m.txnTimeoutMs,
      transactionStartTimeMs: m.txnStartTimestamp,
      producerId: m.producerId,
      producerEpoch: m.producerEpoch,
      topics: [...topics].map(([topic, partitions]) => ({ topic, partitions })),
    };
  }

  /**
   * ListTransactions: the transactional ids this broker coordinates, filtered by state names,
   * producer ids and (v1) a minimum running time; unknown state names are reported back.
   */
  handleListTransactions(
    stateFilters: string[],
    producerIdFilters: number[],
    durationFilterMs: number,
  ): {
    errorCode: number;
    unknownStateFilters: string[];
    transactionStates: { transactionalId: string; producerId: number; transactionState: string }[];
  } {
    if (!this.active) {
      return {
        errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE,
        unknownStateFilters: [],
        transactionStates: [],
      };
    }
    const known = new Set(Object.values(TRANSACTION_STATE_NAMES));
    const unknownStateFilters = stateFilters.filter((f) => !known.has(f));
    const states = new Set(stateFilters.filter((f) => known.has(f)));
    const pids = new Set(producerIdFilters);
    const now = this.clock.now();
    const transactionStates: { transactionalId: string; producerId: number; transactionState: string }[] = [];
    // Asking only for unknown states matches nothing, as in Kafka.
    if (stateFilters.length === 0 || states.size > 0) {
      for (const { metadata: m } of this.stateManager.allTransactions()) {
        const name = TRANSACTION_STATE_NAMES[m.state];
        if (m.state === TransactionState.Dead) continue;
        if (states.size > 0 && !states.has(name)) continue;
        if (pids.size > 0 && !pids.has(m.producerId)) continue;
        if (durationFilterMs >= 0 && now - m.txnStartTimestamp <= durationFilterMs) continue;
        transactionStates.push({
          transactionalId: m.transactionalId,
          producerId: m.producerId,
          transactionState: name,
        });
      }
    }
    return { errorCode: ErrorCode.NONE, unknownStateFilters, transactionStates };
  }
}
