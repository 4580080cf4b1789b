/**
 * `@tskafka/protocol/internals`: the machinery of `@tskafka/protocol`. Primitives (reader, writer,
 * varints, CRC32C), the message schemas and their codec, request/response framing and the record
 * batch v2 codec.
 *
 * **Not a stable API.** These names may change or go in any release, minor or patch, without
 * notice, as Java's `org.apache.kafka.clients.*.internals` packages. The reference broker, the
 * `tskafka` command, the SDK's own packages, tests and benchmarks import from here; applications
 * use `@tskafka/protocol` (or `tskafka`). This entry re-exports the whole package, the public names
 * included, so a tool needs one import.
 *
 * @module
 */
export * from './acl.js';
export * from './api.js';
export * from './compression/index.js';
export * from './crc32c.js';
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
