/**
 * Errors the producer raises itself, as opposed to the broker's error codes (those are the
 * protocol package's `KafkaError` classes, passed through unchanged). Each carries the
 * numbers that explain it, and `retriable` says whether sending the record again may succeed,
 * as Java's `RetriableException` does.
 *
 * @module
 */

/** Options of {@link ProducerError}'s constructor. */
export interface ProducerErrorOptions {
  /** Whether sending the record again may succeed. Default false. */
  retriable?: boolean;
  /** The error that led to this one, kept as the standard `cause`. */
  cause?: unknown;
}

/** The base class of the errors the producer raises itself. */
export class ProducerError extends Error {
  /** Whether sending the record again may succeed. */
  readonly retriable: boolean;

  /** An error with `message`; see {@link ProducerErrorOptions}. */
  constructor(message: string, options: ProducerErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.retriable = options.retriable ?? false;
  }
}

/**
 * `buffer.memory` stayed full for `max.block.ms`: the record was never appended (Java's
 * `BufferExhaustedException`, a `TimeoutException`). Retriable: it may fit once the sender has
 * delivered what is buffered.
 */
export class BufferExhaustedError extends ProducerError {
  /** Bytes the append needed (a whole batch, at least `batch.size`). */
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
