/**
 * The RecordAccumulator: the one structure the producer's main path (`send`) and its sender path
 * share (Java's `RecordAccumulator`). `append` writes each record straight into the open batch of
 * its partition; the sender asks `ready(now)` which leaders have something to send, then
 * `drain(nodes, maxRequestSize, now)` for one batch per partition per request. Time is a
 * parameter, so tests drive it with a manual clock.
 *
 * @module
 */
import { CompressionType as Codec, type CompressionType } from '@tskafka/protocol';
import { RECORD_BATCH_OVERHEAD, type RecordBytes, sizeOfRecord } from '@tskafka/protocol/internals';
import { BufferPool, systemTimerClock, type TimerClock } from './buffer-pool.js';
import { ProducerClosedError, RecordTooLargeError } from './errors.js';
import type { IdempotenceManager } from './idempotence.js';
import {
  abortIncomplete,
  abortUndrained,
  insertInSequenceOrder,
  removeExpired,
} from './incomplete-batches.js';
import { type LeaderLookup, LeaderQueues, type ReadyCheckResult } from './leader-queues.js';
import { PendingAppend } from './pending-append.js';
import {
  BatchState,
  type FailedSendsListener,
  type HeaderList,
  PartitionQueue,
  ProducerBatch,
  type SendCallback,
  warnFailedSends,
} from './producer-batch.js';
import type { SendGroup } from './send-group.js';
import type { PendingSend } from './send-promise.js';
import type { RecordMetadata } from './types.js';

export type { LeaderLookup, ReadyCheckResult } from './leader-queues.js';

/** Notified of batch events; each fires once per batch at most, never per record. */
export interface AccumulatorListener {
  /** A batch became full (the sender should wake up: it is ready regardless of `linger.ms`). */
  onBatchFull?(topic: string, partition: number): void;
  /** A new batch was opened (the sender should schedule its linger timer). */
  onNewBatch?(topic: string, partition: number): void;
  /** Someone waits for a record of an open batch (the sender should run: it may go without lingering). */
  onBatchAwaited?(): void;
}

/** Options of {@link RecordAccumulator}; defaults are Java's. */
export interface RecordAccumulatorOptions {
  /**
   * `batch.size`: bytes of a batch, header included. Default 16384. A new batch starts at
   * {@link INITIAL_BATCH_SIZE} at most and grows toward `batch.size` while the pool has the bytes.
   */
  batchSize?: number;
  /** `linger.ms`: how long a batch that is not full waits for more records. Default 5. */
  lingerMs?: number;
  /** `buffer.memory`. Default 33554432. Ignored if `pool` is given. */
  bufferMemory?: number;
  /** `max.block.ms`: how long an append waits for memory. Default 60000. Ignored if `pool` is given. */
  maxBlockMs?: number;
  /** The memory pool; default one of `bufferMemory` and `maxBlockMs`. */
  pool?: BufferPool;
  /** `max.request.size`: a larger record is rejected at `append`. Default 1048576. */
  maxRequestSize?: number;
  /** `delivery.timeout.ms`. Default 120000. */
  deliveryTimeoutMs?: number;
  /** `compression.type`, applied when a batch is drained. Default none. */
  compression?: CompressionType;
  /** The codec's level; default the codec's own. */
  compressionLevel?: number;
  /**
   * `max.in.flight.requests.per.connection`. With idempotence it caps the batches in flight per
   * partition (at most 5); without, 1 keeps a partition to one batch in flight (ordering).
   * Default 5.
   */
  maxInFlightRequestsPerConnection?: number;
  /** Sequence state for `enable.idempotence`; null for a producer without idempotence. */
  idempotence?: IdempotenceManager | null;
  /** Whether batches are written inside a transaction. Default false. */
  transactional?: boolean;
  /** Time (for appends that waited for memory) and the memory pool's timers. Default the system clock. */
  clock?: TimerClock;
  /** Hears of failed `send`s (their promises are rejected marked handled). Default a process warning. */
  onFailedSends?: FailedSendsListener;
}

/** The most a new batch reserves of `buffer.memory` (unless its first record is larger): it grows from there. */
export const INITIAL_BATCH_SIZE = 16384;

// The largest offset and timestamp deltas sizeOfRecord is asked about: a record's size bound.
const MAX_DELTA = 0x7fffffff;

const ProducerState = { Open: 'Open', Closed: 'Closed' } as const;
type ProducerState = (typeof ProducerState)[keyof typeof ProducerState];

/** The RecordAccumulator; see the module comment. */
export class RecordAccumulator {
  /** `batch.size`. */
  readonly batchSize: number;
  /** The capacity a new batch starts at (unless its first record is larger): min(batch.size, 16 KiB). */
  readonly initialBatchSize: number;
  // What an open batch may grow to: batch.size, but never past max.request.size.
  private readonly growthLimit: number;
  /** `linger.ms`. */
  readonly lingerMs: number;
  /** `max.request.size`. */
  readonly maxRequestSize: number;
  /** `delivery.timeout.ms`. */
  readonly deliveryTimeoutMs: number;
  /** The memory pool. */
  readonly pool: BufferPool;
  /** Sequence state with idempotence, else null. */
  readonly idempotence: IdempotenceManager | null;
  /** Batches one partition may have in flight at once. */
  readonly maxInFlightPerPartition: number;
  /** Whether batches are written inside transactions (and drained only once their partition is added). */
  readonly transactional: boolean;
  private readonly clock: TimerClock;
  private readonly onFailedSends: FailedSendsListener;
  private readonly topics = new Map<string, PartitionQueue[]>();
  private readonly queues: PartitionQueue[] = [];
  private readonly leaders: LeaderQueues;
  private readonly incomplete = new Set<ProducerBatch>();
  private readonly listeners: AccumulatorListener[] = [];
  private lastQueue: PartitionQueue | null = null;
  private state: ProducerState = ProducerState.Open;
  private flushes = 0;
  private nextExpiryMs = Number.POSITIVE_INFINITY;

  /** An empty accumulator; see {@link RecordAccumulatorOptions} for the defaults. */
  constructor(options: RecordAccumulatorOptions = {}) {
    this.batchSize = Math.max(options.batchSize ?? 16384, RECORD_BATCH_OVERHEAD + 1);
    this.initialBatchSize = Math.min(this.batchSize, INITIAL_BATCH_SIZE);
    this.lingerMs = options.lingerMs ?? 5;
    this.maxRequestSize = options.maxRequestSize ?? 1048576;
    this.growthLimit = Math.min(this.batchSize, this.maxRequestSize);
    this.deliveryTimeoutMs = options.deliveryTimeoutMs ?? 120000;
    this.clock = options.clock ?? systemTimerClock;
    this.onFailedSends = options.onFailedSends ?? warnFailedSends;
    this.pool =
      options.pool ??
      new BufferPool({
        totalMemory: options.bufferMemory ?? 33554432,
        maxBlockMs: options.maxBlockMs ?? 60000,
        clock: this.clock,
        poolableSize: this.initialBatchSize,
        maxPoolableSize: this.batchSize,
      });
    this.idempotence = options.idempotence ?? null;
    const maxInFlight = options.maxInFlightRequestsPerConnection ?? 5;
    if (this.idempotence !== null && (maxInFlight < 1 || maxInFlight > 5)) {
      throw new RangeError(
        `idempotence needs max.in.flight.requests.per.connection in [1, 5], not ${maxInFlight}`,
      );
    }
    this.maxInFlightPerPartition =
      this.idempotence !== null ? maxInFlight : maxInFlight === 1 ? 1 : Number.POSITIVE_INFINITY;
    this.transactional = options.transactional ?? false;
    this.leaders = new LeaderQueues(this.queues, {
      lingerMs: this.lingerMs,
      maxInFlightPerPartition: this.maxInFlightPerPartition,
      transactional: this.transactional,
      idempotence: this.idempotence,
      buildOptions: {
        compression: options.compression ?? Codec.None,
        compressionLevel: options.compressionLevel,
        isTransactional: this.transactional,
      },
    });
  }

  /** Subscribes to batch events (the sender loop's wakeups, a sticky partitioner). */
  addListener(listener: AccumulatorListener): void {
    this.listeners.push(listener);
  }

  /** Removes a listener added with {@link RecordAccumulator.addListener}. */
  removeListener(listener: AccumulatorListener): void {
    const i = this.listeners.indexOf(listener);
    if (i >= 0) this.listeners.splice(i, 1);
  }

  /** Whether {@link RecordAccumulator.close} was called. */
  get isClosed(): boolean {
    return this.state === ProducerState.Closed;
  }

  /**
   * Appends a record to the open batch of its partition (growing it toward `batch.size` if the
   * pool has the bytes now), or to a new batch of `max(min(batch.size, 16 KiB), record size)`;
   * returns the promise of its metadata. When `buffer.memory` is
   * exhausted (or other appends already wait), the record waits in line up to `max.block.ms`,
   * then the promise rejects with a `BufferExhaustedError`. A record that can never fit a
   * request or the buffer rejects with a `RecordTooLargeError`; after `close()`, with a
   * `ProducerClosedError`.
   *
   * `pending`: a send's promise made before the record could be appended (it waited for its
   * topic's metadata); the record's batch takes it over and it is what is returned, unless the
   * append fails at once (then a rejected promise, and `pending` is left alone).
   */
  append(
    topic: string,
    partition: number,
    timestamp: number,
    key: RecordBytes,
    value: RecordBytes,
    headers: HeaderList,
    now: number,
    pending: PendingSend | null = null,
  ): Promise<RecordMetadata> {
    const promise = this.appendRecord(
      topic,
      partition,
      timestamp,
      key,
      value,
      headers,
      now,
      null,
      false,
      pending,
    );
    return promise as Promise<RecordMetadata>;
  }

  /**
   * {@link RecordAccumulator.append} that completes through `callback` (called once, with the
   * error or the metadata) instead of a promise.
   */
  appendWithCallback(
    topic: string,
    partition: number,
    timestamp: number,
    key: RecordBytes,
    value: RecordBytes,
    headers: HeaderList,
    now: number,
    callback: SendCallback,
  ): void {
    this.appendRecord(topic, partition, timestamp, key, value, headers, now, callback, false, null);
  }

  /**
   * {@link RecordAccumulator.append} of record `index` of a `sendBatch` call, which completes
   * through `group` (with every record's metadata once all are done) instead of a promise each.
   * With `abortOnNewBatch`, returns false and appends nothing if the record would open a new
   * batch (as {@link RecordAccumulator.tryAppend}); else true.
   */
  appendToGroup(
    topic: string,
    partition: number,
    timestamp: number,
    key: RecordBytes,
    value: RecordBytes,
    headers: HeaderList,
    now: number,
    group: SendGroup,
    index: number,
    abortOnNewBatch = false,
  ): boolean {
    // A group record refused, or waiting in line for memory (where a sticky partitioner is not
    // asked to move on), completes through a callback of its own.
    if (this.state !== ProducerState.Open || this.pool.queued > 0 || !Number.isSafeInteger(timestamp)) {
      this.appendWithCallback(
        topic,
        partition,
        timestamp,
        key,
        value,
        headers,
        now,
        groupCallback(group, index),
      );
      return true;
    }
    let q = this.lastQueue;
    if (q === null || q.partition !== partition || q.topic !== topic) q = this.queueFor(topic, partition);
    const batches = q.batches;
    const last = batches.length > 0 ? batches[batches.length - 1] : undefined;
    if (last !== undefined && last.state === BatchState.Open) {
      if (last.tryAppendToGroup(timestamp, key, value, headers, group, index)) return true;
      if (this.growBatch(last, key, value, headers)) {
        if (last.tryAppendToGroup(timestamp, key, value, headers, group, index)) return true;
      }
      last.seal();
      this.emitFull(q);
    }
    if (abortOnNewBatch) return false;
    const size = this.newBatchSize(key, value, headers);
    if (size >= 0 && this.pool.tryAllocate(size)) {
      const batch = this.openBatch(q, size, now);
      batch.tryAppendToGroup(timestamp, key, value, headers, group, index);
      this.batchOpened(q, batch);
      return true;
    }
    this.appendWithCallback(
      topic,
      partition,
      timestamp,
      key,
      value,
      headers,
      now,
      groupCallback(group, index),
    );
    return true;
  }

  /**
   * {@link RecordAccumulator.append} only if the record fits the partition's open batch: null if
   * it would open a new batch, so a sticky partitioner may choose another partition first
   * (KIP-480's `abortOnNewBatch`). While appends wait for memory the record joins the line.
   */
  tryAppend(
    topic: string,
    partition: number,
    timestamp: number,
    key: RecordBytes,
    value: RecordBytes,
    headers: HeaderList,
    now: number,
    pending: PendingSend | null = null,
  ): Promise<RecordMetadata> | null {
    return this.appendRecord(topic, partition, timestamp, key, value, headers, now, null, true, pending);
  }

  // The one append path. Returns the record's promise, or null in callback mode and when
  // `abortOnNewBatch` declined.
  private appendRecord(
    topic: string,
    partition: number,
    timestamp: number,
    key: RecordBytes,
    value: RecordBytes,
    headers: HeaderList,
    now: number,
    callback: SendCallback | null,
    abortOnNewBatch: boolean,
    pending: PendingSend | null,
  ): Promise<RecordMetadata> | null {
    if (this.state !== ProducerState.Open) {
      return failAppend(new ProducerClosedError('cannot send after the producer is closed'), callback);
    }
    if (!Number.isSafeInteger(timestamp)) {
      return failAppend(new RangeError(`record timestamp ${timestamp} is not a safe integer`), callback);
    }
    let q = this.lastQueue;
    if (q === null || q.partition !== partition || q.topic !== topic) q = this.queueFor(topic, partition);
    if (this.pool.queued > 0) {
      const size = this.newBatchSize(key, value, headers);
      return this.appendLater(q, timestamp, key, value, headers, callback, size, pending);
    }
    const batches = q.batches;
    const last = batches.length > 0 ? batches[batches.length - 1] : undefined;
    if (last !== undefined && last.state === BatchState.Open) {
      if (callback === null) {
        let p = last.tryAppend(timestamp, key, value, headers, pending);
        if (p === null && this.growBatch(last, key, value, headers)) {
          p = last.tryAppend(timestamp, key, value, headers, pending);
        }
        if (p !== null) return p;
      } else if (
        last.tryAppendWithCallback(timestamp, key, value, headers, callback) ||
        (this.growBatch(last, key, value, headers) &&
          last.tryAppendWithCallback(timestamp, key, value, headers, callback))
      ) {
        return null;
      }
      last.seal();
      this.emitFull(q);
    }
    if (abortOnNewBatch) return null;
    const size = this.newBatchSize(key, value, headers);
    if (size < 0) return failAppend(this.tooLarge(key, value, headers), callback);
    if (this.pool.tryAllocate(size)) {
      return this.appendNewBatch(q, size, timestamp, key, value, headers, now, callback, pending);
    }
    return this.appendLater(q, timestamp, key, value, headers, callback, size, pending);
  }

  private appendNewBatch(
    q: PartitionQueue,
    size: number,
    timestamp: number,
    key: RecordBytes,
    value: RecordBytes,
    headers: HeaderList,
    now: number,
    callback: SendCallback | null,
    pending: PendingSend | null = null,
  ): Promise<RecordMetadata> | null {
    const batch = this.openBatch(q, size, now);
    let p: Promise<RecordMetadata> | null = null;
    if (callback === null) p = batch.tryAppend(timestamp, key, value, headers, pending);
    else batch.tryAppendWithCallback(timestamp, key, value, headers, callback);
    this.batchOpened(q, batch);
    return p;
  }

  private openBatch(q: PartitionQueue, size: number, now: number): ProducerBatch {
    const batch = new ProducerBatch(q, size, now, size, this.pool.takeBuffer(size));
    batch.maxCapacity = this.growthLimit;
    return batch;
  }

  /**
   * The open batch did not take a record: doubles its buffer (capped at `batch.size`, at least
   * room for the record) if the pool grants the extra bytes now, without waiting; the records
   * move into the new buffer and the old one goes back to the pool. False (nothing changed) if
   * it is at `batch.size`, the record would not fit even then, or the pool is short: the caller
   * seals the batch and opens a new one, which may wait for memory. A batch never grows past
   * `max.request.size`, so a record it takes is never one `append` must refuse as too large.
   */
  private growBatch(
    batch: ProducerBatch,
    key: RecordBytes,
    value: RecordBytes,
    headers: HeaderList,
  ): boolean {
    const capacity = batch.capacity;
    const limit = this.growthLimit;
    if (capacity >= limit || batch.state !== BatchState.Open) return false;
    // An upper bound of the record's size at any offset and timestamp delta.
    const needed = batch.sizeInBytes + sizeOfRecord(MAX_DELTA, MAX_DELTA, key, value, headers);
    if (needed > limit) return false;
    const next = Math.min(limit, Math.max(capacity * 2, needed));
    const extra = next - capacity;
    if (!this.pool.tryAllocate(extra)) return false;
    batch.allocatedBytes += extra;
    const old = batch.grow(next, this.pool.takeBuffer(next));
    if (old !== null) this.pool.releaseBuffer(old);
    return true;
  }

  // A new batch holds its first record: it joins its queue and the listeners hear of it.
  private batchOpened(q: PartitionQueue, batch: ProducerBatch): void {
    q.batches.push(batch);
    this.incomplete.add(batch);
    if (batch.createdMs + this.deliveryTimeoutMs < this.nextExpiryMs) {
      this.nextExpiryMs = batch.createdMs + this.deliveryTimeoutMs;
    }
    for (const l of this.listeners) l.onNewBatch?.(q.topic, q.partition);
    if (batch.isFull) this.emitFull(q);
  }

  // Bytes to reserve for a new batch holding this record; -1 if it can never be sent.
  private newBatchSize(key: RecordBytes, value: RecordBytes, headers: HeaderList): number {
    const recordSize = RECORD_BATCH_OVERHEAD + sizeOfRecord(0, 0, key, value, headers);
    if (recordSize > this.maxRequestSize || recordSize > this.pool.totalMemory) return -1;
    return Math.max(recordSize, this.initialBatchSize);
  }

  private tooLarge(key: RecordBytes, value: RecordBytes, headers: HeaderList): RecordTooLargeError {
    const size = RECORD_BATCH_OVERHEAD + sizeOfRecord(0, 0, key, value, headers);
    return size > this.maxRequestSize
      ? new RecordTooLargeError(size, this.maxRequestSize, 'max.request.size')
      : new RecordTooLargeError(size, this.pool.totalMemory, 'buffer.memory');
  }

  private appendLater(
    q: PartitionQueue,
    timestamp: number,
    key: RecordBytes,
    value: RecordBytes,
    headers: HeaderList,
    callback: SendCallback | null,
    size: number,
    pending: PendingSend | null,
  ): Promise<RecordMetadata> | null {
    if (size < 0) return failAppend(this.tooLarge(key, value, headers), callback);
    const waiter = new PendingAppend(this, q, timestamp, key, value, headers, callback, size, pending);
    // Wake the sender: with appends waiting, every batch is ready, to free memory sooner.
    this.emitFull(q);
    this.pool.allocate(waiter);
    return waiter.promise === null ? null : waiter.promise.promise;
  }

  /** @internal An append that waited for memory got its `size` bytes. */
  completePendingAppend(p: PendingAppend): void {
    const q = p.queue;
    const last = q.batches.length > 0 ? q.batches[q.batches.length - 1] : undefined;
    if (last !== undefined && last.state === BatchState.Open) {
      // A record that does not fit the open batch seals it and opens a new one below (no growth
      // here: memory was short, and the bytes granted are for that new batch); it must never be
      // taken for appended (a null promise from tryAppend means "did not fit").
      let inner: Promise<RecordMetadata> | null = null;
      let appended: boolean;
      if (p.callback === null) {
        inner = last.tryAppend(p.timestamp, p.key, p.value, p.headers, p.promise);
        appended = inner !== null;
      } else {
        appended = last.tryAppendWithCallback(p.timestamp, p.key, p.value, p.headers, p.callback);
      }
      if (appended) {
        this.pool.deallocate(p.size);
        return;
      }
      last.seal();
      this.emitFull(q);
    }
    const now = this.clock.now();
    this.appendNewBatch(q, p.size, p.timestamp, p.key, p.value, p.headers, now, p.callback, p.promise);
  }

  /** The queue of a partition, created on first use. */
  queueFor(topic: string, partition: number): PartitionQueue {
    let parts = this.topics.get(topic);
    if (parts === undefined) {
      parts = [];
      this.topics.set(topic, parts);
    }
    let q = parts[partition];
    if (q === undefined) {
      q = new PartitionQueue(topic, partition, this.idempotence !== null);
      q.onAwaited = this.emitAwaited;
      q.onFailedSends = this.onFailedSends;
      parts[partition] = q;
      this.queues.push(q);
    }
    this.lastQueue = q;
    return q;
  }

  private readonly emitAwaited = (): void => {
    for (const l of this.listeners) l.onBatchAwaited?.();
  };

  private emitFull(q: PartitionQueue): void {
    for (const l of this.listeners) l.onBatchFull?.(q.topic, q.partition);
  }

  /**
   * The leaders that have a sendable batch: one that is full, has waited `linger.ms`, or any
   * while flushing, closing or while appends wait for memory; a retried batch only after its
   * backoff (skipped if the leader changed). Also when the next batch becomes sendable, and the
   * partitions whose leader is unknown.
   */
  ready(metadata: LeaderLookup, now: number): ReadyCheckResult {
    const forced = this.flushes > 0 || this.state === ProducerState.Closed || this.pool.queued > 0;
    return this.leaders.ready(metadata, now, forced);
  }

  /**
   * For each node, the batches of one request: at most one per partition, up to `maxRequestSize`
   * bytes (a single larger batch goes alone), starting where the node's last drain stopped so
   * no partition starves. Each batch is built (compressed, producer fields stamped) as it is
   * taken; with idempotence, new batches get their sequence here.
   */
  drain(nodes: readonly number[], maxRequestSize: number, now: number): Map<number, ProducerBatch[]> {
    return this.leaders.drain(nodes, maxRequestSize, now);
  }

  /**
   * Batches still in a queue whose `delivery.timeout.ms` has passed, removed from their queues,
   * oldest first per partition. The caller fails them (and releases their memory).
   */
  expiredBatches(now: number): ProducerBatch[] {
    const expired: ProducerBatch[] = [];
    if (now < this.nextExpiryMs) return expired;
    this.nextExpiryMs = removeExpired(this.queues, this.deliveryTimeoutMs, now, expired);
    return expired;
  }

  /** The earliest time a queued batch expires (Infinity if none). */
  get nextExpiryTimeMs(): number {
    return this.nextExpiryMs;
  }

  /**
   * Puts a batch that failed with a retriable error back at the front of its queue (in sequence
   * order with idempotence, so the oldest sequence goes first), to retry from `retryAtMs`.
   */
  reenqueue(batch: ProducerBatch, now: number, retryAtMs: number): void {
    batch.reenqueued(now, retryAtMs);
    this.insertFront(batch.queue, batch);
  }

  /** Puts the parts of a split batch at the front of its queue, in order, as never tried. */
  reenqueueSplit(big: ProducerBatch, parts: readonly ProducerBatch[]): void {
    this.incomplete.delete(big);
    for (let i = parts.length - 1; i >= 0; i--) {
      this.incomplete.add(parts[i]);
      this.insertFront(big.queue, parts[i]);
    }
    this.idempotence?.replaceSplitBatch(big, parts);
  }

  private insertFront(q: PartitionQueue, batch: ProducerBatch): void {
    insertInSequenceOrder(q, batch);
    if (batch.createdMs + this.deliveryTimeoutMs < this.nextExpiryMs) {
      this.nextExpiryMs = batch.createdMs + this.deliveryTimeoutMs;
    }
  }

  /**
   * A batch is done (or expired in flight): its memory goes back to the pool, and its buffer to
   * the pool's free list if no request can still hold it.
   */
  deallocate(batch: ProducerBatch): void {
    this.incomplete.delete(batch);
    const bytes = batch.allocatedBytes;
    batch.allocatedBytes = 0;
    this.pool.deallocate(bytes);
    const buf = batch.releaseBuffer();
    if (buf !== null) this.pool.releaseBuffer(buf);
  }

  /** Whether any batch waits in a queue. */
  hasUndrained(): boolean {
    for (const q of this.queues) if (q.batches.length > 0) return true;
    return false;
  }

  /** Whether any batch is not done, queued or in flight. */
  hasIncomplete(): boolean {
    return this.incomplete.size > 0;
  }

  /** Whether nothing is buffered, in flight or waiting for memory. */
  isEmpty(): boolean {
    return this.incomplete.size === 0 && this.pool.queued === 0;
  }

  /** Makes every batch sendable now, until the matching {@link RecordAccumulator.awaitFlushCompletion}. */
  beginFlush(): void {
    this.flushes++;
  }

  /** Whether a flush is in progress. */
  get flushInProgress(): boolean {
    return this.flushes > 0;
  }

  /**
   * Resolves when every record appended before the call is done: appends still waiting for
   * memory first get their batch, then every batch incomplete by then completes. Ends the flush
   * begun before it.
   */
  async awaitFlushCompletion(): Promise<void> {
    try {
      await this.pool.whenQueuedSettled();
      await Promise.all(Array.from(this.incomplete, (b) => b.whenDone()));
    } finally {
      this.flushes--;
    }
  }

  /**
   * Resolves when nothing is left: no append waiting for memory and no incomplete batch,
   * including those appended meanwhile (for `close`).
   */
  async awaitEmpty(): Promise<void> {
    while (this.incomplete.size > 0 || this.pool.queued > 0) {
      await this.pool.whenQueuedSettled();
      await Promise.all(Array.from(this.incomplete, (b) => b.whenDone()));
    }
  }

  /**
   * No more appends; every buffered batch becomes sendable. Appends already waiting for memory
   * were sent before the close, as in Java (where they block the caller), so they still get
   * their batch as memory frees; a forced close ({@link RecordAccumulator.abortIncompleteBatches})
   * rejects them.
   */
  close(): void {
    if (this.state === ProducerState.Closed) return;
    this.state = ProducerState.Closed;
  }

  /** Fails every incomplete batch, queued or in flight, with `error` (a forced close). */
  abortIncompleteBatches(error: Error): void {
    abortIncomplete(this, this.queues, this.incomplete, error);
  }

  /** Fails the queued batches that hold no sequence yet with `error` (the producer id failed for good). */
  abortUndrainedBatches(error: Error): void {
    abortUndrained(this, this.queues, error);
  }
}

// A group record that takes a slow path (waits for memory, or is refused) completes through this.
function groupCallback(group: SendGroup, index: number): SendCallback {
  return (error, metadata) => group.settle(metadata, error, index);
}

function failAppend(error: Error, callback: SendCallback | null): Promise<RecordMetadata> | null {
  if (callback === null) return Promise.reject(error);
  callback(error, null);
  return null;
}
