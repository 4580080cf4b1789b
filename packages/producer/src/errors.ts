/**
 * Errors the producer raises itself, as opposed to the broker's error codes (those are the
 * protocol package's `KafkaError` classes, passed through unchanged). Each carries the
 * numbers that explain it, and `retriable` says whether sending the record again may succeed,
 * as Java's `RetriableException` does.
 *
 * @module
 */
import { KafkaClientError } from '@tskafka/protocol';
import type { RecordMetadata } from './types.js';

/** Options of {@link ProducerError}'s constructor (the same as {@link KafkaClientError}'s). */
export interface ProducerErrorOptions {
  /** Whether sending the record again may succeed. Default false. */
  retriable?: boolean;
  /** The error that led to this one, kept as the standard `cause`. */
  cause?: unknown;
}

/** The base class of the errors the producer raises itself, a {@link KafkaClientError}. Not retriable unless it says so. */
export class ProducerError extends KafkaClientError {}

/**
 * `buffer.memory` stayed full for `max.block.ms`: the record was never appended (Java's
 * `BufferExhaustedException`, a `TimeoutException`). Retriable: it may fit once the sender has
 * delivered what is buffered.
 */
export class BufferExhaustedError extends ProducerError {
  /** Bytes the append needed: a new batch, min(`batch.size`, 16 KiB) or its record if larger. */
  readonly requestedBytes: number;
  /** Bytes free when the wait ended. */
  readonly availableBytes: number;
  /** `buffer.memory`. */
  readonly bufferMemory: number;
  /** `max.block.ms`, how long the append waited. */
  readonly maxBlockMs: number;

  /** The error for an append of `requestedBytes` that waited `maxBlockMs` in vain. */
  constructor(requestedBytes: number, availableBytes: number, bufferMemory: number, maxBlockMs: number) {
    super(
      `failed to allocate ${requestedBytes} bytes within max.block.ms (${maxBlockMs} ms): ` +
        `buffer.memory is ${bufferMemory} bytes, ${availableBytes} available`,
      { retriable: true },
    );
    this.requestedBytes = requestedBytes;
    this.availableBytes = availableBytes;
    this.bufferMemory = bufferMemory;
    this.maxBlockMs = maxBlockMs;
  }
}

/**
 * A batch was not acknowledged within `delivery.timeout.ms` of its creation: it waited in the
 * accumulator, was retried, or was in flight for too long (Java's `TimeoutException` from
 * `Sender`). A record that was in flight may or may not have been written.
 */
export class DeliveryTimeoutError extends ProducerError {
  /** Topic of the expired batch. */
  readonly topic: string;
  /** Partition of the expired batch. */
  readonly partition: number;
  /** Records in the batch, all rejected with this error. */
  readonly recordCount: number;
  /** Ms from the batch's creation to its expiry. */
  readonly elapsedMs: number;
  /** `delivery.timeout.ms`. */
  readonly deliveryTimeoutMs: number;
  /** Whether a request carrying the batch was awaiting a response: the records may have been written. */
  readonly inFlight: boolean;

  /** The error for one expired batch; `cause` is the last error the batch got, if any. */
  constructor(
    topic: string,
    partition: number,
    recordCount: number,
    elapsedMs: number,
    deliveryTimeoutMs: number,
    inFlight: boolean,
    cause?: unknown,
  ) {
    super(
      `expiring ${recordCount} record(s) for ${topic}-${partition}: ${elapsedMs} ms has passed since batch ` +
        `creation (delivery.timeout.ms ${deliveryTimeoutMs})${inFlight ? ', while in flight' : ''}`,
      { retriable: true, cause },
    );
    this.topic = topic;
    this.partition = partition;
    this.recordCount = recordCount;
    this.elapsedMs = elapsedMs;
    this.deliveryTimeoutMs = deliveryTimeoutMs;
    this.inFlight = inFlight;
  }
}

/**
 * A produce request carrying the batch failed for a reason that sending it again would not fix,
 * so the batch failed at once, without retries: the broker shares no version of Produce with this
 * client (the transport's `UnsupportedApiVersionError`), the request could not be encoded, the
 * connections were closed (`ClientClosedError`), or any other error that is not retriable.
 * `cause` is that error. Retriable failures (a lost connection, a request timeout) are retried
 * instead, and fail only when retries or `delivery.timeout.ms` run out.
 */
export class ProduceRequestError extends ProducerError {
  /** Topic of the failed batch. */
  readonly topic: string;
  /** Partition of the failed batch. */
  readonly partition: number;
  /** Node id of the broker the request was for. */
  readonly nodeId: number;

  /** The error for the batch of `topic`-`partition` in a request to `nodeId` that failed with `cause`. */
  constructor(topic: string, partition: number, nodeId: number, cause: unknown) {
    const why = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
    super(`produce request to broker ${nodeId} for ${topic}-${partition} failed, not retriable: ${why}`, {
      cause,
    });
    this.topic = topic;
    this.partition = partition;
    this.nodeId = nodeId;
  }
}

/** The setting a record was too large for. */
export type RecordSizeLimit = 'max.request.size' | 'buffer.memory';

/**
 * A record is larger than a request or the whole buffer may be, so no batch could ever carry it
 * (Java's `RecordTooLargeException` from `KafkaProducer.ensureValidRecordSize`). Not retriable.
 * A broker rejecting a batch as too large is the protocol's `MessageTooLargeError` instead.
 */
export class RecordTooLargeError extends ProducerError {
  /** Bytes the record takes in a batch of its own, batch header included. */
  readonly sizeInBytes: number;
  /** The limit it exceeds. */
  readonly limit: number;
  /** The setting that sets the limit. */
  readonly limitName: RecordSizeLimit;

  /** The error for a record of `sizeInBytes` against `limitName` = `limit`. */
  constructor(sizeInBytes: number, limit: number, limitName: RecordSizeLimit) {
    super(`the record is ${sizeInBytes} bytes in a batch, larger than ${limitName} (${limit})`);
    this.sizeInBytes = sizeInBytes;
    this.limit = limit;
    this.limitName = limitName;
  }
}

/**
 * The producer is closed: a `send` after `close()`, a send still blocked on `buffer.memory` at
 * close, or a buffered record aborted by a forced close (timeout passed).
 */
export class ProducerClosedError extends ProducerError {
  /** The error with a message saying which of the cases above happened. */
  constructor(message = 'the producer is closed', options: ProducerErrorOptions = {}) {
    super(message, options);
  }
}

/**
 * A transactional method (or `send`) was called in a state that does not allow it: `send` outside
 * a transaction, `beginTransaction()` before `initTransactions()` or while a transaction is open,
 * `commitTransaction()` with none open, ... (Java's `IllegalStateException` from
 * `TransactionManager`). A programming error: retrying the same call in the same state fails again.
 */
export class TransactionStateError extends ProducerError {
  /** The transaction manager's state when the call was made (a `TransactionState`). */
  readonly state: string;
  /** The call, e.g. `beginTransaction()`. */
  readonly operation: string;

  /** The error for `operation` in `state`; `detail` says what to do instead. */
  constructor(operation: string, state: string, detail: string) {
    super(`cannot call ${operation} in transaction state ${state}: ${detail}`);
    this.state = state;
    this.operation = operation;
  }
}

/**
 * The current transaction hit an error it cannot commit past (a record that failed, offsets the
 * group coordinator refused, a lost producer id, ...): call `abortTransaction()`, then start a new
 * transaction. Every transactional call but `abortTransaction()` (and every `send`) rejects with
 * this error until then. `cause` is the error that broke the transaction. Java throws a
 * `KafkaException` in the same place (`TransactionManager.maybeFailWithError`).
 */
export class AbortableTransactionError extends ProducerError {
  /** The call that was refused or failed, e.g. `commitTransaction()`. */
  readonly operation: string;

  /** `operation` failed, or was refused, because of `cause`. */
  constructor(operation: string, cause: unknown) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super(`${operation} failed: the transaction must be aborted (call abortTransaction()): ${why}`, {
      cause,
    });
    this.operation = operation;
  }
}

/**
 * A record was dropped because its transaction was aborted before the record was sent: by
 * `abortTransaction()`, or because the transaction hit an error (then `cause` is that error). Java's
 * `TransactionAbortedException`.
 */
export class TransactionAbortedError extends ProducerError {
  /** The error for a record of an aborted transaction. */
  constructor(message = 'the transaction was aborted before the record was sent', cause?: unknown) {
    super(message, { cause });
  }
}

/**
 * One or more records of a `sendBatch` call failed. The call settles once every record has its
 * outcome, so `results` holds each record's metadata or error, in the order of the records
 * given; `cause` is the first failure. Retriable if every failure is.
 */
export class SendBatchError extends ProducerError {
  /** Per record, in call order: its metadata if it was written, else its error. */
  readonly results: readonly (RecordMetadata | Error)[];
  /** How many records failed. */
  readonly failedCount: number;

  /** The error for a `sendBatch` whose `results` hold `failedCount` errors, the first being `first`. */
  constructor(results: readonly (RecordMetadata | Error)[], failedCount: number, first: Error) {
    super(`${failedCount} of ${results.length} record(s) of sendBatch failed; the first: ${first.message}`, {
      retriable: results.every(
        (r) => !(r instanceof Error) || (r as { retriable?: boolean }).retriable === true,
      ),
      cause: first,
    });
    this.results = results;
    this.failedCount = failedCount;
  }
}
