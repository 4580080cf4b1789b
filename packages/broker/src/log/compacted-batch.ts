/**
 * Rewriting one record batch for the log cleaner (Kafka's `MemoryRecords.filterTo` for a single
 * v2 batch): the batch keeps its base offset, its last offset delta (so a producer's sequence
 * numbers still add up), its producer id, epoch and base sequence, its leader epoch, attributes
 * and codec; only the records the cleaner keeps are written, each with its original offset delta
 * and timestamp, so offsets stay what they were and a gap is left where records went.
 *
 * @module
 */
import { type CompressionType, compressSync, type DecodedRecord } from '@tskafka/protocol/internals';
import {
  BatchAttribute,
  BatchField,
  type BatchHeader,
  computeBatchCrc,
  RECORD_BATCH_OVERHEAD,
  writeInt64,
} from './batch.js';

/** Size of a zig-zag varint. */
function varintSize(value: number): number {
  let v = value >= 0 ? value * 2 : -value * 2 - 1;
  let size = 1;
  while (v >= 128) {
    v = Math.floor(v / 128);
    size++;
  }
  return size;
}

/** Writes a zig-zag varint at `at`; returns the position after it. */
function writeVarint(buf: Buffer, at: number, value: number): number {
  let v = value >= 0 ? value * 2 : -value * 2 - 1;
  while (v >= 128) {
    buf[at++] = (v % 128) | 0x80;
    v = Math.floor(v / 128);
  }
  buf[at++] = v;
  return at;
}

function bytesSize(b: Buffer | null): number {
  return b === null ? varintSize(-1) : varintSize(b.length) + b.length;
}

function writeBytes(buf: Buffer, at: number, b: Buffer | null): number {
  if (b === null) return writeVarint(buf, at, -1);
  at = writeVarint(buf, at, b.length);
  b.copy(buf, at);
  return at + b.length;
}

/** The records section for `records` relative to `baseOffset` and `baseTimestamp`. */
function encodeRecords(records: readonly DecodedRecord[], baseOffset: number, baseTimestamp: number): Buffer {
  const bodies = records.map((r) => {
    let size = 1 + varintSize(r.timestamp - baseTimestamp) + varintSize(r.offset - baseOffset);
    size += bytesSize(r.key) + bytesSize(r.value) + varintSize(r.headers.length);
    for (const h of r.headers) size += bytesSize(Buffer.from(h.key, 'utf8')) + bytesSize(h.value);
    return size;
  });
  const total = bodies.reduce((sum, b) => sum + varintSize(b) + b, 0);
  const buf = Buffer.allocUnsafe(total);
  let at = 0;
  records.forEach((r, i) => {
    at = writeVarint(buf, at, bodies[i]);
    buf[at++] = 0; // record attributes: unused
    at = writeVarint(buf, at, r.timestamp - baseTimestamp);
    at = writeVarint(buf, at, r.offset - baseOffset);
    at = writeBytes(buf, at, r.key);
    at = writeBytes(buf, at, r.value);
    at = writeVarint(buf, at, r.headers.length);
    for (const h of r.headers) {
      at = writeBytes(buf, at, Buffer.from(h.key, 'utf8'));
      at = writeBytes(buf, at, h.value);
    }
  });
  return buf;
}

/**
 * `original` (one whole batch, header `header`) with only `records` left. With `deleteHorizonMs`
 * the batch is marked with Kafka's delete horizon (attribute bit 6, KIP-534): the base timestamp
 * becomes the horizon and record timestamps are written relative to it, so every reader still
 * sees each record's own timestamp. An empty `records` gives Kafka's empty batch header, kept
 * only to carry a producer's last sequence and epoch.
 */
export function rewriteBatch(
  original: Buffer,
  header: BatchHeader,
  records: readonly DecodedRecord[],
  deleteHorizonMs: number | null,
): Buffer {
  const attributes = header.attributes;
  const compression = attributes & BatchAttribute.compressionMask;
  const logAppendTime = (attributes & BatchAttribute.logAppendTime) !== 0;
  let baseTimestamp: number;
  let maxTimestamp: number;
  let section: Buffer;
  let newAttributes = attributes;
  if (records.length === 0) {
    // Kafka's DefaultRecordBatch.writeEmptyHeader: no records, no codec, the batch's max timestamp.
    baseTimestamp = header.maxTimestamp;
    maxTimestamp = header.maxTimestamp;
    section = Buffer.alloc(0);
    newAttributes &= ~(BatchAttribute.compressionMask | BatchAttribute.deleteHorizon);
  } else {
    baseTimestamp = deleteHorizonMs ?? records[0].timestamp;
    maxTimestamp = logAppendTime ? header.maxTimestamp : Math.max(...records.map((r) => r.timestamp));
    const raw = encodeRecords(records, header.baseOffset, baseTimestamp);
    section = compression === 0 ? raw : compressSync(compression as CompressionType, raw);
    if (deleteHorizonMs !== null) newAttributes |= BatchAttribute.deleteHorizon;
  }
  const out = Buffer.allocUnsafe(RECORD_BATCH_OVERHEAD + section.length);
  // Everything from the producer fields to the leader epoch is the original's.
  original.copy(out, 0, 0, RECORD_BATCH_OVERHEAD);
  section.copy(out, RECORD_BATCH_OVERHEAD);
  out.writeInt32BE(out.length - 12, BatchField.batchLength);
  out.writeInt16BE(newAttributes, BatchField.attributes);
  writeInt64(out, BatchField.baseTimestamp, baseTimestamp);
  writeInt64(out, BatchField.maxTimestamp, maxTimestamp);
  out.writeInt32BE(records.length, BatchField.recordCount);
  out.writeUInt32BE(computeBatchCrc(out), BatchField.crc);
  return out;
}

/** The delete horizon of a batch (KIP-534), or `null` when it has none. */
export function deleteHorizonOf(header: BatchHeader): number | null {
  return header.attributes & BatchAttribute.deleteHorizon ? header.baseTimestamp : null;
}
