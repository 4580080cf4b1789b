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
import type { RequestObserver } from '@tskafka/transport/internals';
import { AssignerCluster, kafkaJSAssignor, PartitionAssigners, roundRobinAssigner } from './assigners.js';
import { type BatchContext, handleRecords } from './consumer-batches.js';
import { originalCause, RunRetrier } from './consumer-retry.js';
import type {
  ConsumerConfig,
  ConsumerRunConfig,
  ConsumerSubscribeTopic,
  ConsumerSubscribeTopics,
  GroupDescription,
  OffsetsByTopicPartition,
  TopicPartitions,
} from './consumer-types.js';
import { asKafkaJS, asKafkaJSRetried, KafkaJSNonRetriableError, toKafkaJSError } from './errors.js';
import { type ConsumerEventPayloads, ConsumerEvents, InstrumentedClient } from './events.js';
import type { KafkaContext } from './kafka.js';
import { ResolvedOffsets } from './resolved-offsets.js';
import type { RetryOptions, TopicPartitionOffset } from './types.js';

const HEARTBEAT_KEY = 12;
const JOIN_GROUP_KEY = 11;
/** KafkaJS's `retry.initialRetryTime` default. */
const DEFAULT_INITIAL_RETRY_TIME = 300;
/**
 * Records one poll may hand out, so a partition's batch is up to this share of what was fetched:
 * larger batches mean fewer commits (KafkaJS commits after each batch), but tens of thousands of
 * messages held at once cost more in garbage collection than the commits they save.
 */
const MAX_POLL_RECORDS = 5_000;

/** KafkaJS's consumer. */
export class Consumer extends InstrumentedClient<typeof ConsumerEvents, ConsumerEventPayloads> {
  private readonly context: KafkaContext;
  private readonly config: ConsumerConfig;
  private readonly topics = new Map<string, boolean>();
  private admin: TsAdmin | null = null;
  private consumer: TsConsumer | null = null;
  private loop: Promise<Error | null> | null = null;
  private running = false;
  /** The retry state of the run loop (new at each start and rebalance, as KafkaJS's). */
  private retrier = new RunRetrier();
  /** Wakes the run loop's retry wait when the consumer stops. */
  private readonly wake = new Set<() => void>();
  private restartTimer: NodeJS.Timeout | null = null;
  /** A restart under way: `stop` waits for it, then stops what it started. */
  private restarting: Promise<void> | null = null;
  /** The brokers' node ids (strings, as KafkaJS's fetch events have them). */
  private nodeIds: string[] = [];
  /** The last JoinGroup answer: the leader and the protocol chosen. */
  private lastJoin: { leader: string; protocolName: string } | null = null;
  private joinStarted = Date.now();
  /** Next offsets to commit (resolved, not committed yet), by partition. */
  private readonly resolved = new ResolvedOffsets();
  /** What the batch handling sees of this consumer. */
  private readonly batches: BatchContext = {
    runConfig: () => this.run_,
    running: () => this.running,
    emit: (type, payload) => this.instrumentation.emit(type, payload),
    resolved: this.resolved,
    commitResolved: () => this.commitResolved(),
    commitIfNecessary: () => this.commitIfNecessary(),
    uncommittedOffsets: () => this.uncommittedOffsets(),
  };
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
        this.admin = await this.context.connectAdmin('Consumer', undefined, this.observer);
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

  /** The consumer's retry options: the client's, under the consumer's (KafkaJS's default `retries: 5`). */
  private get retry(): RetryOptions {
    return { ...this.context.config.retry, ...(this.config.retry ?? { retries: 5 }) };
  }

  /** Joins the group and starts handing messages to the handler; resolves once started. */
  async run(config: ConsumerRunConfig = {}): Promise<void> {
    await asKafkaJS(async () => {
      if (this.consumer !== null) throw new KafkaJSNonRetriableError('Consumer is already running');
      if ((config.eachMessage === undefined) === (config.eachBatch === undefined))
        throw new KafkaJSNonRetriableError('Consumer run needs exactly one of eachMessage and eachBatch');
      this.run_ = config;
      await this.start();
    });
  }

  /** Builds tskafka's consumer, joins and starts the run loop (at `run`, and at each restart). */
  private async start(): Promise<void> {
    const c = this.config;
    const starts = new Set(this.topics.values());
    const mixed = starts.size > 1;
    const consumer = new TsConsumer({
      ...(await this.context.clientOptions('Consumer', this.observer)),
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
      // A KafkaJS batch is a partition's share of a fetch: hand out all that was fetched.
      maxPollRecords: MAX_POLL_RECORDS,
      allowAutoCreateTopics: c.allowAutoTopicCreation,
      isolationLevel: c.readUncommitted === true ? 'read_uncommitted' : 'read_committed',
    });
    this.consumer = consumer;
    this.joinStarted = Date.now();
    await consumer.connect({ timeoutMs: this.context.connectAttemptMs });
    // KafkaJS's consumer group emits CONNECT again when it connects, at each (re)start.
    this.instrumentation.emit(ConsumerEvents.CONNECT);
    this.nodeIds = (await this.requireAdmin().describeCluster()).brokers.map((b) => String(b.nodeId));
    await consumer.subscribe([...this.topics.keys()], {
      onPartitionsRevoked: async () => {
        this.joinStarted = Date.now();
        if (this.running)
          this.instrumentation.emit(ConsumerEvents.REBALANCING, {
            groupId: c.groupId,
            memberId: consumer.groupMetadata().memberId,
          });
        await this.commitResolved();
      },
      onPartitionsAssigned: async (partitions) => {
        this.retrier = new RunRetrier(this.retry);
        this.emitGroupJoin(consumer);
        if (!mixed) return;
        // Topics subscribed fromBeginning start at the earliest offset where nothing is committed.
        const early = partitions.filter((tp) => this.topics.get(tp.topic) === true);
        if (early.length === 0) return;
        const committed = await consumer.committed(early);
        consumer.seekToBeginning(early.filter((tp) => committed.get(tp) === undefined));
      },
    });
    // As KafkaJS's run, resolve once in the group (poll(0) returns as soon as it has joined).
    const first = await consumer.poll(0);
    this.running = true;
    this.retrier = new RunRetrier(this.retry);
    const loop = this.runLoop(consumer, first);
    this.loop = loop;
    void loop.then((crash) => {
      if (crash !== null) void this.onCrash(crash);
    });
  }

  private emitGroupJoin(consumer: TsConsumer): void {
    const memberAssignment: Record<string, number[]> = {};
    for (const tp of consumer.assignment())
      memberAssignment[tp.topic] = [...(memberAssignment[tp.topic] ?? []), tp.partition];
    const { memberId } = consumer.groupMetadata();
    const join = this.lastJoin;
    this.instrumentation.emit(ConsumerEvents.GROUP_JOIN, {
      groupId: this.config.groupId,
      memberId,
      leaderId: join?.leader ?? '',
      isLeader: join !== null && join.leader === memberId,
      memberAssignment,
      groupProtocol: join?.protocolName ?? '',
      duration: Date.now() - this.joinStarted,
    });
  }

  /**
   * The tskafka clients' request observer: the network events, and what KafkaJS's consumer
   * group reports from its responses (heartbeats answered, the join's leader and protocol).
   */
  private readonly observer: RequestObserver = {
    onResponse: (trace, response) => {
      this.instrumentation.requestObserver.onResponse?.(trace, response);
      const body = response as { errorCode?: number; leader?: string; protocolName?: string | null };
      if (trace.apiKey === HEARTBEAT_KEY && body.errorCode === 0) {
        const consumer = this.consumer;
        if (consumer === null || !this.instrumentation.has(ConsumerEvents.HEARTBEAT)) return;
        const { generationId, memberId } = consumer.groupMetadata();
        this.instrumentation.emit(ConsumerEvents.HEARTBEAT, {
          groupId: this.config.groupId,
          memberId,
          groupGenerationId: generationId,
        });
      } else if (trace.apiKey === JOIN_GROUP_KEY && body.errorCode === 0)
        this.lastJoin = { leader: body.leader ?? '', protocolName: body.protocolName ?? '' };
    },
    onTimeout: (trace) => this.instrumentation.requestObserver.onTimeout?.(trace),
  };

  /** Polls and hands out until stopped; resolves with the error to crash on, or null. */
  private async runLoop(
    consumer: TsConsumer,
    first: ConsumerRecord<Buffer | null, Buffer | null>[],
  ): Promise<Error | null> {
    const maxWait = this.config.maxWaitTimeInMs ?? 5_000;
    try {
      await handleRecords(this.batches, consumer, first);
    } catch (e) {
      const decision = this.retrier.failed(e);
      if (decision.error !== undefined) return decision.error;
      await this.sleep(decision.waitMs);
    }
    while (this.running) {
      try {
        const fetchStart = Date.now();
        for (const nodeId of this.nodeIds) this.instrumentation.emit(ConsumerEvents.FETCH_START, { nodeId });
        let records: ConsumerRecord<Buffer | null, Buffer | null>[];
        try {
          records = await consumer.poll(maxWait);
        } catch (e) {
          throw toKafkaJSError(e);
        }
        if (this.instrumentation.has(ConsumerEvents.FETCH)) {
          const duration = Date.now() - fetchStart;
          for (const nodeId of this.nodeIds)
            this.instrumentation.emit(ConsumerEvents.FETCH, { numberOfBatches: 0, duration, nodeId });
        }
        await handleRecords(this.batches, consumer, records);
      } catch (e) {
        if (!this.running) break;
        const decision = this.retrier.failed(e);
        if (decision.error !== undefined) return decision.error;
        this.logger().debug('Error while running the consumer, trying again...', {
          groupId: this.config.groupId,
          error: (e as Error).message,
          retryTime: decision.waitMs,
        });
        await this.sleep(decision.waitMs);
      }
    }
    return null;
  }

  /** Waits `ms`, or less if the consumer stops. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const wake = this.wake;
      function done(): void {
        clearTimeout(timer);
        wake.delete(done);
        resolve();
      }
      wake.add(done);
    });
  }

  /**
   * KafkaJS's `onCrash`: disconnect, then CRASH with whether it restarts: after a retriable
   * failure (retries exhausted, or a retriable cause) unless `retry.restartOnFailure` says no.
   */
  private async onCrash(error: Error): Promise<void> {
    const logger = this.logger();
    logger.error(`Crash: ${error.name}: ${error.message}`, {
      groupId: this.config.groupId,
      retryCount: (error as { retryCount?: number }).retryCount,
    });
    await this.disconnect().catch((e) =>
      logger.warn('disconnecting the crashed consumer failed', { groupId: this.config.groupId, error: e }),
    );
    const retry = this.retry;
    const retriable =
      error.name === 'KafkaJSNumberOfRetriesExceeded' ||
      (originalCause(error) as { retriable?: unknown }).retriable === true;
    const restart =
      retriable &&
      (retry.restartOnFailure === undefined ||
        (await retry.restartOnFailure(error).catch((e: unknown) => {
          logger.error(
            'Caught error when invoking user-provided "restartOnFailure" callback. Defaulting to restarting.',
            { error: e, cause: error.message, groupId: this.config.groupId },
          );
          return true;
        })));
    this.instrumentation.emit(ConsumerEvents.CRASH, { error, groupId: this.config.groupId, restart });
    if (!restart) return;
    const retryTime =
      (error as { retryTime?: number }).retryTime || retry.initialRetryTime || DEFAULT_INITIAL_RETRY_TIME;
    logger.error(`Restarting the consumer in ${retryTime}ms`, { groupId: this.config.groupId, retryTime });
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      this.restarting = this.restart().finally(() => {
        this.restarting = null;
      });
    }, retryTime);
  }

  private async restart(): Promise<void> {
    try {
      this.admin = await this.context.connectAdmin('Consumer', undefined, this.observer);
      await this.start();
    } catch (e) {
      await this.onCrash(toKafkaJSError(e));
    }
  }

  /** KafkaJS's `commitOffsetsIfNecessary`: commits once `autoCommitInterval` or `autoCommitThreshold` says so. */
  private async commitIfNecessary(): Promise<void> {
    const { autoCommitInterval, autoCommitThreshold } = this.run_;
    const byInterval = autoCommitInterval != null && Date.now() - this.lastCommit >= autoCommitInterval;
    const byThreshold = autoCommitThreshold != null && this.resolved.count >= autoCommitThreshold;
    if (byInterval || byThreshold) await this.commitResolved();
  }

  private async commitResolved(): Promise<void> {
    const consumer = this.consumer;
    if (consumer === null) return;
    const offsets = this.resolved.uncommitted();
    this.lastCommit = Date.now();
    if (offsets.length === 0) return;
    this.resolved.count = 0;
    // Not committed (it throws): they stay uncommitted for the next commit.
    await consumer.commitSync(offsets);
    this.resolved.committed(offsets);
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
    for (const r of this.resolved.uncommitted()) {
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
    this.resolved.forget(tp.topic, tp.partition);
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
    if (this.restartTimer !== null) clearTimeout(this.restartTimer);
    this.restartTimer = null;
    if (this.restarting !== null) await this.restarting;
    if (this.loop === null) return;
    this.running = false;
    for (const wake of [...this.wake]) wake();
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
