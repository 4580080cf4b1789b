/**
 * Topic and broker configs: DescribeConfigs, AlterConfigs and IncrementalAlterConfigs. Broker
 * resources go to the broker they name, as in Java's `KafkaAdminClient`; topic resources to any
 * broker.
 *
 * @module
 */
import { UnknownTopicOrPartitionError } from '@tskafka/protocol';
import { Api, type ApiDef } from '@tskafka/protocol/internals';
import type { RequestOf, ResponseOf } from '@tskafka/transport/internals';
import { type AdminContext, groupBy, type ItemOutcome, runPerItem } from './requests.js';
import type {
  AlterConfigOpType,
  AlterConfigsOptions,
  AlterConfigsResource,
  ConfigEntry,
  ConfigResource,
  ConfigResourceDescription,
  ConfigResourceType,
  ConfigSource,
  DescribeConfigsOptions,
  IncrementalAlterConfigsResource,
} from './types.js';

const RESOURCE_TYPE_CODE: Record<ConfigResourceType, number> = {
  topic: 2,
  broker: 4,
  'broker-logger': 8,
  group: 32,
};
const RESOURCE_TYPE_NAME: Record<number, ConfigResourceType> = {
  2: 'topic',
  4: 'broker',
  8: 'broker-logger',
  32: 'group',
};
const OP_CODE: Record<AlterConfigOpType, number> = { set: 0, delete: 1, append: 2, subtract: 3 };
const SOURCES: readonly ConfigSource[] = [
  'unknown',
  'topic',
  'dynamic-broker',
  'dynamic-default-broker',
  'static-broker',
  'default',
  'dynamic-broker-logger',
  'client-metrics',
  'group',
];

interface Resource {
  readonly type: ConfigResourceType;
  readonly name: string;
}

const keyOf = (r: Resource): string => `${r.type}:${r.name}`;

/** The broker a resource's request must go to: the named broker for broker resources, else any (-1). */
function destinationOf(r: Resource): number {
  if ((r.type !== 'broker' && r.type !== 'broker-logger') || !/^\d+$/.test(r.name)) return -1;
  return Number(r.name);
}

/** Sends one request per destination broker and concatenates the outcomes. */
async function perDestination<I extends Resource, R>(
  items: I[],
  send: (node: number, batch: I[]) => Promise<ItemOutcome<R>[]>,
): Promise<ItemOutcome<R>[]> {
  const batches = groupBy(items, destinationOf);
  const outcomes = await Promise.all([...batches].map(([node, batch]) => send(node, batch)));
  return outcomes.flat();
}

/** Sends `api` to broker `node`, or to any broker when `node` is -1. */
function requestTo<A extends ApiDef>(
  ctx: AdminContext,
  node: number,
  api: A,
  body: RequestOf<A>,
): Promise<ResponseOf<A>> {
  return node < 0 ? ctx.cluster.requestAny(api, body) : ctx.cluster.request(node, api, body);
}

/** See `Admin.describeConfigs`. */
export async function describeConfigs(
  ctx: AdminContext,
  resources: readonly ConfigResource[],
  options: DescribeConfigsOptions = {},
): Promise<ConfigResourceDescription[]> {
  const results = await runPerItem<ConfigResource, ConfigResourceDescription>(
    ctx,
    resources,
    keyOf,
    (pending) =>
      perDestination(pending, async (node, batch) => {
        const res = await requestTo(ctx, node, Api.DescribeConfigs, {
          resources: batch.map((r) => ({
            resourceType: RESOURCE_TYPE_CODE[r.type],
            resourceName: r.name,
            configurationKeys: r.configNames === undefined ? null : [...r.configNames],
          })),
          includeSynonyms: options.includeSynonyms ?? false,
          includeDocumentation: false,
        });
        return res.results.map((r) => {
          const type = RESOURCE_TYPE_NAME[r.resourceType] ?? 'topic';
          const configs: ConfigEntry[] = r.configs.map((c) => {
            const source = SOURCES[c.configSource] ?? 'unknown';
            return {
              name: c.name,
              value: c.value,
              readOnly: c.readOnly,
              // v0 has isDefault; v1+ says it through the source.
              isDefault: c.configSource === -1 ? c.isDefault : source === 'default',
              source,
              isSensitive: c.isSensitive,
              synonyms: (c.synonyms ?? []).map((syn) => ({
                name: syn.name,
                value: syn.value,
                source: SOURCES[syn.source] ?? 'unknown',
              })),
            };
          });
          return {
            key: `${type}:${r.resourceName}`,
            errorCode: r.errorCode,
            errorMessage: r.errorMessage,
            ...(type === 'topic' ? { topic: r.resourceName } : {}),
            result: { type, name: r.resourceName, configs },
          };
        });
      }),
    // An unknown topic is the answer, as in Java's admin (which retries none of these errors).
    { apiName: 'DescribeConfigs', isFinal: (e) => e instanceof UnknownTopicOrPartitionError },
  );
  return resources.map((r) => results.get(keyOf(r)) as ConfigResourceDescription);
}

/** See `Admin.alterConfigs`. */
export async function alterConfigs(
  ctx: AdminContext,
  resources: readonly AlterConfigsResource[],
  options: AlterConfigsOptions = {},
): Promise<void> {
  await runPerItem<AlterConfigsResource, true>(
    ctx,
    resources,
    keyOf,
    (pending) =>
      perDestination(pending, async (node, batch) => {
        const res = await requestTo(ctx, node, Api.AlterConfigs, {
          resources: batch.map((r) => ({
            resourceType: RESOURCE_TYPE_CODE[r.type],
            resourceName: r.name,
            configs: Object.entries(r.configs).map(([name, value]) => ({ name, value })),
          })),
          validateOnly: options.validateOnly ?? false,
        });
        return res.responses.map((r) => outcomeOf(r));
      }),
    { apiName: 'AlterConfigs' },
  );
}

/** See `Admin.incrementalAlterConfigs`. */
export async function incrementalAlterConfigs(
  ctx: AdminContext,
  resources: readonly IncrementalAlterConfigsResource[],
  options: AlterConfigsOptions = {},
): Promise<void> {
  await runPerItem<IncrementalAlterConfigsResource, true>(
    ctx,
    resources,
    keyOf,
    (pending) =>
      perDestination(pending, async (node, batch) => {
        const res = await requestTo(ctx, node, Api.IncrementalAlterConfigs, {
          resources: batch.map((r) => ({
            resourceType: RESOURCE_TYPE_CODE[r.type],
            resourceName: r.name,
            configs: r.configs.map((c) => ({
              name: c.name,
              configOperation: OP_CODE[c.op ?? 'set'],
              value: c.value ?? null,
            })),
          })),
          validateOnly: options.validateOnly ?? false,
        });
        return res.responses.map((r) => outcomeOf(r));
      }),
    { apiName: 'IncrementalAlterConfigs' },
  );
}

function outcomeOf(r: {
  errorCode: number;
  errorMessage: string | null;
  resourceType: number;
  resourceName: string;
}): ItemOutcome<true> {
  const type = RESOURCE_TYPE_NAME[r.resourceType] ?? 'topic';
  return {
    key: `${type}:${r.resourceName}`,
    errorCode: r.errorCode,
    errorMessage: r.errorMessage,
    ...(type === 'topic' ? { topic: r.resourceName } : {}),
    result: true,
  };
}
