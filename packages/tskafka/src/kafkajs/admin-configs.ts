/**
 * KafkaJS's admin calls for configs and partition reassignments over tskafka's `Admin`:
 * `describeConfigs`, `alterConfigs`, `alterPartitionReassignments` and
 * `listPartitionReassignments`, with KafkaJS's arguments, result shapes and errors, and its
 * `ConfigResourceTypes` and `ConfigSource` codes (Kafka's own numbers).
 *
 * @module
 */
import type {
  ConfigEntry,
  ConfigResourceType,
  Admin as TsAdmin,
  ConfigSource as TsConfigSource,
} from '@tskafka/admin';
import type { KafkaError } from '@tskafka/protocol';
import {
  KafkaJSAggregateError,
  KafkaJSAlterPartitionReassignmentsError,
  KafkaJSNonRetriableError,
  protocolInput,
} from './errors.js';

/** The kinds of resource with configs (Kafka's `ConfigResource.Type` codes). */
export const ConfigResourceTypes = {
  /** Unknown. */
  UNKNOWN: 0,
  /** A topic. */
  TOPIC: 2,
  /** A broker, named by its id. */
  BROKER: 4,
  /** A broker's loggers, named by the broker's id. */
  BROKER_LOGGER: 8,
} as const;
/** See {@link ConfigResourceTypes}. */
export type ConfigResourceTypes = (typeof ConfigResourceTypes)[keyof typeof ConfigResourceTypes];

/** Where a config value comes from (Kafka's `DescribeConfigsResponse.ConfigSource` codes). */
export const ConfigSource = {
  /** Unknown. */
  UNKNOWN: 0,
  /** The topic's own override. */
  TOPIC_CONFIG: 1,
  /** A dynamic config of this broker. */
  DYNAMIC_BROKER_CONFIG: 2,
  /** A dynamic config set as the default of every broker. */
  DYNAMIC_DEFAULT_BROKER_CONFIG: 3,
  /** The broker's configuration file. */
  STATIC_BROKER_CONFIG: 4,
  /** Kafka's default. */
  DEFAULT_CONFIG: 5,
  /** A dynamic broker logger level. */
  DYNAMIC_BROKER_LOGGER_CONFIG: 6,
} as const;
/** See {@link ConfigSource}. */
export type ConfigSource = (typeof ConfigSource)[keyof typeof ConfigSource];

/** A resource whose configs to describe (KafkaJS's `ResourceConfigQuery`). */
export interface ResourceConfigQuery {
  /** The kind of resource. */
  type: ConfigResourceTypes;
  /** The topic name, or the broker id as a string. */
  name: string;
  /** Only these configs; absent: all. */
  configNames?: string[];
}

/** One level a config is set at (KafkaJS's `ConfigSynonyms`). */
export interface ConfigSynonyms {
  /** The config's name at that level (`log.retention.hours` for a topic's `retention.ms`). */
  configName: string;
  /** Its value there. */
  configValue: string | null;
  /** The level. */
  configSource: ConfigSource;
}

/** One config of a described resource (KafkaJS's `ConfigEntries`). */
export interface ConfigEntries {
  /** The config's name. */
  configName: string;
  /** Its value; null when sensitive. */
  configValue: string | null;
  /** Whether nothing overrides Kafka's default. */
  isDefault: boolean;
  /** Where the value comes from. */
  configSource: ConfigSource;
  /** Whether the value is a secret. */
  isSensitive: boolean;
  /** Whether it cannot be altered. */
  readOnly: boolean;
  /** Every level it is set at, with `includeSynonyms`; else empty. */
  configSynonyms: ConfigSynonyms[];
}

/** What `describeConfigs` resolves to (KafkaJS's `DescribeConfigResponse`). */
export interface DescribeConfigResponse {
  /** Per resource asked for. */
  resources: {
    /** 0: a resource with an error fails the call instead. */
    errorCode: number;
    /** The broker's message, null without error. */
    errorMessage: string | null;
    /** The resource's name. */
    resourceName: string;
    /** The kind of resource. */
    resourceType: ConfigResourceTypes;
    /** Its configs. */
    configEntries: ConfigEntries[];
  }[];
}

/** A resource and the complete set of its config overrides (KafkaJS's `IResourceConfig`). */
export interface IResourceConfig {
  /** The kind of resource. */
  type: ConfigResourceTypes;
  /** The topic name, or the broker id as a string. */
  name: string;
  /** Every override; configs left out return to their defaults (AlterConfigs replaces them all). */
  configEntries: { name: string; value: string }[];
}

/** What `alterConfigs` resolves to: per resource, no error (a resource with one fails the call). */
export interface AlterConfigsResponse {
  /** Per resource altered. */
  resources: {
    /** 0. */
    errorCode: number;
    /** Null. */
    errorMessage: string | null;
    /** The kind of resource. */
    resourceType: ConfigResourceTypes;
    /** Its name. */
    resourceName: string;
  }[];
}

/** A topic's partitions to move (KafkaJS's `PartitionReassignment`). */
export interface PartitionReassignment {
  /** The topic. */
  topic: string;
  /** Per partition, the brokers to hold it once moved. */
  partitionAssignment: { partition: number; replicas: number[] }[];
}

/**
 * The reassignments in progress, as KafkaJS 2.2.4 returns them at run time: `name` and
 * `partition` (its type declarations say `topic` and `partitionIndex`, which it never fills).
 */
export interface ListPartitionReassignmentsResponse {
  /** Per topic with a partition being moved. */
  topics: {
    /** The topic. */
    name: string;
    /** Its partitions being moved. */
    partitions: {
      /** The partition. */
      partition: number;
      /** Every replica while the move runs: the target ones, then those being removed. */
      replicas: number[];
      /** Target replicas still catching up. */
      addingReplicas: number[];
      /** Replicas that leave once the adding ones are in sync. */
      removingReplicas: number[];
    }[];
  }[];
}

const TYPE_NAME: Record<number, ConfigResourceType> = {
  [ConfigResourceTypes.TOPIC]: 'topic',
  [ConfigResourceTypes.BROKER]: 'broker',
  [ConfigResourceTypes.BROKER_LOGGER]: 'broker-logger',
};
const TYPE_CODE: Record<ConfigResourceType, number> = {
  topic: ConfigResourceTypes.TOPIC,
  broker: ConfigResourceTypes.BROKER,
  'broker-logger': ConfigResourceTypes.BROKER_LOGGER,
  group: 32,
};
const SOURCE_CODE: Record<TsConfigSource, number> = {
  unknown: ConfigSource.UNKNOWN,
  topic: ConfigSource.TOPIC_CONFIG,
  'dynamic-broker': ConfigSource.DYNAMIC_BROKER_CONFIG,
  'dynamic-default-broker': ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG,
  'static-broker': ConfigSource.STATIC_BROKER_CONFIG,
  default: ConfigSource.DEFAULT_CONFIG,
  'dynamic-broker-logger': ConfigSource.DYNAMIC_BROKER_LOGGER_CONFIG,
  'client-metrics': 7,
  group: 8,
};

/** KafkaJS's checks of `resources` before any request, with its messages. */
function checkResources(resources: readonly { type: number; name: string }[] | undefined): void {
  if (!Array.isArray(resources))
    throw new KafkaJSNonRetriableError(`Invalid resources array ${String(resources)}`);
  if (resources.length === 0) throw new KafkaJSNonRetriableError('Resources array cannot be empty');
  const invalidType = resources.find((r) => TYPE_NAME[r.type] === undefined && r.type !== 0);
  if (invalidType !== undefined)
    throw new KafkaJSNonRetriableError(
      `Invalid resource type ${invalidType.type}: ${JSON.stringify(invalidType)}`,
    );
  const invalidName = resources.find((r) => !r.name || typeof r.name !== 'string');
  if (invalidName !== undefined)
    throw new KafkaJSNonRetriableError(
      `Invalid resource name ${invalidName.name}: ${JSON.stringify(invalidName)}`,
    );
}

function typeName(code: number): ConfigResourceType {
  const name = TYPE_NAME[code];
  if (name === undefined) throw new KafkaJSNonRetriableError(`Unsupported config resource type ${code}`);
  return name;
}

function entryOf(c: ConfigEntry): ConfigEntries {
  return {
    configName: c.name,
    configValue: c.value,
    readOnly: c.readOnly,
    isDefault: c.isDefault,
    configSource: SOURCE_CODE[c.source] as ConfigSource,
    isSensitive: c.isSensitive,
    configSynonyms: c.synonyms.map((s) => ({
      configName: s.name,
      configValue: s.value,
      configSource: SOURCE_CODE[s.source] as ConfigSource,
    })),
  };
}

/** See `Admin.describeConfigs`. */
export async function describeConfigs(
  admin: TsAdmin,
  options: { resources: ResourceConfigQuery[]; includeSynonyms?: boolean },
): Promise<DescribeConfigResponse> {
  const { resources } = options;
  checkResources(resources);
  const invalidConfigs = resources.find((r) => !Array.isArray(r.configNames) && r.configNames != null);
  if (invalidConfigs !== undefined)
    throw new KafkaJSNonRetriableError(
      `Invalid resource configNames ${String(invalidConfigs.configNames)}: ${JSON.stringify(invalidConfigs)}`,
    );
  const described = await admin.describeConfigs(
    resources.map((r) => ({
      type: typeName(r.type),
      name: r.name,
      // KafkaJS sends an empty list as "all configs" (null on the wire), as it sends absent.
      configNames: r.configNames === undefined || r.configNames.length === 0 ? undefined : r.configNames,
    })),
    { includeSynonyms: options.includeSynonyms ?? false },
  );
  return {
    resources: described.map((d) => ({
      errorCode: 0,
      errorMessage: null,
      resourceType: TYPE_CODE[d.type] as ConfigResourceTypes,
      resourceName: d.name,
      configEntries: d.configs.map(entryOf),
    })),
  };
}

/** See `Admin.alterConfigs`. */
export async function alterConfigs(
  admin: TsAdmin,
  options: { resources: IResourceConfig[]; validateOnly?: boolean },
): Promise<AlterConfigsResponse> {
  const { resources } = options;
  checkResources(resources);
  const invalidConfigs = resources.find((r) => !Array.isArray(r.configEntries));
  if (invalidConfigs !== undefined)
    throw new KafkaJSNonRetriableError(
      `Invalid resource configEntries ${String(invalidConfigs.configEntries)}: ${JSON.stringify(invalidConfigs)}`,
    );
  const invalidValue = resources.find((r) =>
    r.configEntries.some((e) => typeof e.name !== 'string' || typeof e.value !== 'string'),
  );
  if (invalidValue !== undefined)
    throw new KafkaJSNonRetriableError(`Invalid resource config value: ${JSON.stringify(invalidValue)}`);
  await admin.alterConfigs(
    resources.map((r) => ({
      type: typeName(r.type),
      name: r.name,
      configs: Object.fromEntries(r.configEntries.map((e) => [e.name, e.value])),
    })),
    { validateOnly: options.validateOnly === true },
  );
  return {
    resources: resources.map((r) => ({
      errorCode: 0,
      errorMessage: null,
      resourceType: r.type,
      resourceName: r.name,
    })),
  };
}

// KafkaJS's checks of a reassignment call's `topics`: an array of distinct topic names.
function checkTopicsArray(topics: readonly { topic: string }[]): void {
  if (!Array.isArray(topics)) throw new KafkaJSNonRetriableError(`Invalid topics array ${String(topics)}`);
  if (topics.some(({ topic }) => typeof topic !== 'string'))
    throw new KafkaJSNonRetriableError('Invalid topics array, the topic names have to be a valid string');
  if (new Set(topics.map(({ topic }) => topic)).size < topics.length)
    throw new KafkaJSNonRetriableError(
      'Invalid topics array, it cannot have multiple entries for the same topic',
    );
}

/** See `Admin.alterPartitionReassignments`. */
export async function alterPartitionReassignments(
  admin: TsAdmin,
  options: { topics: PartitionReassignment[]; timeout?: number },
): Promise<void> {
  const { topics } = options;
  checkTopicsArray(topics);
  for (const { topic, partitionAssignment } of topics) {
    if (!Array.isArray(partitionAssignment))
      throw new KafkaJSNonRetriableError(
        `Invalid partitions array: ${String(partitionAssignment)} for topic: ${topic}`,
      );
    for (const { partition, replicas } of partitionAssignment) {
      if (typeof partition !== 'number' || partition < 0)
        throw new KafkaJSNonRetriableError(`Invalid partitions index: ${partition} for topic: ${topic}`);
      if (!Array.isArray(replicas))
        throw new KafkaJSNonRetriableError(
          `Invalid replica assignment: ${String(replicas)} for topic: ${topic} on partition: ${partition}`,
        );
      if (replicas.some((r) => typeof r !== 'number' || r < 0))
        throw new KafkaJSNonRetriableError(
          `Invalid replica assignment: ${replicas} for topic: ${topic} on partition: ${partition}. Replicas must be a non negative number`,
        );
    }
  }
  const results = await admin.alterPartitionReassignments(
    topics.flatMap(({ topic, partitionAssignment }) =>
      partitionAssignment.map(({ partition, replicas }) => ({ topic, partition, targetReplicas: replicas })),
    ),
    { timeoutMs: options.timeout },
  );
  // KafkaJS gathers the partitions' errors into one aggregate, one error per partition.
  const failed = results.filter((r) => r.error !== null);
  if (failed.length > 0)
    throw new KafkaJSAggregateError(
      'Errors altering partition reassignments',
      failed.map(
        (r) =>
          new KafkaJSAlterPartitionReassignmentsError(
            protocolInput(r.error as KafkaError),
            r.topic,
            r.partition,
          ),
      ),
    );
}

/** See `Admin.listPartitionReassignments`. */
export async function listPartitionReassignments(
  admin: TsAdmin,
  options: { topics?: { topic: string; partitions: number[] }[] | null; timeout?: number },
): Promise<ListPartitionReassignmentsResponse> {
  const topics = options.topics ?? null;
  if (topics !== null) {
    checkTopicsArray(topics);
    for (const { topic, partitions } of topics) {
      if (!Array.isArray(partitions))
        throw new KafkaJSNonRetriableError(
          `Invalid partition array: ${String(partitions)} for topic: ${topic}`,
        );
      if (partitions.some((p) => typeof p !== 'number' || p < 0))
        throw new KafkaJSNonRetriableError(
          `Invalid partition array: ${partitions} for topic: ${topic}. The partition indices have to be a valid number greater than 0.`,
        );
    }
  }
  const ongoing = await admin.listPartitionReassignments(
    topics === null
      ? null
      : topics.flatMap(({ topic, partitions }) => partitions.map((partition) => ({ topic, partition }))),
    { timeoutMs: options.timeout },
  );
  const byTopic = new Map<string, ListPartitionReassignmentsResponse['topics'][number]>();
  for (const r of ongoing) {
    let t = byTopic.get(r.topic);
    if (t === undefined) {
      t = { name: r.topic, partitions: [] };
      byTopic.set(r.topic, t);
    }
    t.partitions.push({
      partition: r.partition,
      replicas: r.replicas,
      addingReplicas: r.addingReplicas,
      removingReplicas: r.removingReplicas,
    });
  }
  return { topics: [...byTopic.values()] };
}
