/**
 * The transport's options: typed, camelCase, with the Java client's defaults, and the parsing of
 * `host:port` broker addresses.
 *
 * @module
 */

import type { ConnectionOptions as TlsConnectionOptions } from 'node:tls';
import { type Clock, systemClock } from './clock.js';
import { type Logger, stderrLogger } from './logger.js';
import type { NetworkMetrics, RequestObserver } from './metrics.js';

/** The SASL mechanisms this client implements. */
export type SaslMechanism = 'plain' | 'scram-sha-256' | 'scram-sha-512' | 'oauthbearer';

/** SASL credentials: a mechanism and its user and password, or OAUTHBEARER and a token provider. */
export type SaslOptions = PasswordSaslOptions | OAuthBearerSaslOptions;

/** SASL with a password: `sasl.mechanism` plus the user and password of `sasl.jaas.config`. */
export interface PasswordSaslOptions {
  /** The mechanism (`PLAIN`, `SCRAM-SHA-256`, `SCRAM-SHA-512` in Kafka's config; any case accepted). */
  mechanism: Exclude<SaslMechanism, 'oauthbearer'> | Uppercase<Exclude<SaslMechanism, 'oauthbearer'>>;
  /** The user name. */
  username: string;
  /** The password. */
  password: string;
}

/**
 * SASL OAUTHBEARER (RFC 7628), as KafkaJS's `oauthBearerProvider`: the provider is called for
 * each new connection and returns the token to present (a JWT from the application's identity
 * provider; for a development broker, an unsecured one as Kafka's default validator accepts).
 */
export interface OAuthBearerSaslOptions {
  /** OAUTHBEARER (any case). */
  mechanism: 'oauthbearer' | 'OAUTHBEARER';
  /** Returns the token to present; may be async (to fetch or refresh it). */
  oauthBearerProvider: () => OAuthBearerToken | Promise<OAuthBearerToken>;
}

/** A token for {@link OAuthBearerSaslOptions} (KafkaJS's `OauthbearerProviderResponse`). */
export interface OAuthBearerToken {
  /** The token itself, e.g. a JWT in compact form. */
  value: string;
  /** SASL extensions sent with it (RFC 7628 key=value pairs), e.g. Confluent Cloud's `logicalCluster`. */
  extensions?: Readonly<Record<string, string>>;
}

/**
 * TLS: `true` to use TLS with Node's defaults (the system's CAs, host name checked), or the
 * options of Node's `tls.connect` (`ca`, `cert`, `key`, `rejectUnauthorized`, `servername`, ...).
 */
export type SslOption = boolean | TlsConnectionOptions;

/**
 * The default of {@link CloseOptions.timeoutMs}: 30 s, as Java's `KafkaConsumer.close()` (its
 * producer waits without bound by default, which is how a process ends up hanging on a cluster
 * that is gone; one bound for every client is easier to reason about).
 */
export const DEFAULT_CLOSE_TIMEOUT_MS = 30_000;

/** Options of the clients' `close()` (producer, consumer and admin alike). */
export interface CloseOptions {
  /**
   * How long closing may take, ms; default {@link DEFAULT_CLOSE_TIMEOUT_MS} (30 s). Whatever the
   * cluster does (brokers gone, requests unanswered, connections refused), `close()` resolves
   * within it: what is not done by then is given up (and said so, in the log or by the error of
   * what was abandoned), the connections are destroyed and the timers cleared.
   */
  timeoutMs?: number;
}

/** Options shared by a single {@link Connection} and a {@link Cluster} (Java's names in the docs). */
export interface CommonTransportOptions {
  /** `client.id`: sent in every request header; default `tskafka`. */
  clientId?: string;
  /** `request.timeout.ms`: how long to wait for a response before closing the connection; default 30000. */
  requestTimeoutMs?: number;
  /** `socket.connection.setup.timeout.ms`: how long a TCP (and TLS) connect may take; default 10000. */
  connectionTimeoutMs?: number;
  /** SASL (`security.protocol` SASL_PLAINTEXT or SASL_SSL); none by default. */
  sasl?: SaslOptions;
  /** TLS (`security.protocol` SSL or SASL_SSL); off by default. */
  ssl?: SslOption;
  /** Where log lines go; default: `warn` and above to stderr. Pass `silentLogger` to silence. */
  logger?: Logger;
  /** The time source; tests inject a {@link ManualClock}. */
  clock?: Clock;
  /** The largest response frame accepted, in bytes; default 100 MiB. */
  maxResponseSize?: number;
  /** Where connections record request counts, bytes and latencies (the client's metrics). */
  networkMetrics?: NetworkMetrics;
  /**
   * Sees each request's response or timeout, with its timing (KafkaJS's network events).
   *
   * @internal
   */
  requestObserver?: RequestObserver;
}

/** Options of a {@link Cluster}: Java's common client configs, camelCase, with Java's defaults. */
export interface ClusterOptions extends CommonTransportOptions {
  /** `bootstrap.servers`: `host:port` addresses, as an array or one comma-separated string. */
  bootstrapServers: string | readonly string[];
  /** `reconnect.backoff.ms`: wait before the first reconnect to a broker; default 50. */
  reconnectBackoffMs?: number;
  /** `reconnect.backoff.max.ms`: the backoff doubles per failed attempt up to this; default 1000. */
  reconnectBackoffMaxMs?: number;
  /** `retry.backoff.ms`: wait before retrying a failed request; default 100. */
  retryBackoffMs?: number;
  /** `retry.backoff.max.ms`: the retry backoff grows exponentially up to this; default 1000. */
  retryBackoffMaxMs?: number;
  /** `metadata.max.age.ms`: refresh metadata at least this often; default 300000. */
  metadataMaxAgeMs?: number;
  /** `connections.max.idle.ms`: close connections idle this long; default 540000; 0 or -1 never. */
  connectionsMaxIdleMs?: number;
  /**
   * `client.dns.lookup`: `use_all_dns_ips` (default) tries every address a host name resolves to
   * (Node's `autoSelectFamily`); `resolve_canonical_bootstrap_servers_only` first replaces each
   * bootstrap host by the canonical names of its addresses, as Java does.
   */
  clientDnsLookup?: ClientDnsLookup;
  /** `default.api.timeout.ms`: time limit of operations that retry (finding a coordinator, ...); default 60000. */
  defaultApiTimeoutMs?: number;
  /**
   * `allow.auto.create.topics`: whether Metadata requests for topics the cluster lacks may create
   * them (when the broker's `auto.create.topics.enable` allows); default true, as Java's producer.
   */
  allowAutoTopicCreation?: boolean;
  /** Random numbers in [0, 1) for backoff jitter; tests inject a fixed one. Default `Math.random`. */
  random?: () => number;
}

/** `client.dns.lookup` values. */
export type ClientDnsLookup = 'use_all_dns_ips' | 'resolve_canonical_bootstrap_servers_only';

/** {@link ClusterOptions} with every default filled in. */
export interface ResolvedClusterOptions {
  /** `client.dns.lookup`. */
  readonly clientDnsLookup: ClientDnsLookup;
  /** The bootstrap addresses, parsed. */
  readonly bootstrapServers: readonly BrokerAddress[];
  /** `client.id`. */
  readonly clientId: string;
  /** `request.timeout.ms`. */
  readonly requestTimeoutMs: number;
  /** `socket.connection.setup.timeout.ms`. */
  readonly connectionTimeoutMs: number;
  /** `reconnect.backoff.ms`. */
  readonly reconnectBackoffMs: number;
  /** `reconnect.backoff.max.ms`. */
  readonly reconnectBackoffMaxMs: number;
  /** `retry.backoff.ms`. */
  readonly retryBackoffMs: number;
  /** `retry.backoff.max.ms`. */
  readonly retryBackoffMaxMs: number;
  /** `metadata.max.age.ms`. */
  readonly metadataMaxAgeMs: number;
  /** `connections.max.idle.ms` (≤ 0: never). */
  readonly connectionsMaxIdleMs: number;
  /** `default.api.timeout.ms`. */
  readonly defaultApiTimeoutMs: number;
  /** `allow.auto.create.topics`. */
  readonly allowAutoTopicCreation: boolean;
  /** SASL, if any. */
  readonly sasl: SaslOptions | undefined;
  /** TLS, if any. */
  readonly ssl: SslOption | undefined;
  /** The logger. */
  readonly logger: Logger;
  /** The clock. */
  readonly clock: Clock;
  /** The largest response frame accepted. */
  readonly maxResponseSize: number;
  /** The jitter source. */
  readonly random: () => number;
  /** Where connections record requests, bytes and latencies. */
  readonly networkMetrics: NetworkMetrics | undefined;
  /** Sees each request's response or timeout. */
  readonly requestObserver: RequestObserver | undefined;
}

/** Java's defaults, by option name. */
export const DEFAULTS = Object.freeze({
  clientId: 'tskafka',
  requestTimeoutMs: 30_000,
  connectionTimeoutMs: 10_000,
  reconnectBackoffMs: 50,
  reconnectBackoffMaxMs: 1_000,
  retryBackoffMs: 100,
  retryBackoffMaxMs: 1_000,
  metadataMaxAgeMs: 300_000,
  connectionsMaxIdleMs: 540_000,
  defaultApiTimeoutMs: 60_000,
  allowAutoTopicCreation: true,
  maxResponseSize: 100 * 1024 * 1024,
});

/** A broker's `host` and `port`. */
export interface BrokerAddress {
  /** Host name or IP address (IPv6 without brackets). */
  readonly host: string;
  /** TCP port. */
  readonly port: number;
}

/**
 * Parses `host:port`, `[ipv6]:port` or a bare IPv6 address with a port after its last colon.
 * Throws a `TypeError` naming the address when it is not one.
 */
export function parseBrokerAddress(address: string): BrokerAddress {
  const s = address.trim();
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(s) ?? /^([^\s]+):(\d+)$/.exec(s);
  const port = m ? Number(m[2]) : Number.NaN;
  if (!m || m[1] === '' || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new TypeError(`invalid broker address "${address}": expected host:port`);
  }
  return { host: m[1], port };
}

/** `host:port`, with brackets around an IPv6 host. */
export function formatBrokerAddress({ host, port }: BrokerAddress): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

function nonNegative(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new TypeError(`${name} must be a number ≥ 0, got ${String(value)}`);
  }
  return value;
}

/** Fills in the defaults and checks types; throws a `TypeError` naming the bad option. */
export function resolveClusterOptions(options: ClusterOptions): ResolvedClusterOptions {
  const raw = options.bootstrapServers;
  const list = typeof raw === 'string' ? raw.split(',') : (raw ?? []);
  const bootstrapServers = list
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(parseBrokerAddress);
  if (bootstrapServers.length === 0) throw new TypeError('bootstrapServers must name at least one broker');
  const reconnectBackoffMs = nonNegative(
    'reconnectBackoffMs',
    options.reconnectBackoffMs,
    DEFAULTS.reconnectBackoffMs,
  );
  const retryBackoffMs = nonNegative('retryBackoffMs', options.retryBackoffMs, DEFAULTS.retryBackoffMs);
  const idle = options.connectionsMaxIdleMs ?? DEFAULTS.connectionsMaxIdleMs;
  const clientDnsLookup = options.clientDnsLookup ?? 'use_all_dns_ips';
  if (
    clientDnsLookup !== 'use_all_dns_ips' &&
    clientDnsLookup !== 'resolve_canonical_bootstrap_servers_only'
  ) {
    throw new TypeError(
      `clientDnsLookup must be use_all_dns_ips or resolve_canonical_bootstrap_servers_only, got ${String(clientDnsLookup)}`,
    );
  }
  return {
    bootstrapServers,
    clientDnsLookup,
    clientId: options.clientId ?? DEFAULTS.clientId,
    requestTimeoutMs: nonNegative('requestTimeoutMs', options.requestTimeoutMs, DEFAULTS.requestTimeoutMs),
    connectionTimeoutMs: nonNegative(
      'connectionTimeoutMs',
      options.connectionTimeoutMs,
      DEFAULTS.connectionTimeoutMs,
    ),
    reconnectBackoffMs,
    // As in Java, a max below the base means "no growth".
    reconnectBackoffMaxMs: Math.max(
      reconnectBackoffMs,
      nonNegative('reconnectBackoffMaxMs', options.reconnectBackoffMaxMs, DEFAULTS.reconnectBackoffMaxMs),
    ),
    retryBackoffMs,
    retryBackoffMaxMs: Math.max(
      retryBackoffMs,
      nonNegative('retryBackoffMaxMs', options.retryBackoffMaxMs, DEFAULTS.retryBackoffMaxMs),
    ),
    metadataMaxAgeMs: nonNegative('metadataMaxAgeMs', options.metadataMaxAgeMs, DEFAULTS.metadataMaxAgeMs),
    connectionsMaxIdleMs: typeof idle === 'number' && idle > 0 ? idle : -1,
    defaultApiTimeoutMs: nonNegative(
      'defaultApiTimeoutMs',
      options.defaultApiTimeoutMs,
      DEFAULTS.defaultApiTimeoutMs,
    ),
    allowAutoTopicCreation: options.allowAutoTopicCreation ?? DEFAULTS.allowAutoTopicCreation,
    sasl: options.sasl,
    ssl: options.ssl,
    logger: options.logger ?? stderrLogger('warn'),
    clock: options.clock ?? systemClock,
    maxResponseSize: options.maxResponseSize ?? DEFAULTS.maxResponseSize,
    random: options.random ?? Math.random,
    networkMetrics: options.networkMetrics,
    requestObserver: options.requestObserver,
  };
}
