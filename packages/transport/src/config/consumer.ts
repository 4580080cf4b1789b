/**
 * The consumer's configuration: Java's `ConsumerConfig` keys with Kafka 4.x defaults, on top of
 * the common client keys. Lives in the transport package so that a properties file for a whole
 * application loads in one place; `@tskafka/consumer` builds on it.
 *
 * @module
 */

import { isDeserializer, type SerdeName } from '../serde.js';
import { COMMON_IGNORED_PROPERTIES, checkCommonClientConfig, commonClientKeys } from './client.js';
import { ConfigError } from './errors.js';
import { booleanKey, classKey, classListKey, enumKey, intKey, longKey, stringKey } from './keys.js';
import { type ConfigOf, defineSchema, type ResolvedConfigOf } from './schema.js';

/**
 * What `partition.assignment.strategy` entries resolve to: an object with a `name` and an
 * `assign` method (`ConsumerPartitionAssignor` in `@tskafka/consumer`).
 */
export interface PartitionAssignorPlugin {
  /** The protocol name the assignor is known by in the group (`range`, `roundrobin`, ...). */
  readonly name: string;
  /** Computes an assignment (see `ConsumerPartitionAssignor.assign`). */
  assign(...args: never[]): unknown;
}

/**
 * What `interceptor.classes` entries of a consumer resolve to: an object with `onConsume` and/or
 * `onCommit` (`ConsumerInterceptor` in `@tskafka/consumer`).
 */
export interface ConsumerInterceptorPlugin {
  /** See `ConsumerInterceptor.onConsume`. */
  onConsume?(...args: never[]): unknown;
  /** See `ConsumerInterceptor.onCommit`. */
  onCommit?(...args: never[]): unknown;
  /** See `ConsumerInterceptor.close`. */
  close?(): unknown;
}

/** The built-in assignor names of `partition.assignment.strategy`. */
export type AssignorBuiltin = 'range' | 'roundrobin' | 'sticky' | 'cooperative-sticky';

/** Spellings of the built-in assignors, Java's class names included. */
export const ASSIGNOR_BUILTINS: Readonly<Record<string, AssignorBuiltin>> = Object.freeze({
  range: 'range',
  'org.apache.kafka.clients.consumer.RangeAssignor': 'range',
  roundrobin: 'roundrobin',
  roundRobin: 'roundrobin',
  'org.apache.kafka.clients.consumer.RoundRobinAssignor': 'roundrobin',
  sticky: 'sticky',
  'org.apache.kafka.clients.consumer.StickyAssignor': 'sticky',
  'cooperative-sticky': 'cooperative-sticky',
  cooperativeSticky: 'cooperative-sticky',
  'org.apache.kafka.clients.consumer.CooperativeStickyAssignor': 'cooperative-sticky',
});

/** Spellings of the built-in deserializers, Java's class names included. */
export const DESERIALIZER_BUILTINS: Readonly<Record<string, SerdeName>> = Object.freeze({
  string: 'string',
  json: 'json',
  buffer: 'buffer',
  bytes: 'buffer',
  'org.apache.kafka.common.serialization.StringDeserializer': 'string',
  'org.apache.kafka.common.serialization.ByteArrayDeserializer': 'buffer',
  'org.apache.kafka.common.serialization.ByteBufferDeserializer': 'buffer',
  'org.apache.kafka.common.serialization.BytesDeserializer': 'buffer',
});

function isAssignorPlugin(value: unknown): value is PartitionAssignorPlugin {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.name === 'string' && typeof v.assign === 'function';
}

function isConsumerInterceptorPlugin(value: unknown): value is ConsumerInterceptorPlugin {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.onConsume === 'function' || typeof v.onCommit === 'function';
}

/** The consumer's keys (common client keys included), by camelCase option name. */
export const consumerKeys = {
  ...commonClientKeys,
  groupId: stringKey('group.id', {
    doc: 'The consumer group this consumer belongs to; needed by subscribe() and by offset commits.',
  }),
  groupInstanceId: stringKey('group.instance.id', {
    doc: 'Static membership (KIP-345): a restart with the same id within session.timeout.ms keeps the assignment without a rebalance.',
    validate: (v) => (v === '' ? 'must not be empty' : undefined),
  }),
  clientRack: stringKey('client.rack', {
    doc: 'The rack this consumer runs in, sent in its group subscription: the rack-aware assignors (range, sticky, cooperative-sticky) then prefer partitions with a replica on that broker.rack (KIP-881).',
  }),
  autoOffsetReset: enumKey('auto.offset.reset', ['earliest', 'latest', 'none'] as const, {
    doc: 'Where to start without a committed offset (or when it is out of range): earliest, latest, or none (an error).',
    default: 'latest',
    synonyms: { smallest: 'earliest', largest: 'latest', beginning: 'earliest', end: 'latest' },
    caseInsensitive: true,
  }),
  enableAutoCommit: booleanKey('enable.auto.commit', {
    doc: 'Commit the positions of the records handed out every auto.commit.interval.ms, before a revoke and on close.',
    default: true,
  }),
  autoCommitIntervalMs: intKey('auto.commit.interval.ms', {
    doc: 'How often positions are committed with enable.auto.commit.',
    default: 5_000,
    min: 0,
  }),
  partitionAssignors: classListKey('partition.assignment.strategy', {
    doc: 'Assignors in order of preference: range (default), roundrobin, sticky, cooperative-sticky, assignor objects, or module paths.',
    aliases: ['partitionAssignmentStrategy'],
    builtins: ASSIGNOR_BUILTINS,
    check: isAssignorPlugin,
    what: 'a partition assignor',
  }),
  sessionTimeoutMs: intKey('session.timeout.ms', {
    doc: 'The coordinator removes a member it has not heard a heartbeat from for this long.',
    default: 45_000,
    min: 1,
  }),
  heartbeatIntervalMs: intKey('heartbeat.interval.ms', {
    doc: 'Time between heartbeats; below a third of session.timeout.ms.',
    default: 3_000,
    min: 1,
  }),
  maxPollIntervalMs: intKey('max.poll.interval.ms', {
    doc: 'Most time between polls: a consumer that does not poll in time leaves the group. Also the rebalance timeout.',
    default: 300_000,
    min: 1,
  }),
  maxPollRecords: intKey('max.poll.records', {
    doc: 'Most records one poll() returns.',
    default: 500,
    min: 1,
  }),
  fetchMinBytes: intKey('fetch.min.bytes', {
    doc: 'The broker answers a fetch once it has this many bytes (or after fetch.max.wait.ms).',
    default: 1,
    min: 0,
  }),
  fetchMaxWaitMs: intKey('fetch.max.wait.ms', {
    doc: 'How long the broker holds a fetch waiting for fetch.min.bytes.',
    default: 500,
    min: 0,
  }),
  fetchMaxBytes: intKey('fetch.max.bytes', {
    doc: 'Most bytes one fetch response holds (at least one batch is returned even if larger).',
    default: 52_428_800,
    min: 0,
  }),
  maxPartitionFetchBytes: intKey('max.partition.fetch.bytes', {
    doc: 'Most bytes per partition in one fetch response (at least one batch is returned even if larger).',
    default: 1_048_576,
    min: 0,
  }),
  isolationLevel: enumKey('isolation.level', ['read_uncommitted', 'read_committed'] as const, {
    doc: 'read_uncommitted: every record; read_committed: records of committed transactions only, up to the last stable offset.',
    default: 'read_uncommitted',
    caseInsensitive: true,
  }),
  checkCrcs: booleanKey('check.crcs', {
    doc: 'Check the CRC-32C of every fetched batch.',
    default: true,
  }),
  defaultApiTimeoutMs: intKey('default.api.timeout.ms', {
    doc: 'Timeout of consumer calls that take no timeout of their own (commitSync, committed, position, ...).',
    default: 60_000,
    min: 0,
  }),
  allowAutoCreateTopics: booleanKey('allow.auto.create.topics', {
    doc: 'Let a subscription create missing topics where the broker allows it.',
    default: true,
  }),
  excludeInternalTopics: booleanKey('exclude.internal.topics', {
    doc: 'A pattern subscription never matches internal topics (__consumer_offsets, ...).',
    default: true,
  }),
  metadataMaxIdleMs: longKey('metadata.max.idle.ms', {
    doc: 'Unused by the consumer; accepted for properties files shared with a producer.',
    default: 300_000,
    min: 5_000,
  }),
  interceptors: classListKey('interceptor.classes', {
    doc: 'Consumer interceptors, in order: objects, or module paths (comma-separated in a properties file).',
    aliases: ['interceptorClasses'],
    check: isConsumerInterceptorPlugin,
    what: 'a consumer interceptor',
  }),
  keyDeserializer: classKey('key.deserializer', {
    doc: "string, json, buffer (Java's StringDeserializer and ByteArrayDeserializer map to these), a deserializer, or a module path. Unset: Buffers.",
    builtins: DESERIALIZER_BUILTINS,
    check: isDeserializer,
    what: 'a deserializer',
  }),
  valueDeserializer: classKey('value.deserializer', {
    doc: 'As key.deserializer, for values.',
    builtins: DESERIALIZER_BUILTINS,
    check: isDeserializer,
    what: 'a deserializer',
  }),
} as const;

/** The consumer's options as loaded: every key, defaults filled in; class values may be `ModuleRef`s. */
export type ConsumerConfig = ConfigOf<typeof consumerKeys>;

/** The consumer's options after `resolveClasses`: modules imported. */
export type ResolvedConsumerConfig = ResolvedConfigOf<typeof consumerKeys>;

/** Java consumer property names accepted and ignored: JVM-only and KIP-848-only settings. */
export const CONSUMER_IGNORED_PROPERTIES: readonly string[] = [
  // The other clients ignore client.rack; the consumer sends it (clientRack).
  ...COMMON_IGNORED_PROPERTIES.filter((p) => p !== 'client.rack'),
  'group.protocol',
  'group.remote.assignor',
  'internal.leave.group.on.close',
  'internal.throw.on.fetch.stable.offset.unsupported',
];

/**
 * Java's checks across consumer keys: `heartbeat.interval.ms` must be below
 * `session.timeout.ms`, and `group.instance.id` needs `group.id`.
 */
export function checkConsumerConfig(config: ConsumerConfig): void {
  checkCommonClientConfig(config);
  if (config.heartbeatIntervalMs >= config.sessionTimeoutMs) {
    throw new ConfigError('heartbeat.interval.ms', 'must be lower than session.timeout.ms');
  }
  if (config.groupInstanceId !== undefined && config.groupId === undefined) {
    throw new ConfigError('group.instance.id', 'static membership needs group.id');
  }
}

/**
 * The consumer schema for `loadConfig`: `loadConfig(consumerSchema, 'consumer.properties')`
 * or `loadConfig(consumerSchema, { bootstrapServers: ['localhost:9092'], groupId: 'billing' })`.
 */
export const consumerSchema = defineSchema(consumerKeys, {
  ignored: CONSUMER_IGNORED_PROPERTIES,
  check: checkConsumerConfig,
});
