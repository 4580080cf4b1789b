/**
 * The append path of a partition log, up to the segment write: re-checking the framing of the
 * batches handed in, stamping them as the leader, summing up what an append adds (Kafka's
 * `LogAppendInfo`) and rolling to a new active segment when the current one must not grow
 * (Kafka's `maybeRoll` and `roll`).
 *
 * Free functions rather than methods: `PartitionLog` keeps the offsets and the leader epoch cache
 * and passes each step what it needs. The two that roll change the segment list they are given
 * in place, since that list is the log's.
 *
 * @module
 */
import {
  BatchField,
  type BatchHeader,
  LOG_OVERHEAD,
  MAGIC_V2,
  RECORD_BATCH_OVERHEAD,
  readBatchHeader,
  stampBatch,
} from './batch.js';
import type { LogConfig, TimestampType } from './config.js';
import { LogErrorCode } from './errors.js';
import { LogSegment } from './segment.js';
import type { LogDirectory } from './storage.js';
import { LogValidationError } from './validator.js';

/** Options of {@link PartitionLog.append}. */
export interface AppendOptions {
  /** The leader epoch written into each batch's partitionLeaderEpoch. */
  leaderEpoch: number;
  /** The current time (ms): the LogAppendTime, and the clock of `segment.ms`. */
  now: number;
  /** Defaults to the log's `message.timestamp.type`. */
  timestampType?: TimestampType;
  /**
   * The caller hands `batches` over: nobody reads them for other purposes or writes them after
   * the append, so a log in memory keeps them uncopied (the produce path's request bytes).
   */
  adopt?: boolean;
}

/** The outcome of an append (Kafka's `LogAppendInfo`, the parts a produce response needs). */
export interface AppendResult {
  /** Offset of the first record appended. */
  firstOffset: number;
  /** Offset of the last record appended. */
  lastOffset: number;
  /** Largest batch timestamp appended (`now` for LogAppendTime), or -1. */
  maxTimestamp: number;
  /** Last offset of the batch holding `maxTimestamp` (Kafka's `shallowOffsetOfMaxTimestamp`). */
  shallowOffsetOfMaxTimestamp: number;
  /** The LogAppendTime written into the batches, or -1 for CreateTime. */
  logAppendTime: number;
  /** The log start offset after the append. */
  logStartOffset: number;
  /** Bytes appended. */
  sizeInBytes: number;
}

/**
 * Reads the batch headers of an append, which stamping and indexing need, re-checking just the
 * framing (sizes and magic) on the way: the full checks were the validator's. Throws
 * {@link LogValidationError} when the append is empty, cannot fit a segment of `segmentBytes`, or
 * does not split into whole v2 batches.
 */
export function frameBatches(batches: Buffer, segmentBytes: number): BatchHeader[] {
  if (batches.length === 0)
    throw new LogValidationError(LogErrorCode.INVALID_RECORD, 'no record batch to append');
  if (batches.length > segmentBytes) {
    throw new LogValidationError(
      LogErrorCode.RECORD_LIST_TOO_LARGE,
      `${batches.length} bytes cannot fit a segment of segment.bytes ${segmentBytes}`,
    );
  }
  const headers: BatchHeader[] = [];
  for (let at = 0; at < batches.length; ) {
    const ok =
      batches.length - at >= RECORD_BATCH_OVERHEAD &&
      batches.readInt32BE(at + BatchField.batchLength) + LOG_OVERHEAD >= RECORD_BATCH_OVERHEAD &&
      batches.readInt8(at + BatchField.magic) === MAGIC_V2;
    const h = ok ? readBatchHeader(batches, at) : null;
    if (h === null || at + h.size > batches.length) {
      throw new LogValidationError(
        LogErrorCode.CORRUPT_MESSAGE,
        `no whole v2 batch at byte ${at} of the append`,
      );
    }
    headers.push(h);
    at += h.size;
  }
  return headers;
}

/**
 * Stamps the framed `batches` as the leader, in place, and updates `headers` to match: offsets
 * from `firstOffset` on, `leaderEpoch`, and with a `logAppendTime` (not `null`) that time as
 * maxTimestamp (see {@link stampBatch}).
 */
export function stampAsLeader(
  batches: Buffer,
  headers: BatchHeader[],
  firstOffset: number,
  leaderEpoch: number,
  logAppendTime: number | null,
): void {
  let next = firstOffset;
  for (const h of headers) {
    const delta = h.lastOffset - h.baseOffset;
    stampBatch(batches, h.position, next, leaderEpoch, logAppendTime);
    h.baseOffset = next;
    h.lastOffset = next + delta;
    h.partitionLeaderEpoch = leaderEpoch;
    if (logAppendTime !== null) h.maxTimestamp = logAppendTime;
    next = h.lastOffset + 1;
  }
}

/**
 * What appending the stamped batches of `headers` adds to the log. `logAppendTime` is -1 for
 * CreateTime; `logStartOffset` is reported as is, since an append never moves it.
 */
export function appendInfo(
  headers: readonly BatchHeader[],
  logAppendTime: number,
  logStartOffset: number,
  sizeInBytes: number,
): AppendResult {
  let maxTimestamp = -1;
  let shallowOffsetOfMaxTimestamp = -1;
  for (const h of headers) {
    if (h.maxTimestamp > maxTimestamp) {
      maxTimestamp = h.maxTimestamp;
      shallowOffsetOfMaxTimestamp = h.lastOffset;
    }
  }
  const lastOffset = headers[headers.length - 1].lastOffset;
  return {
    firstOffset: headers[0].baseOffset,
    lastOffset,
    maxTimestamp,
    shallowOffsetOfMaxTimestamp: maxTimestamp < 0 ? lastOffset : shallowOffsetOfMaxTimestamp,
    logAppendTime,
    logStartOffset,
    sizeInBytes,
  };
}

/**
 * The segment to write the append `info` to: the active one (last of `segments`), or a new one
 * at `max(info.firstOffset, logEndOffset)` if the active one must roll (Kafka's `maybeRoll`).
 */
export function segmentForAppend(
  segments: LogSegment[],
  directory: LogDirectory,
  config: LogConfig,
  info: AppendResult,
  logEndOffset: number,
  now: number,
): LogSegment {
  const active = segments[segments.length - 1];
  const mustRoll = active.shouldRoll({
    now,
    segmentBytes: config.segmentBytes,
    segmentMs: config.segmentMs,
    messagesSize: info.sizeInBytes,
    maxTimestampInMessages: info.maxTimestamp,
    maxOffsetInMessages: info.lastOffset,
  });
  if (!mustRoll) return active;
  return rollSegment(
    segments,
    directory,
    config.segmentIndexBytes,
    now,
    Math.max(info.firstOffset, logEndOffset),
  );
}

/**
 * Ends `segments` with a new active segment at `baseOffset` and returns it: the body of
 * {@link PartitionLog.roll}, which says why the old one is fsynced and an empty one replaced.
 */
export function rollSegment(
  segments: LogSegment[],
  directory: LogDirectory,
  segmentIndexBytes: number,
  now: number,
  baseOffset: number,
): LogSegment {
  const active = segments[segments.length - 1];
  if (active.size === 0) {
    if (active.baseOffset === baseOffset) return active;
    active.delete();
    segments.pop();
  } else {
    active.onBecomeInactiveSegment();
  }
  const segment = LogSegment.open(directory, baseOffset, segmentIndexBytes, now);
  segments.push(segment);
  return segment;
}
