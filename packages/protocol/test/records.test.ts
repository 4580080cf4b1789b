/**
 * Record batch v2: the builder's contract, in-place header updates, control records, scanning
 * back-to-back batches (split at every byte), and malformed input.
 */
import { describe, expect, it } from 'vitest';
import { CompressionType } from '../src/compression/index.js';
import { crc32c } from '../src/crc32c.js';
import { ProtocolDecodeError, ProtocolEncodeError } from '../src/primitives/errors.js';
import {
  buildEndTxnMarkerBatch,
  ControlRecordType,
  decodeControlRecord,
  decodeRecordBatch,
  decodeRecordBatches,
  decodeRecordBatchesAsync,
  encodeControlRecord,
  encodeRecordBatch,
  RECORD_BATCH_OVERHEAD,
  RecordBatchBuilder,
  readRecordBatchHeader,
  readRecordBatchHeaders,
  setBaseOffset,
  setMaxTimestamp,
  setPartitionLeaderEpoch,
  setProducerState,
  sizeOfRecord,
  TimestampType,
  verifyRecordBatchCrc,
} from '../src/records/index.js';

const T0 = 1_700_000_000_000;

describe('RecordBatchBuilder', () => {
  it('writes header defaults and tracks the records it holds', () => {
    const b = new RecordBatchBuilder(1024);
    expect(b.tryAppend(T0 + 5, 'k1', 'v1')).toBe(true);
    expect(b.tryAppend(T0, null, Buffer.from('v2'), [{ key: 'h', value: null }])).toBe(true);
    expect(b.tryAppend(T0 + 9, Buffer.alloc(0), null)).toBe(true);
    expect([b.recordCount, b.baseTimestamp, b.maxTimestamp, b.lastOffsetDelta]).toEqual([
      3,
      T0 + 5,
      T0 + 9,
      2,
    ]);
    const size = b.sizeInBytes;
    const batch = b.build();
    expect(batch.length).toBe(size);
    expect(b.isClosed).toBe(true);
    expect(readRecordBatchHeader(batch)).toMatchObject({
      baseOffset: 0,
      batchLength: size - 12,
      partitionLeaderEpoch: -1,
      magic: 2,
      attributes: 0,
      lastOffsetDelta: 2,
      baseTimestamp: T0 + 5,
      maxTimestamp: T0 + 9,
      producerId: -1,
      producerEpoch: -1,
      baseSequence: -1,
      recordCount: 3,
    });
    const { records } = decodeRecordBatch(batch);
    expect(records.map((r) => [r.offset, r.timestamp])).toEqual([
      [0, T0 + 5],
      [1, T0], // a negative timestamp delta
      [2, T0 + 9],
    ]);
    expect(records[0].key).toEqual(Buffer.from('k1'));
    expect(records[1]).toMatchObject({ key: null, headers: [{ key: 'h', value: null }] });
    expect(records[2]).toMatchObject({ key: Buffer.alloc(0), value: null });
  });

  it('refuses a record that does not fit, but grows once for an oversized first record', () => {
    const b = new RecordBatchBuilder(100);
    const big = Buffer.alloc(500, 1);
    expect(b.tryAppend(T0, null, big)).toBe(true);
    expect(b.capacity).toBe(RECORD_BATCH_OVERHEAD + sizeOfRecord(0, 0, null, big, null));
    expect(b.tryAppend(T0, null, Buffer.alloc(0))).toBe(false);
    expect(b.recordCount).toBe(1);

    const small = new RecordBatchBuilder(RECORD_BATCH_OVERHEAD + 2 * sizeOfRecord(0, 0, 'a', 'b', null));
    expect(small.tryAppend(T0, 'a', 'b')).toBe(true);
    expect(small.tryAppend(T0, 'a', 'b')).toBe(true);
    const before = small.sizeInBytes;
    expect(small.tryAppend(T0, 'a', 'b')).toBe(false);
    expect(small.sizeInBytes).toBe(before);
    expect(decodeRecordBatch(small.build()).records).toHaveLength(2);
  });

  it("writes into a caller's buffer, whatever it held, byte for byte as into its own", () => {
    const append = (b: RecordBatchBuilder) => {
      b.tryAppend(T0, 'k', 'v'.repeat(40), [{ key: 'h', value: 'x' }]);
      b.tryAppend(T0 + 3, null, Buffer.alloc(70, 2));
      return b.build({ producerId: 7, producerEpoch: 1, baseSequence: 5 });
    };
    const own = append(new RecordBatchBuilder(512));
    const reused = Buffer.alloc(600, 0xee);
    const b = new RecordBatchBuilder(512, reused);
    expect(b.capacity).toBe(512);
    const built = append(b);
    expect(built).toEqual(own);
    expect(built.buffer).toBe(reused.buffer);
    expect(() => new RecordBatchBuilder(512, Buffer.alloc(100))).toThrow(RangeError);
  });

  it('sizes records exactly as it writes them', () => {
    const b = new RecordBatchBuilder(4096);
    const headers = [
      { key: 'ключ', value: 'значение' },
      { key: '', value: Buffer.from([1]) },
    ];
    let before = b.sizeInBytes;
    b.tryAppend(T0, 'é', null, headers);
    expect(b.sizeInBytes - before).toBe(sizeOfRecord(0, 0, 'é', null, headers));
    before = b.sizeInBytes;
    b.tryAppend(T0 - 70_000, null, 'x'.repeat(200), null, 1000);
    expect(b.sizeInBytes - before).toBe(sizeOfRecord(1000, -70_000, null, 'x'.repeat(200), null));
  });

  it('takes explicit offset deltas with gaps, and rejects ones that do not increase', () => {
    const b = new RecordBatchBuilder();
    b.tryAppend(T0, null, 'a', null, 3);
    b.tryAppend(T0, null, 'b', null, 10);
    expect(() => b.tryAppend(T0, null, 'c', null, 10)).toThrow(ProtocolEncodeError);
    b.tryAppend(T0, null, 'd');
    const batch = decodeRecordBatch(b.build({ baseOffset: 100 }));
    expect(batch.lastOffsetDelta).toBe(11);
    expect(batch.records.map((r) => r.offset)).toEqual([103, 110, 111]);
  });

  it('fails clearly on bad input and on reuse after build', () => {
    const b = new RecordBatchBuilder();
    expect(() => b.tryAppend(Number.NaN, null, 'a')).toThrow(/timestamp NaN is not a safe integer/);
    expect(() => b.tryAppend(2 ** 60, null, 'a')).toThrow(ProtocolEncodeError);
    b.tryAppend(T0, null, 'a');
    expect(() => new RecordBatchBuilder().build({ producerEpoch: 40000 })).toThrow(/producerEpoch 40000/);
    expect(() => new RecordBatchBuilder().build({ baseOffset: 2 ** 60 })).toThrow(/baseOffset/);
    b.build();
    expect(() => b.tryAppend(T0, null, 'b')).toThrow(/built batch/);
    expect(() => b.build()).toThrow(/already built/);
  });

  it('builds an empty batch with no timestamps', () => {
    const batch = decodeRecordBatch(new RecordBatchBuilder(0).build());
    expect(batch).toMatchObject({ recordCount: 0, baseTimestamp: -1, maxTimestamp: -1, records: [] });
  });

  it('encodes the attribute bits', () => {
    const b = new RecordBatchBuilder();
    b.tryAppend(T0, null, 'a');
    const batch = b.build({
      isTransactional: true,
      producerId: 7,
      producerEpoch: 3,
      baseSequence: 42,
      partitionLeaderEpoch: 5,
    });
    expect(batch.readInt16BE(21)).toBe(0x10);
    expect(readRecordBatchHeader(batch)).toMatchObject({
      isTransactional: true,
      isControl: false,
      producerId: 7,
      producerEpoch: 3,
      baseSequence: 42,
      partitionLeaderEpoch: 5,
    });
  });
});

describe('RecordBatchBuilder.grow', () => {
  it('moves the records into a larger buffer, returns the old one, and builds the same batch', () => {
    const b = new RecordBatchBuilder(RECORD_BATCH_OVERHEAD + 40);
    expect(b.tryAppend(T0, 'k', 'a'.repeat(20))).toBe(true);
    expect(b.tryAppend(T0 + 1, null, 'b'.repeat(20))).toBe(false);
    const larger = Buffer.alloc(512, 0xee);
    const old = b.grow(256, larger);
    expect(old.length).toBe(RECORD_BATCH_OVERHEAD + 40);
    expect(b.capacity).toBe(256);
    expect(b.tryAppend(T0 + 1, null, 'b'.repeat(20), [{ key: 'h', value: 'v' }])).toBe(true);
    old.fill(0); // the builder no longer reads it
    const batch = b.build();
    expect(batch.buffer).toBe(larger.buffer);
    const expected = encodeRecordBatch({
      records: [
        { key: 'k', value: 'a'.repeat(20), timestamp: T0 },
        { value: 'b'.repeat(20), timestamp: T0 + 1, headers: [{ key: 'h', value: 'v' }] },
      ],
    });
    expect(batch.equals(expected)).toBe(true);
    expect(() => new RecordBatchBuilder(1024).grow(10)).toThrow(RangeError);
    expect(() => b.grow(1024)).toThrow(ProtocolEncodeError);
  });
});

describe('in-place header updates', () => {
  const built = () =>
    encodeRecordBatch({
      timestamp: T0,
      records: [{ value: 'a' }, { value: 'b', timestamp: T0 + 7 }],
    });

  it('stamps producer state on a built batch, repeatably, keeping the records', () => {
    const batch = built();
    const records = Buffer.from(batch.subarray(RECORD_BATCH_OVERHEAD));
    setProducerState(batch, 1234567890123, 4, 1000);
    verifyRecordBatchCrc(batch);
    expect(readRecordBatchHeader(batch)).toMatchObject({
      producerId: 1234567890123,
      producerEpoch: 4,
      baseSequence: 1000,
    });
    setProducerState(batch, 1234567890123, 5, 0); // a retry after an epoch bump
    verifyRecordBatchCrc(batch);
    expect(readRecordBatchHeader(batch)).toMatchObject({ producerEpoch: 5, baseSequence: 0 });
    expect(batch.subarray(RECORD_BATCH_OVERHEAD)).toEqual(records);
  });

  it('sets base offset and leader epoch without touching the CRC', () => {
    const batch = built();
    const crc = batch.readUInt32BE(17);
    setBaseOffset(batch, 2 ** 40);
    setPartitionLeaderEpoch(batch, 9);
    expect(batch.readUInt32BE(17)).toBe(crc);
    const decoded = decodeRecordBatch(batch);
    expect(decoded.partitionLeaderEpoch).toBe(9);
    expect(decoded.records.map((r) => r.offset)).toEqual([2 ** 40, 2 ** 40 + 1]);
  });

  it('switches to LogAppendTime, which every record then reports', () => {
    const batch = built();
    setMaxTimestamp(batch, TimestampType.LogAppendTime, T0 + 1000);
    const decoded = decodeRecordBatch(batch);
    expect(decoded.timestampType).toBe(TimestampType.LogAppendTime);
    expect(decoded.records.map((r) => r.timestamp)).toEqual([T0 + 1000, T0 + 1000]);
  });

  it('rejects buffers that are not a whole batch', () => {
    const batch = built();
    expect(() => setProducerState(batch.subarray(0, 40), 1, 1, 1)).toThrow(ProtocolEncodeError);
    const v1 = Buffer.from(batch);
    v1[16] = 1;
    expect(() => setBaseOffset(v1, 1)).toThrow(/magic 1/);
  });
});

describe('control records', () => {
  it('encodes and decodes transaction markers', () => {
    const commit = encodeControlRecord(ControlRecordType.Commit, 17);
    expect(commit.key).toEqual(Buffer.from([0, 0, 0, 1]));
    expect(commit.value).toEqual(Buffer.from([0, 0, 0, 0, 0, 17]));
    expect(decodeControlRecord(commit.key, commit.value)).toEqual({
      version: 0,
      type: 1,
      coordinatorEpoch: 17,
    });
    const abort = encodeControlRecord(ControlRecordType.Abort, -1);
    expect(decodeControlRecord(abort.key, abort.value)).toEqual({
      version: 0,
      type: 0,
      coordinatorEpoch: -1,
    });
    const leader = encodeControlRecord(ControlRecordType.LeaderChange);
    expect(leader.value).toBeNull();
    expect(decodeControlRecord(leader.key, Buffer.from('anything'))).toEqual({
      version: 0,
      type: 2,
      coordinatorEpoch: null,
    });
    expect(() => encodeControlRecord(ControlRecordType.Commit)).toThrow(ProtocolEncodeError);
  });

  it('rejects malformed keys and marker values', () => {
    expect(() => decodeControlRecord(Buffer.from([0, 0, 0]), null)).toThrow(/at least 4 bytes, got 3/);
    expect(() => decodeControlRecord(null, null)).toThrow(ProtocolDecodeError);
    expect(() => decodeControlRecord(Buffer.from([0xff, 0xff, 0, 0]), null)).toThrow(/version -1/);
    expect(() => decodeControlRecord(Buffer.from([0, 0, 0, 1]), Buffer.alloc(5))).toThrow(/at least 6 bytes/);
    // A later key version is read as version 0, whose fields it extends.
    expect(decodeControlRecord(Buffer.from([0, 3, 0, 1, 9]), Buffer.from([0, 1, 0, 0, 0, 2, 7]))).toEqual({
      version: 3,
      type: 1,
      coordinatorEpoch: 2,
    });
  });

  it('builds an end-transaction marker batch', () => {
    const batch = buildEndTxnMarkerBatch({
      producerId: 4000,
      producerEpoch: 2,
      commit: false,
      coordinatorEpoch: 258,
      baseOffset: 77,
      timestamp: T0,
    });
    // By hand: length 16 (zig-zag 0x20), attributes, deltas, key 0000 0000, value 0000 0000 0102.
    expect(batch.subarray(RECORD_BATCH_OVERHEAD)).toEqual(
      Buffer.from([0x20, 0, 0, 0, 8, 0, 0, 0, 0, 12, 0, 0, 0, 0, 1, 2, 0]),
    );
    expect(batch.readInt16BE(21)).toBe(0x30);
    const decoded = decodeRecordBatch(batch);
    expect(decoded).toMatchObject({
      baseOffset: 77,
      isControl: true,
      isTransactional: true,
      producerId: 4000,
      producerEpoch: 2,
      baseSequence: -1,
      baseTimestamp: T0,
      control: { version: 0, type: ControlRecordType.Abort, coordinatorEpoch: 258 },
    });
  });
});

const THREE = Buffer.concat([
  encodeRecordBatch({ baseOffset: 0, timestamp: T0, records: [{ value: 'a' }, { key: 'k', value: 'b' }] }),
  buildEndTxnMarkerBatch({
    producerId: 1,
    producerEpoch: 0,
    commit: true,
    coordinatorEpoch: 0,
    baseOffset: 2,
  }),
  encodeRecordBatch({
    baseOffset: 3,
    timestamp: T0,
    records: [{ value: 'c', headers: [{ key: 'x', value: 'y' }] }],
  }),
]);

describe('back-to-back batches', () => {
  const ends: number[] = [];
  for (const b of readRecordBatchHeaders(THREE).batches) ends.push(b.position + b.bytes.length);

  it('finds every batch', () => {
    const scan = readRecordBatchHeaders(THREE);
    expect(scan).toMatchObject({ validBytes: THREE.length, truncated: false });
    expect(scan.batches.map((b) => b.baseOffset)).toEqual([0, 2, 3]);
    expect(readRecordBatchHeaders(Buffer.alloc(0))).toEqual({ batches: [], validBytes: 0, truncated: false });
  });

  it('split at every byte, keeps the complete batches and flags the rest', async () => {
    for (let cut = 0; cut <= THREE.length; cut++) {
      const prefix = THREE.subarray(0, cut);
      const complete = ends.filter((end) => end <= cut).length;
      const scan = readRecordBatchHeaders(prefix);
      expect(scan.batches).toHaveLength(complete);
      expect(scan.validBytes).toBe(complete === 0 ? 0 : ends[complete - 1]);
      expect(scan.truncated).toBe(scan.validBytes !== cut);
      expect(decodeRecordBatches(prefix)).toHaveLength(complete);
      expect(await decodeRecordBatchesAsync(prefix)).toHaveLength(complete);
    }
  });

  it('checks the magic byte before anything after it', () => {
    const legacy = Buffer.from(THREE);
    legacy[ends[0] + 16] = 1;
    expect(() => readRecordBatchHeaders(legacy)).toThrow(
      `RecordBatch at byte ${ends[0]}: magic 1 is not supported, only record batch v2`,
    );
    // Only 17 bytes of the second batch: enough to see its magic, so still an error.
    expect(() => readRecordBatchHeaders(legacy.subarray(0, ends[0] + 17))).toThrow(/magic 1/);
    expect(readRecordBatchHeaders(legacy.subarray(0, ends[0] + 16)).truncated).toBe(true);
  });

  it('names the batch whose CRC does not match', () => {
    const bad = Buffer.from(THREE);
    bad[ends[1] + 70] ^= 1;
    expect(() => decodeRecordBatches(bad)).toThrow(
      /RecordBatch at byte \d+: CRC mismatch: stored 0x[0-9a-f]{8}/,
    );
    expect(() => verifyRecordBatchCrc(bad.subarray(ends[1]))).toThrow(/CRC mismatch/);
    expect(decodeRecordBatches(bad, { verifyCrc: false })[2].records[0].headers[0].key).toBe('y');
  });
});

/** A batch around hand-written record bytes, with a correct CRC, built without our encoder. */
function rawBatch(records: number[], recordCount: number, patch?: (b: Buffer) => void): Buffer {
  const b = Buffer.alloc(RECORD_BATCH_OVERHEAD + records.length);
  b.writeInt32BE(b.length - 12, 8);
  b[16] = 2;
  b.writeInt32BE(recordCount, 57);
  b.set(records, RECORD_BATCH_OVERHEAD);
  patch?.(b);
  b.writeUInt32BE(crc32c(b.subarray(21)), 17);
  return b;
}

// One well-formed record: length 7, attributes, deltas 0, null key, value "a", no headers.
const RECORD = [14, 0, 0, 0, 1, 2, 0x61, 0];

describe('malformed batches', () => {
  it('decodes the hand-written baseline', () => {
    expect(decodeRecordBatch(rawBatch(RECORD, 1)).records[0].value).toEqual(Buffer.from('a'));
  });

  const cases: [string, Buffer, RegExp][] = [
    ['a huge record count', rawBatch(RECORD, 0x7fffffff), /recordCount 2147483647 needs at least/],
    ['a negative record count', rawBatch(RECORD, -1), /recordCount -1 is negative/],
    [
      'more records declared than present',
      rawBatch([...RECORD, ...RECORD], 3),
      /recordCount 3 needs at least 21/,
    ],
    [
      'a record cut short',
      rawBatch([...RECORD, 14, 0, 0, 0, 1, 1, 0], 2),
      /records\[1\]\.length: record length 7 .* does not fit the 6 bytes left/,
    ],
    ['bytes after the last record', rawBatch([...RECORD, 0], 1), /1 bytes left after the last of 1 records/],
    ['a record length past the end', rawBatch([40, 0, 0, 0, 1, 1, 0], 1), /record length 20 .* does not fit/],
    [
      'a record length shorter than its fields',
      rawBatch([12, 0, 0, 0, 1, 2, 0x61, 0, 0], 1),
      /does not match/,
    ],
    ['a key longer than the record', rawBatch([14, 0, 0, 0, 20, 1, 0, 0], 1), /records\[0\]\.key: needs 10/],
    ['an invalid key length', rawBatch([14, 0, 0, 0, 3, 1, 0, 0], 1), /key length -2 is invalid/],
    ['a huge header count', rawBatch([14, 0, 0, 0, 1, 1, 0xfe, 0xff, 0xff, 0xff, 0x0f], 1), /header count/],
    [
      'a negative header key length',
      rawBatch([16, 0, 0, 0, 1, 1, 2, 1, 1], 1),
      /headers\[0\]: header key length -1/,
    ],
    [
      'a varint longer than 5 bytes',
      rawBatch([0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0, 0], 1),
      /longer than 5/,
    ],
    ['a varint cut off', rawBatch([0x80], 1), /recordCount 1 needs at least 7 bytes/],
    [
      'an unknown compression codec',
      rawBatch(RECORD, 1, (b) => b.writeInt16BE(5, 21)),
      /attributes: unknown compression type 5/,
    ],
    [
      'a base offset past 2^53',
      rawBatch(RECORD, 1, (b) => b.writeInt32BE(0x00400000, 0)),
      /outside the safe integer range/,
    ],
    [
      'a batch length below the header size',
      rawBatch(RECORD, 1, (b) => b.writeInt32BE(20, 8)),
      /batchLength 20/,
    ],
    ['a negative batch length', rawBatch(RECORD, 1, (b) => b.writeInt32BE(-5, 8)), /batchLength -5/],
    [
      'garbage instead of compressed records',
      rawBatch([1, 2, 3, 4, 5, 6, 7, 8], 1, (b) => b.writeInt16BE(CompressionType.Gzip, 21)),
      /cannot decompress gzip records/,
    ],
  ];

  it.each(cases)('%s is a ProtocolDecodeError naming the batch', async (_name, batch, message) => {
    for (const decode of [() => decodeRecordBatches(batch), () => decodeRecordBatch(batch)]) {
      expect(decode).toThrow(ProtocolDecodeError);
      expect(decode).toThrow(message);
      expect(decode).toThrow(/^RecordBatch at byte 0: /);
    }
    await expect(decodeRecordBatchesAsync(batch)).rejects.toThrow(message);
  });

  it('refuses a batch that decompresses past the limit, keeping the codec error as cause', async () => {
    const batch = encodeRecordBatch({
      compression: CompressionType.Gzip,
      compressionLevel: 9,
      records: [{ value: Buffer.alloc(100_000) }],
    });
    expect(batch.length).toBeLessThan(1000);
    expect(decodeRecordBatch(batch).records[0].value).toEqual(Buffer.alloc(100_000));
    let error: unknown;
    try {
      decodeRecordBatches(batch, { maxDecompressedBytes: 10_000 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ProtocolDecodeError);
    expect((error as Error).message).toMatch(/^RecordBatch at byte 0: cannot decompress gzip records: /);
    expect((error as Error).cause).toBeInstanceOf(Error);
    await expect(decodeRecordBatchesAsync(batch, { maxDecompressedBytes: 10_000 })).rejects.toThrow(
      ProtocolDecodeError,
    );
  });

  it('fails on a control batch whose record is not a control record', () => {
    const batch = rawBatch(RECORD, 1, (b) => b.writeInt16BE(0x20, 21));
    expect(() => decodeRecordBatch(batch)).toThrow(/RecordBatch at byte 0: control: control record key/);
  });

  it('fails on a truncated single batch', () => {
    const batch = rawBatch(RECORD, 1);
    expect(() => decodeRecordBatch(batch.subarray(0, batch.length - 1))).toThrow(/truncated/);
    expect(() => readRecordBatchHeader(batch.subarray(0, 30))).toThrow(ProtocolDecodeError);
    expect(() => verifyRecordBatchCrc(batch.subarray(0, 30))).toThrow(/truncated/);
  });
});
