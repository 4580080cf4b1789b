/**
 * Errors the log raises, each carrying the Kafka error code a handler puts in its response.
 *
 * @module
 */
import { ApiError } from '../api-error.js';

/** Kafka error codes the log layer produces (a subset of the protocol's error table). */
export const LogErrorCode = {
  OFFSET_OUT_OF_RANGE: 1,
  CORRUPT_MESSAGE: 2,
  MESSAGE_TOO_LARGE: 10,
  RECORD_LIST_TOO_LARGE: 18,
  UNSUPPORTED_FOR_MESSAGE_FORMAT: 43,
  UNSUPPORTED_COMPRESSION_TYPE: 76,
  INVALID_RECORD: 87,
  INCONSISTENT_TOPIC_ID: 103,
} as const;

/** One of the values of {@link LogErrorCode}. */
export type LogErrorCode = (typeof LogErrorCode)[keyof typeof LogErrorCode];

const NAMES = new Map<number, string>(Object.entries(LogErrorCode).map(([name, code]) => [code, name]));

/**
 * Base class of the log's errors: a Kafka error code and its name. An {@link ApiError}, so that
 * handlers answer with its code (OFFSET_OUT_OF_RANGE for a fetch below the log start,
 * CORRUPT_MESSAGE for a bad CRC) rather than treating it as an unexpected failure.
 */
export class LogError extends ApiError {
  /** The Kafka error name, e.g. `OFFSET_OUT_OF_RANGE`. */
  readonly errorName: string;

  /** An error with Kafka code `errorCode` and a message saying what was wrong. */
  constructor(
    readonly errorCode: LogErrorCode,
    message: string,
  ) {
    super(errorCode, message);
    this.errorName = NAMES.get(errorCode) ?? 'UNKNOWN';
  }
}

/**
 * A fetch, DeleteRecords or truncation at an offset outside `[logStartOffset, logEndOffset]`
 * (Kafka's `OffsetOutOfRangeException`, error 1).
 */
export class OffsetOutOfRangeError extends LogError {
  /** `offset` was requested while the log holds `[logStartOffset, logEndOffset)`. */
  constructor(
    readonly offset: number,
    readonly logStartOffset: number,
    readonly logEndOffset: number,
  ) {
    super(
      LogErrorCode.OFFSET_OUT_OF_RANGE,
      `offset ${offset} is out of range: the log holds [${logStartOffset}, ${logEndOffset})`,
    );
  }
}

/**
 * The partition directory belongs to another topic id (Kafka's `InconsistentTopicIdException`):
 * a topic was deleted and recreated with the same name while its old directory stayed.
 */
export class InconsistentTopicIdError extends LogError {
  /** The directory holds `stored`, the caller expected `expected`. */
  constructor(
    readonly stored: string,
    readonly expected: string,
  ) {
    super(
      LogErrorCode.INCONSISTENT_TOPIC_ID,
      `partition.metadata holds topic id ${stored}, expected ${expected}`,
    );
  }
}
