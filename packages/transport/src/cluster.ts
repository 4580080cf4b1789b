/**
 * The cluster as a client sees it (Java's `NetworkClient` plus `Metadata`): bootstrap, the
 * connection pool, the metadata cache and its refreshes, routing to partition leaders,
 * coordinators (found and cached in `coordinators.ts`) and the least-loaded broker, and retries.
 *
 * @module
 */
import { lookup, lookupService } from 'node:dns/promises';
import { EventEmitter } from 'node:events';
import { createKafkaError, errorByCode } from '@tskafka/protocol';
import { Api, type ApiDef, ZERO_UUID } from '@tskafka/protocol/internals';
import type { Connection, RequestOf, RequestOptions, ResponseOf } from './connection.js';
import { type Coordinator, Coordinators, type CoordinatorType } from './coordinators.js';
import {
  ClientClosedError,
  ConnectionError,
  isRetriableError,
  isStaleMetadataError,
  KafkaTimeoutError,
} from './errors.js';
import type { Logger } from './logger.js';
import { type BrokerMetadata, MetadataCache, type TopicMetadata } from './metadata.js';
import {
  type BrokerAddress,
  type ClusterOptions,
  type ResolvedClusterOptions,
  resolveClusterOptions,
} from './options.js';
import { ConnectionPool, DEFAULT_CONNECTION_GROUP } from './pool.js';
import { type RetryOptions, retry, sleep } from './retry.js';

/** Per-request options of a {@link Cluster}: a connection group besides the version and timeout. */
export interface ClusterRequestOptions extends RequestOptions {
  /** The connection group (default `default`); e.g. `coordinator` keeps group traffic apart. */
  group?: string;
}

/** The events of a {@link Cluster}. */
export interface ClusterEvents {
  /** Metadata was updated (`updateVersion` moved). */
  metadata: [metadata: MetadataCache];
}

/** The connection group of coordinator requests made through {@link Cluster.requestCoordinator}. */
export const COORDINATOR_CONNECTION_GROUP = 'coordinator';

/** UNKNOWN_TOPIC_OR_PARTITION: the topic does not exist (and the broker will not create it). */
const UNKNOWN_TOPIC_OR_PARTITION = 3;
/** How long a topic may be missing from the metadata before {@link Cluster.waitForTopic} says so. */
const MISSING_TOPIC_WARN_MS = 3_000;
/** Topic errors that waiting will not fix. */
const FATAL_TOPIC_ERRORS = new Set([17 /* INVALID_TOPIC_EXCEPTION */, 29 /* TOPIC_AUTHORIZATION_FAILED */]);

interface Refresh {
  readonly topics: ReadonlySet<string>;
  readonly promise: Promise<MetadataCache>;
}

/**
 * A Kafka cluster: call {@link Cluster.connect} (bootstrap), then route requests with
 * {@link Cluster.request}, {@link Cluster.requestAny}, {@link Cluster.leaderFor} and
 * {@link Cluster.findCoordinator}; {@link Cluster.close} when done.
 */
export class Cluster extends EventEmitter<ClusterEvents> {
  /** The options, with defaults filled in. */
  readonly options: ResolvedClusterOptions;
  /** The metadata cache. */
  readonly metadata = new MetadataCache();
  /** The connections. */
  readonly pool: ConnectionPool;
  private readonly trackedTopics = new Set<string>();
  private readonly coordinators: Coordinators;
  private readonly abort = new AbortController();
  private refreshing: Refresh | null = null;
  private queuedRefresh: Promise<MetadataCache> | null = null;
  private updateTimer: NodeJS.Timeout | null = null;
  private closed = false;
  /** The bootstrap addresses: as configured, or their canonical names (`client.dns.lookup`). */
  private bootstrap: readonly BrokerAddress[];
  private canonicalised = false;

  /** A cluster client; nothing connects until {@link Cluster.connect} or the first request. */
  constructor(options: ClusterOptions) {
    super();
    this.options = resolveClusterOptions(options);
    const o = this.options;
    this.bootstrap = o.bootstrapServers;
    this.pool = new ConnectionPool({
      connection: {
        clientId: o.clientId,
        requestTimeoutMs: o.requestTimeoutMs,
        connectionTimeoutMs: o.connectionTimeoutMs,
        sasl: o.sasl,
        ssl: o.ssl,
        logger: o.logger,
        clock: o.clock,
        maxResponseSize: o.maxResponseSize,
        networkMetrics: o.networkMetrics,
        requestObserver: o.requestObserver,
      },
      reconnectBackoffMs: o.reconnectBackoffMs,
      reconnectBackoffMaxMs: o.reconnectBackoffMaxMs,
      connectionsMaxIdleMs: o.connectionsMaxIdleMs,
      clock: o.clock,
      logger: o.logger,
      random: o.random,
      resolveAddress: (nodeId) => this.addressOf(nodeId),
      onDisconnect: (nodeId) => {
        if (nodeId >= 0) this.requestMetadataUpdate();
      },
    });
    this.coordinators = new Coordinators(
      () => this.anyConnection(),
      (fn, timeoutMs) => this.retry(fn, { timeoutMs: timeoutMs ?? o.defaultApiTimeoutMs }),
    );
  }

  /** Whether {@link Cluster.close} was called. */
  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Bootstraps: fetches metadata from the first bootstrap address that answers (trying each in
   * turn), then keeps it fresh in the background. As Java's clients, a refused connection, a
   * dropped request or a broker that is briefly down is retried, on the next address and after
   * the reconnect backoff (`reconnect.backoff.ms` growing to `reconnect.backoff.max.ms`), until
   * `options.timeoutMs` (default `default.api.timeout.ms`; the producer passes `max.block.ms`).
   * Rejects then with a {@link ConnectionError} naming the addresses tried and the last failure,
   * or at once with an error that retrying will not fix (authentication). With `once`, one pass
   * over the addresses, for a caller that retries on its own.
   */
  async connect(options: { timeoutMs?: number; once?: boolean } = {}): Promise<void> {
    if (options.once === true) {
      await this.refreshMetadata();
      return;
    }
    const o = this.options;
    const timeoutMs = options.timeoutMs ?? o.defaultApiTimeoutMs;
    if (o.clientDnsLookup === 'resolve_canonical_bootstrap_servers_only' && !this.canonicalised) {
      this.bootstrap = await canonicalAddresses(this.bootstrap, o.logger);
      this.canonicalised = true;
    }
    let attempts = 0;
    try {
      await retry(
        () => {
          attempts++;
          return this.refreshMetadata();
        },
        {
          timeoutMs,
          backoffMs: o.reconnectBackoffMs,
          backoffMaxMs: o.reconnectBackoffMaxMs,
          clock: o.clock,
          random: o.random,
          signal: this.abort.signal,
          onRetry: (error, attempt, delayMs) => {
            const log = attempt === 0 ? o.logger.warn : o.logger.debug;
            log.call(o.logger, 'bootstrap failed; retrying', { attempt, delayMs, error: error as Error });
          },
        },
      );
    } catch (e) {
      // Out of time: the last failure (or the attempt cut short), said with what was tried.
      if (!(e instanceof ConnectionError || e instanceof KafkaTimeoutError) || this.closed) throw e;
      const tried = this.bootstrap.map((a) => `${a.host}:${a.port}`).join(', ');
      throw new ConnectionError(
        `cannot bootstrap: none of ${tried} answered within ${timeoutMs} ms (${attempts} attempt${attempts === 1 ? '' : 's'}); last error: ${e.message}`,
        { cause: e },
      );
    }
  }

  /** Closes every connection; requests in flight and later fail with {@link ClientClosedError}. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.abort.abort();
    if (this.updateTimer !== null) clearTimeout(this.updateTimer);
    this.updateTimer = null;
    this.pool.close();
  }

  /** Where `nodeId` lives: a bootstrap address for negative ids, else metadata or a coordinator lookup. */
  addressOf(nodeId: number): BrokerAddress | undefined {
    if (nodeId < 0) return this.bootstrap[-nodeId - 1];
    return this.metadata.broker(nodeId) ?? this.coordinators.address(nodeId);
  }

  /** The brokers in the latest metadata. */
  brokers(): BrokerMetadata[] {
    return [...this.metadata.brokers.values()];
  }

  // ---- connections -------------------------------------------------------------------------

  /** The connection to `nodeId` in `group`, opened (after the reconnect backoff) if needed. */
  connection(nodeId: number, group = DEFAULT_CONNECTION_GROUP): Promise<Connection> {
    return this.pool.get(nodeId, group);
  }

  /** The ready connection to `nodeId` in `group`, or undefined; no I/O (for the producer's send loop). */
  readyConnection(nodeId: number, group = DEFAULT_CONNECTION_GROUP): Connection | undefined {
    return this.pool.ready(nodeId, group);
  }

  /** Ms until a connection to `nodeId` in `group` may be attempted (0: now or already connected). */
  connectionDelay(nodeId: number, group = DEFAULT_CONNECTION_GROUP): number {
    return this.pool.connectionDelay(nodeId, group, this.options.clock.now());
  }

  // ---- requests ----------------------------------------------------------------------------

  /**
   * Sends a request to broker `nodeId` (connecting first if needed) and resolves with the decoded
   * response. Kafka error codes in the body are data; transport failures reject with typed errors.
   */
  async request<A extends ApiDef>(
    nodeId: number,
    api: A,
    body: RequestOf<A>,
    options?: ClusterRequestOptions,
  ): Promise<ResponseOf<A>> {
    const group = options?.group ?? DEFAULT_CONNECTION_GROUP;
    const conn = this.pool.ready(nodeId, group) ?? (await this.pool.get(nodeId, group));
    return conn.request(api, body, options);
  }

  /**
   * Sends a request to the least-loaded broker (see {@link Cluster.leastLoadedNode}); when a
   * connection cannot be opened, tries the next candidate, as bootstrap does.
   */
  async requestAny<A extends ApiDef>(
    api: A,
    body: RequestOf<A> | ((connection: Connection) => RequestOf<A>),
    options?: ClusterRequestOptions,
  ): Promise<ResponseOf<A>> {
    const conn = await this.anyConnection(options?.group);
    const b = typeof body === 'function' ? (body as (c: Connection) => RequestOf<A>)(conn) : body;
    return conn.request(api, b, options);
  }

  /** A ready connection to the least-loaded broker, trying candidates in turn. */
  async anyConnection(group = DEFAULT_CONNECTION_GROUP): Promise<Connection> {
    const tried = new Set<number>();
    let lastError: unknown;
    for (;;) {
      if (this.closed) throw new ClientClosedError('the client is closed');
      const node = this.leastLoadedNode(tried, group);
      if (node === null) {
        throw lastError ?? new ConnectionError('no broker is available');
      }
      tried.add(node);
      try {
        return this.pool.ready(node, group) ?? (await this.pool.get(node, group));
      } catch (e) {
        // Refused, unreachable, or timed out during ApiVersions: the next broker may answer.
        if (!(e instanceof ConnectionError)) throw e;
        lastError = e;
      }
    }
  }

  /**
   * The broker to send a request that any broker can answer, as Java's `leastLoadedNode`: the
   * ready connection with the fewest requests in flight, else a broker being connected to, else
   * one out of its reconnect backoff (known brokers first, in an order that spreads load; then the
   * bootstrap addresses in turn), else the one whose backoff ends first. Null if all are excluded.
   */
  leastLoadedNode(exclude: ReadonlySet<number> = new Set(), group = DEFAULT_CONNECTION_GROUP): number | null {
    const now = this.options.clock.now();
    const known = [...this.metadata.brokers.keys()];
    const offset = known.length === 0 ? 0 : Math.floor(this.options.random() * known.length);
    const candidates: number[] = [];
    for (let i = 0; i < known.length; i++) candidates.push(known[(offset + i) % known.length]);
    for (let i = 0; i < this.bootstrap.length; i++) candidates.push(-1 - i);
    let best: number | null = null;
    let bestLoad = Number.POSITIVE_INFINITY;
    let connecting: number | null = null;
    let connectable: number | null = null;
    let soonest: number | null = null;
    let soonestDelay = Number.POSITIVE_INFINITY;
    for (const node of candidates) {
      if (exclude.has(node)) continue;
      const ready = this.pool.ready(node, group);
      if (ready !== undefined) {
        if (ready.inFlightCount < bestLoad) {
          best = node;
          bestLoad = ready.inFlightCount;
        }
        continue;
      }
      if (this.pool.isConnecting(node, group)) {
        connecting ??= node;
        continue;
      }
      const delay = this.pool.connectionDelay(node, group, now);
      if (delay === 0) connectable ??= node;
      else if (delay < soonestDelay) {
        soonest = node;
        soonestDelay = delay;
      }
    }
    return best ?? connecting ?? connectable ?? soonest;
  }

  // ---- metadata ----------------------------------------------------------------------------

  /**
   * Fetches metadata for `topics` plus every topic already tracked, and resolves with the cache.
   * Concurrent calls share one request when it covers their topics; otherwise they share the
   * next one, sent when the current one ends.
   */
  refreshMetadata(topics?: readonly string[]): Promise<MetadataCache> {
    if (this.closed) return Promise.reject(new ClientClosedError('the client is closed'));
    let covered = this.refreshing !== null;
    for (const t of topics ?? []) {
      this.trackedTopics.add(t);
      if (covered && !this.refreshing?.topics.has(t)) covered = false;
    }
    if (this.refreshing !== null) {
      if (covered) return this.refreshing.promise;
      if (this.queuedRefresh === null) {
        const next = this.refreshing.promise.then(
          () => this.startRefresh(),
          () => this.startRefresh(),
        );
        this.queuedRefresh = next;
        next.then(
          () => this.clearQueued(next),
          () => this.clearQueued(next),
        );
      }
      return this.queuedRefresh;
    }
    return this.startRefresh();
  }

  private clearQueued(p: Promise<MetadataCache>): void {
    if (this.queuedRefresh === p) this.queuedRefresh = null;
  }

  private startRefresh(): Promise<MetadataCache> {
    if (this.refreshing !== null) return this.refreshing.promise;
    const topics = [...this.trackedTopics];
    const promise = this.fetchMetadata(topics);
    const refresh: Refresh = { topics: new Set(topics), promise };
    this.refreshing = refresh;
    const done = (): void => {
      if (this.refreshing === refresh) this.refreshing = null;
      this.scheduleMetadataUpdate();
    };
    promise.then(done, done);
    return promise;
  }

  private async fetchMetadata(topics: readonly string[]): Promise<MetadataCache> {
    const md = this.metadata;
    const requestVersion = md.updateRequestVersion;
    try {
      // Metadata v0-v3 has no allowAutoTopicCreation field (brokers then auto-create by their
      // own config): setting it to false there would not encode.
      const res = await this.requestAny(Api.Metadata, (conn) => ({
        topics: topics.map((name) => ({ name, topicId: ZERO_UUID })),
        ...(conn.versionFor(Api.Metadata) >= 4
          ? { allowAutoTopicCreation: this.options.allowAutoTopicCreation }
          : {}),
        includeTopicAuthorizedOperations: false,
      }));
      md.update(res, this.options.clock.now(), topics, requestVersion);
    } catch (e) {
      md.failedUpdate(this.options.clock.now());
      throw e;
    }
    if (md.brokers.size > 0) {
      // Bootstrap connections are done once real node ids are known.
      for (let i = 0; i < this.bootstrap.length; i++) {
        if (this.pool.inFlightCount(-1 - i) === 0) this.pool.closeNode(-1 - i);
      }
    }
    this.emit('metadata', md);
    return md;
  }

  /**
   * Marks metadata stale (a caller saw NOT_LEADER_OR_FOLLOWER, UNKNOWN_TOPIC_OR_PARTITION, a lost
   * connection, ...): it is refreshed in the background once `retry.backoff.ms` has passed since
   * the last attempt.
   */
  requestMetadataUpdate(): void {
    this.metadata.requestUpdate();
    this.scheduleMetadataUpdate();
  }

  private scheduleMetadataUpdate(): void {
    if (this.closed || !this.metadata.isBootstrapped) return;
    if (this.updateTimer !== null) clearTimeout(this.updateTimer);
    const { clock, metadataMaxAgeMs, retryBackoffMs } = this.options;
    const delay = this.metadata.timeToNextUpdate(clock.now(), metadataMaxAgeMs, retryBackoffMs);
    this.updateTimer = setTimeout(
      () => {
        this.updateTimer = null;
        if (this.closed || this.refreshing !== null) return; // its end reschedules
        this.refreshMetadata().catch((error: unknown) => {
          this.options.logger.debug('background metadata refresh failed', { error: error as Error });
        });
      },
      Math.min(delay, 2 ** 31 - 1),
    );
    this.updateTimer.unref();
  }

  /** The leader's node id of a partition, from the cache; -1 when unknown or leaderless. */
  leaderFor(topic: string, partition: number): number {
    return this.metadata.leaderFor(topic, partition);
  }

  /** The number of partitions of a topic, from the cache; undefined when not known. */
  partitionCountFor(topic: string): number | undefined {
    return this.metadata.partitionCountFor(topic);
  }

  /**
   * Waits until `topic` is in the metadata with its partitions, refreshing (and, where the broker
   * allows, auto-creating it) as Java's producer does in `waitOnMetadata`. Rejects with a
   * {@link KafkaTimeoutError} after `maxBlockMs` (default 60000, `max.block.ms`), or at once
   * with the Kafka error for an invalid or unauthorized topic. A topic the metadata says does not
   * exist (UNKNOWN_TOPIC_OR_PARTITION), or one still missing after a few seconds, is logged once
   * at warn, long before the timeout.
   */
  async waitForTopic(topic: string, maxBlockMs = 60_000): Promise<TopicMetadata> {
    const cached = this.metadata.topic(topic);
    if (cached !== undefined && cached.partitions.length > 0 && this.trackedTopics.has(topic)) return cached;
    const { clock, retryBackoffMs } = this.options;
    const started = clock.now();
    const deadline = started + maxBlockMs;
    let warned = false;
    for (;;) {
      const remaining = deadline - clock.now();
      let refreshError: unknown;
      if (remaining > 0) {
        const refresh = this.refreshMetadata([topic]);
        refresh.catch(() => {});
        try {
          await raceTimeout(refresh, remaining);
        } catch (e) {
          if (!isRetriableError(e)) throw e;
          refreshError = e;
        }
      }
      const t = this.metadata.topic(topic);
      if (t !== undefined && t.partitions.length > 0) return t;
      const err = this.metadata.topicErrors.get(topic);
      if (err !== undefined && FATAL_TOPIC_ERRORS.has(err.errorCode)) {
        throw createKafkaError(err.errorCode, { apiName: 'Metadata', topic });
      }
      const waited = clock.now() - started;
      if (!warned && (err?.errorCode === UNKNOWN_TOPIC_OR_PARTITION || waited >= MISSING_TOPIC_WARN_MS)) {
        warned = true;
        const why =
          err === undefined
            ? 'the metadata has no such topic'
            : `the metadata says ${errorByCode(err.errorCode).name}`;
        this.options.logger.warn(
          `topic ${topic} is not in the metadata (${why}); waiting for it up to max.block.ms=${maxBlockMs} ms`,
          {
            topic,
            waitedMs: waited,
            ...(refreshError === undefined ? {} : { error: refreshError as Error }),
          },
        );
      }
      const left = deadline - clock.now();
      if (left <= 0) {
        throw new KafkaTimeoutError(
          `Topic ${topic} not present in metadata after ${maxBlockMs} ms.`,
          maxBlockMs,
          {
            apiName: 'Metadata',
            ...(refreshError === undefined ? {} : { cause: refreshError }),
          },
        );
      }
      await sleep(Math.min(retryBackoffMs, left), this.abort.signal);
    }
  }

  // ---- coordinators ------------------------------------------------------------------------

  /**
   * The coordinator of a consumer group or transactional id, cached until invalidated. Retries
   * retriable errors (COORDINATOR_NOT_AVAILABLE, ...) for up to `timeoutMs` (default
   * `default.api.timeout.ms`); other Kafka errors reject with their class.
   */
  findCoordinator(
    type: CoordinatorType,
    key: string,
    options: { timeoutMs?: number } = {},
  ): Promise<Coordinator> {
    return this.coordinators.find(type, key, options.timeoutMs);
  }

  /** Forgets the cached coordinator (after NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE or a lost connection). */
  invalidateCoordinator(type: CoordinatorType, key: string): void {
    this.coordinators.invalidate(type, key);
  }

  /**
   * Sends a request to the coordinator of `key` over the coordinator connection group. A lost
   * connection invalidates the cached coordinator; error codes in the body are the caller's to
   * check (call {@link Cluster.invalidateCoordinator} on NOT_COORDINATOR).
   */
  async requestCoordinator<A extends ApiDef>(
    type: CoordinatorType,
    key: string,
    api: A,
    body: RequestOf<A>,
    options?: ClusterRequestOptions,
  ): Promise<ResponseOf<A>> {
    const c = await this.findCoordinator(type, key);
    try {
      return await this.request(c.nodeId, api, body, { group: COORDINATOR_CONNECTION_GROUP, ...options });
    } catch (e) {
      if (e instanceof ConnectionError) this.invalidateCoordinator(type, key);
      throw e;
    }
  }

  // ---- retries -----------------------------------------------------------------------------

  /**
   * Runs `fn` until it succeeds or fails with an error that is not retriable, backing off
   * between `retry.backoff.ms` and `retry.backoff.max.ms`; errors that mean stale metadata
   * refresh it before the next attempt. Gives up after `timeoutMs` (default
   * `default.api.timeout.ms`) or `retries`, with the last error, or with a `KafkaTimeoutError`
   * naming `operation` when time ran out. A named operation logs at warn while it retries (the
   * first retry, then at most every 5 s), so a call stuck on a cluster that is gone says so.
   */
  retry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions = {}): Promise<T> {
    let lastWarn = Number.NEGATIVE_INFINITY;
    const timeoutMs = options.timeoutMs ?? this.options.defaultApiTimeoutMs;
    return retry(fn, {
      backoffMs: this.options.retryBackoffMs,
      backoffMaxMs: this.options.retryBackoffMaxMs,
      timeoutMs: this.options.defaultApiTimeoutMs,
      clock: this.options.clock,
      random: this.options.random,
      signal: this.abort.signal,
      ...options,
      onRetry: async (error, attempt, delay) => {
        const { logger, clock } = this.options;
        const now = clock.now();
        if (options.operation !== undefined && now - lastWarn >= RETRY_WARN_INTERVAL_MS) {
          lastWarn = now;
          logger.warn(
            `${options.operation} failed with a retriable error; retrying until ${timeoutMs} ms have passed (default.api.timeout.ms or the call's timeoutMs)`,
            { attempt, delayMs: delay, error: error as Error },
          );
        } else {
          logger.debug('retrying after a retriable error', {
            attempt,
            delayMs: delay,
            error: error as Error,
          });
        }
        if (isStaleMetadataError(error) && this.metadata.isBootstrapped) {
          this.metadata.requestUpdate();
          await this.refreshMetadata().catch((refreshError: unknown) => {
            // The retry goes on with the metadata at hand (a closed client ends it anyway).
            const log =
              refreshError instanceof ClientClosedError
                ? this.options.logger.debug
                : this.options.logger.warn;
            log.call(this.options.logger, 'metadata refresh before a retry failed', {
              attempt,
              error: refreshError as Error,
              retrying: error as Error,
            });
          });
        }
        await options.onRetry?.(error, attempt, delay);
      },
    });
  }
}

/**
 * Java's `resolve_canonical_bootstrap_servers_only`: each bootstrap host replaced by the
 * canonical names of the addresses it resolves to (reverse lookups), duplicates dropped. A host
 * that does not resolve, or an address without a name, stays as it was, said at warn: the
 * connection attempt then reports what is wrong.
 */
async function canonicalAddresses(
  addresses: readonly BrokerAddress[],
  logger: Logger,
): Promise<BrokerAddress[]> {
  const out = new Map<string, BrokerAddress>();
  const add = (a: BrokerAddress): void => {
    out.set(`${a.host}:${a.port}`, a);
  };
  for (const a of addresses) {
    try {
      const resolved = await lookup(a.host, { all: true });
      for (const r of resolved) {
        try {
          const { hostname } = await lookupService(r.address, a.port);
          add({ ...a, host: hostname });
        } catch (error) {
          logger.warn(`client.dns.lookup: no canonical name for ${r.address}; using the address`, {
            error: error as Error,
          });
          add({ ...a, host: r.address });
        }
      }
    } catch (error) {
      logger.warn(`client.dns.lookup: cannot resolve bootstrap host ${a.host}`, { error: error as Error });
      add(a);
    }
  }
  return [...out.values()];
}

const TIMED_OUT: unique symbol = Symbol('timed out');
/** How often a named operation that keeps retrying says so at warn. */
const RETRY_WARN_INTERVAL_MS = 5_000;

/** Resolves with `promise`'s value, or with {@link TIMED_OUT} after `ms`. */
function raceTimeout<T>(promise: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
