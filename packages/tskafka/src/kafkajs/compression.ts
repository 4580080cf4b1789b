/**
 * KafkaJS's `CompressionCodecs` registry. KafkaJS ships gzip only and throws "not implemented"
 * for Snappy, LZ4 and ZSTD until an application registers a codec package
 * (`CompressionCodecs[CompressionTypes.Snappy] = SnappyCodec`). tskafka has all four codecs
 * built in, so here every entry already answers (with tskafka's codecs, in Kafka's formats), and
 * an application's registration still runs unchanged, but the producer and consumer keep using
 * the built-in codecs: tskafka compresses a batch synchronously as it drains it, where KafkaJS's
 * codec interface is asynchronous. A producer that sends with a codec replaced here says so once
 * at `info`.
 *
 * @module
 */
import { CompressionType, compress, decompress } from '@tskafka/protocol/internals';
import { CompressionTypes } from './types.js';

/** A KafkaJS codec: what `kafkajs-snappy`, `kafkajs-lz4` and the like export. */
export interface CompressionCodec {
  /** Compresses what the encoder holds (`encoder.buffer`). */
  compress(encoder: { buffer: Buffer }): Promise<Buffer>;
  /** Decompresses a batch's records. */
  decompress(buffer: Buffer): Promise<Buffer>;
}

function builtIn(type: CompressionType): () => CompressionCodec {
  const codec: CompressionCodec = {
    compress: (encoder) => compress(type, encoder.buffer),
    decompress: (buffer) => decompress(type, buffer),
  };
  return () => codec;
}

const BUILT_IN: Readonly<Record<number, () => CompressionCodec>> = {
  [CompressionTypes.GZIP]: builtIn(CompressionType.Gzip),
  [CompressionTypes.Snappy]: builtIn(CompressionType.Snappy),
  [CompressionTypes.LZ4]: builtIn(CompressionType.Lz4),
  [CompressionTypes.ZSTD]: builtIn(CompressionType.Zstd),
};

/**
 * Codec factories by {@link CompressionTypes} value, as KafkaJS's. Every entry is filled with
 * tskafka's own codec; assigning one is accepted and has no effect on what is sent or read.
 */
export const CompressionCodecs: Record<number, () => CompressionCodec> = { ...BUILT_IN };

/** Whether the application replaced the codec of `type` in {@link CompressionCodecs}. */
export function isCodecReplaced(type: number): boolean {
  const registered = CompressionCodecs[type];
  return registered !== undefined && registered !== BUILT_IN[type];
}
