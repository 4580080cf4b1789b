/**
 * One batch of records for one partition, from the first append to the last acknowledgement
 * (Java's `ProducerBatch`). Records are written straight into the batch buffer by
 * {@link RecordBatchBuilder}, into a buffer the {@link BufferPool} recycles from batch to batch;
 * what a record leaves behind is its timestamp and its completion (the future `send` returned,
 * or a callback) in flat arrays sized once from the first record, with no other object per
 * record.
 *
 *   Open ──seal──▶ Sealed ──drain──▶ InFlight ──response──▶ Succeeded | Failed
 *     │                ▲               │  ▲
 *     └─────drain──────┼───────────────┘  └──drain── Retry ◀──retriable error──┘
 *                      (split: a batch too large for the broker becomes several Sealed ones)
 *
 * Also here: the {@link PartitionQueue} of batches of one partition (a record waiting for
 * `buffer.memory` is a `PendingAppend`, in `pending-append.ts`).
 *
 * @module
 */
import type { CompressionType } from '@tskafka/protocol';
import {
  decodeRecordBatch,
  RECORD_BATCH_OVERHEAD,
  RecordBatchBuilder,
  type RecordBytes,
  type RecordHeaderInput,
  setProducerState,
  sizeOfRecord,
} from '@tskafka/protocol/internals';
import type { TopicPartition } from '@tskafka/transport';
import type { BufferPool } from './buffer-pool.js';
import { PartitionSequences } from './idempotence.js';
import type { SendGroup } from './send-group.js';
import { newSendPromise, type PendingSend, rejectSend, takeReject, takeResolve } from './send-promise.js';
import type { RecordMetadata } from './types.js';

// One `TopicPartition` for the whole SDK, defined in the transport.
export type { TopicPartition };

/** The batches of one partition, oldest first, and what the sender tracks about it. */
export class PartitionQueue implements TopicPartition {
  /** The topic. */
  readonly topic: string;
  /** The partition. */
  readonly partition: number;
  /** Batches not yet drained (or back for a retry), in send order. */
  readonly batches: ProducerBatch[] = [];
  /** Batches of the partition in requests awaiting a response. */
  onWire = 0;
  /** The leader seen at the last `ready()` (-1: unknown). */
  leader = -1;
  /**
   * For a transactional producer: the coordinator added the partition to the current transaction
   * (AddPartitionsToTxn), so its batches may be drained.
   */
  inTransaction = false;
  /** Sequence state, with idempotence. */
  readonly sequences: PartitionSequences | null;
  /** Told when someone starts waiting for a record of the open batch (the accumulator's wakeup). */
  onAwaited: (() => void) | null = null;
  /**
   * Told of `send`s of the partition whose promises were rejected (the producer logs them: it
   * cannot tell whether anyone awaits them); by default a process warning.
   */
  onFailedSends: FailedSendsListener = warnFailedSends;

  /** An empty queue; `idempotent` gives it sequence state. */
  constructor(topic: string, partition: number, idempotent: boolean) {
    this.topic = topic;
    this.partition = partition;
    this.sequences = idempotent ? new PartitionSequences(this) : null;
  }
}

/** Record headers as the batch builder takes them: a list (order and repeated keys kept), or none. */
export type HeaderList = readonly RecordHeaderInput[] | null | undefined;

/** A per-record completion callback: exactly one of the two arguments is non-null. */
export type SendCallback = (error: Error | null, metadata: RecordMetadata | null) => void;

// How a record completes: the promise `send` returned (its resolving functions in the batch's
// `resolvers`/`rejecters`), a callback, or its `sendBatch` call's group.
type Completion = Promise<RecordMetadata> | SendCallback | SendGroup;
type Resolve = (metadata: RecordMetadata) => void;
type Reject = (error: Error) => void;

/**
 * Hears that `count` `send`s to `topic` (`partition`; -1 before one was chosen) failed with
 * `error` (the first of them, with per-record errors): their promises are rejected, marked
 * handled, so a send nobody awaits is reported only here.
 */
export type FailedSendsListener = (topic: string, partition: number, error: Error, count: number) => void;

/** The default {@link FailedSendsListener}: a process warning (`ProducerSendWarning`). */
export function warnFailedSends(topic: string, partition: number, error: Error, count: number): void {
  process.emitWarning(failedSendsMessage(topic, partition, error, count), 'ProducerSendWarning');
}

/** What a {@link FailedSendsListener} says. */
export function failedSendsMessage(topic: string, partition: number, error: Error, count: number): string {
  const where = partition < 0 ? topic : `${topic}-${partition}`;
  return `${count} send(s) to ${where} failed: ${error.message} (their promises are rejected; this is the only report of one nobody awaits)`;
}

/** The life cycle of a {@link ProducerBatch}; see the module comment for the transitions. */
export const BatchState = {
  /** The last batch of its partition, accepting records. */
  Open: 'Open',
  /** No more records (full, or drained once); waiting in its partition's queue. */
  Sealed: 'Sealed',
  /** In a produce request awaiting its response. */
  InFlight: 'InFlight',
  /** Failed with a retriable error; back in its partition's queue, backing off. */
  Retry: 'Retry',
  /** Acknowledged; every record resolved. */
  Succeeded: 'Succeeded',
  /** Failed for good; every record rejected. */
  Failed: 'Failed',
  /** Too large for the broker; its records moved to smaller batches. */
  Split: 'Split',
} as const;
/** A value of {@link BatchState}. */
export type BatchState = (typeof BatchState)[keyof typeof BatchState];

/** How the sender builds a batch when it drains it. */
export interface BatchBuildOptions {
  /** The codec, applied when the batch is built. */
  compression: CompressionType;
  /** The codec's level; undefined for its default. */
  compressionLevel: number | undefined;
  /** Whether the batch belongs to a transaction. */
  isTransactional: boolean;
}

const INT32_MAX = 0x7fffffff;
const NO_TIMESTAMPS = new Float64Array(0);
// The per-record arrays start at most this long and grow by doubling: a large batch.size whose
// batches go out part-full (an application awaiting its sends) must not pay for the whole size.
const MAX_INITIAL_ENTRIES = 1024;

/** Kafka's sequence numbers wrap from `INT32_MAX` to 0 (Java's `DefaultRecordBatch.incrementSequence`). */
export function incrementSequence(sequence: number, increment: number): number {
  return sequence > INT32_MAX - increment ? increment - (INT32_MAX - sequence) - 1 : sequence + increment;
}

/** A batch of records for one partition; see the module comment. */
export class ProducerBatch {
  /** The partition's queue in the accumulator. */
  readonly queue: PartitionQueue;
  /** The batch's topic. */
  readonly topic: string;
  /** The batch's partition. */
  readonly partition: number;
  /** When the first record was appended; `delivery.timeout.ms` counts from here. */
  readonly createdMs: number;
  /** Where the batch is in its life cycle. */
  state: BatchState = BatchState.Open;
  /** Times the batch was sent again after a retriable error. */
  attempts = 0;
  /** When the batch was last drained (-1 before). */
  drainedMs = -1;
  /** When the last retriable error came back (-1 before). */
  lastAttemptMs = -1;
  /** No retry before this time (retry backoff). */
  retryAtMs = 0;
  /** The node the batch was last sent to (-1 before). */
  lastNodeId = -1;
  /** Bytes of `buffer.memory` the batch holds until it completes. */
  allocatedBytes: number;
  /**
   * `batch.size`: the capacity an open batch may grow to when the pool has the bytes (0: it
   * keeps its first capacity). A batch at its capacity below this is not full yet.
   */
  maxCapacity = 0;
  /** The producer id of the assigned sequence (-1 without idempotence or before draining). */
  producerId = -1;
  /** The producer epoch of the assigned sequence. */
  producerEpoch = -1;
  /** Sequence of the first record (-1: none assigned yet). */
  baseSequence = -1;
  /** The last error the batch got, if any: the cause of a later delivery timeout. */
  lastError: Error | null = null;
  /**
   * Someone may wait for one of its records (it holds a `send`'s promise, or a `sendBatch`'s
   * records): an application that awaits what it sent sends no more meanwhile, so lingering for
   * more records would only delay it; the batch goes as soon as its partition has nothing on the
   * wire. (Whether a native promise is awaited cannot be seen, so every `send` counts.)
   */
  awaited = false;

  private builder: RecordBatchBuilder | null;
  private bytes: Buffer | null = null;
  private count = 0;
  private uncompressedSize = 0;
  // The producer fields in `bytes` differ from the ones above: restamp at the next drain.
  private stale = false;
  // The buffer the records are written into, when it came from the pool (null: not to recycle).
  private pooled: Buffer | null;
  // Requests written with this batch's bytes that got no response yet: while any may still be
  // in a socket's write queue, the buffer must not be reused.
  private requestsHolding = 0;
  // Per record (the first `entries` slots): its timestamp, and its promise, callback or group.
  private entries = 0;
  private timestamps: Float64Array = NO_TIMESTAMPS;
  private completions: Completion[] = [];
  // Per record with a promise: its resolving functions (made with the first such record).
  private resolvers: Resolve[] | null = null;
  private rejecters: Reject[] | null = null;
  // Per record of a `sendBatch` group: its index in the call (made with the first such record).
  private groupIndexes: Int32Array | null = null;
  // Where the records were written, once done.
  private resultBaseOffset = -1;
  private resultLogAppendTime = -1;
  private resultLogStartOffset = -1;
  private doneWaiters: (() => void)[] | null = null;

  /**
   * An empty, open batch of `capacity` bytes (header included) for `queue`'s partition; the
   * records go into `buffer` (from {@link BufferPool.takeBuffer}) if given.
   */
  constructor(
    queue: PartitionQueue,
    capacity: number,
    createdMs: number,
    allocatedBytes: number,
    buffer: Buffer | null = null,
  ) {
    this.queue = queue;
    this.topic = queue.topic;
    this.partition = queue.partition;
    this.createdMs = createdMs;
    this.allocatedBytes = allocatedBytes;
    this.pooled = buffer;
    this.builder = new RecordBatchBuilder(capacity, buffer ?? undefined);
  }

  /** Records in the batch. */
  get recordCount(): number {
    return this.builder === null ? this.count : this.builder.recordCount;
  }

  /** Bytes the batch takes in a request: built size once built, else the uncompressed size so far. */
  get sizeInBytes(): number {
    return this.bytes !== null ? this.bytes.length : (this.builder as RecordBatchBuilder).sizeInBytes;
  }

  /** Built size over the records' uncompressed size (1 before the batch is built, or without compression). */
  get compressionRatio(): number {
    return this.bytes !== null && this.uncompressedSize > 0 ? this.bytes.length / this.uncompressedSize : 1;
  }

  /** Bytes the batch's buffer holds now, header included (it may grow up to {@link ProducerBatch.maxCapacity}). */
  get capacity(): number {
    return this.builder === null ? this.sizeInBytes : this.builder.capacity;
  }

  /** Whether no more records go in: sealed, or the buffer is used up and may not grow. */
  get isFull(): boolean {
    if (this.state !== BatchState.Open) return true;
    const b = this.builder as RecordBatchBuilder;
    return b.sizeInBytes >= Math.max(b.capacity, this.maxCapacity);
  }

  /**
   * Moves the records into `buffer` of `capacity` bytes (from {@link BufferPool.takeBuffer}, its
   * bytes allocated by the caller, who adds them to {@link ProducerBatch.allocatedBytes}) and
   * returns the buffer they were in, which nothing reads any more: the batch is open, so no
   * request holds it. Null if that buffer was not the pool's.
   */
  grow(capacity: number, buffer: Buffer): Buffer | null {
    const old = (this.builder as RecordBatchBuilder).grow(capacity, buffer);
    const pooled = this.pooled;
    this.pooled = buffer;
    return pooled === null ? null : old;
  }

  /** Whether the records are resolved, rejected or moved: nothing can change them any more. */
  get isDone(): boolean {
    return (
      this.state === BatchState.Succeeded ||
      this.state === BatchState.Failed ||
      this.state === BatchState.Split
    );
  }

  /** Whether a sequence is assigned (idempotence, after the first drain). */
  get hasSequence(): boolean {
    return this.baseSequence >= 0;
  }

  /** Sequence of the last record. */
  get lastSequence(): number {
    return incrementSequence(this.baseSequence, this.recordCount - 1);
  }

  /** The built batch, or null before the first drain. */
  get records(): Buffer | null {
    return this.bytes;
  }

  /**
   * Appends a record if the batch is open and it fits, returning the promise of its metadata;
   * null (and nothing written) if it does not fit.
   */
  tryAppend(
    timestamp: number,
    key: RecordBytes,
    value: RecordBytes,
    headers: HeaderList,
    pending: PendingSend | null = null,
  ): Promise<RecordMetadata> | null {
    if (this.state !== BatchState.Open) return null;
    if (!(this.builder as RecordBatchBuilder).tryAppend(timestamp, key, value, headers)) return null;
    if (!this.awaited) this.markAwaited();
    if (pending !== null) {
      // A send that waited (for metadata or memory): its promise moves in.
      this.addEntry(timestamp, pending.promise, -1, pending.resolve, pending.reject);
      return pending.promise;
    }
    const p = newSendPromise();
    this.addEntry(timestamp, p, -1, takeResolve(), takeReject());
    return p;
  }

  /**
   * {@link ProducerBatch.tryAppend} for record `index` of a `sendBatch` call, which completes
   * through `group`; false if it did not fit.
   */
  tryAppendToGroup(
    timestamp: number,
    key: RecordBytes,
    value: RecordBytes,
    headers: HeaderList,
    group: SendGroup,
    index: number,
  ): boolean {
    if (this.state !== BatchState.Open) return false;
    if (!(this.builder as RecordBatchBuilder).tryAppend(timestamp, key, value, headers)) return false;
    this.addEntry(timestamp, group, index);
    this.awaited = true;
    return true;
  }

  /** {@link ProducerBatch.tryAppend} with a callback instead of a promise; false if it did not fit. */
  tryAppendWithCallback(
    timestamp: number,
    key: RecordBytes,
    value: RecordBytes,
    headers: HeaderList,
    callback: SendCallback,
  ): boolean {
    if (this.state !== BatchState.Open) return false;
    if (!(this.builder as RecordBatchBuilder).tryAppend(timestamp, key, value, headers)) return false;
    this.addEntry(timestamp, callback);
    return true;
  }

  private addEntry(
    timestamp: number,
    completion: Completion,
    groupIndex = -1,
    resolve: Resolve | null = null,
    reject: Reject | null = null,
  ): void {
    const i = this.entries;
    if (i === this.timestamps.length) this.growEntries();
    this.timestamps[i] = timestamp;
    this.completions[i] = completion;
    if (groupIndex >= 0) {
      this.groupIndexes ??= new Int32Array(this.timestamps.length);
      this.groupIndexes[i] = groupIndex;
    }
    if (resolve !== null) {
      if (this.resolvers === null) {
        this.resolvers = new Array(this.timestamps.length);
        this.rejecters = new Array(this.timestamps.length);
      }
      this.resolvers[i] = resolve;
      (this.rejecters as Reject[])[i] = reject as Reject;
    }
    this.entries = i + 1;
  }

  // Sized once for as many records as the first one's size fits in the buffer (doubled if the
  // records turn out smaller), so a batch of thousands of records does not regrow its arrays.
  private growEntries(): void {
    const n = this.entries;
    let capacity = n * 2;
    if (n === 0) {
      const b = this.builder;
      const first = b === null ? 0 : b.sizeInBytes - RECORD_BATCH_OVERHEAD;
      capacity =
        b === null || first <= 0
          ? 8
          : Math.min(Math.ceil((b.capacity - RECORD_BATCH_OVERHEAD) / first) + 1, MAX_INITIAL_ENTRIES);
    }
    const timestamps = new Float64Array(capacity);
    timestamps.set(this.timestamps);
    this.timestamps = timestamps;
    if (this.groupIndexes !== null) {
      const indexes = new Int32Array(capacity);
      indexes.set(this.groupIndexes);
      this.groupIndexes = indexes;
    }
    if (n === 0) this.completions = new Array(capacity);
    // Holey arrays grow in place; only the typed arrays above are copied.
  }

  /** Takes no more records. */
  seal(): void {
    if (this.state === BatchState.Open) this.state = BatchState.Sealed;
  }

  /**
   * True while the producer fields above differ from those in the built bytes: the sequence was
   * rewritten after an epoch bump (KIP-360) since the batch was last sent, so an error about the
   * bytes sent is about the old sequence.
   */
  get hasStaleProducerState(): boolean {
    return this.stale;
  }

  /** Assigns the producer id, epoch and first sequence; written into the batch when it is next drained. */
  setProducerState(producerId: number, producerEpoch: number, baseSequence: number): void {
    this.producerId = producerId;
    this.producerEpoch = producerEpoch;
    this.baseSequence = baseSequence;
    if (this.bytes !== null) this.stale = true;
  }

  /**
   * Builds the batch if it is not built yet (header, compression, CRC), or rewrites its producer
   * fields if they changed since; returns the bytes to send. Never touches bytes a request may
   * still hold: only called when the batch is in its queue.
   */
  close(options: BatchBuildOptions): Buffer {
    this.seal();
    if (this.bytes === null) {
      const builder = this.builder as RecordBatchBuilder;
      this.count = builder.recordCount;
      this.uncompressedSize = builder.sizeInBytes;
      this.bytes = builder.build({
        compression: options.compression,
        compressionLevel: options.compressionLevel,
        producerId: this.producerId,
        producerEpoch: this.producerEpoch,
        baseSequence: this.baseSequence,
        isTransactional: options.isTransactional,
      });
      this.builder = null;
    } else if (this.stale) {
      setProducerState(this.bytes, this.producerId, this.producerEpoch, this.baseSequence);
    }
    this.stale = false;
    return this.bytes;
  }

  /** The batch goes into a request to `nodeId`. */
  drained(now: number, nodeId: number): void {
    this.state = BatchState.InFlight;
    this.drainedMs = now;
    this.lastNodeId = nodeId;
    this.requestsHolding++;
  }

  /**
   * A request this batch was drained into got its response (or, without one, was written): it
   * no longer holds the bytes. A request that failed (lost connection, timeout) may still be in
   * a write queue, so it never counts as let go, and the buffer is then left to the garbage
   * collector.
   */
  requestAnswered(): void {
    this.requestsHolding--;
  }

  /**
   * The pooled buffer, once the batch is done and no request can hold its bytes;
   * else null. The batch lets go of it: call once, when its memory goes back to the pool.
   */
  releaseBuffer(): Buffer | null {
    const buf = this.pooled;
    if (buf === null || this.requestsHolding !== 0 || !this.isDone || this.state === BatchState.Split)
      return null;
    // Done: nothing writes to the builder any more, and `bytes` went with the records.
    this.pooled = null;
    return buf;
  }

  /** The batch failed with a retriable error and goes back to its queue until `retryAtMs`. */
  reenqueued(now: number, retryAtMs: number): void {
    this.state = BatchState.Retry;
    this.attempts++;
    this.lastAttemptMs = now;
    this.retryAtMs = retryAtMs;
  }

  /**
   * Resolves every record: offset `baseOffset + i` (-1 if `baseOffset` is -1), timestamp
   * `logAppendTime` if it is not -1, else the record's; `logStartOffset` as the response gave it.
   * False if the batch was already done.
   */
  complete(baseOffset: number, logAppendTime: number, logStartOffset = -1): boolean {
    if (this.isDone) return false;
    this.state = BatchState.Succeeded;
    this.resultBaseOffset = baseOffset;
    this.resultLogAppendTime = logAppendTime;
    this.resultLogStartOffset = logStartOffset;
    const completions = this.completions;
    const groupIndexes = this.groupIndexes;
    const resolvers = this.resolvers;
    const n = this.entries;
    this.releaseRecords();
    for (let i = 0; i < n; i++) {
      const resolve = resolvers === null ? undefined : resolvers[i];
      if (resolve !== undefined) {
        resolve(this.metadataOf(i));
        continue;
      }
      const c = completions[i] as SendCallback | SendGroup;
      if (typeof c === 'function') callSafely(c, null, this.metadataOf(i));
      else c.settle(this.metadataOf(i), null, (groupIndexes as Int32Array)[i]);
    }
    this.notifyDone();
    return true;
  }

  /**
   * Rejects every record with `error`, or with `errorOf(i)` for the records it returns one for
   * (the broker's per-record errors). False if the batch was already done. A `send` promise is
   * rejected marked handled ({@link rejectSend}), and the records with one are told to
   * {@link PartitionQueue.onFailedSends} (nobody else may hear of them).
   */
  fail(error: Error, errorOf?: (index: number) => Error | undefined): boolean {
    if (this.isDone) return false;
    this.state = BatchState.Failed;
    const completions = this.completions;
    const groupIndexes = this.groupIndexes;
    const rejecters = this.rejecters;
    const n = this.entries;
    this.releaseRecords();
    let promised = 0;
    for (let i = 0; i < n; i++) {
      const c = completions[i];
      const e = (errorOf === undefined ? undefined : errorOf(i)) ?? error;
      const reject = rejecters === null ? undefined : rejecters[i];
      if (reject !== undefined) {
        rejectSend(c as Promise<RecordMetadata>, reject, e);
        promised++;
      } else if (typeof c === 'function') callSafely(c, e, null);
      else (c as SendGroup).settle(null, e, (groupIndexes as Int32Array)[i]);
    }
    if (promised > 0) this.queue.onFailedSends(this.topic, this.partition, error, promised);
    this.notifyDone();
    return true;
  }

  // Someone may now wait for the batch's records (see ProducerBatch.awaited).
  private markAwaited(): void {
    this.awaited = true;
    if (this.state === BatchState.Open) this.queue.onAwaited?.();
  }

  private metadataOf(i: number): RecordMetadata {
    const base = this.resultBaseOffset;
    return {
      topic: this.topic,
      partition: this.partition,
      offset: base < 0 ? -1 : base + i,
      timestamp: this.resultLogAppendTime >= 0 ? this.resultLogAppendTime : this.timestamps[i],
      logAppendTime: this.resultLogAppendTime,
      logStartOffset: this.resultLogStartOffset,
    };
  }

  /** Resolves once the batch is done (for `flush()`); created on demand, never per record. */
  whenDone(): Promise<void> {
    if (this.isDone) return Promise.resolve();
    this.doneWaiters ??= [];
    const waiters = this.doneWaiters;
    return new Promise<void>((resolve) => {
      waiters.push(resolve);
    });
  }

  /**
   * Splits a built batch of two records or more that the broker found too large into batches of
   * at most `batchSize` and at most half its records' bytes (so each split makes progress, down
   * to one record per batch), in record order, moving each record's completion along; this batch
   * ends {@link BatchState.Split}. With a sequence, the parts take the same sequence range (the
   * broker wrote none of it). The first part keeps this batch's memory.
   */
  split(batchSize: number): ProducerBatch[] {
    const half = RECORD_BATCH_OVERHEAD + Math.ceil((this.uncompressedSize - RECORD_BATCH_OVERHEAD) / 2);
    const target = Math.min(batchSize, half);
    const decoded = decodeRecordBatch(this.bytes as Buffer, { verifyCrc: false });
    const parts: ProducerBatch[] = [];
    let part: ProducerBatch | null = null;
    for (let i = 0; i < decoded.records.length; i++) {
      const r = decoded.records[i];
      const ts = this.timestamps[i];
      if (part === null || !(part.builder as RecordBatchBuilder).tryAppend(ts, r.key, r.value, r.headers)) {
        const size = RECORD_BATCH_OVERHEAD + sizeOfRecord(0, 0, r.key, r.value, r.headers);
        part = new ProducerBatch(this.queue, Math.max(target, size), this.createdMs, 0);
        part.state = BatchState.Sealed;
        (part.builder as RecordBatchBuilder).tryAppend(ts, r.key, r.value, r.headers);
        parts.push(part);
      }
      // The record's completion (and a promise's resolving functions) follow it into the part.
      const resolve = this.resolvers === null ? undefined : this.resolvers[i];
      part.addEntry(
        ts,
        this.completions[i],
        this.groupIndexes === null ? -1 : this.groupIndexes[i],
        resolve ?? null,
        resolve === undefined ? null : (this.rejecters as Reject[])[i],
      );
      if (resolve !== undefined) part.awaited = true;
    }
    parts[0].allocatedBytes = this.allocatedBytes;
    this.allocatedBytes = 0;
    if (this.hasSequence) {
      let sequence = this.baseSequence;
      for (const p of parts) {
        p.setProducerState(this.producerId, this.producerEpoch, sequence);
        sequence = incrementSequence(sequence, p.recordCount);
      }
    }
    this.state = BatchState.Split;
    this.releaseRecords();
    this.notifyDone();
    return parts;
  }

  // The records' bytes and completions go once done.
  private releaseRecords(): void {
    this.completions = [];
    this.groupIndexes = null;
    this.resolvers = null;
    this.rejecters = null;
    if (this.state !== BatchState.Split) this.bytes = null;
  }

  private notifyDone(): void {
    const waiters = this.doneWaiters;
    if (waiters === null) return;
    this.doneWaiters = null;
    for (const w of waiters) w();
  }
}

/**
 * Calls a user's send callback. One that throws must not keep the other records of the batch from
 * completing; like Java's "Error executing user-provided callback", it is reported, not rethrown.
 */
export function callSafely(
  callback: SendCallback,
  error: Error | null,
  metadata: RecordMetadata | null,
): void {
  try {
    callback(error, metadata);
  } catch (e) {
    process.emitWarning(e instanceof Error ? e : String(e), 'ProducerCallbackWarning');
  }
}
