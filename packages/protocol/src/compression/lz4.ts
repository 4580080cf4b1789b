/**
 * LZ4 for Kafka: the LZ4 frame format (https://github.com/lz4/lz4/blob/dev/doc/lz4_Frame_format.md),
 * which record batch v2 uses with a correct header checksum.
 *
 * We write what librdkafka and the Java client write: independent 64 KiB blocks, no block or
 * content checksum, no content size (librdkafka's `rd_kafka_lz4_compress` uses LZ4F's default
 * preferences with `LZ4F_blockIndependent`; Java's `KafkaLZ4BlockOutputStream` the same). We read
 * any frame a conforming encoder writes: block sizes 64 KiB to 4 MiB, independent or linked blocks,
 * with or without block checksums, content checksum and content size, several frames in a row and
 * skippable frames; every checksum present is verified. Dictionaries are refused (`Unsupported`).
 *
 * The frame layer is ours (header, checksums, the scan that checks the framing and bounds the
 * output before anything is decoded); the blocks go through the `lz4-napi` addon (Rust's
 * lz4_flex, about 3x faster than JavaScript here: see `bench/compression/`) when it is installed
 * (an optional dependency) and loads. Our own
 * block encoder and decoder, in TypeScript, take over where it does not, and whenever the output
 * bound exceeds the caller's limit, since only ours can stop exactly at the limit.
 *
 * @module
 */

import { asBuffer, trimmed } from './bytes.js';
import { CompressionError, CompressionErrorKind } from './errors.js';
import { loadNative } from './native.js';
import { xxhash32 } from './xxhash32.js';

interface NativeLz4 {
  compressSync(data: Buffer): Buffer;
  decompressFrameSync(data: Buffer): Buffer;
  decompressFrame(data: Buffer): Promise<Buffer>;
}

const native = () => loadNative<NativeLz4>('lz4-napi');

const CODEC = 'lz4';
const FRAME_MAGIC = 0x184d2204;
const SKIPPABLE_MAGIC_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;

const FLG_VERSION_MASK = 0xc0;
const FLG_VERSION = 0x40;
const FLG_BLOCK_INDEPENDENT = 0x20;
const FLG_BLOCK_CHECKSUM = 0x10;
const FLG_CONTENT_SIZE = 0x08;
const FLG_CONTENT_CHECKSUM = 0x04;
const FLG_RESERVED = 0x02;
const FLG_DICT_ID = 0x01;
const BLOCK_UNCOMPRESSED = 0x80000000;

/** Block size we write (BD 4: 64 KiB), as librdkafka and the Java client do. */
const BLOCK_SIZE = 64 * 1024;
const BD_64KB = 4 << 4;

const MIN_MATCH = 4;
/** The last match must start at least 12 bytes before the end of the block (spec). */
const MF_LIMIT = 12;
/** The last 5 bytes of a block are always literals (spec). */
const LAST_LITERALS = 5;
const HASH_LOG = 13;
const SKIP_TRIGGER = 6;

const hashTable = new Int32Array(1 << HASH_LOG);
let scratch = Buffer.allocUnsafe(0);
/** Scratch output kept between calls only up to this size, so one huge input does not pin memory. */
const SCRATCH_KEEP = 4 * 1024 * 1024;

function corrupt(reason: string): CompressionError {
  return new CompressionError(CODEC, CompressionErrorKind.Corrupt, reason);
}

function readU32(b: Uint8Array, i: number): number {
  return (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)) >>> 0;
}

function writeU32(b: Uint8Array, i: number, v: number): void {
  b[i] = v;
  b[i + 1] = v >>> 8;
  b[i + 2] = v >>> 16;
  b[i + 3] = v >>> 24;
}

/**
 * Compresses `src[start, end)` as one LZ4 block into `dst` at `d`. Returns the new end in `dst`,
 * which may exceed `d + (end - start)` (incompressible input): the caller then stores the block
 * uncompressed. `dst` must have room for `end - start + (end - start) / 255 + 16` bytes.
 * Matches never reach before `start`, so blocks are independent.
 */
function compressBlock(src: Uint8Array, start: number, end: number, dst: Uint8Array, d: number): number {
  const table = hashTable;
  table.fill(0);
  let anchor = start;
  if (end - start >= MF_LIMIT + 1) {
    const mfLimit = end - MF_LIMIT;
    const matchLimit = end - LAST_LITERALS;
    const shift = 32 - HASH_LOG;
    let ip = start;
    // Positions are stored +1 so that 0 means empty.
    table[Math.imul(readU32(src, ip), 2654435761) >>> shift] = ip + 1;
    ip++;
    outer: while (true) {
      // Find a match: step further the longer nothing matches (LZ4's acceleration).
      let attempts = 1 << SKIP_TRIGGER;
      let ref = 0;
      let seq = 0;
      while (true) {
        if (ip > mfLimit) break outer;
        seq = readU32(src, ip);
        const h = Math.imul(seq, 2654435761) >>> shift;
        ref = table[h] - 1;
        table[h] = ip + 1;
        if (ref >= start && ip - ref <= 0xffff && readU32(src, ref) === seq) break;
        ip += attempts++ >> SKIP_TRIGGER;
      }
      // Extend backwards over bytes that also match.
      while (ip > anchor && ref > start && src[ip - 1] === src[ref - 1]) {
        ip--;
        ref--;
      }
      // Extend forwards.
      let mEnd = ip + MIN_MATCH;
      let r = ref + MIN_MATCH;
      while (mEnd < matchLimit && src[mEnd] === src[r]) {
        mEnd++;
        r++;
      }
      const litLen = ip - anchor;
      const mLen = mEnd - ip - MIN_MATCH;
      const tokenPos = d++;
      let token: number;
      if (litLen >= 15) {
        token = 0xf0;
        let n = litLen - 15;
        for (; n >= 255; n -= 255) dst[d++] = 255;
        dst[d++] = n;
      } else {
        token = litLen << 4;
      }
      if (litLen < 32) {
        for (let i = anchor; i < ip; i++) dst[d++] = src[i];
      } else {
        dst.set(src.subarray(anchor, ip), d);
        d += litLen;
      }
      const offset = ip - ref;
      dst[d++] = offset;
      dst[d++] = offset >>> 8;
      if (mLen >= 15) {
        token |= 0x0f;
        let n = mLen - 15;
        for (; n >= 255; n -= 255) dst[d++] = 255;
        dst[d++] = n;
      } else {
        token |= mLen;
      }
      dst[tokenPos] = token;
      ip = mEnd;
      anchor = ip;
      if (ip > mfLimit) break;
      // Index the position two bytes back, as LZ4 does, to find the next match sooner.
      table[Math.imul(readU32(src, ip - 2), 2654435761) >>> shift] = ip - 2 + 1;
    }
  }
  // Last literals.
  const litLen = end - anchor;
  if (litLen >= 15) {
    dst[d++] = 0xf0;
    let n = litLen - 15;
    for (; n >= 255; n -= 255) dst[d++] = 255;
    dst[d++] = n;
  } else {
    dst[d++] = litLen << 4;
  }
  dst.set(src.subarray(anchor, end), d);
  return d + litLen;
}

/**
 * Compresses `data` to one LZ4 frame: FLG 0x60 (version 1, independent blocks), BD 0x40 (64 KiB
 * blocks), header checksum, blocks (stored uncompressed where compression does not shrink them),
 * end mark. Empty input gives the 11-byte empty frame. Blocks are compressed by the native addon
 * (lz4_flex) when it loads, else by {@link compressBlock}; the frame is ours either way, since the
 * addon's own frame encoder cannot be told the block size (it picks up to 4 MiB).
 */
export function lz4Compress(data: Uint8Array): Buffer {
  const n = native();
  const blocks = Math.ceil(data.length / BLOCK_SIZE);
  // Header 7, end mark 4, each block's 4-byte size, and room for one block's worst-case expansion.
  const worst = 7 + 4 + blocks * 4 + data.length + Math.ceil(BLOCK_SIZE / 255) + 32;
  const out = worst <= scratch.length ? scratch : Buffer.allocUnsafe(worst);
  if (out !== scratch && worst <= SCRATCH_KEEP) scratch = out;
  writeU32(out, 0, FRAME_MAGIC);
  out[4] = FLG_VERSION | FLG_BLOCK_INDEPENDENT;
  out[5] = BD_64KB;
  out[6] = (xxhash32(out, 4, 6) >>> 8) & 0xff;
  let d = 7;
  for (let s = 0; s < data.length; s += BLOCK_SIZE) {
    const e = Math.min(s + BLOCK_SIZE, data.length);
    let size: number;
    if (n) {
      // lz4_flex's block format with the uncompressed size in front (4 bytes, little-endian).
      const z = n.compressSync(asBuffer(data.subarray(s, e)));
      size = z.length - 4;
      if (size < e - s) out.set(z.subarray(4), d + 4);
    } else {
      size = compressBlock(data, s, e, out, d + 4) - (d + 4);
    }
    if (size < e - s) {
      writeU32(out, d, size);
      d += 4 + size;
    } else {
      writeU32(out, d, (BLOCK_UNCOMPRESSED | (e - s)) >>> 0);
      out.set(data.subarray(s, e), d + 4);
      d += 4 + (e - s);
    }
  }
  writeU32(out, d, 0);
  d += 4;
  return Buffer.from(out.subarray(0, d));
}

/**
 * Decodes the LZ4 block `src[s, sEnd)` into `out` from `d`, writing no further than `dLimit` and
 * referring back no further than `windowStart`. Returns the new end in `out`, or a negative code:
 * -1 malformed, -2 bad offset, -3 output past `dLimit`.
 */
function decodeBlock(
  src: Uint8Array,
  s: number,
  sEnd: number,
  out: Uint8Array,
  d: number,
  dLimit: number,
  windowStart: number,
): number {
  while (s < sEnd) {
    const token = src[s++];
    let litLen = token >>> 4;
    if (litLen === 15) {
      let b: number;
      do {
        if (s >= sEnd) return -1;
        b = src[s++];
        litLen += b;
      } while (b === 255);
    }
    if (litLen > 0) {
      if (s + litLen > sEnd) return -1;
      if (d + litLen > dLimit) return -3;
      if (litLen < 16) {
        for (let i = 0; i < litLen; i++) out[d++] = src[s++];
      } else {
        out.set(src.subarray(s, s + litLen), d);
        s += litLen;
        d += litLen;
      }
    }
    // The last sequence of a block has literals only.
    if (s === sEnd) break;
    if (s + 2 > sEnd) return -1;
    const offset = src[s] | (src[s + 1] << 8);
    s += 2;
    let mLen = token & 0x0f;
    if (mLen === 15) {
      let b: number;
      do {
        if (s >= sEnd) return -1;
        b = src[s++];
        mLen += b;
      } while (b === 255);
    }
    mLen += MIN_MATCH;
    if (offset === 0 || d - offset < windowStart) return -2;
    if (d + mLen > dLimit) return -3;
    let r = d - offset;
    if (offset >= mLen && mLen >= 32) {
      out.copyWithin(d, r, r + mLen);
      d += mLen;
    } else {
      // Overlapping copies repeat the last `offset` bytes, so they go byte by byte.
      const e = d + mLen;
      while (d < e) out[d++] = out[r++];
    }
  }
  return d;
}

/** One LZ4 frame found by {@link scan}. */
interface ScannedFrame {
  /** Offset of its magic number. */
  start: number;
  /** Offset just past it. */
  end: number;
  /** Its declared content size, or -1. */
  contentSize: number;
}

interface FrameScan {
  /** The frames, in order (skippable frames left out). */
  frames: ScannedFrame[];
  /** Upper bound of the decompressed size, all frames together. */
  bound: number;
}

const BLOCK_MAX: Record<number, number> = { 4: 64 * 1024, 5: 256 * 1024, 6: 1024 * 1024, 7: 4 * 1024 * 1024 };

/** Parses a frame header at `p`; returns where the blocks start and the frame's parameters. */
function readHeader(src: Uint8Array, p: number) {
  if (p + 7 > src.length) throw corrupt(`truncated frame header at offset ${p}`);
  const flg = src[p + 4];
  const bd = src[p + 5];
  if ((flg & FLG_VERSION_MASK) !== FLG_VERSION) throw corrupt(`unsupported frame version at offset ${p}`);
  if (flg & FLG_RESERVED || bd & 0x8f) throw corrupt(`reserved header bits set at offset ${p}`);
  if (flg & FLG_DICT_ID) {
    throw new CompressionError(CODEC, CompressionErrorKind.Unsupported, 'frames with a dictionary id');
  }
  const blockMax = BLOCK_MAX[bd >>> 4];
  if (blockMax === undefined) throw corrupt(`invalid block maximum size ${bd >>> 4} at offset ${p}`);
  let q = p + 6;
  let contentSize = -1;
  if (flg & FLG_CONTENT_SIZE) {
    if (q + 9 > src.length) throw corrupt(`truncated frame header at offset ${p}`);
    const lo = readU32(src, q);
    const hi = readU32(src, q + 4);
    contentSize = hi >= 0x200000 ? Number.MAX_SAFE_INTEGER : hi * 0x100000000 + lo;
    q += 8;
  }
  const hc = (xxhash32(src, p + 4, q) >>> 8) & 0xff;
  if (src[q] !== hc) throw corrupt(`header checksum mismatch at offset ${p}`);
  return {
    blocksStart: q + 1,
    blockMax,
    independent: (flg & FLG_BLOCK_INDEPENDENT) !== 0,
    blockChecksum: (flg & FLG_BLOCK_CHECKSUM) !== 0,
    contentChecksum: (flg & FLG_CONTENT_CHECKSUM) !== 0,
    contentSize,
  };
}

/** First pass: checks the framing of every frame and bounds the output, without decompressing. */
function scan(src: Uint8Array): FrameScan {
  let p = 0;
  let bound = 0;
  const frames: ScannedFrame[] = [];
  while (p < src.length) {
    if (p + 4 > src.length) throw corrupt(`${src.length - p} trailing bytes after the last frame`);
    const magic = readU32(src, p);
    if ((magic & SKIPPABLE_MAGIC_MASK) >>> 0 === SKIPPABLE_MAGIC) {
      if (p + 8 > src.length) throw corrupt(`truncated skippable frame at offset ${p}`);
      p += 8 + readU32(src, p + 4);
      if (p > src.length) throw corrupt('truncated skippable frame');
      continue;
    }
    if (magic !== FRAME_MAGIC) {
      throw corrupt(`bad magic 0x${magic.toString(16)} at offset ${p} (an LZ4 frame starts 0x184d2204)`);
    }
    const h = readHeader(src, p);
    const start = p;
    p = h.blocksStart;
    let frameBound = 0;
    while (true) {
      if (p + 4 > src.length) throw corrupt('truncated: frame has no end mark');
      const word = readU32(src, p);
      p += 4;
      if (word === 0) break;
      const size = (word & ~BLOCK_UNCOMPRESSED) >>> 0;
      if (size > h.blockMax)
        throw corrupt(`block of ${size} bytes exceeds the frame's ${h.blockMax}-byte blocks`);
      // A compressed block expands at most 255 times (every length byte adds at most 255).
      frameBound += word & BLOCK_UNCOMPRESSED ? size : Math.min(h.blockMax, size * 255);
      p += size + (h.blockChecksum ? 4 : 0);
      if (p > src.length) throw corrupt('truncated block');
    }
    if (h.contentChecksum) p += 4;
    if (p > src.length) throw corrupt('truncated content checksum');
    if (h.contentSize >= 0) {
      if (h.contentSize > frameBound) {
        throw corrupt(`content size ${h.contentSize} exceeds what the frame's blocks can hold`);
      }
      frameBound = h.contentSize;
    }
    bound += frameBound;
    frames.push({ start, end: p, contentSize: h.contentSize });
  }
  if (frames.length === 0) throw corrupt(src.length === 0 ? 'empty input' : 'no LZ4 frame in input');
  return { frames, bound };
}

/**
 * Decompresses one or more LZ4 frames. Fails with a `CompressionError` of kind `TooLarge` as soon
 * as the output would pass `maxOutputBytes` (nothing larger is ever allocated), or `Corrupt` on
 * any malformed input or checksum mismatch.
 *
 * The frames are checked and bounded by {@link scan} first. When the bound is within the limit,
 * the native addon decodes each frame (it would also accept a truncated frame, trailing bytes or
 * a second frame silently, which the scan has ruled out); otherwise, or without the addon, our
 * decoder runs and stops exactly at the limit.
 */
export function lz4Decompress(src: Uint8Array, maxOutputBytes: number): Buffer {
  const frames = scan(src);
  const n = native();
  if (!n || frames.bound > maxOutputBytes) return decodeFrames(src, frames.bound, maxOutputBytes);
  const outs: Buffer[] = [];
  for (const f of frames.frames) {
    let out: Buffer;
    try {
      out = n.decompressFrameSync(asBuffer(src.subarray(f.start, f.end)));
    } catch (err) {
      throw nativeFailure(err);
    }
    outs.push(checkContentSize(f, out));
  }
  return outs.length === 1 ? outs[0] : Buffer.concat(outs);
}

/** {@link lz4Decompress} with the native decoding on libuv's thread pool. */
export async function lz4DecompressAsync(src: Uint8Array, maxOutputBytes: number): Promise<Buffer> {
  const frames = scan(src);
  const n = native();
  if (!n || frames.bound > maxOutputBytes) return decodeFrames(src, frames.bound, maxOutputBytes);
  const outs = await Promise.all(
    frames.frames.map(async (f) => {
      try {
        return checkContentSize(f, await n.decompressFrame(asBuffer(src.subarray(f.start, f.end))));
      } catch (err) {
        throw nativeFailure(err);
      }
    }),
  );
  return outs.length === 1 ? outs[0] : Buffer.concat(outs);
}

function checkContentSize(f: ScannedFrame, out: Buffer): Buffer {
  if (f.contentSize >= 0 && out.length !== f.contentSize) {
    throw corrupt(`frame declares ${f.contentSize} bytes but decodes to ${out.length}`);
  }
  return out;
}

function nativeFailure(err: unknown): CompressionError {
  if (err instanceof CompressionError) return err;
  return new CompressionError(
    CODEC,
    CompressionErrorKind.Corrupt,
    `lz4_flex: ${(err as Error).message}`,
    err,
  );
}

/** Our decoder: all frames of `src` into one buffer, never writing past `maxOutputBytes`. */
function decodeFrames(src: Uint8Array, bound: number, maxOutputBytes: number): Buffer {
  const capacity = Math.min(bound, maxOutputBytes);
  const out = Buffer.allocUnsafe(capacity);
  let d = 0;
  let p = 0;
  while (p < src.length) {
    const magic = readU32(src, p);
    if (magic !== FRAME_MAGIC) {
      p += 8 + readU32(src, p + 4);
      continue;
    }
    const h = readHeader(src, p);
    p = h.blocksStart;
    const frameStart = d;
    while (true) {
      const word = readU32(src, p);
      p += 4;
      if (word === 0) break;
      const size = (word & ~BLOCK_UNCOMPRESSED) >>> 0;
      if (h.blockChecksum && xxhash32(src, p, p + size) !== readU32(src, p + size)) {
        throw corrupt(`block checksum mismatch at offset ${p - 4}`);
      }
      const blockLimit = Math.min(d + h.blockMax, capacity);
      if (word & BLOCK_UNCOMPRESSED) {
        if (d + size > capacity) throw tooLarge(maxOutputBytes);
        out.set(src.subarray(p, p + size), d);
        d += size;
      } else {
        const r = decodeBlock(src, p, p + size, out, d, blockLimit, h.independent ? d : frameStart);
        if (r < 0) {
          if (r === -3 && blockLimit === capacity && capacity === maxOutputBytes)
            throw tooLarge(maxOutputBytes);
          throw corrupt(
            r === -2
              ? `match offset before the start of the ${h.independent ? 'block' : 'frame'} in block at offset ${p - 4}`
              : r === -3
                ? `block at offset ${p - 4} decodes to more than ${h.blockMax} bytes`
                : `malformed block at offset ${p - 4}`,
          );
        }
        d = r;
      }
      p += size + (h.blockChecksum ? 4 : 0);
    }
    if (h.contentChecksum) {
      if (xxhash32(out, frameStart, d) !== readU32(src, p)) throw corrupt('content checksum mismatch');
      p += 4;
    }
    if (h.contentSize >= 0 && d - frameStart !== h.contentSize) {
      throw corrupt(`frame declares ${h.contentSize} bytes but decodes to ${d - frameStart}`);
    }
  }
  return trimmed(out, d);
}

function tooLarge(max: number): CompressionError {
  return new CompressionError(
    CODEC,
    CompressionErrorKind.TooLarge,
    `decompressed size exceeds the limit of ${max} bytes`,
  );
}
