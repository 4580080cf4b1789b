/**
 * A broker node and the in-process cluster: `startBroker()` for one node, `startCluster()` for N
 * nodes sharing one controller (the cluster metadata). Each node serves the Kafka protocol on its
 * own port and hosts its partition replicas in memory or under a data directory.
 */
import { mkdirSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { ApiKey, ErrorCode } from '@tskafka/protocol';
import type { ApiDef } from '@tskafka/protocol/internals';
import { StandardAuthorizer } from './auth/authorizer.js';
import { type Clock, systemClock } from './clock.js';
import { type BrokerConfig, type BrokerProperties, parseBrokerConfig } from './config.js';
import { Connection } from './connection.js';
import { FaultInjector } from './faults.js';
import { GroupCoordinator } from './group/coordinator.js';
import type { ApiHandler } from './handler.js';
import { allHandlers } from './handlers/index.js';
import { ClusterMetadata } from './metadata.js';
import { MetadataStore } from './metadata-store.js';
import { ReplicaManager } from './replica-manager.js';
import { SaslAuthenticator } from './sasl.js';
import { TransactionCoordinator } from './txn/coordinator.js';

/** Log levels, quietest last. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const LEVELS: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3, silent: 4 };

/** Receives the broker's log lines. */
export type BrokerLogger = (level: Exclude<LogLevel, 'silent'>, message: string) => void;

/** Options of {@link startBroker}. */
export interface StartBrokerOptions {
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number;
  /** Host to bind and advertise; default 127.0.0.1. */
  host?: string;
  /** Keep the log here (Kafka's layout); without it, everything lives in memory. */
  dataDir?: string;
  /** The broker's node id (default 1). */
  nodeId?: number;
  /**
   * Broker properties by Kafka name, e.g. `{ 'num.partitions': 3 }`, over Kafka's defaults with
   * one exception: `group.initial.rebalance.delay.ms` defaults to 0 (Kafka: 3000), as test
   * containers configure Kafka, so a consumer's first `poll(1000)` on a fresh broker gets records
   * instead of waiting out the delay. `{ 'group.initial.rebalance.delay.ms': 3000 }` restores
   * Kafka's (for a group whose members start together and should share the first assignment).
   */
  config?: BrokerProperties;
  /** SASL users, `{ alice: 'alice-secret' }`; used when `sasl.enabled.mechanisms` is set. */
  users?: Record<string, string>;
  /** Minimum level logged (default `warn`). */
  logLevel?: LogLevel;
  /** Where log lines go (default stderr). */
  logger?: BrokerLogger;
  /**
   * Time and timers for everything the broker does by time: purgatory timeouts, replica fetch
   * backoff, ISR shrinking, the preferred-leader check, checkpoints, retention, the coordinators'
   * timeouts and injected latency (default: the system clock). Tests pass a {@link ManualClock}
   * and advance it instead of sleeping; sockets stay real.
   */
  clock?: Clock;
}

/** One broker of the cluster. */
export class BrokerNode {
  /** The node id. */
  readonly nodeId: number;
  /** The advertised host. */
  readonly host: string;
  /** The bound port (known after start). */
  port: number;
  /** The parsed configuration. */
  readonly config: BrokerConfig;
  /** The shared cluster metadata (the controller). */
  readonly metadata: ClusterMetadata;
  /** The partitions this node hosts. */
  readonly replicaManager: ReplicaManager;
  /** The group coordinator for groups whose offsets partition this node leads. */
  readonly groupCoordinator: GroupCoordinator;
  /** The transaction coordinator for transactional ids whose state partition this node leads. */
  readonly txnCoordinator: TransactionCoordinator;
  /** SASL authentication. */
  readonly sasl: SaslAuthenticator;
  /** The cluster's authorizer; null (no `authorizer.class.name`) authorizes everything. */
  readonly authorizer: StandardAuthorizer | null;
  /** Wire-level fault injection. */
  readonly faults = new FaultInjector();
  /** Time and timers (the cluster's clock). */
  readonly clock: Clock;
  /** Handlers by API key. */
  readonly handlers: Map<number, ApiHandler<ApiDef>>;
  private server: Server | null = null;
  private readonly connections = new Set<Connection>();
  private readonly logLevel: number;
  private readonly logger: BrokerLogger;
  private readonly requestedPort: number;

  /** A node not yet listening; {@link BrokerNode.start} opens its port. */
  constructor(opts: {
    nodeId: number;
    host: string;
    port: number;
    config: BrokerConfig;
    metadata: ClusterMetadata;
    dataDir: string | null;
    logLevel: LogLevel;
    logger?: BrokerLogger;
    clock?: Clock;
    authorizer?: StandardAuthorizer | null;
  }) {
    this.nodeId = opts.nodeId;
    this.host = opts.host;
    this.requestedPort = opts.port;
    this.port = opts.port;
    this.config = opts.config;
    this.metadata = opts.metadata;
    this.clock = opts.clock ?? systemClock;
    this.authorizer = opts.authorizer ?? null;
    this.logLevel = LEVELS[opts.logLevel];
    this.logger =
      opts.logger ??
      ((level, message) => process.stderr.write(`[tskafka broker ${this.nodeId}] ${level}: ${message}\n`));
    this.replicaManager = new ReplicaManager(this, opts.dataDir);
    this.groupCoordinator = new GroupCoordinator(this, { clock: this.clock });
    this.txnCoordinator = new TransactionCoordinator(this, { clock: this.clock });
    this.sasl = new SaslAuthenticator(this.config);
    this.handlers = new Map(allHandlers.map((h) => [h.api.key, h as ApiHandler<ApiDef>]));
  }

  /** `host:port`. */
  get address(): string {
    return `${this.host}:${this.port}`;
  }

  /** Logs a line at `level`. */
  log(level: Exclude<LogLevel, 'silent'>, message: string): void {
    if (LEVELS[level] >= this.logLevel) this.logger(level, message);
  }

  /** Opens the port, registers with the cluster and loads hosted partitions and groups. */
  async start(): Promise<void> {
    const server = createServer({ pauseOnConnect: true }, (socket: Socket) => {
      this.connections.add(new Connection(this, socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.requestedPort, this.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const addr = server.address();
    if (addr && typeof addr === 'object') this.port = addr.port;
    this.server = server;
    this.metadata.registerBroker({ nodeId: this.nodeId, host: this.host, port: this.port, rack: null });
    this.replicaManager.start();
    await this.groupCoordinator.start();
    this.txnCoordinator.start();
  }

  /** Called by a connection when it closes. */
  connectionClosed(c: Connection): void {
    this.connections.delete(c);
  }

  /**
   * The ApiVersions response body for an error, as Kafka's `ApiVersionsRequest.getErrorResponse`
   * builds it: for UNSUPPORTED_VERSION (KIP-511) it lists the ApiVersions range alone, which is
   * what a client needs to retry; for other errors it lists nothing.
   */
  apiVersionsError(errorCode: number): {
    errorCode: number;
    apiKeys: { apiKey: number; minVersion: number; maxVersion: number }[];
  } {
    const apiKeys =
      errorCode === ErrorCode.UNSUPPORTED_VERSION
        ? this.supportedApis().filter((a) => a.apiKey === ApiKey.ApiVersions)
        : [];
    return { errorCode, apiKeys };
  }

  /** Every API this broker serves, with the version range it advertises. */
  supportedApis(): { apiKey: number; minVersion: number; maxVersion: number }[] {
    return [...this.handlers.values()]
      .map((h) => ({ apiKey: h.api.key, minVersion: h.minVersion, maxVersion: h.maxVersion }))
      .sort((a, b) => a.apiKey - b.apiKey);
  }

  /** Drops every client connection (fault injection). */
  dropConnections(): void {
    for (const c of [...this.connections]) c.close();
  }

  /** Stops serving: closes connections, expires waiting requests, flushes and closes logs. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    // server.close() only calls back once every connection has ended, so drop them after it
    // stops accepting and before waiting: a connected client must not keep the broker running.
    const closed = server ? new Promise<void>((resolve) => server.close(() => resolve())) : undefined;
    this.dropConnections();
    await closed;
    this.txnCoordinator.stop();
    this.groupCoordinator.stop();
    this.replicaManager.stop();
    this.metadata.setBrokerAlive(this.nodeId, false);
  }
}

/** A running cluster of one or more brokers in this process. */
export interface Cluster {
  /** `host:port` of every broker, for `bootstrap.servers`. */
  readonly bootstrapServers: string[];
  /** The brokers. */
  readonly brokers: BrokerNode[];
  /** The shared metadata. */
  readonly metadata: ClusterMetadata;
  /** The broker with `nodeId`. */
  broker(nodeId: number): BrokerNode;
  /**
   * Stops one broker (its port closes; clients see it go away). The controller fences it: each
   * partition it led gets a new leader from the live ISR, with the leader epoch bumped (leader -1,
   * LEADER_NOT_AVAILABLE, when no live ISR member is left), and it leaves every ISR.
   */
  stopBroker(nodeId: number): Promise<void>;
  /**
   * Starts a stopped broker again on the same port and data (in memory: empty). Its replicas
   * become followers, truncate where their log diverged from the leader's, catch up and rejoin
   * the ISR; offline partitions whose ISR holds it get it as leader.
   */
  startBroker(nodeId: number): Promise<void>;
  /**
   * Moves the leadership of `topic`-`partition` to `nodeId`, which must be a live in-sync replica
   * (a controlled election, as Kafka's preferred leader election; the leader epoch is bumped).
   * Clients of the old leader get NOT_LEADER_OR_FOLLOWER and follow the metadata to the new one.
   * Throws an error with code ELIGIBLE_LEADERS_NOT_AVAILABLE otherwise. With
   * `auto.leader.rebalance.enable` (the default) the controller moves leadership back to the
   * preferred replica on its next `leader.imbalance.check.interval.seconds` check (300 s by default).
   */
  moveLeader(topic: string, partition: number, nodeId: number): void;
  /** Stops every broker and flushes all data. */
  close(): Promise<void>;
}

/** Options of {@link startCluster}. */
export interface StartClusterOptions extends Omit<StartBrokerOptions, 'nodeId' | 'port'> {
  /** Number of brokers (default 1); node ids are 1..N. */
  brokers?: number;
  /** Port of the first broker; the others follow it. 0 (default) picks free ports. */
  port?: number;
  /** Node id of the first broker (default 1); the others follow it. */
  firstNodeId?: number;
}

// Where a broker for tests and development differs from Kafka's defaults, under the properties
// given: no initial rebalance delay (see StartBrokerOptions.config).
const TEST_BROKER_DEFAULTS: Readonly<BrokerProperties> = Object.freeze({
  'group.initial.rebalance.delay.ms': 0,
});

/**
 * Starts an in-process cluster of `brokers` nodes sharing one controller. Its properties are
 * Kafka's defaults but for `group.initial.rebalance.delay.ms`, 0 (see {@link StartBrokerOptions.config}).
 */
export async function startCluster(opts: StartClusterOptions = {}): Promise<Cluster> {
  const count = opts.brokers ?? 1;
  const config = parseBrokerConfig({ ...TEST_BROKER_DEFAULTS, ...opts.config }, opts.users);
  const host = opts.host ?? '127.0.0.1';
  const clock = opts.clock ?? systemClock;
  const store = opts.dataDir ? new MetadataStore(opts.dataDir) : null;
  const metadata = store ? store.load(config) : new ClusterMetadata(config);
  if (store) store.attach(metadata);
  // One authorizer for the cluster: ACLs are cluster metadata in Kafka, the same on every broker.
  const authorizer = config.authorizerClassName
    ? new StandardAuthorizer({
        superUsers: config.superUsers,
        allowEveryoneIfNoAclFound: config.allowEveryoneIfNoAclFound,
        file: opts.dataDir ? join(opts.dataDir, 'tskafka-acls.json') : null,
      })
    : null;
  const nodeDir = (id: number): string | null => {
    if (!opts.dataDir) return null;
    const dir = count === 1 ? opts.dataDir : join(opts.dataDir, `broker-${id}`);
    mkdirSync(dir, { recursive: true });
    return dir;
  };
  const makeNode = (id: number, port: number) =>
    new BrokerNode({
      nodeId: id,
      host,
      port,
      config,
      metadata,
      dataDir: nodeDir(id),
      logLevel: opts.logLevel ?? 'warn',
      logger: opts.logger,
      clock,
      authorizer,
    });
  const brokers: BrokerNode[] = [];
  const first = opts.firstNodeId ?? 1;
  for (let i = 0; i < count; i++) {
    const node = makeNode(first + i, opts.port ? opts.port + i : 0);
    brokers.push(node);
    await node.start();
  }
  const running = new Set(brokers.map((b) => b.nodeId));
  let closed = false;
  // The controller's periodic preferred-leader check (Kafka's auto.leader.rebalance.enable).
  const rebalance = config.autoLeaderRebalanceEnable
    ? clock.setInterval(() => {
        if (metadata.controllerId === -1) return;
        const moved = metadata.checkAndTriggerAutoLeaderRebalance();
        if (moved.length === 0) return;
        const controller = brokers.find((b) => b.nodeId === metadata.controllerId);
        controller?.log(
          'info',
          `auto leader rebalance: preferred leaders elected for ${moved.map((m) => `${m.topic}-${m.partition}`).join(', ')}`,
        );
      }, config.leaderImbalanceCheckIntervalMs)
    : null;
  const cluster: Cluster = {
    get bootstrapServers() {
      return brokers.map((b) => b.address);
    },
    brokers,
    metadata,
    broker(nodeId) {
      const b = brokers.find((x) => x.nodeId === nodeId);
      if (!b) throw new Error(`no broker ${nodeId} in this cluster (${first}..${first + count - 1})`);
      return b;
    },
    async stopBroker(nodeId) {
      await cluster.broker(nodeId).stop();
      running.delete(nodeId);
    },
    async startBroker(nodeId) {
      if (running.has(nodeId)) return;
      const old = cluster.broker(nodeId);
      const node = makeNode(nodeId, old.port);
      brokers[brokers.indexOf(old)] = node;
      await node.start();
      running.add(nodeId);
    },
    moveLeader(topic, partition, nodeId) {
      metadata.electLeader(topic, partition, nodeId);
    },
    async close() {
      // Once only: a second close must not write this cluster's (by then stale) metadata
      // snapshot over the one of a broker started since on the same data directory.
      if (closed) return;
      closed = true;
      if (rebalance) clock.clearInterval(rebalance);
      for (const b of brokers) if (running.has(b.nodeId)) await b.stop();
      running.clear();
      store?.close();
    },
  };
  return cluster;
}

/** A single running broker. */
export interface RunningBroker {
  /** `host:port` to bootstrap from. */
  readonly bootstrapServers: string[];
  /** The broker node (config, faults, metadata). */
  readonly node: BrokerNode;
  /** The cluster it forms alone. */
  readonly cluster: Cluster;
  /** Stops the broker, flushing its log. */
  close(): Promise<void>;
}

/**
 * Starts one broker: in memory, or under `dataDir` in Kafka's on-disk layout. Kafka's defaults
 * but for `group.initial.rebalance.delay.ms`, 0 (see {@link StartBrokerOptions.config}).
 */
export async function startBroker(opts: StartBrokerOptions = {}): Promise<RunningBroker> {
  const { nodeId, ...rest } = opts;
  const cluster = await startCluster({ ...rest, brokers: 1, firstNodeId: nodeId ?? 1 });
  const node = cluster.brokers[0];
  return {
    get bootstrapServers() {
      return cluster.bootstrapServers;
    },
    node,
    cluster,
    close: () => cluster.close(),
  };
}
