/**
 * Topic-level configuration: Kafka's topic config names, their broker-level defaults, and the
 * conversion to what the log needs.
 */
import type { BrokerConfig } from './config.js';

/** Where a config value comes from, as DescribeConfigs reports it (Kafka's ConfigSource ids). */
export const ConfigSource = {
  /** Set on the topic (a dynamic topic config). */
  DynamicTopic: 1,
  /** Set on this broker at run time (`kafka-configs --entity-type brokers --entity-name 1`). */
  DynamicBroker: 2,
  /** Set for every broker at run time (`kafka-configs --entity-type brokers --entity-default`). */
  DynamicDefaultBroker: 3,
  /** Set in the broker's own configuration. */
  StaticBroker: 4,
  /** Kafka's default. */
  Default: 5,
  /** Set on a consumer group (`kafka-configs --entity-type groups`). */
  Group: 8,
} as const;

/**
 * A broker property that supplies a topic config's default (Kafka's `ConfigSynonym` in
 * `ServerTopicConfigSynonyms`): `log.retention.hours=1` is `retention.ms=3600000`.
 */
export interface BrokerSynonym {
  /** The broker property. */
  readonly name: string;
  /** Multiplier into the topic config's unit (hours to ms: 3600000). */
  readonly scale?: number;
  /** Kafka's default of the broker property itself, in its own unit; none when Kafka has none. */
  readonly default?: string;
}

/** A topic config's definition. */
export interface TopicConfigDef {
  /** Kafka's topic config name. */
  readonly name: string;
  /** The broker properties that supply the default, highest precedence first. */
  readonly synonyms?: readonly BrokerSynonym[];
  /** Kafka's default (LogConfig) when no broker property is set. */
  readonly default: string;
  /** Value type, for validation. */
  readonly type: 'int' | 'long' | 'bool' | 'string' | 'double' | 'list';
  /** Allowed values for enumerations. */
  readonly values?: readonly string[];
  /** Whether the value is sensitive (never shown). */
  readonly sensitive?: boolean;
}

const LONG_MAX = '9223372036854775807';
const same = (name: string, dflt: string): BrokerSynonym[] => [{ name, default: dflt }];
const HOUR = 3_600_000;

/**
 * Every topic config of Kafka 4.x's LogConfig, with its default and its broker synonyms (what
 * `kafka-configs --describe --all --entity-type topics` lists). The broker acts on a subset
 * (retention, segments, timestamps, max.message.bytes, min.insync.replicas, ...); the others are
 * stored and described as Kafka would, so tools that set them keep working.
 */
export const TOPIC_CONFIGS: readonly TopicConfigDef[] = [
  {
    name: 'cleanup.policy',
    synonyms: same('log.cleanup.policy', 'delete'),
    default: 'delete',
    type: 'list',
    values: ['delete', 'compact'],
  },
  {
    name: 'compression.gzip.level',
    synonyms: same('compression.gzip.level', '-1'),
    default: '-1',
    type: 'int',
  },
  { name: 'compression.lz4.level', synonyms: same('compression.lz4.level', '9'), default: '9', type: 'int' },
  {
    name: 'compression.type',
    synonyms: same('compression.type', 'producer'),
    default: 'producer',
    type: 'string',
    values: ['uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer'],
  },
  {
    name: 'compression.zstd.level',
    synonyms: same('compression.zstd.level', '3'),
    default: '3',
    type: 'int',
  },
  {
    name: 'delete.retention.ms',
    synonyms: same('log.cleaner.delete.retention.ms', '86400000'),
    default: '86400000',
    type: 'long',
  },
  {
    name: 'file.delete.delay.ms',
    synonyms: same('log.segment.delete.delay.ms', '60000'),
    default: '60000',
    type: 'long',
  },
  {
    name: 'flush.messages',
    synonyms: same('log.flush.interval.messages', LONG_MAX),
    default: LONG_MAX,
    type: 'long',
  },
  {
    name: 'flush.ms',
    synonyms: [
      { name: 'log.flush.interval.ms' },
      { name: 'log.flush.scheduler.interval.ms', default: LONG_MAX },
    ],
    default: LONG_MAX,
    type: 'long',
  },
  { name: 'follower.replication.throttled.replicas', default: '', type: 'list' },
  {
    name: 'index.interval.bytes',
    synonyms: same('log.index.interval.bytes', '4096'),
    default: '4096',
    type: 'int',
  },
  { name: 'leader.replication.throttled.replicas', default: '', type: 'list' },
  {
    name: 'local.retention.bytes',
    synonyms: same('log.local.retention.bytes', '-2'),
    default: '-2',
    type: 'long',
  },
  { name: 'local.retention.ms', synonyms: same('log.local.retention.ms', '-2'), default: '-2', type: 'long' },
  {
    name: 'max.compaction.lag.ms',
    synonyms: same('log.cleaner.max.compaction.lag.ms', LONG_MAX),
    default: LONG_MAX,
    type: 'long',
  },
  {
    name: 'max.message.bytes',
    synonyms: same('message.max.bytes', '1048588'),
    default: '1048588',
    type: 'int',
  },
  {
    name: 'message.timestamp.after.max.ms',
    synonyms: same('log.message.timestamp.after.max.ms', '3600000'),
    default: '3600000',
    type: 'long',
  },
  {
    name: 'message.timestamp.before.max.ms',
    synonyms: same('log.message.timestamp.before.max.ms', LONG_MAX),
    default: LONG_MAX,
    type: 'long',
  },
  {
    name: 'message.timestamp.type',
    synonyms: same('log.message.timestamp.type', 'CreateTime'),
    default: 'CreateTime',
    type: 'string',
    values: ['CreateTime', 'LogAppendTime'],
  },
  {
    name: 'min.cleanable.dirty.ratio',
    synonyms: same('log.cleaner.min.cleanable.ratio', '0.5'),
    default: '0.5',
    type: 'double',
  },
  {
    name: 'min.compaction.lag.ms',
    synonyms: same('log.cleaner.min.compaction.lag.ms', '0'),
    default: '0',
    type: 'long',
  },
  { name: 'min.insync.replicas', synonyms: same('min.insync.replicas', '1'), default: '1', type: 'int' },
  { name: 'preallocate', synonyms: same('log.preallocate', 'false'), default: 'false', type: 'bool' },
  { name: 'remote.log.copy.disable', default: 'false', type: 'bool' },
  { name: 'remote.log.delete.on.disable', default: 'false', type: 'bool' },
  { name: 'remote.storage.enable', default: 'false', type: 'bool' },
  { name: 'retention.bytes', synonyms: same('log.retention.bytes', '-1'), default: '-1', type: 'long' },
  {
    name: 'retention.ms',
    synonyms: [
      { name: 'log.retention.ms' },
      { name: 'log.retention.minutes', scale: 60_000 },
      { name: 'log.retention.hours', scale: HOUR, default: '168' },
    ],
    default: '604800000',
    type: 'long',
  },
  {
    name: 'segment.bytes',
    synonyms: same('log.segment.bytes', '1073741824'),
    default: '1073741824',
    type: 'int',
  },
  {
    name: 'segment.index.bytes',
    synonyms: same('log.index.size.max.bytes', '10485760'),
    default: '10485760',
    type: 'int',
  },
  {
    name: 'segment.jitter.ms',
    synonyms: [{ name: 'log.roll.jitter.ms' }, { name: 'log.roll.jitter.hours', scale: HOUR, default: '0' }],
    default: '0',
    type: 'long',
  },
  {
    name: 'segment.ms',
    synonyms: [{ name: 'log.roll.ms' }, { name: 'log.roll.hours', scale: HOUR, default: '168' }],
    default: '604800000',
    type: 'long',
  },
  {
    name: 'unclean.leader.election.enable',
    synonyms: same('unclean.leader.election.enable', 'false'),
    default: 'false',
    type: 'bool',
  },
];

/**
 * Every broker property that supplies a topic default, with the topic config it feeds: the
 * properties the broker accepts beyond its own settings, and (first synonym of each) the ones
 * Kafka lets `kafka-configs` change at run time (DynamicLogConfig).
 */
export const TOPIC_SYNONYMS: ReadonlyMap<string, { topic: TopicConfigDef; synonym: BrokerSynonym }> = new Map(
  TOPIC_CONFIGS.flatMap((topic) =>
    (topic.synonyms ?? []).map((synonym) => [synonym.name, { topic, synonym }]),
  ),
);

const BY_NAME = new Map(TOPIC_CONFIGS.map((d) => [d.name, d]));

/** Looks up a topic config definition by Kafka name. */
export function topicConfigDef(name: string): TopicConfigDef | undefined {
  return BY_NAME.get(name);
}

/**
 * The default of a topic config given the broker configuration, and where it comes from: the
 * first of its broker synonyms that is set (dynamic per broker, dynamic cluster default, static,
 * in that order), converted to the topic config's unit, else Kafka's default.
 */
export function topicConfigDefault(
  def: TopicConfigDef,
  broker: BrokerConfig,
): { value: string; source: number } {
  for (const syn of def.synonyms ?? []) {
    const set = broker.properties[syn.name]?.[0];
    if (!set) continue;
    const n = Number(set.value);
    const value = syn.scale && n >= 0 ? String(n * syn.scale) : set.value;
    return { value, source: set.source };
  }
  return { value: def.default, source: ConfigSource.Default };
}

/**
 * The synonyms of a topic config as DescribeConfigs lists them (Kafka's ConfigHelper): the topic's
 * own override, then every level of every broker synonym in precedence order, then the broker
 * synonyms' own defaults. Values are as set, in each property's own unit (`log.retention.hours=1`).
 */
export function topicConfigSynonyms(
  def: TopicConfigDef,
  broker: BrokerConfig,
  override: string | undefined,
): { name: string; value: string; source: number }[] {
  const out: { name: string; value: string; source: number }[] = [];
  if (override !== undefined)
    out.push({ name: def.name, value: override, source: ConfigSource.DynamicTopic });
  for (const syn of def.synonyms ?? [])
    for (const level of broker.properties[syn.name] ?? []) out.push({ name: syn.name, ...level });
  for (const syn of def.synonyms ?? [])
    if (syn.default !== undefined)
      out.push({ name: syn.name, value: syn.default, source: ConfigSource.Default });
  return out;
}

/**
 * Checks a topic config value; returns an error message, or undefined when valid. Used by
 * CreateTopics and the AlterConfigs APIs (INVALID_CONFIG).
 */
export function validateTopicConfig(name: string, value: string | null): string | undefined {
  const def = BY_NAME.get(name);
  if (!def) return `Unknown topic config name: ${name}`;
  if (value === null) return undefined;
  return checkConfigValue(def, name, value);
}

/** Checks `value` against a type (and allowed values); returns an error message, or undefined. */
export function checkConfigValue(
  def: Pick<TopicConfigDef, 'type' | 'values'>,
  name: string,
  value: string,
): string | undefined {
  switch (def.type) {
    case 'int':
    case 'long': {
      if (!/^-?\d+$/.test(value.trim()))
        return `Invalid value ${value} for configuration ${name}: Not a number`;
      const n = Number(value);
      if (def.type === 'int' && (n > 2147483647 || n < -2147483648)) {
        return `Invalid value ${value} for configuration ${name}: Not an int`;
      }
      return undefined;
    }
    case 'double':
      return Number.isNaN(Number(value))
        ? `Invalid value ${value} for configuration ${name}: Not a number`
        : undefined;
    case 'bool':
      return /^(true|false)$/i.test(value.trim())
        ? undefined
        : `Invalid value ${value} for configuration ${name}: Expected value to be either true or false`;
    default: {
      if (!def.values) return undefined;
      const parts = def.type === 'list' ? value.split(',').map((s) => s.trim()) : [value];
      const bad = parts.find((p) => !def.values?.includes(p));
      return bad === undefined
        ? undefined
        : `Invalid value ${value} for configuration ${name}: String must be one of: ${def.values.join(', ')}`;
    }
  }
}

/** The effective value of every topic config for a topic with `overrides`. */
export function effectiveTopicConfig(
  overrides: ReadonlyMap<string, string>,
  broker: BrokerConfig,
): Map<string, string> {
  const out = new Map<string, string>();
  for (const def of TOPIC_CONFIGS)
    out.set(def.name, overrides.get(def.name) ?? topicConfigDefault(def, broker).value);
  return out;
}
