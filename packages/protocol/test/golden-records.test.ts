/**
 * Golden record batches: the batches librdkafka 2.0.2 wrote into Produce requests (kcat, one run
 * per codec, and a transactional confluent-kafka-python producer) and the mock broker returned in
 * Fetch responses, decoded down to records with our record-batch module and codecs, and held
 * against exactly the keys, values, headers and timestamps the peers were given (the fixture's
 * `inputs`). Frame-level decoding of the same fixtures is in `golden.test.ts`.
 *
 * DRAFT (to be finished with the codecs): written against `src/records` as it landed; the
 * `none` and transaction cases pass. The gzip, snappy, lz4 and zstd cases, and the Fetch case
 * (which holds batches of every codec), fail with "compression type N not implemented yet" until
 * `src/compression` has its real codecs; nothing here should need to change then.
 */
import { describe, expect, it } from 'vitest';
import { Api } from '../src/api.js';
import { decodeRecordBatches, type RecordBatch } from '../src/records/index.js';
import {
  CODEC_ID,
  CODECS,
  loadGolden as load,
  type ProduceInputs,
  requests,
  responses,
} from './fixtures/golden/golden-fixtures.js';

type TxnInputs = {
  partition: number;
  records: { key: string; value: string; timestamp: number; headers: { key: string; value: string }[] }[];
};

/** Every batch of every partition of every Produce request, with its partition. */
function producedBatches(name: string): { partition: number; batch: RecordBatch }[] {
  return requests(load(name), Api.Produce)
    .flatMap((r) => r.body.topicData)
    .flatMap((t) => t.partitionData)
    .flatMap((p) => decodeRecordBatches(p.records!).map((batch) => ({ partition: p.index, batch })));
}

/** Every batch of every partition of every Fetch response, with its partition. */
function fetchedBatches(name: string): { partition: number; batch: RecordBatch }[] {
  return responses(load(name), Api.Fetch)
    .flatMap((r) => r.body.responses)
    .flatMap((t) => t.partitions)
    .flatMap((p) => decodeRecordBatches(p.records!).map((batch) => ({ partition: p.partitionIndex, batch })));
}

const text = (b: Buffer | null) => (b === null ? null : b.toString('utf8'));

/** A record as plain data: key, value and header values as strings. */
function plain(r: RecordBatch['records'][number]) {
  return {
    key: text(r.key),
    value: text(r.value),
    headers: r.headers.map((h) => ({ key: h.key, value: text(h.value) })),
  };
}

describe('records kcat produced', () => {
  for (const codec of CODECS) {
    it(`-z ${codec}: every input record, with its headers, compressed with ${codec}`, () => {
      const inputs = load(`kcat-produce-${codec}`).inputs as ProduceInputs;
      const batches = producedBatches(`kcat-produce-${codec}`);
      const byPartition = new Map<number, ReturnType<typeof plain>[]>();
      for (const { partition, batch } of batches) {
        expect(batch).toMatchObject({
          compression: CODEC_ID[codec],
          isTransactional: false,
          isControl: false,
          producerId: -1,
          baseSequence: -1,
        });
        batch.records.forEach((r, i) => {
          expect(r.offset).toBe(i); // producers number records from 0
          expect(r.timestamp).toBeGreaterThanOrEqual(inputs.producedAfterMs);
          expect(r.timestamp).toBeLessThanOrEqual(inputs.producedBeforeMs);
        });
        byPartition.set(partition, [...(byPartition.get(partition) ?? []), ...batch.records.map(plain)]);
      }
      const expected = inputs.records.map((r) => ({ ...r, headers: inputs.headers }));
      // The partitioner splits the records; each partition keeps their input order.
      const got = [...byPartition.values()];
      expect(got.flat()).toHaveLength(expected.length);
      for (const records of got) {
        expect(records).toEqual(
          expected.filter((e) => records.some((r) => r.key === e.key && r.value === e.value)),
        );
      }
    });
  }
});

describe('records the mock returned to kcat -C', () => {
  it('are the produced records, at consecutive offsets per partition, with their timestamps', () => {
    const produced = CODECS.flatMap((c) =>
      producedBatches(`kcat-produce-${c}`).flatMap(({ partition, batch }) =>
        batch.records.map((r) => ({
          partition,
          codec: batch.compression,
          timestamp: r.timestamp,
          ...plain(r),
        })),
      ),
    );
    const fetched = fetchedBatches('kcat-consume').flatMap(({ partition, batch }) =>
      batch.records.map((r) => ({
        partition,
        codec: batch.compression,
        offset: r.offset,
        timestamp: r.timestamp,
        ...plain(r),
      })),
    );
    for (const p of [0, 1]) {
      const offsets = fetched.filter((r) => r.partition === p).map((r) => r.offset);
      expect(offsets).toEqual(offsets.map((_, i) => i));
    }
    // Produce order per partition is fetch order: codec sessions ran one after another.
    const strip = ({ offset: _, ...r }: (typeof fetched)[number]) => r;
    for (const p of [0, 1]) {
      expect(fetched.filter((r) => r.partition === p).map(strip)).toEqual(
        produced.filter((r) => r.partition === p),
      );
    }
  });
});

describe('records of the confluent-kafka-python transaction', () => {
  it('carry the explicit timestamps, keys, values and headers, in one transactional batch', () => {
    const inputs = load('python-transaction').inputs as TxnInputs;
    const batches = producedBatches('python-transaction');
    expect(batches).toHaveLength(1);
    const [{ partition, batch }] = batches;
    expect(partition).toBe(inputs.partition);
    expect(batch).toMatchObject({ compression: 0, isTransactional: true, isControl: false, baseSequence: 0 });
    expect(batch.records.map((r) => ({ timestamp: r.timestamp, ...plain(r) }))).toEqual(
      inputs.records.map((r) => ({ timestamp: r.timestamp, key: r.key, value: r.value, headers: r.headers })),
    );
  });
});
