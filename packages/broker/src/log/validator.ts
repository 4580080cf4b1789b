/**
 * Validation of the record batches of a produce request before they are appended, following
 * Kafka's checks for magic v2 input: `ProduceRequest.validateRecords` (exactly one v2 batch per
 * partition), `UnifiedLog.analyzeAndValidateRecords` (base offset 0, `max.message.bytes`, CRC) and
 * `LogValidator.validateBatch` (offset range against record count, no control batches from
 * clients, a sequence for every producer id), plus the structure of every record, as Kafka's
 * `LogValidator` reads each record: a batch whose CRC is right but whose records are not would
 * otherwise be stored and break every consumer that reaches it.
 *
 * Compressed batches from clients are decompressed for that check (bounded by the protocol's
 * decompression limit); batches from replication are checked for size, magic and CRC only. It
 * returns one summary per batch for the produce handler (idempotence, transactions).
 *
 * @module
 */

import type { CompressionType } from '@tskafka/protocol';
import { crc32cRange as crc32c, decompressSync } from '@tskafka/protocol/internals';
import {
  BatchAttribute,
  BatchField,
  LOG_OVERHEAD,
  MAGIC_V2,
  RECORD_BATCH_OVERHEAD,
  readInt64,
} from './batch.js';
import { LogError, LogErrorCode } from './errors.js';
import { firstRecordWithoutKey, recordStructureProblem, recordsWellFormed } from './record-scan.js';

/** Largest compression codec id (zstd). */
const MAX_COMPRESSION = 4;
const ZSTD = 4;

/** What the produce path needs to know about one validated batch. */
export interface BatchSummary {
  /** Byte position of the batch in the validated buffer. */
  position: number;
  /** Total size of the batch in bytes. */
  length: number;
  baseOffset: number;
  lastOffsetDelta: number;
  recordCount: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  isTransactional: boolean;
  isControl: boolean;
  baseTimestamp: number;
  maxTimestamp: number;
  /** Codec id: 0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd. */
  compression: number;
  /** Whether the producer marked the batch LogAppendTime (bit 3 of the attributes). */
  isLogAppendTime: boolean;
}

/** Options of {@link validateRecordBatches}. */
export interface ValidateOptions {
  /** `max.message.bytes` of the topic: the largest batch accepted. */
  maxMessageBytes: number;
  /**
   * `client` (the default) applies the checks Kafka applies to Produce requests; `replication`
   * only the structural ones (size, magic, CRC), as for batches fetched from a leader.
   */
  origin?: 'client' | 'replication';
  /**
   * Require exactly one batch, as Kafka does for Produce v3+ (`INVALID_RECORD` otherwise).
   * Defaults to `true` for `client`, `false` for `replication`.
   */
  singleBatch?: boolean;
  /** Whether zstd is allowed: Produce before v7 must not carry it. Defaults to `true`. */
  allowZstd?: boolean;
  /** The topic is compacted (`cleanup.policy` has `compact`): every record needs a key. */
  compacted?: boolean;
}

/** A produce payload Kafka would reject, with the error code Kafka would answer. */
export class LogValidationError extends LogError {
  /**
   * @param errorCode - the Kafka error code
   * @param message - what was wrong
   * @param batchIndex - which batch of the payload, when one is to blame
   */
  constructor(
    errorCode: LogErrorCode,
    message: string,
    readonly batchIndex = -1,
  ) {
    super(errorCode, message);
  }
}

/**
 * Validates `buf` as back-to-back v2 record batches and returns their summaries; throws a
 * {@link LogValidationError} carrying Kafka's error code on the first problem:
 * `CORRUPT_MESSAGE` (2) for bytes that are not a sound batch (truncated, bad length, bad magic,
 * CRC mismatch), `INVALID_RECORD` (87) for sound batches Kafka refuses from clients,
 * `MESSAGE_TOO_LARGE` (10) above `maxMessageBytes`, `UNSUPPORTED_COMPRESSION_TYPE` (76) for zstd
 * when not allowed.
 */
export function validateRecordBatches(buf: Buffer, options: ValidateOptions): BatchSummary[] {
  const fromClient = (options.origin ?? 'client') === 'client';
  const singleBatch = options.singleBatch ?? fromClient;
  if (buf.length === 0) {
    throw new LogValidationError(LogErrorCode.INVALID_RECORD, 'the records hold no record batch');
  }
  const summaries: BatchSummary[] = [];
  for (let at = 0, index = 0; at < buf.length; index++) {
    const remaining = buf.length - at;
    if (remaining < LOG_OVERHEAD)
      failBatch(index, at, LogErrorCode.CORRUPT_MESSAGE, `${remaining} trailing bytes, not a batch`);
    const size = buf.readInt32BE(at + BatchField.batchLength) + LOG_OVERHEAD;
    if (size < RECORD_BATCH_OVERHEAD) {
      failBatch(
        index,
        at,
        LogErrorCode.CORRUPT_MESSAGE,
        `batch size ${size} is smaller than the 61-byte batch header`,
      );
    }
    if (remaining >= 17) {
      const magic = buf.readInt8(at + BatchField.magic);
      if (magic < 0 || magic > MAGIC_V2)
        failBatch(index, at, LogErrorCode.CORRUPT_MESSAGE, `invalid magic ${magic}`);
      if (magic !== MAGIC_V2) {
        // Kafka answers INVALID_RECORD here: Produce v3+ carries message format v2 only.
        failBatch(
          index,
          at,
          LogErrorCode.INVALID_RECORD,
          `magic ${magic}: only record batch v2 (magic 2) is accepted`,
        );
      }
    }
    if (size > remaining)
      failBatch(index, at, LogErrorCode.CORRUPT_MESSAGE, `batch of ${size} bytes but only ${remaining} left`);
    if (index > 0 && singleBatch) {
      failBatch(
        index,
        at,
        LogErrorCode.INVALID_RECORD,
        'a produce request may hold exactly one record batch per partition',
      );
    }
    const attributes = buf.readInt16BE(at + BatchField.attributes);
    const compression = attributes & BatchAttribute.compressionMask;
    if (compression > MAX_COMPRESSION)
      failBatch(index, at, LogErrorCode.INVALID_RECORD, `unknown compression codec ${compression}`);
    if (compression === ZSTD && options.allowZstd === false) {
      failBatch(index, at, LogErrorCode.UNSUPPORTED_COMPRESSION_TYPE, 'zstd needs Produce v7 or later');
    }
    const baseOffset = readInt64(buf, at + BatchField.baseOffset);
    if (fromClient && baseOffset !== 0)
      failBatch(index, at, LogErrorCode.INVALID_RECORD, `base offset ${baseOffset}, must be 0`);
    if (size > options.maxMessageBytes) {
      failBatch(
        index,
        at,
        LogErrorCode.MESSAGE_TOO_LARGE,
        `${size} bytes is larger than max.message.bytes ${options.maxMessageBytes}`,
      );
    }
    const stored = buf.readUInt32BE(at + BatchField.crc);
    if (stored !== crc32c(buf, at + BatchField.attributes, at + size)) {
      failBatch(index, at, LogErrorCode.CORRUPT_MESSAGE, 'CRC-32C mismatch');
    }
    const summary = readBatchSummary(buf, at);
    if (fromClient) {
      const { lastOffsetDelta, recordCount } = summary;
      if (lastOffsetDelta < 0)
        failBatch(
          index,
          at,
          LogErrorCode.INVALID_RECORD,
          `invalid offset range, lastOffsetDelta ${lastOffsetDelta}`,
        );
      if (recordCount <= 0)
        failBatch(index, at, LogErrorCode.INVALID_RECORD, `invalid record count ${recordCount}`);
      if (lastOffsetDelta + 1 !== recordCount) {
        failBatch(
          index,
          at,
          LogErrorCode.INVALID_RECORD,
          `lastOffsetDelta ${lastOffsetDelta} disagrees with record count ${recordCount}`,
        );
      }
      if (summary.isControl)
        failBatch(index, at, LogErrorCode.INVALID_RECORD, 'clients may not write control batches');
      if (summary.producerId >= 0 && summary.baseSequence < 0) {
        failBatch(
          index,
          at,
          LogErrorCode.INVALID_RECORD,
          `producer id ${summary.producerId} with invalid sequence ${summary.baseSequence}`,
        );
      }
    }
    if (compression === 0) {
      const start = at + RECORD_BATCH_OVERHEAD;
      // A leader's compacted batches have gaps between their records' offsets.
      if (!recordsWellFormed(buf, start, at + size, summary.recordCount, !fromClient)) {
        const problem = recordStructureProblem(buf, start, at + size, summary.recordCount, !fromClient);
        failBatch(index, at, LogErrorCode.INVALID_RECORD, problem ?? 'invalid record structure');
      }
      if (fromClient && options.compacted) keyless(buf, start, at + size, summary.recordCount, index, at);
    } else if (fromClient) {
      let records: Buffer;
      try {
        records = decompressSync(
          compression as CompressionType,
          buf.subarray(at + RECORD_BATCH_OVERHEAD, at + size),
        );
      } catch (e) {
        return failBatch(
          index,
          at,
          LogErrorCode.CORRUPT_MESSAGE,
          `cannot decompress the records: ${(e as Error).message}`,
        );
      }
      if (!recordsWellFormed(records, 0, records.length, summary.recordCount)) {
        const problem = recordStructureProblem(records, 0, records.length, summary.recordCount);
        failBatch(index, at, LogErrorCode.INVALID_RECORD, problem ?? 'invalid record structure');
      }
      if (options.compacted) keyless(records, 0, records.length, summary.recordCount, index, at);
    }
    summaries.push(summary);
    at += size;
  }
  return summaries;
}

/**
 * Throws the {@link LogValidationError} for batch `index` at byte `at`. A plain function rather
 * than a closure made per batch: tsx keeps function names, and naming a closure costs an
 * `Object.defineProperty` each time it is made.
 */
function failBatch(index: number, at: number, code: LogErrorCode, message: string): never {
  throw new LogValidationError(code, `batch ${index} at byte ${at}: ${message}`, index);
}

/** Fails with Kafka's INVALID_RECORD when a record of a batch for a compacted topic has no key. */
function keyless(buf: Buffer, start: number, end: number, count: number, index: number, at: number): void {
  const record = firstRecordWithoutKey(buf, start, end, count);
  if (record >= 0) {
    failBatch(
      index,
      at,
      LogErrorCode.INVALID_RECORD,
      `record ${record}: Compacted topic cannot accept message without key`,
    );
  }
}

/**
 * The summary of the batch whose header starts at `at` in `buf` (61 bytes must be there).
 *
 * @param position - the position to report (default `at`)
 */
export function readBatchSummary(buf: Buffer, at: number, position = at): BatchSummary {
  const attributes = buf.readInt16BE(at + BatchField.attributes);
  return {
    position,
    length: buf.readInt32BE(at + BatchField.batchLength) + LOG_OVERHEAD,
    baseOffset: readInt64(buf, at + BatchField.baseOffset),
    lastOffsetDelta: buf.readInt32BE(at + BatchField.lastOffsetDelta),
    recordCount: buf.readInt32BE(at + BatchField.recordCount),
    producerId: readInt64(buf, at + BatchField.producerId),
    producerEpoch: buf.readInt16BE(at + BatchField.producerEpoch),
    baseSequence: buf.readInt32BE(at + BatchField.baseSequence),
    isTransactional: (attributes & BatchAttribute.transactional) !== 0,
    isControl: (attributes & BatchAttribute.control) !== 0,
    baseTimestamp: readInt64(buf, at + BatchField.baseTimestamp),
    maxTimestamp: readInt64(buf, at + BatchField.maxTimestamp),
    compression: attributes & BatchAttribute.compressionMask,
    isLogAppendTime: (attributes & BatchAttribute.logAppendTime) !== 0,
  };
}
