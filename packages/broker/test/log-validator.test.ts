/** Kafka's produce-time batch checks, and the CRC-32C they rest on. */

import { CompressionType } from '@tskafka/protocol';
import { encodeRecordBatch } from '@tskafka/protocol/internals';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LogValidationError, validateRecordBatches } from '../src/log/index.js';
import { buildBatch, referenceCrc32c, simpleBatch } from './log-batches.js';

const MAX = 1_048_588;

function codeOf(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(LogValidationError);
    return (e as LogValidationError).errorCode;
  }
  return undefined;
}

/** Re-signs a batch after a test changed its header. */
function resign(batch: Buffer): Buffer {
  batch.writeUInt32BE(referenceCrc32c(batch.subarray(21)), 17);
  return batch;
}

describe('validateRecordBatches', () => {
  it('summarizes a valid producer batch', () => {
    const batch = buildBatch(
      [
        { value: 'a', timestamp: 5 },
        { value: 'b', timestamp: 9 },
      ],
      {
        producerId: 42,
        producerEpoch: 3,
        baseSequence: 10,
        transactional: true,
      },
    );
    expect(validateRecordBatches(batch, { maxMessageBytes: MAX })).toEqual([
      {
        position: 0,
        length: batch.length,
        baseOffset: 0,
        lastOffsetDelta: 1,
        recordCount: 2,
        producerId: 42,
        producerEpoch: 3,
        baseSequence: 10,
        isTransactional: true,
        isControl: false,
        baseTimestamp: 5,
        maxTimestamp: 9,
        compression: 0,
        isLogAppendTime: false,
      },
    ]);
    expect(
      validateRecordBatches(buildBatch([{ value: 'x' }], { gzip: true }), { maxMessageBytes: MAX })[0]
        .compression,
    ).toBe(1);
  });

  it('answers CORRUPT_MESSAGE (2) for bytes that are not a sound batch', () => {
    const batch = simpleBatch(3);
    expect(
      codeOf(() => validateRecordBatches(batch.subarray(0, batch.length - 1), { maxMessageBytes: MAX })),
    ).toBe(2);
    expect(codeOf(() => validateRecordBatches(batch.subarray(0, 8), { maxMessageBytes: MAX }))).toBe(2);
    const flipped = Buffer.from(batch);
    flipped[flipped.length - 2] ^= 1;
    expect(codeOf(() => validateRecordBatches(flipped, { maxMessageBytes: MAX }))).toBe(2);
    const short = Buffer.from(batch);
    short.writeInt32BE(40, 8);
    expect(codeOf(() => validateRecordBatches(short, { maxMessageBytes: MAX }))).toBe(2);
    expect(
      codeOf(() =>
        validateRecordBatches(buildBatch([{ value: 'x' }], { magic: 3 }), { maxMessageBytes: MAX }),
      ),
    ).toBe(2);
    expect(
      codeOf(() =>
        validateRecordBatches(Buffer.concat([batch, Buffer.alloc(5)]), {
          maxMessageBytes: MAX,
          singleBatch: false,
        }),
      ),
    ).toBe(2);
  });

  it('answers INVALID_RECORD (87) for batches Kafka refuses from clients', () => {
    const opts = { maxMessageBytes: MAX };
    expect(codeOf(() => validateRecordBatches(Buffer.alloc(0), opts))).toBe(87);
    expect(codeOf(() => validateRecordBatches(buildBatch([{ value: 'x' }], { magic: 1 }), opts))).toBe(87);
    expect(codeOf(() => validateRecordBatches(Buffer.concat([simpleBatch(1), simpleBatch(1)]), opts))).toBe(
      87,
    );
    expect(
      validateRecordBatches(Buffer.concat([simpleBatch(1), simpleBatch(2)]), { ...opts, singleBatch: false }),
    ).toHaveLength(2);
    expect(codeOf(() => validateRecordBatches(buildBatch([{ value: 'x' }], { baseOffset: 7 }), opts))).toBe(
      87,
    );
    expect(codeOf(() => validateRecordBatches(buildBatch([{ value: 'x' }], { control: true }), opts))).toBe(
      87,
    );
    expect(
      codeOf(() =>
        validateRecordBatches(buildBatch([{ value: 'x' }], { producerId: 5, baseSequence: -1 }), opts),
      ),
    ).toBe(87);
    const countMismatch = simpleBatch(3);
    countMismatch.writeInt32BE(5, 23);
    expect(codeOf(() => validateRecordBatches(resign(countMismatch), opts))).toBe(87);
    const wrongCount = simpleBatch(3);
    wrongCount.writeInt32BE(2, 57);
    wrongCount.writeInt32BE(1, 23);
    expect(codeOf(() => validateRecordBatches(resign(wrongCount), opts))).toBe(87);
    const badCodec = simpleBatch(1);
    badCodec.writeInt16BE(6, 21);
    expect(codeOf(() => validateRecordBatches(resign(badCodec), opts))).toBe(87);
  });

  it('answers MESSAGE_TOO_LARGE (10) above max.message.bytes', () => {
    const batch = simpleBatch(10);
    expect(codeOf(() => validateRecordBatches(batch, { maxMessageBytes: batch.length - 1 }))).toBe(10);
    expect(validateRecordBatches(batch, { maxMessageBytes: batch.length })).toHaveLength(1);
  });

  it('answers UNSUPPORTED_COMPRESSION_TYPE (76) for zstd when not allowed', () => {
    const zstd = encodeRecordBatch({
      compression: CompressionType.Zstd,
      records: [{ value: Buffer.from('a') }],
    });
    expect(codeOf(() => validateRecordBatches(zstd, { maxMessageBytes: MAX, allowZstd: false }))).toBe(76);
    expect(validateRecordBatches(zstd, { maxMessageBytes: MAX })[0].compression).toBe(4);
  });

  it('reads every record, compressed ones too: a right CRC over broken records is refused', () => {
    // Claims zstd but holds plain records: CORRUPT_MESSAGE (2), it cannot be decompressed.
    const fakeZstd = simpleBatch(1);
    fakeZstd.writeInt16BE(4, 21);
    expect(codeOf(() => validateRecordBatches(resign(fakeZstd), { maxMessageBytes: MAX }))).toBe(2);
    // A key length running past its record, and an offset delta out of order: INVALID_RECORD (87).
    const records = [{ key: Buffer.from('key'), value: Buffer.from('value') }, { value: Buffer.from('v2') }];
    for (const compression of [CompressionType.None, CompressionType.Gzip]) {
      const good = encodeRecordBatch({ compression, records });
      expect(validateRecordBatches(good, { maxMessageBytes: MAX })).toHaveLength(1);
    }
    const plain = encodeRecordBatch({ records });
    const badKey = Buffer.from(plain);
    badKey[61 + 1 + 1 + 1 + 1] = 0x7e; // first record: length, attributes, timestamp delta, offset delta, key length 63
    expect(codeOf(() => validateRecordBatches(resign(badKey), { maxMessageBytes: MAX }))).toBe(87);
    const badDelta = Buffer.from(plain);
    badDelta[61 + 1 + 1 + 1] = 2; // first record's offset delta 1 instead of 0
    expect(codeOf(() => validateRecordBatches(resign(badDelta), { maxMessageBytes: MAX }))).toBe(87);
  });

  it('applies only structural checks to replicated batches', () => {
    const replicated = Buffer.concat([
      buildBatch([{ value: 'a' }], { baseOffset: 10, leaderEpoch: 2 }),
      buildBatch([{ value: 'b' }], { baseOffset: 11, control: true }),
    ]);
    expect(
      validateRecordBatches(replicated, { maxMessageBytes: MAX, origin: 'replication' }).map(
        (b) => b.baseOffset,
      ),
    ).toEqual([10, 11]);
  });

  it('never throws anything but LogValidationError on arbitrary bytes (property)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 200 }),
        fc.nat(150),
        fc.integer({ min: 0, max: 255 }),
        (noise, at, value) => {
          const batch = Buffer.from(simpleBatch(2));
          batch[at % batch.length] = value;
          for (const input of [Buffer.from(noise), batch]) {
            try {
              validateRecordBatches(input, { maxMessageBytes: MAX });
            } catch (e) {
              expect(e).toBeInstanceOf(LogValidationError);
            }
          }
        },
      ),
    );
  });
});
