/**
 * The configuration every client shares (Java's `CommonClientConfigs`, with the SSL and SASL
 * keys), as schema keys the producer, consumer and admin schemas spread into theirs.
 *
 * @module
 */

import { readFileSync } from 'node:fs';
import type { ConnectionOptions as TlsConnectionOptions } from 'node:tls';
import type { Cluster } from '../cluster.js';
import type { Logger } from '../logger.js';
import type { RequestObserver } from '../metrics.js';
import type { ClusterOptions, OAuthBearerSaslOptions, SaslOptions, SslOption } from '../options.js';
import { ConfigError } from './errors.js';
import {
  isJaasConfig,
  type JaasConfig,
  PLAIN_LOGIN_MODULE,
  parseJaasConfig,
  SCRAM_LOGIN_MODULE,
} from './jaas.js';
import { booleanKey, customKey, enumKey, intKey, listKey, longKey, passwordKey, stringKey } from './keys.js';
import { type ConfigOf, defineSchema } from './schema.js';

/** `security.protocol` values. */
export type SecurityProtocol = 'PLAINTEXT' | 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL';

/** `sasl.mechanism` values this client implements. */
export type SaslMechanismName = 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512' | 'OAUTHBEARER';

/** Checks one `bootstrap.servers` entry: `host:port` or `[ipv6]:port`. */
function brokerAddress(item: string): string | undefined {
  const colon = item.lastIndexOf(':');
  const port = Number(item.slice(colon + 1));
  if (colon <= 0 || !/^\d+$/.test(item.slice(colon + 1)) || port < 1 || port > 65535) {
    return 'expected host:port';
  }
  return undefined;
}

/** The keys every client takes, by camelCase option name. */
export const commonClientKeys = {
  bootstrapServers: listKey('bootstrap.servers', {
    doc: 'host:port pairs to make the first connection to the cluster; the client then uses every broker the metadata names.',
    required: true,
    aliases: ['metadata.broker.list'],
    validate: brokerAddress,
  }),
  clientId: stringKey('client.id', {
    doc: 'Sent with every request, for broker logs and quotas. Java defaults to "" and then generates "producer-N"; left unset here, the client picks its own.',
  }),
  requestTimeoutMs: intKey('request.timeout.ms', {
    doc: 'How long to wait for a response before failing the request (and retrying where allowed).',
    default: 30_000,
    min: 0,
  }),
  connectionTimeoutMs: longKey('socket.connection.setup.timeout.ms', {
    doc: 'How long a TCP (and TLS) connect may take.',
    default: 10_000,
    min: 0,
  }),
  connectionsMaxIdleMs: longKey('connections.max.idle.ms', {
    doc: 'Close connections idle this long (Java producer and consumer: 9 minutes); -1 never.',
    default: 540_000,
    min: -1,
  }),
  clientDnsLookup: enumKey(
    'client.dns.lookup',
    ['use_all_dns_ips', 'resolve_canonical_bootstrap_servers_only'] as const,
    {
      doc: "use_all_dns_ips: a connection tries every address a host name resolves to. resolve_canonical_bootstrap_servers_only: each bootstrap host is also resolved to its addresses' canonical names first, which are then bootstrapped from (for a DNS alias in front of the brokers, or Kerberos).",
      default: 'use_all_dns_ips',
    },
  ),
  reconnectBackoffMs: longKey('reconnect.backoff.ms', {
    doc: 'Wait before reconnecting to a broker after a failed attempt.',
    default: 50,
    min: 0,
  }),
  reconnectBackoffMaxMs: longKey('reconnect.backoff.max.ms', {
    doc: 'The reconnect backoff doubles per consecutive failure up to this.',
    default: 1_000,
    min: 0,
  }),
  retryBackoffMs: longKey('retry.backoff.ms', {
    doc: 'Wait before retrying a failed request.',
    default: 100,
    min: 0,
  }),
  retryBackoffMaxMs: longKey('retry.backoff.max.ms', {
    doc: 'The retry backoff grows exponentially per failure up to this.',
    default: 1_000,
    min: 0,
  }),
  metadataMaxAgeMs: longKey('metadata.max.age.ms', {
    doc: 'Refresh cluster metadata at least this often, even without errors.',
    default: 300_000,
    min: 0,
  }),
  securityProtocol: enumKey(
    'security.protocol',
    ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'] as const,
    {
      doc: 'How to talk to brokers: plain TCP, TLS, SASL over TCP, SASL over TLS.',
      default: 'PLAINTEXT',
      caseInsensitive: true,
    },
  ),
  saslMechanism: enumKey(
    'sasl.mechanism',
    ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512', 'OAUTHBEARER'] as const,
    {
      doc: 'The SASL mechanism. Java defaults to GSSAPI (Kerberos), which this client does not implement; the default here is PLAIN.',
      default: 'PLAIN',
      caseInsensitive: true,
      aliases: ['sasl.mechanisms'],
    },
  ),
  saslJaasConfig: customKey<JaasConfig, JaasConfig, { doc: string; secret: true }>(
    'sasl.jaas.config',
    {
      doc: 'The JAAS login module line with the SASL credentials: PlainLoginModule or ScramLoginModule, username and password.',
      secret: true,
    },
    parseJaasConfig,
    isJaasConfig,
  ),
  saslUsername: stringKey('sasl.username', {
    doc: "The SASL user name (librdkafka's key; an alternative to sasl.jaas.config).",
  }),
  saslPassword: passwordKey('sasl.password', {
    doc: "The SASL password (librdkafka's key; an alternative to sasl.jaas.config).",
  }),
  sslCaLocation: stringKey('ssl.ca.location', {
    doc: "PEM file of the CA certificates to verify brokers with (librdkafka's key); default: the system's CAs.",
  }),
  sslCertificateLocation: stringKey('ssl.certificate.location', {
    doc: "PEM file of the client certificate, for TLS client authentication (librdkafka's key).",
  }),
  sslKeyLocation: stringKey('ssl.key.location', {
    doc: "PEM file of the client private key (librdkafka's key).",
  }),
  sslKeyPassword: passwordKey('ssl.key.password', {
    doc: 'Passphrase of the client private key.',
  }),
  sslEndpointIdentificationAlgorithm: enumKey(
    'ssl.endpoint.identification.algorithm',
    ['https', ''] as const,
    {
      doc: 'https (default): check that the broker certificate names the host; empty: do not check the name.',
      default: 'https',
      caseInsensitive: true,
    },
  ),
  sslCertificateVerification: booleanKey('enable.ssl.certificate.verification', {
    doc: "Verify the broker certificate against the CAs (librdkafka's key); false only for tests.",
    default: true,
  }),
} as const;

/** The common client options, loaded. */
export type CommonClientConfig = ConfigOf<typeof commonClientKeys>;

/**
 * Java client property names accepted by every client and ignored: they tune the JVM client
 * (socket buffers, metrics, DNS, security providers) and have no counterpart here.
 */
export const COMMON_IGNORED_PROPERTIES: readonly string[] = [
  'send.buffer.bytes',
  'receive.buffer.bytes',
  'client.rack',
  'metrics.sample.window.ms',
  'metrics.num.samples',
  'metrics.recording.level',
  'metric.reporters',
  'auto.include.jmx.reporter',
  'enable.metrics.push',
  'security.providers',
  'socket.connection.setup.timeout.max.ms',
  'metadata.recovery.strategy',
  'metadata.recovery.rebootstrap.trigger.ms',
  'config.providers',
];

/**
 * Checks across the common keys: SASL needs credentials, from `sasl.jaas.config` or
 * `sasl.username`/`sasl.password`, and a login module that fits the mechanism.
 */
export function checkCommonClientConfig(config: CommonClientConfig): void {
  if (config.securityProtocol === 'SASL_PLAINTEXT' || config.securityProtocol === 'SASL_SSL') {
    saslFromConfig(config);
  }
}

/** SASL credentials from the configuration, in the shape of the transport's SASL option. */
export interface SaslCredentials {
  /** The mechanism. */
  mechanism: Exclude<SaslMechanismName, 'OAUTHBEARER'>;
  /** The user name. */
  username: string;
  /** The password. */
  password: string;
}

/**
 * The SASL credentials the configuration gives: none unless `security.protocol` is
 * SASL_PLAINTEXT or SASL_SSL; then `sasl.username`/`sasl.password` if set, else the
 * `username`/`password` options of `sasl.jaas.config`.
 *
 * @throws ConfigError when SASL is on but the credentials are missing, or the login module does
 *   not fit `sasl.mechanism` (PlainLoginModule for PLAIN, ScramLoginModule for SCRAM-*).
 */
export function saslFromConfig(
  config: CommonClientConfig,
): SaslCredentials | OAuthBearerSaslOptions | undefined {
  if (config.securityProtocol !== 'SASL_PLAINTEXT' && config.securityProtocol !== 'SASL_SSL')
    return undefined;
  const mechanism = config.saslMechanism;
  const jaas = config.saslJaasConfig;
  if (mechanism === 'OAUTHBEARER') return unsecuredOAuthBearerFromJaas(jaas);
  if (jaas !== undefined) {
    const wanted = mechanism === 'PLAIN' ? PLAIN_LOGIN_MODULE : SCRAM_LOGIN_MODULE;
    if (jaas.loginModule !== wanted) {
      throw new ConfigError(
        'sasl.jaas.config',
        `login module ${jaas.loginModule} does not fit sasl.mechanism=${mechanism}; expected ${wanted}`,
      );
    }
  }
  const username = config.saslUsername ?? jaas?.options.username;
  const password = config.saslPassword ?? jaas?.options.password;
  if (username === undefined || password === undefined) {
    throw new ConfigError(
      'sasl.jaas.config',
      `security.protocol=${config.securityProtocol} needs a user name and password: set sasl.jaas.config (username="..." password="...") or sasl.username and sasl.password`,
    );
  }
  return { mechanism, username, password };
}

/** The OAUTHBEARER login module class. */
const OAUTHBEARER_LOGIN_MODULE = 'org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule';

/**
 * OAUTHBEARER from properties, as Java's default `OAuthBearerUnsecuredLoginCallbackHandler`:
 * `sasl.jaas.config=...OAuthBearerLoginModule required unsecuredLoginStringClaim_sub="alice";`
 * makes an unsecured JWS (`alg: none`) with that `sub`, `iat`, `exp` after
 * `unsecuredLoginLifetimeSeconds` (default 3600), and `unsecuredLoginExtension_<name>` SASL
 * extensions; a fresh token for each connection. For development brokers only, as in Java; a
 * real identity provider needs the `oauthBearerProvider` option.
 */
function unsecuredOAuthBearerFromJaas(jaas: JaasConfig | undefined): OAuthBearerSaslOptions {
  if (jaas === undefined || jaas.loginModule !== OAUTHBEARER_LOGIN_MODULE) {
    throw new ConfigError(
      'sasl.jaas.config',
      `sasl.mechanism=OAUTHBEARER from properties needs ${OAUTHBEARER_LOGIN_MODULE} with unsecuredLoginStringClaim_sub="..." (or pass the oauthBearerProvider option)`,
    );
  }
  const o = jaas.options;
  const sub = o.unsecuredLoginStringClaim_sub;
  if (sub === undefined || sub === '') {
    throw new ConfigError(
      'sasl.jaas.config',
      'OAuthBearerLoginModule needs unsecuredLoginStringClaim_sub="<principal>"',
    );
  }
  const lifetime = Number(o.unsecuredLoginLifetimeSeconds ?? 3600);
  if (!Number.isFinite(lifetime) || lifetime <= 0) {
    throw new ConfigError('sasl.jaas.config', 'unsecuredLoginLifetimeSeconds must be a positive number');
  }
  const claims: Record<string, string> = {};
  const extensions: Record<string, string> = {};
  for (const [k, v] of Object.entries(o)) {
    if (k.startsWith('unsecuredLoginStringClaim_')) claims[k.slice('unsecuredLoginStringClaim_'.length)] = v;
    if (k.startsWith('unsecuredLoginExtension_')) extensions[k.slice('unsecuredLoginExtension_'.length)] = v;
  }
  const part = (obj: object) => Buffer.from(JSON.stringify(obj)).toString('base64url');
  return {
    mechanism: 'OAUTHBEARER',
    oauthBearerProvider: () => {
      const iat = Date.now() / 1000;
      return {
        value: `${part({ alg: 'none' })}.${part({ ...claims, iat, exp: iat + lifetime })}.`,
        extensions,
      };
    },
  };
}

/**
 * The TLS options of Node's `tls.connect` the configuration gives: none unless
 * `security.protocol` is SSL or SASL_SSL; `true` (Node's defaults: the system's CAs, host name
 * checked) when no ssl.* key changes them; otherwise the PEM files read and the checks set.
 *
 * @param readFile - reads a PEM file (default `fs.readFileSync`); tests pass their own.
 * @throws ConfigError naming the key whose file cannot be read.
 */
export function tlsFromConfig(
  config: CommonClientConfig,
  readFile: (path: string) => Buffer | string = (path) => readFileSync(path),
): true | TlsConnectionOptions | undefined {
  if (config.securityProtocol !== 'SSL' && config.securityProtocol !== 'SASL_SSL') return undefined;
  const options: TlsConnectionOptions = {};
  const read = (property: string, path: string | undefined): Buffer | string | undefined => {
    if (path === undefined) return undefined;
    try {
      return readFile(path);
    } catch (e) {
      throw new ConfigError(property, `cannot read ${path}: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
  const ca = read('ssl.ca.location', config.sslCaLocation);
  const cert = read('ssl.certificate.location', config.sslCertificateLocation);
  const key = read('ssl.key.location', config.sslKeyLocation);
  if (ca !== undefined) options.ca = ca;
  if (cert !== undefined) options.cert = cert;
  if (key !== undefined) options.key = key;
  if (config.sslKeyPassword !== undefined) options.passphrase = config.sslKeyPassword;
  if (!config.sslCertificateVerification) options.rejectUnauthorized = false;
  if (config.sslEndpointIdentificationAlgorithm === '') options.checkServerIdentity = () => undefined;
  return Object.keys(options).length === 0 ? true : options;
}

/** The common client schema on its own (what an admin client with no keys of its own would load). */
export const commonClientSchema = defineSchema(commonClientKeys, {
  ignored: COMMON_IGNORED_PROPERTIES,
  check: (config) => checkCommonClientConfig(config),
});

/**
 * The {@link ClusterOptions} of a client from its loaded configuration: the common keys, SASL
 * and TLS from `security.protocol` and friends unless given as objects (`sasl`, `ssl`), and the
 * logger. Producer, consumer and admin build their {@link Cluster} with it.
 *
 * @param defaultClientId - the `client.id` when the configuration has none.
 */
export function clusterOptionsFromConfig(
  c: CommonClientConfig & { readonly defaultApiTimeoutMs?: number },
  objects: { sasl?: SaslOptions; ssl?: SslOption; logger: Logger; requestObserver?: RequestObserver },
  defaultClientId: string,
): ClusterOptions {
  return {
    bootstrapServers: c.bootstrapServers,
    clientId: c.clientId ?? defaultClientId,
    requestTimeoutMs: c.requestTimeoutMs,
    connectionTimeoutMs: c.connectionTimeoutMs,
    reconnectBackoffMs: c.reconnectBackoffMs,
    reconnectBackoffMaxMs: c.reconnectBackoffMaxMs,
    retryBackoffMs: c.retryBackoffMs,
    retryBackoffMaxMs: c.retryBackoffMaxMs,
    metadataMaxAgeMs: c.metadataMaxAgeMs,
    connectionsMaxIdleMs: c.connectionsMaxIdleMs,
    clientDnsLookup: c.clientDnsLookup,
    ...(c.defaultApiTimeoutMs === undefined ? {} : { defaultApiTimeoutMs: c.defaultApiTimeoutMs }),
    sasl: objects.sasl ?? saslFromConfig(c),
    ssl: objects.ssl ?? tlsFromConfig(c),
    logger: objects.logger,
    ...(objects.requestObserver === undefined ? {} : { requestObserver: objects.requestObserver }),
  };
}
