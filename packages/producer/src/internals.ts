/**
 * `@tskafka/producer/internals`: the machinery of `@tskafka/producer`. The RecordAccumulator and
 * its buffer pool, producer batches, the sender and its loop, produce requests, idempotence and the
 * transaction manager.
 *
 * **Not a stable API.** These names may change or go in any release, minor or patch, without
 * notice, as Java's `org.apache.kafka.clients.*.internals` packages. The reference broker, the
 * `tskafka` command, the SDK's own packages, tests and benchmarks import from here; applications
 * use `@tskafka/producer` (or `tskafka`). This entry re-exports the whole package, the public names
 * included, so a tool needs one import.
 *
 * @module
 */
export * from './accumulator.js';
export * from './buffer-pool.js';
export * from './errors.js';
export * from './idempotence.js';
export * from './interceptors.js';
export * from './partitioner/index.js';
export * from './produce-request.js';
export * from './producer.js';
export * from './producer-batch.js';
export * from './producer-io.js';
export * from './sender.js';
export * from './sender-loop.js';
export * from './transaction-requests.js';
export * from './transaction-state.js';
export * from './transactions.js';
export * from './types.js';
