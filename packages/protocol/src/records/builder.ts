/**
 * Writing record batches: {@link RecordBatchBuilder} for the producer's hot path, and
 * {@link encodeRecordBatch} for everything else (tests, admin tools, the reference broker).
 *
 * @module
 */
import { CompressionType, compressSync } from '../compression/index.js';
import { crc32cRange } from '../crc32c.js';
import { ProtocolEncodeError } from '../primitives/errors.js';
import { varintSize, varlongSize } from '../primitives/varint.js';
import { Writer } from '../primitives/writer.js';
import {
  encodeBatchAttributes,
  LOG_OVERHEAD,
  NO_PARTITION_LEADER_EPOCH,
  NO_PRODUCER_EPOCH,
  NO_PRODUCER_ID,
  NO_SEQUENCE,
  NO_TIMESTAMP,
  RECORD_BATCH_MAGIC,
  RECORD_BATCH_OVERHEAD,
  RecordBatchField,
  TimestampType,
  writeInt64,
} from './batch.js';

/** A record key or value to write: bytes, a string (written as UTF-8), or null. */
export type RecordBytes = Uint8Array | string | null;

/** A record header to write. Kafka allows repeated keys; order is kept. */
export interface RecordHeaderInput {
  /** Header key, written as UTF-8; never null on the wire. */
  key: string;
  /** Header value; null is distinct from empty. */
  value: RecordBytes;
}

/** Header fields written by {@link RecordBatchBuilder.build}; every field has a default. */
export interface RecordBatchBuildOptions {
  /** Codec for the records section. Default `None`. */
  compression?: CompressionType;
  /** The codec's level (gzip, zstd); default the codec's own default. */
  compressionLevel?: number;
  /** Offset of the first record. Default 0 (producers send 0; the leader assigns offsets). */
  baseOffset?: number;
  /** Default -1; the leader stamps its epoch. */
  partitionLeaderEpoch?: number;
  /** Default -1 (not idempotent). */
  producerId?: number;
  /** Default -1. */
  producerEpoch?: number;
  /** Sequence of the first record. Default -1. */
  baseSequence?: number;
  /** Written inside a transaction. Default false. */
  isTransactional?: boolean;
  /** Holds a control record (commit/abort marker). Default false. */
  isControl?: boolean;
  /** Default `CreateTime`; a broker re-stamping batches uses `LogAppendTime`. */
  timestampType?: TimestampType;
}

const INT32_MAX = 0x7fffffff;
/** Batch capacity when none is given: the producer's default `batch.size`. */
const DEFAULT_CAPACITY = 16384;

/**
 * Bytes one record takes inside a batch, including its varint length prefix (Java's
 * `DefaultRecord.sizeInBytes`). With the largest deltas (`INT32_MAX`, a large timestamp delta)
 * it is an upper bound that a producer can check against `max.request.size` before appending.
 */
export function sizeOfRecord(
  offsetDelta: number,
  timestampDelta: number,
  key: RecordBytes,
  value: RecordBytes,
  headers: readonly RecordHeaderInput[] | null | undefined,
): number {
  const body = bodySize(offsetDelta, timestampDelta, byteLength(key), byteLength(value), headers, null);
  return varintSize(body) + body;
}

function byteLength(v: RecordBytes): number {
  return v === null ? -1 : typeof v === 'string' ? Buffer.byteLength(v) : v.length;
}

function bytesFieldSize(length: number): number {
  return length < 0 ? 1 : varintSize(length) + length;
}

/**
 * Size of a record after its length prefix. `lengths`, when given, receives the UTF-8 lengths
 * of the header keys and values so the write pass does not measure strings twice.
 */
function bodySize(
  offsetDelta: number,
  timestampDelta: number,
  keyLength: number,
  valueLength: number,
  headers: readonly RecordHeaderInput[] | null | undefined,
  lengths: number[] | null,
): number {
  let size =
    1 + // attributes
    varlongSize(timestampDelta) +
    varintSize(offsetDelta) +
    bytesFieldSize(keyLength) +
    bytesFieldSize(valueLength);
  const count = headers ? headers.length : 0;
  size += varintSize(count);
  for (let i = 0; i < count; i++) {
    const h = (headers as readonly RecordHeaderInput[])[i];
    const k = Buffer.byteLength(h.key);
    const v = byteLength(h.value);
    if (lengths) {
      lengths[2 * i] = k;
      lengths[2 * i + 1] = v;
    }
    size += varintSize(k) + k + bytesFieldSize(v);
  }
  return size;
}

/**
 * Writes records straight into one batch buffer as they are appended, the way the producer's
 * `RecordAccumulator` does: no per-record objects, writers or bigints. When the sender drains
 * the batch, {@link RecordBatchBuilder.build} fills in the 61-byte header, compresses if asked,
 * and stamps the CRC.
 *
 * `capacity` is `batch.size`: {@link RecordBatchBuilder.tryAppend} refuses a record that would
 * not fit, except the first one, for which the buffer grows once so that a record larger than
 * `batch.size` still gets a batch of its own. The capacity bounds the uncompressed records.
 */
export class RecordBatchBuilder {
  private buf: Buffer;
  private w: Writer;
  private count = 0;
  private baseTs = NO_TIMESTAMP;
  private maxTs = NO_TIMESTAMP;
  private lastDelta = -1;
  private built: Buffer | null = null;
  /**
   * Header key/value byte lengths from the sizing pass for the writing pass. Reused and never
   * truncated: entries past the current record's headers are stale but unread.
   */
  private readonly lengths: number[] = [];

  /**
   * A builder whose buffer holds `capacity` bytes, header included. With `buffer` (at least
   * `capacity` bytes, e.g. one a producer recycles from batch to batch), records are written
   * into its first `capacity` bytes instead of a new allocation; the caller must not touch it
   * until the built batch is no longer needed.
   */
  constructor(capacity = DEFAULT_CAPACITY, buffer?: Buffer) {
    const size = Math.max(capacity, RECORD_BATCH_OVERHEAD);
    if (buffer === undefined) this.buf = Buffer.allocUnsafe(size);
    else if (buffer.length < size) {
      throw new RangeError(`the buffer of ${buffer.length} bytes is smaller than the capacity ${size}`);
    } else this.buf = buffer.length === size ? buffer : buffer.subarray(0, size);
    this.w = new Writer(this.buf, RECORD_BATCH_OVERHEAD);
  }

  /** Records appended so far. */
  get recordCount(): number {
    return this.count;
  }

  /** Bytes used so far, header included, before compression. */
  get sizeInBytes(): number {
    return this.w.pos;
  }

  /** Bytes the buffer can hold; grows for an oversized first record and with {@link RecordBatchBuilder.grow}. */
  get capacity(): number {
    return this.buf.length;
  }

  /** Timestamp of the first record, or -1 while empty. */
  get baseTimestamp(): number {
    return this.baseTs;
  }

  /** Largest timestamp appended, or -1 while empty. */
  get maxTimestamp(): number {
    return this.maxTs;
  }

  /** Offset delta of the last record, or -1 while empty. */
  get lastOffsetDelta(): number {
    return this.lastDelta;
  }

  /** True once {@link RecordBatchBuilder.build} has run; no more records can be appended. */
  get isClosed(): boolean {
    return this.built !== null;
  }

  /**
   * Appends one record if it fits, returning false (and writing nothing) if it does not; the
   * first record always fits. `offsetDelta` defaults to one past the previous record's and must
   * increase; gaps are allowed (compacted batches have them).
   *
   * Throws {@link ProtocolEncodeError} if the builder is closed, the timestamp is not a safe
   * integer or the offset delta does not increase.
   */
  tryAppend(
    timestamp: number,
    key: RecordBytes,
    value: RecordBytes,
    headers?: readonly RecordHeaderInput[] | null,
    offsetDelta = this.lastDelta + 1,
  ): boolean {
    if (this.built) throw new ProtocolEncodeError('cannot append to a built batch', 'RecordBatchBuilder');
    if (!Number.isSafeInteger(timestamp)) {
      throw new ProtocolEncodeError(`timestamp ${timestamp} is not a safe integer`, 'RecordBatchBuilder');
    }
    if (!Number.isInteger(offsetDelta) || offsetDelta <= this.lastDelta || offsetDelta > INT32_MAX) {
      throw new ProtocolEncodeError(
        `offsetDelta ${offsetDelta} must be an int32 above the previous ${this.lastDelta}`,
        'RecordBatchBuilder',
      );
    }
    const baseTs = this.count === 0 ? timestamp : this.baseTs;
    const timestampDelta = timestamp - baseTs;
    const keyLength = byteLength(key);
    const valueLength = byteLength(value);
    const lengths = this.lengths;
    const body = bodySize(offsetDelta, timestampDelta, keyLength, valueLength, headers, lengths);
    if (body > INT32_MAX) {
      throw new ProtocolEncodeError(
        `record of ${body} bytes exceeds the int32 length field`,
        'RecordBatchBuilder',
      );
    }
    const size = varintSize(body) + body;

    if (this.w.pos + size > this.buf.length) {
      if (this.count > 0) return false;
      this.buf = Buffer.allocUnsafe(RECORD_BATCH_OVERHEAD + size);
      this.w = new Writer(this.buf, RECORD_BATCH_OVERHEAD);
    }

    const w = this.w;
    w.varint(body);
    this.buf[w.pos++] = 0; // record attributes: unused
    w.varlong(timestampDelta);
    w.varint(offsetDelta);
    writeBytes(w, key, keyLength);
    writeBytes(w, value, valueLength);
    const headerCount = headers ? headers.length : 0;
    w.varint(headerCount);
    for (let i = 0; i < headerCount; i++) {
      const h = (headers as readonly RecordHeaderInput[])[i];
      const k = lengths[2 * i];
      w.varint(k);
      w.utf8(h.key, k);
      writeBytes(w, h.value, lengths[2 * i + 1]);
    }

    if (this.count === 0 || timestamp > this.maxTs) this.maxTs = timestamp;
    this.baseTs = baseTs;
    this.lastDelta = offsetDelta;
    this.count++;
    return true;
  }

  /**
   * Moves the records written so far into `buffer` (its first `capacity` bytes become the
   * builder's buffer, a new one if no buffer is given) so that more records fit, and returns the
   * buffer written so far, which the builder no longer touches (a producer returns it to its
   * pool). For a batch that starts small and grows toward `batch.size` as records come.
   *
   * Throws {@link ProtocolEncodeError} if the builder is built, a RangeError if `capacity` is
   * below the bytes already used or `buffer` is smaller than `capacity`.
   */
  grow(capacity: number, buffer?: Buffer): Buffer {
    if (this.built) throw new ProtocolEncodeError('cannot grow a built batch', 'RecordBatchBuilder');
    const used = this.w.pos;
    if (capacity < used) throw new RangeError(`capacity ${capacity} is below the ${used} bytes used`);
    let next: Buffer;
    if (buffer === undefined) next = Buffer.allocUnsafe(capacity);
    else if (buffer.length < capacity) {
      throw new RangeError(`the buffer of ${buffer.length} bytes is smaller than the capacity ${capacity}`);
    } else next = buffer.length === capacity ? buffer : buffer.subarray(0, capacity);
    const old = this.buf;
    // The header is written only at build(): the records are all there is to move.
    old.copy(next, RECORD_BATCH_OVERHEAD, RECORD_BATCH_OVERHEAD, used);
    this.buf = next;
    this.w = new Writer(next, used);
    return old;
  }

  /**
   * Completes the batch: writes the header, compresses the records section if asked, computes
   * the CRC, and returns the batch's exact bytes. Uncompressed, the result is a view of the
   * builder's buffer, not a copy. Can be called once; later changes to the producer fields go
   * through {@link setProducerState}, which keeps the records untouched.
   */
  build(options: RecordBatchBuildOptions = {}): Buffer {
    if (this.built) throw new ProtocolEncodeError('batch is already built', 'RecordBatchBuilder');
    const compression = options.compression ?? CompressionType.None;
    const recordsEnd = this.w.pos;
    let out: Buffer;
    if (compression === CompressionType.None) {
      out = this.buf.subarray(0, recordsEnd);
    } else {
      const records = this.buf.subarray(RECORD_BATCH_OVERHEAD, recordsEnd);
      const level = options.compressionLevel;
      const compressed = compressSync(compression, records, level === undefined ? undefined : { level });
      out = Buffer.allocUnsafe(RECORD_BATCH_OVERHEAD + compressed.length);
      out.set(compressed, RECORD_BATCH_OVERHEAD);
    }
    writeHeader(out, options, {
      lastOffsetDelta: Math.max(this.lastDelta, 0),
      baseTimestamp: this.baseTs,
      maxTimestamp: this.maxTs,
      recordCount: this.count,
    });
    this.built = out;
    return out;
  }
}

/** Below this many bytes a plain loop copies faster than `TypedArray.prototype.set`. */
const SMALL_COPY = 32;

function writeBytes(w: Writer, v: RecordBytes, length: number): void {
  w.varint(length);
  if (length <= 0) return;
  if (typeof v === 'string') {
    w.utf8(v, length);
  } else if (length < SMALL_COPY) {
    const buf = w.buf;
    let pos = w.pos;
    for (let i = 0; i < length; i++) buf[pos++] = (v as Uint8Array)[i];
    w.pos = pos;
  } else {
    w.raw(v as Uint8Array);
  }
}

interface RecordsSummary {
  lastOffsetDelta: number;
  baseTimestamp: number;
  maxTimestamp: number;
  recordCount: number;
}

function checkInt(value: number, bits: 16 | 32, field: string): number {
  const max = bits === 16 ? 0x7fff : INT32_MAX;
  if (!Number.isInteger(value) || value > max || value < -max - 1) {
    throw new ProtocolEncodeError(`${field} ${value} does not fit an int${bits}`, 'RecordBatch');
  }
  return value;
}

/** Writes the 61-byte header in front of the records already in `out`, then the CRC. */
function writeHeader(out: Buffer, o: RecordBatchBuildOptions, s: RecordsSummary): void {
  writeInt64(out, o.baseOffset ?? 0, RecordBatchField.BaseOffset, 'baseOffset');
  writeInt64(out, s.baseTimestamp, RecordBatchField.BaseTimestamp, 'baseTimestamp');
  writeInt64(out, s.maxTimestamp, RecordBatchField.MaxTimestamp, 'maxTimestamp');
  writeInt64(out, o.producerId ?? NO_PRODUCER_ID, RecordBatchField.ProducerId, 'producerId');
  const w = new Writer(out, RecordBatchField.BatchLength);
  w.int32(out.length - LOG_OVERHEAD);
  w.int32(checkInt(o.partitionLeaderEpoch ?? NO_PARTITION_LEADER_EPOCH, 32, 'partitionLeaderEpoch'));
  w.int8(RECORD_BATCH_MAGIC);
  w.uint32(0); // CRC, filled in last
  w.int16(
    encodeBatchAttributes({
      compression: o.compression ?? CompressionType.None,
      timestampType: o.timestampType ?? TimestampType.CreateTime,
      isTransactional: o.isTransactional ?? false,
      isControl: o.isControl ?? false,
    }),
  );
  w.int32(s.lastOffsetDelta);
  w.pos = RecordBatchField.ProducerEpoch;
  w.int16(checkInt(o.producerEpoch ?? NO_PRODUCER_EPOCH, 16, 'producerEpoch'));
  w.int32(checkInt(o.baseSequence ?? NO_SEQUENCE, 32, 'baseSequence'));
  w.int32(s.recordCount);
  out.writeUInt32BE(crc32cRange(out, RecordBatchField.Attributes, out.length), RecordBatchField.Crc);
}

/** A record for {@link encodeRecordBatch}. */
export interface RecordInput {
  /** Record key; default null. */
  key?: RecordBytes;
  /** Record value; null is a tombstone. */
  value: RecordBytes;
  /** Headers as a list (keeps order and repeated keys) or an object. */
  headers?: readonly RecordHeaderInput[] | Readonly<Record<string, Uint8Array | string | null>> | null;
  /** Record timestamp; default the batch's `timestamp`. */
  timestamp?: number;
  /** Offset relative to the batch's `baseOffset`; default one past the previous record's. */
  offsetDelta?: number;
}

/** Input of {@link encodeRecordBatch}: the records and the header fields. */
export interface RecordBatchInput extends RecordBatchBuildOptions {
  /** The records, in offset order. */
  records: readonly RecordInput[];
  /** Timestamp for records that have none; default `Date.now()`. */
  timestamp?: number;
}

/**
 * Encodes one complete batch. Sizes the records first so the builder's buffer is exact, then
 * appends them and builds; see {@link RecordBatchBuilder} for the field defaults.
 */
export function encodeRecordBatch(input: RecordBatchInput): Buffer {
  const now = input.timestamp ?? Date.now();
  const records = input.records;
  const headers = records.map((r) => headerList(r.headers));
  let size = RECORD_BATCH_OVERHEAD;
  let delta = -1;
  const baseTs = records.length > 0 ? (records[0].timestamp ?? now) : 0;
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    delta = r.offsetDelta ?? delta + 1;
    size += sizeOfRecord(delta, (r.timestamp ?? now) - baseTs, r.key ?? null, r.value, headers[i]);
  }
  const builder = new RecordBatchBuilder(size);
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    if (!builder.tryAppend(r.timestamp ?? now, r.key ?? null, r.value, headers[i], r.offsetDelta)) {
      // Unreachable while sizeOfRecord and tryAppend agree; fail loudly if they ever drift.
      throw new ProtocolEncodeError(`record ${i} did not fit its pre-computed size`, 'RecordBatch');
    }
  }
  return builder.build(input);
}

function headerList(h: RecordInput['headers']): readonly RecordHeaderInput[] | null {
  if (!h) return null;
  if (Array.isArray(h)) return h;
  return Object.entries(h).map(([key, value]) => ({ key, value }));
}
