/**
 * `@tskafka/consumer`: the Kafka consumer. Group membership on the classic protocol (join,
 * sync, heartbeats on their own timer, static membership), the assignors, offsets (auto and
 * manual commits, `auto.offset.reset`), rebalance listeners, and a fetcher that prefetches while
 * the user processes.
 *
 * @packageDocumentation
 * @module @tskafka/consumer
 */
export * from './assignors/index.js';
export * from './consumer.js';
export * from './errors.js';
export * from './interceptors.js';
export * from './membership.js';
export * from './options.js';
export * from './subscription-state.js';
export * from './types.js';
