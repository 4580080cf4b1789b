/**
 * The fixed 61-byte header of a record batch v2, read and patched in place with Buffer reads.
 *
 * The log never decodes records to store or serve them: it reads headers to find batch
 * boundaries, offsets and timestamps, and patches the few header fields the broker owns
 * (base offset, partition leader epoch, LogAppendTime). Records are only walked to resolve a
 * timestamp lookup to the exact record, as Kafka's `FileRecords.searchForTimestamp` does.
 *
 * @module
 */
import { crc32cRange as crc32c } from '@tskafka/protocol/internals';

/** Byte offsets of the header fields (Kafka's `DefaultRecordBatch` constants). */
export const BatchField = {
  baseOffset: 0,
  batchLength: 8,
  partitionLeaderEpoch: 12,
  magic: 16,
  crc: 17,
  attributes: 21,
  lastOffsetDelta: 23,
  baseTimestamp: 27,
  maxTimestamp: 35,
  producerId: 43,
  producerEpoch: 51,
  baseSequence: 53,
  recordCount: 57,
} as const;

/** Size of the batch header, i.e. of an empty batch (`RECORD_BATCH_OVERHEAD`). */
export const RECORD_BATCH_OVERHEAD = 61;
/** Bytes before `partitionLeaderEpoch`: baseOffset and batchLength (`LOG_OVERHEAD`). */
export const LOG_OVERHEAD = 12;
/** The only magic value the log stores. */
export const MAGIC_V2 = 2;

/** Attribute bits of a v2 batch. */
export const BatchAttribute = {
  compressionMask: 0x07,
  logAppendTime: 0x08,
  transactional: 0x10,
  control: 0x20,
  deleteHorizon: 0x40,
} as const;

/** What the log needs to know about a batch, read from its header alone. */
export interface BatchHeader {
  /** Byte position of the batch in the buffer or segment it was read from. */
  position: number;
  /** Total size of the batch in bytes (`batchLength + 12`). */
  size: number;
  baseOffset: number;
  /** `baseOffset + lastOffsetDelta`. */
  lastOffset: number;
  partitionLeaderEpoch: number;
  magic: number;
  attributes: number;
  baseTimestamp: number;
  maxTimestamp: number;
  recordCount: number;
}

const TWO_32 = 0x1_0000_0000;

/**
 * Reads a big-endian int64 as a number without allocating a bigint; exact within ±2^53, which
 * holds for offsets, timestamps and producer ids in practice.
 */
export function readInt64(buf: Buffer, at: number): number {
  return buf.readInt32BE(at) * TWO_32 + buf.readUInt32BE(at + 4);
}

/** Writes `value` (an integer within ±2^53) as a big-endian int64. */
export function writeInt64(buf: Buffer, at: number, value: number): void {
  const hi = Math.floor(value / TWO_32);
  buf.writeInt32BE(hi, at);
  buf.writeUInt32BE(value - hi * TWO_32, at + 4);
}

/** Total size of the batch at `at` from its length field (may point past the end of `buf`). */
export function batchSizeAt(buf: Buffer, at: number): number {
  return buf.readInt32BE(at + BatchField.batchLength) + LOG_OVERHEAD;
}

/**
 * Reads the header of the batch at `at` in `buf`; the caller makes sure 61 bytes are there.
 *
 * @param position - the position to report, when `buf` is a window of a larger file
 */
export function readBatchHeader(buf: Buffer, at: number, position = at): BatchHeader {
  const baseOffset = readInt64(buf, at);
  return {
    position,
    size: batchSizeAt(buf, at),
    baseOffset,
    lastOffset: baseOffset + buf.readInt32BE(at + BatchField.lastOffsetDelta),
    partitionLeaderEpoch: buf.readInt32BE(at + BatchField.partitionLeaderEpoch),
    magic: buf.readInt8(at + BatchField.magic),
    attributes: buf.readInt16BE(at + BatchField.attributes),
    baseTimestamp: readInt64(buf, at + BatchField.baseTimestamp),
    maxTimestamp: readInt64(buf, at + BatchField.maxTimestamp),
    recordCount: buf.readInt32BE(at + BatchField.recordCount),
  };
}

/** The CRC-32C a batch should carry: over everything from `attributes` to its end. */
export function computeBatchCrc(batch: Buffer): number {
  return crc32c(batch, BatchField.attributes, batch.length);
}

/** Whether the CRC stored in `batch` (one whole batch) matches its content. */
export function isBatchCrcValid(batch: Buffer): boolean {
  return batch.readUInt32BE(BatchField.crc) === computeBatchCrc(batch);
}

/**
 * Why the bytes at the front of `buf` are not a sound v2 batch, or `null` if they are: size
 * within bounds, magic 2, CRC-32C valid. Used by recovery, where any of these marks the torn
 * or corrupt tail of a segment (Kafka's `RecordBatch.ensureValid`).
 */
export function batchDefect(buf: Buffer, at: number, available: number): string | null {
  if (available < LOG_OVERHEAD) return `only ${available} bytes left, less than a batch length field`;
  const size = batchSizeAt(buf, at);
  if (size < RECORD_BATCH_OVERHEAD) return `batch size ${size} is below the 61-byte header`;
  if (size > available) return `batch of ${size} bytes but only ${available} left`;
  const magic = buf.readInt8(at + BatchField.magic);
  if (magic !== MAGIC_V2) return `magic ${magic}, expected 2`;
  const stored = buf.readUInt32BE(at + BatchField.crc);
  const actual = crc32c(buf, at + BatchField.attributes, at + size);
  if (stored !== actual) return `CRC-32C mismatch (stored ${stored}, computed ${actual})`;
  return null;
}

/**
 * Patches the broker-owned fields of the batch at `at`: base offset and partition leader epoch
 * (both outside the CRC, so no recompute), and for LogAppendTime the timestamp type bit and
 * maxTimestamp (inside the CRC, so it is recomputed), as Kafka's `setMaxTimestamp` does.
 */
export function stampBatch(
  buf: Buffer,
  at: number,
  baseOffset: number,
  leaderEpoch: number,
  logAppendTime: number | null,
): void {
  writeInt64(buf, at + BatchField.baseOffset, baseOffset);
  buf.writeInt32BE(leaderEpoch, at + BatchField.partitionLeaderEpoch);
  if (logAppendTime === null) return;
  const attributes = buf.readInt16BE(at + BatchField.attributes);
  const current = readInt64(buf, at + BatchField.maxTimestamp);
  // Same shortcut as Kafka: leave the CRC alone when nothing inside it changes.
  if (attributes & BatchAttribute.logAppendTime && current === logAppendTime) return;
  buf.writeInt16BE(attributes | BatchAttribute.logAppendTime, at + BatchField.attributes);
  writeInt64(buf, at + BatchField.maxTimestamp, logAppendTime);
  const end = at + batchSizeAt(buf, at);
  buf.writeUInt32BE(crc32c(buf, at + BatchField.attributes, end), at + BatchField.crc);
}

/** Reads a zig-zag varint at `state.at`, advancing it; `null` past `end` or when too long. */
function readVarlong(buf: Buffer, state: { at: number }, end: number): number | null {
  let result = 0;
  let factor = 1;
  for (let i = 0; i < 10; i++) {
    if (state.at >= end) return null;
    const b = buf[state.at++];
    result += (b & 0x7f) * factor;
    if ((b & 0x80) === 0) return result % 2 === 0 ? result / 2 : -(result + 1) / 2;
    factor *= 128;
  }
  return null;
}

/** Decompresses the records section of a batch: `(compressionType, bytes) => records`. */
export type Decompressor = (compression: number, data: Buffer) => Buffer;

/**
 * Calls `visit(offset, timestamp)` for each record of the whole batch `batch`, in order, until it
 * returns `true`; returns whether it did. Records of LogAppendTime batches all carry the batch's
 * maxTimestamp, as in Kafka. Returns `undefined` when the records cannot be read: compressed
 * without a `decompress` function, or malformed.
 */
export function visitRecordTimestamps(
  batch: Buffer,
  visit: (offset: number, timestamp: number) => boolean,
  decompress?: Decompressor,
): boolean | undefined {
  const header = readBatchHeader(batch, 0);
  const logAppendTime = (header.attributes & BatchAttribute.logAppendTime) !== 0;
  const compression = header.attributes & BatchAttribute.compressionMask;
  let records = batch.subarray(RECORD_BATCH_OVERHEAD);
  if (compression !== 0) {
    if (!decompress) return undefined;
    records = decompress(compression, records);
  }
  const state = { at: 0 };
  for (let i = 0; i < header.recordCount; i++) {
    const length = readVarlong(records, state, records.length);
    if (length === null || length < 0) return undefined;
    const end = state.at + length;
    if (end > records.length) return undefined;
    state.at++; // record attributes, unused
    const timestampDelta = readVarlong(records, state, end);
    const offsetDelta = readVarlong(records, state, end);
    if (timestampDelta === null || offsetDelta === null) return undefined;
    const timestamp = logAppendTime ? header.maxTimestamp : header.baseTimestamp + timestampDelta;
    if (visit(header.baseOffset + offsetDelta, timestamp)) return true;
    state.at = end;
  }
  return false;
}
