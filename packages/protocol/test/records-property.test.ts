/**
 * Property tests for record batches: random records, headers, timestamps and header fields
 * round-trip through encode and decode for every compression type; corrupted and truncated
 * input only ever fails with ProtocolDecodeError.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CompressionType } from '../src/compression/index.js';
import { ProtocolDecodeError } from '../src/primitives/errors.js';
import {
  decodeRecordBatches,
  decodeRecordBatchesAsync,
  encodeRecordBatch,
  RecordBatchBuilder,
  type RecordBatchBuildOptions,
  type RecordBytes,
  type RecordHeaderInput,
  readRecordBatchHeaders,
  TimestampType,
  updateRecordBatchCrc,
  verifyRecordBatchCrc,
} from '../src/records/index.js';

const ALL_CODECS = [
  CompressionType.None,
  CompressionType.Gzip,
  CompressionType.Snappy,
  CompressionType.Lz4,
  CompressionType.Zstd,
] as const;

const bytesArb: fc.Arbitrary<RecordBytes> = fc.oneof(
  fc.constant(null),
  fc.uint8Array({ maxLength: 48 }),
  fc.string({ unit: 'grapheme', maxLength: 24 }),
);

const headerArb: fc.Arbitrary<RecordHeaderInput> = fc.record({
  key: fc.string({ unit: 'grapheme', maxLength: 12 }),
  value: bytesArb,
});

interface GeneratedRecord {
  key: RecordBytes;
  value: RecordBytes;
  headers: RecordHeaderInput[];
  timestamp: number;
  gap: number;
}

const recordArb: fc.Arbitrary<GeneratedRecord> = fc.record({
  key: bytesArb,
  value: bytesArb,
  headers: fc.array(headerArb, { maxLength: 4 }),
  timestamp: fc.integer({ min: 0, max: 2 ** 45 }),
  gap: fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 1000 })),
});

const optionsArb: fc.Arbitrary<RecordBatchBuildOptions> = fc.record({
  baseOffset: fc.integer({ min: 0, max: 2 ** 50 }),
  partitionLeaderEpoch: fc.integer({ min: -1, max: 0x7fffffff }),
  producerId: fc.oneof(fc.constant(-1), fc.integer({ min: 0, max: 2 ** 50 })),
  producerEpoch: fc.integer({ min: -1, max: 0x7fff }),
  baseSequence: fc.integer({ min: -1, max: 0x7fffffff }),
  isTransactional: fc.boolean(),
  timestampType: fc.constantFrom(TimestampType.CreateTime, TimestampType.LogAppendTime),
});

const asBuffer = (v: RecordBytes) =>
  v === null ? null : typeof v === 'string' ? Buffer.from(v) : Buffer.from(v);

/** Encodes `records` and states what decoding must give back. */
function encodeAndExpect(
  records: GeneratedRecord[],
  options: RecordBatchBuildOptions,
  compression: CompressionType,
) {
  const deltas: number[] = [];
  let delta = -1;
  for (const r of records) {
    delta += r.gap;
    deltas.push(delta);
  }
  const batch = encodeRecordBatch({
    ...options,
    compression,
    records: records.map((r, i) => ({ ...r, offsetDelta: deltas[i] })),
  });
  const timestamps = records.map((r) => r.timestamp);
  const maxTimestamp = records.length ? Math.max(...timestamps) : -1;
  const logAppend = options.timestampType === TimestampType.LogAppendTime;
  const header = {
    ...options,
    compression,
    isControl: false,
    magic: 2,
    recordCount: records.length,
    lastOffsetDelta: Math.max(delta, 0),
    baseTimestamp: records.length ? timestamps[0] : -1,
    maxTimestamp,
    batchLength: batch.length - 12,
  };
  const expected = records.map((r, i) => ({
    offset: (options.baseOffset ?? 0) + deltas[i],
    timestamp: logAppend ? maxTimestamp : r.timestamp,
    key: asBuffer(r.key),
    value: asBuffer(r.value),
    headers: r.headers.map((h) => ({ key: h.key, value: asBuffer(h.value) })),
  }));
  return { batch, header, expected };
}

describe.each(ALL_CODECS.map((c) => [c]))('round trip, compression %i', (compression) => {
  it('decodes what it encoded, sync and async', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(recordArb, { maxLength: 12 }), optionsArb, async (records, options) => {
        const { batch, header, expected } = encodeAndExpect(records, options, compression);
        verifyRecordBatchCrc(batch);
        const [decoded] = decodeRecordBatches(batch);
        expect(decoded).toMatchObject(header);
        expect(decoded.records).toEqual(expected);
        expect(decoded.control).toBeNull();
        expect((await decodeRecordBatchesAsync(batch))[0].records).toEqual(expected);
      }),
      { numRuns: compression === CompressionType.None ? 200 : 60 },
    );
  });

  it('keeps back-to-back batches apart', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(recordArb, { minLength: 1, maxLength: 4 }), { maxLength: 5 }),
        (groups) => {
          const encoded = groups.map((g, i) =>
            encodeAndExpect(g, { baseOffset: i * 100, timestampType: TimestampType.CreateTime }, compression),
          );
          const data = Buffer.concat(encoded.map((e) => e.batch));
          const scan = readRecordBatchHeaders(data);
          expect(scan.batches.map((b) => b.bytes)).toEqual(encoded.map((e) => e.batch));
          expect(decodeRecordBatches(data).map((b) => b.records)).toEqual(encoded.map((e) => e.expected));
        },
      ),
      { numRuns: 50 },
    );
  });
});

describe('builder fill', () => {
  it('appends until full, and every appended record decodes in order', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2000 }),
        fc.array(recordArb, { minLength: 1, maxLength: 40 }),
        (cap, rs) => {
          const builder = new RecordBatchBuilder(cap);
          const accepted: GeneratedRecord[] = [];
          for (const r of rs) {
            if (!builder.tryAppend(r.timestamp, r.key, r.value, r.headers)) break;
            accepted.push(r);
          }
          expect(accepted.length).toBeGreaterThan(0);
          const size = builder.sizeInBytes;
          const batch = builder.build();
          expect(batch.length).toBe(size);
          expect(batch.length <= Math.max(cap, 61) || accepted.length === 1).toBe(true);
          const [decoded] = decodeRecordBatches(batch);
          expect(decoded.records.map((r) => [r.offset, r.timestamp, r.value])).toEqual(
            accepted.map((r, i) => [i, r.timestamp, asBuffer(r.value)]),
          );
        },
      ),
    );
  });
});

/** Decoding `data` either succeeds or throws ProtocolDecodeError; anything else fails the test. */
async function onlyDecodeErrors(data: Buffer, verifyCrc: boolean): Promise<void> {
  const attempts: (() => unknown)[] = [
    () => readRecordBatchHeaders(data),
    () => decodeRecordBatches(data, { verifyCrc }),
  ];
  for (const attempt of attempts) {
    try {
      attempt();
    } catch (e) {
      if (!(e instanceof ProtocolDecodeError)) throw e;
      expect(e.message).toMatch(/^RecordBatch at byte \d+: /);
    }
  }
  try {
    await decodeRecordBatchesAsync(data, { verifyCrc });
  } catch (e) {
    if (!(e instanceof ProtocolDecodeError)) throw e;
  }
}

describe('corrupted input', () => {
  const sample = fc.tuple(
    fc.array(recordArb, { minLength: 1, maxLength: 6 }),
    fc.constantFrom(...ALL_CODECS),
  );

  it('fails any changed byte under the CRC when verifying', () => {
    fc.assert(
      fc.property(sample, fc.nat(), fc.integer({ min: 1, max: 255 }), ([records, compression], at, flip) => {
        const { batch } = encodeAndExpect(records, {}, compression);
        const i = 21 + (at % (batch.length - 21));
        batch[i] ^= flip;
        expect(() => decodeRecordBatches(batch)).toThrow(ProtocolDecodeError);
        expect(() => verifyRecordBatchCrc(batch)).toThrow(/CRC mismatch/);
      }),
    );
  });

  it('only ever throws ProtocolDecodeError for bytes changed behind a recomputed CRC', async () => {
    await fc.assert(
      fc.asyncProperty(
        sample,
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
        async ([records, compression], edits) => {
          const { batch } = encodeAndExpect(records, {}, compression);
          for (const [at, value] of edits) batch[at % batch.length] = value;
          try {
            updateRecordBatchCrc(batch);
          } catch {
            // the edit broke the length or magic: decoding must still fail cleanly
          }
          await onlyDecodeErrors(batch, true);
          await onlyDecodeErrors(batch, false);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('treats every truncation of a batch as truncated, never as an error', () => {
    fc.assert(
      fc.property(sample, fc.nat(), ([records, compression], cut) => {
        const { batch } = encodeAndExpect(records, {}, compression);
        const prefix = batch.subarray(0, cut % batch.length);
        expect(readRecordBatchHeaders(prefix)).toMatchObject({ batches: [], truncated: prefix.length > 0 });
        expect(decodeRecordBatches(prefix)).toEqual([]);
      }),
    );
  });

  it('survives arbitrary bytes', async () => {
    const magicAt16 = fc.uint8Array({ minLength: 17, maxLength: 200 }).map((b) => {
      const buf = Buffer.from(b);
      buf[16] = 2;
      buf.writeInt32BE(Math.max(49, buf.length - 12 - (buf[0] % 4)), 8);
      return buf;
    });
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 100 }).map((b) => Buffer.from(b)),
          magicAt16,
        ),
        (data) => onlyDecodeErrors(data, false),
      ),
      { numRuns: 500 },
    );
  });
});
