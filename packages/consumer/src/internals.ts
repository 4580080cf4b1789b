/**
 * `@tskafka/consumer/internals`: the machinery of `@tskafka/consumer`. Group membership,
 * subscription state, the consumer protocol's bytes and the assignors' helpers.
 *
 * **Not a stable API.** These names may change or go in any release, minor or patch, without
 * notice, as Java's `org.apache.kafka.clients.*.internals` packages. The reference broker, the
 * `tskafka` command, the SDK's own packages, tests and benchmarks import from here; applications
 * use `@tskafka/consumer` (or `tskafka`). This entry re-exports the whole package, the public names
 * included, so a tool needs one import.
 *
 * @module
 */
export * from './assignors/index.js';
export * from './consumer.js';
export * from './errors.js';
export * from './interceptors.js';
export * from './membership.js';
export * from './options.js';
export * from './subscription-state.js';
export * from './types.js';
