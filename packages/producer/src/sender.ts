/**
 * The sender path (Java's `Sender`), as a state machine without I/O: {@link Sender.runOnce}
 * expires batches, asks the accumulator which leaders are ready, drains them and returns the
 * produce requests to send; responses and failures come back through
 * {@link Sender.handleResponse} and {@link Sender.handleFailure}. {@link SenderLoop} is the thin
 * shell (in `sender-loop.ts`) that runs it on wakeups and timers and does the I/O through a
 * {@link SenderIo}.
 *
 *   wakeup (batch full, new batch, response, flush, close) or timer (linger, backoff, expiry)
 *     → runOnce(now): [InitProducerId] + ProduceRequest per ready node → io.send
 *     → response → handleResponse: complete | retry (front of queue, backoff) | split | fail
 *
 * @module
 */

import {
  createKafkaError,
  ErrorCode,
  isInvalidMetadata,
  isRetriable,
  KafkaError,
  NetworkError,
  RetriableError,
} from '@tskafka/protocol';
import { diagnosticChannels } from '@tskafka/transport';
import type { RecordAccumulator } from './accumulator.js';
import { DeliveryTimeoutError, ProduceRequestError, ProducerError } from './errors.js';
import type { ProducerIdAndEpoch } from './idempotence.js';
import { BatchState, type ProducerBatch } from './producer-batch.js';
import type { ProducerMetrics } from './producer-metrics.js';
import type { SenderLoop } from './sender-loop.js';
import type { TransactionIo, TransactionResponse } from './transaction-requests.js';
import type { TransactionInFlight } from './transaction-state.js';
import type { TransactionManager } from './transactions.js';

/**
 * What the sender needs of the cluster metadata. When a refresh changes leaders, call
 * {@link SenderLoop.wakeup} so batches waiting for a leader (or backing off from a stale one)
 * go out at once.
 */
export interface SenderMetadata {
  /** The node id of the partition's leader, or undefined while unknown. */
  leaderFor(topic: string, partition: number): number | undefined;
  /** Asks for a metadata refresh soon (a leader is unknown or moved). Must not block. */
  requestUpdate(): void;
}

/** One partition's records in a produce request. */
export interface ProducePartitionData {
  /** The partition. */
  index: number;
  /** One complete record batch. */
  records: Buffer;
}

/** One topic's partitions in a produce request. */
export interface ProduceTopicData {
  /** The topic. */
  name: string;
  /** Its partitions, one batch each. */
  partitionData: ProducePartitionData[];
}

/** A produce request, shaped as the protocol's `ProduceRequest` input. */
export interface ProduceRequestData {
  /** The transactional id, or null. */
  transactionalId: string | null;
  /** 0, 1 or -1 (all). */
  acks: number;
  /** How long the broker may wait for replication (`request.timeout.ms`). */
  timeoutMs: number;
  /** The batches, by topic. */
  topicData: ProduceTopicData[];
}

/** One partition's result in a produce response (the fields the sender reads). */
export interface ProducePartitionResponse {
  /** The partition. */
  readonly index: number;
  /** 0 or the error code. */
  readonly errorCode: number;
  /** Offset of the batch's first record. */
  readonly baseOffset: number;
  /** The broker's append time under `LogAppendTime`, else -1. */
  readonly logAppendTimeMs?: number;
  /** The partition's log start offset (v5+), else -1. */
  readonly logStartOffset?: number;
  /** Per-record errors (INVALID_RECORD). */
  readonly recordErrors?: readonly {
    readonly batchIndex: number;
    readonly batchIndexErrorMessage: string | null;
  }[];
  /** The broker's message for the error. */
  readonly errorMessage?: string | null;
}

/** A produce response (the fields the sender reads); the protocol's decoded `ProduceResponse` fits. */
export interface ProduceResponseData {
  /** Results by topic. */
  readonly responses: readonly {
    readonly name: string;
    readonly partitionResponses: readonly ProducePartitionResponse[];
  }[];
}

/** The network as the sender loop sees it; implemented over the transport. */
export interface SenderIo extends Partial<TransactionIo> {
  /**
   * Whether a produce request can go to `nodeId` now: connected, and fewer than
   * `max.in.flight.requests.per.connection` requests in flight. May start connecting. When a
   * node becomes ready later, call {@link SenderLoop.wakeup}.
   */
  isReady(nodeId: number, now: number): boolean;
  /**
   * Sends a produce request. Resolves to the response, or to null once written when
   * `expectResponse` is false (`acks=0`); rejects on disconnect or `request.timeout.ms`
   * (the sender retries every batch of the request) or with a `KafkaError`.
   */
  send(
    nodeId: number,
    request: ProduceRequestData,
    expectResponse: boolean,
  ): Promise<ProduceResponseData | null>;
  /**
   * InitProducerId without a transactional id. `current` is the id/epoch to bump (KIP-360,
   * InitProducerId v3+), or -1/-1 for a first id; a broker may answer with a new id either way.
   */
  initProducerId(current: ProducerIdAndEpoch): Promise<ProducerIdAndEpoch>;
}

/** Options of {@link Sender}; defaults are Java's. */
export interface SenderOptions {
  /** `acks`: 0, 1 or -1 (all). Default -1; idempotence requires -1. */
  acks?: -1 | 0 | 1;
  /** `request.timeout.ms`, sent as the produce timeout. Default 30000. */
  requestTimeoutMs?: number;
  /** `max.request.size`. Default the accumulator's. */
  maxRequestSize?: number;
  /** `retries`. Default `Number.MAX_SAFE_INTEGER` (bounded by `delivery.timeout.ms`). */
  retries?: number;
  /** `retry.backoff.ms`. Default 100. */
  retryBackoffMs?: number;
  /** `retry.backoff.max.ms`: the backoff doubles per attempt up to this. Default 1000. */
  retryBackoffMaxMs?: number;
  /** The transactional id, or null. Default null. */
  transactionalId?: string | null;
  /** The transaction manager of a transactional producer, polled each round. Default null. */
  transactions?: TransactionManager | null;
  /** Where batch and request outcomes are counted (the producer's metrics). */
  metrics?: ProducerMetrics;
  /** Random numbers in [0, 1) for the backoff's ±20% jitter. Default `Math.random`. */
  random?: () => number;
}

/** A produce request that was handed out by {@link Sender.runOnce} and awaits its outcome. */
export class ProduceInFlight {
  /** The node it goes to. */
  readonly nodeId: number;
  /** The request. */
  readonly request: ProduceRequestData;
  /** False with `acks=0`. */
  readonly expectResponse: boolean;
  /** Its batches, in request order. */
  readonly batches: readonly ProducerBatch[];
  /** When it was created. */
  readonly createdMs: number;

  /** A request of `batches` for `nodeId`. */
  constructor(
    nodeId: number,
    request: ProduceRequestData,
    expectResponse: boolean,
    batches: readonly ProducerBatch[],
    createdMs: number,
  ) {
    this.nodeId = nodeId;
    this.request = request;
    this.expectResponse = expectResponse;
    this.batches = batches;
    this.createdMs = createdMs;
  }
}

/** What {@link Sender.runOnce} decided. */
export interface SenderPlan {
  /** Produce requests to send now. */
  readonly requests: readonly ProduceInFlight[];
  /** An InitProducerId to send now (`current` id/epoch), or null. */
  readonly initProducerId: ProducerIdAndEpoch | null;
  /** A transactional request to send now (see `TransactionManager.poll`), or null. */
  readonly transactionRequest: TransactionInFlight | null;
  /** Run again after this many ms at the latest (linger, backoff, expiry); Infinity: only on a wakeup. */
  readonly pollTimeoutMs: number;
}

const NO_PLAN_ID: ProducerIdAndEpoch | null = null;

/** The sender state machine; see the module comment. */
export class Sender {
  /** The accumulator it drains. */
  readonly accumulator: RecordAccumulator;
  private readonly metadata: SenderMetadata;
  private readonly io: Pick<SenderIo, 'isReady'>;
  private readonly acks: number;
  private readonly requestTimeoutMs: number;
  private readonly maxRequestSize: number;
  private readonly retries: number;
  private readonly retryBackoffMs: number;
  private readonly retryBackoffMaxMs: number;
  private readonly transactionalId: string | null;
  /** The transaction manager, with a transactional id. */
  readonly transactions: TransactionManager | null;
  private readonly metrics: ProducerMetrics | undefined;
  private readonly random: () => number;
  private readonly inFlight = new Set<ProduceInFlight>();
  private nextInFlightExpiryMs = Number.POSITIVE_INFINITY;

  /** A sender draining `accumulator` (whose idempotence it uses) to the leaders `metadata` names. */
  constructor(
    accumulator: RecordAccumulator,
    metadata: SenderMetadata,
    io: Pick<SenderIo, 'isReady'>,
    options: SenderOptions = {},
  ) {
    this.accumulator = accumulator;
    this.metadata = metadata;
    this.io = io;
    this.acks = options.acks ?? -1;
    if (accumulator.idempotence !== null && this.acks !== -1) {
      throw new RangeError(`idempotence requires acks=-1 (all), not ${this.acks}`);
    }
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30000;
    this.maxRequestSize = options.maxRequestSize ?? accumulator.maxRequestSize;
    this.retries = options.retries ?? Number.MAX_SAFE_INTEGER;
    this.retryBackoffMs = options.retryBackoffMs ?? 100;
    this.retryBackoffMaxMs = Math.max(options.retryBackoffMaxMs ?? 1000, this.retryBackoffMs);
    this.transactionalId = options.transactionalId ?? null;
    this.transactions = options.transactions ?? null;
    this.metrics = options.metrics;
    this.random = options.random ?? Math.random;
  }

  /** Produce requests awaiting their outcome. */
  get inFlightRequestCount(): number {
    return this.inFlight.size;
  }

  /** One round: expire, maybe ask for a producer id, find ready leaders, drain, build requests. */
  runOnce(now: number): SenderPlan {
    const acc = this.accumulator;
    this.expireInFlight(now);
    for (const b of acc.expiredBatches(now)) {
      this.failBatch(b, this.timeoutError(b, now, false));
    }
    let initProducerId = NO_PLAN_ID;
    const idem = acc.idempotence;
    let pollTimeout = Number.POSITIVE_INFINITY;
    if (idem !== null) {
      idem.maybeResolveSequences();
      if (idem.fatalError !== null) acc.abortUndrainedBatches(idem.fatalError);
      else initProducerId = idem.pollProducerIdRequest(now);
      const retryIn = idem.retryDelayMs(now);
      if (retryIn > 0) pollTimeout = retryIn;
    }
    let transactionRequest: TransactionInFlight | null = null;
    if (this.transactions !== null) {
      const plan = this.transactions.poll(now);
      transactionRequest = plan.request;
      if (plan.pollTimeoutMs < pollTimeout) pollTimeout = plan.pollTimeoutMs;
    }

    const ready = acc.ready(this.metadata, now);
    if (ready.unknownLeaders.length > 0) {
      this.metadata.requestUpdate();
      // The refresh should wake the loop when it lands; look again after a backoff regardless.
      if (this.retryBackoffMs < pollTimeout) pollTimeout = this.retryBackoffMs;
    }
    if (ready.nextReadyCheckDelayMs < pollTimeout) pollTimeout = ready.nextReadyCheckDelayMs;
    const nodes: number[] = [];
    for (const node of ready.readyNodes) {
      if (this.io.isReady(node, now)) nodes.push(node);
      // Not connected or no slot: look again after a backoff, or sooner on a wakeup.
      else if (this.retryBackoffMs < pollTimeout) pollTimeout = this.retryBackoffMs;
    }

    const requests: ProduceInFlight[] = [];
    if (nodes.length > 0) {
      for (const [node, batches] of acc.drain(nodes, this.maxRequestSize, now)) {
        if (batches.length > 0) requests.push(this.createRequest(node, batches, now));
      }
    }
    // A ready node gave a request: there may be more for it, if it has a slot left.
    if (requests.length > 0) pollTimeout = 0;
    pollTimeout = Math.min(pollTimeout, acc.nextExpiryTimeMs - now, this.nextInFlightExpiryMs - now);
    return { requests, initProducerId, transactionRequest, pollTimeoutMs: Math.max(0, pollTimeout) };
  }

  private createRequest(node: number, batches: ProducerBatch[], now: number): ProduceInFlight {
    const topicData: ProduceTopicData[] = [];
    let current: ProduceTopicData | null = null;
    for (const b of batches) {
      if (current === null || current.name !== b.topic) {
        current = topicData.find((t) => t.name === b.topic) ?? null;
        if (current === null) {
          current = { name: b.topic, partitionData: [] };
          topicData.push(current);
        }
      }
      current.partitionData.push({ index: b.partition, records: b.records as Buffer });
      const expiry = b.createdMs + this.accumulator.deliveryTimeoutMs;
      if (expiry < this.nextInFlightExpiryMs) this.nextInFlightExpiryMs = expiry;
    }
    const request: ProduceRequestData = {
      transactionalId: this.transactionalId,
      acks: this.acks,
      timeoutMs: this.requestTimeoutMs,
      topicData,
    };
    this.metrics?.requestBuilt(batches);
    const inFlight = new ProduceInFlight(node, request, this.acks !== 0, batches, now);
    this.inFlight.add(inFlight);
    return inFlight;
  }

  /**
   * The response of a request from {@link Sender.runOnce} (null: written with `acks=0`). Each
   * partition's batch completes, is retried, split, or fails.
   */
  handleResponse(request: ProduceInFlight, response: ProduceResponseData | null, now: number): void {
    if (!this.endRequest(request)) return;
    if (response === null) {
      if (request.expectResponse) {
        this.failRequest(request, new ProducerError('produce response missing', { retriable: true }), now);
        return;
      }
      for (const b of request.batches) b.requestAnswered();
      for (const b of request.batches) if (b.state === BatchState.InFlight) this.completeBatch(b, -1, -1);
      return;
    }
    const batches = request.batches;
    // The whole request was written before its response came: its bytes are free for reuse.
    for (const b of batches) b.requestAnswered();
    for (const topic of response.responses) {
      for (const p of topic.partitionResponses) {
        const b = findBatch(batches, topic.name, p.index);
        if (b !== undefined && b.state === BatchState.InFlight)
          this.handlePartition(request.nodeId, b, p, now);
        else if (b?.isDone && (p.errorCode === 0 || p.errorCode === ErrorCode.DUPLICATE_SEQUENCE_NUMBER)) {
          // Expired while in flight, yet written: its sequence is acknowledged all the same.
          this.accumulator.idempotence?.handleCompletedBatch(b, p.baseOffset);
        }
      }
    }
    for (const b of batches) {
      if (b.state !== BatchState.InFlight) continue;
      const e = new ProducerError(`produce response has no result for ${b.topic}-${b.partition}`, {
        retriable: true,
      });
      this.retryOrFail(b, ErrorCode.NETWORK_EXCEPTION, e, now);
    }
  }

  /**
   * A request from {@link Sender.runOnce} failed as a whole (disconnect, timeout, or a
   * `KafkaError` for the request): every batch is retried if the error is retriable and it may
   * be, else fails. Any other error (no common Produce version, an encode failure, a closed
   * client, a bug) fails the batches at once with a {@link ProduceRequestError}.
   */
  handleFailure(request: ProduceInFlight, error: unknown, now: number): void {
    if (this.endRequest(request)) this.failRequest(request, error, now);
  }

  private failRequest(request: ProduceInFlight, error: unknown, now: number): void {
    if (!(error instanceof KafkaError) && !(error instanceof RetriableError)) {
      // Not retriable: sending the same request again fails the same way (STYLE: errors are not
      // retriable by default).
      for (const b of request.batches) {
        if (b.state !== BatchState.InFlight) continue;
        const e = new ProduceRequestError(b.topic, b.partition, request.nodeId, error);
        b.lastError = e;
        this.failBatch(b, e);
      }
      return;
    }
    const code = error instanceof KafkaError ? error.code : ErrorCode.NETWORK_EXCEPTION;
    for (const b of request.batches) {
      if (b.state !== BatchState.InFlight) continue;
      const context = {
        apiName: 'Produce',
        broker: String(request.nodeId),
        topic: b.topic,
        partition: b.partition,
      };
      const e =
        error instanceof KafkaError
          ? error
          : new NetworkError({ message: error.message, cause: error, ...context });
      this.retryOrFail(b, code, e, now);
    }
    if (isInvalidMetadata(code)) this.metadata.requestUpdate();
  }

  /** InitProducerId answered. */
  handleProducerId(result: ProducerIdAndEpoch): void {
    this.accumulator.idempotence?.completeProducerIdRequest(result);
  }

  /** InitProducerId failed: retried after `retry.backoff.ms` if retriable, else queued batches fail with `error`. */
  handleProducerIdFailure(error: Error, now: number): void {
    const fatal =
      this.accumulator.idempotence?.failProducerIdRequest(error, now, this.retryBackoffMs) ?? null;
    if (fatal !== null) this.accumulator.abortUndrainedBatches(fatal);
  }

  /** A transactional request from {@link Sender.runOnce} was answered. */
  handleTransactionResponse(request: TransactionInFlight, response: TransactionResponse, now: number): void {
    this.transactions?.handleResponse(request, response, now);
  }

  /** A transactional request from {@link Sender.runOnce} failed as a whole (connection, timeout). */
  handleTransactionFailure(request: TransactionInFlight, error: unknown, now: number): void {
    this.transactions?.handleFailure(request, error, now);
  }

  private endRequest(request: ProduceInFlight): boolean {
    if (!this.inFlight.delete(request)) return false;
    for (const b of request.batches) b.queue.onWire--;
    return true;
  }

  private handlePartition(nodeId: number, b: ProducerBatch, p: ProducePartitionResponse, now: number): void {
    const code = p.errorCode;
    if (code === 0 || code === ErrorCode.DUPLICATE_SEQUENCE_NUMBER) {
      // DUPLICATE_SEQUENCE_NUMBER: the broker already has the batch (an old broker's answer to a retry).
      this.completeBatch(b, p.baseOffset, p.logAppendTimeMs ?? -1, p.logStartOffset ?? -1);
      return;
    }
    if (code === ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER && this.accumulator.idempotence?.isAcknowledged(b)) {
      // Written (later sequences were acknowledged), its offset no longer known: a duplicate too.
      this.completeBatch(b, -1, -1);
      return;
    }
    if (code === ErrorCode.MESSAGE_TOO_LARGE && b.recordCount > 1) {
      this.accumulator.reenqueueSplit(b, b.split(this.accumulator.batchSize));
      return;
    }
    const context = { apiName: 'Produce', broker: String(nodeId), topic: b.topic, partition: b.partition };
    const error = createKafkaError(code, { ...context, message: p.errorMessage });
    const recordErrors = p.recordErrors;
    let errorOf: ((i: number) => Error | undefined) | undefined;
    if (recordErrors !== undefined && recordErrors.length > 0) {
      errorOf = (i) => {
        const r = recordErrors.find((e) => e.batchIndex === i);
        return r === undefined
          ? undefined
          : createKafkaError(code, { ...context, message: r.batchIndexErrorMessage });
      };
    }
    this.retryOrFail(b, code, error, now, errorOf);
    if (isInvalidMetadata(code)) this.metadata.requestUpdate();
  }

  private completeBatch(
    b: ProducerBatch,
    baseOffset: number,
    logAppendTime: number,
    logStartOffset = -1,
  ): void {
    this.accumulator.idempotence?.handleCompletedBatch(b, baseOffset);
    this.metrics?.batchDone(b);
    if (diagnosticChannels.producerAck.hasSubscribers)
      diagnosticChannels.producerAck.publish({
        topic: b.topic,
        partition: b.partition,
        baseOffset,
        records: b.recordCount,
        error: null,
      });
    b.complete(baseOffset, logAppendTime, logStartOffset);
    this.accumulator.deallocate(b);
  }

  private retryOrFail(
    b: ProducerBatch,
    code: number,
    error: Error,
    now: number,
    errorOf?: (i: number) => Error | undefined,
  ): void {
    b.lastError = error;
    const expired = b.createdMs + this.accumulator.deliveryTimeoutMs <= now;
    const idem = this.accumulator.idempotence;
    if (
      !expired &&
      b.attempts < this.retries &&
      (idem !== null ? idem.canRetry(code, b) : isRetriable(code))
    ) {
      this.metrics?.batchRetried(b);
      this.accumulator.reenqueue(b, now, now + this.backoff(b.attempts));
      return;
    }
    const retriable = isRetriable(code) || code === ErrorCode.UNKNOWN_PRODUCER_ID;
    this.failBatch(b, expired && retriable ? this.timeoutError(b, now, false) : error, errorOf);
  }

  private failBatch(b: ProducerBatch, error: Error, errorOf?: (i: number) => Error | undefined): void {
    this.accumulator.idempotence?.handleFailedBatch(b);
    this.transactions?.handleFailedBatch(b, error);
    this.metrics?.batchFailed(b);
    if (diagnosticChannels.producerAck.hasSubscribers)
      diagnosticChannels.producerAck.publish({
        topic: b.topic,
        partition: b.partition,
        baseOffset: -1,
        records: b.recordCount,
        error,
      });
    b.fail(error, errorOf);
    this.accumulator.deallocate(b);
  }

  private timeoutError(b: ProducerBatch, now: number, inFlight: boolean): DeliveryTimeoutError {
    return new DeliveryTimeoutError(
      b.topic,
      b.partition,
      b.recordCount,
      now - b.createdMs,
      this.accumulator.deliveryTimeoutMs,
      inFlight,
      b.lastError ?? undefined,
    );
  }

  // Batches in flight past delivery.timeout.ms fail now; the late response only updates sequences.
  private expireInFlight(now: number): void {
    if (now < this.nextInFlightExpiryMs) return;
    let next = Number.POSITIVE_INFINITY;
    const timeout = this.accumulator.deliveryTimeoutMs;
    for (const request of this.inFlight) {
      for (const b of request.batches) {
        if (b.state !== BatchState.InFlight) continue;
        if (b.createdMs + timeout <= now) this.failBatch(b, this.timeoutError(b, now, true));
        else if (b.createdMs + timeout < next) next = b.createdMs + timeout;
      }
    }
    this.nextInFlightExpiryMs = next;
  }

  // Java's ExponentialBackoff(retry.backoff.ms, 2, retry.backoff.max.ms, 0.2).
  private backoff(attempts: number): number {
    const base = this.retryBackoffMs;
    const max = this.retryBackoffMaxMs;
    if (max <= base) return base;
    const term = Math.min(base * 2 ** attempts, max);
    const value = Math.floor(term * (0.8 + this.random() * 0.4));
    return Math.min(value, max);
  }
}

function findBatch(
  batches: readonly ProducerBatch[],
  topic: string,
  partition: number,
): ProducerBatch | undefined {
  for (const b of batches) if (b.partition === partition && b.topic === topic) return b;
  return undefined;
}
