/**
 * `@tskafka/admin`: the Kafka admin client. Topics, partitions, configs, the cluster, offsets and
 * consumer groups:
 *
 * ```ts
 * import { Admin } from '@tskafka/admin';
 * const admin = new Admin({ bootstrapServers: 'localhost:9092' });
 * await admin.createTopics([{ topic: 'orders', numPartitions: 3, replicationFactor: 3 }]);
 * await admin.close();
 * ```
 *
 * @packageDocumentation
 * @module @tskafka/admin
 */
export {
  AclOperation,
  AclPermissionType,
  aclEnumCode,
  aclEnumName,
  PatternType,
  ResourceType,
} from '@tskafka/protocol';
export type { AclBinding, AclBindingFilter, DeletedAcls, DescribedAcl } from './acls.js';
export { Admin, type AdminOptions } from './admin.js';
export type { LogDirDescription, LogDirReplica } from './log-dirs.js';
export type {
  AbortTransactionSpec,
  ActiveProducer,
  AdminTopicPartition,
  AlterConfigOp,
  AlterConfigOpType,
  AlterConfigsOptions,
  AlterConfigsResource,
  BrokerNode,
  ClusterDescription,
  ConfigEntry,
  ConfigResource,
  ConfigResourceDescription,
  ConfigResourceType,
  ConfigSource,
  ConfigSynonym,
  CreatedTopic,
  CreatePartitionsOptions,
  CreateTopicsOptions,
  DeletedRecords,
  DescribeConfigsOptions,
  DescribeProducersOptions,
  ElectionType,
  GroupDescription,
  GroupListing,
  GroupMemberDescription,
  GroupOffset,
  GroupOffsetToCommit,
  IncrementalAlterConfigsResource,
  LeaderElectionResult,
  ListedOffset,
  ListTopicsOptions,
  ListTransactionsOptions,
  NewPartitionReassignment,
  NewPartitions,
  NewTopic,
  OffsetSpec,
  PartitionDescription,
  PartitionProducerState,
  PartitionReassignment,
  PartitionReassignmentResult,
  RecordsToDelete,
  ScramCredentialInfo,
  ScramMechanism,
  TimeoutOptions,
  TopicDescription,
  TransactionDescription,
  TransactionListing,
  TransactionStateName,
  UserScramCredentialAlteration,
  UserScramCredentialDeletion,
  UserScramCredentialsDescription,
  UserScramCredentialUpsertion,
} from './types.js';
