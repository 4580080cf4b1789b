/**
 * The sender's view of the network ({@link SenderIo}, {@link SenderMetadata}) over a transport
 * {@link Cluster}: readiness of leader connections, Produce requests written as pre-encoded
 * frames, InitProducerId, a transactional producer's coordinator requests, and wakeups for the
 * sender loop when connections open or metadata changes.
 *
 * @module
 */

import { createKafkaError, KafkaError } from '@tskafka/protocol';
import { Api } from '@tskafka/protocol/internals';
import { ConnectionError } from '@tskafka/transport';
import { type Cluster, COORDINATOR_CONNECTION_GROUP, type Connection } from '@tskafka/transport/internals';
import type { ProducerIdAndEpoch } from './idempotence.js';
import { encodeProduceRequestParts } from './produce-request.js';
import type { ProduceRequestData, ProduceResponseData, SenderIo, SenderMetadata } from './sender.js';
import type {
  AnyTransactionRequest,
  TransactionApi,
  TransactionApis,
  TransactionCoordinatorKey,
  TransactionRequest,
  TransactionResponse,
} from './transaction-requests.js';

/**
 * The newest versions a transactional producer uses where a newer one changes the protocol:
 * AddPartitionsToTxn v4+ is for brokers, EndTxn v5 and Produce v12 are transactions v2
 * (KIP-890), where the broker adds partitions itself and bumps the epoch at every EndTxn.
 */
const ADD_PARTITIONS_MAX_VERSION = 3;
const END_TXN_MAX_VERSION = 4;

/** Options of {@link ProducerIo}. */
export interface ProducerIoOptions {
  /** `max.in.flight.requests.per.connection`. */
  maxInFlight: number;
  /** `transactional.id`, or null. */
  transactionalId: string | null;
  /** `transaction.timeout.ms`, sent with InitProducerId for a transactional id. */
  transactionTimeoutMs: number;
  /** Wakes the sender loop (a connection opened, metadata changed). */
  wakeup: () => void;
}

/** Produce connections live in their own group, so admin or coordinator traffic never queues behind them. */
const PRODUCE_GROUP = 'producer';

/** {@link SenderIo} and {@link SenderMetadata} over a {@link Cluster}. */
export class ProducerIo implements SenderIo {
  /** Leader lookups for the sender, from the cluster's metadata cache. */
  readonly metadata: SenderMetadata;
  private readonly cluster: Cluster;
  private readonly options: ProducerIoOptions;
  private readonly connecting = new Set<number>();
  private attached = false;

  /** The io of a producer on `cluster`. */
  constructor(cluster: Cluster, options: ProducerIoOptions) {
    this.cluster = cluster;
    this.options = options;
    this.metadata = {
      leaderFor: (topic, partition) => {
        const leader = cluster.leaderFor(topic, partition);
        return leader >= 0 ? leader : undefined;
      },
      requestUpdate: () => cluster.requestMetadataUpdate(),
    };
  }

  /** Starts waking the sender loop when metadata changes; called once the loop exists. */
  attach(): void {
    if (this.attached) return;
    this.attached = true;
    this.cluster.on('metadata', () => this.options.wakeup());
  }

  /** True when the leader's connection is open with room for another request; else starts connecting. */
  isReady(nodeId: number, _now: number): boolean {
    const conn = this.cluster.readyConnection(nodeId, PRODUCE_GROUP);
    if (conn !== undefined) return conn.inFlightCount < this.options.maxInFlight;
    if (!this.connecting.has(nodeId)) {
      this.connecting.add(nodeId);
      this.cluster.connection(nodeId, PRODUCE_GROUP).then(
        () => {
          this.connecting.delete(nodeId);
          this.options.wakeup();
        },
        () => {
          this.connecting.delete(nodeId);
          // The broker may be gone for good: ask who leads now, and try again after the backoff.
          this.cluster.requestMetadataUpdate();
          const delay = Math.max(this.cluster.connectionDelay(nodeId, PRODUCE_GROUP), 1);
          setTimeout(this.options.wakeup, delay).unref();
        },
      );
    }
    return false;
  }

  /** Writes one Produce request on the leader's connection. */
  send(
    nodeId: number,
    request: ProduceRequestData,
    expectResponse: boolean,
  ): Promise<ProduceResponseData | null> {
    const conn = this.cluster.readyConnection(nodeId, PRODUCE_GROUP);
    if (conn === undefined) {
      return Promise.reject(
        new ConnectionError(`no open connection to broker ${nodeId}`, { broker: String(nodeId) }),
      );
    }
    const parts = encodeProduceRequestParts(conn.versionFor(Api.Produce), conn.clientId, request);
    return conn.sendEncoded(Api.Produce, parts, expectResponse);
  }

  /**
   * A transaction manager's request, to the coordinator of its transactional id or group: looked
   * up (once, no retries: the manager retries) if the transport does not know it, then sent over
   * the coordinator connections. Error codes come back as data.
   */
  async sendTransactional<A extends TransactionApi>(
    request: TransactionRequest<A>,
  ): Promise<TransactionResponse<A>> {
    const r = request as AnyTransactionRequest;
    const c = r.coordinator;
    if (r.api === 'FindCoordinator') {
      this.cluster.invalidateCoordinator(c.type, c.key);
      try {
        await this.cluster.findCoordinator(c.type, c.key, { timeoutMs: 0 });
      } catch (e) {
        if (e instanceof KafkaError)
          return { errorCode: e.code, errorMessage: e.description } as TransactionResponse<A>;
        throw e;
      }
      return { errorCode: 0 } as TransactionResponse<A>;
    }
    const conn = await this.coordinatorConnection(c);
    try {
      return (await this.sendTo(conn, r)) as TransactionResponse<A>;
    } catch (e) {
      if (e instanceof ConnectionError) this.cluster.invalidateCoordinator(c.type, c.key);
      throw e;
    }
  }

  private async coordinatorConnection(c: TransactionCoordinatorKey): Promise<Connection> {
    const coordinator = await this.cluster.findCoordinator(c.type, c.key, { timeoutMs: 0 });
    try {
      return await this.cluster.connection(coordinator.nodeId, COORDINATOR_CONNECTION_GROUP);
    } catch (e) {
      this.cluster.invalidateCoordinator(c.type, c.key);
      throw e;
    }
  }

  private async sendTo(
    conn: Connection,
    r: Exclude<AnyTransactionRequest, { api: 'FindCoordinator' }>,
  ): Promise<TransactionApis[TransactionApi]['response']> {
    switch (r.api) {
      case 'InitProducerId': {
        const b = r.body;
        const bump = conn.versionFor(Api.InitProducerId) >= 3;
        const res = await conn.request(Api.InitProducerId, {
          transactionalId: b.transactionalId,
          transactionTimeoutMs: b.transactionTimeoutMs,
          ...(bump ? { producerId: b.producerId, producerEpoch: b.producerEpoch } : {}),
        });
        return { errorCode: res.errorCode, producerId: res.producerId, producerEpoch: res.producerEpoch };
      }
      case 'AddPartitionsToTxn': {
        const b = r.body;
        const res = await conn.request(
          Api.AddPartitionsToTxn,
          {
            v3AndBelowTransactionalId: b.transactionalId,
            v3AndBelowProducerId: b.producerId,
            v3AndBelowProducerEpoch: b.producerEpoch,
            v3AndBelowTopics: b.topics.map((t) => ({ name: t.name, partitions: [...t.partitions] })),
          },
          { maxVersion: ADD_PARTITIONS_MAX_VERSION },
        );
        return {
          results: res.resultsByTopicV3AndBelow.flatMap((t) =>
            t.resultsByPartition.map((p) => ({
              topic: t.name,
              partition: p.partitionIndex,
              errorCode: p.partitionErrorCode,
            })),
          ),
        };
      }
      case 'AddOffsetsToTxn': {
        const res = await conn.request(Api.AddOffsetsToTxn, { ...r.body });
        return { errorCode: res.errorCode };
      }
      case 'TxnOffsetCommit': {
        const b = r.body;
        const withMember = conn.versionFor(Api.TxnOffsetCommit) >= 3;
        const res = await conn.request(Api.TxnOffsetCommit, {
          transactionalId: b.transactionalId,
          groupId: b.groupId,
          producerId: b.producerId,
          producerEpoch: b.producerEpoch,
          ...(withMember
            ? { generationId: b.generationId, memberId: b.memberId, groupInstanceId: b.groupInstanceId }
            : {}),
          topics: b.topics.map((t) => ({
            name: t.name,
            partitions: t.partitions.map((p) => ({
              partitionIndex: p.partition,
              committedOffset: p.offset,
              committedLeaderEpoch: p.leaderEpoch,
              committedMetadata: p.metadata,
            })),
          })),
        });
        return {
          results: res.topics.flatMap((t) =>
            t.partitions.map((p) => ({ topic: t.name, partition: p.partitionIndex, errorCode: p.errorCode })),
          ),
        };
      }
      case 'EndTxn': {
        const res = await conn.request(Api.EndTxn, { ...r.body }, { maxVersion: END_TXN_MAX_VERSION });
        return { errorCode: res.errorCode };
      }
    }
  }

  /** InitProducerId (KIP-360: with the current id and epoch, so the broker bumps the epoch). */
  async initProducerId(current: ProducerIdAndEpoch): Promise<ProducerIdAndEpoch> {
    const res = await this.cluster.requestAny(Api.InitProducerId, {
      transactionalId: this.options.transactionalId,
      transactionTimeoutMs: this.options.transactionalId === null ? -1 : this.options.transactionTimeoutMs,
      producerId: current.producerId,
      producerEpoch: current.producerEpoch,
    });
    if (res.errorCode !== 0) throw createKafkaError(res.errorCode, { apiName: 'InitProducerId' });
    return { producerId: res.producerId, producerEpoch: res.producerEpoch };
  }
}
