/**
 * A broker node and the in-process cluster: `startBroker()` for one node, `startCluster()` for N
 * nodes sharing one controller (the cluster metadata). Each node serves the Kafka protocol on its
 * own port and hosts its partition replicas in memory or under a data directory.
 */
import { mkdirSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { ApiKey, ErrorCode } from '@tskafka/protocol';
import type { ApiDef } from '@tskafka/protocol/internals';
import { StandardAuthorizer } from './auth/authorizer.js';
import { type Clock, systemClock, type TimerHandle } from './clock.js';
import {
  type BrokerConfig,
  BrokerConfigError,
  type BrokerProperties,
  parseBrokerConfig,
  withDynamicProperties,
} from './config.js';
import { Connection } from './connection.js';
import { FaultInjector } from './faults.js';
import { FetchSessionCache } from './fetch-session.js';
import { GroupCoordinator } from './group/coordinator.js';
import type { ApiHandler } from './handler.js';
import { allHandlers } from './handlers/index.js';
import {
  checkInterBrokerSecurity,
  interBrokerListener,
  type ListenerOptions,
  type ListenerSpec,
  type ListenerSslOptions,
  resolveListeners,
  type SecurityProtocol,
} from './listeners.js';
import { ClusterMetadata } from './metadata.js';
import { MetadataStore } from './metadata-store.js';
import { ReplicaManager } from './replica-manager.js';
import { SaslAuthenticator } from './sasl.js';
import { TransactionCoordinator } from './txn/coordinator.js';
import type { InterBrokerSecurity } from './txn/inter-broker-client.js';

/** Log levels, quietest last. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const LEVELS: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3, silent: 4 };

/** Receives the broker's log lines. */
export type BrokerLogger = (level: Exclude<LogLevel, 'silent'>, message: string) => void;

/** Options of {@link startBroker}. */
export interface StartBrokerOptions {
  /** Port to listen on; 0 (default) picks a free one. With `listeners`, leave it out. */
  port?: number;
  /** Host to bind and advertise; default 127.0.0.1. */
  host?: string;
  /**
   * The broker's listeners, each its own port and security protocol, as typed objects or as
   * Kafka's `listeners` string (`'PLAINTEXT://:9092,SSL://:9093,SASL_SSL://:9094'`; also the
   * `listeners` property, with `advertised.listeners`, `listener.security.protocol.map` and
   * `inter.broker.listener.name`). Metadata answers each client with the addresses of the
   * listener it came in on; `bootstrapServers` are the first listener's. Without it: one
   * listener on `host:port`, PLAINTEXT, or SASL_PLAINTEXT when `sasl.enabled.mechanisms` is set.
   */
  listeners?: ListenerOptions[] | string;
  /**
   * TLS material for every SSL and SASL_SSL listener that has none of its own; the `ssl.*`
   * properties (`ssl.keystore.location` etc., PEM) are the alternative by Kafka name.
   */
  ssl?: ListenerSslOptions;
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
  /**
   * SASL users, `{ alice: 'alice-secret' }`, for every SASL_PLAINTEXT and SASL_SSL listener
   * (a listener's JAAS `user_<name>` entries add to them). PLAIN checks these passwords; for
   * SCRAM they are each user's initial credential per enabled mechanism (as `kafka-storage format
   * --add-scram`), which AlterUserScramCredentials (`tskafka configs --entity-type users`) may
   * change: with a `dataDir`, a credential the cluster already holds is kept on restart.
   * OAUTHBEARER needs no users (unsecured JWS tokens).
   */
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

/** A listener of a broker, open. */
export interface BrokerListener {
  /** The listener name, e.g. `SSL`. */
  readonly name: string;
  /** Its security protocol. */
  readonly securityProtocol: SecurityProtocol;
  /** Advertised host. */
  readonly host: string;
  /** Advertised port (the bound one unless advertised otherwise). */
  readonly port: number;
  /** The bound port. */
  readonly boundPort: number;
  /** `ssl.client.auth` of a TLS listener. */
  readonly clientAuth: 'required' | 'requested' | 'none';
  /** SASL on this listener (no mechanisms on PLAINTEXT and SSL). */
  readonly sasl: SaslAuthenticator;
}

/** One broker of the cluster. */
export class BrokerNode {
  /** The node id. */
  readonly nodeId: number;
  /** The advertised host of the first listener. */
  readonly host: string;
  /** The advertised port of the first listener (known after start). */
  port: number;
  /** The listeners, open (after start), in the order given. */
  listeners: readonly BrokerListener[] = [];
  /** What this broker's listeners were resolved to; a restart reuses them with the bound ports. */
  readonly listenerSpecs: readonly ListenerSpec[];
  /** The name of the listener brokers reach each other on (`inter.broker.listener.name`). */
  readonly interBrokerListenerName: string;
  /**
   * The configuration in effect: the static one with the dynamic broker configs over it (this
   * broker's own over the cluster-wide default). Updated in place when they change.
   */
  readonly config: BrokerConfig;
  /** The configuration the broker was started with. */
  readonly staticConfig: BrokerConfig;
  /** The shared cluster metadata (the controller). */
  readonly metadata: ClusterMetadata;
  /** The partitions this node hosts. */
  readonly replicaManager: ReplicaManager;
  /** The group coordinator for groups whose offsets partition this node leads. */
  readonly groupCoordinator: GroupCoordinator;
  /** The transaction coordinator for transactional ids whose state partition this node leads. */
  readonly txnCoordinator: TransactionCoordinator;
  /** SASL authentication of the first listener (each listener has its own, see {@link BrokerListener.sasl}). */
  readonly sasl: SaslAuthenticator;
  /** The cluster's authorizer; null (no `authorizer.class.name`) authorizes everything. */
  readonly authorizer: StandardAuthorizer | null;
  /** Wire-level fault injection. */
  readonly faults = new FaultInjector();
  /** Time and timers (the cluster's clock). */
  readonly clock: Clock;
  /** Incremental fetch sessions (KIP-227) of this broker's fetchers. */
  readonly fetchSessions: FetchSessionCache;
  /** Handlers by API key. */
  readonly handlers: Map<number, ApiHandler<ApiDef>>;
  /**
   * Requests this broker has handled since it was created, by API name (Kafka's
   * `kafka.network:type=RequestMetrics,name=RequestsPerSec,request=<api>` counts): what the web
   * console turns into request rates.
   */
  readonly requestCounts = new Map<string, number>();
  private servers: Server[] = [];
  /** TCP sockets of TLS listeners still in their handshake (no Connection yet); stop() drops them too. */
  private readonly handshaking = new Set<Socket>();
  private readonly connections = new Set<Connection>();
  private idleCheck: TimerHandle | null = null;
  private readonly logLevel: number;
  private readonly logger: BrokerLogger;
  private readonly authenticators: SaslAuthenticator[];

  /** A node not yet listening; {@link BrokerNode.start} opens its listeners. */
  constructor(opts: {
    nodeId: number;
    listeners: readonly ListenerSpec[];
    config: BrokerConfig;
    metadata: ClusterMetadata;
    dataDir: string | null;
    logLevel: LogLevel;
    logger?: BrokerLogger;
    clock?: Clock;
    authorizer?: StandardAuthorizer | null;
  }) {
    this.nodeId = opts.nodeId;
    this.listenerSpecs = opts.listeners;
    this.host = opts.listeners[0].advertisedHost;
    this.port = opts.listeners[0].advertisedPort || opts.listeners[0].port;
    this.interBrokerListenerName = interBrokerListener(opts.config, [...opts.listeners]).name;
    this.staticConfig = opts.config;
    this.metadata = opts.metadata;
    this.config = this.effectiveConfig();
    // Registered before the replica manager's listener, so logs reconfigure with the new values.
    this.metadata.onChange((c) => {
      if (c.type === 'dynamicConfigChanged') Object.assign(this.config, this.effectiveConfig());
    });
    this.clock = opts.clock ?? systemClock;
    this.authorizer = opts.authorizer ?? null;
    this.logLevel = LEVELS[opts.logLevel];
    this.logger =
      opts.logger ??
      ((level, message) => process.stderr.write(`[tskafka broker ${this.nodeId}] ${level}: ${message}\n`));
    this.replicaManager = new ReplicaManager(this, opts.dataDir);
    this.fetchSessions = new FetchSessionCache({
      maxEntries: this.config.maxIncrementalFetchSessionCacheSlots,
    });
    this.groupCoordinator = new GroupCoordinator(this, { clock: this.clock });
    this.txnCoordinator = new TransactionCoordinator(this, { clock: this.clock });
    this.authenticators = opts.listeners.map(
      (l) =>
        new SaslAuthenticator(
          {
            ...this.config,
            saslEnabledMechanisms: l.saslMechanisms,
            saslUsers: l.saslUsers,
          },
          { credentials: this.metadata.scramCredentials, now: () => this.clock.now() },
        ),
    );
    this.sasl = this.authenticators[0];
    this.handlers = new Map(allHandlers.map((h) => [h.api.key, h as ApiHandler<ApiDef>]));
  }

  private effectiveConfig(): BrokerConfig {
    const dynamic = this.metadata.dynamicConfigs;
    return withDynamicProperties(this.staticConfig, dynamic.broker(''), dynamic.broker(String(this.nodeId)));
  }

  /** `host:port` of the first listener. */
  get address(): string {
    return `${this.host}:${this.port}`;
  }

  /** `host:port` of the listener named `listener` (as advertised); throws when there is none. */
  addressOf(listener: string): string {
    const l = this.listeners.find((x) => x.name === listener.toUpperCase());
    if (!l)
      throw new Error(
        `broker ${this.nodeId} has no listener ${listener} (${this.listeners.map((x) => x.name).join(', ')})`,
      );
    return `${l.host}:${l.port}`;
  }

  /**
   * How this broker connects to the inter-broker listener of another: TLS with its own
   * truststore (and its certificate, for mutual TLS), SASL/PLAIN with the JAAS `username`/`password`.
   */
  interBrokerSecurity(): InterBrokerSecurity {
    const spec = this.listenerSpecs.find((l) => l.name === this.interBrokerListenerName) as ListenerSpec;
    const security: InterBrokerSecurity = {};
    if (spec.tls) {
      const { requestCert: _request, rejectUnauthorized: _reject, ...material } = spec.tls;
      security.tls = material;
    }
    if (spec.saslMechanisms.length > 0 && spec.interBrokerLogin) security.plain = spec.interBrokerLogin;
    return security;
  }

  /** Logs a line at `level`. */
  log(level: Exclude<LogLevel, 'silent'>, message: string): void {
    if (LEVELS[level] >= this.logLevel) this.logger(level, message);
  }

  /** Opens the listeners, registers with the cluster and loads hosted partitions and groups. */
  async start(): Promise<void> {
    const open: BrokerListener[] = [];
    try {
      for (const [i, spec] of this.listenerSpecs.entries()) {
        open.push(await this.listen(spec, this.authenticators[i]));
      }
    } catch (e) {
      await this.closeServers();
      throw e;
    }
    this.listeners = open;
    this.port = open[0].port;
    const inter = open.find((l) => l.name === this.interBrokerListenerName) as BrokerListener;
    this.metadata.registerBroker({
      nodeId: this.nodeId,
      host: inter.host,
      port: inter.port,
      rack: this.config.brokerRack || null,
      endpoints: open.map((l) => ({ listener: l.name, host: l.host, port: l.port })),
    });
    const maxIdleMs = this.config.connectionsMaxIdleMs;
    if (maxIdleMs > 0) {
      // Checked at a tenth of the limit (at most every 10 s): an idle connection goes within 10%
      // of connections.max.idle.ms, as Kafka's selector closes them on its next poll.
      this.idleCheck = this.clock.setInterval(
        () => this.closeIdleConnections(),
        Math.max(1, Math.min(maxIdleMs / 10, 10_000)),
      );
    }
    this.replicaManager.start();
    await this.groupCoordinator.start();
    this.txnCoordinator.start();
  }

  /** Binds one listener: a TCP server, or a TLS one for SSL and SASL_SSL. */
  private async listen(spec: ListenerSpec, sasl: SaslAuthenticator): Promise<BrokerListener> {
    let listener: BrokerListener | undefined;
    const accept = (socket: Socket) => {
      if (listener) this.connections.add(new Connection(this, socket, listener));
      else socket.destroy();
    };
    let server: Server;
    if (spec.tls) {
      server = createTlsServer(spec.tls, (socket: TLSSocket) => accept(socket));
      server.on('connection', (raw: Socket) => {
        this.handshaking.add(raw);
        raw.once('close', () => this.handshaking.delete(raw));
      });
      // One line per refused handshake (a plaintext client, an untrusted certificate), not a stack.
      server.on('tlsClientError', (e: Error, socket: TLSSocket) => {
        // A Kafka request where a TLS hello belongs: the client speaks plaintext to a TLS port.
        // OpenSSL's messages carry its source location; its reason is the part a person reads.
        const reason = ((e as Error & { reason?: string }).reason ?? e.message).trim();
        const plaintext = /wrong version number|http request/i.test(reason)
          ? ' (a plaintext client on a TLS listener? is the client configured for SSL?)'
          : '';
        this.log(
          'warn',
          `TLS handshake with ${socket.remoteAddress}:${socket.remotePort} on listener ${spec.name} failed: ${reason}${plaintext}`,
        );
      });
    } else {
      server = createServer({ pauseOnConnect: true }, accept);
    }
    this.servers.push(server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(spec.port, spec.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const addr = server.address();
    const boundPort = addr && typeof addr === 'object' ? addr.port : spec.port;
    listener = {
      name: spec.name,
      securityProtocol: spec.securityProtocol,
      host: spec.advertisedHost,
      port: spec.advertisedPort || boundPort,
      boundPort,
      clientAuth: spec.clientAuth,
      sasl,
    };
    return listener;
  }

  private async closeServers(): Promise<void> {
    const servers = this.servers;
    this.servers = [];
    // server.close() only calls back once every connection has ended, so drop them after it
    // stops accepting and before waiting: a connected client must not keep the broker running.
    const closed = servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve())));
    this.dropConnections();
    for (const raw of this.handshaking) raw.destroy();
    this.handshaking.clear();
    await Promise.all(closed);
  }

  /** Closes the connections idle for `connections.max.idle.ms`. */
  private closeIdleConnections(): void {
    const now = this.clock.now();
    for (const c of [...this.connections]) c.closeIfIdle(now, this.config.connectionsMaxIdleMs);
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
    if (this.idleCheck !== null) this.clock.clearInterval(this.idleCheck);
    this.idleCheck = null;
    await this.closeServers();
    this.txnCoordinator.stop();
    this.groupCoordinator.stop();
    this.replicaManager.stop();
    this.metadata.setBrokerAlive(this.nodeId, false);
  }
}

/** How many requests of one API a broker has handled. */
export interface BrokerRequestCount {
  /** The broker. */
  readonly nodeId: number;
  /** The API, e.g. `Produce`, `Fetch`. */
  readonly api: string;
  /** Requests handled since the broker was created. */
  readonly count: number;
}

/** A running cluster of one or more brokers in this process. */
export interface Cluster {
  /** `host:port` of every broker's first listener, for `bootstrap.servers`. */
  readonly bootstrapServers: string[];
  /** `host:port` of every broker's listener named `listener` (as advertised), e.g. `bootstrapServersFor('SSL')`. */
  bootstrapServersFor(listener: string): string[];
  /** The brokers. */
  readonly brokers: BrokerNode[];
  /** The shared metadata. */
  readonly metadata: ClusterMetadata;
  /** The broker with `nodeId`. */
  broker(nodeId: number): BrokerNode;
  /** Requests handled so far per broker and API (see {@link BrokerNode.requestCounts}). */
  requestCounts(): BrokerRequestCount[];
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

/** One broker of {@link StartClusterOptions.brokers}, given one by one. */
export interface ClusterBrokerOptions {
  /** The node id. */
  nodeId: number;
  /** This broker's listeners (default: the cluster's `listeners`, else one PLAINTEXT listener on a free port). */
  listeners?: ListenerOptions[] | string;
  /**
   * Properties of this broker only, over the cluster's `config`: those a Kafka operator sets per
   * broker in its server.properties, e.g. `{ 'broker.rack': 'us-east-1a' }`.
   */
  config?: BrokerProperties;
}

/** Options of {@link startCluster}. */
export interface StartClusterOptions extends Omit<StartBrokerOptions, 'nodeId' | 'port'> {
  /**
   * Number of brokers (default 1; node ids from `firstNodeId`), or each broker with its node id
   * and listeners: `[{ nodeId: 1, listeners: [{ name: 'PLAINTEXT', port: 9092 }, { name: 'SSL', port: 9093 }] }]`.
   */
  brokers?: number | ClusterBrokerOptions[];
  /** Port of the first broker; the others follow it. 0 (default) picks free ports. */
  port?: number;
  /** Node id of the first broker (default 1); the others follow it. */
  firstNodeId?: number;
  /**
   * Listeners of every broker (see {@link StartBrokerOptions.listeners}). Broker `i` (from 0)
   * of a cluster listens on each non-zero port plus `i`, as `port` does.
   */
  listeners?: ListenerOptions[] | string;
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
  const config = parseBrokerConfig({ ...TEST_BROKER_DEFAULTS, ...opts.config }, opts.users);
  const host = opts.host ?? '127.0.0.1';
  const first = opts.firstNodeId ?? 1;
  const given: ClusterBrokerOptions[] = Array.isArray(opts.brokers)
    ? opts.brokers
    : Array.from({ length: opts.brokers ?? 1 }, (_, i) => ({ nodeId: first + i }));
  if (given.length === 0) throw new BrokerConfigError('brokers: at least one broker is needed');
  const count = given.length;
  if (opts.port && (opts.listeners || config.listeners)) {
    throw new BrokerConfigError('give the ports in listeners, not both port and listeners');
  }
  // Resolved before anything starts, so a bad listener fails the start and binds nothing.
  const specsById = new Map<number, ListenerSpec[]>();
  for (const [i, b] of given.entries()) {
    if (specsById.has(b.nodeId)) throw new BrokerConfigError(`brokers: node id ${b.nodeId} is given twice`);
    const specs = resolveListeners(config, {
      listeners: b.listeners ?? opts.listeners,
      host,
      port: opts.port ? opts.port + i : 0,
      ssl: opts.ssl,
      portOffset: b.listeners ? 0 : i,
    });
    if (count > 1) checkInterBrokerSecurity(config, specs);
    specsById.set(b.nodeId, specs);
  }
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
  const nodeConfig = (id: number): BrokerConfig => {
    const own = given.find((b) => b.nodeId === id)?.config;
    return own ? parseBrokerConfig({ ...TEST_BROKER_DEFAULTS, ...opts.config, ...own }, opts.users) : config;
  };
  const makeNode = (id: number, listeners: readonly ListenerSpec[]) =>
    new BrokerNode({
      nodeId: id,
      listeners,
      config: nodeConfig(id),
      metadata,
      dataDir: nodeDir(id),
      logLevel: opts.logLevel ?? 'warn',
      logger: opts.logger,
      clock,
      authorizer,
    });
  const brokers: BrokerNode[] = [];
  for (const b of given) {
    const node = makeNode(b.nodeId, specsById.get(b.nodeId) as ListenerSpec[]);
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
    bootstrapServersFor(listener) {
      return brokers.map((b) => b.addressOf(listener));
    },
    brokers,
    metadata,
    requestCounts() {
      return brokers.flatMap((b) =>
        [...b.requestCounts].map(([api, count]) => ({ nodeId: b.nodeId, api, count })),
      );
    },
    broker(nodeId) {
      const b = brokers.find((x) => x.nodeId === nodeId);
      if (!b)
        throw new Error(`no broker ${nodeId} in this cluster (${brokers.map((x) => x.nodeId).join(', ')})`);
      return b;
    },
    async stopBroker(nodeId) {
      await cluster.broker(nodeId).stop();
      running.delete(nodeId);
    },
    async startBroker(nodeId) {
      if (running.has(nodeId)) return;
      const old = cluster.broker(nodeId);
      // The same ports again: clients and other brokers still have the old addresses.
      const node = makeNode(
        nodeId,
        old.listenerSpecs.map((spec, i) => ({ ...spec, port: old.listeners[i]?.boundPort ?? spec.port })),
      );
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
  /** `host:port` of the first listener, to bootstrap from. */
  readonly bootstrapServers: string[];
  /** The broker node (config, faults, metadata, listeners: `node.addressOf('SSL')`). */
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
  const cluster = await startCluster({ ...rest, brokers: [{ nodeId: nodeId ?? 1 }] });
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
