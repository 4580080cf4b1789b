/**
 * The produce path's in-place record scan: the fast yes/no walk must agree with the descriptive
 * reference walk on every input, valid or not, so refusing faster never refuses differently.
 */

import { CompressionType } from '@tskafka/protocol';
import { encodeRecordBatch } from '@tskafka/protocol/internals';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { recordStructureProblem, recordsWellFormed } from '../src/log/record-scan.js';
import { zigzagVarint as varint } from './log-batches.js';

/** A record: its body bytes behind a varint length (the length may be overridden). */
function record(body: number[], length = body.length): number[] {
  return [...varint(length), ...body];
}

/** A well-formed record body: attributes, deltas, key, value, headers. */
function body(
  index: number,
  { key = [1, 2], value = [3], headers = [] as [number[], number[] | null][] } = {},
): number[] {
  const bytesField = (b: number[] | null) => (b === null ? varint(-1) : [...varint(b.length), ...b]);
  return [
    0,
    ...varint(7),
    ...varint(index),
    ...bytesField(key),
    ...bytesField(value),
    ...varint(headers.length),
    ...headers.flatMap(([k, v]) => [...bytesField(k), ...bytesField(v)]),
  ];
}

/** Both verdicts on `bytes` holding `count` records; they must agree. */
function verdict(bytes: number[] | Uint8Array, count: number): string | null {
  const buf = Buffer.from(bytes);
  const problem = recordStructureProblem(buf, 0, buf.length, count);
  expect(recordsWellFormed(buf, 0, buf.length, count)).toBe(problem === null);
  return problem;
}

function recordsOf(batch: Buffer): { records: Buffer; count: number } {
  return { records: batch.subarray(61), count: batch.readInt32BE(57) };
}

describe('recordsWellFormed', () => {
  it('accepts what the protocol encoder writes: keys, null keys and values, headers, many records', () => {
    const batch = encodeRecordBatch({
      records: [
        { key: Buffer.from('k'), value: Buffer.from('v'), headers: [{ key: 'h', value: Buffer.from('x') }] },
        { key: null, value: null, headers: [{ key: 'n', value: null }] },
        ...Array.from({ length: 300 }, (_, i) => ({ key: null, value: Buffer.alloc(i) })),
      ],
    });
    const { records, count } = recordsOf(batch);
    expect(verdict(records, count)).toBeNull();
    expect(verdict([], 0)).toBeNull();
  });

  it('also reads a window of a larger buffer, bounded by its end', () => {
    const { records, count } = recordsOf(encodeRecordBatch({ records: [{ value: Buffer.from('abc') }] }));
    const padded = Buffer.concat([Buffer.from([9, 9]), records, Buffer.from([0, 0])]);
    expect(recordsWellFormed(padded, 2, 2 + records.length, count)).toBe(true);
    expect(recordsWellFormed(padded, 2, 1 + records.length, count)).toBe(false);
    expect(recordsWellFormed(padded, 2, 3 + records.length, count)).toBe(false);
  });

  it('refuses each malformed record Kafka refuses, with the reference naming the problem', () => {
    const cases: [string, number[], number, string][] = [
      ['record length past the end', record(body(0), 40), 1, 'runs past the batch'],
      ['negative record length', varint(-3), 1, 'runs past the batch'],
      ['truncated length varint', [0x80], 1, 'invalid record structure'],
      ['6-byte length varint', [0x80, 0x80, 0x80, 0x80, 0x80, 0x00], 1, 'invalid record structure'],
      ['empty record', record([]), 1, 'no attributes'],
      ['11-byte timestamp delta', record([0, ...Array(10).fill(0x80), 0, 0]), 1, 'invalid timestamp delta'],
      ['offset delta out of order', record(body(1)), 1, 'offset delta 1, expected 0'],
      ['key length -2', record([0, 0, 0, ...varint(-2), 0, 0]), 1, 'invalid key length -2'],
      ['value past its record', record([0, 0, 0, 1, ...varint(9), 1, 0]), 1, 'invalid value length 9'],
      ['negative header count', record([0, 0, 0, 1, 1, ...varint(-1)]), 1, 'invalid header count -1'],
      [
        'null header key',
        record(body(0, { headers: [[[1], [2]]] }).map((b, i, a) => (i === a.length - 4 ? 1 : b))),
        1,
        'header key',
      ],
      ['bytes left in the record', record([...body(0), 0]), 1, 'bytes left after the last field'],
      ['fewer records than declared', record(body(0)), 2, 'record 1: invalid record structure'],
      [
        'more records than declared',
        [...record(body(0)), ...record(body(1))],
        1,
        'declared count 1 is wrong',
      ],
      ['missing headers count', record([0, 0, 0, 1, 1]), 1, 'invalid header count null'],
    ];
    for (const [name, bytes, count, message] of cases) {
      const problem = verdict(bytes, count);
      expect(problem, name).not.toBeNull();
      expect(problem, name).toContain(message);
    }
  });

  it('agrees with the reference walk on arbitrary bytes and counts (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.integer({ min: -1, max: 8 }), (bytes, count) => {
        verdict(bytes, count);
      }),
      { numRuns: 5000 },
    );
  });

  it('agrees with the reference walk on valid records with one byte changed or cut (property)', () => {
    const record = fc.record({
      key: fc.option(fc.uint8Array({ maxLength: 20 }).map((b) => Buffer.from(b))),
      value: fc.option(fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b))),
      headers: fc.array(
        fc.record({
          key: fc.string({ maxLength: 5 }),
          value: fc.option(fc.uint8Array({ maxLength: 5 }).map((b) => Buffer.from(b))),
        }),
        { maxLength: 3 },
      ),
      timestamp: fc.integer({ min: 0, max: 2 ** 45 }),
    });
    fc.assert(
      fc.property(
        fc.array(record, { minLength: 1, maxLength: 5 }),
        fc.nat(),
        fc.integer({ min: 0, max: 255 }),
        fc.nat(),
        (records, at, value, cut) => {
          const { records: bytes, count } = recordsOf(
            encodeRecordBatch({ compression: CompressionType.None, records }),
          );
          expect(verdict(bytes, count)).toBeNull();
          const changed = Buffer.from(bytes);
          changed[at % changed.length] = value;
          verdict(changed, count);
          verdict(bytes.subarray(0, cut % bytes.length), count);
          verdict(bytes, count + 1);
          verdict(bytes, count - 1);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
