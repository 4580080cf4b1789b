/**
 * Broker configuration, with Apache Kafka's property names and defaults where they apply.
 * `startBroker({ config: { 'num.partitions': 3 } })` takes the names a Kafka operator knows.
 */
import { KafkaClientError } from '@tskafka/protocol';
import { ConfigSource, checkConfigValue, TOPIC_SYNONYMS } from './topic-config.js';

/** Broker settings by Kafka property name; values may be given as strings, as in server.properties. */
export type BrokerProperties = Record<string, string | number | boolean>;

/** The parsed broker configuration. */
export interface BrokerConfig {
  /** `num.partitions`: partitions of an auto-created topic or a CreateTopics request that leaves them at -1. */
  numPartitions: number;
  /** `default.replication.factor`. */
  defaultReplicationFactor: number;
  /** `auto.create.topics.enable`: Metadata requests for unknown topics create them. */
  autoCreateTopicsEnable: boolean;
  /** `log.segment.bytes`: roll a new segment when the active one reaches this size. */
  logSegmentBytes: number;
  /** `log.index.interval.bytes`: bytes of log between two offset/time index entries. */
  logIndexIntervalBytes: number;
  /** `log.retention.ms` (or `log.retention.minutes`/`.hours`): -1 keeps data forever. */
  logRetentionMs: number;
  /** `log.retention.bytes`: per-partition size limit; -1 for none. */
  logRetentionBytes: number;
  /** `log.retention.check.interval.ms`: how often retention runs. */
  logRetentionCheckIntervalMs: number;
  /** `log.cleaner.enable`: whether compacted topics (`cleanup.policy=compact`) are cleaned. */
  logCleanerEnable: boolean;
  /** `log.cleaner.backoff.ms`: how often the log cleaner looks for a log to compact. */
  logCleanerBackoffMs: number;
  /** `log.message.timestamp.type`: CreateTime or LogAppendTime, the default for new topics. */
  logMessageTimestampType: 'CreateTime' | 'LogAppendTime';
  /** `message.max.bytes`: the largest record batch accepted. */
  messageMaxBytes: number;
  /** `socket.request.max.bytes`: the largest request frame accepted. */
  socketRequestMaxBytes: number;
  /** `min.insync.replicas`: acks=all needs this many in-sync replicas. */
  minInsyncReplicas: number;
  /** `replica.lag.time.max.ms`: a follower not caught up with the leader for this long leaves the ISR. */
  replicaLagTimeMaxMs: number;
  /** `replica.fetch.wait.max.ms`: how long a follower's fetch waits at the leader for new data. */
  replicaFetchWaitMaxMs: number;
  /** `replica.fetch.backoff.ms`: a follower's pause after a failed fetch. */
  replicaFetchBackoffMs: number;
  /** `replica.fetch.max.bytes`: bytes a follower asks for per partition. */
  replicaFetchMaxBytes: number;
  /** `replica.fetch.response.max.bytes`: bytes a follower asks for per fetch. */
  replicaFetchResponseMaxBytes: number;
  /** `replica.high.watermark.checkpoint.interval.ms`: how often high watermarks are checkpointed. */
  replicaHighWatermarkCheckpointIntervalMs: number;
  /** `group.initial.rebalance.delay.ms`: wait for more members before the first rebalance of an empty group. */
  groupInitialRebalanceDelayMs: number;
  /** `group.min.session.timeout.ms`. */
  groupMinSessionTimeoutMs: number;
  /** `group.max.session.timeout.ms`. */
  groupMaxSessionTimeoutMs: number;
  /** `offsets.topic.num.partitions`: the coordinator of a group is `hash(groupId) % this`. */
  offsetsTopicNumPartitions: number;
  /** `offsets.topic.replication.factor`. */
  offsetsTopicReplicationFactor: number;
  /** `offsets.retention.minutes`, in ms. */
  offsetsRetentionMs: number;
  /** `offsets.commit.timeout.ms`: how long a write to `__consumer_offsets` waits for the ISR. */
  offsetsCommitTimeoutMs: number;
  /** `transaction.max.timeout.ms`. */
  transactionMaxTimeoutMs: number;
  /** `transactional.id.expiration.ms`: a transactional id idle this long is forgotten. */
  transactionalIdExpirationMs: number;
  /** `transaction.state.log.num.partitions`: the coordinator of a transactional id is `hash(id) % this`. */
  transactionStateLogNumPartitions: number;
  /** `transaction.state.log.replication.factor`. */
  transactionStateLogReplicationFactor: number;
  /** `transaction.abort.timed.out.transaction.cleanup.interval.ms`: how often timed-out transactions are aborted. */
  transactionAbortTimedOutTransactionCleanupIntervalMs: number;
  /** `transaction.remove.expired.transaction.cleanup.interval.ms`: how often expired transactional ids are removed. */
  transactionRemoveExpiredTransactionCleanupIntervalMs: number;
  /** `producer.id.expiration.ms`. */
  producerIdExpirationMs: number;
  /** `connections.max.idle.ms`. */
  connectionsMaxIdleMs: number;
  /** `max.incremental.fetch.session.cache.slots`: incremental fetch sessions (KIP-227) kept at most. */
  maxIncrementalFetchSessionCacheSlots: number;
  /** `auto.leader.rebalance.enable`: the controller moves leadership back to preferred replicas. */
  autoLeaderRebalanceEnable: boolean;
  /** `leader.imbalance.check.interval.seconds`, in ms: how often the controller checks leader balance. */
  leaderImbalanceCheckIntervalMs: number;
  /** `leader.imbalance.per.broker.percentage`: the share of a broker's preferred partitions led elsewhere that triggers a rebalance. */
  leaderImbalancePerBrokerPercentage: number;
  /** `sasl.enabled.mechanisms`: empty means no SASL (PLAINTEXT listener). */
  saslEnabledMechanisms: string[];
  /** Users for SASL: `{ alice: 'secret' }` (PLAIN and SCRAM credentials are derived from it). */
  saslUsers: Record<string, string>;
  /**
   * `authorizer.class.name`: empty (Kafka's default) authorizes every request; Kafka's
   * `org.apache.kafka.metadata.authorizer.StandardAuthorizer` (or the older
   * `kafka.security.authorizer.AclAuthorizer`) turns ACL checks on.
   */
  authorizerClassName: string;
  /** `super.users`: principals allowed everything, `User:admin;User:ops` (semicolon-separated). */
  superUsers: string[];
  /** `allow.everyone.if.no.acl.found`: a resource without any ACL is open to everyone. */
  allowEveryoneIfNoAclFound: boolean;
  /**
   * `listeners`: `NAME://host:port` entries, comma-separated, e.g.
   * `PLAINTEXT://:9092,SSL://:9093`; empty means one listener from the `port`/`host` options.
   */
  listeners: string;
  /** `advertised.listeners`: what Metadata answers per listener, where it differs from `listeners`. */
  advertisedListeners: string;
  /** `listener.security.protocol.map`: `NAME:PROTOCOL` pairs for listener names that are not protocols. */
  listenerSecurityProtocolMap: string;
  /** `inter.broker.listener.name`: the listener brokers use to reach each other (empty: chosen, see listeners.ts). */
  interBrokerListenerName: string;
  /**
   * `broker.rack`: the rack (or availability zone) of this broker, in Metadata responses; consumers
   * with a `client.rack` then get partitions with a replica on their rack (KIP-881). Empty for none.
   */
  brokerRack: string;
  /** `sasl.server.max.receive.size`: the largest frame a connection may send before it has authenticated. */
  saslServerMaxReceiveSize: number;
  /** `ssl.keystore.type`: PEM only. */
  sslKeystoreType: string;
  /** `ssl.keystore.location`: a PEM file holding the private key and the certificate chain. */
  sslKeystoreLocation: string;
  /** `ssl.keystore.certificate.chain`: the certificate chain, PEM text. */
  sslKeystoreCertificateChain: string;
  /** `ssl.keystore.key`: the private key, PEM text. */
  sslKeystoreKey: string;
  /** `ssl.key.password`: the passphrase of an encrypted private key. */
  sslKeyPassword: string;
  /** `ssl.truststore.type`: PEM only. */
  sslTruststoreType: string;
  /** `ssl.truststore.location`: a PEM file of the CA certificates client certificates are checked against. */
  sslTruststoreLocation: string;
  /** `ssl.truststore.certificates`: the trusted CA certificates, PEM text. */
  sslTruststoreCertificates: string;
  /** `ssl.client.auth`: whether TLS listeners ask clients for a certificate. */
  sslClientAuth: 'required' | 'requested' | 'none';
  /**
   * `listener.name.<name>.<property>`: per-listener overrides, by lower-case listener name (Kafka's
   * form), e.g. `{ ssl: { 'ssl.client.auth': 'required' } }`; ssl.*, `sasl.enabled.mechanisms` and
   * `<mechanism>.sasl.jaas.config` may be overridden.
   */
  listenerOverrides: Record<string, Record<string, string>>;
  /**
   * Every broker property that is set, by Kafka name, with each level it is set at, highest
   * precedence first (dynamic for this broker, dynamic cluster default, static): what
   * DescribeConfigs lists as synonyms, and where topic defaults such as `log.cleanup.policy` come from.
   */
  properties: Readonly<Record<string, readonly BrokerPropertyValue[]>>;
}

/** A broker property's value at one level (Kafka's `ConfigSynonym` in a DescribeConfigs response). */
export interface BrokerPropertyValue {
  /** The value as set, in the property's own unit. */
  readonly value: string;
  /** Kafka's ConfigSource id: 2 dynamic per broker, 3 dynamic cluster default, 4 static. */
  readonly source: number;
}

/** The authorizer classes of Kafka that `authorizer.class.name` accepts; each gives the same ACL semantics. */
export const AUTHORIZER_CLASS_NAMES: readonly string[] = [
  'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
  'kafka.security.authorizer.AclAuthorizer',
];

interface Setting {
  key: keyof BrokerConfig;
  type: 'int' | 'long' | 'bool' | 'string' | 'list';
  default: BrokerConfig[keyof BrokerConfig];
  scale?: number;
  /** A list's separator (default `,`). */
  separator?: string;
}

const DAY = 24 * 60 * 60 * 1000;

/** Kafka property name → setting. */
const SETTINGS: Record<string, Setting> = {
  'num.partitions': { key: 'numPartitions', type: 'int', default: 1 },
  'default.replication.factor': { key: 'defaultReplicationFactor', type: 'int', default: 1 },
  'auto.create.topics.enable': { key: 'autoCreateTopicsEnable', type: 'bool', default: true },
  'log.segment.bytes': { key: 'logSegmentBytes', type: 'int', default: 1024 * 1024 * 1024 },
  'log.index.interval.bytes': { key: 'logIndexIntervalBytes', type: 'int', default: 4096 },
  'log.retention.ms': { key: 'logRetentionMs', type: 'long', default: 7 * DAY },
  'log.retention.minutes': { key: 'logRetentionMs', type: 'long', default: 7 * DAY, scale: 60_000 },
  'log.retention.hours': { key: 'logRetentionMs', type: 'long', default: 7 * DAY, scale: 3_600_000 },
  'log.retention.bytes': { key: 'logRetentionBytes', type: 'long', default: -1 },
  'log.retention.check.interval.ms': { key: 'logRetentionCheckIntervalMs', type: 'long', default: 300_000 },
  'log.cleaner.enable': { key: 'logCleanerEnable', type: 'bool', default: true },
  'log.cleaner.backoff.ms': { key: 'logCleanerBackoffMs', type: 'long', default: 15_000 },
  'log.message.timestamp.type': { key: 'logMessageTimestampType', type: 'string', default: 'CreateTime' },
  'message.max.bytes': { key: 'messageMaxBytes', type: 'int', default: 1048588 },
  'socket.request.max.bytes': { key: 'socketRequestMaxBytes', type: 'int', default: 104857600 },
  'min.insync.replicas': { key: 'minInsyncReplicas', type: 'int', default: 1 },
  'replica.lag.time.max.ms': { key: 'replicaLagTimeMaxMs', type: 'long', default: 30_000 },
  'replica.fetch.wait.max.ms': { key: 'replicaFetchWaitMaxMs', type: 'int', default: 500 },
  'replica.fetch.backoff.ms': { key: 'replicaFetchBackoffMs', type: 'int', default: 1000 },
  'replica.fetch.max.bytes': { key: 'replicaFetchMaxBytes', type: 'int', default: 1048576 },
  'replica.fetch.response.max.bytes': { key: 'replicaFetchResponseMaxBytes', type: 'int', default: 10485760 },
  'replica.high.watermark.checkpoint.interval.ms': {
    key: 'replicaHighWatermarkCheckpointIntervalMs',
    type: 'long',
    default: 5000,
  },
  'group.initial.rebalance.delay.ms': { key: 'groupInitialRebalanceDelayMs', type: 'int', default: 3000 },
  'group.min.session.timeout.ms': { key: 'groupMinSessionTimeoutMs', type: 'int', default: 6000 },
  'group.max.session.timeout.ms': { key: 'groupMaxSessionTimeoutMs', type: 'int', default: 1_800_000 },
  'offsets.topic.num.partitions': { key: 'offsetsTopicNumPartitions', type: 'int', default: 50 },
  'offsets.topic.replication.factor': { key: 'offsetsTopicReplicationFactor', type: 'int', default: 1 },
  'offsets.retention.minutes': { key: 'offsetsRetentionMs', type: 'long', default: 7 * DAY, scale: 60_000 },
  'offsets.commit.timeout.ms': { key: 'offsetsCommitTimeoutMs', type: 'int', default: 5000 },
  'transaction.max.timeout.ms': { key: 'transactionMaxTimeoutMs', type: 'int', default: 900_000 },
  'transactional.id.expiration.ms': { key: 'transactionalIdExpirationMs', type: 'int', default: 7 * DAY },
  'transaction.state.log.num.partitions': {
    key: 'transactionStateLogNumPartitions',
    type: 'int',
    default: 50,
  },
  // 1 rather than Kafka's 3, like offsets.topic.replication.factor, so a one-broker cluster works.
  'transaction.state.log.replication.factor': {
    key: 'transactionStateLogReplicationFactor',
    type: 'int',
    default: 1,
  },
  'transaction.abort.timed.out.transaction.cleanup.interval.ms': {
    key: 'transactionAbortTimedOutTransactionCleanupIntervalMs',
    type: 'int',
    default: 10_000,
  },
  'transaction.remove.expired.transaction.cleanup.interval.ms': {
    key: 'transactionRemoveExpiredTransactionCleanupIntervalMs',
    type: 'int',
    default: 3_600_000,
  },
  'producer.id.expiration.ms': { key: 'producerIdExpirationMs', type: 'int', default: DAY },
  'connections.max.idle.ms': { key: 'connectionsMaxIdleMs', type: 'long', default: 600_000 },
  'max.incremental.fetch.session.cache.slots': {
    key: 'maxIncrementalFetchSessionCacheSlots',
    type: 'int',
    default: 1000,
  },
  'auto.leader.rebalance.enable': { key: 'autoLeaderRebalanceEnable', type: 'bool', default: true },
  'leader.imbalance.check.interval.seconds': {
    key: 'leaderImbalanceCheckIntervalMs',
    type: 'long',
    default: 300_000,
    scale: 1000,
  },
  'leader.imbalance.per.broker.percentage': {
    key: 'leaderImbalancePerBrokerPercentage',
    type: 'int',
    default: 10,
  },
  'sasl.enabled.mechanisms': { key: 'saslEnabledMechanisms', type: 'list', default: [] },
  listeners: { key: 'listeners', type: 'string', default: '' },
  'advertised.listeners': { key: 'advertisedListeners', type: 'string', default: '' },
  'listener.security.protocol.map': {
    key: 'listenerSecurityProtocolMap',
    type: 'string',
    default: 'PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL',
  },
  'inter.broker.listener.name': { key: 'interBrokerListenerName', type: 'string', default: '' },
  'broker.rack': { key: 'brokerRack', type: 'string', default: '' },
  'sasl.server.max.receive.size': { key: 'saslServerMaxReceiveSize', type: 'int', default: 524288 },
  'ssl.keystore.type': { key: 'sslKeystoreType', type: 'string', default: 'PEM' },
  'ssl.keystore.location': { key: 'sslKeystoreLocation', type: 'string', default: '' },
  'ssl.keystore.certificate.chain': { key: 'sslKeystoreCertificateChain', type: 'string', default: '' },
  'ssl.keystore.key': { key: 'sslKeystoreKey', type: 'string', default: '' },
  'ssl.key.password': { key: 'sslKeyPassword', type: 'string', default: '' },
  'ssl.truststore.type': { key: 'sslTruststoreType', type: 'string', default: 'PEM' },
  'ssl.truststore.location': { key: 'sslTruststoreLocation', type: 'string', default: '' },
  'ssl.truststore.certificates': { key: 'sslTruststoreCertificates', type: 'string', default: '' },
  'ssl.client.auth': { key: 'sslClientAuth', type: 'string', default: 'none' },
  'authorizer.class.name': { key: 'authorizerClassName', type: 'string', default: '' },
  'super.users': { key: 'superUsers', type: 'list', default: [], separator: ';' },
  'allow.everyone.if.no.acl.found': { key: 'allowEveryoneIfNoAclFound', type: 'bool', default: false },
};

/** Kafka's `listener.name.<name>.<property>` prefix. */
const LISTENER_PREFIX = /^listener\.name\.([^.]+)\.(.+)$/;
/** What a `listener.name.<name>.` prefix may override. */
const LISTENER_OVERRIDABLE = /^(ssl\.[a-z.]+|sasl\.enabled\.mechanisms|[a-z0-9-]+\.sasl\.jaas\.config)$/;

/** Raised for an unknown or ill-typed broker property; names the key and the nearest valid one. Not retriable. */
export class BrokerConfigError extends KafkaClientError {}

/** The configuration with every default. */
export function defaultBrokerConfig(): BrokerConfig {
  const c = { saslUsers: {}, listenerOverrides: {}, properties: {} } as unknown as BrokerConfig;
  for (const s of Object.values(SETTINGS)) (c as unknown as Record<string, unknown>)[s.key] = s.default;
  return c;
}

/**
 * Parses Kafka-named properties over the defaults. Unknown keys and ill-typed values are an error
 * that names the key (and suggests the nearest known one).
 */
export function parseBrokerConfig(
  props: BrokerProperties = {},
  users: Record<string, string> = {},
): BrokerConfig {
  const c = defaultBrokerConfig() as unknown as Record<string, unknown>;
  c.saslUsers = { ...users };
  const overrides: Record<string, Record<string, string>> = {};
  c.listenerOverrides = overrides;
  const properties: Record<string, BrokerPropertyValue[]> = {};
  for (const [name, raw] of byPrecedence(Object.entries(props))) {
    const prefixed = LISTENER_PREFIX.exec(name);
    if (prefixed) {
      const [, listener, property] = prefixed;
      if (!LISTENER_OVERRIDABLE.test(property) || !(property.includes('jaas') || SETTINGS[property])) {
        throw new BrokerConfigError(
          `${name}: a listener may override ssl.*, sasl.enabled.mechanisms and <mechanism>.sasl.jaas.config, not "${property}"`,
        );
      }
      // Validated as the broker-wide property would be; kept as text for the listener to apply.
      if (SETTINGS[property]) parseValue(name, SETTINGS[property], raw);
      overrides[listener.toLowerCase()] ??= {};
      overrides[listener.toLowerCase()][property] = String(raw);
      continue;
    }
    if (!SETTINGS[name] && name === 'sasl.jaas.config') {
      // Kafka brokers take it per listener and mechanism only.
      throw new BrokerConfigError(
        'sasl.jaas.config: a broker takes it per listener and mechanism, e.g. listener.name.sasl_plaintext.plain.sasl.jaas.config',
      );
    }
    setProperty(c, name, raw);
    properties[name] = [{ value: String(raw), source: ConfigSource.StaticBroker }];
  }
  c.properties = properties;
  // Kafka's validators: atLeast(1) and between(0, 100); a 0 s interval would spin the controller.
  if ((c.leaderImbalanceCheckIntervalMs as number) < 1000) {
    throw new BrokerConfigError('leader.imbalance.check.interval.seconds: must be at least 1');
  }
  const pct = c.leaderImbalancePerBrokerPercentage as number;
  if (pct < 0 || pct > 100) {
    throw new BrokerConfigError('leader.imbalance.per.broker.percentage: must be between 0 and 100');
  }
  const mechs = c.saslEnabledMechanisms as string[];
  for (const m of mechs) {
    if (!['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512', 'OAUTHBEARER'].includes(m)) {
      throw new BrokerConfigError(`sasl.enabled.mechanisms: unsupported mechanism "${m}"`);
    }
  }
  return c as unknown as BrokerConfig;
}

/** Every broker property name this broker knows, sorted (what DescribeConfigs lists for a broker). */
export function brokerPropertyNames(): string[] {
  return [...new Set([...Object.keys(SETTINGS), ...TOPIC_SYNONYMS.keys()])].sort();
}

/**
 * Kafka's default of a broker property, in its own unit (null when Kafka has none, as
 * `log.retention.ms`), and its type (Kafka's ConfigDef type name).
 */
export function brokerPropertyInfo(name: string): { default: string | null; type: string } {
  const s = SETTINGS[name];
  const syn = TOPIC_SYNONYMS.get(name);
  // A topic config's broker synonym has Kafka's default in the table (none for .ms of a family
  // whose .hours carries it, as log.retention.ms).
  if (syn) {
    const type = s?.type ?? (syn.synonym.scale ? 'int' : syn.topic.type);
    return { default: syn.synonym.default ?? null, type };
  }
  if (!s) return { default: null, type: 'string' };
  const d = s.default;
  const value = Array.isArray(d) ? d.join(',') : s.scale ? String(Number(d) / s.scale) : String(d);
  return { default: value, type: s.type };
}

/** Whether the broker knows `name` (its own settings, or a broker default of a topic config). */
export function isBrokerProperty(name: string): boolean {
  return name in SETTINGS || TOPIC_SYNONYMS.has(name);
}

/** Checks one property value; throws {@link BrokerConfigError} naming it. */
export function validateBrokerProperty(name: string, raw: string): void {
  setProperty({}, name, raw);
}

/**
 * The configuration of one broker with dynamic properties over its static one (Kafka's
 * DynamicBrokerConfig): the cluster-wide defaults, then this broker's own, which win.
 */
export function withDynamicProperties(
  base: BrokerConfig,
  clusterDefault: ReadonlyMap<string, string>,
  perBroker: ReadonlyMap<string, string>,
): BrokerConfig {
  const c = { ...base } as unknown as Record<string, unknown>;
  const properties: Record<string, BrokerPropertyValue[]> = {};
  for (const [name, levels] of Object.entries(base.properties)) properties[name] = [...levels];
  const add = (map: ReadonlyMap<string, string>, source: number) => {
    for (const [name, value] of map) properties[name] = [{ value, source }, ...(properties[name] ?? [])];
  };
  // Lowest precedence first, so that each level prepends in front of the ones below it.
  add(clusterDefault, ConfigSource.DynamicDefaultBroker);
  add(perBroker, ConfigSource.DynamicBroker);
  // Typed fields take the highest level of each property; units in ms/minutes/hours follow
  // Kafka's precedence (ms over minutes over hours) through byPrecedence.
  const top = Object.entries(properties).map(([name, levels]) => [name, levels[0].value] as [string, string]);
  for (const [name, value] of byPrecedence(top.filter(([n]) => n in SETTINGS))) setProperty(c, name, value);
  c.properties = properties;
  return c as unknown as BrokerConfig;
}

/** Parses and stores one property; throws {@link BrokerConfigError} for an unknown or ill-typed one. */
function setProperty(c: Record<string, unknown>, name: string, raw: string | number | boolean): void {
  const s = SETTINGS[name];
  if (s) {
    c[s.key] = parseValue(name, s, raw);
    return;
  }
  const synonym = TOPIC_SYNONYMS.get(name);
  if (synonym) {
    // A broker default of a topic config: checked as the topic config is (hours as integers).
    const type = synonym.synonym.scale ? 'long' : synonym.topic.type;
    const err = checkConfigValue({ type, values: synonym.topic.values }, name, String(raw));
    if (err) throw new BrokerConfigError(err);
    return;
  }
  const near = nearest(name, [...Object.keys(SETTINGS), ...TOPIC_SYNONYMS.keys()]);
  throw new BrokerConfigError(`unknown broker config "${name}"${near ? ` (did you mean "${near}"?)` : ''}`);
}

// Kafka reads log.retention.ms before .minutes before .hours (and log.roll.ms before .hours):
// applying the coarser ones first lets the finer one, when set, win.
const COARSE_FIRST = ['hours', 'minutes', 'seconds'];
function byPrecedence<T>(entries: [string, T][]): [string, T][] {
  const rank = (name: string) => {
    const i = COARSE_FIRST.indexOf(name.slice(name.lastIndexOf('.') + 1));
    return i === -1 ? COARSE_FIRST.length : i;
  };
  return [...entries].sort((a, b) => rank(a[0]) - rank(b[0]));
}

function parseValue(name: string, s: Setting, raw: string | number | boolean): unknown {
  switch (s.type) {
    case 'bool': {
      if (typeof raw === 'boolean') return raw;
      const v = String(raw).trim().toLowerCase();
      if (v === 'true' || v === 'false') return v === 'true';
      throw new BrokerConfigError(`${name}: expected true or false, got "${raw}"`);
    }
    case 'int':
    case 'long': {
      const n = typeof raw === 'number' ? raw : Number(String(raw).trim());
      if (!Number.isSafeInteger(n) || (s.type === 'int' && (n > 2147483647 || n < -2147483648))) {
        throw new BrokerConfigError(`${name}: expected an integer, got "${raw}"`);
      }
      return n < 0 || !s.scale ? n : n * s.scale;
    }
    case 'list':
      return String(raw)
        .split(s.separator ?? ',')
        .map((x) => x.trim())
        .filter(Boolean);
    default: {
      const v = String(raw);
      if (name === 'log.message.timestamp.type' && v !== 'CreateTime' && v !== 'LogAppendTime') {
        throw new BrokerConfigError(`${name}: expected CreateTime or LogAppendTime, got "${v}"`);
      }
      if (name.endsWith('ssl.client.auth') && !['required', 'requested', 'none'].includes(v)) {
        throw new BrokerConfigError(`${name}: expected required, requested or none, got "${v}"`);
      }
      // Only PEM: there is no JVM here to read JKS or PKCS12 stores.
      if (name.endsWith('store.type') && v.toUpperCase() !== 'PEM') {
        throw new BrokerConfigError(`${name}: only PEM is supported, got "${v}"`);
      }
      if (name === 'authorizer.class.name' && v !== '' && !AUTHORIZER_CLASS_NAMES.includes(v)) {
        throw new BrokerConfigError(
          `${name}: expected one of ${AUTHORIZER_CLASS_NAMES.join(', ')}, got "${v}"`,
        );
      }
      return v;
    }
  }
}

/** The candidate closest to `name` by edit distance, if reasonably close. */
export function nearest(name: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestD = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    const d = editDistance(name, c);
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return bestD <= Math.max(3, Math.floor(name.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length];
}
