/**
 * A tiny record batch v2 builder for the log tests, independent of the code under test: its own
 * bitwise CRC-32C and varint encoder, so a bug in the library cannot hide behind a symmetric one.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/** Bitwise CRC-32C (Castagnoli), the slow reference. */
export function referenceCrc32c(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of data) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** Zigzag varint bytes of `value` (any safe integer), written independently of the code under test. */
export function zigzagVarint(value: number): number[] {
  let z = value >= 0 ? value * 2 : -value * 2 - 1;
  const out: number[] = [];
  while (z >= 0x80) {
    out.push((z % 0x80) | 0x80);
    z = Math.floor(z / 0x80);
  }
  out.push(z);
  return out;
}

/** One record of a test batch. */
export interface TestRecord {
  value?: string | null;
  key?: string | null;
  /** Absolute timestamp; defaults to the batch's base timestamp. */
  timestamp?: number;
}

/** Batch-level options. */
export interface TestBatchOptions {
  baseOffset?: number;
  leaderEpoch?: number;
  baseTimestamp?: number;
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  transactional?: boolean;
  control?: boolean;
  logAppendTime?: boolean;
  /** Compress the records with gzip (codec 1), as Kafka's gzip codec does. */
  gzip?: boolean;
  magic?: number;
}

function encodeRecord(r: TestRecord, index: number, baseTimestamp: number): Buffer {
  const key = r.key == null ? null : Buffer.from(r.key);
  const value = r.value == null ? null : Buffer.from(r.value);
  const body = Buffer.concat([
    Buffer.from([0]),
    Buffer.from(zigzagVarint((r.timestamp ?? baseTimestamp) - baseTimestamp)),
    Buffer.from(zigzagVarint(index)),
    Buffer.from(zigzagVarint(key ? key.length : -1)),
    key ?? Buffer.alloc(0),
    Buffer.from(zigzagVarint(value ? value.length : -1)),
    value ?? Buffer.alloc(0),
    Buffer.from(zigzagVarint(0)),
  ]);
  return Buffer.concat([Buffer.from(zigzagVarint(body.length)), body]);
}

function writeInt64(buf: Buffer, at: number, value: number): void {
  buf.writeBigInt64BE(BigInt(value), at);
}

/** A whole v2 batch holding `records`, with a valid CRC. */
export function buildBatch(records: TestRecord[], options: TestBatchOptions = {}): Buffer {
  const baseTimestamp = options.baseTimestamp ?? records[0]?.timestamp ?? 1_700_000_000_000;
  let body = Buffer.concat(records.map((r, i) => encodeRecord(r, i, baseTimestamp)));
  if (options.gzip) body = gzipSync(body);
  const header = Buffer.alloc(61);
  const maxTimestamp = Math.max(...records.map((r) => r.timestamp ?? baseTimestamp));
  writeInt64(header, 0, options.baseOffset ?? 0);
  header.writeInt32BE(61 + body.length - 12, 8);
  header.writeInt32BE(options.leaderEpoch ?? -1, 12);
  header.writeInt8(options.magic ?? 2, 16);
  const attributes =
    (options.gzip ? 1 : 0) |
    (options.logAppendTime ? 0x08 : 0) |
    (options.transactional ? 0x10 : 0) |
    (options.control ? 0x20 : 0);
  header.writeInt16BE(attributes, 21);
  header.writeInt32BE(records.length - 1, 23);
  writeInt64(header, 27, baseTimestamp);
  writeInt64(header, 35, maxTimestamp);
  writeInt64(header, 43, options.producerId ?? -1);
  header.writeInt16BE(options.producerEpoch ?? -1, 51);
  header.writeInt32BE(options.baseSequence ?? -1, 53);
  header.writeInt32BE(records.length, 57);
  const batch = Buffer.concat([header, body]);
  batch.writeUInt32BE(referenceCrc32c(batch.subarray(21)), 17);
  return batch;
}

/** A batch of `count` records with values `v<i>` and timestamps `timestamp + i`. */
export function simpleBatch(count: number, timestamp = 1_700_000_000_000, valueSize = 10): Buffer {
  return buildBatch(
    Array.from({ length: count }, (_, i) => ({
      value: `v${i}`.padEnd(valueSize, 'x'),
      timestamp: timestamp + i,
    })),
  );
}

/** Header fields of the batches in `buf`, read with BigInt (independently of the library). */
export interface ParsedBatch {
  baseOffset: number;
  lastOffset: number;
  leaderEpoch: number;
  attributes: number;
  maxTimestamp: number;
  size: number;
  crcValid: boolean;
}

/** Splits back-to-back batches and reads their headers. */
export function parseBatches(buf: Buffer): ParsedBatch[] {
  const out: ParsedBatch[] = [];
  for (let at = 0; at < buf.length; ) {
    const size = buf.readInt32BE(at + 8) + 12;
    const batch = buf.subarray(at, at + size);
    const baseOffset = Number(batch.readBigInt64BE(0));
    out.push({
      baseOffset,
      lastOffset: baseOffset + batch.readInt32BE(23),
      leaderEpoch: batch.readInt32BE(12),
      attributes: batch.readInt16BE(21),
      maxTimestamp: Number(batch.readBigInt64BE(35)),
      size,
      crcValid: batch.readUInt32BE(17) === referenceCrc32c(batch.subarray(21)),
    });
    at += size;
  }
  return out;
}

/** A fresh `<tmp>/tskafka-log-XXXX/` data directory, and its removal. */
export function tempDataDir(): { dataDir: string; cleanup: () => void } {
  const dataDir = mkdtempSync(join(tmpdir(), 'tskafka-log-'));
  return { dataDir, cleanup: () => rmSync(dataDir, { recursive: true, force: true }) };
}
