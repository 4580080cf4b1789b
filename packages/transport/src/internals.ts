/**
 * `@tskafka/transport/internals`: the machinery of `@tskafka/transport`. Connections, framing and
 * pipelining, the connection pool, API version negotiation, the cluster's metadata cache and
 * routing, SASL exchanges, backoff and retries, and the configuration schemas.
 *
 * **Not a stable API.** These names may change or go in any release, minor or patch, without
 * notice, as Java's `org.apache.kafka.clients.*.internals` packages. The reference broker, the
 * `tskafka` command, the SDK's own packages, tests and benchmarks import from here; applications
 * use `@tskafka/transport` (or `tskafka`). This entry re-exports the whole package, the public names
 * included, so a tool needs one import.
 *
 * @module
 */
export * from './backoff.js';
export * from './clock.js';
export * from './cluster.js';
export * from './config/index.js';
export * from './connection.js';
export * from './coordinators.js';
export * from './errors.js';
export * from './group-metadata.js';
export * from './logger.js';
export * from './metadata.js';
export * from './metrics.js';
export * from './options.js';
export * from './pool.js';
export * from './retry.js';
export * from './sasl/plain.js';
export * from './sasl/scram.js';
export * from './serde.js';
export * from './topic-partition.js';
export * from './versions.js';
