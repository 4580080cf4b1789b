/**
 * Decoding record batches down to records: what a consumer does with the `records` of a Fetch
 * response. Keys, values and header values are `subarray` views of the input when the batch is
 * uncompressed (of the decompressed buffer otherwise), never copies.
 *
 * @module
 */
import { CompressionType, compressionTypeName, decompress, decompressSync } from '../compression/index.js';
import { crc32cRange } from '../crc32c.js';
import { ProtocolDecodeError } from '../primitives/errors.js';
import { Reader } from '../primitives/reader.js';
import {
  batchContext,
  RECORD_BATCH_OVERHEAD,
  RecordBatchField,
  type RecordBatchHeader,
  readRecordBatchHeader,
  recordBatchSize,
  TimestampType,
} from './batch.js';
import { type ControlRecord, decodeControlRecord } from './control.js';

/** A decoded record header. */
export interface RecordHeader {
  /** Header key (UTF-8). */
  key: string;
  /** Header value, or null. */
  value: Buffer | null;
}

/** A decoded record, with its absolute offset and timestamp. */
export interface DecodedRecord {
  /** `baseOffset + offsetDelta`. */
  offset: number;
  /** `baseTimestamp + timestampDelta`, or the batch's `maxTimestamp` under `LogAppendTime`. */
  timestamp: number;
  /** Key bytes, or null. */
  key: Buffer | null;
  /** Value bytes, or null for a tombstone. */
  value: Buffer | null;
  /** Headers in wire order; keys may repeat. */
  headers: RecordHeader[];
}

/** A decoded batch: its header fields and its records. */
export interface RecordBatch extends RecordBatchHeader {
  /** The records. In a control batch, the control record, not application data. */
  records: DecodedRecord[];
  /** For a control batch with a record: that record decoded; otherwise null. */
  control: ControlRecord | null;
}

/** Options of {@link decodeRecordBatches}. */
export interface DecodeRecordBatchesOptions {
  /** Check each batch's CRC-32C before reading it (Java's `check.crcs`). Default true. */
  verifyCrc?: boolean;
  /**
   * Most bytes one compressed batch may decompress to; a batch beyond it fails rather than
   * exhaust memory. Default the codecs' `DEFAULT_MAX_DECOMPRESSED_BYTES` (256 MiB).
   */
  maxDecompressedBytes?: number;
}

/**
 * The smallest record: a 1-byte length, then attributes, timestamp delta, offset delta, key
 * length, value length and header count of one byte each. Bounds what a record count can claim.
 */
const MIN_RECORD_SIZE = 7;
/** The smallest header: key length 0 and a null value. */
const MIN_HEADER_SIZE = 2;

/**
 * Decodes every complete batch in `data` (back-to-back batches, as in a Fetch response). A
 * truncated batch at the end is skipped, as the broker cuts responses at `maxBytes`; use
 * {@link readRecordBatchHeaders} to learn whether there was one. Compressed batches are
 * decompressed synchronously.
 *
 * Throws {@link ProtocolDecodeError}, with the batch's byte position as context, for any
 * malformed batch: wrong magic, bad length, CRC mismatch (unless `verifyCrc` is false), records
 * that do not add up to the declared count and length, an invalid varint, a failed decompression.
 */
export function decodeRecordBatches(data: Buffer, options: DecodeRecordBatchesOptions = {}): RecordBatch[] {
  const batches: RecordBatch[] = [];
  let position = 0;
  for (;;) {
    const size = nextBatchSize(data, position);
    if (size < 0) return batches;
    const header = prepareBatch(data, position, size, options);
    const start = position + RECORD_BATCH_OVERHEAD;
    let records: Reader;
    if (header.compression === CompressionType.None) {
      records = new Reader(data, start, position + size);
    } else {
      records = new Reader(inflate(data, position, size, header.compression, options));
    }
    batches.push(completeBatch(header, records, position));
    position += size;
  }
}

/**
 * {@link decodeRecordBatches} with asynchronous decompression: gzip and zstd batches inflate on
 * libuv's thread pool instead of blocking the event loop.
 */
export async function decodeRecordBatchesAsync(
  data: Buffer,
  options: DecodeRecordBatchesOptions = {},
): Promise<RecordBatch[]> {
  const batches: RecordBatch[] = [];
  let position = 0;
  for (;;) {
    const size = nextBatchSize(data, position);
    if (size < 0) return batches;
    const header = prepareBatch(data, position, size, options);
    const start = position + RECORD_BATCH_OVERHEAD;
    let records: Reader;
    if (header.compression === CompressionType.None) {
      records = new Reader(data, start, position + size);
    } else {
      let raw: Buffer;
      try {
        raw = await decompress(header.compression, data.subarray(start, position + size), limit(options));
      } catch (e) {
        throw decompressError(e, header.compression, start).in(batchContext(position));
      }
      records = new Reader(raw);
    }
    batches.push(completeBatch(header, records, position));
    position += size;
  }
}

/**
 * Decodes the one batch that starts at byte 0 of `batch` (bytes after it are ignored). Throws
 * {@link ProtocolDecodeError} if it is truncated or malformed.
 */
export function decodeRecordBatch(batch: Buffer, options: DecodeRecordBatchesOptions = {}): RecordBatch {
  const size = nextBatchSize(batch, 0);
  if (size < 0) {
    throw new ProtocolDecodeError(`batch is truncated: ${batch.length} bytes`, batch.length).in(
      batchContext(0),
    );
  }
  return decodeRecordBatches(batch.subarray(0, size), options)[0];
}

/** Size of the complete batch at `position`, -1 at the end or before a truncated batch. */
function nextBatchSize(data: Buffer, position: number): number {
  if (position >= data.length) return -1;
  try {
    return recordBatchSize(data, position);
  } catch (e) {
    throw e instanceof ProtocolDecodeError ? e.in(batchContext(position)) : e;
  }
}

/** Reads the header and checks the CRC of the complete batch at `position`. */
function prepareBatch(
  data: Buffer,
  position: number,
  size: number,
  options: DecodeRecordBatchesOptions,
): RecordBatchHeader {
  const header = readRecordBatchHeader(data, position);
  if (options.verifyCrc !== false) {
    const computed = crc32cRange(data, position + RecordBatchField.Attributes, position + size);
    if (computed !== header.crc) {
      throw new ProtocolDecodeError(
        `CRC mismatch: stored 0x${hex32(header.crc)}, computed 0x${hex32(computed)}`,
        position + RecordBatchField.Crc,
        batchContext(position),
      );
    }
  }
  if (header.recordCount < 0) {
    throw new ProtocolDecodeError(
      `recordCount ${header.recordCount} is negative`,
      position + RecordBatchField.RecordCount,
      batchContext(position),
    );
  }
  return header;
}

function hex32(n: number): string {
  return n.toString(16).padStart(8, '0');
}

function limit(options: DecodeRecordBatchesOptions): { maxOutputBytes: number } | undefined {
  const max = options.maxDecompressedBytes;
  return max === undefined ? undefined : { maxOutputBytes: max };
}

function inflate(
  data: Buffer,
  position: number,
  size: number,
  compression: CompressionType,
  options: DecodeRecordBatchesOptions,
): Buffer {
  const start = position + RECORD_BATCH_OVERHEAD;
  try {
    return decompressSync(compression, data.subarray(start, position + size), limit(options));
  } catch (e) {
    throw decompressError(e, compression, start).in(batchContext(position));
  }
}

function decompressError(e: unknown, compression: CompressionType, offset: number): ProtocolDecodeError {
  if (e instanceof ProtocolDecodeError) return e;
  const why = e instanceof Error ? e.message : String(e);
  const err = new ProtocolDecodeError(
    `cannot decompress ${compressionTypeName(compression)} records: ${why}`,
    offset,
  );
  err.cause = e;
  return err;
}

/** Reads the records of a batch whose header is known, and its control record if any. */
function completeBatch(header: RecordBatchHeader, r: Reader, position: number): RecordBatch {
  const section = header.compression === CompressionType.None ? 'records' : 'decompressedRecords';
  let records: DecodedRecord[];
  let control: ControlRecord | null = null;
  try {
    records = readRecords(header, r);
  } catch (e) {
    throw e instanceof ProtocolDecodeError ? e.at(section).in(batchContext(position)) : e;
  }
  if (header.isControl && records.length > 0) {
    try {
      control = decodeControlRecord(records[0].key, records[0].value);
    } catch (e) {
      if (!(e instanceof ProtocolDecodeError)) throw e;
      // Rebuilt so the batch, not the standalone helper, is the context.
      throw new ProtocolDecodeError(e.reason, position, batchContext(position), ['control']);
    }
  }
  return { ...header, records, control };
}

function readRecords(header: RecordBatchHeader, r: Reader): DecodedRecord[] {
  const count = header.recordCount;
  // A hostile count must not drive allocation or a long loop: check it against the bytes first.
  if (count > r.remaining() / MIN_RECORD_SIZE) {
    throw new ProtocolDecodeError(
      `recordCount ${count} needs at least ${count * MIN_RECORD_SIZE} bytes, only ${r.remaining()} left`,
      r.pos,
    );
  }
  const logAppendTime = header.timestampType === TimestampType.LogAppendTime ? header.maxTimestamp : null;
  const records: DecodedRecord[] = [];
  for (let i = 0; i < count; i++) {
    try {
      records.push(readRecord(r, header.baseOffset, header.baseTimestamp, logAppendTime));
    } catch (e) {
      throw e instanceof ProtocolDecodeError ? e.at(i) : e;
    }
  }
  if (r.remaining() !== 0) {
    throw new ProtocolDecodeError(`${r.remaining()} bytes left after the last of ${count} records`, r.pos);
  }
  return records;
}

/**
 * Reads one record. Fields are read straight from the batch's reader (no per-record reader);
 * a field running into the next record is caught by the length check at the end.
 */
function readRecord(
  r: Reader,
  baseOffset: number,
  baseTimestamp: number,
  logAppendTime: number | null,
): DecodedRecord {
  let field: string | number = 'length';
  try {
    const lengthAt = r.pos;
    const length = r.varint();
    if (length < 0 || length > r.remaining()) {
      throw new ProtocolDecodeError(
        `record length ${length} at offset ${lengthAt} does not fit the ${r.remaining()} bytes left`,
        lengthAt,
      );
    }
    const end = r.pos + length;
    field = 'attributes';
    r.int8();
    field = 'timestampDelta';
    const timestampDelta = r.varlong();
    field = 'offsetDelta';
    const offsetDelta = r.varint();
    field = 'key';
    const key = nullableBytes(r, 'key');
    field = 'value';
    const value = nullableBytes(r, 'value');
    field = 'headers';
    // The header count needs a byte inside the record; past it, the length is what is wrong.
    const headers = r.pos < end ? readHeaders(r, end) : null;
    if (headers === null || r.pos !== end) {
      throw new ProtocolDecodeError(
        `record length ${length} does not match its fields, which end at offset ${r.pos}${headers ? '' : ' before the header count'}, not ${end}`,
        lengthAt,
      );
    }
    field = 'offsetDelta';
    const offset = baseOffset + offsetDelta;
    if (!Number.isSafeInteger(offset)) {
      throw new ProtocolDecodeError(`offset ${baseOffset} + ${offsetDelta} is not a safe integer`, lengthAt);
    }
    field = 'timestampDelta';
    const timestamp = logAppendTime ?? baseTimestamp + timestampDelta;
    if (!Number.isSafeInteger(timestamp)) {
      throw new ProtocolDecodeError(
        `timestamp ${baseTimestamp} + ${timestampDelta} is not a safe integer`,
        lengthAt,
      );
    }
    return { offset, timestamp, key, value, headers };
  } catch (e) {
    throw e instanceof ProtocolDecodeError ? e.at(field) : e;
  }
}

function nullableBytes(r: Reader, what: string): Buffer | null {
  const at = r.pos;
  const length = r.varint();
  if (length === -1) return null;
  if (length < -1) throw new ProtocolDecodeError(`${what} length ${length} is invalid`, at);
  return r.view(length);
}

function readHeaders(r: Reader, end: number): RecordHeader[] {
  const at = r.pos;
  const count = r.varint();
  if (count < 0 || count > (end - r.pos) / MIN_HEADER_SIZE) {
    throw new ProtocolDecodeError(`header count ${count} is invalid for the ${end - r.pos} bytes left`, at);
  }
  const headers: RecordHeader[] = [];
  for (let i = 0; i < count; i++) {
    try {
      const keyAt = r.pos;
      const keyLength = r.varint();
      if (keyLength < 0) throw new ProtocolDecodeError(`header key length ${keyLength} is negative`, keyAt);
      const key = r.utf8(keyLength);
      headers.push({ key, value: nullableBytes(r, 'header value') });
    } catch (e) {
      throw e instanceof ProtocolDecodeError ? e.at(i) : e;
    }
  }
  return headers;
}
