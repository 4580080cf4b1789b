/**
 * DescribeConfigs, AlterConfigs and IncrementalAlterConfigs for topics, brokers (dynamic broker
 * configs, per broker or cluster-wide default) and consumer groups, with Kafka's config sources
 * and synonyms.
 */

import { AclOperation, ErrorCode } from '@tskafka/protocol';
import { Api, type MessageInput } from '@tskafka/protocol/internals';
import { ApiError, errorCodeOf } from '../api-error.js';
import { configAuthorizationError } from '../auth/request-auth.js';
import type { BrokerNode } from '../broker.js';
import { brokerPropertyInfo, brokerPropertyNames } from '../config.js';
import {
  type ConfigChange,
  ConfigResourceType,
  DYNAMIC_BROKER_CONFIGS,
  GROUP_CONFIGS,
} from '../dynamic-config.js';
import { defineHandler } from '../handler.js';
import {
  ConfigSource,
  TOPIC_CONFIGS,
  TOPIC_SYNONYMS,
  topicConfigDefault,
  topicConfigSynonyms,
} from '../topic-config.js';

/** Kafka's ConfigType ids for DescribeConfigs v3+. */
const CONFIG_TYPE: Record<string, number> = { bool: 1, string: 2, int: 3, long: 5, double: 6, list: 7 };

type DescribeResult = MessageInput<typeof Api.DescribeConfigs.response>['results'][number];
type DescribedConfig = NonNullable<DescribeResult['configs']>[number];
type Synonym = { name: string; value: string | null; source: number };

function entry(
  name: string,
  value: string | null,
  source: number,
  type: string,
  readOnly: boolean,
  synonyms: Synonym[],
): DescribedConfig {
  return {
    name,
    value,
    readOnly,
    isDefault: source === ConfigSource.Default,
    configSource: source,
    isSensitive: false,
    synonyms,
    configType: CONFIG_TYPE[type] ?? 0,
    documentation: null,
  };
}

function describeTopic(node: BrokerNode, name: string, synonyms: boolean): DescribedConfig[] {
  const topic = node.metadata.topics.get(name);
  if (!topic) throw new ApiError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic ${name} does not exist.`);
  return TOPIC_CONFIGS.map((d) => {
    const dflt = topicConfigDefault(d, node.config);
    const override = topic.configs.get(d.name);
    const syn = synonyms ? topicConfigSynonyms(d, node.config, override) : [];
    if (override !== undefined) return entry(d.name, override, ConfigSource.DynamicTopic, d.type, false, syn);
    return entry(d.name, dflt.value, dflt.source, d.type, false, syn);
  });
}

/**
 * The broker properties a property shares its value with (Kafka's `brokerConfigSynonyms`):
 * `log.retention.ms`, `.minutes` and `.hours` are one config in three units.
 */
function brokerSynonymNames(name: string): string[] {
  const syn = TOPIC_SYNONYMS.get(name);
  const family = syn?.topic.synonyms ?? [];
  if (family.length < 2 || name === 'log.flush.scheduler.interval.ms') return [name];
  return family.map((s) => s.name);
}

function describeBroker(node: BrokerNode, name: string, synonyms: boolean): DescribedConfig[] {
  if (name !== '' && name !== String(node.nodeId)) {
    throw new ApiError(
      ErrorCode.INVALID_REQUEST,
      `Unexpected broker id, expected ${node.nodeId} but received ${name}`,
    );
  }
  const props = node.config.properties;
  const all = brokerPropertyNames().map((prop) => {
    const info = brokerPropertyInfo(prop);
    const own = props[prop]?.[0];
    const syn: Synonym[] = [];
    if (synonyms) {
      const family = brokerSynonymNames(prop);
      for (const f of family) for (const level of props[f] ?? []) syn.push({ name: f, ...level });
      for (const f of family) {
        const d = brokerPropertyInfo(f).default;
        if (d !== null) syn.push({ name: f, value: d, source: ConfigSource.Default });
      }
    }
    const readOnly = !DYNAMIC_BROKER_CONFIGS.has(prop);
    return own
      ? entry(prop, own.value, own.source, info.type, readOnly, syn)
      : entry(prop, info.default, ConfigSource.Default, info.type, readOnly, syn);
  });
  all.push(entry('broker.id', String(node.nodeId), ConfigSource.StaticBroker, 'int', true, []));
  all.push(entry('node.id', String(node.nodeId), ConfigSource.StaticBroker, 'int', true, []));
  all.sort((a, b) => a.name.localeCompare(b.name));
  if (name !== '') return all;
  // The cluster-wide default resource holds only what is set at that level (Kafka does the same).
  return all.flatMap((c) => {
    const level = props[c.name]?.find((l) => l.source === ConfigSource.DynamicDefaultBroker);
    if (!level) return [];
    const syn = (c.synonyms ?? []).filter((x) => x.source !== ConfigSource.DynamicBroker);
    return [{ ...c, value: level.value, configSource: level.source, isDefault: false, synonyms: syn }];
  });
}

function describeGroup(node: BrokerNode, groupId: string, synonyms: boolean): DescribedConfig[] {
  const set = node.metadata.dynamicConfigs.group(groupId);
  return GROUP_CONFIGS.map((d) => {
    const override = set.get(d.name);
    const syn: Synonym[] = [];
    if (synonyms) {
      if (override !== undefined) syn.push({ name: d.name, value: override, source: ConfigSource.Group });
      syn.push({ name: d.brokerSynonym, value: d.default, source: ConfigSource.Default });
    }
    return override !== undefined
      ? entry(d.name, override, ConfigSource.Group, d.type, false, syn)
      : entry(d.name, d.default, ConfigSource.Default, d.type, false, syn);
  });
}

/** The configs of one resource; throws ApiError for what the resource answers with an error. */
function describeResource(
  node: BrokerNode,
  resourceType: number,
  resourceName: string,
  synonyms: boolean,
): DescribedConfig[] {
  switch (resourceType) {
    case ConfigResourceType.Topic:
      return describeTopic(node, resourceName, synonyms);
    case ConfigResourceType.Broker:
      return describeBroker(node, resourceName, synonyms);
    case ConfigResourceType.Group:
      return describeGroup(node, resourceName, synonyms);
    case ConfigResourceType.BrokerLogger:
      return [];
    default:
      throw new ApiError(ErrorCode.INVALID_REQUEST, `Unsupported resource type ${resourceType}`);
  }
}

/** DescribeConfigs handler. */
export const describeConfigsHandler = defineHandler({
  api: Api.DescribeConfigs,
  minVersion: 0,
  maxVersion: 4,
  handle(ctx, req) {
    const { node } = ctx;
    return {
      throttleTimeMs: 0,
      results: req.resources.map((r): DescribeResult => {
        try {
          const denied = configAuthorizationError(ctx, AclOperation.DESCRIBE_CONFIGS, r);
          if (denied) throw new ApiError(denied.errorCode, 'Authorization failed.');
          const keys = r.configurationKeys;
          const configs = describeResource(node, r.resourceType, r.resourceName, req.includeSynonyms).filter(
            (c) => !keys || keys.includes(c.name),
          );
          // isDefault exists in v0 only; v1+ carry the same fact as configSource DEFAULT_CONFIG.
          if (ctx.apiVersion > 0) for (const c of configs) c.isDefault = false;
          return {
            errorCode: 0,
            errorMessage: null,
            resourceType: r.resourceType,
            resourceName: r.resourceName,
            configs,
          };
        } catch (e) {
          if (!(e instanceof ApiError)) throw e;
          return {
            errorCode: errorCodeOf(e),
            errorMessage: e.message,
            resourceType: r.resourceType,
            resourceName: r.resourceName,
            configs: [],
          };
        }
      }),
    };
  },
  errorResponse(req, errorCode) {
    return {
      throttleTimeMs: 0,
      results: req.resources.map((r) => ({
        errorCode,
        errorMessage: null,
        resourceType: r.resourceType,
        resourceName: r.resourceName,
        configs: [],
      })),
    };
  },
});

function alterOne(
  node: BrokerNode,
  resourceType: number,
  resourceName: string,
  changes: ConfigChange[],
  incremental: boolean,
  validateOnly: boolean,
): { errorCode: number; errorMessage: string | null } {
  try {
    switch (resourceType) {
      case ConfigResourceType.Topic:
        node.metadata.alterTopicConfigs(resourceName, changes, incremental, validateOnly);
        break;
      case ConfigResourceType.Broker:
        node.metadata.dynamicConfigs.alterBroker(resourceName, changes, incremental, validateOnly);
        break;
      case ConfigResourceType.Group:
        node.metadata.dynamicConfigs.alterGroup(resourceName, changes, incremental, validateOnly);
        break;
      default:
        throw new ApiError(ErrorCode.INVALID_REQUEST, `Unsupported resource type ${resourceType}`);
    }
    return { errorCode: 0, errorMessage: null };
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    return { errorCode: errorCodeOf(e), errorMessage: e.message };
  }
}

/** AlterConfigs handler: replaces a topic's whole set of overrides. */
export const alterConfigsHandler = defineHandler({
  api: Api.AlterConfigs,
  minVersion: 0,
  maxVersion: 2,
  handle(ctx, req) {
    return {
      throttleTimeMs: 0,
      responses: req.resources.map((r) => ({
        ...(configAuthorizationError(ctx, AclOperation.ALTER_CONFIGS, r) ??
          alterOne(
            ctx.node,
            r.resourceType,
            r.resourceName,
            r.configs.map((c) => ({ name: c.name, value: c.value, op: c.value === null ? 'delete' : 'set' })),
            false,
            req.validateOnly,
          )),
        resourceType: r.resourceType,
        resourceName: r.resourceName,
      })),
    };
  },
  errorResponse(req, errorCode) {
    return {
      throttleTimeMs: 0,
      responses: req.resources.map((r) => ({
        errorCode,
        errorMessage: null,
        resourceType: r.resourceType,
        resourceName: r.resourceName,
      })),
    };
  },
});

const OPS = ['set', 'delete', 'append', 'subtract'] as const;

/** IncrementalAlterConfigs handler: SET, DELETE, APPEND and SUBTRACT on individual configs. */
export const incrementalAlterConfigsHandler = defineHandler({
  api: Api.IncrementalAlterConfigs,
  minVersion: 0,
  maxVersion: 1,
  handle(ctx, req) {
    return {
      throttleTimeMs: 0,
      responses: req.resources.map((r) => {
        const bad = r.configs.find((c) => OPS[c.configOperation] === undefined);
        const result =
          configAuthorizationError(ctx, AclOperation.ALTER_CONFIGS, r) ??
          (bad
            ? {
                errorCode: ErrorCode.INVALID_REQUEST,
                errorMessage: `Unknown config operation ${bad.configOperation}`,
              }
            : alterOne(
                ctx.node,
                r.resourceType,
                r.resourceName,
                r.configs.map((c) => ({ name: c.name, value: c.value, op: OPS[c.configOperation] })),
                true,
                req.validateOnly,
              ));
        return { ...result, resourceType: r.resourceType, resourceName: r.resourceName };
      }),
    };
  },
  errorResponse(req, errorCode) {
    return {
      throttleTimeMs: 0,
      responses: req.resources.map((r) => ({
        errorCode,
        errorMessage: null,
        resourceType: r.resourceType,
        resourceName: r.resourceName,
      })),
    };
  },
});
