/**
 * `tskafka/kafkajs`: KafkaJS 2.2.4's API over tskafka's producer, consumer and admin. An
 * application changes `require('kafkajs')` to `require('tskafka/kafkajs')` (or the `import`) and
 * runs as before.
 *
 * What maps one to one: `new Kafka({ clientId, brokers (array or async function), ssl, sasl
 * (plain, scram-sha-256/512), connectionTimeout, requestTimeout, retry, logLevel, logCreator })`;
 * `logLevel`, `CompressionTypes`, `Partitioners` (`DefaultPartitioner` is Java's murmur2,
 * `LegacyPartitioner` KafkaJS 1.x's hashing: the same partitions as KafkaJS for the same keys);
 * KafkaJS's error classes by name, with tskafka's errors mapped to them (`KafkaJSProtocolError`
 * carries `type`, `code`, `retriable`); the producer's `send`, `sendBatch` (KafkaJS's
 * `RecordMetadata[]`, one entry per partition) and `transaction()`; the consumer's `subscribe`
 * (names and patterns, `fromBeginning`), `run` with `eachMessage` or `eachBatch` (resolveOffset,
 * autoCommit, autoCommitInterval, autoCommitThreshold, eachBatchAutoResolve), `commitOffsets`,
 * `seek`, `pause`, `resume`, `paused`, `stop`, `describeGroup`; the admin's `createTopics`,
 * `deleteTopics`, `createPartitions`, `listTopics`, `fetchTopicMetadata`, `fetchTopicOffsets`,
 * `fetchOffsets`, `describeGroups`, `listGroups`; `PartitionAssigners.roundRobin` (KafkaJS's
 * `RoundRobinAssigner`, so a group can mix KafkaJS and `tskafka/kafkajs` members); custom
 * `partitionAssigners` written for KafkaJS (`({ cluster }) => ({ name, version, assign, protocol })`)
 * with `AssignerProtocol`, and tskafka assignors.
 *
 * Instrumentation events (`consumer.on(consumer.events.CRASH, ...)`) by KafkaJS's names, with its
 * payloads: connect, disconnect, stop, crash, group join, rebalancing, commit offsets, heartbeat,
 * fetch start and fetch, start and end of batch, and the network events `REQUEST` and
 * `REQUEST_TIMEOUT` of each client (`REQUEST_QUEUE_SIZE` is never emitted: no request waits in a
 * queue). A handler that throws is retried from its first unresolved message under the consumer's
 * `retry`, then the consumer crashes (`CRASH`) and restarts unless `retry.restartOnFailure` says no,
 * as KafkaJS's does.
 *
 * Not built yet: `socketFactory`, SASL `oauthbearer` and `aws`. `CompressionCodecs` accepts
 * KafkaJS codecs but tskafka's built-in codecs are used.
 *
 * @packageDocumentation
 * @module tskafka/kafkajs
 */

export {
  type Acl,
  type AclEntry,
  type AclFilter,
  AclOperationTypes,
  AclPermissionTypes,
  AclResourceTypes,
  type DeleteAclFilterResponses,
  type DescribeAclResource,
  ResourcePatternTypes,
} from './acls.js';
export {
  Admin,
  type AdminConfig,
  type FetchOffsetsPartition,
  type ITopicConfig,
  type ITopicMetadata,
} from './admin.js';
export {
  type AlterConfigsResponse,
  type ConfigEntries,
  ConfigResourceTypes,
  ConfigSource,
  type ConfigSynonyms,
  type DescribeConfigResponse,
  type IResourceConfig,
  type ListPartitionReassignmentsResponse,
  type PartitionReassignment,
  type ResourceConfigQuery,
} from './admin-configs.js';
export {
  AssignerProtocol,
  type Assignment,
  type ISerializer,
  type MemberAssignment,
  type MemberMetadata,
} from './assigner-protocol.js';
export {
  type Assigner,
  type Cluster,
  type GroupMember,
  type GroupMemberAssignment,
  type GroupState,
  type PartitionAssigner,
  PartitionAssigners,
  roundRobinAssigner,
} from './assigners.js';
export { type CompressionCodec, CompressionCodecs } from './compression.js';
export { Consumer } from './consumer.js';
export type {
  Batch,
  ConsumerConfig,
  ConsumerRunConfig,
  ConsumerSubscribeTopic,
  ConsumerSubscribeTopics,
  EachBatchPayload,
  EachMessagePayload,
  GroupDescription,
  OffsetsByTopicPartition,
  TopicPartitions,
} from './consumer-types.js';
export {
  KafkaJSAggregateError,
  KafkaJSAlterPartitionReassignmentsError,
  KafkaJSBrokerNotFound,
  KafkaJSConnectionClosedError,
  KafkaJSConnectionError,
  KafkaJSCreateTopicError,
  KafkaJSDeleteGroupsError,
  KafkaJSDeleteTopicRecordsError,
  KafkaJSError,
  type KafkaJSErrorOptions,
  KafkaJSFetcherRebalanceError,
  KafkaJSGroupCoordinatorNotFound,
  KafkaJSInvalidLongError,
  KafkaJSInvalidVarIntError,
  KafkaJSInvariantViolation,
  KafkaJSLockTimeout,
  KafkaJSMemberIdRequired,
  KafkaJSMetadataNotLoaded,
  KafkaJSNoBrokerAvailableError,
  KafkaJSNonRetriableError,
  KafkaJSNotImplemented,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSOffsetOutOfRange,
  KafkaJSPartialMessageError,
  KafkaJSProtocolError,
  KafkaJSRequestTimeoutError,
  KafkaJSSASLAuthenticationError,
  KafkaJSServerDoesNotSupportApiKey,
  KafkaJSStaleTopicMetadataAssignment,
  KafkaJSTimeout,
  KafkaJSTopicMetadataNotLoaded,
  KafkaJSUnsupportedMagicByteInMessageSet,
  type ProtocolErrorInput,
} from './errors.js';
export {
  type AdminEventPayloads,
  AdminEvents,
  type BatchEventPayload,
  type ConsumerEventPayloads,
  ConsumerEvents,
  Instrumentation,
  type InstrumentationEvent,
  InstrumentedClient,
  type PayloadOf,
  type ProducerEventPayloads,
  ProducerEvents,
  type RemoveInstrumentationEventListener,
} from './events.js';
export { Kafka, type KafkaConfig, type SASLOptions } from './kafka.js';
export {
  type ICustomPartitioner,
  legacyMurmur2,
  type PartitionerArgs,
  Partitioners,
  type PartitionMetadata,
} from './partitioners.js';
export {
  Producer,
  type ProducerBatch,
  type ProducerConfig,
  type ProducerRecord,
  type TopicMessages,
  type Transaction,
  type TxnOffsetCommitRequest,
} from './producer.js';
export {
  CompressionTypes,
  type IHeaders,
  type KafkaMessage,
  type LogEntry,
  type logCreator,
  logLevel,
  type Message,
  type RecordMetadata,
  type RetryOptions,
  type TopicPartitionOffset,
} from './types.js';
