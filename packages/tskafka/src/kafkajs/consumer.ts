/**
 * KafkaJS's consumer over tskafka's `Consumer`: `run` polls tskafka's consumer and hands the
 * records to `eachMessage` or `eachBatch` per partition, in KafkaJS's payload shapes, and commits
 * the offsets the handlers resolved (KafkaJS's `autoCommit`, `autoCommitInterval`,
 * `autoCommitThreshold`) through tskafka's `commitSync`.
 *
 * @module
 */

import type { Admin as TsAdmin } from '@tskafka/admin';
import {
  type ConsumerPartitionAssignor,
  type ConsumerRecord,
  type TopicPartition,
  Consumer as TsConsumer,
} from '@tskafka/consumer';
import { AssignerCluster, kafkaJSAssignor, PartitionAssigners, roundRobinAssigner } from './assigners.js';
import {
  type ConsumerConfig,
  type ConsumerRunConfig,
  type ConsumerSubscribeTopic,
  type ConsumerSubscribeTopics,
  type GroupDescription,
  type OffsetsByTopicPartition,
  type TopicPartitions,
  toMessage,
} from './consumer-types.js';
import { asKafkaJS, asKafkaJSRetried, KafkaJSNonRetriableError, toKafkaJSError } from './errors.js';
import { type ConsumerEventPayloads, ConsumerEvents, InstrumentedClient } from './events.js';
import type { KafkaContext } from './kafka.js';
import type { TopicPartitionOffset } from './types.js';

const key = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

/** KafkaJS's consumer. */
export class Consumer extends InstrumentedClient<typeof ConsumerEvents, ConsumerEventPayloads> {
  private readonly context: KafkaContext;
  private readonly config: ConsumerConfig;
  private readonly topics = new Map<string, boolean>();
  private admin: TsAdmin | null = null;
  private consumer: TsConsumer | null = null;
  private loop: Promise<void> | null = null;
  private running = false;
  /** Next offsets to commit (resolved, not committed yet), by partition. */
  private readonly resolved = new Map<string, TopicPartition & { offset: number }>();
  private resolvedCount = 0;
  private lastCommit = Date.now();
  private run_: ConsumerRunConfig = {};

  /**
   * Made by `kafka.consumer(config)`.
   *
   * @internal
   */
  constructor(context: KafkaContext, config: ConsumerConfig) {
    super(ConsumerEvents, context.logger('Consumer'));
    this.context = context;
    this.config = config;
  }

  /** Connects to the cluster. */
  async connect(): Promise<void> {
    // KafkaJS connects under its retrier: a broker it never reaches ends in KafkaJSNumberOfRetriesExceeded.
    await asKafkaJSRetried(
      this.context.retries,
      async () => {
        this.admin = await this.context.connectAdmin('Consumer');
      },
      { bail: true },
    );
    this.instrumentation.emit(ConsumerEvents.CONNECT);
  }

  /**
   * The configured assigners as tskafka assignors: KafkaJS assigner functions get a cluster view
   * backed by this consumer's admin client.
   */
  private assignors(): ConsumerPartitionAssignor[] {
    const cluster = new AssignerCluster(
      async (topics) => {
        const admin = this.requireAdmin();
        const [described, cluster] = await Promise.all([admin.describeTopics(), admin.describeCluster()]);
        const wanted = new Set(topics);
        const partitions = new Map(
          described
            .filter((t) => wanted.has(t.name))
            .map((t) => [
              t.name,
              t.partitions.map((p) => ({
                partitionErrorCode: 0,
                partitionId: p.partition,
                leader: p.leader,
                replicas: p.replicas,
                isr: p.isr,
                offlineReplicas: p.offlineReplicas,
              })),
            ]),
        );
        return { nodeIds: cluster.brokers.map((b) => b.nodeId), topics: partitions };
      },
      () => this.admin !== null,
    );
    const logger = this.context.logger('Assigner');
    return (this.config.partitionAssigners ?? [PartitionAssigners.roundRobin]).map((a) =>
      // The built-in round robin needs no cluster view: the assignor runs without metadata calls.
      a === PartitionAssigners.roundRobin
        ? roundRobinAssigner
        : typeof a === 'function'
          ? kafkaJSAssignor(a({ cluster, groupId: this.config.groupId, logger }), cluster)
          : a,
    );
  }

  /** Subscribes to topics by name or pattern; call before `run`. */
  async subscribe(subscription: ConsumerSubscribeTopics | ConsumerSubscribeTopic): Promise<void> {
    await asKafkaJS(async () => {
      if (this.consumer !== null)
        throw new KafkaJSNonRetriableError('Cannot subscribe to topic while consumer is running');
      const admin = this.requireAdmin();
      const list = 'topics' in subscription ? subscription.topics : [subscription.topic];
      const fromBeginning = subscription.fromBeginning ?? false;
      const existing = list.some((t) => t instanceof RegExp) ? await admin.listTopics() : [];
      for (const t of list) {
        if (typeof t === 'string') this.topics.set(t, fromBeginning);
        else for (const name of existing) if (t.test(name)) this.topics.set(name, fromBeginning);
      }
    });
  }

  /** Joins the group and starts handing messages to the handler; resolves once started. */
  async run(config: ConsumerRunConfig = {}): Promise<void> {
    await asKafkaJS(async () => {
      if (this.consumer !== null) throw new KafkaJSNonRetriableError('Consumer is already running');
      if ((config.eachMessage === undefined) === (config.eachBatch === undefined))
        throw new KafkaJSNonRetriableError('Consumer run needs exactly one of eachMessage and eachBatch');
      this.run_ = config;
      const c = this.config;
      const starts = new Set(this.topics.values());
      const mixed = starts.size > 1;
      const consumer = new TsConsumer({
        ...(await this.context.clientOptions('Consumer')),
        groupId: c.groupId,
        enableAutoCommit: false,
        partitionAssignors: this.assignors(),
        autoOffsetReset: !mixed && starts.has(true) ? 'earliest' : 'latest',
        sessionTimeoutMs: c.sessionTimeout ?? 30_000,
        heartbeatIntervalMs: c.heartbeatInterval ?? 3_000,
        maxPollIntervalMs: c.rebalanceTimeout,
        maxPartitionFetchBytes: c.maxBytesPerPartition,
        fetchMinBytes: c.minBytes,
        fetchMaxBytes: c.maxBytes,
        fetchMaxWaitMs: c.maxWaitTimeInMs ?? 5_000,
        allowAutoCreateTopics: c.allowAutoTopicCreation,
        isolationLevel: c.readUncommitted === true ? 'read_uncommitted' : 'read_committed',
      });
      this.consumer = consumer;
      await consumer.connect({ timeoutMs: this.context.connectAttemptMs });
      await consumer.subscribe([...this.topics.keys()], {
        onPartitionsRevoked: async () => {
          this.instrumentation.emit(ConsumerEvents.REBALANCING, {
            groupId: c.groupId,
            memberId: consumer.groupMetadata().memberId,
          });
          await this.commitResolved();
        },
        onPartitionsAssigned: async (partitions) => {
          const memberAssignment: Record<string, number[]> = {};
          for (const tp of consumer.assignment())
            memberAssignment[tp.topic] = [...(memberAssignment[tp.topic] ?? []), tp.partition];
          this.instrumentation.emit(ConsumerEvents.GROUP_JOIN, {
            groupId: c.groupId,
            memberId: consumer.groupMetadata().memberId,
            memberAssignment,
          });
          if (!mixed) return;
          // Topics subscribed fromBeginning start at the earliest offset where nothing is committed.
          const early = partitions.filter((tp) => this.topics.get(tp.topic) === true);
          if (early.length === 0) return;
          const committed = await consumer.committed(early);
          consumer.seekToBeginning(early.filter((tp) => committed.get(tp) === undefined));
        },
      });
      this.running = true;
      this.loop = this.runLoop(consumer);
    });
  }

  private async runLoop(consumer: TsConsumer): Promise<void> {
    const logger = this.context.logger('Consumer');
    while (this.running) {
      try {
        const records = await consumer.poll(1_000);
        await this.handle(consumer, records);
        if (this.run_.autoCommit !== false) await this.commitIfNecessary();
      } catch (e) {
        if (!this.running) break;
        const error = toKafkaJSError(e);
        logger.error(`Crash: ${error.name}: ${error.message}`, { groupId: this.config.groupId, error });
        this.instrumentation.emit(ConsumerEvents.CRASH, {
          error,
          groupId: this.config.groupId,
          restart: true,
        });
        await new Promise((r) => setTimeout(r, this.config.retry?.initialRetryTime ?? 300));
      }
    }
  }

  private async handle(
    consumer: TsConsumer,
    records: ConsumerRecord<Buffer | null, Buffer | null>[],
  ): Promise<void> {
    const batches = new Map<string, ConsumerRecord<Buffer | null, Buffer | null>[]>();
    for (const r of records) {
      const k = key(r.topic, r.partition);
      const list = batches.get(k);
      if (list === undefined) batches.set(k, [r]);
      else list.push(r);
    }
    // KafkaJS's partitionsConsumedConcurrently: that many partitions' batches at once; the
    // first failure is rethrown once every batch started has settled (each rewinds its own).
    const queue = [...batches.values()];
    const errors: unknown[] = [];
    const worker = async (): Promise<void> => {
      for (let list = queue.shift(); list !== undefined; list = queue.shift()) {
        try {
          await this.handleBatch(consumer, list);
        } catch (e) {
          errors.push(e);
        }
      }
    };
    const width = Math.max(1, Math.min(this.run_.partitionsConsumedConcurrently ?? 1, queue.length));
    await Promise.all(Array.from({ length: width }, worker));
    if (errors.length > 0) throw errors[0];
  }

  /** Hands one partition's records to the handler; on failure seeks back to the first unresolved one. */
  private async handleBatch(
    consumer: TsConsumer,
    list: ConsumerRecord<Buffer | null, Buffer | null>[],
  ): Promise<void> {
    const { topic, partition } = list[0];
    if (!this.running) {
      consumer.seek({ topic, partition }, list[0].offset);
      return;
    }
    let paused = false;
    const pause = (): (() => void) => {
      paused = true;
      consumer.pause([{ topic, partition }]);
      return () => consumer.resume([{ topic, partition }]);
    };
    let next = list[0].offset;
    const highWatermark = consumer.highWatermark({ topic, partition }) ?? list[list.length - 1].offset + 1;
    const last = list[list.length - 1].offset;
    const batchInfo = {
      topic,
      partition,
      highWatermark: String(highWatermark),
      offsetLag: String(Math.max(0, highWatermark - 1 - last)),
      offsetLagLow: String(Math.max(0, highWatermark - 1 - list[0].offset)),
      batchSize: list.length,
      firstOffset: String(list[0].offset),
      lastOffset: String(last),
    };
    const started = Date.now();
    this.instrumentation.emit(ConsumerEvents.START_BATCH_PROCESS, batchInfo);
    try {
      if (this.run_.eachMessage !== undefined) {
        for (const r of list) {
          await this.run_.eachMessage({
            topic,
            partition,
            message: toMessage(r),
            heartbeat: async () => {},
            pause,
          });
          next = r.offset + 1;
          this.resolve(topic, partition, next);
          if (paused || !this.running) break;
        }
      } else if (this.run_.eachBatch !== undefined) {
        const messages = list.map(toMessage);
        await this.run_.eachBatch({
          batch: {
            topic,
            partition,
            highWatermark: String(highWatermark),
            messages,
            isEmpty: () => messages.length === 0,
            firstOffset: () => messages[0]?.offset ?? null,
            lastOffset: () => String(last),
            offsetLag: () => batchInfo.offsetLag,
            offsetLagLow: () => batchInfo.offsetLagLow,
          },
          resolveOffset: (offset) => {
            next = Math.max(next, Number(offset) + 1);
            this.resolve(topic, partition, next);
          },
          heartbeat: async () => {},
          pause,
          commitOffsetsIfNecessary: () => this.commitIfNecessary(),
          uncommittedOffsets: () => this.uncommittedOffsets(),
          isRunning: () => this.running,
          isStale: () => false,
        });
        if (this.run_.eachBatchAutoResolve !== false) {
          next = last + 1;
          this.resolve(topic, partition, next);
        }
      }
    } catch (e) {
      // Not handled: read again from the first message not resolved.
      consumer.seek({ topic, partition }, next);
      throw e;
    }
    this.instrumentation.emit(ConsumerEvents.END_BATCH_PROCESS, {
      ...batchInfo,
      duration: Date.now() - started,
    });
    if (next <= last) consumer.seek({ topic, partition }, next);
  }

  private resolve(topic: string, partition: number, offset: number): void {
    this.resolved.set(key(topic, partition), { topic, partition, offset });
    this.resolvedCount++;
  }

  private async commitIfNecessary(): Promise<void> {
    const { autoCommitInterval, autoCommitThreshold } = this.run_;
    const byInterval = autoCommitInterval == null || Date.now() - this.lastCommit >= autoCommitInterval;
    const byThreshold = autoCommitThreshold != null && this.resolvedCount >= autoCommitThreshold;
    if (autoCommitInterval == null && autoCommitThreshold == null) return this.commitResolved();
    if ((autoCommitInterval != null && byInterval) || byThreshold) return this.commitResolved();
  }

  private async commitResolved(): Promise<void> {
    const consumer = this.consumer;
    if (consumer === null || this.resolved.size === 0) return;
    const offsets = [...this.resolved.values()];
    this.resolved.clear();
    this.resolvedCount = 0;
    this.lastCommit = Date.now();
    try {
      await consumer.commitSync(offsets);
    } catch (e) {
      // Not committed: keep them for the next commit, unless a newer offset was resolved since.
      for (const o of offsets) {
        const k = key(o.topic, o.partition);
        if (!this.resolved.has(k)) this.resolved.set(k, o);
      }
      throw e;
    }
    const { generationId, memberId } = consumer.groupMetadata();
    const topics = new Map<string, { partition: string; offset: string }[]>();
    for (const o of offsets)
      topics.set(o.topic, [
        ...(topics.get(o.topic) ?? []),
        { partition: String(o.partition), offset: String(o.offset) },
      ]);
    this.instrumentation.emit(ConsumerEvents.COMMIT_OFFSETS, {
      groupId: this.config.groupId,
      memberId,
      groupGenerationId: generationId,
      topics: [...topics].map(([topic, partitions]) => ({ topic, partitions })),
    });
  }

  private uncommittedOffsets(): OffsetsByTopicPartition {
    const topics = new Map<string, { partition: number; offset: string }[]>();
    for (const r of this.resolved.values()) {
      const list = topics.get(r.topic) ?? [];
      list.push({ partition: r.partition, offset: String(r.offset) });
      topics.set(r.topic, list);
    }
    return { topics: [...topics].map(([topic, partitions]) => ({ topic, partitions })) };
  }

  /** Commits `offsets` (the next offsets to read) for the group. */
  async commitOffsets(offsets: (TopicPartitionOffset & { metadata?: string | null })[]): Promise<void> {
    await asKafkaJS(async () => {
      const consumer = this.requireRunning('commitOffsets');
      await consumer.commitSync(
        offsets.map((o) => ({
          topic: o.topic,
          partition: o.partition,
          offset: Number(o.offset),
          metadata: o.metadata ?? undefined,
        })),
      );
    });
  }

  /** Moves a partition to `offset`: the next messages handed out start there. */
  seek(target: TopicPartitionOffset): void {
    const consumer = this.requireRunning('seek');
    const tp = { topic: target.topic, partition: target.partition };
    this.resolved.delete(key(tp.topic, tp.partition));
    consumer.seek(tp, Number(target.offset));
  }

  /** Stops fetching the given partitions (all of a topic's assigned ones if none are named). */
  pause(topics: TopicPartitions[]): void {
    this.requireRunning('pause').pause(this.partitionsOf(topics));
  }

  /** Fetches the given partitions again. */
  resume(topics: TopicPartitions[]): void {
    this.requireRunning('resume').resume(this.partitionsOf(topics));
  }

  /** The paused partitions, by topic. */
  paused(): { topic: string; partitions: number[] }[] {
    const out = new Map<string, number[]>();
    for (const tp of this.consumer?.paused() ?? [])
      out.set(tp.topic, [...(out.get(tp.topic) ?? []), tp.partition]);
    return [...out].map(([topic, partitions]) => ({ topic, partitions }));
  }

  /** Stops the run loop after the current message or batch (committing what was resolved). */
  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    this.loop = null;
    await asKafkaJS(() => this.commitResolved());
    this.instrumentation.emit(ConsumerEvents.STOP);
  }

  /** Stops, leaves the group and disconnects. */
  async disconnect(): Promise<void> {
    await this.stop();
    const consumer = this.consumer;
    const admin = this.admin;
    this.consumer = null;
    this.admin = null;
    await asKafkaJS(async () => {
      await consumer?.close();
      await admin?.close();
    });
    this.instrumentation.emit(ConsumerEvents.DISCONNECT);
  }

  /** The group's description. */
  async describeGroup(): Promise<GroupDescription> {
    return asKafkaJS(async () => {
      const [g] = await this.requireAdmin().describeGroups([this.config.groupId]);
      return {
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
      };
    });
  }

  private partitionsOf(topics: TopicPartitions[]): TopicPartition[] {
    const assigned = this.consumer?.assignment() ?? [];
    return topics.flatMap(({ topic, partitions }) =>
      partitions === undefined
        ? assigned.filter((tp) => tp.topic === topic)
        : partitions.map((partition) => ({ topic, partition })),
    );
  }

  private requireAdmin(): TsAdmin {
    if (this.admin === null)
      throw new KafkaJSNonRetriableError('The consumer is not connected: call connect()');
    return this.admin;
  }

  private requireRunning(op: string): TsConsumer {
    if (this.consumer === null)
      throw new KafkaJSNonRetriableError(`Can not call ${op} before consumer.run()`);
    return this.consumer;
  }
}
