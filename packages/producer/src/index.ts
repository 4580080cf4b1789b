/**
 * `@tskafka/producer`: the Kafka producer. The main path of `send` (interceptors, serializers,
 * partitioners) writes each record straight into its partition's open batch in the
 * {@link RecordAccumulator}; the sender path drains ready batches to the partition leaders with
 * in-flight limits, retries and idempotence; with a `transactionalId`, the
 * {@link TransactionManager} writes records and consumer offsets in transactions.
 *
 * @packageDocumentation
 * @module @tskafka/producer
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
