/**
 * The consumer's options and the payloads of `run`.
 *
 * @module
 */

import type { Deserializer, Logger, SaslOptions, SslOption, TimerClock } from '@tskafka/transport';
import type { ConfigInputOf, consumerKeys, RequestObserver } from '@tskafka/transport/internals';
import type { ConsumerPartitionAssignor } from './assignors/index.js';
import type { ConsumerInterceptor } from './interceptors.js';
import type { ConsumerRecord } from './types.js';

type PluginKeys = 'keyDeserializer' | 'valueDeserializer' | 'interceptors' | 'partitionAssignors';

/**
 * Options of a {@link Consumer}: Java's consumer configs in camelCase with Java's defaults
 * (`autoOffsetReset: 'latest'`, `enableAutoCommit: true`, `sessionTimeoutMs: 45000`,
 * `maxPollRecords: 500`, ...), the transport's objects, and the plugins, typed.
 *
 * @typeParam K - the key type the key deserializer produces (default `Buffer | null`).
 * @typeParam V - the value type the value deserializer produces.
 */
export type ConsumerOptions<K = Buffer | null, V = Buffer | null> = Omit<
  ConfigInputOf<typeof consumerKeys>,
  PluginKeys | 'bootstrapServers'
> & {
  /** `bootstrap.servers`: `host:port` addresses, an array or one comma-separated string. */
  bootstrapServers: string | readonly string[];
  /** Turns key bytes into a `K`; default: the `Buffer` as it is. */
  keyDeserializer?: Deserializer<K> | 'string' | 'json' | 'buffer';
  /** Turns value bytes into a `V`; default: the `Buffer` as it is. */
  valueDeserializer?: Deserializer<V> | 'string' | 'json' | 'buffer';
  /**
   * `partition.assignment.strategy`: assignor names or objects, preferred first; default `['range']`.
   * The subscription sent with each goes out at the lowest ConsumerProtocolSubscription version
   * that carries what the member has: v0 while it owns nothing, v1 with owned partitions (what
   * cooperative-sticky needs), v2 with their generation too (sticky's check), v3 only with a
   * rack; so a group leader of an older client (Sarama, librdkafka, kafka-python) can read it.
   */
  partitionAssignors?: readonly (string | ConsumerPartitionAssignor)[];
  /** `interceptor.classes`: called in order on every poll and commit. */
  interceptors?: readonly ConsumerInterceptor<K, V>[];
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
   * The consumer's own time and timers (poll waits, heartbeats, auto commit, backoffs, the close
   * deadline); default the system clock. Tests pass a `ManualClock` to move time by hand. The
   * connections keep the system clock.
   */
  clock?: TimerClock;
};

/** What `run({ eachMessage })` hands to the handler for each record. */
export interface EachMessagePayload<K, V> {
  /** The record's topic. */
  topic: string;
  /** The record's partition. */
  partition: number;
  /** The record. */
  message: ConsumerRecord<K, V>;
}

/** What `run({ eachBatch })` hands to the handler: the records of one partition from one poll. */
export interface EachBatchPayload<K, V> {
  /** The topic. */
  topic: string;
  /** The partition. */
  partition: number;
  /** The records, in offset order. */
  messages: ConsumerRecord<K, V>[];
}

/** Options of {@link Consumer.run}: one of `eachMessage` or `eachBatch`. */
export interface RunOptions<K, V> {
  /** Called for each record in turn; awaited before the next. */
  eachMessage?: (payload: EachMessagePayload<K, V>) => void | Promise<void>;
  /** Called for each partition's records of a poll; awaited before the next. */
  eachBatch?: (payload: EachBatchPayload<K, V>) => void | Promise<void>;
  /** `poll` timeout per turn, ms; default 1000. */
  pollTimeoutMs?: number;
}
