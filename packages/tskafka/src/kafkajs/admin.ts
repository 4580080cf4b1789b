/**
 * KafkaJS's admin client over tskafka's `Admin`, with KafkaJS's argument and result shapes
 * (offsets as strings, `{ topics: [...] }` wrappers, `createTopics` answering a boolean).
 *
 * @module
 */
import type { Admin as TsAdmin } from '@tskafka/admin';
import { KafkaError } from '@tskafka/protocol';
import * as acls from './acls.js';
import * as configs from './admin-configs.js';
import type { GroupDescription } from './consumer-types.js';
import {
  asKafkaJS,
  asKafkaJSRetried,
  KafkaJSAggregateError,
  KafkaJSCreateTopicError,
  KafkaJSNonRetriableError,
  protocolInput,
} from './errors.js';
import { type AdminEventPayloads, AdminEvents, InstrumentedClient } from './events.js';
import type { KafkaContext } from './kafka.js';
import type { PartitionMetadata } from './partitioners.js';
import type { RetryOptions } from './types.js';

/** KafkaJS's `AdminConfig`. */
export interface AdminConfig {
  /** Retry settings: `retries` bounds the admin's retries. */
  retry?: RetryOptions;
}

/** A topic to create (KafkaJS's `ITopicConfig`). */
export interface ITopicConfig {
  /** The name. */
  topic: string;
  /** Partitions; default the broker's `num.partitions`. */
  numPartitions?: number;
  /** Replicas per partition; default the broker's `default.replication.factor`. */
  replicationFactor?: number;
  /** Explicit replicas per partition. */
  replicaAssignment?: { partition: number; replicas: number[] }[];
  /** Topic configs. */
  configEntries?: { name: string; value: string }[];
}

/** A topic's metadata (KafkaJS's `ITopicMetadata`). */
export interface ITopicMetadata {
  /** The topic. */
  name: string;
  /** Its partitions. */
  partitions: PartitionMetadata[];
}

/** A committed offset as `fetchOffsets` gives it; `'-1'` when none is committed. */
export interface FetchOffsetsPartition {
  /** The partition. */
  partition: number;
  /** The next offset to read, as a string. */
  offset: string;
  /** The commit's metadata. */
  metadata: string | null;
}

/** KafkaJS's admin client. */
export class Admin extends InstrumentedClient<typeof AdminEvents, AdminEventPayloads> {
  private readonly context: KafkaContext;
  private readonly config: AdminConfig;
  private admin: TsAdmin | null = null;

  /**
   * Made by `kafka.admin(config)`.
   *
   * @internal
   */
  constructor(context: KafkaContext, config: AdminConfig) {
    super(AdminEvents, context.logger('Admin'));
    this.context = context;
    this.config = config;
  }

  /** Connects to the cluster. */
  async connect(): Promise<void> {
    // KafkaJS connects under its retrier: a broker it never reaches ends in KafkaJSNumberOfRetriesExceeded.
    await asKafkaJSRetried(
      this.context.retries,
      async () => {
        this.admin = await this.context.connectAdmin(
          'Admin',
          this.config.retry?.retries,
          this.instrumentation.requestObserver,
        );
      },
      { bail: true },
    );
    this.instrumentation.emit(AdminEvents.CONNECT);
  }

  /** Disconnects. */
  async disconnect(): Promise<void> {
    const admin = this.admin;
    this.admin = null;
    await asKafkaJS(async () => admin?.close());
    this.instrumentation.emit(AdminEvents.DISCONNECT);
  }

  /** Creates topics; resolves false if every one of them existed already, else true. */
  createTopics(options: {
    topics: ITopicConfig[];
    validateOnly?: boolean;
    waitForLeaders?: boolean;
    timeout?: number;
  }): Promise<boolean> {
    return asKafkaJS(async () => {
      if (!Array.isArray(options.topics))
        throw new KafkaJSNonRetriableError(`Invalid topics array ${String(options.topics)}`);
      const created = await this.client()
        .createTopics(
          options.topics.map((t) => ({
            topic: t.topic,
            numPartitions: t.numPartitions,
            replicationFactor: t.replicationFactor,
            replicaAssignment: t.replicaAssignment,
            configs: Object.fromEntries((t.configEntries ?? []).map((e) => [e.name, e.value])),
          })),
          { validateOnly: options.validateOnly, timeoutMs: options.timeout, ignoreExisting: true },
        )
        .catch((e: unknown) => {
          // KafkaJS collects the brokers' per-topic errors into one KafkaJSAggregateError.
          if (!(e instanceof KafkaError)) throw e;
          const topic = e.topic ?? (options.topics.length === 1 ? options.topics[0].topic : '');
          throw new KafkaJSAggregateError('Topic creation errors', [
            new KafkaJSCreateTopicError(protocolInput(e), topic),
          ]);
        });
      return !created.every((t) => t.alreadyExisted);
    });
  }

  /** Deletes topics. */
  deleteTopics(options: { topics: string[]; timeout?: number }): Promise<void> {
    return asKafkaJSRetried(this.context.retries, () =>
      this.client().deleteTopics(options.topics, { timeoutMs: options.timeout }),
    );
  }

  /**
   * Adds partitions: each topic grows to `count`. Resolves with nothing, as KafkaJS 2.2.4 does
   * (its type says `boolean`).
   */
  createPartitions(options: {
    topicPartitions: { topic: string; count: number; assignments?: number[][] }[];
    validateOnly?: boolean;
    timeout?: number;
  }): Promise<void> {
    return asKafkaJSRetried(this.context.retries, async () => {
      await this.client().createPartitions(options.topicPartitions, {
        validateOnly: options.validateOnly,
        timeoutMs: options.timeout,
      });
    });
  }

  /** The topics' names (internal ones excluded). */
  listTopics(): Promise<string[]> {
    return asKafkaJS(() => this.client().listTopics());
  }

  /** Partitions, leaders and replicas of the given topics (all topics without an argument). */
  fetchTopicMetadata(options?: { topics: string[] }): Promise<{ topics: ITopicMetadata[] }> {
    return asKafkaJSRetried(this.context.retries, async () => {
      const described = await this.client().describeTopics(options?.topics);
      return {
        topics: described.map((t) => ({
          name: t.name,
          partitions: t.partitions.map((p) => ({
            partitionErrorCode: 0,
            partitionId: p.partition,
            leader: p.leader,
            replicas: p.replicas,
            isr: p.isr,
            offlineReplicas: p.offlineReplicas,
          })),
        })),
      };
    });
  }

  /** Each partition's earliest (`low`) and latest (`high`, also `offset`) offsets, as strings. */
  fetchTopicOffsets(
    topic: string,
  ): Promise<{ partition: number; offset: string; high: string; low: string }[]> {
    return asKafkaJSRetried(this.context.retries, async () => {
      const admin = this.client();
      const [high, low] = await Promise.all([
        admin.listOffsets(topic, 'latest'),
        admin.listOffsets(topic, 'earliest'),
      ]);
      const lows = new Map(low.map((o) => [o.partition, o.offset]));
      return high
        .map((o) => ({
          partition: o.partition,
          offset: String(o.offset),
          high: String(o.offset),
          low: String(lows.get(o.partition) ?? 0),
        }))
        .sort((a, b) => a.partition - b.partition);
    });
  }

  /** A group's committed offsets by topic; partitions of `topics` with none committed say `'-1'`. */
  fetchOffsets(options: {
    groupId: string;
    topics?: string[];
  }): Promise<{ topic: string; partitions: FetchOffsetsPartition[] }[]> {
    return asKafkaJSRetried(this.context.retries, async () => {
      const admin = this.client();
      const committed = await admin.listConsumerGroupOffsets(options.groupId, options.topics);
      const byTopic = new Map<string, Map<number, FetchOffsetsPartition>>();
      if (options.topics !== undefined) {
        for (const t of await admin.describeTopics(options.topics)) {
          const partitions = new Map<number, FetchOffsetsPartition>();
          for (const p of t.partitions)
            partitions.set(p.partition, { partition: p.partition, offset: '-1', metadata: null });
          byTopic.set(t.name, partitions);
        }
      }
      for (const o of committed) {
        let partitions = byTopic.get(o.topic);
        if (partitions === undefined) {
          partitions = new Map();
          byTopic.set(o.topic, partitions);
        }
        partitions.set(o.partition, {
          partition: o.partition,
          offset: String(o.offset),
          // A commit without metadata: KafkaJS writes null, tskafka (as Java) an empty string.
          metadata: o.metadata === '' ? null : o.metadata,
        });
      }
      const order = options.topics ?? [...byTopic.keys()];
      return order.map((topic) => ({
        topic,
        partitions: [...(byTopic.get(topic)?.values() ?? [])].sort((a, b) => a.partition - b.partition),
      }));
    });
  }

  /** Groups' states, protocols and members. */
  describeGroups(groupIds: string[]): Promise<{ groups: GroupDescription[] }> {
    return asKafkaJSRetried(this.context.retries, async () => {
      const groups = await this.client().describeGroups(groupIds);
      return {
        groups: groups.map((g) => ({
          groupId: g.groupId,
          protocol: g.protocol,
          protocolType: g.protocolType,
          state: g.state,
          members: g.members.map((m) => ({
            memberId: m.memberId,
            clientId: m.clientId,
            clientHost: m.clientHost,
            memberMetadata: m.memberMetadata,
            memberAssignment: m.memberAssignment,
          })),
        })),
      };
    });
  }

  /** The cluster's groups. */
  listGroups(): Promise<{ groups: { groupId: string; protocolType: string }[] }> {
    return asKafkaJS(async () => {
      const groups = await this.client().listGroups();
      return { groups: groups.map((g) => ({ groupId: g.groupId, protocolType: g.protocolType })) };
    });
  }

  /** The brokers, the controller and the cluster id. */
  describeCluster(): Promise<{
    brokers: { nodeId: number; host: string; port: number }[];
    controller: number | null;
    clusterId: string;
  }> {
    return asKafkaJSRetried(this.context.retries, async () => {
      const c = await this.client().describeCluster();
      return {
        brokers: c.brokers.map(({ nodeId, host, port }) => ({ nodeId, host, port })),
        controller: c.controller >= 0 ? c.controller : null,
        clusterId: c.clusterId ?? '',
      };
    });
  }

  /**
   * Per partition, the first offset whose timestamp is at or after `timestamp` (the latest offset
   * where there is none, as KafkaJS answers).
   */
  fetchTopicOffsetsByTimestamp(
    topic: string,
    timestamp?: number,
  ): Promise<{ partition: number; offset: string }[]> {
    return asKafkaJSRetried(this.context.retries, async () => {
      const admin = this.client();
      const high = await admin.listOffsets(topic, 'latest');
      if (timestamp === undefined)
        return high.map((o) => ({ partition: o.partition, offset: String(o.offset) })).sort(byPartition);
      const highs = new Map(high.map((o) => [o.partition, o.offset]));
      const found = await admin.listOffsets(topic, timestamp);
      return found
        .map((o) => ({
          partition: o.partition,
          offset: String(o.offset >= 0 ? o.offset : (highs.get(o.partition) ?? -1)),
        }))
        .sort(byPartition);
    });
  }

  /** Sets a group's committed offsets for `topic` (the group must have no active members). */
  setOffsets(options: {
    groupId: string;
    topic: string;
    partitions: { partition: number; offset: string }[];
  }): Promise<void> {
    return asKafkaJSRetried(this.context.retries, () =>
      this.client().alterConsumerGroupOffsets(
        options.groupId,
        options.partitions.map((p) => ({
          topic: options.topic,
          partition: p.partition,
          offset: Number(p.offset),
        })),
      ),
    );
  }

  /**
   * Moves a group's offsets for `topic` to the latest (or, with `earliest`, the earliest) offsets.
   * KafkaJS commits the sentinels -1 and -2, which only KafkaJS consumers read as "latest" and
   * "earliest"; this commits the offsets themselves, which every client reads alike.
   */
  resetOffsets(options: { groupId: string; topic: string; earliest?: boolean }): Promise<void> {
    return asKafkaJSRetried(this.context.retries, async () => {
      const admin = this.client();
      const offsets = await admin.listOffsets(
        options.topic,
        options.earliest === true ? 'earliest' : 'latest',
      );
      await admin.alterConsumerGroupOffsets(
        options.groupId,
        offsets.map((o) => ({ topic: options.topic, partition: o.partition, offset: o.offset })),
      );
    });
  }

  /** Deletes groups without members; resolves with each group and its error code (0). */
  deleteGroups(groupIds: string[]): Promise<{ groupId: string; errorCode: number }[]> {
    return asKafkaJSRetried(this.context.retries, async () => {
      await this.client().deleteGroups(groupIds);
      return groupIds.map((groupId) => ({ groupId, errorCode: 0 }));
    });
  }

  /** Deletes the records of `topic` before each partition's `offset` (`'-1'`: all of them). */
  deleteTopicRecords(options: {
    topic: string;
    partitions: { partition: number; offset: string }[];
  }): Promise<void> {
    return asKafkaJSRetried(this.context.retries, async () => {
      const admin = this.client();
      const high = new Map(
        (await admin.listOffsets(options.topic, 'latest')).map((o) => [o.partition, o.offset]),
      );
      await admin.deleteRecords(
        options.partitions.map((p) => ({
          topic: options.topic,
          partition: p.partition,
          offset: p.offset === '-1' ? (high.get(p.partition) ?? 0) : Number(p.offset),
        })),
      );
    });
  }

  /** Creates ACLs; resolves true. */
  createAcls(options: { acl: acls.AclEntry[] }): Promise<boolean> {
    return asKafkaJSRetried(this.context.retries, async () => acls.createAcls(this.client(), options.acl));
  }

  /** The ACLs a filter matches, grouped by resource pattern. */
  describeAcls(filter: acls.AclFilter): Promise<{ resources: acls.DescribeAclResource[] }> {
    return asKafkaJSRetried(this.context.retries, async () => acls.describeAcls(this.client(), filter));
  }

  /** Deletes the ACLs each filter matches; per filter, the ACLs deleted. */
  deleteAcls(options: {
    filters: acls.AclFilter[];
  }): Promise<{ filterResponses: acls.DeleteAclFilterResponses[] }> {
    return asKafkaJSRetried(this.context.retries, async () =>
      acls.deleteAcls(this.client(), options.filters),
    );
  }

  // KafkaJS bails out of its retrier on any error of these calls but NOT_CONTROLLER (which
  // tskafka retries itself): the application sees the KafkaJSProtocolError as it is, retriable
  // or not.

  /** The configs of topics and brokers, in KafkaJS's shape; a resource with an error fails the call. */
  describeConfigs(options: {
    resources: configs.ResourceConfigQuery[];
    includeSynonyms?: boolean;
  }): Promise<configs.DescribeConfigResponse> {
    return asKafkaJS(async () => configs.describeConfigs(this.client(), options));
  }

  /** Replaces the config overrides of topics or brokers (configs left out return to their defaults). */
  alterConfigs(options: {
    resources: configs.IResourceConfig[];
    validateOnly?: boolean;
  }): Promise<configs.AlterConfigsResponse> {
    return asKafkaJS(async () => configs.alterConfigs(this.client(), options));
  }

  /** Moves partitions to new replicas; the moves go on after this resolves. */
  alterPartitionReassignments(options: {
    topics: configs.PartitionReassignment[];
    timeout?: number;
  }): Promise<void> {
    return asKafkaJS(async () => configs.alterPartitionReassignments(this.client(), options));
  }

  /** The partition reassignments in progress, of `topics` or of all. */
  listPartitionReassignments(options: {
    topics?: { topic: string; partitions: number[] }[] | null;
    timeout?: number;
  }): Promise<configs.ListPartitionReassignmentsResponse> {
    return asKafkaJS(async () => configs.listPartitionReassignments(this.client(), options));
  }

  private client(): TsAdmin {
    if (this.admin === null)
      throw new KafkaJSNonRetriableError('The admin client is not connected: call connect()');
    return this.admin;
  }
}

function byPartition(a: { partition: number }, b: { partition: number }): number {
  return a.partition - b.partition;
}
