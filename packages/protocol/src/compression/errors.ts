/**
 * The one error type of the compression codecs.
 *
 * @module
 */
import { KafkaClientError } from '../errors/client-error.js';

/** Why a codec failed: the `kind` of a {@link CompressionError}. */
export const CompressionErrorKind = {
  /** The input is not valid data of the codec: bad magic, truncated, checksum mismatch, bad back-reference. */
  Corrupt: 'corrupt',
  /** The output would exceed the caller's `maxOutputBytes` (a decompression bomb, or a limit set too low). */
  TooLarge: 'too-large',
  /** The codec id is not one Kafka defines, or the data uses a feature we do not support (an LZ4 dictionary). */
  Unsupported: 'unsupported',
  /** The codec's implementation could not be loaded (e.g. its native binary is missing for this platform). */
  Unavailable: 'unavailable',
} as const;
/** One of the values of {@link CompressionErrorKind}. */
export type CompressionErrorKind = (typeof CompressionErrorKind)[keyof typeof CompressionErrorKind];

/**
 * Raised by every compress and decompress function instead of a codec library's own error, so
 * callers catch one class. Never retriable: the same bytes fail the same way (a fetch that
 * returns a corrupt batch is Kafka's `CORRUPT_MESSAGE`, which the caller decides about).
 *
 * The message reads `<codec>: <reason>`, e.g. `lz4: block checksum mismatch at offset 71`.
 */
export class CompressionError extends KafkaClientError {
  /** The codec that failed: `gzip`, `snappy`, `lz4`, `zstd`, or `type N` for an unknown id. */
  readonly codec: string;
  /** What went wrong, without the codec prefix. */
  readonly reason: string;
  /** The class of failure. */
  readonly kind: CompressionErrorKind;

  /** A `kind` failure of `codec`; `cause` keeps the underlying library's error, if any. */
  constructor(codec: string, kind: CompressionErrorKind, reason: string, cause?: unknown) {
    super(`${codec}: ${reason}`, { cause });
    this.codec = codec;
    this.kind = kind;
    this.reason = reason;
  }
}
