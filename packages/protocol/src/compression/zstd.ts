/**
 * Zstandard for Kafka (RFC 8878 frames), through libzstd, from one of two places, in this order:
 *
 * 1. `@toondepauw/node-zstd`, libzstd 1.5 as a napi-rs addon whose prebuilt binaries are npm
 *    packages (an optional dependency: no download or compile at install), with a synchronous
 *    and a thread-pool asynchronous call each way. Preferred where it loads: it compresses a
 *    16 KiB batch (Kafka's default `batch.size`) 2-2.5x faster than `node:zlib`, which sets up a
 *    compression context per call; the two are even from 256 KiB and in decompression (measured
 *    on Node 22.23, see `bench/compression/`).
 * 2. `node:zlib`'s zstd, built into Node from 22.15 and 23.8.
 *
 * With neither (Node 20 without the addon), zstd fails with a `CompressionError` of kind
 * `Unavailable` that says what to install and why the addon did not load. Both decoders stream,
 * so frames without the content size in the header (librdkafka's `ZSTD_compressStream` writes
 * none) decode.
 *
 * The addon's decoder takes no output limit, so before decoding we walk the frame and block
 * headers (a few bytes per 128 KiB block, nothing decompressed) to bound the output: raw and RLE
 * blocks state their size, a compressed block yields at most `min(window, 128 KiB)`. The bound is
 * within 128 KiB per frame of the truth for what libzstd, zstd-jni and librdkafka write, so:
 * bound within the limit, decode; bound past the limit by more than {@link ZSTD_LIMIT_SLACK}, refuse
 * (`TooLarge`); in between, decode (using at most limit + slack bytes) and check the real size.
 * `node:zlib` stops at the limit itself (`maxOutputLength`); the header walk still checks the
 * framing first, so both fail the same way on the same bytes.
 *
 * @module
 */

import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { asBuffer } from './bytes.js';
import { CompressionError, CompressionErrorKind } from './errors.js';
import { loadAddon, nativeAddonStatus } from './native.js';

const CODEC = 'zstd';
const ADDON = '@toondepauw/node-zstd';
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

/** Where zstd comes from: the optional native addon, or Node's own `node:zlib`. */
export type ZstdImplementation = 'addon' | 'node:zlib';

interface NativeZstd {
  Encoder: new (level: number) => { encodeSync(data: Buffer): Buffer; encode(data: Buffer): Promise<Buffer> };
  Decoder: new () => { decodeSync(data: Buffer): Buffer; decode(data: Buffer): Promise<Buffer> };
}

/** `node:zlib`'s zstd (Node 22.15+ / 23.8+), which the Node 20 typings do not declare. */
interface ZlibZstd {
  zstdCompressSync(data: Buffer, options: object): Buffer;
  zstdDecompressSync(data: Buffer, options: object): Buffer;
  zstdCompress(data: Buffer, options: object, callback: (err: Error | null, out: Buffer) => void): void;
  zstdDecompress(data: Buffer, options: object, callback: (err: Error | null, out: Buffer) => void): void;
}

/** One way to run libzstd: both directions, sync and on the thread pool. */
interface ZstdBackend {
  readonly implementation: ZstdImplementation;
  compressSync(data: Buffer, level: number): Buffer;
  compress(data: Buffer, level: number): Promise<Buffer>;
  /**
   * Decodes `src`, whose frames (skippable ones left out) are `spans`; may stop at `max` (zlib)
   * or not (the addon: the caller checks).
   */
  decompressSync(src: Buffer, max: number, spans: readonly FrameSpan[]): Buffer;
  decompress(src: Buffer, max: number, spans: readonly FrameSpan[]): Promise<Buffer>;
}

function addonBackend(native: NativeZstd): ZstdBackend {
  const encoders = new Map<number, InstanceType<NativeZstd['Encoder']>>();
  const encoderFor = (level: number) => {
    let enc = encoders.get(level);
    if (!enc) {
      enc = new native.Encoder(level);
      encoders.set(level, enc);
    }
    return enc;
  };
  const decoder = new native.Decoder();
  return {
    implementation: 'addon',
    compressSync: (data, level) => encoderFor(level).encodeSync(data),
    compress: (data, level) => encoderFor(level).encode(data),
    decompressSync: (src) => decoder.decodeSync(src),
    decompress: (src) => decoder.decode(src),
  };
}

function zlibBackend(z: ZlibZstd): ZstdBackend {
  const LEVEL = 100; // ZSTD_c_compressionLevel
  const compressAsync = promisify(z.zstdCompress);
  const decompressAsync = promisify(z.zstdDecompress);
  const options = (level: number) => ({ params: { [LEVEL]: level } });
  // zlib's maxOutputLength must be at least 1: a limit of 0 is checked by postcheck.
  const limit = (max: number) => ({ maxOutputLength: Math.max(1, Math.min(max, 2 ** 32 - 1)) });
  return {
    implementation: 'node:zlib',
    compressSync: (data, level) => z.zstdCompressSync(data, options(level)),
    compress: (data, level) => compressAsync(data, options(level)),
    // zlib's decoder stops after the first frame: each frame is decoded on its own, within what
    // is left of the limit.
    decompressSync: (src, max, spans) => {
      const outs: Buffer[] = [];
      let left = max;
      for (const [start, end] of spans) {
        outs.push(z.zstdDecompressSync(src.subarray(start, end), limit(left)));
        left -= outs[outs.length - 1].length;
      }
      return outs.length === 1 ? outs[0] : Buffer.concat(outs);
    },
    decompress: async (src, max, spans) => {
      const outs: Buffer[] = [];
      let left = max;
      for (const [start, end] of spans) {
        outs.push(await decompressAsync(src.subarray(start, end), { ...limit(left), chunkSize: 256 * 1024 }));
        left -= outs[outs.length - 1].length;
      }
      return outs.length === 1 ? outs[0] : Buffer.concat(outs);
    },
  };
}

const zlibZstd: ZlibZstd | undefined =
  typeof (zlib as Partial<ZlibZstd>).zstdCompressSync === 'function'
    ? (zlib as unknown as ZlibZstd)
    : undefined;

let preference: readonly ZstdImplementation[] = ['addon', 'node:zlib'];
let addonRequire: NodeJS.Require | undefined;
let chosen: ZstdBackend | undefined;

/**
 * Which zstd implementations may be used, in order of preference (default: the addon, then
 * `node:zlib`), and the `require` that finds the addon (default: this package's); returns the
 * previous list. For tests of each implementation, and of the error when none is available.
 */
export function setZstdImplementations(
  list: readonly ZstdImplementation[],
  require?: NodeJS.Require,
): readonly ZstdImplementation[] {
  const was = preference;
  preference = [...list];
  addonRequire = require;
  chosen = undefined;
  return was;
}

/** The zstd implementation in use, loading it if need be; `Unavailable` if there is none. */
function backend(): ZstdBackend {
  if (chosen) return chosen;
  for (const implementation of preference) {
    if (implementation === 'node:zlib' && zlibZstd) chosen = zlibBackend(zlibZstd);
    if (implementation === 'addon') {
      const native = loadAddon<NativeZstd>(ADDON, addonRequire);
      if (native) chosen = addonBackend(native);
    }
    if (chosen) return chosen;
  }
  throw unavailable();
}

/** The zstd implementation that compresses and decompresses here, or undefined if none can. */
export function zstdImplementation(): ZstdImplementation | undefined {
  try {
    return backend().implementation;
  } catch {
    return undefined;
  }
}

function unavailable(): CompressionError {
  const why: string[] = [];
  let cause: unknown;
  for (const implementation of preference) {
    if (implementation === 'node:zlib') {
      why.push(`node:zlib has zstd from Node 22.15 and 23.8, this is ${process.version}`);
    } else {
      const status = nativeAddonStatus(ADDON, addonRequire);
      if (status?.state === 'failed') {
        cause = status.cause;
        why.push(
          `${ADDON} is installed but cannot load: ${(status.cause as Error)?.message ?? status.cause}`,
        );
      } else {
        why.push(`${ADDON} is not installed`);
      }
    }
  }
  return new CompressionError(
    CODEC,
    CompressionErrorKind.Unavailable,
    `no zstd implementation on ${process.platform}-${process.arch} (${why.join('; ')}): ` +
      `install ${ADDON} (npm install ${ADDON}) or run on Node 22.15+`,
    cause,
  );
}

function corrupt(reason: string, cause?: unknown): CompressionError {
  return new CompressionError(CODEC, CompressionErrorKind.Corrupt, reason, cause);
}

function nativeFailure(err: unknown, max: number): CompressionError {
  if (err instanceof CompressionError) return err;
  // node:zlib stopping at maxOutputLength.
  if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) {
    return new CompressionError(
      CODEC,
      CompressionErrorKind.TooLarge,
      `decompressed size exceeds the limit of ${max} bytes`,
      err,
    );
  }
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
  const { bound, known, frames } = walkFrames(src);
  return { bound, known, frames };
}

/** `[start, end)` of one zstd frame in its input. */
type FrameSpan = readonly [number, number];

/** {@link scanZstdFrames}, also giving where each (non-skippable) frame is. */
function walkFrames(src: Uint8Array): ZstdFrameScan & { spans: FrameSpan[] } {
  const spans: FrameSpan[] = [];
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
    spans.push([p, q]);
    p = q;
  }
  if (frames === 0) throw corrupt('no zstd frame in input');
  return { bound, known, frames, spans };
}

function tooLarge(max: number, detail: string): CompressionError {
  return new CompressionError(
    CODEC,
    CompressionErrorKind.TooLarge,
    `decompressed size exceeds the limit of ${max} bytes (${detail})`,
  );
}

/** Checks the headers of `src` against `max` before the decoder runs; returns the frames. */
function precheck(src: Uint8Array, max: number): FrameSpan[] {
  const { bound, known, spans } = walkFrames(src);
  if (known > max) throw tooLarge(max, `the frames declare ${known}`);
  if (bound > max + ZSTD_LIMIT_SLACK) throw tooLarge(max, `the frames' blocks may hold up to ${bound}`);
  return spans;
}

function postcheck(out: Buffer, max: number): Buffer {
  if (out.length > max) throw tooLarge(max, `it decodes to ${out.length}`);
  return out;
}

/** Compresses `data` to one zstd frame at `level` (default 3, Kafka's and libzstd's default). */
export function zstdCompressSync(data: Uint8Array, level = ZSTD_DEFAULT_LEVEL): Buffer {
  checkLevel(level);
  return backend().compressSync(asBuffer(data), level);
}

/** {@link zstdCompressSync} on libuv's thread pool. */
export async function zstdCompress(data: Uint8Array, level = ZSTD_DEFAULT_LEVEL): Promise<Buffer> {
  checkLevel(level);
  return backend().compress(asBuffer(data), level);
}

/** Decompresses one or more zstd frames, refusing output past `maxOutputBytes`. */
export function zstdDecompressSync(src: Uint8Array, maxOutputBytes: number): Buffer {
  const impl = backend();
  const spans = precheck(src, maxOutputBytes);
  let out: Buffer;
  try {
    out = impl.decompressSync(asBuffer(src), maxOutputBytes, spans);
  } catch (err) {
    throw nativeFailure(err, maxOutputBytes);
  }
  return postcheck(out, maxOutputBytes);
}

/** {@link zstdDecompressSync} on libuv's thread pool (the header walk runs on the caller's thread). */
export async function zstdDecompress(src: Uint8Array, maxOutputBytes: number): Promise<Buffer> {
  const impl = backend();
  const spans = precheck(src, maxOutputBytes);
  let out: Buffer;
  try {
    out = await impl.decompress(asBuffer(src), maxOutputBytes, spans);
  } catch (err) {
    throw nativeFailure(err, maxOutputBytes);
  }
  return postcheck(out, maxOutputBytes);
}
