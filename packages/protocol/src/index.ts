/**
 * `@tskafka/protocol`: the Kafka wire format and nothing else. Primitives, one schema per
 * message covering every version, request/response framing, record batch v2, compression codecs
 * and the error table. No sockets, no timers: used by the SDK and the reference broker alike.
 *
 * @packageDocumentation
 * @module @tskafka/protocol
 */
export * from './api.js';
export * from './compression/index.js';
export * from './crc32c.js';
export { KafkaClientError, type KafkaClientErrorOptions, RetriableError } from './errors/client-error.js';
export * from './errors/index.js';
export * from './frame.js';
export * from './frame-reader.js';
export * from './messages/index.js';
export * from './primitives/errors.js';
export * from './primitives/reader.js';
export * from './primitives/varint.js';
export * from './primitives/writer.js';
export * from './records/index.js';
export * from './schema/codec.js';
export * from './schema/dsl.js';
export * from './schema/versions.js';
