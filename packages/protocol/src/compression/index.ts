/**
 * The compression codecs of record batches: the `records` section of a v2 batch is compressed
 * as a whole with the codec in bits 0-2 of its `attributes`.
 *
 * Each codec decodes what librdkafka and the Java client write and writes what they decode:
 *
 * | codec  | we write | we read | implementation |
 * | ------ | -------- | ------- | -------------- |
 * | gzip   | one gzip member | gzip, several members | `node:zlib` |
 * | snappy | xerial framing, 32 KiB blocks (as snappy-java) | xerial framing, or one raw block (as librdkafka writes) | blocks on `snappy` (napi-rs) if installed, else `snappyjs` to compress and our decoder |
 * | lz4    | one LZ4 frame, independent 64 KiB blocks, no checksums (as librdkafka and Java) | any LZ4 frame | our frame layer; blocks on `lz4-napi` if installed, else our encoder/decoder |
 * | zstd   | one zstd frame, level 3 | zstd frames, with or without content size | `@toondepauw/node-zstd` (libzstd) if installed, else `node:zlib` (Node 22.15+ / 23.8+) |
 *
 * The native addons are optional dependencies, prebuilt per platform as npm packages: where
 * snappy's or LZ4's is not installed or cannot load (then with a warning giving the cause), the
 * JavaScript implementations take over with the same output format, about 3x slower. zstd has no
 * JavaScript implementation: without the addon and on Node older than 22.15, it fails with a
 * {@link CompressionError} of kind `Unavailable` naming the package to install.
 *
 * Decompression takes a limit ({@link DecompressOptions.maxOutputBytes}, default
 * {@link DEFAULT_MAX_DECOMPRESSED_BYTES}) and fails with a {@link CompressionError} of kind
 * `TooLarge` rather than allocate past it; corrupt input fails with kind `Corrupt`. Every failure
 * of a codec is a `CompressionError` naming the codec.
 *
 * @module
 */

import { asBuffer } from './bytes.js';
import { CompressionError, CompressionErrorKind } from './errors.js';
import {
  GZIP_DEFAULT_LEVEL,
  gzipCompress,
  gzipCompressSync,
  gzipDecompress,
  gzipDecompressSync,
} from './gzip.js';
import { lz4Compress, lz4Decompress, lz4DecompressAsync } from './lz4.js';
import { snappyCompress, snappyDecompress, snappyDecompressAsync } from './snappy.js';
import {
  ZSTD_DEFAULT_LEVEL,
  zstdCompress,
  zstdCompressSync,
  zstdDecompress,
  zstdDecompressSync,
} from './zstd.js';

export { CompressionError, CompressionErrorKind } from './errors.js';
export { GZIP_DEFAULT_LEVEL } from './gzip.js';
export { ZSTD_DEFAULT_LEVEL, ZSTD_LIMIT_SLACK } from './zstd.js';

/** The compression codec of a record batch: bits 0-2 of the batch `attributes`. */
export const CompressionType = { None: 0, Gzip: 1, Snappy: 2, Lz4: 3, Zstd: 4 } as const;
/** One of the values of {@link CompressionType}. */
export type CompressionType = (typeof CompressionType)[keyof typeof CompressionType];

/** A codec's name as Kafka's `compression.type` config spells it. */
export type CompressionTypeName = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';

const NAMES: readonly CompressionTypeName[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

/**
 * Default {@link DecompressOptions.maxOutputBytes}: 256 MiB, far above any batch a broker
 * accepts (`message.max.bytes` defaults to 1 MiB) yet well short of exhausting memory.
 */
export const DEFAULT_MAX_DECOMPRESSED_BYTES = 256 * 1024 * 1024;

/** Options of {@link compress} and {@link compressSync}. */
export interface CompressOptions {
  /**
   * The codec's level: gzip 0-9 (default 6), zstd -131072..22 (default 3). Snappy has no levels
   * and LZ4 has one (LZ4's fast mode, what librdkafka uses by default): both ignore it.
   */
  level?: number;
}

/** Options of {@link decompress} and {@link decompressSync}. */
export interface DecompressOptions {
  /**
   * The most bytes decompression may produce; beyond it the call fails with a
   * {@link CompressionError} of kind `TooLarge`, having allocated no more than this (zstd: no
   * more than this plus `ZSTD_LIMIT_SLACK`). Default {@link DEFAULT_MAX_DECOMPRESSED_BYTES}.
   */
  maxOutputBytes?: number;
}

/** The `compression.type` name of `type`, e.g. `lz4` for 3. Throws `Unsupported` for an unknown id. */
export function compressionTypeName(type: CompressionType): CompressionTypeName {
  const name = NAMES[type];
  if (name === undefined) throw unknownType(type);
  return name;
}

/**
 * The codec named `name` as in Kafka's `compression.type` (`none`, `gzip`, `snappy`, `lz4`,
 * `zstd`; case-insensitive; `uncompressed` also means none). Throws a `RangeError` otherwise.
 */
export function parseCompressionType(name: string): CompressionType {
  const lower = name.trim().toLowerCase();
  if (lower === 'uncompressed') return CompressionType.None;
  const i = NAMES.indexOf(lower as CompressionTypeName);
  if (i < 0) throw new RangeError(`unknown compression type '${name}' (expected one of ${NAMES.join(', ')})`);
  return i as CompressionType;
}

function unknownType(type: number): CompressionError {
  return new CompressionError(
    `type ${type}`,
    CompressionErrorKind.Unsupported,
    'not a compression codec Kafka defines (0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd)',
  );
}

function limitOf(options: DecompressOptions | undefined): number {
  const max = options?.maxOutputBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES;
  if (!Number.isSafeInteger(max) || max < 0)
    throw new RangeError(`maxOutputBytes must be a non-negative integer, got ${max}`);
  return max;
}

/**
 * Compresses `data` with codec `type`, on the caller's thread. `None` returns a Buffer over the
 * same memory as `data`.
 */
export function compressSync(type: CompressionType, data: Uint8Array, options?: CompressOptions): Buffer {
  switch (type) {
    case CompressionType.None:
      return asBuffer(data);
    case CompressionType.Gzip:
      return gzipCompressSync(data, options?.level ?? GZIP_DEFAULT_LEVEL);
    case CompressionType.Snappy:
      return snappyCompress(data);
    case CompressionType.Lz4:
      return lz4Compress(data);
    case CompressionType.Zstd:
      return zstdCompressSync(data, options?.level ?? ZSTD_DEFAULT_LEVEL);
    default:
      throw unknownType(type);
  }
}

/**
 * Decompresses `data` written with codec `type`, on the caller's thread. `None` returns a Buffer
 * over the same memory as `data`. Fails with a {@link CompressionError}: `Corrupt` for input the
 * codec cannot decode, `TooLarge` past `options.maxOutputBytes`, `Unsupported` for an unknown
 * `type`.
 */
export function decompressSync(type: CompressionType, data: Uint8Array, options?: DecompressOptions): Buffer {
  const max = limitOf(options);
  switch (type) {
    case CompressionType.None:
      return asBuffer(data);
    case CompressionType.Gzip:
      return gzipDecompressSync(data, max);
    case CompressionType.Snappy:
      return snappyDecompress(data, max);
    case CompressionType.Lz4:
      return lz4Decompress(data, max);
    case CompressionType.Zstd:
      return zstdDecompressSync(data, max);
    default:
      throw unknownType(type);
  }
}

/**
 * Inputs below this many bytes are (de)compressed on the caller's thread even by {@link compress}
 * and {@link decompress}: for them the hop to libuv's thread pool costs more CPU than the work
 * (measured in `bench/compression/`), and the event loop is blocked for microseconds only.
 */
export const ASYNC_MIN_BYTES = 64 * 1024;

/**
 * {@link compressSync} without blocking the event loop: gzip and zstd run on libuv's thread
 * pool (from {@link ASYNC_MIN_BYTES} of input); snappy and LZ4, whose frames are made of many
 * small blocks, run on the caller's thread and resolve.
 */
export async function compress(
  type: CompressionType,
  data: Uint8Array,
  options?: CompressOptions,
): Promise<Buffer> {
  if (data.length < ASYNC_MIN_BYTES) return compressSync(type, data, options);
  switch (type) {
    case CompressionType.Gzip:
      return gzipCompress(data, options?.level ?? GZIP_DEFAULT_LEVEL);
    case CompressionType.Zstd:
      return zstdCompress(data, options?.level ?? ZSTD_DEFAULT_LEVEL);
    default:
      return compressSync(type, data, options);
  }
}

/**
 * {@link decompressSync} without blocking the event loop: from {@link ASYNC_MIN_BYTES} of input,
 * gzip, zstd, LZ4 frames and raw snappy blocks (librdkafka's) decode on libuv's thread pool;
 * xerial-framed snappy (many small blocks) and the JavaScript fallbacks run on the caller's thread
 * and resolve. Rejects with the same {@link CompressionError}s.
 */
export async function decompress(
  type: CompressionType,
  data: Uint8Array,
  options?: DecompressOptions,
): Promise<Buffer> {
  if (data.length < ASYNC_MIN_BYTES) return decompressSync(type, data, options);
  switch (type) {
    case CompressionType.Gzip:
      return gzipDecompress(data, limitOf(options));
    case CompressionType.Snappy:
      return snappyDecompressAsync(data, limitOf(options));
    case CompressionType.Lz4:
      return lz4DecompressAsync(data, limitOf(options));
    case CompressionType.Zstd:
      return zstdDecompress(data, limitOf(options));
    default:
      return decompressSync(type, data, options);
  }
}
