/**
 * `@tskafka/consumer`: the Kafka consumer. Group membership on the classic protocol (join,
 * sync, heartbeats on their own timer, static membership), the assignors, offsets (auto and
 * manual commits, `auto.offset.reset`), rebalance listeners, and a fetcher that prefetches while
 * the user processes.
 *
 * ```ts
 * import { Consumer } from '@tskafka/consumer';
 * const consumer = new Consumer({ bootstrapServers: 'localhost:9092', groupId: 'billing' });
 * await consumer.connect();
 * await consumer.subscribe(['orders']);
 * const records = await consumer.poll(1000);
 * ```
 *
 * Group membership, the subscription state and the consumer protocol's bytes are machinery,
 * behind `@tskafka/consumer/internals`.
 *
 * @packageDocumentation
 * @module @tskafka/consumer
 */
export { CooperativeStickyAssignor, cooperativeSticky } from './assignors/cooperative-sticky.js';
export { ASSIGNOR_NAMES, type AssignorName } from './assignors/index.js';
export { RangeAssignor, range } from './assignors/range.js';
export { RoundRobinAssignor, roundRobin } from './assignors/round-robin.js';
export { StickyAssignor, sticky } from './assignors/sticky.js';
export {
  type Assignment,
  type ConsumerPartitionAssignor,
  type GroupGeneration,
  type MemberId,
  type PartitionInfo,
  RebalanceProtocol,
  type Subscription,
} from './assignors/types.js';
export { Consumer } from './consumer.js';
export {
  CommitFailedError,
  ConsumerClosedError,
  ConsumerError,
  GroupIdRequiredError,
  NoOffsetForPartitionError,
  RecordFetchError,
} from './errors.js';
export type { ConsumerInterceptor } from './interceptors.js';
export { MemberState } from './membership.js';
export type { ConsumerOptions, EachBatchPayload, EachMessagePayload, RunOptions } from './options.js';
export type { OffsetResetStrategy } from './subscription-state.js';
export type {
  CommitOffset,
  ConsumerGroupMetadata,
  ConsumerRebalanceListener,
  ConsumerRecord,
  OffsetAndMetadata,
  OffsetsToCommit,
  TopicPartition,
} from './types.js';
