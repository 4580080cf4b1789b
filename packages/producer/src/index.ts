/**
 * `@tskafka/producer`: the Kafka producer. The main path of `send` (interceptors, serializers,
 * partitioners) writes each record straight into its partition's open batch; the sender path
 * drains ready batches to the partition leaders with in-flight limits, retries and idempotence;
 * with a `transactionalId`, the producer writes records and consumer offsets in transactions.
 *
 * ```ts
 * import { Producer } from '@tskafka/producer';
 * const producer = new Producer({ bootstrapServers: 'localhost:9092', acks: 'all' });
 * await producer.connect();
 * await producer.send({ topic: 'orders', key: 'u1', value: 'hello' });
 * await producer.close();
 * ```
 *
 * The RecordAccumulator, the sender and the transaction manager are machinery, behind
 * `@tskafka/producer/internals`.
 *
 * @packageDocumentation
 * @module @tskafka/producer
 */

export type { CloseOptions } from '@tskafka/transport';
export {
  AbortableTransactionError,
  BufferExhaustedError,
  DeliveryTimeoutError,
  ProduceRequestError,
  ProducerClosedError,
  ProducerError,
  type ProducerErrorOptions,
  type RecordSizeLimit,
  RecordTooLargeError,
  SendBatchError,
  TransactionAbortedError,
  TransactionStateError,
} from './errors.js';
export type { ProducerInterceptor } from './interceptors.js';
export { type Murmur2PartitionerOptions, murmur2Partitioner } from './partitioner/default.js';
export { type HotDataOptions, hotData, isHotDataKey } from './partitioner/hot-data.js';
export { PARTITIONER_NAMES, type PartitionerName } from './partitioner/index.js';
export { murmur2, partitionForKey, toPositive } from './partitioner/murmur2.js';
export { roundRobin } from './partitioner/round-robin.js';
export { type StickyOptions, sticky } from './partitioner/sticky.js';
export type { Partitioner, PartitionerCluster, RandomInt } from './partitioner/types.js';
export { Producer } from './producer.js';
export { type ProducerOptions, ProducerState, type RawRecordData } from './producer-options.js';
export type {
  TransactionOffset,
  TransactionOffsetAndMetadata,
  TransactionOffsets,
} from './transaction-requests.js';
export { TransactionState } from './transaction-state.js';
export type { ProducerLogger, ProducerRecord, RecordMetadata } from './types.js';
