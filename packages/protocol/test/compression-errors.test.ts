/**
 * Bad input and decompression bombs: every failure is a CompressionError naming the codec, of
 * kind Corrupt or TooLarge; nothing else escapes, nothing crashes, and no output past the limit
 * is produced (or, for bombs, allocated).
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ASYNC_MIN_BYTES,
  CompressionError,
  CompressionErrorKind,
  CompressionType,
  compressionTypeName,
  compressSync,
  decompress,
  decompressSync,
  ZSTD_LIMIT_SLACK,
} from '../src/compression/index.js';
import { setNativeCodecs } from '../src/compression/native.js';
import { snappyCompressRaw } from '../src/compression/snappy.js';
import { xxhash32 } from '../src/compression/xxhash32.js';
import { BACKENDS, recordLike, useBackend } from './compression-data.js';

const CODECS = [
  CompressionType.Gzip,
  CompressionType.Snappy,
  CompressionType.Lz4,
  CompressionType.Zstd,
] as const;

/** The CompressionError `f` throws; fails the test if it throws anything else or nothing. */
function errorOf(f: () => unknown): CompressionError {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(CompressionError);
    return err as CompressionError;
  }
  return expect.fail('expected a CompressionError');
}

async function asyncErrorOf(p: Promise<unknown>): Promise<CompressionError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(CompressionError);
    return err as CompressionError;
  }
  return expect.fail('expected a CompressionError');
}

function expectCorrupt(type: CompressionType, data: Uint8Array, message?: RegExp): CompressionError {
  const err = errorOf(() => decompressSync(type, data));
  expect(err.kind).toBe(CompressionErrorKind.Corrupt);
  expect(err.codec).toBe(compressionTypeName(type));
  expect(err.message.startsWith(`${compressionTypeName(type)}: `)).toBe(true);
  if (message) expect(err.message).toMatch(message);
  return err;
}

function expectTooLarge(type: CompressionType, data: Uint8Array, maxOutputBytes: number): void {
  const err = errorOf(() => decompressSync(type, data, { maxOutputBytes }));
  expect(err.kind).toBe(CompressionErrorKind.TooLarge);
  expect(err.message).toContain(`limit of ${maxOutputBytes} bytes`);
}

/** A zstd frame of `blocks` RLE blocks of 128 KiB each: 4 bytes of input per 128 KiB out. */
function zstdRleBomb(blocks: number): Buffer {
  const out = [Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x38])]; // no content size, 128 KiB window
  for (let i = 0; i < blocks; i++) {
    const header = (i === blocks - 1 ? 1 : 0) | (1 << 1) | (131072 << 3);
    out.push(Buffer.from([header & 0xff, (header >>> 8) & 0xff, header >>> 16, 0x61]));
  }
  return Buffer.concat(out);
}

/** Every codec on the native backend; snappy and LZ4 on their JavaScript fallbacks too. */
const ROWS = BACKENDS.flatMap((backend) =>
  CODECS.filter((c) => backend === 'native' || c === CompressionType.Snappy || c === CompressionType.Lz4).map(
    (c) => [`${compressionTypeName(c)} (${backend})`, c, backend] as const,
  ),
);

describe.each(ROWS)('corrupt input: %s', (name, type, backend) => {
  useBackend(backend);
  let sample: Buffer = Buffer.alloc(0);
  beforeAll(() => {
    sample = compressSync(type, recordLike(3000));
  });

  it(`${name}: every truncation is a Corrupt CompressionError`, () => {
    for (let cut = 1; cut < sample.length; cut++) {
      // A xerial stream cut right after its header is a complete (empty) stream.
      if (type === CompressionType.Snappy && cut === 16) continue;
      expectCorrupt(type, sample.subarray(0, cut));
    }
  });

  it(`${name}: empty input`, () => {
    if (type === CompressionType.Snappy) expect(decompressSync(type, Buffer.alloc(0)).length).toBe(0);
    else expectCorrupt(type, Buffer.alloc(0), /empty input/);
  });

  it(`${name}: flipped bytes fail with a CompressionError or decode to something, never anything else (fast-check)`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat(sample.length - 1), fc.integer({ min: 1, max: 255 })), {
          minLength: 1,
          maxLength: 4,
        }),
        async (flips) => {
          const bad = Buffer.from(sample);
          for (const [at, mask] of flips) bad[at] ^= mask;
          for (const attempt of [() => decompressSync(type, bad), () => decompress(type, bad)]) {
            try {
              const out = await attempt();
              expect(Buffer.isBuffer(out)).toBe(true);
            } catch (err) {
              expect(err).toBeInstanceOf(CompressionError);
              expect((err as CompressionError).codec).toBe(compressionTypeName(type));
            }
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it(`${name}: random garbage fails with a CompressionError or decodes, never anything else (fast-check)`, () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 400 }), (junk) => {
        try {
          decompressSync(type, junk, { maxOutputBytes: 1 << 20 });
        } catch (err) {
          expect(err).toBeInstanceOf(CompressionError);
        }
      }),
      { numRuns: 300 },
    );
  });

  it(`${name}: async rejects the same way`, async () => {
    const err = await asyncErrorOf(decompress(type, sample.subarray(0, sample.length - 1)));
    expect(err.kind).toBe(CompressionErrorKind.Corrupt);
  });
});

describe.each(CODECS.map((c) => [compressionTypeName(c), c] as const))(
  'thread-pool paths (inputs past ASYNC_MIN_BYTES): %s',
  (name, type) => {
    const data = recordLike(2 * 1024 * 1024, 11);
    const z = compressSync(type, data);
    const raw = type === CompressionType.Snappy ? snappyCompressRaw(data) : z;

    it(`${name}: the samples are large enough to leave the caller's thread`, () => {
      expect(z.length).toBeGreaterThanOrEqual(ASYNC_MIN_BYTES);
      expect(raw.length).toBeGreaterThanOrEqual(ASYNC_MIN_BYTES);
    });

    it(`${name}: decode, truncation, corruption and the limit`, async () => {
      for (const sample of [z, raw]) {
        expect((await decompress(type, sample)).equals(data)).toBe(true);
        const truncated = await asyncErrorOf(decompress(type, sample.subarray(0, sample.length - 7)));
        expect(truncated.kind).toBe(CompressionErrorKind.Corrupt);
        expect(truncated.codec).toBe(name);
        const garbled = Buffer.from(sample);
        for (let i = 1000; i < 1200; i++) garbled[i] ^= 0xa5;
        try {
          expect(Buffer.isBuffer(await decompress(type, garbled))).toBe(true);
        } catch (err) {
          expect(err).toBeInstanceOf(CompressionError);
        }
        const tooLarge = await asyncErrorOf(decompress(type, sample, { maxOutputBytes: data.length - 1 }));
        expect(tooLarge.kind).toBe(CompressionErrorKind.TooLarge);
      }
    });
  },
);

describe.each(BACKENDS)('corrupt input, by codec (%s)', (backend) => {
  useBackend(backend);

  it('gzip: not gzip', () => {
    expectCorrupt(CompressionType.Gzip, Buffer.from('definitely not gzip'), /zlib: incorrect header check/);
  });

  it('snappy: copy before the start of the output, and a length the elements do not fill', () => {
    // Preamble 10, then a 1-byte-offset copy of 4 bytes at offset 1 with nothing written yet.
    expectCorrupt(
      CompressionType.Snappy,
      Buffer.from([10, 0x01, 0x01]),
      /refers before the start|expected valid offset/,
    );
    // Preamble 10, literal of 3 bytes.
    expectCorrupt(
      CompressionType.Snappy,
      Buffer.from([10, 0x08, 1, 2, 3]),
      /ends before the declared 10 bytes|expected 10 decompressed bytes but got 3/,
    );
    // Preamble 2, literal of 3 bytes.
    expectCorrupt(
      CompressionType.Snappy,
      Buffer.from([2, 0x08, 1, 2, 3]),
      /past the declared 2 bytes|remaining dst: 2/,
    );
    // A preamble claiming 4 GiB from 7 bytes.
    expectCorrupt(
      CompressionType.Snappy,
      Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x00, 0x41]),
      /impossible/,
    );
    // Xerial block length past the end.
    const z = compressSync(CompressionType.Snappy, recordLike(1000));
    z.writeUInt32BE(0x7fffffff, 16);
    expectCorrupt(CompressionType.Snappy, z, /runs past the input/);
  });

  it('lz4: bad magic, bad header checksum, reserved bits, dictionary, trailing bytes', () => {
    const z = compressSync(CompressionType.Lz4, recordLike(1000));
    expectCorrupt(CompressionType.Lz4, Buffer.concat([Buffer.from([1, 2, 3, 4]), z]), /bad magic 0x4030201/);
    const hc = Buffer.from(z);
    hc[6] ^= 1;
    expectCorrupt(CompressionType.Lz4, hc, /header checksum mismatch/);
    const reserved = Buffer.from(z);
    reserved[5] |= 0x01;
    reserved[6] = (xxhash32(reserved, 4, 6) >>> 8) & 0xff;
    expectCorrupt(CompressionType.Lz4, reserved, /reserved header bits/);
    const dict = Buffer.from(z);
    dict[4] |= 0x01;
    expect(errorOf(() => decompressSync(CompressionType.Lz4, dict)).kind).toBe(
      CompressionErrorKind.Unsupported,
    );
    expectCorrupt(CompressionType.Lz4, Buffer.concat([z, Buffer.from([0, 0])]), /2 trailing bytes/);
  });

  it('lz4: match offsets outside the block, block larger than the frame allows, forged content size', () => {
    // One compressed block: token 0x10 (1 literal, match length 4), literal 'a', offset 2 (only 1 byte back exists).
    const frame = (block: number[], flg = 0x60, extra: number[] = []) => {
      const h = Buffer.from([0x04, 0x22, 0x4d, 0x18, flg, 0x40, ...extra]);
      const hc = (xxhash32(h, 4, h.length) >>> 8) & 0xff;
      const size = Buffer.alloc(4);
      size.writeUInt32LE(block.length);
      return Buffer.concat([h, Buffer.from([hc]), size, Buffer.from(block), Buffer.alloc(4)]);
    };
    expect(decompressSync(CompressionType.Lz4, frame([0x10, 0x61, 0x01, 0x00, 0x00])).toString()).toBe(
      'aaaaa',
    );
    expectCorrupt(
      CompressionType.Lz4,
      frame([0x10, 0x61, 0x02, 0x00, 0x00]),
      /match offset before the start|OffsetOutOfBounds/,
    );
    expectCorrupt(CompressionType.Lz4, frame([0x10, 0x61, 0x00, 0x00, 0x00]), /match offset|lz4_flex/);
    // A match that would make the block decode past 64 KiB (15 + 255 * 300 bytes).
    expectCorrupt(
      CompressionType.Lz4,
      frame([0x1f, 0x61, 0x01, 0x00, ...Array(300).fill(255), 0]),
      /more than 65536|lz4_flex/,
    );
    // Content size 2^40 declared for a 5-byte frame.
    const forged = frame([0x10, 0x61, 0x01, 0x00, 0x00], 0x68, [0, 0, 0, 0, 0, 1, 0, 0]);
    expectCorrupt(CompressionType.Lz4, forged, /content size 1099511627776 exceeds/);
  });

  it('zstd: bad magic, reserved bits, a corrupt block reported by libzstd', () => {
    expectCorrupt(CompressionType.Zstd, Buffer.from('not zstd at all'), /bad magic/);
    const z = compressSync(CompressionType.Zstd, recordLike(50_000));
    const reserved = Buffer.from(z);
    reserved[4] |= 0x08;
    expectCorrupt(CompressionType.Zstd, reserved, /reserved frame header bit/);
    const garbled = Buffer.from(z);
    for (let i = 20; i < 60; i++) garbled[i] ^= 0x5a;
    const err = expectCorrupt(CompressionType.Zstd, garbled, /libzstd: /);
    expect(err.cause).toBeInstanceOf(Error);
  });

  it('zstd: a declared content size the blocks cannot hold is refused before libzstd sees it', () => {
    // Single-segment frame claiming 2^32 - 1 bytes (4-byte content size), one 1-byte raw block.
    const frame = Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0xa0, 0xff, 0xff, 0xff, 0xff, 0x09, 0x00, 0x00, 0x61]);
    expectCorrupt(CompressionType.Zstd, frame, /declares 4294967295 bytes, its blocks hold 1\.\.1/);
    frame.writeUInt32LE(1, 5);
    expect(decompressSync(CompressionType.Zstd, frame).toString()).toBe('a');
  });
});

describe('output limit (decompression bombs)', () => {
  const TEN_MB = 10 * 1024 * 1024;
  const zeros = Buffer.alloc(TEN_MB);
  const pattern = Buffer.alloc(TEN_MB, 'abcdefghij');

  it.each(CODECS.map((c) => [compressionTypeName(c), c] as const))(
    '%s: at the limit decodes, one byte under fails TooLarge, far under fails TooLarge',
    async (_, type) => {
      for (const data of [zeros, pattern]) {
        const z = compressSync(type, data);
        expect(z.length).toBeLessThan(TEN_MB / 20); // snappy's best ratio is about 21
        expect(decompressSync(type, z, { maxOutputBytes: TEN_MB }).equals(data)).toBe(true);
        expect((await decompress(type, z, { maxOutputBytes: TEN_MB })).length).toBe(TEN_MB);
        expectTooLarge(type, z, TEN_MB - 1);
        expectTooLarge(type, z, 1024 * 1024);
        expectTooLarge(type, z, 0);
        const err = await asyncErrorOf(decompress(type, z, { maxOutputBytes: 1024 * 1024 }));
        expect(err.kind).toBe(CompressionErrorKind.TooLarge);
      }
    },
  );

  it('a limit of 0 still decodes empty content', () => {
    for (const type of CODECS) {
      expect(decompressSync(type, compressSync(type, Buffer.alloc(0)), { maxOutputBytes: 0 }).length).toBe(0);
    }
  });

  it('rejects a negative or fractional limit', () => {
    const z = compressSync(CompressionType.Gzip, Buffer.from('x'));
    expect(() => decompressSync(CompressionType.Gzip, z, { maxOutputBytes: -1 })).toThrow(RangeError);
    expect(() => decompressSync(CompressionType.Gzip, z, { maxOutputBytes: 1.5 })).toThrow(RangeError);
  });

  it('zstd: 1 GiB of RLE blocks from 32 KiB of input is refused from the headers alone', async () => {
    const bomb = zstdRleBomb(8192);
    expect(bomb.length).toBeLessThan(33 * 1024);
    const before = process.memoryUsage().rss;
    const err = errorOf(() => decompressSync(CompressionType.Zstd, bomb));
    expect(err.kind).toBe(CompressionErrorKind.TooLarge);
    expect(err.message).toContain('the frames declare 1073741824');
    expect((await asyncErrorOf(decompress(CompressionType.Zstd, bomb))).kind).toBe(
      CompressionErrorKind.TooLarge,
    );
    expect(process.memoryUsage().rss - before).toBeLessThan(64 * 1024 * 1024);
    // The same shape, small, is valid zstd that libzstd decodes.
    expect(decompressSync(CompressionType.Zstd, zstdRleBomb(3)).equals(Buffer.alloc(3 * 131072, 'a'))).toBe(
      true,
    );
  });

  it('zstd: compressed blocks past the limit by more than the slack are refused before decoding', () => {
    const z = compressSync(CompressionType.Zstd, Buffer.alloc(64 * 1024 * 1024, 'abcdefghij'));
    const max = 64 * 1024 * 1024 - ZSTD_LIMIT_SLACK - 131072 - 1;
    const err = errorOf(() => decompressSync(CompressionType.Zstd, z, { maxOutputBytes: max }));
    expect(err.kind).toBe(CompressionErrorKind.TooLarge);
    expect(err.message).toContain("the frames' blocks may hold up to");
  });

  it.each(BACKENDS)('lz4 (%s): a 327 MB bomb from 1.3 MB of input stops at the limit', (backend) => {
    const was = setNativeCodecs(backend === 'native');
    // Each block: 1 literal, a match of 65530 bytes at offset 1, 5 literals: 64 KiB out per 267 bytes in.
    // The block ends, as the format requires, with a sequence of 5 literals.
    const block = Buffer.from([
      0x1f,
      0x61,
      0x01,
      0x00,
      ...Array(256).fill(255),
      231,
      0x50,
      ...Buffer.from('aaaaa'),
    ]);
    const size = Buffer.alloc(4);
    size.writeUInt32LE(block.length);
    const header = Buffer.from([0x04, 0x22, 0x4d, 0x18, 0x60, 0x40, 0]);
    header[6] = (xxhash32(header, 4, 6) >>> 8) & 0xff;
    const frame = (blocks: number) =>
      Buffer.concat([header, ...Array(blocks).fill(Buffer.concat([size, block])), Buffer.alloc(4)]);
    expect(decompressSync(CompressionType.Lz4, frame(1)).equals(Buffer.alloc(65536, 'a'))).toBe(true);
    expectTooLarge(CompressionType.Lz4, frame(5000), 16 * 1024 * 1024);
    setNativeCodecs(was);
  });

  it('snappy: a raw block declaring more than the limit is refused before allocating', () => {
    const raw = snappyCompressRaw(Buffer.alloc(5 * 1024 * 1024));
    expectTooLarge(CompressionType.Snappy, raw, 1024 * 1024);
    expect(decompressSync(CompressionType.Snappy, raw).length).toBe(5 * 1024 * 1024);
  });
});
