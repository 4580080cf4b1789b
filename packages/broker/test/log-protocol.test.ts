/**
 * The log against the protocol package's record batch encoder and decoder, code it shares nothing
 * with: batches built by `encodeRecordBatch` pass validation, and what the log serves decodes
 * with the offsets, leader epoch and timestamps the log assigned.
 */
import { describe, expect, it } from 'vitest';
import { CompressionType, decompressSync } from '../../protocol/src/compression/index.js';
import { decodeRecordBatches, encodeRecordBatch } from '../../protocol/src/records/index.js';
import { logConfig, PartitionLog, validateRecordBatches } from '../src/log/index.js';

const T0 = 1_700_000_000_000;

describe('PartitionLog with @tskafka/protocol record batches', () => {
  it('stores, stamps and serves batches the protocol package encodes and decodes', () => {
    const log = PartitionLog.open({
      dir: null,
      config: logConfig({ segmentBytes: 2000, messageTimestampType: 'LogAppendTime' }),
      now: T0,
      decompress: (codec, data) => decompressSync(codec as CompressionType, data),
    });
    for (let i = 0; i < 30; i++) {
      const batch = encodeRecordBatch({
        compression: i % 3 === 0 ? CompressionType.Gzip : CompressionType.None,
        producerId: 9,
        producerEpoch: 0,
        baseSequence: i * 3,
        timestamp: T0 + i,
        records: [{ key: `k${i}`, value: `a${i}` }, { value: `b${i}` }, { value: null, headers: { h: 'v' } }],
      });
      const [summary] = validateRecordBatches(batch, { maxMessageBytes: 1 << 20 });
      expect(summary).toMatchObject({ recordCount: 3, producerId: 9, baseSequence: i * 3 });
      log.append(batch, { leaderEpoch: 4, now: T0 + 1000 + i });
    }
    expect(log.segments.length).toBeGreaterThan(1);
    const batches = decodeRecordBatches(Buffer.concat(log.read(0, 1 << 20).records));
    expect(batches).toHaveLength(30);
    batches.forEach((b, i) => {
      expect(b.baseOffset).toBe(i * 3);
      expect(b.partitionLeaderEpoch).toBe(4);
      expect(b.maxTimestamp).toBe(T0 + 1000 + i);
      expect(b.records.map((r) => [r.offset, r.timestamp, r.value?.toString() ?? null])).toEqual([
        [i * 3, T0 + 1000 + i, `a${i}`],
        [i * 3 + 1, T0 + 1000 + i, `b${i}`],
        [i * 3 + 2, T0 + 1000 + i, null],
      ]);
    });
    // Timestamp lookups resolve per record, compressed batches included.
    expect(log.offsetForTimestamp(T0 + 1012)).toEqual({ offset: 36, timestamp: T0 + 1012, leaderEpoch: 4 });
    expect(log.offsetOfMaxTimestamp()).toEqual({ offset: 87, timestamp: T0 + 1029, leaderEpoch: 4 });
  });
});
