/**
 * The options and life-cycle states of a {@link Producer}: Java's producer configs in camelCase,
 * the transport's objects, and the typed plugins (serializers, partitioner, interceptors).
 *
 * @module
 */

import type { Logger, SaslOptions, Serializer, SslOption, TimerClock } from '@tskafka/transport';
import type { ConfigInputOf, producerKeys, RequestObserver } from '@tskafka/transport/internals';
import type { ProducerInterceptor } from './interceptors.js';
import type { PartitionerName } from './partitioner/index.js';
import type { Partitioner } from './partitioner/types.js';

/** What keys and values may be without a serializer: UTF-8 strings, bytes as they are, or null. */
export type RawRecordData = string | Uint8Array | null;

type PluginKeys = 'keySerializer' | 'valueSerializer' | 'partitioner' | 'interceptors';

/**
 * Options of a {@link Producer}: Java's producer configs in camelCase with Java's defaults
 * (`acks: 'all'`, `lingerMs: 5`, `batchSize: 262144` (Java's is 16384; see its doc), `compression: 'none'`, `idempotent: true`,
 * ...), the transport's objects (`sasl`, `ssl`, `logger`), and the plugins, typed.
 *
 * @typeParam K - what `send` accepts as a key; the key serializer's input.
 * @typeParam V - what `send` accepts as a value; the value serializer's input.
 */
export type ProducerOptions<K = RawRecordData, V = RawRecordData> = Omit<
  ConfigInputOf<typeof producerKeys>,
  PluginKeys | 'bootstrapServers'
> & {
  /** `bootstrap.servers`: `host:port` addresses, an array or one comma-separated string. */
  bootstrapServers: string | readonly string[];
  /** Turns a key into bytes (or a string written as UTF-8); default: strings and bytes as they are. */
  keySerializer?: Serializer<K> | 'string' | 'json' | 'buffer';
  /** Turns a value into bytes; default: strings and bytes as they are. */
  valueSerializer?: Serializer<V> | 'string' | 'json' | 'buffer';
  /** `partitioner.class`: a built-in by name, or an object; default `murmur2`. */
  partitioner?: PartitionerName | Partitioner<K, V>;
  /** `interceptor.classes`: called in order on every send and acknowledgement. */
  interceptors?: readonly ProducerInterceptor<K, V>[];
  /** SASL credentials (alternatively `security.protocol` + `sasl.jaas.config` properties). */
  sasl?: SaslOptions;
  /** TLS: `true` or Node's `tls.connect` options. */
  ssl?: SslOption;
  /** Where log lines go; default warnings and errors to stderr. */
  logger?: Logger;
  /**
   * Sees each request's response or timeout (KafkaJS's network events).
   *
   * @internal
   */
  requestObserver?: RequestObserver;
  /**
   * The producer's own time and timers (linger, memory waits, retries' backoff, transactions,
   * the close deadline); default the system clock. Tests pass a `ManualClock` to move time by
   * hand. The connections keep the system clock.
   */
  clock?: TimerClock;
};

/** The producer's life cycle. */
export const ProducerState = {
  /** Built; `connect()` not called yet. */
  Created: 'Created',
  /** `connect()` in progress. */
  Connecting: 'Connecting',
  /** Sending. */
  Connected: 'Connected',
  /** `close()` in progress: buffered records are still delivered, new sends are refused. */
  Closing: 'Closing',
  /** Closed. */
  Closed: 'Closed',
} as const;
/** See {@link ProducerState}. */
export type ProducerState = (typeof ProducerState)[keyof typeof ProducerState];
