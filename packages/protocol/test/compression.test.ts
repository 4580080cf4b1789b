/**
 * The codecs on their own: the API, round trips (fast-check, edge sizes, every entry point),
 * and the exact shape of what we write (the shape librdkafka and the Java client write).
 * Decoding bytes we did not write is in compression-fixtures.test.ts and
 * compression-interop.test.ts; corrupt input and limits in compression-errors.test.ts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ASYNC_MIN_BYTES,
  CompressionError,
  CompressionErrorKind,
  CompressionType,
  compress,
  compressionTypeName,
  compressSync,
  DEFAULT_MAX_DECOMPRESSED_BYTES,
  decompress,
  decompressSync,
  parseCompressionType,
} from '../src/compression/index.js';
import { setNativeCodecs } from '../src/compression/native.js';
import { snappyCompressRaw, snappyDecompress } from '../src/compression/snappy.js';
import { xxhash32 } from '../src/compression/xxhash32.js';
import { BACKENDS, recordLike, useBackend } from './compression-data.js';

const CODECS = [
  CompressionType.None,
  CompressionType.Gzip,
  CompressionType.Snappy,
  CompressionType.Lz4,
  CompressionType.Zstd,
] as const;

/** Bytes with structure: runs of random pieces repeated, so every codec finds matches. */
const structuredBytes = fc
  .array(fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 300 })), {
    maxLength: 40,
  })
  .map((pieces) => Buffer.concat(pieces.flatMap(([piece, times]) => Array(times).fill(piece))));

const anyBytes = fc.oneof(fc.uint8Array({ maxLength: 80_000 }), structuredBytes);

describe('CompressionType', () => {
  it('has the ids of the batch attributes bits 0-2', () => {
    expect(CompressionType).toEqual({ None: 0, Gzip: 1, Snappy: 2, Lz4: 3, Zstd: 4 });
  });

  it('names and parses Kafka compression.type values', () => {
    for (const type of CODECS) expect(parseCompressionType(compressionTypeName(type))).toBe(type);
    expect(compressionTypeName(CompressionType.Lz4)).toBe('lz4');
    expect(parseCompressionType(' ZSTD ')).toBe(CompressionType.Zstd);
    expect(parseCompressionType('uncompressed')).toBe(CompressionType.None);
    expect(() => parseCompressionType('brotli')).toThrow(RangeError);
  });

  it('refuses ids Kafka does not define with an Unsupported CompressionError', async () => {
    for (const type of [5, 6, 7, -1]) {
      const t = type as CompressionType;
      expect(() => compressionTypeName(t)).toThrow(CompressionError);
      for (const f of [() => compressSync(t, Buffer.from('x')), () => decompressSync(t, Buffer.from('x'))]) {
        try {
          f();
          expect.fail('no error');
        } catch (err) {
          expect(err).toBeInstanceOf(CompressionError);
          expect((err as CompressionError).kind).toBe(CompressionErrorKind.Unsupported);
          expect((err as CompressionError).codec).toBe(`type ${type}`);
        }
      }
      await expect(decompress(t, Buffer.from('x'))).rejects.toBeInstanceOf(CompressionError);
    }
  });

  it('defaults the output limit to 256 MiB', () => {
    expect(DEFAULT_MAX_DECOMPRESSED_BYTES).toBe(256 * 1024 * 1024);
  });
});

describe('None', () => {
  it('returns a Buffer over the same memory, both ways', async () => {
    const backing = new Uint8Array([9, 1, 2, 3, 9]);
    const view = backing.subarray(1, 4);
    for (const out of [
      compressSync(CompressionType.None, view),
      decompressSync(CompressionType.None, view),
      await compress(CompressionType.None, view),
      await decompress(CompressionType.None, view),
    ]) {
      expect(Buffer.isBuffer(out)).toBe(true);
      expect(out.buffer).toBe(backing.buffer);
      expect(out.byteOffset).toBe(1);
      expect([...out]).toEqual([1, 2, 3]);
    }
  });
});

/** Every codec on the native backend; snappy and LZ4 on their JavaScript fallbacks too. */
const ROUND_TRIPS = BACKENDS.flatMap((backend) =>
  CODECS.filter((c) => c !== CompressionType.None)
    .filter((c) => backend === 'native' || c === CompressionType.Snappy || c === CompressionType.Lz4)
    .map((c) => [`${compressionTypeName(c)} (${backend})`, c, backend] as const),
);

describe.each(ROUND_TRIPS)('round trip: %s', (name, type, backend) => {
  useBackend(backend);

  it(`${name}: random and structured bytes, sync (fast-check)`, () => {
    fc.assert(
      fc.property(anyBytes, (data) => {
        const z = compressSync(type, data);
        expect(Buffer.isBuffer(z)).toBe(true);
        expect(decompressSync(type, z).equals(Buffer.from(data))).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it(`${name}: sync and async entry points agree (fast-check)`, async () => {
    await fc.assert(
      fc.asyncProperty(anyBytes, async (data) => {
        const zs = compressSync(type, data);
        const za = await compress(type, data);
        expect((await decompress(type, zs)).equals(Buffer.from(data))).toBe(true);
        expect(decompressSync(type, za).equals(Buffer.from(data))).toBe(true);
      }),
      { numRuns: 20 },
    );
  });

  it(`${name}: empty and 1-byte input`, async () => {
    for (const data of [Buffer.alloc(0), Buffer.from([0]), Buffer.from([0xff])]) {
      expect(decompressSync(type, compressSync(type, data)).equals(data)).toBe(true);
      expect((await decompress(type, await compress(type, data))).equals(data)).toBe(true);
    }
  });

  it(`${name}: several MB of record-like data, and incompressible data`, async () => {
    const big = recordLike(6 * 1024 * 1024 + 123);
    const z = compressSync(type, big);
    expect(z.length).toBeLessThan(big.length / 2);
    expect(decompressSync(type, z).equals(big)).toBe(true);
    expect((await decompress(type, await compress(type, big))).equals(big)).toBe(true);
    const noise = Buffer.from(fc.sample(fc.uint8Array({ minLength: 300_000, maxLength: 300_000 }), 1)[0]);
    expect(decompressSync(type, compressSync(type, noise)).equals(noise)).toBe(true);
  });

  it(`${name}: takes plain Uint8Arrays and views at an offset`, () => {
    const data = recordLike(100_000, 3);
    const backing = new Uint8Array(data.length + 20);
    backing.set(data, 7);
    const view = backing.subarray(7, 7 + data.length);
    const z = compressSync(type, view);
    const zView = new Uint8Array(z.length + 5);
    zView.set(z, 5);
    expect(decompressSync(type, zView.subarray(5)).equals(data)).toBe(true);
  });

  it(`${name}: concurrent async calls do not mix up`, async () => {
    // Large enough that the compressed inputs, too, pass ASYNC_MIN_BYTES and go to the thread pool.
    const inputs = Array.from({ length: 8 }, (_, i) => recordLike(400_000 + i * 1000, i + 1));
    const zs = await Promise.all(inputs.map((d) => compress(type, d)));
    for (const z of zs) expect(z.length).toBeGreaterThanOrEqual(ASYNC_MIN_BYTES);
    const outs = await Promise.all(zs.map((z) => decompress(type, z)));
    for (const [i, o] of outs.entries()) expect(o.equals(inputs[i])).toBe(true);
  });
});

describe.each([CompressionType.Snappy, CompressionType.Lz4].map((c) => [compressionTypeName(c), c] as const))(
  'native and JavaScript backends interoperate: %s',
  (name, type) => {
    const on = (native: boolean, f: () => Buffer) => {
      const was = setNativeCodecs(native);
      try {
        return f();
      } finally {
        setNativeCodecs(was);
      }
    };

    it(`${name}: each decodes what the other writes (fast-check)`, () => {
      fc.assert(
        fc.property(anyBytes, (data) => {
          const byNative = on(true, () => compressSync(type, data));
          const byJs = on(false, () => compressSync(type, data));
          expect(on(false, () => decompressSync(type, byNative)).equals(Buffer.from(data))).toBe(true);
          expect(on(true, () => decompressSync(type, byJs)).equals(Buffer.from(data))).toBe(true);
        }),
        { numRuns: 60 },
      );
    });

    it(`${name}: raw snappy blocks and several MB cross over too`, () => {
      const big = recordLike(3 * 1024 * 1024, 9);
      const byNative = on(true, () => compressSync(type, big));
      const byJs = on(false, () => compressSync(type, big));
      expect(on(false, () => decompressSync(type, byNative)).equals(big)).toBe(true);
      expect(on(true, () => decompressSync(type, byJs)).equals(big)).toBe(true);
      if (type === CompressionType.Snappy) {
        const raw = on(true, () => snappyCompressRaw(big));
        expect(on(false, () => decompressSync(type, raw)).equals(big)).toBe(true);
        const rawJs = on(false, () => snappyCompressRaw(big));
        expect(on(true, () => decompressSync(type, rawJs)).equals(big)).toBe(true);
      }
    });
  },
);

describe('levels', () => {
  const data = recordLike(200_000);

  it('gzip and zstd take a level; higher compresses smaller', () => {
    const g1 = compressSync(CompressionType.Gzip, data, { level: 1 });
    const g9 = compressSync(CompressionType.Gzip, data, { level: 9 });
    expect(g9.length).toBeLessThan(g1.length);
    const z1 = compressSync(CompressionType.Zstd, data, { level: 1 });
    const z19 = compressSync(CompressionType.Zstd, data, { level: 19 });
    expect(z19.length).toBeLessThan(z1.length);
    for (const z of [g1, g9]) expect(decompressSync(CompressionType.Gzip, z).equals(data)).toBe(true);
    for (const z of [z1, z19]) expect(decompressSync(CompressionType.Zstd, z).equals(data)).toBe(true);
  });

  it('refuses levels out of range with an Unsupported CompressionError', () => {
    for (const [type, level] of [
      [CompressionType.Gzip, 10],
      [CompressionType.Gzip, 1.5],
      [CompressionType.Zstd, 23],
    ] as const) {
      expect(() => compressSync(type, data, { level })).toThrow(CompressionError);
    }
  });

  it('snappy and lz4 ignore the level', () => {
    for (const type of [CompressionType.Snappy, CompressionType.Lz4]) {
      expect(compressSync(type, data, { level: 9 }).equals(compressSync(type, data))).toBe(true);
    }
  });
});

describe.each(BACKENDS)('what we write (%s)', (backend) => {
  useBackend(backend);

  it('lz4: one frame as librdkafka writes it: FLG 0x60, BD 0x40, header checksum, blocks of <= 64 KiB, end mark', () => {
    const data = recordLike(300_000);
    const z = compressSync(CompressionType.Lz4, data);
    expect(z.readUInt32LE(0)).toBe(0x184d2204);
    expect(z[4]).toBe(0x60); // version 01, independent blocks; no block/content checksum, no size
    expect(z[5]).toBe(0x40); // 64 KiB maximum block size
    expect(z[6]).toBe((xxhash32(z, 4, 6) >>> 8) & 0xff);
    let p = 7;
    let blocks = 0;
    for (let word = z.readUInt32LE(p); word !== 0; word = z.readUInt32LE(p)) {
      expect(word & 0x7fffffff).toBeLessThanOrEqual(64 * 1024);
      p += 4 + (word & 0x7fffffff);
      blocks++;
    }
    expect(blocks).toBe(Math.ceil(data.length / 65536));
    expect(p + 4).toBe(z.length);
    expect(compressSync(CompressionType.Lz4, Buffer.alloc(0)).toString('hex')).toBe('04224d1860408200000000');
  });

  it('lz4: incompressible blocks are stored uncompressed', () => {
    const noise = Buffer.from(fc.sample(fc.uint8Array({ minLength: 70_000, maxLength: 70_000 }), 1)[0]);
    const z = compressSync(CompressionType.Lz4, noise);
    expect(z.readUInt32LE(7)).toBe((0x80000000 | 65536) >>> 0);
    expect(z.length).toBe(7 + 4 + 65536 + 4 + (70_000 - 65536) + 4);
  });

  it('snappy: the xerial framing of snappy-java, 32 KiB of input per block', () => {
    const data = recordLike(100_000);
    const z = compressSync(CompressionType.Snappy, data);
    expect(z.subarray(0, 16).toString('hex')).toBe('82534e41505059000000000100000001');
    let p = 16;
    const sizes: number[] = [];
    while (p < z.length) {
      const n = z.readUInt32BE(p);
      // The raw block's varint preamble is the block's uncompressed length.
      let len = 0;
      for (let i = 0, m = 1; ; i++, m *= 128) {
        len += (z[p + 4 + i] & 0x7f) * m;
        if (z[p + 4 + i] < 0x80) break;
      }
      sizes.push(len);
      p += 4 + n;
    }
    expect(p).toBe(z.length);
    expect(sizes).toEqual([32768, 32768, 32768, 100_000 - 3 * 32768]);
    expect(compressSync(CompressionType.Snappy, Buffer.alloc(0)).length).toBe(16);
  });

  it('snappy: reads raw blocks (librdkafka), xerial (Java), concatenated xerial streams, and empty input', () => {
    const a = recordLike(40_000, 5);
    const b = recordLike(10_000, 6);
    expect(decompressSync(CompressionType.Snappy, snappyCompressRaw(a)).equals(a)).toBe(true);
    const both = Buffer.concat([
      compressSync(CompressionType.Snappy, a),
      compressSync(CompressionType.Snappy, b),
    ]);
    expect(decompressSync(CompressionType.Snappy, both).equals(Buffer.concat([a, b]))).toBe(true);
    // snappy-java writes nothing at all for empty data, and reads nothing as empty.
    expect(snappyDecompress(Buffer.alloc(0), 10).length).toBe(0);
  });

  it('zstd: one frame with the zstd magic', () => {
    const z = compressSync(CompressionType.Zstd, recordLike(1000));
    expect(z.readUInt32LE(0)).toBe(0xfd2fb528);
  });

  it('gzip: one gzip member', () => {
    const z = compressSync(CompressionType.Gzip, recordLike(1000));
    expect([z[0], z[1], z[2]]).toEqual([0x1f, 0x8b, 8]);
  });
});

describe('xxhash32', () => {
  it('matches the reference test vectors', () => {
    const h = (s: string, seed = 0) => xxhash32(Buffer.from(s), 0, Buffer.byteLength(s), seed);
    expect(h('')).toBe(0x02cc5d05);
    expect(h('a')).toBe(0x550d7456);
    expect(h('abc')).toBe(0x32d153ff);
    expect(h('Nobody inspects the spammish repetition')).toBe(0xe2293b2f);
    expect(h('', 1)).toBe(0x0b2cb792);
  });
});
