/**
 * Snappy for Kafka, in the two shapes found on the wire.
 *
 * - The Java client writes snappy-java's xerial framing: the 16-byte header `\x82SNAPPY\0`,
 *   int32 version 1, int32 compatible version 1, then blocks of int32 big-endian length + a raw
 *   snappy block, each holding at most 32 KiB of input (snappy-java's default block size).
 * - librdkafka writes one raw (unframed) snappy block on produce, and reads both.
 *
 * We write the xerial framing, which every client reads, and read both, telling them apart by
 * the magic as librdkafka and snappy-java do. Raw blocks go through the `snappy` napi-rs addon
 * (Rust's `snap`; 3x faster than pure JavaScript here, see `bench/compression/`), which checks
 * every offset and length, when it is installed (an optional dependency). Where it is not, or
 * cannot load, `snappyjs` compresses and our own decoder, as strict, decompresses (`snappyjs`'s
 * decoder zero-fills or truncates when the elements disagree with the declared length). Either way the output limit is checked against the blocks'
 * declared lengths before anything is allocated.
 *
 * @module
 */

import { createRequire } from 'node:module';
import { asBuffer } from './bytes.js';
import { CompressionError, CompressionErrorKind } from './errors.js';
import { loadNative } from './native.js';

const CODEC = 'snappy';
let snappyjsModule: { compress(input: Uint8Array): Uint8Array } | undefined;
/** `snappyjs`, the fallback compressor, loaded only when the addon is missing. */
const snappyjs = () => {
  snappyjsModule ??= createRequire(import.meta.url)('snappyjs') as {
    compress(input: Uint8Array): Uint8Array;
  };
  return snappyjsModule;
};

interface NativeSnappy {
  compressSync(data: Buffer): Buffer;
  uncompressSync(data: Buffer, options: { asBuffer: true }): Buffer;
  uncompress(data: Buffer, options: { asBuffer: true }): Promise<Buffer>;
}

const native = () => loadNative<NativeSnappy>('snappy');

/** The xerial header: magic `\x82SNAPPY\0`, version 1, compatible version 1. */
const XERIAL_HEADER = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00, 0, 0, 0, 1, 0, 0, 0, 1]);
const XERIAL_MAGIC_LENGTH = 8;
const XERIAL_HEADER_LENGTH = 16;
/** snappy-java's `SnappyOutputStream` default block size. */
const XERIAL_BLOCK_SIZE = 32 * 1024;

function corrupt(reason: string): CompressionError {
  return new CompressionError(CODEC, CompressionErrorKind.Corrupt, reason);
}

function tooLarge(max: number): CompressionError {
  return new CompressionError(
    CODEC,
    CompressionErrorKind.TooLarge,
    `decompressed size exceeds the limit of ${max} bytes`,
  );
}

/** Whether `src` starts with the xerial magic (what librdkafka checks to tell the framing). */
export function isXerialFramed(src: Uint8Array): boolean {
  if (src.length < XERIAL_MAGIC_LENGTH) return false;
  for (let i = 0; i < XERIAL_MAGIC_LENGTH; i++) if (src[i] !== XERIAL_HEADER[i]) return false;
  return true;
}

function isXerialMagicAt(src: Uint8Array, p: number): boolean {
  if (p + XERIAL_MAGIC_LENGTH > src.length) return false;
  for (let i = 0; i < XERIAL_MAGIC_LENGTH; i++) if (src[p + i] !== XERIAL_HEADER[i]) return false;
  return true;
}

/** Compresses `data` to one raw snappy block (varint length + elements), as librdkafka writes. */
export function snappyCompressRaw(data: Uint8Array): Buffer {
  const n = native();
  if (n) return n.compressSync(asBuffer(data));
  return asBuffer(snappyjs().compress(data));
}

/** Compresses `data` in snappy-java's xerial framing, 32 KiB of input per block. */
export function snappyCompress(data: Uint8Array): Buffer {
  const parts: Uint8Array[] = [XERIAL_HEADER];
  let total = XERIAL_HEADER_LENGTH;
  for (let s = 0; s < data.length; s += XERIAL_BLOCK_SIZE) {
    const block = snappyCompressRaw(data.subarray(s, Math.min(s + XERIAL_BLOCK_SIZE, data.length)));
    const len = Buffer.allocUnsafe(4);
    len.writeUInt32BE(block.length, 0);
    parts.push(len, block);
    total += 4 + block.length;
  }
  return Buffer.concat(parts, total);
}

/** Reads the varint preamble of the raw block at `p`: `[uncompressedLength, elementsStart]`. */
function readPreamble(src: Uint8Array, p: number, end: number): [number, number] {
  let result = 0;
  for (let shift = 0; shift < 35; shift += 7) {
    if (p >= end) throw corrupt(`truncated length preamble at offset ${p}`);
    const b = src[p++];
    result += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) {
      if (result > 0xffffffff) throw corrupt('length preamble exceeds 32 bits');
      return [result, p];
    }
  }
  throw corrupt('length preamble longer than 5 bytes');
}

function copyBytes(from: Uint8Array, fromPos: number, to: Uint8Array, toPos: number, length: number): void {
  for (let i = 0; i < length; i++) to[toPos + i] = from[fromPos + i];
}

/** Copies `length` bytes from `offset` back, byte by byte: overlapping copies repeat a pattern. */
function selfCopy(out: Uint8Array, pos: number, offset: number, length: number): void {
  for (let i = 0; i < length; i++) out[pos + i] = out[pos - offset + i];
}

const TRUNCATED = -1;
const BAD_OFFSET = -2;
const TOO_LONG = -3;
const TOO_SHORT = -4;
/** Input offset of the element that failed, for the error message (set with a negative result). */
let failedAt = 0;

/**
 * Decodes the elements of a raw block, `src[s, sEnd)`, into `out[d, dEnd)`, which they must fill
 * exactly. Returns `dEnd`, or a negative code with `failedAt` set. (Small copy helpers and no
 * throw in the loop: V8 runs this shape about 1.4x faster than one function with inline copies.)
 */
function decodeElements(
  src: Uint8Array,
  s: number,
  sEnd: number,
  out: Uint8Array,
  d: number,
  dEnd: number,
): number {
  const blockStart = d;
  while (s < sEnd) {
    const at = s;
    const tag = src[s++];
    let len: number;
    let offset: number;
    switch (tag & 3) {
      case 0:
        len = (tag >>> 2) + 1;
        if (len > 60) {
          // 1 to 4 little-endian bytes hold the length - 1.
          const n = len - 60;
          if (s + n > sEnd) return fail(TRUNCATED, at);
          len = 1;
          for (let i = 0, m = 1; i < n; i++, m *= 256) len += src[s + i] * m;
          s += n;
        }
        if (s + len > sEnd) return fail(TRUNCATED, at);
        if (d + len > dEnd) return fail(TOO_LONG, at);
        copyBytes(src, s, out, d, len);
        s += len;
        d += len;
        continue;
      case 1:
        len = ((tag >>> 2) & 7) + 4;
        offset = ((tag >>> 5) << 8) | src[s];
        s += 1;
        break;
      case 2:
        len = (tag >>> 2) + 1;
        offset = src[s] | (src[s + 1] << 8);
        s += 2;
        break;
      default:
        len = (tag >>> 2) + 1;
        offset = src[s] + (src[s + 1] << 8) + (src[s + 2] << 16) + src[s + 3] * 0x1000000;
        s += 4;
        break;
    }
    if (s > sEnd) return fail(TRUNCATED, at);
    if (offset === 0 || offset > d - blockStart) return fail(BAD_OFFSET, at);
    if (d + len > dEnd) return fail(TOO_LONG, at);
    selfCopy(out, d, offset, len);
    d += len;
  }
  return d === dEnd ? d : fail(TOO_SHORT, sEnd);
}

function fail(code: number, at: number): number {
  failedAt = at;
  return code;
}

/** Runs {@link decodeElements}, turning a failure into a `CompressionError`. */
function decodeBlock(
  src: Uint8Array,
  s: number,
  sEnd: number,
  out: Uint8Array,
  d: number,
  dEnd: number,
): number {
  const r = decodeElements(src, s, sEnd, out, d, dEnd);
  if (r >= 0) return r;
  const declared = dEnd - d;
  throw corrupt(
    r === TRUNCATED
      ? `element at offset ${failedAt} runs past the end of the block`
      : r === BAD_OFFSET
        ? `copy at offset ${failedAt} refers before the start of the output`
        : r === TOO_LONG
          ? `element at offset ${failedAt} writes past the declared ${declared} bytes`
          : `block ends before the declared ${declared} bytes`,
  );
}

/**
 * Checks the preamble of the raw block `src[start, end)` against the input and the limit;
 * returns `[uncompressedLength, elementsStart]`.
 */
function checkRaw(src: Uint8Array, start: number, end: number, maxOutputBytes: number): [number, number] {
  const [length, s] = readPreamble(src, start, end);
  // A snappy element yields at most 64 bytes per 3 input bytes: a larger claim is corrupt.
  if (length > (end - s) * 32 + 64) throw corrupt(`declared length ${length} is impossible for the input`);
  if (length > maxOutputBytes) throw tooLarge(maxOutputBytes);
  return [length, s];
}

function nativeFailure(err: unknown): CompressionError {
  const message = (err as Error).message.replace(/^snappy: /, '');
  return new CompressionError(CODEC, CompressionErrorKind.Corrupt, message, err);
}

/** Decodes the raw block `src[start, end)` of `length` bytes into `out` at `d` (`out` has room). */
function decodeRawInto(
  src: Uint8Array,
  start: number,
  end: number,
  length: number,
  elements: number,
  out: Buffer,
  d: number,
): number {
  const n = native();
  if (!n) return decodeBlock(src, elements, end, out, d, d + length);
  let block: Buffer;
  try {
    block = n.uncompressSync(asBuffer(src.subarray(start, end)), { asBuffer: true });
  } catch (err) {
    throw nativeFailure(err);
  }
  if (block.length !== length) throw corrupt(`block decodes to ${block.length} bytes, declared ${length}`);
  out.set(block, d);
  return d + length;
}

/** Decompresses one raw snappy block (no framing). */
export function snappyDecompressRaw(src: Uint8Array, maxOutputBytes: number): Buffer {
  if (src.length === 0) throw corrupt('empty input');
  const [length, s] = checkRaw(src, 0, src.length, maxOutputBytes);
  const n = native();
  if (n) {
    try {
      return n.uncompressSync(asBuffer(src), { asBuffer: true });
    } catch (err) {
      throw nativeFailure(err);
    }
  }
  const out = Buffer.allocUnsafe(length);
  decodeBlock(src, s, src.length, out, 0, length);
  return out;
}

/**
 * Decompresses snappy data in either shape: xerial-framed (the Java client's), detected by its
 * magic, or one raw block (librdkafka's). Empty input is empty output, as snappy-java reads it
 * (snappy-java writes nothing at all for empty data).
 */
export function snappyDecompress(src: Uint8Array, maxOutputBytes: number): Buffer {
  if (src.length === 0) return Buffer.alloc(0);
  if (!isXerialFramed(src)) return snappyDecompressRaw(src, maxOutputBytes);
  if (src.length < XERIAL_HEADER_LENGTH) throw corrupt('truncated xerial header');
  // First pass: check the framing and add up the blocks' declared lengths.
  let total = 0;
  let p = XERIAL_HEADER_LENGTH;
  while (p < src.length) {
    if (isXerialMagicAt(src, p)) {
      // snappy-java reads concatenated streams: a header where a block length would be.
      if (p + XERIAL_HEADER_LENGTH > src.length) throw corrupt(`truncated xerial header at offset ${p}`);
      p += XERIAL_HEADER_LENGTH;
      continue;
    }
    if (p + 4 > src.length) throw corrupt(`truncated block length at offset ${p}`);
    const size = ((src[p] << 24) | (src[p + 1] << 16) | (src[p + 2] << 8) | src[p + 3]) >>> 0;
    const start = p + 4;
    if (size === 0 || size > src.length - start) {
      throw corrupt(
        `block length ${size} at offset ${p} runs past the input (${src.length - start} bytes left)`,
      );
    }
    const [length] = checkRaw(src, start, start + size, maxOutputBytes);
    total += length;
    if (total > maxOutputBytes) throw tooLarge(maxOutputBytes);
    p = start + size;
  }
  const out = Buffer.allocUnsafe(total);
  let d = 0;
  p = XERIAL_HEADER_LENGTH;
  while (p < src.length) {
    if (isXerialMagicAt(src, p)) {
      p += XERIAL_HEADER_LENGTH;
      continue;
    }
    const size = ((src[p] << 24) | (src[p + 1] << 16) | (src[p + 2] << 8) | src[p + 3]) >>> 0;
    const start = p + 4;
    const [length, elements] = readPreamble(src, start, start + size);
    d = decodeRawInto(src, start, start + size, length, elements, out, d);
    p = start + size;
  }
  return out;
}

/**
 * {@link snappyDecompress} with a raw block (librdkafka's shape) decoded on libuv's thread pool
 * when the native addon is there; xerial framing (many small blocks) stays on this thread.
 */
export async function snappyDecompressAsync(src: Uint8Array, maxOutputBytes: number): Promise<Buffer> {
  const n = native();
  if (!n || src.length === 0 || isXerialFramed(src)) return snappyDecompress(src, maxOutputBytes);
  checkRaw(src, 0, src.length, maxOutputBytes);
  try {
    return await n.uncompress(asBuffer(src), { asBuffer: true });
  } catch (err) {
    throw nativeFailure(err);
  }
}
