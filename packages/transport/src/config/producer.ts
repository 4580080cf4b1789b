/**
 * The producer's configuration: Java's `ProducerConfig` keys with Kafka 4.x defaults, on top of
 * the common client keys. Lives in the transport package so that a properties file for a whole
 * application loads in one place; `@tskafka/producer` builds on it.
 *
 * @module
 */

import { isSerializer, type SerdeName } from '../serde.js';
import { COMMON_IGNORED_PROPERTIES, checkCommonClientConfig, commonClientKeys } from './client.js';
import { ConfigError } from './errors.js';
import { booleanKey, classKey, classListKey, enumKey, intKey, longKey, stringKey } from './keys.js';
import { type ConfigOf, defineSchema, type ResolvedConfigOf } from './schema.js';

/**
 * What `partitioner.class` resolves to: an object with a `partition` method. The full contract
 * is `Partitioner` in `@tskafka/producer`; this package only checks the shape.
 */
export interface PartitionerPlugin {
  /** Chooses a partition (see `Partitioner.partition` in `@tskafka/producer`). */
  partition(...args: never[]): number;
}

/**
 * What `interceptor.classes` entries resolve to: an object with `onSend` and/or
 * `onAcknowledgement` (`ProducerInterceptor` in `@tskafka/producer`).
 */
export interface ProducerInterceptorPlugin {
  /** See `ProducerInterceptor.onSend`. */
  onSend?(...args: never[]): unknown;
  /** See `ProducerInterceptor.onAcknowledgement`. */
  onAcknowledgement?(...args: never[]): unknown;
  /** See `ProducerInterceptor.close`. */
  close?(): unknown;
}

/** The built-in partitioner names of `partitioner.class` (see `partitionerFor` in `@tskafka/producer`). */
export type PartitionerBuiltin = 'murmur2' | 'sticky' | 'roundRobin' | 'hotData';

/** Spellings of the built-in partitioners, Java's class names and librdkafka's names included. */
export const PARTITIONER_BUILTINS: Readonly<Record<string, PartitionerBuiltin>> = Object.freeze({
  murmur2: 'murmur2',
  default: 'murmur2',
  murmur2_random: 'murmur2',
  'org.apache.kafka.clients.producer.internals.DefaultPartitioner': 'murmur2',
  sticky: 'sticky',
  uniform_sticky: 'sticky',
  'org.apache.kafka.clients.producer.UniformStickyPartitioner': 'sticky',
  roundRobin: 'roundRobin',
  roundrobin: 'roundRobin',
  round_robin: 'roundRobin',
  'org.apache.kafka.clients.producer.RoundRobinPartitioner': 'roundRobin',
  hotData: 'hotData',
  hotdata: 'hotData',
  hot_data: 'hotData',
});

/** Spellings of the built-in serializers, Java's class names included. */
export const SERIALIZER_BUILTINS: Readonly<Record<string, SerdeName>> = Object.freeze({
  string: 'string',
  json: 'json',
  buffer: 'buffer',
  bytes: 'buffer',
  'org.apache.kafka.common.serialization.StringSerializer': 'string',
  'org.apache.kafka.common.serialization.ByteArraySerializer': 'buffer',
  'org.apache.kafka.common.serialization.ByteBufferSerializer': 'buffer',
  'org.apache.kafka.common.serialization.BytesSerializer': 'buffer',
});

function isPartitionerPlugin(value: unknown): value is PartitionerPlugin {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as PartitionerPlugin).partition === 'function'
  );
}

function isProducerInterceptorPlugin(value: unknown): value is ProducerInterceptorPlugin {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.onSend === 'function' || typeof v.onAcknowledgement === 'function';
}

/** The most requests in flight per connection with which an idempotent producer keeps order. */
export const MAX_IN_FLIGHT_FOR_IDEMPOTENCE = 5;

/** The producer's keys (common client keys included), by camelCase option name. */
export const producerKeys = {
  ...commonClientKeys,
  acks: enumKey('acks', ['all', 0, 1] as const, {
    doc: 'Acknowledgements the leader waits for: all (-1) in-sync replicas, 1 the leader alone, 0 none (no response).',
    default: 'all',
    synonyms: { '-1': 'all' },
    aliases: ['request.required.acks'],
  }),
  lingerMs: longKey('linger.ms', {
    doc:
      'How long a batch waits for more records before it is sent, unless it fills first. Kafka 4.0 changed the default from 0 to 5 (KIP-1030). ' +
      'A batch holding a send() promise or a sendBatch() record goes as soon as its partition has no request on the wire, and waits up to linger.ms only while one is ' +
      '(records keep batching under load; a lone awaited send is not delayed); records sent with a callback wait the full linger.ms, as in Java.',
    default: 5,
    min: 0,
    aliases: ['queue.buffering.max.ms'],
  }),
  batchSize: intKey('batch.size', {
    doc:
      'The size in bytes a batch of one partition grows to before it is sent (0: no batching). ' +
      'A new batch reserves min(batch.size, 16 KiB) of buffer.memory (or its first record) and doubles ' +
      'while the pool has the bytes, so many sparse partitions do not exhaust buffer.memory. ' +
      '256 KiB by measurement (bench/producer/README.md, 2026-12-08): a Produce request carries one batch ' +
      'per partition, so at 1 KiB records 16 KiB batches ran 64-156k/s and 256 KiB 133-200k/s (about 2x) ' +
      'at half to four-fifths of the CPU per record; 1 MiB (librdkafka) saved 10-20% more CPU but fills ' +
      'max.request.size alone, one partition per request. Java and KafkaJS use 16 KiB.',
    default: 262_144,
    min: 0,
  }),
  bufferMemory: longKey('buffer.memory', {
    doc: 'Bytes of records the producer holds before send() waits (up to max.block.ms) for room.',
    default: 33_554_432,
    min: 0,
  }),
  maxBlockMs: longKey('max.block.ms', {
    doc: 'How long send() may wait for buffer room or metadata before it rejects.',
    default: 60_000,
    min: 0,
  }),
  compression: enumKey('compression.type', ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const, {
    doc: 'Codec for record batches.',
    default: 'none',
    aliases: ['compressionType', 'compression.codec'],
  }),
  compressionGzipLevel: intKey('compression.gzip.level', {
    doc: "gzip level 1-9; -1 is zlib's default (6).",
    default: -1,
    min: 1,
    max: 9,
    also: [-1],
  }),
  compressionLz4Level: intKey('compression.lz4.level', {
    doc: 'lz4 level 1-17.',
    default: 9,
    min: 1,
    max: 17,
  }),
  compressionZstdLevel: intKey('compression.zstd.level', {
    doc: 'zstd level -131072 to 22.',
    default: 3,
    min: -131_072,
    max: 22,
  }),
  maxRequestSize: intKey('max.request.size', {
    doc: 'The largest Produce request in bytes, and so the largest record batch.',
    default: 1_048_576,
    min: 0,
  }),
  maxInFlightRequestsPerConnection: intKey('max.in.flight.requests.per.connection', {
    doc: 'Unacknowledged Produce requests per broker connection; at most 5 with idempotence.',
    default: 5,
    min: 1,
  }),
  retries: intKey('retries', {
    doc: 'How often a batch is retried on a retriable error; delivery.timeout.ms is the real bound.',
    default: 2_147_483_647,
    min: 0,
    aliases: ['message.send.max.retries'],
  }),
  deliveryTimeoutMs: intKey('delivery.timeout.ms', {
    doc: 'Upper bound on the time from send() to its result, retries included; at least linger.ms + request.timeout.ms.',
    default: 120_000,
    min: 0,
  }),
  idempotent: booleanKey('enable.idempotence', {
    doc: 'Producer id and sequence numbers so that retries neither duplicate nor reorder; needs acks=all.',
    default: true,
    aliases: ['enableIdempotence'],
  }),
  transactionalId: stringKey('transactional.id', {
    doc: 'Enables transactions under this id (implies idempotence).',
    validate: (v) => (v === '' ? 'must not be empty' : undefined),
  }),
  transactionTimeoutMs: intKey('transaction.timeout.ms', {
    doc: 'How long the transaction coordinator waits for a transaction to finish before aborting it.',
    default: 60_000,
  }),
  metadataMaxIdleMs: longKey('metadata.max.idle.ms', {
    doc: 'Forget the metadata of a topic not produced to for this long.',
    default: 300_000,
    min: 5_000,
  }),
  partitioner: classKey('partitioner.class', {
    doc: 'murmur2 (default: Java-compatible key hashing, sticky without a key), sticky, roundRobin, hotData, a partitioner object, or a module path (./file.js#Export).',
    default: 'murmur2',
    aliases: ['partitionerClass'],
    builtins: PARTITIONER_BUILTINS,
    check: isPartitionerPlugin,
    what: 'a partitioner',
  }),
  partitionerIgnoreKeys: booleanKey('partitioner.ignore.keys', {
    doc: 'Place keyed records as keyless ones (built-in partitioners only).',
    default: false,
  }),
  interceptors: classListKey('interceptor.classes', {
    doc: 'Interceptors, in order: objects, or module paths (comma-separated in a properties file).',
    aliases: ['interceptorClasses'],
    check: isProducerInterceptorPlugin,
    what: 'a producer interceptor',
  }),
  keySerializer: classKey('key.serializer', {
    doc: "string, json, buffer (Java's StringSerializer and ByteArraySerializer map to these), a serializer, or a module path. Unset: strings and bytes as they are.",
    builtins: SERIALIZER_BUILTINS,
    check: isSerializer,
    what: 'a serializer',
  }),
  valueSerializer: classKey('value.serializer', {
    doc: 'As key.serializer, for values.',
    builtins: SERIALIZER_BUILTINS,
    check: isSerializer,
    what: 'a serializer',
  }),
} as const;

/** The producer's options as loaded: every key, defaults filled in; class values may be {@link ModuleRef}s. */
export type ProducerConfig = ConfigOf<typeof producerKeys>;

/** The producer's options after `resolveClasses`: modules imported. */
export type ResolvedProducerConfig = ResolvedConfigOf<typeof producerKeys>;

/**
 * Java producer property names accepted and ignored: the adaptive partitioning of Java's
 * built-in partitioner (KIP-794) and the JVM-only common settings.
 */
export const PRODUCER_IGNORED_PROPERTIES: readonly string[] = [
  ...COMMON_IGNORED_PROPERTIES,
  'partitioner.adaptive.partitioning.enable',
  'partitioner.availability.timeout.ms',
];

/**
 * Java's checks across producer keys (`ProducerConfig.postProcessAndValidateIdempotenceConfigs`
 * and the delivery timeout rule):
 * - idempotence needs `acks=all`, `retries` > 0 and at most 5 requests in flight: an error when
 *   `enable.idempotence=true` was set explicitly, else idempotence is turned off (with a warning);
 * - `transactional.id` needs idempotence;
 * - `delivery.timeout.ms` must be at least `linger.ms + request.timeout.ms`: an error when set
 *   explicitly, else raised to that sum (with a warning).
 */
export function checkProducerConfig(
  config: ProducerConfig,
  given: ReadonlySet<string>,
  warn: (message: string) => void,
): void {
  checkCommonClientConfig(config);
  const explicit = given.has('idempotent');
  if (config.idempotent) {
    const conflicts: string[] = [];
    if (config.retries === 0) conflicts.push('retries must not be 0');
    if (config.acks !== 'all') conflicts.push('acks must be all');
    if (config.maxInFlightRequestsPerConnection > MAX_IN_FLIGHT_FOR_IDEMPOTENCE) {
      conflicts.push(
        `max.in.flight.requests.per.connection must be at most ${MAX_IN_FLIGHT_FOR_IDEMPOTENCE}`,
      );
    }
    if (conflicts.length > 0) {
      if (explicit)
        throw new ConfigError('enable.idempotence', `the idempotent producer needs: ${conflicts.join('; ')}`);
      warn(`idempotence disabled: ${conflicts.join('; ')}`);
      config.idempotent = false;
    }
  }
  if (config.transactionalId !== undefined && !config.idempotent) {
    throw new ConfigError(
      'transactional.id',
      explicit
        ? 'a transactional producer needs enable.idempotence=true'
        : 'a transactional producer needs idempotence, which the other settings turned off (acks=all, retries > 0, max.in.flight.requests.per.connection <= 5)',
    );
  }
  const least = config.lingerMs + config.requestTimeoutMs;
  if (config.deliveryTimeoutMs < least) {
    if (given.has('deliveryTimeoutMs')) {
      throw new ConfigError(
        'delivery.timeout.ms',
        `must be at least linger.ms + request.timeout.ms = ${least}`,
      );
    }
    warn(`delivery.timeout.ms raised to linger.ms + request.timeout.ms = ${least}`);
    config.deliveryTimeoutMs = least;
  }
}

/**
 * The producer schema for `loadConfig`: `loadConfig(producerSchema, 'producer.properties')`
 * or `loadConfig(producerSchema, { bootstrapServers: ['localhost:9092'], lingerMs: 10 })`.
 */
export const producerSchema = defineSchema(producerKeys, {
  ignored: PRODUCER_IGNORED_PROPERTIES,
  check: checkProducerConfig,
});
