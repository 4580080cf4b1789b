/**
 * The producer (Java's `KafkaProducer`): the main path of `send` (interceptors, serializers,
 * partitioner, {@link RecordAccumulator.append}) and the sender path ({@link SenderLoop} over a
 * transport {@link Cluster}), sharing one accumulator.
 *
 * @module
 */
import { CompressionType, type RecordHeaderInput } from '@tskafka/protocol';
import {
  Cluster,
  type ConfigInputOf,
  clusterOptionsFromConfig,
  defaultSerializer,
  type KafkaProperties,
  type Logger,
  loadConfig,
  type ProducerConfig,
  type producerKeys,
  producerSchema,
  type RecordHeaders,
  type ResolvedProducerConfig,
  resolveClasses,
  type SaslOptions,
  SerializationError,
  type Serializer,
  type SslOption,
  serializerFor,
  stderrLogger,
} from '@tskafka/transport';
import { RecordAccumulator } from './accumulator.js';
import { ProducerClosedError, ProducerError } from './errors.js';
import { IdempotenceManager } from './idempotence.js';
import { type ProducerInterceptor, ProducerInterceptors } from './interceptors.js';
import { type PartitionerName, partitionerFor } from './partitioner/index.js';
import type { Partitioner, PartitionerCluster } from './partitioner/types.js';
import { ProducerIo } from './producer-io.js';
import { Sender } from './sender.js';
import { type CloseOptions, SenderLoop } from './sender-loop.js';
import type { ProducerRecord, RecordMetadata } from './types.js';

/** What keys and values may be without a serializer: UTF-8 strings, bytes as they are, or null. */
export type RawRecordData = string | Uint8Array | null;

type PluginKeys = 'keySerializer' | 'valueSerializer' | 'partitioner' | 'interceptors';

/**
 * Options of a {@link Producer}: Java's producer configs in camelCase with Java's defaults
 * (`acks: 'all'`, `lingerMs: 5`, `batchSize: 16384`, `compression: 'none'`, `idempotent: true`,
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

const CODECS: Record<string, CompressionType> = {
  none: CompressionType.None,
  gzip: CompressionType.Gzip,
  snappy: CompressionType.Snappy,
  lz4: CompressionType.Lz4,
  zstd: CompressionType.Zstd,
};

/**
 * A Kafka producer. `send` is synchronous up to the promise it returns: the record is
 * serialized, partitioned and written into its partition's open batch at once; sends that are not
 * awaited one by one share batches. Until `connect()` has resolved, `send` waits for it.
 *
 * ```ts
 * const producer = new Producer({ bootstrapServers: 'localhost:9092', acks: 'all', lingerMs: 5 });
 * await producer.connect();
 * const meta = await producer.send({ topic: 'orders', key: 'u1', value: '{"total":3}' });
 * await producer.close();
 * ```
 *
 * @typeParam K - what `send` accepts as a key.
 * @typeParam V - what `send` accepts as a value.
 */
export class Producer<K = RawRecordData, V = RawRecordData> {
  /** The options after loading: every key with its value or Java's default. */
  readonly config: ProducerConfig;
  private readonly cluster: Cluster;
  private readonly logger: Logger;
  private readonly pending: Promise<ResolvedProducerConfig>;
  private keySerializer: Serializer<K> = defaultSerializer as Serializer<K>;
  private valueSerializer: Serializer<V> = defaultSerializer as Serializer<V>;
  private partitioner: Partitioner<K, V> | null = null;
  private interceptors: ProducerInterceptors<K, V> = new ProducerInterceptors<K, V>([]);
  private readonly accumulator: RecordAccumulator;
  private readonly sender: Sender;
  private readonly io: ProducerIo;
  private loop: SenderLoop | null = null;
  private connecting: Promise<void> | null = null;
  private closing: Promise<void> | null = null;
  private _state: ProducerState = ProducerState.Created;
  private readonly partitionerCluster: PartitionerCluster;
  private readonly topicWaits = new Map<string, Promise<{ partitions: number; blockedMs: number }>>();

  /**
   * A producer; nothing is connected until {@link Producer.connect}.
   *
   * @param options - camelCase options, or Kafka's property names (`{ 'linger.ms': 5 }`), or a
   *   `.properties` file path; see {@link ProducerOptions}.
   * @param load - where module paths in Kafka-named properties are relative to (`baseDir`), and
   *   what to call the input in errors (`source`); set by `Kafka.fromProperties`.
   * @throws ConfigError naming an unknown or ill-typed key (and the nearest valid one).
   */
  constructor(
    options: ProducerOptions<K, V> | KafkaProperties | string,
    load: { baseDir?: string; source?: string } = {},
  ) {
    const { sasl, ssl, logger, ...rest } =
      typeof options === 'string'
        ? ({} as Partial<ProducerOptions<K, V>>)
        : (options as ProducerOptions<K, V>);
    this.logger = logger ?? stderrLogger();
    const warn = (m: string): void => this.logger.warn(m);
    this.config = loadConfig(
      producerSchema,
      typeof options === 'string' ? options : (rest as KafkaProperties),
      {
        ...load,
        warn,
      },
    );
    const c = this.config;
    const clusterOptions = clusterOptionsFromConfig(
      c,
      { sasl, ssl, logger: this.logger },
      'tskafka-producer',
    );
    this.cluster = new Cluster(clusterOptions);
    const acks = c.acks === 'all' ? -1 : (c.acks as 0 | 1);
    const idempotence = c.idempotent ? new IdempotenceManager() : null;
    const level =
      c.compression === 'gzip' && c.compressionGzipLevel !== -1
        ? c.compressionGzipLevel
        : c.compression === 'zstd'
          ? c.compressionZstdLevel
          : undefined;
    this.accumulator = new RecordAccumulator({
      batchSize: c.batchSize,
      lingerMs: c.lingerMs,
      bufferMemory: c.bufferMemory,
      maxBlockMs: c.maxBlockMs,
      maxRequestSize: c.maxRequestSize,
      deliveryTimeoutMs: c.deliveryTimeoutMs,
      compression: CODECS[c.compression],
      compressionLevel: level,
      maxInFlightRequestsPerConnection: c.maxInFlightRequestsPerConnection,
      idempotence,
      transactional: c.transactionalId !== undefined,
    });
    this.io = new ProducerIo(this.cluster, {
      maxInFlight: c.maxInFlightRequestsPerConnection,
      transactionalId: c.transactionalId ?? null,
      transactionTimeoutMs: c.transactionTimeoutMs,
      wakeup: () => this.loop?.wakeup(),
    });
    this.sender = new Sender(this.accumulator, this.io.metadata, this.io, {
      acks,
      requestTimeoutMs: c.requestTimeoutMs,
      maxRequestSize: c.maxRequestSize,
      retries: c.retries,
      retryBackoffMs: c.retryBackoffMs,
      retryBackoffMaxMs: c.retryBackoffMaxMs,
      transactionalId: c.transactionalId ?? null,
    });
    const cluster = this.cluster;
    const available = new Map<string, { version: unknown; partitions: readonly number[] }>();
    this.partitionerCluster = {
      partitionCountFor: (topic) => cluster.partitionCountFor(topic) ?? 1,
      availablePartitionsFor: (topic) => {
        const t = cluster.metadata.topic(topic);
        if (t === undefined) return [];
        const cached = available.get(topic);
        if (cached !== undefined && cached.version === t) return cached.partitions;
        const partitions = t.partitions.filter((p) => p.leader >= 0).map((p) => p.partition);
        partitions.sort((a, b) => a - b);
        available.set(topic, { version: t, partitions });
        return partitions;
      },
    };
    // Plugins may be module paths (from a properties file): imported before the first send.
    this.pending = resolveClasses(producerSchema, c);
    this.pending.catch(() => {}); // reported by connect()
  }

  /** Where the producer is in its life cycle. */
  get state(): ProducerState {
    return this._state;
  }

  /**
   * Connects to the cluster (bootstrap and metadata), imports plugins named by module path, and,
   * with idempotence, starts obtaining a producer id. Resolves when the producer can send.
   */
  connect(): Promise<void> {
    if (this.connecting === null) {
      this._state = ProducerState.Connecting;
      this.connecting = this.doConnect();
    }
    return this.connecting;
  }

  private async doConnect(): Promise<void> {
    const plugins = await this.pending;
    this.keySerializer = serializerFor(plugins.keySerializer as never) as Serializer<K>;
    this.valueSerializer = serializerFor(plugins.valueSerializer as never) as Serializer<V>;
    this.partitioner = partitionerFor<K, V>(plugins.partitioner as PartitionerName | Partitioner<K, V>, {
      ignoreKeys: plugins.partitionerIgnoreKeys,
    });
    this.interceptors = new ProducerInterceptors<K, V>(
      plugins.interceptors as unknown as ProducerInterceptor<K, V>[],
      this.logger,
    );
    try {
      await this.cluster.connect();
    } catch (e) {
      this._state = ProducerState.Created;
      this.connecting = null;
      throw e;
    }
    if (this._state !== ProducerState.Connecting) return;
    this.loop = new SenderLoop(this.sender, this.io, undefined, (e) =>
      this.logger.error('producer sender loop failed', { error: e as Error }),
    );
    this.io.attach();
    this._state = ProducerState.Connected;
  }

  /**
   * Sends one record: interceptors `onSend`, serializers, partitioner, then the record is written
   * into its partition's open batch. Resolves with where it was written once the broker
   * acknowledged it as `acks` asks; rejects with a typed error (the broker's Kafka error, a
   * `DeliveryTimeoutError`, a `BufferExhaustedError` after `max.block.ms` without room, ...).
   */
  send(record: ProducerRecord<K, V>): Promise<RecordMetadata> {
    if (this._state !== ProducerState.Connected) return this.sendLater(record);
    let r = record;
    if (this.interceptors.hasOnSend) r = this.interceptors.onSend(r);
    const waiting = this.topicWaits.size !== 0 && this.topicWaits.has(r.topic);
    const count = waiting ? undefined : this.cluster.partitionCountFor(r.topic);
    if (count === undefined) return this.sendAfterMetadata(r);
    return this.doSend(r, count);
  }

  private async sendLater(record: ProducerRecord<K, V>): Promise<RecordMetadata> {
    if (this._state === ProducerState.Created) {
      throw new ProducerError('send() before connect(): call and await producer.connect() first');
    }
    if (this._state === ProducerState.Connecting) {
      await this.connecting;
      return this.send(record);
    }
    throw new ProducerClosedError('cannot send after the producer is closed');
  }

  // Sends to a topic whose metadata is not known yet wait on one shared lookup, and run in the
  // order they were made once it resolves (its reactions run back to back).
  private sendAfterMetadata(r: ProducerRecord<K, V>): Promise<RecordMetadata> {
    const topic = r.topic;
    let wait = this.topicWaits.get(topic);
    if (wait === undefined) {
      const started = Date.now();
      const w = this.cluster
        .waitForTopic(topic, this.config.maxBlockMs)
        .then((t) => ({ partitions: t.partitions.length, blockedMs: Date.now() - started }));
      const forget = () => {
        if (this.topicWaits.get(topic) === w) this.topicWaits.delete(topic);
      };
      w.then(forget, forget);
      this.topicWaits.set(topic, w);
      wait = w;
    }
    return wait.then(
      (t) => this.doSend(r, t.partitions, t.blockedMs),
      (e: Error) => this.failSend(r, e),
    );
  }

  private doSend(r: ProducerRecord<K, V>, count: number, blockedMs = 0): Promise<RecordMetadata> {
    const topic = r.topic;
    let keyBytes: Uint8Array | string | null;
    let valueBytes: Uint8Array | string | null;
    const key = r.key ?? null;
    try {
      keyBytes = key === null ? null : this.keySerializer.serialize(topic, key as K, r.headers);
      valueBytes = this.valueSerializer.serialize(topic, r.value, r.headers);
    } catch (e) {
      return this.failSend(
        r,
        e instanceof SerializationError
          ? e
          : new SerializationError(`cannot serialize the record for ${topic}: ${String(e)}`, topic, {
              cause: e,
            }),
      );
    }
    let partition = r.partition;
    const partitioner = this.partitioner as Partitioner<K, V>;
    if (partition === undefined) {
      partition = partitioner.partition(topic, r.key, keyBytes, r.value, this.partitionerCluster);
    } else if (!Number.isInteger(partition) || partition < 0 || partition >= count) {
      return this.failSend(
        r,
        new ProducerError(
          `partition ${partition} of topic ${topic} does not exist: it has ${count} partitions`,
        ),
      );
    }
    const timestamp = r.timestamp ?? Date.now();
    const headers = r.headers === undefined ? null : headerList(r.headers);
    const now = Date.now();
    const acc = this.accumulator;
    let p: Promise<RecordMetadata> | null = null;
    if (r.partition === undefined && partitioner.onNewBatch !== undefined) {
      // KIP-480: a keyless record that would open a new batch lets the sticky partitioner move on.
      p = acc.tryAppend(topic, partition, timestamp, keyBytes, valueBytes, headers, now);
      if (p === null) {
        partitioner.onNewBatch(topic, this.partitionerCluster, partition);
        partition = partitioner.partition(topic, r.key, keyBytes, r.value, this.partitionerCluster);
      }
    }
    if (p === null)
      p = acc.append(topic, partition, timestamp, keyBytes, valueBytes, headers, now - blockedMs);
    if (!this.interceptors.hasOnAcknowledgement) return p;
    const interceptors = this.interceptors;
    return p.then(
      (m) => {
        interceptors.onAcknowledgement(m, null, r);
        return m;
      },
      (e: Error) => {
        interceptors.onAcknowledgement(null, e, r);
        throw e;
      },
    );
  }

  private failSend(r: ProducerRecord<K, V>, error: Error, partition?: number): Promise<RecordMetadata> {
    if (this.interceptors.hasOnAcknowledgement) this.interceptors.onSendError(r, partition, error);
    return Promise.reject(error);
  }

  /**
   * Sends everything buffered now, without waiting for `linger.ms`, and resolves when every
   * record sent before the call has its result (success or failure).
   */
  async flush(): Promise<void> {
    await this.settleTopicWaits();
    if (this.loop !== null) await this.loop.flush();
  }

  // Sends waiting for a topic's metadata are not in the accumulator yet; they count as sent
  // before a flush or close, so wait until they are appended (or failed).
  private async settleTopicWaits(): Promise<void> {
    while (this.topicWaits.size > 0) {
      await Promise.allSettled([...this.topicWaits.values()]);
      // Let the queued sends' reactions run: they append in order right after each wait settles.
      await Promise.resolve();
    }
  }

  /**
   * The partition numbers of a topic, from metadata (fetched, and the topic auto-created where
   * the broker allows, if not known yet).
   */
  async partitionsFor(topic: string): Promise<number[]> {
    const t = await this.cluster.waitForTopic(topic, this.config.maxBlockMs);
    return t.partitions.map((p) => p.partition).sort((a, b) => a - b);
  }

  /**
   * Stops taking new records, delivers what is buffered (up to `timeoutMs`, default unlimited;
   * what is left then fails with a `ProducerClosedError`), closes interceptors and the
   * partitioner, then the connections. Safe to call more than once.
   */
  close(options: CloseOptions = {}): Promise<void> {
    if (this.closing === null) this.closing = this.doClose(options);
    return this.closing;
  }

  private async doClose(options: CloseOptions): Promise<void> {
    await this.settleTopicWaits();
    this._state = ProducerState.Closing;
    try {
      if (this.loop !== null) await this.loop.close(options);
      else this.accumulator.close();
    } finally {
      await this.interceptors.close();
      await this.partitioner?.close?.();
      await this.cluster.close();
      this._state = ProducerState.Closed;
    }
  }
}

function headerList(headers: RecordHeaders): RecordHeaderInput[] | null {
  const out: RecordHeaderInput[] = [];
  for (const key in headers) out.push({ key, value: headers[key] });
  return out.length === 0 ? null : out;
}
