/**
 * Kafka's TransactionStateManager: the transactional ids of the `__transaction_state` partitions
 * this broker leads (each partition cached with the coordinator epoch it was loaded at), their
 * reads and writes as records of those partitions, and the scans for timed-out transactions and
 * expired transactional ids. Appends are synchronous here (the local log), so a transition is
 * prepared, written and completed in one call.
 */
import { ErrorCode } from '@tskafka/protocol';
import { ApiError } from '../api-error.js';
import type { Clock } from '../clock.js';
import type { BrokerConfig } from '../config.js';
import { javaStringHashCode } from '../group/metadata-manager.js';
import type { ClusterMetadata, TopicState } from '../metadata.js';
import {
  TRANSACTION_STATE_NAMES,
  TransactionMetadata,
  TransactionState,
  type TxnTransitMetadata,
} from './metadata.js';
import {
  decodeTransactionLogKey,
  decodeTransactionLogValue,
  TRANSACTION_STATE_TOPIC_NAME,
  topicPartitionKey,
  transactionLogKey,
  transactionLogValue,
} from './records.js';
import { type TransactionLogStore, txnAppendError } from './store.js';

/** What the transaction coordinator needs of its broker node (BrokerNode satisfies it). */
export interface TxnCoordinatorHost {
  /** This broker's node id. */
  readonly nodeId: number;
  /** The broker configuration (transaction.* settings). */
  readonly config: BrokerConfig;
  /** The cluster metadata: the transaction topic, partition leaders, producer ids. */
  readonly metadata: ClusterMetadata;
  /** Logs a line. */
  log(level: 'debug' | 'info' | 'warn' | 'error', message: string): void;
}

/** How Kafka creates `__transaction_state`: compacted, uncompressed, 100 MiB segments. */
export const TRANSACTION_TOPIC_CONFIGS: Record<string, string> = {
  'cleanup.policy': 'compact',
  'compression.type': 'uncompressed',
  'segment.bytes': '104857600',
  'unclean.leader.election.enable': 'false',
};

/** The transaction state partition of a transactional id: `Utils.abs(id.hashCode) % partitions`. */
export function partitionForTransactionalId(transactionalId: string, numPartitions: number): number {
  return (javaStringHashCode(transactionalId) & 0x7fffffff) % numPartitions;
}

/** A transactional id's metadata with the coordinator epoch of its partition. */
export interface CoordinatorEpochAndTxnMetadata {
  /** Leader epoch of the transaction state partition when it was loaded. */
  coordinatorEpoch: number;
  /** The metadata. */
  metadata: TransactionMetadata;
}

/** A transaction found in PrepareCommit/PrepareAbort on load: its markers must be (re)sent. */
export interface TransactionPendingCompletion {
  /** The coordinator epoch it was loaded at. */
  coordinatorEpoch: number;
  /** Commit (true) or abort. */
  committed: boolean;
  /** The metadata. */
  metadata: TransactionMetadata;
  /** The prepared CompleteCommit/CompleteAbort transition. */
  complete: TxnTransitMetadata;
}

interface CacheEntry {
  coordinatorEpoch: number;
  txns: Map<string, TransactionMetadata>;
}

/** Listener of partition loads and unloads (the coordinator and its marker channel). */
export interface TxnLoadListener {
  /** A partition was loaded; `pending` lists the transactions whose markers must be written. */
  onLoaded(partition: number, pending: TransactionPendingCompletion[]): void;
  /** This broker no longer coordinates `partition`. */
  onUnloaded(partition: number): void;
}

/** The transaction state of the `__transaction_state` partitions this broker leads. */
export class TransactionStateManager {
  private readonly cache = new Map<number, CacheEntry>();
  private readonly host: TxnCoordinatorHost;
  private readonly store: TransactionLogStore;
  private readonly clock: Clock;
  private listener: TxnLoadListener | null = null;

  /** A manager persisting through `store`. */
  constructor(host: TxnCoordinatorHost, store: TransactionLogStore, clock: Clock) {
    this.host = host;
    this.store = store;
    this.clock = clock;
  }

  /** Sets who hears of loads and unloads. */
  setListener(listener: TxnLoadListener): void {
    this.listener = listener;
  }

  /** The transaction topic, if it exists yet. */
  get transactionTopic(): TopicState | undefined {
    return this.host.metadata.topics.get(TRANSACTION_STATE_TOPIC_NAME);
  }

  /** Partitions of the transaction topic: its own count once it exists, else the configured one. */
  get numPartitions(): number {
    return this.transactionTopic?.partitions.length || this.host.config.transactionStateLogNumPartitions;
  }

  /** The transaction state partition of `transactionalId`. */
  partitionFor(transactionalId: string): number {
    return partitionForTransactionalId(transactionalId, this.numPartitions);
  }

  /** Whether `timeoutMs` is within `transaction.max.timeout.ms` (and positive). */
  validateTransactionTimeoutMs(timeoutMs: number): boolean {
    return timeoutMs > 0 && timeoutMs <= this.host.config.transactionMaxTimeoutMs;
  }

  /**
   * Creates `__transaction_state` if it does not exist yet (Kafka creates it on the first
   * FindCoordinator for a transactional id). Throws ApiError when it cannot.
   */
  ensureTransactionTopic(): TopicState {
    const existing = this.transactionTopic;
    if (existing) return existing;
    const cfg = this.host.config;
    const alive = this.host.metadata.aliveBrokers().length;
    if (alive < cfg.transactionStateLogReplicationFactor) {
      throw new ApiError(
        ErrorCode.COORDINATOR_NOT_AVAILABLE,
        `Number of alive brokers '${alive}' does not meet the required replication factor '${cfg.transactionStateLogReplicationFactor}' for the transactions state topic (configured via 'transaction.state.log.replication.factor').`,
      );
    }
    this.host.log(
      'info',
      `creating ${TRANSACTION_STATE_TOPIC_NAME} with ${cfg.transactionStateLogNumPartitions} partitions`,
    );
    return this.host.metadata.createTopic(TRANSACTION_STATE_TOPIC_NAME, {
      numPartitions: cfg.transactionStateLogNumPartitions,
      replicationFactor: cfg.transactionStateLogReplicationFactor,
      internal: true,
      configs: TRANSACTION_TOPIC_CONFIGS,
    });
  }

  /**
   * The metadata of `transactionalId`: `{ error }` (NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS)
   * when this broker does not serve it now, else the entry (metadata undefined when unknown; with
   * `create`, the given metadata is added for an unknown id).
   */
  getTransactionState(
    transactionalId: string,
    create?: TransactionMetadata,
  ): { error: number } | { coordinatorEpoch: number; metadata: TransactionMetadata | undefined } {
    const p = this.partitionFor(transactionalId);
    const error = this.checkOwnership(p);
    if (error !== ErrorCode.NONE) return { error };
    const entry = this.cache.get(p) as CacheEntry;
    let metadata = entry.txns.get(transactionalId);
    if (!metadata && create) {
      metadata = create;
      entry.txns.set(transactionalId, create);
    }
    return { coordinatorEpoch: entry.coordinatorEpoch, metadata };
  }

  /** 0 when this broker leads partition `p` and has loaded it; loads it on first use, unloads it when leadership moved. */
  private checkOwnership(p: number): number {
    const ps = this.transactionTopic?.partitions[p];
    if (!ps || ps.leader !== this.host.nodeId) {
      if (this.cache.has(p)) this.unloadPartition(p);
      return ErrorCode.NOT_COORDINATOR;
    }
    if (this.cache.has(p) && this.cache.get(p)?.coordinatorEpoch !== ps.leaderEpoch) this.unloadPartition(p);
    if (!this.cache.has(p) && !this.loadPartition(p, ps.leaderEpoch))
      return ErrorCode.COORDINATOR_LOAD_IN_PROGRESS;
    return ErrorCode.NONE;
  }

  /** Loads every partition this broker leads and unloads those it no longer leads. */
  syncOwnership(): void {
    const topic = this.transactionTopic;
    for (const p of [...this.cache.keys()]) {
      const ps = topic?.partitions[p];
      if (ps?.leader !== this.host.nodeId || ps.leaderEpoch !== this.cache.get(p)?.coordinatorEpoch) {
        this.unloadPartition(p);
      }
    }
    for (const ps of topic?.partitions ?? []) {
      if (ps.leader === this.host.nodeId && !this.cache.has(ps.partition)) {
        this.loadPartition(ps.partition, ps.leaderEpoch);
      }
    }
  }

  /**
   * Replays partition `p` (Kafka's loadTransactionMetadata): the last record of a transactional id
   * wins, a tombstone removes it. Transactions left in PrepareCommit/PrepareAbort are handed to the
   * listener to complete. Returns false when the partition cannot be read yet.
   */
  loadPartition(p: number, coordinatorEpoch: number): boolean {
    const loaded = new Map<string, TransactionMetadata>();
    try {
      this.store.replay(p, (key, value, offset) => {
        if (!key) return;
        try {
          const transactionalId = decodeTransactionLogKey(key);
          if (transactionalId === null) return;
          if (value === null) {
            loaded.delete(transactionalId);
            return;
          }
          const v = decodeTransactionLogValue(value);
          const state = v.transactionStatus as TransactionState;
          if (!(state in TRANSACTION_STATE_NAMES)) throw new Error(`unknown transaction state ${state}`);
          const partitions: string[] = [];
          if (state !== TransactionState.Empty) {
            for (const t of v.transactionPartitions ?? [])
              for (const id of t.partitionIds) partitions.push(topicPartitionKey(t.topic, id));
          }
          loaded.set(
            transactionalId,
            new TransactionMetadata({
              transactionalId,
              producerId: v.producerId,
              producerEpoch: v.producerEpoch,
              txnTimeoutMs: v.transactionTimeoutMs,
              state,
              topicPartitions: partitions,
              txnStartTimestamp: v.transactionStartTimestampMs,
              txnLastUpdateTimestamp: v.transactionLastUpdateTimestampMs,
            }),
          );
        } catch (e) {
          this.host.log(
            'warn',
            `${TRANSACTION_STATE_TOPIC_NAME}-${p}: skipping the undecodable record at offset ${offset}: ${(e as Error).message}`,
          );
        }
      });
    } catch (e) {
      this.host.log('warn', `cannot load ${TRANSACTION_STATE_TOPIC_NAME}-${p} yet: ${(e as Error).message}`);
      return false;
    }
    this.cache.set(p, { coordinatorEpoch, txns: loaded });
    const pending: TransactionPendingCompletion[] = [];
    const now = this.clock.now();
    for (const m of loaded.values()) {
      if (m.state === TransactionState.PrepareCommit || m.state === TransactionState.PrepareAbort) {
        pending.push({
          coordinatorEpoch,
          committed: m.state === TransactionState.PrepareCommit,
          metadata: m,
          complete: m.prepareComplete(now),
        });
      }
    }
    this.host.log(
      'info',
      `loaded ${loaded.size} transactional ids from ${TRANSACTION_STATE_TOPIC_NAME}-${p} at coordinator epoch ${coordinatorEpoch}`,
    );
    this.listener?.onLoaded(p, pending);
    return true;
  }

  /** Drops partition `p` from the cache (this broker no longer leads it). */
  unloadPartition(p: number): void {
    if (!this.cache.delete(p)) return;
    this.listener?.onUnloaded(p);
    this.host.log('info', `unloaded the transactional ids of ${TRANSACTION_STATE_TOPIC_NAME}-${p}`);
  }

  /** Unloads everything (shutdown). */
  unloadAll(): void {
    for (const p of [...this.cache.keys()]) this.unloadPartition(p);
  }

  /** Every cached transactional id, with the coordinator epoch of its partition. */
  *allTransactions(): Generator<CoordinatorEpochAndTxnMetadata> {
    for (const entry of this.cache.values()) {
      for (const metadata of entry.txns.values())
        yield { coordinatorEpoch: entry.coordinatorEpoch, metadata };
    }
  }

  /**
   * Writes `transit` as the transactional id's record, then completes the transition (Kafka's
   * appendTransactionToLog). Returns 0 or the error for the client. On an error the pending state is
   * reset, unless `retryOnError(error)` says the caller will write the same transition again.
   */
  appendTransactionToLog(
    transactionalId: string,
    coordinatorEpoch: number,
    transit: TxnTransitMetadata,
    retryOnError: (error: number) => boolean = () => false,
  ): number {
    const before = this.getTransactionState(transactionalId);
    if ('error' in before) return before.error;
    if (!before.metadata || before.coordinatorEpoch !== coordinatorEpoch) return ErrorCode.NOT_COORDINATOR;
    const metadata = before.metadata;
    const p = this.partitionFor(transactionalId);
    const value = transit.txnState === TransactionState.Dead ? null : transactionLogValue(transit);
    let error: number = ErrorCode.NONE;
    try {
      this.store.append(p, [{ key: transactionLogKey(transactionalId), value }], this.clock.now());
    } catch (e) {
      if (e instanceof ApiError) error = txnAppendError(e.code);
      else {
        this.host.log(
          'error',
          `cannot append to ${TRANSACTION_STATE_TOPIC_NAME}-${p}: ${(e as Error).stack}`,
        );
        error = ErrorCode.UNKNOWN_SERVER_ERROR;
      }
    }
    if (error !== ErrorCode.NONE) {
      this.host.log(
        'info',
        `appending ${transactionalId}'s transition to ${TRANSACTION_STATE_NAMES[transit.txnState]} failed with error ${error}`,
      );
      if (!retryOnError(error)) metadata.pendingState = null;
      return error;
    }
    if (transit.txnState === TransactionState.Dead) {
      const entry = this.cache.get(p);
      if (entry?.txns.get(transactionalId) === metadata) entry.txns.delete(transactionalId);
      return ErrorCode.NONE;
    }
    metadata.completeTransitionTo(transit);
    return ErrorCode.NONE;
  }

  /** Ongoing transactions open longer than their timeout and not in a transition (Kafka's timedOutTransactions). */
  timedOutTransactions(
    now: number,
  ): { transactionalId: string; producerId: number; producerEpoch: number }[] {
    const out: { transactionalId: string; producerId: number; producerEpoch: number }[] = [];
    for (const { metadata: m } of this.allTransactions()) {
      if (m.pendingTransitionInProgress || m.state !== TransactionState.Ongoing) continue;
      if (m.txnStartTimestamp + m.txnTimeoutMs < now) {
        out.push({
          transactionalId: m.transactionalId,
          producerId: m.producerId,
          producerEpoch: m.producerEpoch,
        });
      }
    }
    return out;
  }

  /**
   * Removes transactional ids idle for `transactional.id.expiration.ms` with no transaction open:
   * a tombstone each, then out of the cache. Returns how many were removed.
   */
  expireTransactionalIds(now: number): number {
    const cutoff = now - this.host.config.transactionalIdExpirationMs;
    let removed = 0;
    for (const { coordinatorEpoch, metadata: m } of [...this.allTransactions()]) {
      if (m.pendingTransitionInProgress || m.txnLastUpdateTimestamp > cutoff) continue;
      const s = m.state;
      if (
        s !== TransactionState.Empty &&
        s !== TransactionState.CompleteCommit &&
        s !== TransactionState.CompleteAbort
      ) {
        continue;
      }
      const error = this.appendTransactionToLog(m.transactionalId, coordinatorEpoch, m.prepareDead());
      if (error === ErrorCode.NONE) removed++;
      else this.host.log('warn', `cannot expire transactional id ${m.transactionalId}: error ${error}`);
    }
    if (removed > 0) this.host.log('info', `expired ${removed} transactional ids`);
    return removed;
  }
}
