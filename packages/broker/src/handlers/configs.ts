/**
 * DescribeConfigs, AlterConfigs and IncrementalAlterConfigs for topic configs (and read-only
 * broker configs), with Kafka's config sources and synonyms.
 */

import { AclOperation, ErrorCode } from '@tskafka/protocol';
import { Api, type MessageInput } from '@tskafka/protocol/internals';
import { ApiError, errorCodeOf } from '../api-error.js';
import { configAuthorizationError } from '../auth/request-auth.js';
import type { BrokerNode } from '../broker.js';
import { defineHandler } from '../handler.js';
import { ConfigSource, TOPIC_CONFIGS, topicConfigDefault } from '../topic-config.js';

/** Kafka's ConfigResource.Type ids. */
const RESOURCE_TOPIC = 2;
const RESOURCE_BROKER = 4;
const RESOURCE_BROKER_LOGGER = 8;
/** Kafka's ConfigType ids for DescribeConfigs v3+. */
const CONFIG_TYPE: Record<string, number> = { bool: 1, string: 2, int: 3, long: 5, double: 6, list: 7 };

type DescribeResult = MessageInput<typeof Api.DescribeConfigs.response>['results'][number];
type DescribedConfig = NonNullable<DescribeResult['configs']>[number];

/** The broker-level properties DescribeConfigs shows for a BROKER resource. */
const BROKER_PROPERTIES: [string, (n: BrokerNode) => string][] = [
  ['broker.id', (n) => String(n.nodeId)],
  ['node.id', (n) => String(n.nodeId)],
  ['num.partitions', (n) => String(n.config.numPartitions)],
  ['default.replication.factor', (n) => String(n.config.defaultReplicationFactor)],
  ['auto.create.topics.enable', (n) => String(n.config.autoCreateTopicsEnable)],
  ['log.segment.bytes', (n) => String(n.config.logSegmentBytes)],
  ['log.retention.ms', (n) => String(n.config.logRetentionMs)],
  ['log.retention.bytes', (n) => String(n.config.logRetentionBytes)],
  ['message.max.bytes', (n) => String(n.config.messageMaxBytes)],
  ['min.insync.replicas', (n) => String(n.config.minInsyncReplicas)],
  ['replica.lag.time.max.ms', (n) => String(n.config.replicaLagTimeMaxMs)],
  ['offsets.topic.num.partitions', (n) => String(n.config.offsetsTopicNumPartitions)],
  ['group.initial.rebalance.delay.ms', (n) => String(n.config.groupInitialRebalanceDelayMs)],
];

function describeTopic(
  node: BrokerNode,
  name: string,
  keys: string[] | null,
  synonyms: boolean,
  docs: boolean,
): DescribedConfig[] {
  const topic = node.metadata.topics.get(name);
  if (!topic) throw new ApiError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic ${name} does not exist.`);
  return TOPIC_CONFIGS.filter((d) => !keys || keys.includes(d.name)).map((d) => {
    const dflt = topicConfigDefault(d, node.config);
    const override = topic.configs.get(d.name);
    const value = override ?? dflt.value;
    const source = override !== undefined ? ConfigSource.DynamicTopic : dflt.source;
    const syn = [];
    if (synonyms) {
      if (override !== undefined)
        syn.push({ name: d.name, value: override, source: ConfigSource.DynamicTopic });
      syn.push({ name: d.brokerKey ? brokerName(d.name) : d.name, value: dflt.value, source: dflt.source });
    }
    return {
      name: d.name,
      value,
      readOnly: false,
      isDefault: source === ConfigSource.Default,
      configSource: source,
      isSensitive: false,
      synonyms: syn,
      configType: CONFIG_TYPE[d.type] ?? 0,
      documentation: docs ? null : null,
    };
  });
}

/** The broker property that supplies a topic config's default (Kafka's synonym). */
function brokerName(topicConfig: string): string {
  const map: Record<string, string> = {
    'segment.bytes': 'log.segment.bytes',
    'retention.ms': 'log.retention.ms',
    'retention.bytes': 'log.retention.bytes',
    'index.interval.bytes': 'log.index.interval.bytes',
    'max.message.bytes': 'message.max.bytes',
    'message.timestamp.type': 'log.message.timestamp.type',
    'min.insync.replicas': 'min.insync.replicas',
  };
  return map[topicConfig] ?? topicConfig;
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
          let configs: DescribedConfig[];
          if (r.resourceType === RESOURCE_TOPIC) {
            configs = describeTopic(
              node,
              r.resourceName,
              r.configurationKeys,
              req.includeSynonyms,
              req.includeDocumentation,
            );
            // isDefault exists in v0 only; v1+ carry the same fact as configSource DEFAULT_CONFIG.
            if (ctx.apiVersion > 0) for (const c of configs) c.isDefault = false;
          } else if (r.resourceType === RESOURCE_BROKER) {
            if (r.resourceName !== '' && r.resourceName !== String(node.nodeId)) {
              throw new ApiError(
                ErrorCode.INVALID_REQUEST,
                `Unexpected broker id, expected ${node.nodeId} but received ${r.resourceName}`,
              );
            }
            configs = BROKER_PROPERTIES.filter(
              ([k]) => !r.configurationKeys || r.configurationKeys.includes(k),
            ).map(([k, f]) => ({
              name: k,
              value: f(node),
              readOnly: true,
              isDefault: false,
              configSource: ConfigSource.StaticBroker,
              isSensitive: false,
              synonyms: [],
              configType: 0,
              documentation: null,
            }));
          } else if (r.resourceType === RESOURCE_BROKER_LOGGER) {
            configs = [];
          } else {
            throw new ApiError(ErrorCode.INVALID_REQUEST, `Unsupported resource type ${r.resourceType}`);
          }
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
  changes: { name: string; value: string | null; op: 'set' | 'delete' | 'append' | 'subtract' }[],
  incremental: boolean,
  validateOnly: boolean,
): { errorCode: number; errorMessage: string | null } {
  try {
    if (resourceType !== RESOURCE_TOPIC) {
      throw new ApiError(
        ErrorCode.INVALID_REQUEST,
        'The reference broker does not support dynamic broker configs; set them at start',
      );
    }
    node.metadata.alterTopicConfigs(resourceName, changes, incremental, validateOnly);
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
