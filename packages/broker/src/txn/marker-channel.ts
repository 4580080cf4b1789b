/**
 * Writing a transaction's COMMIT/ABORT markers, after Kafka's TransactionMarkerChannelManager and
 * TransactionMarkerRequestCompletionHandler. Once PrepareCommit/PrepareAbort is in the log, the
 * partitions of the transaction are grouped by leader and each leader gets one WriteTxnMarkers
 * (this broker's own partitions through the replica manager, the others' over the wire). A
 * partition leaves the transaction when its marker is stored; retriable failures and partitions
 * without a live leader are tried again after a backoff; a deleted topic is skipped. When no
 * partition is left, CompleteCommit/CompleteAbort is written and the transaction is done.
 */

import { ErrorCode } from '@tskafka/protocol';
import { Api } from '@tskafka/protocol/internals';
import type { Clock, TimerHandle } from '../clock.js';
import type { TxnMarkerRequest, TxnMarkerResult } from '../replica-manager.js';
import { InterBrokerClient, type InterBrokerSecurity } from './inter-broker-client.js';
import { TRANSACTION_STATE_NAMES, type TransactionMetadata, type TxnTransitMetadata } from './metadata.js';
import { parseTopicPartition, topicPartitionKey } from './records.js';
import type { TransactionStateManager, TxnCoordinatorHost } from './state-manager.js';

/** Pause between two rounds of markers for a transaction with partitions left. */
export const MARKER_RETRY_BACKOFF_MS = 100;

/** Delivers WriteTxnMarkers to a broker (a fake in unit tests). */
export interface TxnMarkerChannel {
  /** Writes `request`'s markers on broker `nodeId`; rejects when the broker cannot be reached. */
  send(nodeId: number, request: TxnMarkerRequest): Promise<TxnMarkerResult[]>;
  /** Closes connections. */
  close(): void;
}

/** What the broker's channel needs: this node's replica manager for its own partitions. */
export interface MarkerChannelHost extends TxnCoordinatorHost {
  /** Writes markers to partitions this broker leads. */
  readonly replicaManager: { writeTxnMarkers(req: TxnMarkerRequest): Promise<TxnMarkerResult[]> };
  /** How to connect to other brokers' inter-broker listener (default: plain TCP). */
  interBrokerSecurity?(): InterBrokerSecurity;
}

/** The broker's channel: local partitions directly, other brokers over WriteTxnMarkers requests. */
export class BrokerTxnMarkerChannel implements TxnMarkerChannel {
  private readonly host: MarkerChannelHost;
  private readonly clients = new Map<number, InterBrokerClient>();

  /** A channel for `host`. */
  constructor(host: MarkerChannelHost) {
    this.host = host;
  }

  /** Sends one transaction's markers to broker `nodeId`. */
  async send(nodeId: number, req: TxnMarkerRequest): Promise<TxnMarkerResult[]> {
    if (nodeId === this.host.nodeId) return this.host.replicaManager.writeTxnMarkers(req);
    const broker = this.host.metadata.brokers.get(nodeId);
    if (!broker) throw new Error(`unknown broker ${nodeId}`);
    let client = this.clients.get(nodeId);
    if (!client || client.address !== `${broker.host}:${broker.port}`) {
      client?.close();
      client = new InterBrokerClient(broker.host, broker.port, {
        clientId: `broker-${this.host.nodeId}-txn-marker-sender`,
        security: this.host.interBrokerSecurity?.(),
        from: { nodeId: this.host.nodeId, registry: this.host.metadata.interBrokerConnections },
      });
      this.clients.set(nodeId, client);
    }
    const byTopic = new Map<string, number[]>();
    for (const { topic, partition } of req.partitions) {
      const list = byTopic.get(topic);
      if (list) list.push(partition);
      else byTopic.set(topic, [partition]);
    }
    const res = await client.send(Api.WriteTxnMarkers, 1, {
      markers: [
        {
          producerId: req.producerId,
          producerEpoch: req.producerEpoch,
          transactionResult: req.committed,
          topics: [...byTopic].map(([name, partitionIndexes]) => ({ name, partitionIndexes })),
          coordinatorEpoch: req.coordinatorEpoch,
        },
      ],
    });
    const results: TxnMarkerResult[] = [];
    for (const m of res.markers) {
      for (const t of m.topics) {
        for (const p of t.partitions)
          results.push({ topic: t.name, partition: p.partitionIndex, errorCode: p.errorCode });
      }
    }
    return results;
  }

  /** Closes every connection. */
  close(): void {
    for (const c of this.clients.values()) c.close();
    this.clients.clear();
  }
}

/** What to do with a partition after its marker response (Kafka's completion handler). */
function markerOutcome(errorCode: number): 'done' | 'retry' | 'skip' | 'abort' {
  switch (errorCode) {
    case ErrorCode.NONE:
      return 'done';
    case ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT:
      return 'skip';
    // The partition saw a newer producer epoch or coordinator: this coordinator is out of date.
    case ErrorCode.INVALID_PRODUCER_EPOCH:
    case ErrorCode.TRANSACTION_COORDINATOR_FENCED:
      return 'abort';
    default:
      // UNKNOWN_TOPIC_OR_PARTITION, NOT_LEADER_OR_FOLLOWER, NOT_ENOUGH_REPLICAS(_AFTER_APPEND),
      // REQUEST_TIMED_OUT, KAFKA_STORAGE_ERROR are retriable; Kafka treats the rest as fatal, but
      // retrying keeps the transaction recoverable once the cause goes away.
      return 'retry';
  }
}

/** One transaction whose markers are being written. */
interface PendingMarkers {
  transactionalId: string;
  txnPartition: number;
  coordinatorEpoch: number;
  committed: boolean;
  metadata: TransactionMetadata;
  complete: TxnTransitMetadata;
  timer: TimerHandle | null;
  cancelled: boolean;
  done: () => void;
}

/** Writes markers for transactions in PrepareCommit/PrepareAbort until they complete. */
export class TransactionMarkerChannelManager {
  private readonly host: TxnCoordinatorHost;
  private readonly stateManager: TransactionStateManager;
  private readonly channel: TxnMarkerChannel;
  private readonly clock: Clock;
  private readonly pending = new Map<string, PendingMarkers>();
  private readonly completions = new Map<string, Promise<void>>();

  /** A manager sending through `channel`. */
  constructor(
    host: TxnCoordinatorHost,
    stateManager: TransactionStateManager,
    channel: TxnMarkerChannel,
    clock: Clock,
  ) {
    this.host = host;
    this.stateManager = stateManager;
    this.channel = channel;
    this.clock = clock;
  }

  /** Transactional ids whose markers are still being written. */
  get inProgress(): string[] {
    return [...this.pending.keys()];
  }

  /**
   * Resolves when the markers of `transactionalId` are written and its Complete state is stored
   * (at once when nothing is pending). Never rejects; a cancelled send resolves too.
   */
  whenComplete(transactionalId: string): Promise<void> {
    return this.completions.get(transactionalId) ?? Promise.resolve();
  }

  /** Starts writing the markers of a transaction in PrepareCommit/PrepareAbort (its Complete transition prepared). */
  addTxnMarkersToSend(
    coordinatorEpoch: number,
    committed: boolean,
    metadata: TransactionMetadata,
    complete: TxnTransitMetadata,
  ): void {
    const id = metadata.transactionalId;
    this.cancel(id);
    let done = () => {};
    this.completions.set(
      id,
      new Promise<void>((resolve) => {
        done = resolve;
      }),
    );
    const entry: PendingMarkers = {
      transactionalId: id,
      txnPartition: this.stateManager.partitionFor(id),
      coordinatorEpoch,
      committed,
      metadata,
      complete,
      timer: null,
      cancelled: false,
      done,
    };
    this.pending.set(id, entry);
    void this.sendRound(entry);
  }

  /** Stops writing markers for transactions of a partition this broker no longer coordinates. */
  removeMarkersForTxnTopicPartition(txnPartition: number): void {
    for (const e of [...this.pending.values()])
      if (e.txnPartition === txnPartition) this.cancel(e.transactionalId);
  }

  /** Stops everything (shutdown). */
  close(): void {
    for (const id of [...this.pending.keys()]) this.cancel(id);
    this.channel.close();
  }

  private cancel(transactionalId: string): void {
    const e = this.pending.get(transactionalId);
    if (!e) return;
    e.cancelled = true;
    if (e.timer) this.clock.clearTimeout(e.timer);
    this.finish(e);
  }

  private finish(e: PendingMarkers): void {
    if (this.pending.get(e.transactionalId) === e) this.pending.delete(e.transactionalId);
    if (this.completions.has(e.transactionalId) && !this.pending.has(e.transactionalId)) {
      this.completions.delete(e.transactionalId);
    }
    e.done();
  }

  /** Whether `e` still describes the cached transaction (same metadata, epoch and pending state). */
  private stillValid(e: PendingMarkers): boolean {
    if (e.cancelled) return false;
    const s = this.stateManager.getTransactionState(e.transactionalId);
    if ('error' in s || s.metadata !== e.metadata || s.coordinatorEpoch !== e.coordinatorEpoch) return false;
    return e.metadata.pendingState === e.complete.txnState;
  }

  /** Sends the markers of every partition left, grouped by leader; then completes or retries. */
  private async sendRound(e: PendingMarkers): Promise<void> {
    e.timer = null;
    if (!this.stillValid(e)) {
      this.host.log('info', `stopped writing markers for ${e.transactionalId}: it changed or moved`);
      this.finish(e);
      return;
    }
    const md = this.host.metadata;
    const byLeader = new Map<number, { topic: string; partition: number }[]>();
    let waiting = false;
    for (const key of [...e.metadata.topicPartitions]) {
      const tp = parseTopicPartition(key);
      const ps = md.topics.get(tp.topic)?.partitions[tp.partition];
      if (!ps) {
        // The topic was deleted: nothing to mark (Kafka skips a partition unknown to the metadata).
        this.host.log('info', `skipping the marker of ${e.transactionalId} for ${key}: no such partition`);
        e.metadata.removePartition(key);
        continue;
      }
      if (ps.leader < 0 || !md.brokers.get(ps.leader)?.alive) {
        waiting = true;
        continue;
      }
      const list = byLeader.get(ps.leader);
      if (list) list.push(tp);
      else byLeader.set(ps.leader, [tp]);
    }
    let abort = false;
    await Promise.all(
      [...byLeader].map(async ([nodeId, partitions]) => {
        let results: TxnMarkerResult[];
        try {
          results = await this.channel.send(nodeId, {
            producerId: e.metadata.producerId,
            producerEpoch: e.metadata.producerEpoch,
            coordinatorEpoch: e.coordinatorEpoch,
            committed: e.committed,
            partitions,
          });
        } catch (err) {
          this.host.log(
            'debug',
            `markers of ${e.transactionalId} to broker ${nodeId} failed: ${(err as Error).message}`,
          );
          return;
        }
        if (e.cancelled) return;
        for (const r of results) {
          const key = topicPartitionKey(r.topic, r.partition);
          if (!e.metadata.topicPartitions.has(key)) continue;
          const outcome = markerOutcome(r.errorCode);
          if (outcome === 'done' || outcome === 'skip') {
            if (outcome === 'skip')
              this.host.log('warn', `${key} does not support transaction markers; skipped`);
            e.metadata.removePartition(key);
          } else if (outcome === 'abort') {
            this.host.log(
              'warn',
              `the marker of ${e.transactionalId} for ${key} was refused with error ${r.errorCode}: stopped writing its markers`,
            );
            abort = true;
          } else {
            this.host.log(
              'debug',
              `the marker of ${e.transactionalId} for ${key} failed with error ${r.errorCode}; retrying`,
            );
          }
        }
      }),
    );
    if (e.cancelled) return;
    if (abort) {
      this.finish(e);
      return;
    }
    if (e.metadata.topicPartitions.size > 0 || waiting) {
      e.timer = this.clock.setTimeout(() => void this.sendRound(e), MARKER_RETRY_BACKOFF_MS);
      return;
    }
    this.writeTxnCompletion(e);
  }

  /** Every marker is written: stores CompleteCommit/CompleteAbort, retrying while the log is unavailable. */
  private writeTxnCompletion(e: PendingMarkers): void {
    e.timer = null;
    if (!this.stillValid(e)) {
      this.finish(e);
      return;
    }
    const coordinatorMoved = (code: number) =>
      code === ErrorCode.NOT_COORDINATOR || code === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS;
    const error = this.stateManager.appendTransactionToLog(
      e.transactionalId,
      e.coordinatorEpoch,
      e.complete,
      (code) => !coordinatorMoved(code),
    );
    if (error === ErrorCode.NONE) {
      this.host.log(
        'debug',
        `completed ${e.transactionalId}: ${TRANSACTION_STATE_NAMES[e.complete.txnState]} at epoch ${e.complete.producerEpoch}`,
      );
      this.finish(e);
    } else if (coordinatorMoved(error)) {
      this.host.log('info', `not completing ${e.transactionalId}: this broker is no longer its coordinator`);
      this.finish(e);
    } else {
      this.host.log('warn', `cannot store the completion of ${e.transactionalId} (error ${error}); retrying`);
      e.timer = this.clock.setTimeout(() => this.writeTxnCompletion(e), MARKER_RETRY_BACKOFF_MS);
    }
  }
}
