/**
 * Topic-level configuration: Kafka's topic config names, their broker-level defaults, and the
 * conversion to what the log needs.
 */
import type { BrokerConfig } from './config.js';

/** Where a config value comes from, as DescribeConfigs reports it (Kafka's ConfigSource ids). */
export const ConfigSource = {
  /** Set on the topic (a dynamic topic config). */
  DynamicTopic: 1,
  /** Set in the broker's own configuration. */
  StaticBroker: 4,
  /** Kafka's default. */
  Default: 5,
} as const;

/** A topic config's definition. */
export interface TopicConfigDef {
  /** Kafka's topic config name. */
  readonly name: string;
  /** The broker property that supplies the default, if any. */
  readonly brokerKey?: keyof BrokerConfig;
  /** The default when no broker property applies. */
  readonly default: string;
  /** Value type, for validation. */
  readonly type: 'int' | 'long' | 'bool' | 'string' | 'double' | 'list';
  /** Allowed values for enumerations. */
  readonly values?: readonly string[];
  /** Whether the value is sensitive (never shown). */
  readonly sensitive?: boolean;
}

/** The topic configs this broker knows, in Kafka's names. */
export const TOPIC_CONFIGS: readonly TopicConfigDef[] = [
  { name: 'cleanup.policy', default: 'delete', type: 'list', values: ['delete', 'compact'] },
  {
    name: 'compression.type',
    default: 'producer',
    type: 'string',
    values: ['uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer'],
  },
  { name: 'delete.retention.ms', default: '86400000', type: 'long' },
  { name: 'file.delete.delay.ms', default: '60000', type: 'long' },
  { name: 'flush.messages', default: '9223372036854775807', type: 'long' },
  { name: 'flush.ms', default: '9223372036854775807', type: 'long' },
  { name: 'index.interval.bytes', brokerKey: 'logIndexIntervalBytes', default: '4096', type: 'int' },
  { name: 'max.compaction.lag.ms', default: '9223372036854775807', type: 'long' },
  { name: 'max.message.bytes', brokerKey: 'messageMaxBytes', default: '1048588', type: 'int' },
  {
    name: 'message.timestamp.type',
    brokerKey: 'logMessageTimestampType',
    default: 'CreateTime',
    type: 'string',
    values: ['CreateTime', 'LogAppendTime'],
  },
  { name: 'min.cleanable.dirty.ratio', default: '0.5', type: 'double' },
  { name: 'min.compaction.lag.ms', default: '0', type: 'long' },
  { name: 'min.insync.replicas', brokerKey: 'minInsyncReplicas', default: '1', type: 'int' },
  { name: 'preallocate', default: 'false', type: 'bool' },
  { name: 'retention.bytes', brokerKey: 'logRetentionBytes', default: '-1', type: 'long' },
  { name: 'retention.ms', brokerKey: 'logRetentionMs', default: '604800000', type: 'long' },
  { name: 'segment.bytes', brokerKey: 'logSegmentBytes', default: '1073741824', type: 'int' },
  { name: 'segment.index.bytes', default: '10485760', type: 'int' },
  { name: 'segment.jitter.ms', default: '0', type: 'long' },
  { name: 'segment.ms', default: '604800000', type: 'long' },
  { name: 'unclean.leader.election.enable', default: 'false', type: 'bool' },
];

const BY_NAME = new Map(TOPIC_CONFIGS.map((d) => [d.name, d]));

/** Looks up a topic config definition by Kafka name. */
export function topicConfigDef(name: string): TopicConfigDef | undefined {
  return BY_NAME.get(name);
}

/** The default of a topic config given the broker configuration, and where it comes from. */
export function topicConfigDefault(
  def: TopicConfigDef,
  broker: BrokerConfig,
): { value: string; source: number } {
  if (def.brokerKey) {
    const v = broker[def.brokerKey];
    const s = String(v);
    return { value: s, source: s === def.default ? ConfigSource.Default : ConfigSource.StaticBroker };
  }
  return { value: def.default, source: ConfigSource.Default };
}

/**
 * Checks a topic config value; returns an error message, or undefined when valid. Used by
 * CreateTopics and the AlterConfigs APIs (INVALID_CONFIG).
 */
export function validateTopicConfig(name: string, value: string | null): string | undefined {
  const def = BY_NAME.get(name);
  if (!def) return `Unknown topic config name: ${name}`;
  if (value === null) return undefined;
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
