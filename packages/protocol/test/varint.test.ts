/**
 * Varints against Apache Kafka's vectors: ByteUtilsTest.java (clients/src/test/java/org/apache/
 * kafka/common/utils/ByteUtilsTest.java, github.com/apache/kafka), tests testUnsignedVarintSerde,
 * testVarintSerde, testVarlongSerde, testInvalidVarint and testInvalidVarlong. Each vector is
 * written with our Writer, read back with our Reader, and its length checked against the size
 * functions of primitives/varint.ts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProtocolDecodeError } from '../src/primitives/errors.js';
import { Reader } from '../src/primitives/reader.js';
import { uvarintSize, varintSize, varlongSize } from '../src/primitives/varint.js';
import { Writer } from '../src/primitives/writer.js';

const bytes = (...b: number[]) => Buffer.from(b);

// testUnsignedVarintSerde: Java passes ints, so negative values are their unsigned 32-bit form.
const UNSIGNED_VARINTS: [number, Buffer][] = [
  [0, bytes(0x00)],
  [-1, bytes(0xff, 0xff, 0xff, 0xff, 0x0f)],
  [1, bytes(0x01)],
  [63, bytes(0x3f)],
  [-64, bytes(0xc0, 0xff, 0xff, 0xff, 0x0f)],
  [64, bytes(0x40)],
  [8191, bytes(0xff, 0x3f)],
  [-8192, bytes(0x80, 0xc0, 0xff, 0xff, 0x0f)],
  [8192, bytes(0x80, 0x40)],
  [-8193, bytes(0xff, 0xbf, 0xff, 0xff, 0x0f)],
  [1048575, bytes(0xff, 0xff, 0x3f)],
  [1048576, bytes(0x80, 0x80, 0x40)],
  [2147483647, bytes(0xff, 0xff, 0xff, 0xff, 0x07)],
  [-2147483648, bytes(0x80, 0x80, 0x80, 0x80, 0x08)],
];

// testVarintSerde
const VARINTS: [number, Buffer][] = [
  [0, bytes(0x00)],
  [-1, bytes(0x01)],
  [1, bytes(0x02)],
  [63, bytes(0x7e)],
  [-64, bytes(0x7f)],
  [64, bytes(0x80, 0x01)],
  [-65, bytes(0x81, 0x01)],
  [8191, bytes(0xfe, 0x7f)],
  [-8192, bytes(0xff, 0x7f)],
  [8192, bytes(0x80, 0x80, 0x01)],
  [-8193, bytes(0x81, 0x80, 0x01)],
  [1048575, bytes(0xfe, 0xff, 0x7f)],
  [-1048576, bytes(0xff, 0xff, 0x7f)],
  [1048576, bytes(0x80, 0x80, 0x80, 0x01)],
  [-1048577, bytes(0x81, 0x80, 0x80, 0x01)],
  [134217727, bytes(0xfe, 0xff, 0xff, 0x7f)],
  [-134217728, bytes(0xff, 0xff, 0xff, 0x7f)],
  [134217728, bytes(0x80, 0x80, 0x80, 0x80, 0x01)],
  [-134217729, bytes(0x81, 0x80, 0x80, 0x80, 0x01)],
  [2147483647, bytes(0xfe, 0xff, 0xff, 0xff, 0x0f)],
  [-2147483648, bytes(0xff, 0xff, 0xff, 0xff, 0x0f)],
];

// testVarlongSerde, as strings: half of them do not fit a double exactly.
const VARLONGS: [string, Buffer][] = [
  ...VARINTS.map(([v, b]): [string, Buffer] => [String(v), b]),
  ['17179869183', bytes(0xfe, 0xff, 0xff, 0xff, 0x7f)],
  ['-17179869184', bytes(0xff, 0xff, 0xff, 0xff, 0x7f)],
  ['17179869184', bytes(0x80, 0x80, 0x80, 0x80, 0x80, 0x01)],
  ['-17179869185', bytes(0x81, 0x80, 0x80, 0x80, 0x80, 0x01)],
  ['2199023255551', bytes(0xfe, 0xff, 0xff, 0xff, 0xff, 0x7f)],
  ['-2199023255552', bytes(0xff, 0xff, 0xff, 0xff, 0xff, 0x7f)],
  ['2199023255552', bytes(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01)],
  ['-2199023255553', bytes(0x81, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01)],
  ['281474976710655', bytes(0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f)],
  ['-281474976710656', bytes(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f)],
  ['281474976710656', bytes(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01)],
  ['-281474976710657', bytes(0x81, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01)],
  ['36028797018963967', bytes(0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f)],
  ['-36028797018963968', bytes(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f)],
  ['36028797018963968', bytes(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01)],
  ['-36028797018963969', bytes(0x81, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01)],
  ['4611686018427387903', bytes(0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f)],
  ['-4611686018427387904', bytes(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f)],
  ['4611686018427387904', bytes(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01)],
  ['-4611686018427387905', bytes(0x81, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01)],
  ['9223372036854775807', bytes(0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01)],
  ['-9223372036854775808', bytes(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01)],
];

function written(write: (w: Writer) => void): Buffer {
  const w = new Writer(Buffer.alloc(32));
  write(w);
  return w.buf.subarray(0, w.pos);
}

describe('Kafka ByteUtilsTest varint vectors', () => {
  it.each(UNSIGNED_VARINTS)('unsigned varint %i', (javaInt, encoded) => {
    const value = javaInt >>> 0;
    expect(written((w) => w.uvarint(value))).toEqual(encoded);
    const r = new Reader(encoded);
    expect(r.uvarint()).toBe(value);
    expect(r.remaining()).toBe(0);
    expect(uvarintSize(value)).toBe(encoded.length);
  });

  it.each(VARINTS)('varint %i', (value, encoded) => {
    expect(written((w) => w.varint(value))).toEqual(encoded);
    const r = new Reader(encoded);
    expect(r.varint()).toBe(value);
    expect(r.remaining()).toBe(0);
    expect(varintSize(value)).toBe(encoded.length);
  });

  it.each(VARLONGS)('varlong %s', (text, encoded) => {
    const exact = BigInt(text);
    if (exact > BigInt(Number.MAX_SAFE_INTEGER) || exact < BigInt(Number.MIN_SAFE_INTEGER)) {
      // Outside what a number holds exactly: reading must fail, never round.
      expect(() => new Reader(encoded).varlong()).toThrow(ProtocolDecodeError);
      return;
    }
    const value = Number(text);
    expect(written((w) => w.varlong(value))).toEqual(encoded);
    const r = new Reader(encoded);
    expect(r.varlong()).toBe(value);
    expect(r.remaining()).toBe(0);
    expect(varlongSize(value)).toBe(encoded.length);
  });

  it('rejects a varint with an overflow byte (testInvalidVarint)', () => {
    const r = new Reader(bytes(0xff, 0xff, 0xff, 0xff, 0xff, 0x01));
    expect(() => r.varint()).toThrow(ProtocolDecodeError);
  });

  it('rejects a varlong with an overflow byte (testInvalidVarlong)', () => {
    const r = new Reader(bytes(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01));
    expect(() => r.varlong()).toThrow(ProtocolDecodeError);
  });

  it('fails on a varint cut short instead of reading past the end', () => {
    expect(() => new Reader(bytes(0x80, 0x80)).varint()).toThrow(/runs past the end/);
    expect(() => new Reader(bytes(0xff), 0, 1).varlong()).toThrow(/runs past the end/);
  });
});

describe('varint properties', () => {
  it('round-trips every int32 with the size the writer uses', () => {
    fc.assert(
      fc.property(fc.integer({ min: -0x80000000, max: 0x7fffffff }), (v) => {
        const b = written((w) => w.varint(v));
        expect(b.length).toBe(varintSize(v));
        expect(new Reader(b).varint()).toBe(v);
      }),
    );
  });

  // The whole safe range, including ±2^53-1 where the zig-zag form itself exceeds 2^53.
  it('round-trips every safe integer as a varlong', () => {
    for (const v of [Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 2 ** 52, -(2 ** 52) - 1]) {
      expect(new Reader(written((w) => w.varlong(v))).varlong()).toBe(v);
    }
    fc.assert(
      fc.property(fc.maxSafeInteger(), (v) => {
        const b = written((w) => w.varlong(v));
        expect(b.length).toBe(varlongSize(v));
        expect(new Reader(b).varlong()).toBe(v);
      }),
    );
  });
});
