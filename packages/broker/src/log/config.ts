/**
 * Log configuration: the topic-level configs that shape a partition log, with Kafka's defaults.
 *
 * @module
 */

/** How a batch's timestamps are set: by the producer, or by the broker at append. */
export type TimestampType = 'CreateTime' | 'LogAppendTime';

/** The topic configs the log layer obeys; each field names its Kafka config key. */
export interface LogConfig {
  /** `segment.bytes`: roll to a new segment when the active one would exceed this size. */
  segmentBytes: number;
  /** `segment.index.bytes`: roll when an index reaches this size. */
  segmentIndexBytes: number;
  /** `index.interval.bytes`: bytes of log between two index entries. */
  indexIntervalBytes: number;
  /** `retention.ms`: delete segments whose newest timestamp is older than this; -1 = never. */
  retentionMs: number;
  /** `retention.bytes`: delete the oldest segments while the log is larger; -1 = no limit. */
  retentionBytes: number;
  /** `max.message.bytes`: largest record batch accepted, in bytes. */
  maxMessageBytes: number;
  /** `message.timestamp.type`: `CreateTime` (producer's) or `LogAppendTime` (broker's). */
  messageTimestampType: TimestampType;
  /** `segment.ms`: roll a segment whose first batch is older than this, even if not full. */
  segmentMs: number;
  /**
   * `cleanup.policy`: `delete` removes old segments by retention, `compact` keeps the latest
   * record per key (the log cleaner); both may be set.
   */
  cleanupPolicy: readonly CleanupPolicy[];
  /** `delete.retention.ms`: how long a tombstone (and an empty transaction's marker) stays after a clean. */
  deleteRetentionMs: number;
  /** `min.cleanable.dirty.ratio`: clean once dirty bytes are at least this share of the log. */
  minCleanableDirtyRatio: number;
  /** `min.compaction.lag.ms`: records younger than this are never compacted. */
  minCompactionLagMs: number;
  /** `max.compaction.lag.ms`: records older than this are compacted whatever the dirty ratio. */
  maxCompactionLagMs: number;
}

/** A value of `cleanup.policy`. */
export type CleanupPolicy = 'compact' | 'delete';

/** Kafka's defaults for {@link LogConfig}. */
export const DEFAULT_LOG_CONFIG: Readonly<LogConfig> = Object.freeze({
  segmentBytes: 1024 * 1024 * 1024,
  segmentIndexBytes: 10 * 1024 * 1024,
  indexIntervalBytes: 4096,
  retentionMs: 7 * 24 * 60 * 60 * 1000,
  retentionBytes: -1,
  maxMessageBytes: 1024 * 1024 + 12,
  messageTimestampType: 'CreateTime',
  segmentMs: 7 * 24 * 60 * 60 * 1000,
  cleanupPolicy: Object.freeze(['delete'] as CleanupPolicy[]),
  deleteRetentionMs: 24 * 60 * 60 * 1000,
  minCleanableDirtyRatio: 0.5,
  minCompactionLagMs: 0,
  maxCompactionLagMs: Number.MAX_SAFE_INTEGER,
});

/** The Kafka config name of each {@link LogConfig} field. */
export const LOG_CONFIG_NAMES: Readonly<Record<keyof LogConfig, string>> = Object.freeze({
  segmentBytes: 'segment.bytes',
  segmentIndexBytes: 'segment.index.bytes',
  indexIntervalBytes: 'index.interval.bytes',
  retentionMs: 'retention.ms',
  retentionBytes: 'retention.bytes',
  maxMessageBytes: 'max.message.bytes',
  messageTimestampType: 'message.timestamp.type',
  segmentMs: 'segment.ms',
  cleanupPolicy: 'cleanup.policy',
  deleteRetentionMs: 'delete.retention.ms',
  minCleanableDirtyRatio: 'min.cleanable.dirty.ratio',
  minCompactionLagMs: 'min.compaction.lag.ms',
  maxCompactionLagMs: 'max.compaction.lag.ms',
});

/** The defaults with `overrides` applied. */
export function logConfig(overrides: Partial<LogConfig> = {}): LogConfig {
  return { ...DEFAULT_LOG_CONFIG, ...overrides };
}

/**
 * A {@link LogConfig} from topic configs by their Kafka names (as in CreateTopics or
 * IncrementalAlterConfigs), on top of `base`. Keys the log does not use are ignored; a bad value
 * for a key it uses throws an error naming the key.
 */
export function logConfigFromTopicConfig(
  configs: ReadonlyMap<string, string> | Readonly<Record<string, string | number | null | undefined>>,
  base: Readonly<LogConfig> = DEFAULT_LOG_CONFIG,
): LogConfig {
  const get = (name: string) =>
    configs instanceof Map ? configs.get(name) : (configs as Record<string, unknown>)[name];
  const result: LogConfig = { ...base };
  for (const [field, name] of Object.entries(LOG_CONFIG_NAMES) as [keyof LogConfig, string][]) {
    const raw = get(name) as string | number | null | undefined;
    if (raw === undefined || raw === null) continue;
    if (field === 'messageTimestampType') {
      if (raw !== 'CreateTime' && raw !== 'LogAppendTime') {
        throw new Error(`${name}: '${raw}' is not CreateTime or LogAppendTime`);
      }
      result.messageTimestampType = raw;
      continue;
    }
    if (field === 'cleanupPolicy') {
      result.cleanupPolicy = parseCleanupPolicy(String(raw));
      continue;
    }
    const value = typeof raw === 'number' ? raw : raw.trim() === '' ? Number.NaN : Number(raw);
    if (field === 'minCleanableDirtyRatio') {
      if (!(value >= 0 && value <= 1)) throw new Error(`${name}: '${raw}' is not a number in [0, 1]`);
      result.minCleanableDirtyRatio = value;
      continue;
    }
    if (field === 'maxCompactionLagMs' && value > Number.MAX_SAFE_INTEGER) {
      // Kafka's default is Long.MAX_VALUE: as good as never.
      result.maxCompactionLagMs = Number.MAX_SAFE_INTEGER;
      continue;
    }
    if (!Number.isSafeInteger(value)) throw new Error(`${name}: '${raw}' is not an integer`);
    const mayBeInfinite = field === 'retentionMs' || field === 'retentionBytes';
    const mayBeZero = field === 'deleteRetentionMs' || field === 'minCompactionLagMs';
    if (value < (mayBeInfinite ? -1 : mayBeZero ? 0 : 1))
      throw new Error(`${name}: ${value} is out of range`);
    Object.assign(result, { [field]: value });
  }
  return result;
}

/** Parses `cleanup.policy` (`delete`, `compact`, or both comma-separated); throws on anything else. */
export function parseCleanupPolicy(value: string): CleanupPolicy[] {
  const parts = value
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
  const bad = parts.find((p) => p !== 'compact' && p !== 'delete');
  if (bad !== undefined || parts.length === 0) {
    throw new Error(`cleanup.policy: '${value}' is not a list of compact and delete`);
  }
  return [...new Set(parts)] as CleanupPolicy[];
}
