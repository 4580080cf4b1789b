/**
 * How a consumer's parts are configured from its loaded config, once, off the poll path: the
 * fetcher's and the group coordinator's options, and the plugins (deserializers, interceptors,
 * assignors) once their module paths are imported.
 *
 * @module
 */
import type { Deserializer, Logger } from '@tskafka/transport';
import {
  type ConsumerConfig,
  deserializerFor,
  type ResolvedConsumerConfig,
} from '@tskafka/transport/internals';
import { assignorFor, type ConsumerPartitionAssignor } from './assignors/index.js';
import type { CoordinatorOptions } from './coordinator.js';
import { Deserializers } from './deserializers.js';
import type { FetcherOptions } from './fetcher.js';
import { type ConsumerInterceptor, ConsumerInterceptors } from './interceptors.js';

/** The fetcher's options: Java's `fetch.*`, `max.partition.fetch.bytes`, `isolation.level`, ... */
export function fetcherOptions(c: ConsumerConfig): FetcherOptions {
  return {
    minBytes: c.fetchMinBytes,
    maxWaitMs: c.fetchMaxWaitMs,
    maxBytes: c.fetchMaxBytes,
    maxPartitionBytes: c.maxPartitionFetchBytes,
    isolationLevel: c.isolationLevel === 'read_committed' ? 1 : 0,
    checkCrcs: c.checkCrcs,
    autoOffsetReset: c.autoOffsetReset,
    requestTimeoutMs: c.requestTimeoutMs,
  };
}

/** The group coordinator's options for group `groupId`, assigning with `assignors`. */
export function coordinatorOptions(
  c: ConsumerConfig,
  groupId: string,
  assignors: ConsumerPartitionAssignor[],
): CoordinatorOptions {
  return {
    groupId,
    groupInstanceId: c.groupInstanceId ?? null,
    clientRack: c.clientRack || null,
    sessionTimeoutMs: c.sessionTimeoutMs,
    heartbeatIntervalMs: c.heartbeatIntervalMs,
    maxPollIntervalMs: c.maxPollIntervalMs,
    retryBackoffMs: c.retryBackoffMs,
    requestTimeoutMs: c.requestTimeoutMs,
    assignors,
    autoCommit: c.enableAutoCommit,
    autoCommitIntervalMs: c.autoCommitIntervalMs,
  };
}

/** A consumer's plugins, ready to use. */
export interface ConsumerPlugins<K, V> {
  /** The key and value deserializers. */
  deserializers: Deserializers<K, V>;
  /** The interceptor chain. */
  interceptors: ConsumerInterceptors<K, V>;
  /** The assignors, in preference order (`range` when none is configured). */
  assignors: ConsumerPartitionAssignor[];
}

/**
 * The plugins from the config once module paths are imported; objects given in the options
 * (`typed`) take the place of names for assignors and interceptors.
 */
export function loadPlugins<K, V>(
  plugins: ResolvedConsumerConfig,
  typed: {
    assignors: readonly (string | ConsumerPartitionAssignor)[] | undefined;
    interceptors: readonly ConsumerInterceptor<K, V>[] | undefined;
  },
  logger: Logger,
): ConsumerPlugins<K, V> {
  const interceptors = typed.interceptors ?? (plugins.interceptors as unknown as ConsumerInterceptor<K, V>[]);
  const assignorInput =
    typed.assignors ?? (plugins.partitionAssignors as unknown as (string | ConsumerPartitionAssignor)[]);
  return {
    deserializers: new Deserializers<K, V>(
      deserializerFor(plugins.keyDeserializer as never) as Deserializer<K>,
      deserializerFor(plugins.valueDeserializer as never) as Deserializer<V>,
    ),
    interceptors: new ConsumerInterceptors<K, V>(interceptors, logger),
    assignors: (assignorInput.length === 0 ? ['range'] : assignorInput).map((a) => assignorFor(a)),
  };
}
