/**
 * Zstandard for Kafka (RFC 8878 frames), through `@toondepauw/node-zstd`: libzstd 1.5 as a
 * napi-rs addon whose prebuilt binaries are npm packages (no download at install), with a
 * synchronous and a thread-pool asynchronous call each way. Decoding streams, so frames without
 * the content size in the header (librdkafka's `ZSTD_compressStream` writes none) decode.
 *
 * The native decoder takes no output limit, so before calling it we walk the frame and block
 * headers (a few bytes per 128 KiB block, nothing decompressed) to bound the output: raw and RLE
 * blocks state their size, a compressed block yields at most `min(window, 128 KiB)`. The bound is
 * within 128 KiB per frame of the truth for what libzstd, zstd-jni and librdkafka write, so:
 * bound within the limit, decode; bound past the limit by more than {@link ZSTD_LIMIT_SLACK}, refuse
 * (`TooLarge`); in between, decode (using at most limit + slack bytes) and check the real size.
 *
 * @module
 */

import { createRequire } from 'node:module';
import { asBuffer } from './bytes.js';
import { CompressionError, CompressionErrorKind } from './errors.js';

const CODEC = 'zstd';
const FRAME_MAGIC = 0xfd2fb528;
const SKIPPABLE_MAGIC_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;
const MAX_BLOCK_SIZE = 128 * 1024;

/**
 * How far the header-derived bound may exceed `maxOutputBytes` and still be decoded to find the
 * real size (frames whose last block is short, or that were flushed mid-stream).
 */
export const ZSTD_LIMIT_SLACK = 4 * 1024 * 1024;

/** Kafka's default zstd level (`compression.zstd.level`), libzstd's `ZSTD_CLEVEL_DEFAULT`. */
export const ZSTD_DEFAULT_LEVEL = 3;

interface NativeZstd {
  Encoder: new (level: number) => { encodeSync(data: Buffer): Buffer; encode(data: Buffer): Promise<Buffer> };
  Decoder: new () => { decodeSync(data: Buffer): Buffer; decode(data: Buffer): Promise<Buffer> };
}

let native: NativeZstd | undefined;
let decoder: InstanceType<NativeZstd['Decoder']> | undefined;
const encoders = new Map<number, InstanceType<NativeZstd['Encoder']>>();

function load(): NativeZstd {
  if (native) return native;
  try {
    native = createRequire(import.meta.url)('@toondepauw/node-zstd') as NativeZstd;
    return native;
  } catch (err) {
    throw new CompressionError(
      CODEC,
      CompressionErrorKind.Unavailable,
      `cannot load @toondepauw/node-zstd for ${process.platform}-${process.arch}: ${(err as Error).message}`,
      err,
    );
  }
}

function encoderFor(level: number) {
  let enc = encoders.get(level);
  if (!enc) {
    enc = new (load().Encoder)(level);
    encoders.set(level, enc);
  }
  return enc;
}

function getDecoder() {
  if (!decoder) decoder = new (load().Decoder)();
  return decoder;
}

function corrupt(reason: string, cause?: unknown): CompressionError {
  return new CompressionError(CODEC, CompressionErrorKind.Corrupt, reason, cause);
}

function nativeFailure(err: unknown): CompressionError {
  if (err instanceof CompressionError) return err;
  return corrupt(`libzstd: ${(err as Error).message}`, err);
}

function checkLevel(level: number): number {
  if (!Number.isInteger(level) || level < -131072 || level > 22) {
    throw new CompressionError(
      CODEC,
      CompressionErrorKind.Unsupported,
      `level ${level} is not in [-131072, 22]`,
    );
  }
  return level;
}

function readU32(b: Uint8Array, i: number): number {
  return (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)) >>> 0;
}

/** What the headers say about the output of a run of frames. */
export interface ZstdFrameScan {
  /** Upper bound of the decompressed size. */
  bound: number;
  /** Lower bound: content sizes where declared, else the raw and RLE blocks' sizes. */
  known: number;
  /** Number of (non-skippable) frames. */
  frames: number;
}

/**
 * Walks the frame and block headers of `src` (RFC 8878 section 3.1) without decompressing:
 * checks the framing is whole and bounds the output. Throws `Corrupt` on truncation, reserved
 * bits, trailing bytes, or a declared content size the blocks cannot hold.
 */
export function scanZstdFrames(src: Uint8Array): ZstdFrameScan {
  let p = 0;
  let bound = 0;
  let known = 0;
  let frames = 0;
  if (src.length === 0) throw corrupt('empty input');
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
      throw corrupt(`bad magic 0x${magic.toString(16)} at offset ${p} (a zstd frame starts 0xfd2fb528)`);
    }
    frames++;
    if (p + 5 > src.length) throw corrupt(`truncated frame header at offset ${p}`);
    const fhd = src[p + 4];
    if (fhd & 0x08) throw corrupt(`reserved frame header bit set at offset ${p}`);
    const fcsFlag = fhd >>> 6;
    const singleSegment = (fhd & 0x20) !== 0;
    const hasChecksum = (fhd & 0x04) !== 0;
    let q = p + 5;
    let windowSize = 0;
    if (!singleSegment) {
      if (q >= src.length) throw corrupt(`truncated frame header at offset ${p}`);
      const wd = src[q++];
      const base = 2 ** (10 + (wd >>> 3));
      windowSize = base + (base / 8) * (wd & 7);
    }
    q += [0, 1, 2, 4][fhd & 3];
    const fcsSize = fcsFlag === 0 ? (singleSegment ? 1 : 0) : [0, 2, 4, 8][fcsFlag];
    if (q + fcsSize > src.length) throw corrupt(`truncated frame header at offset ${p}`);
    let contentSize = -1;
    if (fcsSize === 1) contentSize = src[q];
    else if (fcsSize === 2) contentSize = (src[q] | (src[q + 1] << 8)) + 256;
    else if (fcsSize === 4) contentSize = readU32(src, q);
    else if (fcsSize === 8) contentSize = readU32(src, q + 4) * 0x100000000 + readU32(src, q);
    q += fcsSize;
    if (singleSegment) windowSize = contentSize;
    const blockMax = Math.min(windowSize, MAX_BLOCK_SIZE);
    let frameBound = 0;
    let frameKnown = 0;
    while (true) {
      if (q + 3 > src.length) throw corrupt(`truncated block header at offset ${q}`);
      const header = src[q] | (src[q + 1] << 8) | (src[q + 2] << 16);
      q += 3;
      const last = (header & 1) === 1;
      const type = (header >>> 1) & 3;
      const size = header >>> 3;
      if (type === 3) throw corrupt(`reserved block type at offset ${q - 3}`);
      if (size > MAX_BLOCK_SIZE) throw corrupt(`block of ${size} bytes at offset ${q - 3} exceeds 128 KiB`);
      if (type === 0) {
        frameBound += size;
        frameKnown += size;
        q += size;
      } else if (type === 1) {
        frameBound += size;
        frameKnown += size;
        q += 1;
      } else {
        frameBound += blockMax;
        q += size;
      }
      if (q > src.length) throw corrupt(`truncated block at offset ${q}`);
      if (last) break;
    }
    if (hasChecksum) q += 4;
    if (q > src.length) throw corrupt('truncated content checksum');
    if (contentSize >= 0) {
      if (contentSize > frameBound || contentSize < frameKnown) {
        throw corrupt(
          `frame at offset ${p} declares ${contentSize} bytes, its blocks hold ${frameKnown}..${frameBound}`,
        );
      }
      frameBound = contentSize;
      frameKnown = contentSize;
    }
    bound += frameBound;
    known += frameKnown;
    p = q;
  }
  if (frames === 0) throw corrupt('no zstd frame in input');
  return { bound, known, frames };
}

function tooLarge(max: number, detail: string): CompressionError {
  return new CompressionError(
    CODEC,
    CompressionErrorKind.TooLarge,
    `decompressed size exceeds the limit of ${max} bytes (${detail})`,
  );
}

/** Checks the headers of `src` against `max` before the native decoder runs. */
function precheck(src: Uint8Array, max: number): void {
  const { bound, known } = scanZstdFrames(src);
  if (known > max) throw tooLarge(max, `the frames declare ${known}`);
  if (bound > max + ZSTD_LIMIT_SLACK) throw tooLarge(max, `the frames' blocks may hold up to ${bound}`);
}

function postcheck(out: Buffer, max: number): Buffer {
  if (out.length > max) throw tooLarge(max, `it decodes to ${out.length}`);
  return out;
}

/** Compresses `data` to one zstd frame at `level` (default 3, Kafka's and libzstd's default). */
export function zstdCompressSync(data: Uint8Array, level = ZSTD_DEFAULT_LEVEL): Buffer {
  return encoderFor(checkLevel(level)).encodeSync(asBuffer(data));
}

/** {@link zstdCompressSync} on libuv's thread pool. */
export async function zstdCompress(data: Uint8Array, level = ZSTD_DEFAULT_LEVEL): Promise<Buffer> {
  return encoderFor(checkLevel(level)).encode(asBuffer(data));
}

/** Decompresses one or more zstd frames, refusing output past `maxOutputBytes`. */
export function zstdDecompressSync(src: Uint8Array, maxOutputBytes: number): Buffer {
  precheck(src, maxOutputBytes);
  let out: Buffer;
  try {
    out = getDecoder().decodeSync(asBuffer(src));
  } catch (err) {
    throw nativeFailure(err);
  }
  return postcheck(out, maxOutputBytes);
}

/** {@link zstdDecompressSync} on libuv's thread pool (the header walk runs on the caller's thread). */
export async function zstdDecompress(src: Uint8Array, maxOutputBytes: number): Promise<Buffer> {
  precheck(src, maxOutputBytes);
  let out: Buffer;
  try {
    out = await getDecoder().decode(asBuffer(src));
  } catch (err) {
    throw nativeFailure(err);
  }
  return postcheck(out, maxOutputBytes);
}
