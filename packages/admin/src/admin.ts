/**
 * The admin client (Java's `Admin`/`KafkaAdminClient`, KafkaJS's `admin()`): topics, partitions,
 * configs, the cluster, offsets, consumer groups. Each call finds its broker (the controller, a
 * partition leader, a group coordinator, or any broker), sends one request per broker, and retries
 * retriable errors until `default.api.timeout.ms` (or the call's own `timeoutMs`).
 *
 * @module
 */

import { createKafkaError, TopicAlreadyExistsError, UnknownTopicOrPartitionError } from '@tskafka/protocol';
import { Api, ZERO_UUID } from '@tskafka/protocol/internals';
import {
  isRetriableError,
  type KafkaMetric,
  type KafkaProperties,
  type Logger,
  type SaslOptions,
  type SslOption,
  stderrLogger,
} from '@tskafka/transport';
import {
  type AdminConfig,
  type adminKeys,
  adminSchema,
  ClientNetworkMetrics,
  type CloseOptions,
  Cluster,
  type ConfigInputOf,
  clusterOptionsFromConfig,
  loadConfig,
  Metrics,
  type RequestObserver,
} from '@tskafka/transport/internals';
import * as acls from './acls.js';
import { describeCluster, metadataRequest } from './cluster.js';
import * as configs from './configs.js';
import * as groups from './groups.js';
import * as leaders from './leaders.js';
import { describeLogDirs, type LogDirDescription } from './log-dirs.js';
import * as reassignmentsApi from './reassignments.js';
import * as records from './records.js';
import {
  type AdminContext,
  requestController,
  requestTimeoutFor,
  retryCall,
  runPerItem,
} from './requests.js';
import * as scram from './scram.js';
import * as transactions from './transactions.js';
import type {
  AbortTransactionSpec,
  AdminTopicPartition,
  AlterConfigsOptions,
  AlterConfigsResource,
  ClusterDescription,
  ConfigResource,
  ConfigResourceDescription,
  CreatedTopic,
  CreatePartitionsOptions,
  CreateTopicsOptions,
  DeletedRecords,
  DescribeConfigsOptions,
  DescribeProducersOptions,
  ElectionType,
  GroupDescription,
  GroupListing,
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
  PartitionProducerState,
  PartitionReassignment,
  PartitionReassignmentResult,
  RecordsToDelete,
  TimeoutOptions,
  TopicDescription,
  TransactionDescription,
  TransactionListing,
  UserScramCredentialAlteration,
  UserScramCredentialsDescription,
} from './types.js';

/**
 * Options of an {@link Admin}: the common client configs in camelCase (`bootstrapServers`,
 * `clientId`, `requestTimeoutMs`, ...) plus `defaultApiTimeoutMs`, and the transport's objects.
 */
export type AdminOptions = Omit<ConfigInputOf<typeof adminKeys>, 'bootstrapServers'> & {
  /** `bootstrap.servers`: `host:port` addresses, an array or one comma-separated string. */
  bootstrapServers: string | readonly string[];
  /** SASL credentials (alternatively `security.protocol` + `sasl.jaas.config` properties). */
  sasl?: SaslOptions;
  /** TLS: `true` or Node's `tls.connect` options. */
  ssl?: SslOption;
  /** Where log lines go; default warnings and errors to stderr. */
  logger?: Logger;
  /**
   * Sees each request's response or timeout (KafkaJS's network events).
   *
   * @internal
   */
  requestObserver?: RequestObserver;
};

/**
 * A Kafka admin client.
 *
 * ```ts
 * const admin = new Admin({ bootstrapServers: 'localhost:9092' });
 * await admin.connect();
 * await admin.createTopics([{ topic: 'orders', numPartitions: 3, replicationFactor: 3 }]);
 * const [orders] = await admin.describeTopics(['orders']);
 * await admin.close();
 * ```
 *
 * Kafka errors reject as their classes from `@tskafka/protocol` (`TopicAlreadyExistsError`,
 * `UnknownTopicOrPartitionError`, `NonEmptyGroupError`, ...); an API the broker lacks rejects
 * with the transport's `UnsupportedApiVersionError`.
 */
export class Admin {
  /** The options after loading: every key with its value or Java's default. */
  readonly config: AdminConfig;
  private readonly cluster: Cluster;
  private readonly registry: Metrics;
  private connecting: Promise<void> | null = null;

  /**
   * An admin client; nothing is connected until {@link Admin.connect} (or the first call).
   *
   * @param options - camelCase options, or Kafka's property names (`{ 'bootstrap.servers': ... }`),
   *   or a `.properties` file path; see {@link AdminOptions}.
   * @param load - where the input came from (`source`, for errors) and module paths are relative to.
   * @throws ConfigError naming an unknown or ill-typed key (and the nearest valid one).
   */
  constructor(
    options: AdminOptions | KafkaProperties | string,
    load: { baseDir?: string; source?: string } = {},
  ) {
    const { sasl, ssl, logger, requestObserver, ...rest } =
      typeof options === 'string' ? ({} as Partial<AdminOptions>) : (options as AdminOptions);
    const log = logger ?? stderrLogger();
    this.config = loadConfig(adminSchema, typeof options === 'string' ? options : (rest as KafkaProperties), {
      ...load,
      warn: (m) => log.warn(m),
    });
    const clusterOptions = clusterOptionsFromConfig(
      this.config,
      { sasl, ssl, logger: log, requestObserver },
      'tskafka-admin',
    );
    const clientId = clusterOptions.clientId ?? 'tskafka-admin';
    this.registry = new Metrics();
    const network = new ClientNetworkMetrics(this.registry, 'admin-client', clientId);
    network.trackAllLatency(
      this.registry.sensor(
        'admin-client-metrics',
        { 'client-id': clientId },
        {
          'request-latency-avg': ['avg', 'The average request latency in ms.'],
          'request-latency-max': ['max', 'The maximum request latency in ms.'],
        },
      ),
    );
    this.cluster = new Cluster({ ...clusterOptions, networkMetrics: network });
  }

  /**
   * The admin client's metrics, as Java's `admin-client-metrics`: `request-rate`,
   * `request-total`, `response-rate`, `request-latency-avg`/`-max`, `outgoing-byte-rate`,
   * `incoming-byte-rate` and their totals.
   */
  metrics(): KafkaMetric[] {
    return this.registry.snapshot();
  }

  /**
   * Connects to the cluster (bootstrap and metadata), retrying the bootstrap addresses with the
   * reconnect backoff until `options.timeoutMs` (default `default.api.timeout.ms`); a command line
   * tool that should fail fast on a wrong address passes a short one. Calls need not wait for it:
   * each bootstraps on its own when needed, retrying until its deadline as its other steps do.
   */
  connect(options: TimeoutOptions = {}): Promise<void> {
    if (this.connecting === null) {
      const p = this.cluster.connect(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs });
      this.connecting = p;
      p.catch(() => {
        if (this.connecting === p) this.connecting = null;
      });
    }
    return this.connecting;
  }

  /**
   * Closes every connection at once; calls in flight reject with `ClientClosedError`. The admin
   * client has nothing to finish first (no buffered writes, no group to leave), so it returns
   * well within `options.timeoutMs` (default 30 s, as the producer's and consumer's `close`).
   */
  async close(_options: CloseOptions = {}): Promise<void> {
    await this.cluster.close();
  }

  // ---- topics ------------------------------------------------------------------------------

  /**
   * Creates topics (CreateTopics, to the controller). Rejects with the first topic's error, e.g.
   * `TopicAlreadyExistsError` (unless `ignoreExisting`), `InvalidReplicationFactorError`,
   * `InvalidPartitionsError`, `PolicyViolationError`.
   *
   * @returns one result per topic, in the order given.
   */
  async createTopics(
    topics: readonly NewTopic[],
    options: CreateTopicsOptions = {},
  ): Promise<CreatedTopic[]> {
    const ctx = await this.begin('createTopics', options.timeoutMs);
    const { timeoutMs } = ctx;
    const results = await runPerItem<NewTopic, CreatedTopic>(
      ctx,
      topics,
      (t) => t.topic,
      async (pending) => {
        const res = await requestController(
          this.cluster,
          Api.CreateTopics,
          {
            topics: pending.map((t) => ({
              name: t.topic,
              numPartitions: t.replicaAssignment === undefined ? (t.numPartitions ?? -1) : -1,
              replicationFactor: t.replicaAssignment === undefined ? (t.replicationFactor ?? -1) : -1,
              assignments: (t.replicaAssignment ?? []).map((a) => ({
                partitionIndex: a.partition,
                brokerIds: [...a.replicas],
              })),
              configs: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })),
            })),
            timeoutMs,
            validateOnly: options.validateOnly ?? false,
          },
          requestTimeoutFor(this.cluster, timeoutMs),
        );
        return res.topics.map((t) => ({
          key: t.name,
          topic: t.name,
          errorCode: t.errorCode,
          errorMessage: t.errorMessage,
          result: {
            topic: t.name,
            topicId: t.topicId,
            alreadyExisted: false,
            numPartitions: t.numPartitions,
            replicationFactor: t.replicationFactor,
          },
        }));
      },
      {
        apiName: 'CreateTopics',
        recover: (error, o) =>
          options.ignoreExisting === true && error instanceof TopicAlreadyExistsError
            ? {
                topic: o.key,
                topicId: ZERO_UUID,
                alreadyExisted: true,
                numPartitions: -1,
                replicationFactor: -1,
              }
            : undefined,
      },
    );
    return topics.map((t) => results.get(t.topic) as CreatedTopic);
  }

  /**
   * Deletes topics by name (DeleteTopics, to the controller). Rejects with
   * `UnknownTopicOrPartitionError` for a topic that does not exist.
   */
  async deleteTopics(names: readonly string[], options: TimeoutOptions = {}): Promise<void> {
    const ctx = await this.begin('deleteTopics', options.timeoutMs);
    const { timeoutMs } = ctx;
    await runPerItem<string, true>(
      ctx,
      names,
      (n) => n,
      async (pending) => {
        const res = await requestController(
          this.cluster,
          Api.DeleteTopics,
          { topics: pending.map((name) => ({ name, topicId: ZERO_UUID })), topicNames: pending, timeoutMs },
          requestTimeoutFor(this.cluster, timeoutMs),
        );
        return res.responses.map((r) => ({
          key: r.name ?? '',
          topic: r.name ?? '',
          errorCode: r.errorCode,
          errorMessage: r.errorMessage,
          result: true as const,
        }));
      },
      // UNKNOWN_TOPIC_OR_PARTITION is retriable in Kafka's table, but here it is the answer.
      { apiName: 'DeleteTopics', isFinal: isUnknownTopic },
    );
  }

  /** The names of the topics in the cluster, sorted; internal topics only with `listInternal`. */
  async listTopics(options: ListTopicsOptions = {}): Promise<string[]> {
    const topics = await this.fetchTopics(await this.begin('listTopics', options.timeoutMs), null);
    return topics
      .filter((t) => options.listInternal === true || !t.isInternal)
      .map((t) => t.name)
      .sort();
  }

  /**
   * Describes topics from fresh metadata: partitions with leader, replicas and ISR. Without names,
   * every topic. Rejects with `UnknownTopicOrPartitionError` when a named topic does not exist.
   */
  async describeTopics(names?: readonly string[], options: TimeoutOptions = {}): Promise<TopicDescription[]> {
    const topics = await this.fetchTopics(
      await this.begin('describeTopics', options.timeoutMs),
      names ?? null,
    );
    if (names === undefined) return topics.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const byName = new Map(topics.map((t) => [t.name, t]));
    return names.map((n) => byName.get(n) as TopicDescription);
  }

  /**
   * Grows topics to `count` partitions each (CreatePartitions, to the controller). Rejects with
   * `InvalidPartitionsError` when `count` is not more than now.
   */
  async createPartitions(
    topics: readonly NewPartitions[],
    options: CreatePartitionsOptions = {},
  ): Promise<void> {
    const ctx = await this.begin('createPartitions', options.timeoutMs);
    const { timeoutMs } = ctx;
    await runPerItem<NewPartitions, true>(
      ctx,
      topics,
      (t) => t.topic,
      async (pending) => {
        const res = await requestController(
          this.cluster,
          Api.CreatePartitions,
          {
            topics: pending.map((t) => ({
              name: t.topic,
              count: t.count,
              assignments:
                t.assignments === undefined ? null : t.assignments.map((b) => ({ brokerIds: [...b] })),
            })),
            timeoutMs,
            validateOnly: options.validateOnly ?? false,
          },
          requestTimeoutFor(this.cluster, timeoutMs),
        );
        return res.results.map((r) => ({
          key: r.name,
          topic: r.name,
          errorCode: r.errorCode,
          errorMessage: r.errorMessage,
          result: true as const,
        }));
      },
      { apiName: 'CreatePartitions', isFinal: isUnknownTopic },
    );
  }

  // ---- configs -----------------------------------------------------------------------------

  /**
   * Describes the configs of topics, brokers and groups (DescribeConfigs), in the order given.
   * A broker resource named by id goes to that broker; `''` describes the dynamic configs set
   * as the cluster-wide default.
   */
  async describeConfigs(
    resources: readonly ConfigResource[],
    options: DescribeConfigsOptions = {},
  ): Promise<ConfigResourceDescription[]> {
    return configs.describeConfigs(
      await this.begin('describeConfigs', options.timeoutMs),
      resources,
      options,
    );
  }

  /**
   * Replaces the config overrides of topics or brokers (AlterConfigs, deprecated in Kafka in favour
   * of {@link Admin.incrementalAlterConfigs}): configs left out return to their defaults.
   */
  async alterConfigs(
    resources: readonly AlterConfigsResource[],
    options: AlterConfigsOptions = {},
  ): Promise<void> {
    return configs.alterConfigs(await this.begin('alterConfigs'), resources, options);
  }

  /** Sets, deletes, appends to or subtracts from single configs (IncrementalAlterConfigs). */
  async incrementalAlterConfigs(
    resources: readonly IncrementalAlterConfigsResource[],
    options: AlterConfigsOptions = {},
  ): Promise<void> {
    return configs.incrementalAlterConfigs(await this.begin('incrementalAlterConfigs'), resources, options);
  }

  // ---- SCRAM credentials -------------------------------------------------------------------

  /**
   * The SCRAM credentials (mechanism and iterations, never secrets) of `users`, or of every user
   * that has one when `users` is left out (DescribeUserScramCredentials). A user without any
   * rejects with `ResourceNotFoundError`.
   */
  async describeUserScramCredentials(
    users?: readonly string[],
    options: TimeoutOptions = {},
  ): Promise<UserScramCredentialsDescription[]> {
    return scram.describeUserScramCredentials(
      await this.begin('describeUserScramCredentials', options.timeoutMs),
      users,
    );
  }

  /**
   * Sets or removes users' SCRAM credentials, each mechanism on its own
   * (AlterUserScramCredentials): `{ type: 'upsert', user: 'alice', mechanism: 'SCRAM-SHA-512',
   * password: '...' }`. The password is salted and hashed here; only the result is sent.
   */
  async alterUserScramCredentials(
    alterations: readonly UserScramCredentialAlteration[],
    options: TimeoutOptions = {},
  ): Promise<void> {
    return scram.alterUserScramCredentials(
      await this.begin('alterUserScramCredentials', options.timeoutMs),
      alterations,
    );
  }

  // ---- ACLs --------------------------------------------------------------------------------

  /**
   * Creates ACLs (CreateAcls), as Java's `createAcls`; rejects with the first refusal, e.g.
   * `ClusterAuthorizationFailedError` without ALTER on the cluster, `SecurityDisabledError` when
   * the brokers have no authorizer.
   */
  async createAcls(bindings: readonly acls.AclBinding[]): Promise<void> {
    return acls.createAcls(await this.begin('createAcls'), bindings);
  }

  /** The ACLs `filter` matches (DescribeAcls), as Java's `describeAcls`; `{}` lists every ACL. */
  async describeAcls(filter: acls.AclBindingFilter = {}): Promise<acls.DescribedAcl[]> {
    return acls.describeAcls(await this.begin('describeAcls'), filter);
  }

  /** Deletes the ACLs each filter matches (DeleteAcls), as Java's `deleteAcls`: what each deleted. */
  async deleteAcls(filters: readonly acls.AclBindingFilter[]): Promise<acls.DeletedAcls[]> {
    return acls.deleteAcls(await this.begin('deleteAcls'), filters);
  }

  // ---- cluster -----------------------------------------------------------------------------

  /**
   * The cluster id, controller and brokers: DescribeCluster where the broker has it (Kafka 2.8+),
   * else Metadata, as Java's admin client does. `controller` is -1 when the broker names none
   * (or one that is not among the brokers).
   */
  async describeCluster(): Promise<ClusterDescription> {
    return describeCluster(await this.begin('describeCluster'));
  }

  /**
   * Each broker's log directories and the replicas in them with their size in bytes
   * (DescribeLogDirs, to each broker), as Java's `describeLogDirs`; every live broker when
   * `brokerIds` is left out.
   */
  async describeLogDirs(brokerIds?: readonly number[]): Promise<LogDirDescription[]> {
    return describeLogDirs(await this.begin('describeLogDirs'), brokerIds);
  }

  // ---- offsets and records -----------------------------------------------------------------

  /**
   * Offsets of partitions from their leaders (ListOffsets): the log start (`earliest`), the log
   * end (`latest`), the record with the largest timestamp, or the first at or after a timestamp.
   *
   * @param target - a topic (all its partitions) or a list of partitions.
   */
  async listOffsets(
    target: string | readonly AdminTopicPartition[],
    spec: OffsetSpec = 'latest',
  ): Promise<ListedOffset[]> {
    const ctx = await this.begin('listOffsets');
    return records.listOffsets(ctx, await this.partitionsOf(ctx, target), spec);
  }

  /**
   * Deletes records before the given offsets (DeleteRecords, to the partition leaders): the log
   * start offset moves up. Offset -1 means the high watermark (everything so far).
   */
  async deleteRecords(
    toDelete: readonly RecordsToDelete[],
    options: TimeoutOptions = {},
  ): Promise<DeletedRecords[]> {
    const ctx = await this.begin('deleteRecords', options.timeoutMs);
    await this.partitionsOf(ctx, toDelete);
    return records.deleteRecords(ctx, toDelete, ctx.timeoutMs);
  }

  /**
   * Elects leaders (ElectLeaders, to the controller), as Java's `electLeaders`: one result per
   * partition, with its error. `partitions` null means every partition; then only those that
   * needed an election are in the result.
   */
  async electLeaders(
    electionType: ElectionType,
    partitions: readonly AdminTopicPartition[] | null,
    options: TimeoutOptions = {},
  ): Promise<LeaderElectionResult[]> {
    const ctx = await this.begin('electLeaders', options.timeoutMs);
    return leaders.electLeaders(ctx, electionType, partitions, ctx.timeoutMs);
  }

  /**
   * Moves partitions to new replicas (AlterPartitionReassignments, to the controller), as Java's
   * `alterPartitionReassignments`: new replicas catch up as followers and join the ISR, then the
   * old ones leave (and the leader moves if it was one of them). `targetReplicas` null cancels a
   * move in progress. One result per partition; the moves go on after this returns (see
   * {@link Admin.listPartitionReassignments}).
   */
  async alterPartitionReassignments(
    reassignments: readonly NewPartitionReassignment[],
    options: TimeoutOptions = {},
  ): Promise<PartitionReassignmentResult[]> {
    const ctx = await this.begin('alterPartitionReassignments', options.timeoutMs);
    return reassignmentsApi.alterPartitionReassignments(ctx, reassignments, ctx.timeoutMs);
  }

  /** The reassignments in progress (ListPartitionReassignments), of `partitions` or of all. */
  async listPartitionReassignments(
    partitions: readonly AdminTopicPartition[] | null = null,
    options: TimeoutOptions = {},
  ): Promise<PartitionReassignment[]> {
    const ctx = await this.begin('listPartitionReassignments', options.timeoutMs);
    return reassignmentsApi.listPartitionReassignments(ctx, partitions, ctx.timeoutMs);
  }

  // ---- consumer groups ---------------------------------------------------------------------

  /** Every group the brokers coordinate (ListGroups to each broker), sorted by id. */
  async listGroups(): Promise<GroupListing[]> {
    return groups.listGroups(await this.begin('listGroups'));
  }

  /**
   * Describes groups (DescribeGroups, to each group's coordinator): state, protocol and members,
   * with each consumer member's assignment decoded. A group that does not exist is described
   * with state `Dead` and no members, as Kafka answers.
   */
  async describeGroups(groupIds: readonly string[]): Promise<GroupDescription[]> {
    return groups.describeGroups(await this.begin('describeGroups'), groupIds);
  }

  /**
   * Deletes groups with their committed offsets (DeleteGroups). Rejects with
   * `NonEmptyGroupError` while a group has members, `GroupIdNotFoundError` for an unknown group.
   */
  async deleteGroups(groupIds: readonly string[]): Promise<void> {
    return groups.deleteGroups(await this.begin('deleteGroups'), groupIds);
  }

  /**
   * The committed offsets of a group (OffsetFetch), sorted by topic and partition; partitions
   * without a committed offset are left out. With `topics`, only those topics.
   */
  async listConsumerGroupOffsets(groupId: string, topics?: readonly string[]): Promise<GroupOffset[]> {
    return groups.listConsumerGroupOffsets(await this.begin('listConsumerGroupOffsets'), groupId, topics);
  }

  /**
   * Commits offsets for a group (OffsetCommit with generation -1 and no member id), e.g. to
   * reset it. As in Kafka, this works only while the group is empty; otherwise the coordinator
   * rejects it (`UnknownMemberIdError` or `IllegalGenerationError`).
   */
  async alterConsumerGroupOffsets(groupId: string, offsets: readonly GroupOffsetToCommit[]): Promise<void> {
    return groups.alterConsumerGroupOffsets(await this.begin('alterConsumerGroupOffsets'), groupId, offsets);
  }

  /**
   * Deletes committed offsets of a group (OffsetDelete). Rejects with
   * `GroupSubscribedToTopicError` while a member is subscribed to the topic.
   */
  async deleteConsumerGroupOffsets(
    groupId: string,
    partitions: readonly AdminTopicPartition[],
  ): Promise<void> {
    return groups.deleteConsumerGroupOffsets(
      await this.begin('deleteConsumerGroupOffsets'),
      groupId,
      partitions,
    );
  }

  // ---- transactions ------------------------------------------------------------------------

  /**
   * The transactional ids the brokers coordinate (ListTransactions to each broker), sorted by id,
   * each with the broker that coordinates it; optionally only those in given states, of given
   * producer ids, or running longer than a duration.
   *
   * ```ts
   * const open = await admin.listTransactions({ filterStates: ['Ongoing'] });
   * ```
   */
  async listTransactions(options: ListTransactionsOptions = {}): Promise<TransactionListing[]> {
    return transactions.listTransactions(await this.begin('listTransactions'), options);
  }

  /**
   * Describes transactional ids (FindCoordinator for each, then DescribeTransactions to its
   * coordinator): state, producer id and epoch, timeout, start time and the partitions of the open
   * transaction, in the order given. Rejects with `TransactionalIdNotFoundError` for an id the
   * coordinator does not know.
   */
  async describeTransactions(transactionalIds: readonly string[]): Promise<TransactionDescription[]> {
    return transactions.describeTransactions(await this.begin('describeTransactions'), transactionalIds);
  }

  /**
   * The producers each partition keeps state for (DescribeProducers, to the partition leaders, or
   * to `options.brokerId`): epoch, last sequence and timestamp, coordinator epoch, and where the
   * producer's open transaction starts. Rejects with `UnknownTopicOrPartitionError` for a
   * partition that does not exist.
   */
  async describeProducers(
    partitions: readonly AdminTopicPartition[],
    options: DescribeProducersOptions = {},
  ): Promise<PartitionProducerState[]> {
    const ctx = await this.begin('describeProducers');
    await this.partitionsOf(ctx, partitions);
    return transactions.describeProducers(ctx, partitions, options);
  }

  /**
   * Aborts a hanging transaction in one partition (Java's `Admin.abortTransaction`): the partition's
   * leader writes an ABORT marker for the producer (WriteTxnMarkers), which closes its transaction
   * there and lets the last stable offset move on. Take the producer id, epoch and coordinator
   * epoch from {@link Admin.describeProducers}. Rejects with `InvalidProducerEpochError` when the
   * producer has moved to a newer epoch, `TransactionCoordinatorFencedError` for a coordinator
   * epoch older than the partition's.
   */
  async abortTransaction(spec: AbortTransactionSpec): Promise<void> {
    const ctx = await this.begin('abortTransaction');
    await this.partitionsOf(ctx, [spec]);
    return transactions.abortTransaction(ctx, spec);
  }

  // ---- helpers -----------------------------------------------------------------------------

  /**
   * Starts the call `operation`: its deadline is `timeoutMs` (default `default.api.timeout.ms`)
   * from now, and, as in Java's admin client, a cluster that does not answer yet (a broker still
   * starting, a blip) is retried within it, warning while it does, before the call's own steps.
   */
  private async begin(operation: string, timeoutMs?: number): Promise<AdminContext> {
    const ctx: AdminContext = {
      cluster: this.cluster,
      operation,
      timeoutMs: timeoutMs ?? this.config.defaultApiTimeoutMs,
      startedAt: this.cluster.options.clock.now(),
    };
    if (!this.cluster.metadata.isBootstrapped)
      await retryCall(ctx, () => this.cluster.connect({ once: true }));
    return ctx;
  }

  /** Topic descriptions from fresh metadata; a missing named topic rejects at once. */
  private fetchTopics(ctx: AdminContext, names: readonly string[] | null): Promise<TopicDescription[]> {
    return retryCall(
      ctx,
      async () => {
        const md = await metadataRequest(this.cluster, names);
        const out: TopicDescription[] = [];
        for (const t of md.topics) {
          if (t.errorCode !== 0) {
            if (names === null) continue; // a topic being deleted, say
            throw createKafkaError(t.errorCode, { apiName: 'Metadata', topic: t.name ?? undefined });
          }
          out.push({
            name: t.name ?? '',
            topicId: t.topicId,
            isInternal: t.isInternal,
            partitions: t.partitions
              .map((p) => ({
                partition: p.partitionIndex,
                leader: p.leaderId,
                replicas: p.replicaNodes,
                isr: p.isrNodes,
                offlineReplicas: p.offlineReplicas,
              }))
              .sort((a, b) => a.partition - b.partition),
          });
        }
        return out;
      },
      { isRetriable: (e) => isRetriableError(e) && !(e instanceof UnknownTopicOrPartitionError) },
    );
  }

  /**
   * The partitions a call addresses: every partition of a topic, or the list given; also makes
   * sure the cluster's metadata knows their leaders. A missing topic rejects at once.
   */
  private async partitionsOf(
    ctx: AdminContext,
    target: string | readonly AdminTopicPartition[],
  ): Promise<AdminTopicPartition[]> {
    const names = typeof target === 'string' ? [target] : [...new Set(target.map((p) => p.topic))];
    const topics = await this.fetchTopics(ctx, names);
    await retryCall(ctx, () => this.cluster.refreshMetadata(names));
    if (typeof target !== 'string') return [...target];
    return topics[0].partitions.map((p) => ({ topic: target, partition: p.partition }));
  }
}

/** UNKNOWN_TOPIC_OR_PARTITION is final for calls that name topics: no point retrying. */
function isUnknownTopic(error: unknown): boolean {
  return error instanceof UnknownTopicOrPartitionError;
}
