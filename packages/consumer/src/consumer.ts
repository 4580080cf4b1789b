/**
 * The consumer (Java's `KafkaConsumer`): `subscribe` or `assign`, then `poll`, the async
 * iterator or `run`. Group membership, commits and the rebalance listener run through the
 * {@link ConsumerCoordinator}; records come from the {@link Fetcher}. How the parts are configured
 * is in `consumer-setup.ts`, offsets looked up and committed in `offset-lookup.ts` and
 * `offset-commit.ts`.
 *
 * @module
 */

import { Api } from '@tskafka/protocol/internals';
import {
  type CloseOptions,
  DEFAULT_CLOSE_TIMEOUT_MS,
  diagnosticChannels,
  type KafkaMetric,
  type KafkaProperties,
  type Logger,
  stderrLogger,
  systemTimerClock,
  type TimerClock,
} from '@tskafka/transport';
import {
  Cluster,
  type ConsumerConfig,
  clusterOptionsFromConfig,
  consumerSchema,
  loadConfig,
  type ResolvedConsumerConfig,
  raceTimer,
  resolveClasses,
} from '@tskafka/transport/internals';
import type { ConsumerPartitionAssignor } from './assignors/index.js';
import { ConsumerMetrics } from './consumer-metrics.js';
import { coordinatorOptions, fetcherOptions, loadPlugins } from './consumer-setup.js';
import { ConsumerCoordinator } from './coordinator.js';
import { Deserializers } from './deserializers.js';
import { ConsumerClosedError, ConsumerError, GroupIdRequiredError } from './errors.js';
import { type FetchedRecord, Fetcher } from './fetcher.js';
import { type ConsumerInterceptor, ConsumerInterceptors } from './interceptors.js';
import { MemberState } from './membership.js';
import { refreshMetadataOrWarn } from './metadata-refresh.js';
import { offsetsToCommit } from './offset-commit.js';
import {
  beginningOrEndOffsets,
  EARLIEST_TIMESTAMP,
  LATEST_TIMESTAMP,
  updateFetchPositions,
} from './offset-lookup.js';
import type { ConsumerOptions, RunOptions } from './options.js';
import { dispatch } from './run-loop.js';
import { type PartitionState, SubscriptionState, SubscriptionType } from './subscription-state.js';
import type {
  ConsumerGroupMetadata,
  ConsumerRebalanceListener,
  ConsumerRecord,
  OffsetAndMetadata,
  OffsetsToCommit,
  TopicPartition,
} from './types.js';
import { partitionKey } from './types.js';

/**
 * A Kafka consumer.
 *
 * ```ts
 * const consumer = new Consumer({ bootstrapServers: 'localhost:9092', groupId: 'billing',
 *   autoOffsetReset: 'earliest', valueDeserializer: 'string' });
 * await consumer.connect();
 * await consumer.subscribe(['orders']);
 * const records = await consumer.poll(1000);
 * await consumer.close();
 * ```
 *
 * @typeParam K - the key type the key deserializer produces.
 * @typeParam V - the value type the value deserializer produces.
 */
export class Consumer<K = Buffer | null, V = Buffer | null> implements AsyncIterable<ConsumerRecord<K, V>> {
  /** The options after loading: every key with its value or Java's default. */
  readonly config: ConsumerConfig;
  private readonly cluster: Cluster;
  private readonly consumerMetrics: ConsumerMetrics;
  private readonly logger: Logger;
  private readonly clock: TimerClock;
  private readonly pending: Promise<ResolvedConsumerConfig>;
  private readonly subscriptions = new SubscriptionState();
  private readonly fetcher: Fetcher;
  private coordinator: ConsumerCoordinator | null = null;
  private deserializers = new Deserializers<K, V>();
  private interceptors: ConsumerInterceptors<K, V>;
  private assignors: ConsumerPartitionAssignor[] = [];
  private listener: ConsumerRebalanceListener | undefined;
  private connecting: Promise<void> | null = null;
  private closing: Promise<void> | null = null;
  private polling = false;
  private closed = false;
  private nextPatternMatch = 0;
  private running: Promise<void> | null = null;
  private stopRequested = false;
  private readonly typedAssignors: readonly (string | ConsumerPartitionAssignor)[] | undefined;
  private readonly typedInterceptors: readonly ConsumerInterceptor<K, V>[] | undefined;

  /**
   * A consumer; nothing is connected until {@link Consumer.connect}.
   *
   * @param options - camelCase options, or Kafka's property names (`{ 'group.id': 'g' }`), or a
   *   `.properties` file path; see {@link ConsumerOptions}.
   * @param load - where module paths in Kafka-named properties are relative to, and what to call
   *   the input in errors; set by `Kafka.fromProperties`.
   * @throws ConfigError naming an unknown or ill-typed key (and the nearest valid one).
   */
  constructor(
    options: ConsumerOptions<K, V> | KafkaProperties | string,
    load: { baseDir?: string; source?: string } = {},
  ) {
    const { sasl, ssl, logger, clock, partitionAssignors, interceptors, requestObserver, ...rest } =
      typeof options === 'string'
        ? ({} as Partial<ConsumerOptions<K, V>>)
        : (options as ConsumerOptions<K, V>);
    this.logger = logger ?? stderrLogger();
    this.clock = clock ?? systemTimerClock;
    // Assignor and interceptor objects are typed here; names and module paths go through the schema.
    const objects = (list: readonly unknown[] | undefined) =>
      list?.some((x) => typeof x === 'object') === true;
    this.typedAssignors = objects(partitionAssignors) ? partitionAssignors : undefined;
    this.typedInterceptors = interceptors;
    const input: Record<string, unknown> = typeof options === 'string' ? {} : { ...rest };
    if (partitionAssignors !== undefined && this.typedAssignors === undefined)
      input.partitionAssignors = partitionAssignors;
    this.config = loadConfig(
      consumerSchema,
      typeof options === 'string' ? options : (input as KafkaProperties),
      {
        ...load,
        warn: (m) => this.logger.warn(m),
      },
    );
    const c = this.config;
    const clusterOptions = clusterOptionsFromConfig(
      c,
      { sasl, ssl, logger: this.logger, requestObserver },
      'tskafka-consumer',
    );
    this.consumerMetrics = new ConsumerMetrics(c.clientId ?? 'tskafka-consumer', this.subscriptions, () =>
      this.clock.now(),
    );
    this.cluster = new Cluster({ ...clusterOptions, networkMetrics: this.consumerMetrics.network });
    this.interceptors = new ConsumerInterceptors<K, V>([], this.logger);
    this.fetcher = new Fetcher(this.cluster, this.subscriptions, fetcherOptions(c), this.logger);
    this.pending = resolveClasses(consumerSchema, c);
    this.pending.catch(() => {}); // reported by connect()
  }

  /**
   * Connects to the cluster and imports plugins named by module path. Resolves when the consumer
   * can subscribe, assign and poll. Tries the bootstrap servers in turn, with backoff, for
   * `options.timeoutMs` (default `default.api.timeout.ms`), then rejects with a `ConnectionError`
   * naming the addresses tried.
   */
  connect(options: { timeoutMs?: number } = {}): Promise<void> {
    if (this.closing !== null) return Promise.reject(new ConsumerClosedError('the consumer is closed'));
    this.connecting ??= this.doConnect(options.timeoutMs);
    return this.connecting;
  }

  private async doConnect(timeoutMs: number | undefined): Promise<void> {
    const plugins = await this.pending;
    const c = this.config;
    const loaded = loadPlugins<K, V>(
      plugins,
      { assignors: this.typedAssignors, interceptors: this.typedInterceptors },
      this.logger,
    );
    this.deserializers = loaded.deserializers;
    this.interceptors = loaded.interceptors;
    this.assignors = loaded.assignors;
    if (c.groupId !== undefined) {
      this.coordinator = new ConsumerCoordinator(
        this.cluster,
        this.subscriptions,
        coordinatorOptions(c, c.groupId, this.assignors),
        {
          listener: () => this.listener,
          onCommit: (offsets) => this.interceptors.onCommit(offsets),
          wake: () => this.fetcher.wake(),
          revoked: () => this.fetcher.dropUnassigned(),
          clock: this.clock,
        },
        this.logger,
      );
    }
    try {
      await this.cluster.connect(timeoutMs === undefined ? {} : { timeoutMs });
    } catch (e) {
      this.connecting = null;
      throw e;
    }
  }

  private async ready(): Promise<void> {
    // While closing, the rebalance listener may still commit; after close nothing works.
    if (this.closed) throw new ConsumerClosedError('the consumer is closed');
    if (this.connecting === null) throw new ConsumerError('call and await consumer.connect() first');
    await this.connecting;
  }

  // ---- subscription ----------------------------------------------------------------------------

  /**
   * Subscribes to `topics` (or every topic matching a pattern): the group assigns partitions at
   * the next poll. `listener` is called around each rebalance.
   *
   * @throws GroupIdRequiredError without `groupId`.
   */
  async subscribe(topics: readonly string[] | RegExp, listener?: ConsumerRebalanceListener): Promise<void> {
    await this.ready();
    const coordinator = this.coordinator;
    if (coordinator === null)
      throw new GroupIdRequiredError('subscribe() needs a groupId; use assign() without one');
    this.listener = listener;
    if (topics instanceof RegExp) {
      this.subscriptions.subscribePattern(topics);
      await this.matchPattern();
      coordinator.requestRejoin('subscribed to a pattern');
    } else {
      if (topics.length === 0) {
        await this.unsubscribe();
        return;
      }
      if (this.subscriptions.subscribe(topics)) coordinator.requestRejoin('subscription changed');
      await refreshMetadataOrWarn(this.cluster, this.logger, [...topics], 'subscribe');
    }
  }

  /**
   * Matches the pattern subscription against every topic in the cluster; returns whether the
   * matching topics changed. Repeated every `metadata.max.age.ms`, so new topics are picked up.
   */
  private async matchPattern(): Promise<boolean> {
    this.nextPatternMatch = this.clock.now() + this.config.metadataMaxAgeMs;
    const res = await this.cluster.requestAny(Api.Metadata, { topics: null, allowAutoTopicCreation: false });
    const all = res.topics
      .filter((t) => !(this.config.excludeInternalTopics && t.isInternal))
      .map((t) => t.name ?? '');
    const changed = this.subscriptions.matchTopics(all);
    if (changed)
      await refreshMetadataOrWarn(
        this.cluster,
        this.logger,
        [...this.subscriptions.topics],
        'a pattern subscription',
      );
    return changed;
  }

  /** Assigns partitions by hand: no group membership, no rebalances. */
  async assign(partitions: readonly TopicPartition[]): Promise<void> {
    await this.ready();
    if (partitions.length === 0) {
      await this.unsubscribe();
      return;
    }
    this.subscriptions.assignFromUser(partitions);
    this.fetcher.dropUnassigned();
    await refreshMetadataOrWarn(
      this.cluster,
      this.logger,
      [...new Set(partitions.map((p) => p.topic))],
      'assign',
    );
  }

  /** Drops the subscription or assignment; a group member leaves the group (revoking first). */
  async unsubscribe(): Promise<void> {
    if (this.subscriptions.hasAutoAssignment && this.coordinator !== null) {
      const owned = this.subscriptions.assignment();
      if (owned.length > 0) await this.listener?.onPartitionsRevoked?.(owned);
      await this.coordinator.leaveGroup('the consumer unsubscribed');
    }
    this.subscriptions.unsubscribe();
    this.fetcher.dropUnassigned();
  }

  /** The partitions assigned now. */
  assignment(): TopicPartition[] {
    return this.subscriptions.assignment();
  }

  /** The topics subscribed to. */
  subscription(): string[] {
    return [...this.subscriptions.topics].sort();
  }

  // ---- polling ---------------------------------------------------------------------------------

  /**
   * Returns up to `max.poll.records` records, waiting up to `timeoutMs` for some. Joins or
   * rejoins the group first when needed (calling the rebalance listener); a join is not cut short
   * by `timeoutMs`, so `poll(0)` returns once the member is in the group. Commits on the
   * auto-commit interval. Records of one partition come in offset order.
   */
  async poll(timeoutMs: number): Promise<ConsumerRecord<K, V>[]> {
    await this.ready();
    if (this.closing !== null) throw new ConsumerClosedError('the consumer is closing');
    if (this.polling)
      throw new ConsumerError('poll() is already running: the consumer is not safe for concurrent polls');
    if (this.subscriptions.type === SubscriptionType.None)
      throw new ConsumerError('Consumer is not subscribed to any topics or assigned any partitions');
    this.polling = true;
    this.consumerMetrics.polled();
    try {
      return await this.pollOnce(timeoutMs);
    } finally {
      this.polling = false;
    }
  }

  private async pollOnce(timeoutMs: number): Promise<ConsumerRecord<K, V>[]> {
    const deadline = this.clock.now() + timeoutMs;
    for (;;) {
      if (this.closing !== null || this.stopRequested) return [];
      const coordinator = this.coordinator;
      if (coordinator !== null && this.subscriptions.hasAutoAssignment) {
        const joining = coordinator.membership.needsJoin;
        const joinStart = this.clock.now();
        if (
          this.subscriptions.type === SubscriptionType.AutoPattern &&
          this.clock.now() >= this.nextPatternMatch
        ) {
          if (await this.matchPattern()) coordinator.requestRejoin('topics matching the pattern changed');
        }
        await coordinator.ensureActiveGroup();
        if (joining) {
          const latencyMs = this.clock.now() - joinStart;
          this.consumerMetrics.rebalanced(latencyMs);
          if (diagnosticChannels.consumerRebalance.hasSubscribers)
            diagnosticChannels.consumerRebalance.publish({
              clientId: this.cluster.options.clientId,
              groupId: this.config.groupId,
              generationId: coordinator.membership.generationId,
              assignment: this.subscriptions.assignment(),
              latencyMs,
            });
        }
        await coordinator.maybeAutoCommit();
      } else if (coordinator !== null) {
        coordinator.membership.pollCalled(this.clock.now());
        await coordinator.maybeAutoCommit();
      }
      await updateFetchPositions(this.cluster, this.subscriptions, this.coordinator, this.config);
      const fetched = this.fetcher.collect(this.config.maxPollRecords);
      this.fetcher.sendFetches();
      if (fetched.length > 0) return this.toRecords(fetched);
      const remaining = deadline - this.clock.now();
      if (remaining <= 0) return [];
      if (coordinator?.membership.needsJoin && this.subscriptions.hasAutoAssignment) continue;
      await raceTimer(this.clock, this.fetcher.waitForData(), remaining, () => undefined);
    }
  }

  private toRecords(fetched: FetchedRecord[]): ConsumerRecord<K, V>[] {
    this.consumerMetrics.consumed(fetched);
    if (diagnosticChannels.consumerFetch.hasSubscribers)
      diagnosticChannels.consumerFetch.publish({
        clientId: this.cluster.options.clientId,
        records: fetched.length,
      });
    const out = this.deserializers.records(fetched);
    return this.interceptors.isEmpty ? out : this.interceptors.onConsume(out);
  }

  /**
   * The consumer's metrics, with Java's names and meanings: `consumer-fetch-manager-metrics`
   * (`records-consumed-rate`/`-total`, `bytes-consumed-rate`, `fetch-latency-avg`/`-max`,
   * `fetch-rate`, `records-lag-max`, and `records-lag` per partition with `topic` and `partition`
   * tags), `consumer-coordinator-metrics` (`commit-latency-avg`, `rebalance-latency-avg`,
   * `rebalance-total`, `rebalance-rate-per-hour`), `consumer-metrics` (`last-poll-seconds-ago`,
   * `time-between-poll-avg`) and the network's (`request-rate`, `incoming-byte-rate`, ...).
   */
  metrics(): KafkaMetric[] {
    return this.consumerMetrics.snapshot();
  }

  /** Polls forever, one record at a time: `for await (const record of consumer)`; ends on `close()`. */
  async *[Symbol.asyncIterator](): AsyncIterator<ConsumerRecord<K, V>> {
    while (this.closing === null) {
      const records = await this.poll(1_000);
      for (const r of records) {
        if (this.closing !== null) return;
        yield r;
      }
    }
  }

  /**
   * Polls in a loop and hands the records to `eachMessage` (one at a time) or `eachBatch` (per
   * partition), awaiting each call. Resolves when {@link Consumer.stop} or `close()` is called.
   * If a handler throws, the consumer seeks back to the first record not handled (so it is read
   * again, and auto commit never commits it) and `run` rejects with the error.
   */
  run(options: RunOptions<K, V>): Promise<void> {
    if (this.running !== null) return Promise.reject(new ConsumerError('run() is already running'));
    if ((options.eachMessage === undefined) === (options.eachBatch === undefined))
      return Promise.reject(new ConsumerError('run() takes exactly one of eachMessage and eachBatch'));
    this.stopRequested = false;
    const loop = this.runLoop(options).finally(() => {
      this.running = null;
    });
    this.running = loop;
    return loop;
  }

  private async runLoop(options: RunOptions<K, V>): Promise<void> {
    const timeout = options.pollTimeoutMs ?? 1_000;
    while (this.closing === null && !this.stopRequested) {
      await dispatch(await this.poll(timeout), options, this.subscriptions);
    }
  }

  /** Ends a {@link Consumer.run} loop after the current record or batch; resolves when it has. */
  async stop(): Promise<void> {
    this.stopRequested = true;
    this.fetcher.wake();
    await this.running?.catch(() => undefined);
  }

  // ---- positions -------------------------------------------------------------------------------

  private stateOf(tp: TopicPartition): PartitionState {
    const s = this.subscriptions.state(tp.topic, tp.partition);
    if (s === undefined)
      throw new ConsumerError(`No current assignment for partition ${partitionKey(tp.topic, tp.partition)}`);
    return s;
  }

  /** Moves `partition` to `offset`: the next poll returns records from there. */
  seek(partition: TopicPartition, offset: number): void {
    if (!Number.isSafeInteger(offset) || offset < 0)
      throw new RangeError(`seek offset must not be negative: ${offset}`);
    this.subscriptions.seek(this.stateOf(partition), offset);
  }

  /** Moves partitions (default: all assigned) to their first offset, looked up at the next poll. */
  seekToBeginning(partitions?: readonly TopicPartition[]): void {
    for (const tp of partitions ?? this.subscriptions.assignment())
      this.subscriptions.requestReset(this.stateOf(tp), 'earliest');
  }

  /** Moves partitions (default: all assigned) to their end, looked up at the next poll. */
  seekToEnd(partitions?: readonly TopicPartition[]): void {
    for (const tp of partitions ?? this.subscriptions.assignment())
      this.subscriptions.requestReset(this.stateOf(tp), 'latest');
  }

  /** The offset of the next record `poll` returns for `partition`, looking it up if not known yet. */
  async position(partition: TopicPartition): Promise<number> {
    await this.ready();
    const s = this.stateOf(partition);
    if (s.position === null)
      await updateFetchPositions(this.cluster, this.subscriptions, this.coordinator, this.config, {
        operation: 'position',
      });
    if (s.position === null) throw new ConsumerError(`no position for ${s.key}`);
    return s.position;
  }

  /**
   * The first offset of each partition (Java's `beginningOffsets`), asked of the leaders; the
   * partitions need not be assigned.
   */
  async beginningOffsets(partitions: readonly TopicPartition[]): Promise<Map<TopicPartition, number>> {
    await this.ready();
    return beginningOrEndOffsets(
      this.cluster,
      this.config,
      partitions,
      EARLIEST_TIMESTAMP,
      'beginningOffsets',
    );
  }

  /**
   * The end offset of each partition (Java's `endOffsets`): the high watermark, or under
   * `isolationLevel: 'read_committed'` the last stable offset (nothing at or after it is readable
   * until the open transactions before it end). The partitions need not be assigned.
   */
  async endOffsets(partitions: readonly TopicPartition[]): Promise<Map<TopicPartition, number>> {
    await this.ready();
    return beginningOrEndOffsets(this.cluster, this.config, partitions, LATEST_TIMESTAMP, 'endOffsets');
  }

  /** The committed offsets of `partitions` (default: all assigned); null where none is committed. */
  async committed(
    partitions: readonly TopicPartition[] = this.subscriptions.assignment(),
  ): Promise<Map<TopicPartition, OffsetAndMetadata | null>> {
    await this.ready();
    const coordinator = this.requireGroup('committed()');
    const found = await coordinator.fetchCommitted(partitions, this.config.defaultApiTimeoutMs, {
      operation: 'committed',
    });
    const out = new Map<TopicPartition, OffsetAndMetadata | null>();
    for (const tp of partitions) out.set(tp, found.get(partitionKey(tp.topic, tp.partition)) ?? null);
    return out;
  }

  /** Stops fetching `partitions` until {@link Consumer.resume}; buffered records are held back. */
  pause(partitions: readonly TopicPartition[]): void {
    for (const tp of partitions) this.stateOf(tp).paused = true;
  }

  /** Resumes fetching paused partitions. */
  resume(partitions: readonly TopicPartition[]): void {
    for (const tp of partitions) this.stateOf(tp).paused = false;
    this.fetcher.wake();
  }

  /** The paused partitions. */
  paused(): TopicPartition[] {
    return [...this.subscriptions.states()]
      .filter((s) => s.paused)
      .map((s) => ({ topic: s.topic, partition: s.partition }));
  }

  /**
   * The high watermark of an assigned partition as its last fetch response gave it (what Java's
   * `currentLag` reads), or null before the first fetch or for a partition not assigned.
   */
  highWatermark(partition: TopicPartition): number | null {
    const hw = this.subscriptions.state(partition.topic, partition.partition)?.highWatermark ?? -1;
    return hw >= 0 ? hw : null;
  }

  // ---- commits ---------------------------------------------------------------------------------

  private requireGroup(what: string): ConsumerCoordinator {
    if (this.coordinator === null) throw new GroupIdRequiredError(`${what} needs a groupId`);
    return this.coordinator;
  }

  /**
   * Commits `offsets` (the next offsets to read), by default the position of every assigned
   * partition, i.e. everything `poll` has returned. Resolves when the coordinator stored them.
   *
   * @throws CommitFailedError when the group rebalanced and the member lost its generation.
   */
  async commitSync(offsets?: OffsetsToCommit): Promise<void> {
    await this.ready();
    const coordinator = this.requireGroup('commitSync()');
    await coordinator.commit(offsetsToCommit(this.subscriptions, offsets), this.config.defaultApiTimeoutMs, {
      operation: 'commitSync',
    });
  }

  /**
   * Commits like {@link Consumer.commitSync} without the caller waiting: `callback` gets the
   * offsets and the error, if any. The returned promise never rejects.
   */
  commitAsync(
    offsets?: OffsetsToCommit,
    callback?: (offsets: Map<TopicPartition, OffsetAndMetadata>, error: Error | null) => void,
  ): Promise<void> {
    let map: Map<TopicPartition, OffsetAndMetadata>;
    try {
      map = offsetsToCommit(this.subscriptions, offsets);
    } catch (e) {
      callback?.(new Map(), e as Error);
      return Promise.resolve();
    }
    return this.ready()
      .then(() => this.requireGroup('commitAsync()').commit(map, this.config.defaultApiTimeoutMs))
      .then(
        () => callback?.(map, null),
        (e: Error) => {
          if (callback === undefined) this.logger.warn('commitAsync failed', { error: e });
          else callback(map, e);
        },
      );
  }

  /** The group state for a transactional producer's `sendOffsetsToTransaction`. */
  groupMetadata(): ConsumerGroupMetadata {
    const c = this.coordinator;
    if (c === null) throw new GroupIdRequiredError('groupMetadata() needs a groupId');
    return {
      groupId: c.options.groupId,
      generationId: c.membership.generationId,
      memberId: c.membership.memberId,
      groupInstanceId: c.options.groupInstanceId,
    };
  }

  /** Where the member is in the group (`Unjoined` without a group). */
  get memberState(): MemberState {
    return this.coordinator?.membership.state ?? MemberState.Unjoined;
  }

  // ---- closing ---------------------------------------------------------------------------------

  /**
   * Closes: ends `run` and the async iterator, commits (with auto commit), calls
   * `onPartitionsRevoked`, leaves the group (a dynamic member; a static one keeps its place until
   * its session times out), and closes the connections.
   *
   * Returns within `timeoutMs` (default {@link DEFAULT_CLOSE_TIMEOUT_MS}, 30 s, as Java's
   * `close()`) whatever the cluster does: what is not done by then (the final commit, LeaveGroup)
   * is given up with a warning in the log, the connections are closed, and requests still waiting
   * on them reject with `ClientClosedError`. Calling it again returns the first call's promise.
   */
  close(options: CloseOptions = {}): Promise<void> {
    this.closing ??= this.doClose(options.timeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS);
    return this.closing;
  }

  private async doClose(timeoutMs: number): Promise<void> {
    this.stopRequested = true;
    this.fetcher.wake();
    const deadline = this.clock.now() + timeoutMs;
    const graceful = (async () => {
      await this.running?.catch(() => undefined);
      if (this.connecting === null) return;
      await this.connecting.catch(() => undefined);
      await this.coordinator?.close(Math.max(0, deadline - this.clock.now()));
      await this.fetcher.closeSessions();
    })();
    try {
      const done = await raceTimer(
        this.clock,
        graceful.then(() => true),
        timeoutMs,
        () => false,
      );
      if (!done) {
        // Whatever it was still waiting for fails once the connections close below.
        graceful.catch((error: unknown) =>
          this.logger.debug('a step of close() failed after close gave up on it', { error: error as Error }),
        );
        this.logger.warn(
          `the consumer did not close within ${timeoutMs} ms (close timeoutMs): closing the connections without waiting for the final commit, the rebalance listener or LeaveGroup`,
        );
      }
    } finally {
      this.closed = true;
      this.coordinator?.abandon();
      this.fetcher.close();
      this.interceptors.close();
      await this.cluster.close();
    }
  }
}
