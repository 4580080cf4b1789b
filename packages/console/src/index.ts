/**
 * `@tskafka/console`: a web console for any Kafka cluster, over the admin client only: brokers,
 * topics with their partitions, ISR and configs, a message browser, consumer groups with their
 * members, offsets and lag, transactions, and charts of messages in/out and lag over the last
 * hour. Run it with `tskafka console --bootstrap-server HOST:PORT`, or from code with
 * {@link startConsole}. Every page reads from a JSON API under `/api` (`GET /api` lists it).
 *
 * @packageDocumentation
 * @module @tskafka/console
 */
export type {
  BrowseQuery,
  BrowseResult,
  BytesView,
  ProducerView,
  RecordView,
  TransactionView,
} from './browse.js';
export type {
  BrokerView,
  ClusterView,
  GroupOffsetView,
  GroupSummary,
  GroupView,
  ListQuery,
  MemberView,
  Page,
  PartitionView,
  TopicSummary,
  TopicView,
} from './model.js';
export type { BrokerRequestRates, BrokerRequestSample, Series } from './sampler.js';
export { API_INDEX, type ConsoleOptions, type RunningConsole, startConsole } from './server.js';
export {
  ConsoleRequestError,
  type CreateTopicInput,
  type ResetOffsetsInput,
  type ResetOffsetsResult,
  type ResetPlanRow,
} from './writes.js';
