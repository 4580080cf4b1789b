/**
 * Record batch v2 (magic 2): the fixed 61-byte header, its attribute bits, reading headers of
 * back-to-back batches without touching the records, the CRC check, and the in-place header
 * updates a producer (sequence numbers) and a broker (offsets, leader epoch, append time) make.
 *
 * @module
 */
import { CompressionType } from '../compression/index.js';
import { crc32cRange } from '../crc32c.js';
import { ProtocolDecodeError, ProtocolEncodeError } from '../primitives/errors.js';
import { Reader } from '../primitives/reader.js';
import { Writer } from '../primitives/writer.js';

/** The only message format this package reads and writes (Kafka 0.11+, KIP-98). */
export const RECORD_BATCH_MAGIC = 2;
/** Bytes before a batch's length-delimited part: `baseOffset` (8) and `batchLength` (4). */
export const LOG_OVERHEAD = 12;
/** Bytes of the batch header, before the first record (Java's `RECORD_BATCH_OVERHEAD`). */
export const RECORD_BATCH_OVERHEAD = 61;
/** `producerId` of a batch from a producer that is neither idempotent nor transactional. */
export const NO_PRODUCER_ID = -1;
/** `producerEpoch` of a batch from a producer that is neither idempotent nor transactional. */
export const NO_PRODUCER_EPOCH = -1;
/** `baseSequence` of a batch from a producer that is not idempotent. */
export const NO_SEQUENCE = -1;
/** `partitionLeaderEpoch` sent by producers; the leader overwrites it on append. */
export const NO_PARTITION_LEADER_EPOCH = -1;
/** Timestamp meaning "none", e.g. both timestamps of a batch with no records. */
export const NO_TIMESTAMP = -1;

/** Byte positions of the header fields inside a batch (Java's `DefaultRecordBatch.*_OFFSET`). */
export const RecordBatchField = {
  BaseOffset: 0,
  BatchLength: 8,
  PartitionLeaderEpoch: 12,
  Magic: 16,
  Crc: 17,
  Attributes: 21,
  LastOffsetDelta: 23,
  BaseTimestamp: 27,
  MaxTimestamp: 35,
  ProducerId: 43,
  ProducerEpoch: 51,
  BaseSequence: 53,
  RecordCount: 57,
  Records: 61,
} as const;

/** Which clock stamped a batch's records: attribute bit 3. */
export const TimestampType = {
  /** The producer's timestamp, kept by the broker. */
  CreateTime: 0,
  /** The broker's append time, in `maxTimestamp`; record timestamps are ignored. */
  LogAppendTime: 1,
} as const;
/** One of the values of {@link TimestampType}. */
export type TimestampType = (typeof TimestampType)[keyof typeof TimestampType];

const COMPRESSION_MASK = 0x07;
const TIMESTAMP_TYPE_BIT = 0x08;
const TRANSACTIONAL_BIT = 0x10;
const CONTROL_BIT = 0x20;
const DELETE_HORIZON_BIT = 0x40;
const MAX_COMPRESSION = CompressionType.Zstd;
/** A legacy (v0) message is at least this long after its length field; anything shorter is junk. */
const MIN_LEGACY_RECORD_SIZE = 14;

/** The flags packed into a batch's int16 `attributes`. */
export interface RecordBatchAttributes {
  /** Codec of the records section (bits 0–2). */
  compression: CompressionType;
  /** Whose clock the timestamps are (bit 3). */
  timestampType: TimestampType;
  /** Written by a transactional producer (bit 4). */
  isTransactional: boolean;
  /** Holds a control record such as a commit or abort marker (bit 5), not application data. */
  isControl: boolean;
  /** Set by the log cleaner: `baseTimestamp` holds the delete horizon (bit 6, KIP-534). */
  hasDeleteHorizonMs: boolean;
}

/** Packs {@link RecordBatchAttributes} into the int16 `attributes` field. */
export function encodeBatchAttributes(a: Partial<RecordBatchAttributes>): number {
  return (
    ((a.compression ?? CompressionType.None) & COMPRESSION_MASK) |
    (a.timestampType === TimestampType.LogAppendTime ? TIMESTAMP_TYPE_BIT : 0) |
    (a.isTransactional ? TRANSACTIONAL_BIT : 0) |
    (a.isControl ? CONTROL_BIT : 0) |
    (a.hasDeleteHorizonMs ? DELETE_HORIZON_BIT : 0)
  );
}

/**
 * Unpacks the int16 `attributes` field. Throws {@link ProtocolDecodeError} (at byte `offset`)
 * for a compression codec Kafka does not define, since the records could not be read.
 */
export function decodeBatchAttributes(attributes: number, offset = 0): RecordBatchAttributes {
  const compression = attributes & COMPRESSION_MASK;
  if (compression > MAX_COMPRESSION) {
    throw new ProtocolDecodeError(`attributes: unknown compression type ${compression}`, offset);
  }
  return {
    compression: compression as CompressionType,
    timestampType: attributes & TIMESTAMP_TYPE_BIT ? TimestampType.LogAppendTime : TimestampType.CreateTime,
    isTransactional: (attributes & TRANSACTIONAL_BIT) !== 0,
    isControl: (attributes & CONTROL_BIT) !== 0,
    hasDeleteHorizonMs: (attributes & DELETE_HORIZON_BIT) !== 0,
  };
}

/** The 61-byte header of a record batch, with its attribute bits decoded. */
export interface RecordBatchHeader extends RecordBatchAttributes {
  /** Offset of the first record (0 from producers; assigned by the leader). */
  baseOffset: number;
  /** Bytes after the `batchLength` field: the batch is `batchLength + 12` bytes long. */
  batchLength: number;
  /** Leader epoch at append time; -1 from producers. */
  partitionLeaderEpoch: number;
  /** Message format version, always 2 here. */
  magic: number;
  /** Stored CRC-32C of bytes 21 to the end, unsigned. */
  crc: number;
  /** The raw int16 attributes the flags were decoded from. */
  attributes: number;
  /** Offset of the last record minus `baseOffset`; survives compaction removing records. */
  lastOffsetDelta: number;
  /** Timestamp of the first record (or the delete horizon, see `hasDeleteHorizonMs`). */
  baseTimestamp: number;
  /** Largest record timestamp, or the append time under `LogAppendTime`. */
  maxTimestamp: number;
  /** Idempotent/transactional producer id, or -1. */
  producerId: number;
  /** Epoch of `producerId`, or -1. */
  producerEpoch: number;
  /** Sequence number of the first record, or -1. */
  baseSequence: number;
  /** Number of records in the batch as declared; not trusted until the records are read. */
  recordCount: number;
}

/** A batch found by {@link readRecordBatchHeaders}: its header and where its bytes are. */
export interface RecordBatchSlice extends RecordBatchHeader {
  /** Byte position of the batch in the scanned buffer. */
  position: number;
  /** The whole batch, `batchLength + 12` bytes, as a view of the scanned buffer. */
  bytes: Buffer;
}

/** What {@link readRecordBatchHeaders} found in a buffer of back-to-back batches. */
export interface RecordBatchScan {
  /** The complete batches, in order. */
  batches: RecordBatchSlice[];
  /** Bytes taken by the complete batches; anything after is a truncated batch. */
  validBytes: number;
  /**
   * True when the buffer ends with part of a batch. Normal at the end of a Fetch response, which
   * the broker cuts at `maxBytes`; an error in a Produce request.
   */
  truncated: boolean;
}

/** Error context for the batch starting at byte `position` (internal to records/). */
export function batchContext(position: number): string {
  return `RecordBatch at byte ${position}`;
}

/**
 * Length of the batch at `position`, or -1 when the buffer ends before the whole batch. Checks
 * the magic byte before trusting anything past it: bytes 12–20 mean other things in v0/v1
 * message sets. Throws {@link ProtocolDecodeError} for a length or magic that cannot be right.
 */
export function recordBatchSize(data: Buffer, position: number): number {
  const remaining = data.length - position;
  if (remaining < LOG_OVERHEAD) return -1;
  const batchLength = data.readInt32BE(position + RecordBatchField.BatchLength);
  if (batchLength < MIN_LEGACY_RECORD_SIZE) {
    throw new ProtocolDecodeError(
      `batchLength ${batchLength} is too small for any message format`,
      position + RecordBatchField.BatchLength,
    );
  }
  if (remaining <= RecordBatchField.Magic) return -1;
  const magic = data[position + RecordBatchField.Magic];
  if (magic !== RECORD_BATCH_MAGIC) {
    throw new ProtocolDecodeError(
      `magic ${magic} is not supported, only record batch v2 (magic 2)`,
      position + RecordBatchField.Magic,
    );
  }
  if (batchLength < RECORD_BATCH_OVERHEAD - LOG_OVERHEAD) {
    throw new ProtocolDecodeError(
      `batchLength ${batchLength} is smaller than the ${RECORD_BATCH_OVERHEAD - LOG_OVERHEAD}-byte header`,
      position + RecordBatchField.BatchLength,
    );
  }
  const size = LOG_OVERHEAD + batchLength;
  return size <= remaining ? size : -1;
}

/**
 * Reads the header of the complete batch at `position` (see {@link recordBatchSize}). Throws
 * {@link ProtocolDecodeError} if the batch is not all there or a field is out of range.
 */
export function readRecordBatchHeader(data: Buffer, position = 0): RecordBatchHeader {
  try {
    const size = recordBatchSize(data, position);
    if (size < 0) {
      const declared = data.length - position >= LOG_OVERHEAD ? data.readInt32BE(position + 8) + 12 : 12;
      throw new ProtocolDecodeError(
        `needs ${declared} bytes at offset ${position}, only ${data.length - position} left`,
        position,
      );
    }
    return readHeaderFields(new Reader(data, position, position + size));
  } catch (e) {
    throw e instanceof ProtocolDecodeError ? e.in(batchContext(position)) : e;
  }
}

function readHeaderFields(r: Reader): RecordBatchHeader {
  const baseOffset = r.int64();
  const batchLength = r.int32();
  const partitionLeaderEpoch = r.int32();
  const magic = r.int8();
  const crc = r.uint32();
  const attributesAt = r.pos;
  const attributes = r.int16();
  const lastOffsetDelta = r.int32();
  const baseTimestamp = r.int64();
  const maxTimestamp = r.int64();
  const producerId = r.int64();
  const producerEpoch = r.int16();
  const baseSequence = r.int32();
  const recordCount = r.int32();
  return {
    baseOffset,
    batchLength,
    partitionLeaderEpoch,
    magic,
    crc,
    attributes,
    lastOffsetDelta,
    baseTimestamp,
    maxTimestamp,
    producerId,
    producerEpoch,
    baseSequence,
    recordCount,
    ...decodeBatchAttributes(attributes, attributesAt),
  };
}

/**
 * Reads the headers of back-to-back batches (the `records` field of Produce and Fetch) without
 * decoding any record: enough for a broker to validate a produce and assign offsets. A trailing
 * partial batch is not an error; it is reported through `truncated` and `validBytes`.
 *
 * Throws {@link ProtocolDecodeError} for a complete batch that is malformed (wrong magic, a
 * length smaller than the header, a field out of range). The CRC is not checked here; see
 * {@link verifyRecordBatchCrc}.
 */
export function readRecordBatchHeaders(data: Buffer): RecordBatchScan {
  const batches: RecordBatchSlice[] = [];
  let position = 0;
  while (position < data.length) {
    let size: number;
    let header: RecordBatchHeader;
    try {
      size = recordBatchSize(data, position);
      if (size < 0) break;
      header = readHeaderFields(new Reader(data, position, position + size));
    } catch (e) {
      throw e instanceof ProtocolDecodeError ? e.in(batchContext(position)) : e;
    }
    batches.push({ ...header, position, bytes: data.subarray(position, position + size) });
    position += size;
  }
  return { batches, validBytes: position, truncated: position < data.length };
}

/**
 * Checks the CRC-32C of one batch (`batch` starts at its `baseOffset`; bytes after the batch are
 * ignored). Throws {@link ProtocolDecodeError} if the batch is truncated, not magic 2, or its
 * stored CRC does not match its bytes.
 */
export function verifyRecordBatchCrc(batch: Buffer): void {
  try {
    const size = recordBatchSize(batch, 0);
    if (size < 0) {
      throw new ProtocolDecodeError(`batch is truncated: ${batch.length} bytes`, batch.length);
    }
    const stored = batch.readUInt32BE(RecordBatchField.Crc);
    const computed = crc32cRange(batch, RecordBatchField.Attributes, size);
    if (stored !== computed) {
      throw new ProtocolDecodeError(
        `CRC mismatch: stored 0x${hex32(stored)}, computed 0x${hex32(computed)}`,
        RecordBatchField.Crc,
      );
    }
  } catch (e) {
    throw e instanceof ProtocolDecodeError ? e.in(batchContext(0)) : e;
  }
}

function hex32(n: number): string {
  return n.toString(16).padStart(8, '0');
}

/** Recomputes and stores the CRC of a complete batch after its covered bytes changed. */
export function updateRecordBatchCrc(batch: Buffer): void {
  const size = checkedSize(batch);
  batch.writeUInt32BE(crc32cRange(batch, RecordBatchField.Attributes, size), RecordBatchField.Crc);
}

function checkedSize(batch: Buffer): number {
  let size = -1;
  try {
    size = recordBatchSize(batch, 0);
  } catch (e) {
    if (!(e instanceof ProtocolDecodeError)) throw e;
    throw new ProtocolEncodeError(e.reason, 'RecordBatch');
  }
  if (size < 0) throw new ProtocolEncodeError(`batch is truncated: ${batch.length} bytes`, 'RecordBatch');
  return size;
}

/**
 * Rewrites the idempotence fields of an already built batch and its CRC, in place. The sender
 * assigns sequence numbers when it drains a batch, and a retry must resend the same bytes, so the
 * batch is built once and stamped here.
 */
export function setProducerState(
  batch: Buffer,
  producerId: number,
  producerEpoch: number,
  baseSequence: number,
): void {
  checkedSize(batch);
  writeInt64(batch, producerId, RecordBatchField.ProducerId, 'producerId');
  batch.writeInt16BE(producerEpoch, RecordBatchField.ProducerEpoch);
  batch.writeInt32BE(baseSequence, RecordBatchField.BaseSequence);
  updateRecordBatchCrc(batch);
}

/**
 * Sets `baseOffset` in place, as the leader does when appending. The field sits outside the CRC,
 * so the checksum stays valid.
 */
export function setBaseOffset(batch: Buffer, baseOffset: number): void {
  checkedSize(batch);
  writeInt64(batch, baseOffset, RecordBatchField.BaseOffset, 'baseOffset');
}

/** Sets `partitionLeaderEpoch` in place (outside the CRC, like `baseOffset`). */
export function setPartitionLeaderEpoch(batch: Buffer, epoch: number): void {
  checkedSize(batch);
  batch.writeInt32BE(epoch, RecordBatchField.PartitionLeaderEpoch);
}

/**
 * Sets the timestamp type and `maxTimestamp` in place and recomputes the CRC, like Java's
 * `DefaultRecordBatch.setMaxTimestamp`: a broker with `message.timestamp.type=LogAppendTime`
 * stamps each appended batch this way.
 */
export function setMaxTimestamp(batch: Buffer, timestampType: TimestampType, maxTimestamp: number): void {
  checkedSize(batch);
  const attributes = batch.readInt16BE(RecordBatchField.Attributes);
  const updated =
    timestampType === TimestampType.LogAppendTime
      ? attributes | TIMESTAMP_TYPE_BIT
      : attributes & ~TIMESTAMP_TYPE_BIT;
  batch.writeInt16BE(updated, RecordBatchField.Attributes);
  writeInt64(batch, maxTimestamp, RecordBatchField.MaxTimestamp, 'maxTimestamp');
  updateRecordBatchCrc(batch);
}

/** Writes a safe-integer int64 at `at`, naming `field` if it is not one. */
export function writeInt64(buf: Buffer, value: number, at: number, field: string): void {
  try {
    new Writer(buf, at).int64(value);
  } catch (e) {
    throw e instanceof ProtocolEncodeError ? e.at(field).in('RecordBatch') : e;
  }
}
