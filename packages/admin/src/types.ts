/**
 * What the admin client takes and returns: plain objects in Kafka's words, as Java's
 * `AdminClient` results and KafkaJS's admin results name them.
 *
 * @module
 */
import type { KafkaError, ProtocolDecodeError } from '@tskafka/protocol';
import type { TopicPartition } from '@tskafka/transport';

/** A topic to create (Java's `NewTopic`). */
export interface NewTopic {
  /** The topic name. */
  topic: string;
  /** Partitions; default the broker's `num.partitions` (-1). Leave out with `replicaAssignment`. */
  numPartitions?: number;
  /** Replicas per partition; default the broker's `default.replication.factor` (-1). */
  replicationFactor?: number;
  /** Explicit placement: for each partition, the broker ids of its replicas (leader first). */
  replicaAssignment?: readonly { partition: number; replicas: readonly number[] }[];
  /** Topic configs, e.g. `{ 'cleanup.policy': 'compact' }`. */
  configs?: Readonly<Record<string, string>>;
}

/** Options of `Admin.createTopics`. */
export interface CreateTopicsOptions {
  /** Only check that the topics could be created; create nothing. */
  validateOnly?: boolean;
  /** The call's time, also how long the controller may take; default `default.api.timeout.ms`. */
  timeoutMs?: number;
  /** Treat TOPIC_ALREADY_EXISTS as success instead of rejecting with `TopicAlreadyExistsError`. */
  ignoreExisting?: boolean;
}

/** The outcome for one topic of `Admin.createTopics`. */
export interface CreatedTopic {
  /** The topic name. */
  topic: string;
  /** The topic id (base64 UUID; all zeros when the broker does not say, or the topic existed). */
  topicId: string;
  /** True when the topic existed already (only with `ignoreExisting`). */
  alreadyExisted: boolean;
  /** Partitions, -1 when the broker does not say (CreateTopics below v5). */
  numPartitions: number;
  /** Replication factor, -1 when the broker does not say. */
  replicationFactor: number;
}

/**
 * Options of calls that take their own time instead of `default.api.timeout.ms` (deleteTopics,
 * createPartitions, deleteRecords, describeTopics, ...): the call retries within it.
 */
export interface TimeoutOptions {
  /** How long to wait; default `default.api.timeout.ms`. */
  timeoutMs?: number;
}

/** Options of `Admin.listTopics`. */
export interface ListTopicsOptions extends TimeoutOptions {
  /** Include internal topics such as `__consumer_offsets`; default false. */
  listInternal?: boolean;
}

/** One partition of a {@link TopicDescription}. */
export interface PartitionDescription {
  /** The partition index. */
  partition: number;
  /** The leader's node id; -1 without a leader. */
  leader: number;
  /** Every replica's node id, the preferred leader first. */
  replicas: number[];
  /** The in-sync replicas. */
  isr: number[];
  /** Replicas on brokers that are offline. */
  offlineReplicas: number[];
}

/** A topic as `Admin.describeTopics` describes it (Java's `TopicDescription`). */
export interface TopicDescription {
  /** The topic name. */
  name: string;
  /** The topic id (base64 UUID; all zeros before Metadata v10). */
  topicId: string;
  /** Whether Kafka itself uses the topic (`__consumer_offsets`, `__transaction_state`). */
  isInternal: boolean;
  /** Partitions in index order. */
  partitions: PartitionDescription[];
}

/** A partition count to grow a topic to (Java's `NewPartitions`). */
export interface NewPartitions {
  /** The topic. */
  topic: string;
  /** The new total number of partitions (more than now). */
  count: number;
  /** Placement of the new partitions: for each, the broker ids of its replicas. */
  assignments?: readonly (readonly number[])[];
}

/** Options of `Admin.createPartitions`. */
export interface CreatePartitionsOptions extends TimeoutOptions {
  /** Only check; change nothing. */
  validateOnly?: boolean;
}

/** What a config belongs to (`group`: a consumer group's configs, Kafka 4). */
export type ConfigResourceType = 'topic' | 'broker' | 'broker-logger' | 'group';

/** A topic, broker or group whose configs to describe or alter (Java's `ConfigResource`). */
export interface ConfigResource {
  /** The kind of resource. */
  type: ConfigResourceType;
  /**
   * The topic name, the group id, or the broker id as a string (`'1'`; `''` for the cluster-wide
   * default of dynamic broker configs).
   */
  name: string;
  /** Only these config names; default all. */
  configNames?: readonly string[];
}

/** Where a config value comes from (Java's `ConfigEntry.ConfigSource`). */
export type ConfigSource =
  | 'unknown'
  | 'topic'
  | 'dynamic-broker'
  | 'dynamic-default-broker'
  | 'static-broker'
  | 'default'
  | 'dynamic-broker-logger'
  | 'client-metrics'
  | 'group';

/** One config of a {@link ConfigResourceDescription} (Java's `ConfigEntry`). */
export interface ConfigEntry {
  /** The config name, e.g. `retention.ms`. */
  name: string;
  /** The value; null when sensitive or unset. */
  value: string | null;
  /** Whether it can be altered. */
  readOnly: boolean;
  /** Whether it is the default (no override anywhere). */
  isDefault: boolean;
  /** Where the value comes from. */
  source: ConfigSource;
  /** Whether the value is a secret (then `value` is null). */
  isSensitive: boolean;
  /**
   * Every level the config is set at, highest precedence first (Java's `ConfigEntry.synonyms()`):
   * `retention.ms=1000` on the topic, then `log.retention.hours=1` in the broker's configuration,
   * then Kafka's default `log.retention.hours=168`. Empty unless
   * {@link DescribeConfigsOptions.includeSynonyms}.
   */
  synonyms: ConfigSynonym[];
}

/** One level of a config (Java's `ConfigEntry.ConfigSynonym`). */
export interface ConfigSynonym {
  /** The name at that level, e.g. `log.retention.hours` for the topic config `retention.ms`. */
  name: string;
  /** The value as set there, in that property's own unit; null when sensitive. */
  value: string | null;
  /** The level. */
  source: ConfigSource;
}

/** Options of `Admin.describeConfigs`. */
export interface DescribeConfigsOptions extends TimeoutOptions {
  /** Also return each config's {@link ConfigEntry.synonyms}; default false. */
  includeSynonyms?: boolean;
}

/** A SCRAM mechanism (Java's `ScramMechanism`). */
export type ScramMechanism = 'SCRAM-SHA-256' | 'SCRAM-SHA-512';

/** One SCRAM credential of a user, without its secrets (Java's `ScramCredentialInfo`). */
export interface ScramCredentialInfo {
  /** The mechanism. */
  mechanism: ScramMechanism;
  /** The PBKDF2 iterations it was salted with. */
  iterations: number;
}

/** A user's SCRAM credentials (Java's `UserScramCredentialsDescription`). */
export interface UserScramCredentialsDescription {
  /** The user name. */
  user: string;
  /** One per mechanism the user has a credential for. */
  credentialInfos: ScramCredentialInfo[];
}

/**
 * Sets a user's password for one SCRAM mechanism (Java's `UserScramCredentialUpsertion`). The
 * client salts and hashes it; only the salted password travels.
 */
export interface UserScramCredentialUpsertion {
  /** An upsertion. */
  type: 'upsert';
  /** The user name. */
  user: string;
  /** The mechanism the password is for; each mechanism keeps its own. */
  mechanism: ScramMechanism;
  /** The password. */
  password: string;
  /** PBKDF2 iterations, 4096 (the default, Kafka's minimum) to 16384. */
  iterations?: number;
  /** The salt; default random. */
  salt?: Uint8Array;
}

/** Removes a user's credential for one SCRAM mechanism (Java's `UserScramCredentialDeletion`). */
export interface UserScramCredentialDeletion {
  /** A deletion. */
  type: 'delete';
  /** The user name. */
  user: string;
  /** The mechanism whose credential to remove. */
  mechanism: ScramMechanism;
}

/** A change of `Admin.alterUserScramCredentials` (Java's `UserScramCredentialAlteration`). */
export type UserScramCredentialAlteration = UserScramCredentialUpsertion | UserScramCredentialDeletion;

/** The configs of one resource, from `Admin.describeConfigs`. */
export interface ConfigResourceDescription {
  /** The kind of resource. */
  type: ConfigResourceType;
  /** Its name. */
  name: string;
  /** Its configs. */
  configs: ConfigEntry[];
}

/** A resource and the configs to set on it, for `Admin.alterConfigs` (replaces every override). */
export interface AlterConfigsResource {
  /** The kind of resource. */
  type: ConfigResourceType;
  /** Its name. */
  name: string;
  /** The complete set of overrides; configs left out go back to their defaults. */
  configs: Readonly<Record<string, string>>;
}

/** What an {@link AlterConfigOp} does (Java's `AlterConfigOp.OpType`). */
export type AlterConfigOpType = 'set' | 'delete' | 'append' | 'subtract';

/** One change of `Admin.incrementalAlterConfigs`. */
export interface AlterConfigOp {
  /** The config name. */
  name: string;
  /** What to do; default `set`. */
  op?: AlterConfigOpType;
  /** The value (for `delete`, ignored). */
  value?: string | null;
}

/** A resource and the changes to make to it, for `Admin.incrementalAlterConfigs`. */
export interface IncrementalAlterConfigsResource {
  /** The kind of resource. */
  type: ConfigResourceType;
  /** Its name. */
  name: string;
  /** The changes; configs not named keep their values. */
  configs: readonly AlterConfigOp[];
}

/** Options of `Admin.alterConfigs` and `Admin.incrementalAlterConfigs`. */
export interface AlterConfigsOptions {
  /** Only check; change nothing. */
  validateOnly?: boolean;
}

/** A broker as the admin client reports it (Java's `Node`). */
export interface BrokerNode {
  /** Its node id. */
  nodeId: number;
  /** Its advertised host. */
  host: string;
  /** Its port. */
  port: number;
  /** Its rack, when configured. */
  rack: string | null;
}

/** The cluster, from `Admin.describeCluster`. */
export interface ClusterDescription {
  /** The cluster id; null when the broker does not say. */
  clusterId: string | null;
  /** The active controller's node id as clients see it; -1 when unknown. */
  controller: number;
  /** The live brokers. */
  brokers: BrokerNode[];
}

/** Which offset `Admin.listOffsets` asks for: the log start, the log end, or the first at or after a time (ms). */
export type OffsetSpec = 'earliest' | 'latest' | 'max-timestamp' | number;

/** A topic partition the admin client addresses: the SDK's one `TopicPartition`. */
export type AdminTopicPartition = TopicPartition;

/**
 * Kafka's `ElectionType`: `preferred` moves leadership to each partition's first assigned replica
 * when it is in sync; `unclean` gives a partition with no leader (no in-sync replica alive) the
 * first live replica, which may lack records the old leaders acknowledged.
 */
export type ElectionType = 'preferred' | 'unclean';

/**
 * Where `Admin.alterPartitionReassignments` moves one partition (Java's
 * `NewPartitionReassignment`): the target replicas, the first the preferred leader, or null to
 * cancel the partition's ongoing reassignment.
 */
export interface NewPartitionReassignment {
  /** The topic. */
  topic: string;
  /** The partition index. */
  partition: number;
  /** The broker ids to hold the partition when the move is done; null cancels the move. */
  targetReplicas: readonly number[] | null;
}

/** One partition's outcome of `Admin.alterPartitionReassignments`. */
export interface PartitionReassignmentResult {
  /** The topic. */
  topic: string;
  /** The partition index. */
  partition: number;
  /**
   * Why the reassignment was refused, or null when it started (or was cancelled): e.g.
   * `InvalidReplicaAssignmentError` (an unknown or repeated broker), `NoReassignmentInProgressError`
   * (nothing to cancel), `UnknownTopicOrPartitionError`.
   */
  error: KafkaError | null;
}

/**
 * A reassignment in progress (Java's `PartitionReassignment`): the replicas while it runs are the
 * target ones followed by those being removed.
 */
export interface PartitionReassignment {
  /** The topic. */
  topic: string;
  /** The partition index. */
  partition: number;
  /** Every replica while the move runs: the target replicas, then the removing ones. */
  replicas: number[];
  /** Target replicas that are catching up to join the ISR. */
  addingReplicas: number[];
  /** Replicas that leave once the adding ones are in sync. */
  removingReplicas: number[];
}

/** One partition's outcome of `Admin.electLeaders`. */
export interface LeaderElectionResult {
  /** The topic. */
  topic: string;
  /** The partition index. */
  partition: number;
  /**
   * Why no leader was elected, or null when one was: e.g. `ElectionNotNeededError` (the wanted
   * leader already leads), `PreferredLeaderNotAvailableError`, `EligibleLeadersNotAvailableError`,
   * `UnknownTopicOrPartitionError`.
   */
  error: KafkaError | null;
}

/** A partition's offset from `Admin.listOffsets` (Java's `ListOffsetsResultInfo`). */
export interface ListedOffset extends AdminTopicPartition {
  /** The offset; -1 when there is none (a timestamp after the last record). */
  offset: number;
  /** The timestamp of the record at `offset`, -1 for `earliest`/`latest`. */
  timestamp: number;
  /** The leader epoch of the record, -1 when unknown. */
  leaderEpoch: number;
}

/** Where `Admin.deleteRecords` cuts a partition: records before `offset` go (-1: the high watermark). */
export interface RecordsToDelete extends AdminTopicPartition {
  /** The new log start offset; -1 for the high watermark (everything). */
  offset: number;
}

/** The result for one partition of `Admin.deleteRecords`. */
export interface DeletedRecords extends AdminTopicPartition {
  /** The partition's log start offset after the deletion. */
  lowWatermark: number;
}

/** A group from `Admin.listGroups` (Java's `GroupListing`). */
export interface GroupListing {
  /** The group id. */
  groupId: string;
  /** The embedded protocol type: `consumer` for consumer groups, `''` for groups that only commit offsets. */
  protocolType: string;
  /** The state (`Stable`, `Empty`, ...), when the broker says (ListGroups v4+). */
  state: string | null;
  /** The group type (`classic`, `consumer`), when the broker says (ListGroups v5+). */
  type: string | null;
}

/** A member of a described group (Java's `MemberDescription`). */
export interface GroupMemberDescription {
  /** The member id. */
  memberId: string;
  /** The static member's instance id, or null. */
  groupInstanceId: string | null;
  /** The member's `client.id`. */
  clientId: string;
  /** The member's host, as the coordinator saw it. */
  clientHost: string;
  /** The partitions assigned to the member, decoded from the consumer protocol (empty otherwise). */
  assignment: AdminTopicPartition[];
  /**
   * Set when the group is a consumer group but `memberAssignment` is not a readable
   * consumer-protocol assignment: why it could not be decoded (`assignment` is then empty, and
   * the admin's logger got a warning).
   */
  assignmentError?: ProtocolDecodeError;
  /** The raw JoinGroup metadata. */
  memberMetadata: Buffer;
  /** The raw SyncGroup assignment. */
  memberAssignment: Buffer;
}

/** A group from `Admin.describeGroups` (Java's `ConsumerGroupDescription`). */
export interface GroupDescription {
  /** The group id. */
  groupId: string;
  /** The state: `Empty`, `PreparingRebalance`, `CompletingRebalance`, `Stable`, `Dead`. */
  state: string;
  /** The embedded protocol type, `consumer` for consumer groups. */
  protocolType: string;
  /** The chosen protocol; for consumer groups the assignor (`range`, `cooperative-sticky`, ...). */
  protocol: string;
  /** The members. */
  members: GroupMemberDescription[];
}

/** A committed offset of a group (Java's `OffsetAndMetadata` keyed by partition). */
export interface GroupOffset extends AdminTopicPartition {
  /** The committed offset (the next to read); -1 when none. */
  offset: number;
  /** The metadata committed with it. */
  metadata: string | null;
  /** The leader epoch committed with it, -1 when unknown. */
  leaderEpoch: number;
}

/** An offset to commit for a group with `Admin.alterConsumerGroupOffsets`. */
export interface GroupOffsetToCommit extends AdminTopicPartition {
  /** The offset to resume from. */
  offset: number;
  /** Metadata to store with it; default none. */
  metadata?: string | null;
}

// ---- transactions ------------------------------------------------------------------------------

/**
 * A transaction's state as its coordinator names it (Java's admin `TransactionState`); `Unknown`
 * for a name this client does not know (a newer broker's).
 */
export type TransactionStateName =
  | 'Empty'
  | 'Ongoing'
  | 'PrepareCommit'
  | 'PrepareAbort'
  | 'CompleteCommit'
  | 'CompleteAbort'
  | 'PrepareEpochFence'
  | 'Unknown';

/** Options of `Admin.listTransactions` (Java's `ListTransactionsOptions`). */
export interface ListTransactionsOptions {
  /** Only transactions in one of these states; default all. */
  filterStates?: readonly TransactionStateName[];
  /** Only transactions of these producer ids; default all. */
  filterProducerIds?: readonly number[];
  /**
   * Only transactions running longer than this many ms (ListTransactions v1, Kafka 3.8+; an older
   * broker rejects the call with `UnsupportedApiVersionError`); default no filter.
   */
  filterOnDurationMs?: number;
}

/** A transactional id from `Admin.listTransactions` (Java's `TransactionListing`). */
export interface TransactionListing {
  /** The transactional id. */
  transactionalId: string;
  /** Its current producer id. */
  producerId: number;
  /** The state of its transaction. */
  state: TransactionStateName;
  /** The broker that coordinates it (the key of Java's `allByBrokerId()`). */
  coordinatorId: number;
}

/** A transactional id from `Admin.describeTransactions` (Java's `TransactionDescription`). */
export interface TransactionDescription {
  /** The transactional id. */
  transactionalId: string;
  /** The broker that coordinates it. */
  coordinatorId: number;
  /** The state of its transaction. */
  state: TransactionStateName;
  /** Its current producer id. */
  producerId: number;
  /** Its current producer epoch. */
  producerEpoch: number;
  /** `transaction.timeout.ms` of its producer. */
  transactionTimeoutMs: number;
  /** When the open transaction started (ms since the epoch); null when none is open. */
  transactionStartTimeMs: number | null;
  /**
   * The partitions of the open transaction; while it is being committed or aborted, those still
   * waiting for their marker. Sorted by topic, then partition.
   */
  topicPartitions: AdminTopicPartition[];
}

/** Options of `Admin.describeProducers` (Java's `DescribeProducersOptions`). */
export interface DescribeProducersOptions {
  /** Ask this broker (a replica of each partition) instead of each partition's leader. */
  brokerId?: number;
}

/** A producer in a partition's producer state (Java's admin `ProducerState`). */
export interface ActiveProducer {
  /** The producer id. */
  producerId: number;
  /** Its epoch. */
  producerEpoch: number;
  /** The sequence number of its last record in the partition, -1 when unknown. */
  lastSequence: number;
  /** The timestamp of its last write (ms), -1 when unknown. */
  lastTimestamp: number;
  /** The epoch of the coordinator that wrote its last transaction marker; null before any. */
  coordinatorEpoch: number | null;
  /** The offset of the first record of its open transaction in the partition; null when none is open. */
  currentTransactionStartOffset: number | null;
}

/** The producers of one partition, from `Admin.describeProducers` (Java's `PartitionProducerState`). */
export interface PartitionProducerState extends AdminTopicPartition {
  /** The producers the partition keeps state for. */
  activeProducers: ActiveProducer[];
}

/**
 * Which transaction `Admin.abortTransaction` aborts (Java's `AbortTransactionSpec`): the
 * producer's id and epoch, and the epoch of its coordinator, as `Admin.describeProducers` shows
 * them for the partition.
 */
export interface AbortTransactionSpec extends AdminTopicPartition {
  /** The producer id of the open transaction. */
  producerId: number;
  /** Its producer epoch. */
  producerEpoch: number;
  /** The coordinator epoch to write the marker with (0 when the partition knows none). */
  coordinatorEpoch: number;
}
