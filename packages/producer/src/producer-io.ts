/**
 * The sender's view of the network ({@link SenderIo}, {@link SenderMetadata}) over a transport
 * {@link Cluster}: readiness of leader connections, Produce requests written as pre-encoded
 * frames, InitProducerId, and wakeups for the sender loop when connections open or metadata
 * changes.
 *
 * @module
 */
import { Api, createKafkaError } from '@tskafka/protocol';
import { type Cluster, ConnectionError } from '@tskafka/transport';
import type { ProducerIdAndEpoch } from './idempotence.js';
import { encodeProduceRequestParts } from './produce-request.js';
import type { ProduceRequestData, ProduceResponseData, SenderIo, SenderMetadata } from './sender.js';

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
