/**
 * Dynamic configs: broker properties changed at run time (Kafka's DynamicBrokerConfig), per
 * broker (`kafka-configs --entity-type brokers --entity-name 1`) or as the cluster-wide default
 * (`--entity-default`), and consumer group configs (Kafka 4's GroupConfig). Kept by the controller
 * with the rest of the cluster metadata, so they persist with the data directory.
 */
import { ErrorCode } from '@tskafka/protocol';
import { ApiError } from './api-error.js';
import { BrokerConfigError, isBrokerProperty, validateBrokerProperty } from './config.js';
import { checkConfigValue, TOPIC_CONFIGS } from './topic-config.js';

/** Kafka's ConfigResource.Type ids. */
export const ConfigResourceType = {
  /** A topic. */
  Topic: 2,
  /** A broker (resource name: its id), or every broker (resource name: ''). */
  Broker: 4,
  /** A broker's loggers. */
  BrokerLogger: 8,
  /** A consumer group (Kafka 4). */
  Group: 32,
} as const;

/** One change of an AlterConfigs (op set/delete) or IncrementalAlterConfigs request. */
export interface ConfigChange {
  /** The config name. */
  name: string;
  /** The value (null for delete). */
  value: string | null;
  /** Kafka's AlterConfigOp.OpType. */
  op: 'set' | 'delete' | 'append' | 'subtract';
}

/**
 * The broker properties this broker lets `kafka-configs` change at run time: those of Kafka's
 * DynamicBrokerConfig that it knows. Every topic config's first broker synonym
 * (DynamicLogConfig: `log.retention.ms`, not `log.retention.hours`), and the producer state's
 * expiration. All of them are "cluster-wide" in Kafka's terms: settable per broker or as default.
 */
export const DYNAMIC_BROKER_CONFIGS: ReadonlySet<string> = new Set([
  ...TOPIC_CONFIGS.flatMap((d) => (d.synonyms?.length ? [d.synonyms[0].name] : [])),
  'producer.id.expiration.ms',
]);

/** A consumer group config (Kafka 4's GroupConfig) and the broker property behind its default. */
export interface GroupConfigDef {
  /** The group config name. */
  readonly name: string;
  /** The broker property that supplies its default. */
  readonly brokerSynonym: string;
  /** Kafka's default. */
  readonly default: string;
  /** Value type. */
  readonly type: 'int' | 'string';
  /** Allowed values for enumerations. */
  readonly values?: readonly string[];
}

/** The group configs of Kafka 4.x, with their defaults. */
export const GROUP_CONFIGS: readonly GroupConfigDef[] = [
  {
    name: 'consumer.heartbeat.interval.ms',
    brokerSynonym: 'group.consumer.heartbeat.interval.ms',
    default: '5000',
    type: 'int',
  },
  {
    name: 'consumer.session.timeout.ms',
    brokerSynonym: 'group.consumer.session.timeout.ms',
    default: '45000',
    type: 'int',
  },
  {
    name: 'share.auto.offset.reset',
    brokerSynonym: 'group.share.auto.offset.reset',
    default: 'latest',
    type: 'string',
    values: ['earliest', 'latest', 'by_duration'],
  },
  {
    name: 'share.heartbeat.interval.ms',
    brokerSynonym: 'group.share.heartbeat.interval.ms',
    default: '5000',
    type: 'int',
  },
  {
    name: 'share.record.lock.duration.ms',
    brokerSynonym: 'group.share.record.lock.duration.ms',
    default: '30000',
    type: 'int',
  },
  {
    name: 'share.session.timeout.ms',
    brokerSynonym: 'group.share.session.timeout.ms',
    default: '45000',
    type: 'int',
  },
  {
    name: 'streams.heartbeat.interval.ms',
    brokerSynonym: 'group.streams.heartbeat.interval.ms',
    default: '5000',
    type: 'int',
  },
  {
    name: 'streams.num.standby.replicas',
    brokerSynonym: 'group.streams.num.standby.replicas',
    default: '0',
    type: 'int',
  },
  {
    name: 'streams.session.timeout.ms',
    brokerSynonym: 'group.streams.session.timeout.ms',
    default: '45000',
    type: 'int',
  },
];

/** What the controller persists: every dynamic config, by resource. */
export interface DynamicConfigsSnapshot {
  /** Broker configs by resource name ('' is the cluster-wide default). */
  brokers: Record<string, Record<string, string>>;
  /** Group configs by group id. */
  groups: Record<string, Record<string, string>>;
}

/**
 * The dynamic broker and group configs of the cluster. Changes go through {@link alterBroker}
 * and {@link alterGroup}, which validate everything before changing anything, as Kafka does.
 */
export class DynamicConfigs {
  private readonly brokers = new Map<string, Map<string, string>>();
  private readonly groups = new Map<string, Map<string, string>>();
  private readonly changed: () => void;

  /** `changed` is called after every change (the controller's event). */
  constructor(changed: () => void) {
    this.changed = changed;
  }

  /** The dynamic configs of broker `resourceName` ('' for the cluster-wide default). */
  broker(resourceName: string): ReadonlyMap<string, string> {
    return this.brokers.get(resourceName) ?? new Map();
  }

  /** The configs set on group `groupId`. */
  group(groupId: string): ReadonlyMap<string, string> {
    return this.groups.get(groupId) ?? new Map();
  }

  /**
   * Alters broker `resourceName` ('' for every broker). Refuses, with INVALID_CONFIG and Kafka's
   * wording, properties that cannot change at run time and values that do not parse.
   */
  alterBroker(
    resourceName: string,
    changes: ConfigChange[],
    incremental: boolean,
    validateOnly: boolean,
  ): void {
    if (resourceName !== '' && !/^\d+$/.test(resourceName)) {
      throw new ApiError(ErrorCode.INVALID_REQUEST, `Invalid broker id ${resourceName}`);
    }
    const fixed = changes.filter((c) => isBrokerProperty(c.name) && !DYNAMIC_BROKER_CONFIGS.has(c.name));
    if (fixed.length > 0) {
      throw new ApiError(
        ErrorCode.INVALID_CONFIG,
        `Cannot update these configs dynamically: Set(${fixed.map((c) => c.name).join(', ')})`,
      );
    }
    const next = applyChanges(this.broker(resourceName), changes, incremental, (name, value) => {
      if (!DYNAMIC_BROKER_CONFIGS.has(name)) return `Unknown or non-dynamic broker config: ${name}`;
      if (value === null) return undefined;
      try {
        validateBrokerProperty(name, value);
        return undefined;
      } catch (e) {
        if (e instanceof BrokerConfigError) return e.message;
        throw e;
      }
    });
    if (validateOnly) return;
    set(this.brokers, resourceName, next);
    this.changed();
  }

  /** Alters the configs of group `groupId`. */
  alterGroup(groupId: string, changes: ConfigChange[], incremental: boolean, validateOnly: boolean): void {
    if (groupId === '') throw new ApiError(ErrorCode.INVALID_REQUEST, 'Group id must not be empty');
    const next = applyChanges(this.group(groupId), changes, incremental, (name, value) => {
      const def = GROUP_CONFIGS.find((d) => d.name === name);
      if (!def) return `Unknown group config name: ${name}`;
      return value === null ? undefined : checkConfigValue(def, name, value);
    });
    if (validateOnly) return;
    set(this.groups, groupId, next);
    this.changed();
  }

  /** Everything, for the metadata snapshot. */
  snapshot(): DynamicConfigsSnapshot {
    const obj = (m: Map<string, Map<string, string>>) =>
      Object.fromEntries([...m].map(([k, v]) => [k, Object.fromEntries(v)]));
    return { brokers: obj(this.brokers), groups: obj(this.groups) };
  }

  /** Restores a snapshot on restart (no event). */
  restore(snapshot: DynamicConfigsSnapshot): void {
    for (const [k, v] of Object.entries(snapshot.brokers)) this.brokers.set(k, new Map(Object.entries(v)));
    for (const [k, v] of Object.entries(snapshot.groups)) this.groups.set(k, new Map(Object.entries(v)));
  }
}

function set(map: Map<string, Map<string, string>>, key: string, value: Map<string, string>): void {
  if (value.size === 0) map.delete(key);
  else map.set(key, value);
}

/**
 * The configs after `changes`: replacing all of them (AlterConfigs) or editing one by one
 * (IncrementalAlterConfigs SET, DELETE, APPEND, SUBTRACT). `check` returns an error message for a
 * bad name or value; the first one fails the whole resource with INVALID_CONFIG.
 */
export function applyChanges(
  current: ReadonlyMap<string, string>,
  changes: readonly ConfigChange[],
  incremental: boolean,
  check: (name: string, value: string | null) => string | undefined,
): Map<string, string> {
  const next = incremental ? new Map(current) : new Map<string, string>();
  for (const c of changes) {
    if (c.op === 'delete' || c.value === null) {
      const err = check(c.name, null);
      if (err) throw new ApiError(ErrorCode.INVALID_CONFIG, err);
      next.delete(c.name);
      continue;
    }
    const value = applyListOp(c.op, next.get(c.name), c.value);
    const err = check(c.name, value);
    if (err) throw new ApiError(ErrorCode.INVALID_CONFIG, err);
    next.set(c.name, value);
  }
  return next;
}

/**
 * The value a config gets from one IncrementalAlterConfigs change: APPEND adds the items (comma-
 * separated) not yet in the current list, SUBTRACT removes them, SET replaces the value.
 */
export function applyListOp(op: string, current: string | undefined, value: string): string {
  if (op !== 'append' && op !== 'subtract') return value;
  const list = (current ?? '').split(',').filter(Boolean);
  const items = value.split(',').map((s) => s.trim());
  return (
    op === 'append'
      ? [...list, ...items.filter((x) => !list.includes(x))]
      : list.filter((x) => !items.includes(x))
  ).join(',');
}
