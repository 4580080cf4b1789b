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
  type ConsumerGroupMetadata,
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
import { ProducerClosedError, ProducerError, TransactionStateError } from './errors.js';
import { IdempotenceManager } from './idempotence.js';
import { type ProducerInterceptor, ProducerInterceptors } from './interceptors.js';
import { type PartitionerName, partitionerFor } from './partitioner/index.js';
import type { Partitioner, PartitionerCluster } from './partitioner/types.js';
import { ProducerIo } from './producer-io.js';
import { SendFuture, type SendFutureOwner } from './send-future.js';
import { Sender } from './sender.js';
import { type CloseOptions, SenderLoop } from './sender-loop.js';
import type { TransactionOffsets } from './transaction-requests.js';
import { type TransactionalResult, TransactionState } from './transaction-state.js';
import { TransactionManager } from './transactions.js';
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
 * With a `transactionalId`, records are written in transactions (Java's transactional producer):
 *
 * ```ts
 * const producer = new Producer({ bootstrapServers: 'localhost:9092', transactionalId: 'orders-tx' });
 * await producer.connect();
 * await producer.initTransactions();
 * await producer.beginTransaction();
 * producer.send({ topic: 'invoices', key: 'u1', value: '...' });
 * await producer.sendOffsetsToTransaction([{ topic: 'orders', partition: 0, offset: 43 }], consumer.groupMetadata());
 * await producer.commitTransaction(); // or abortTransaction()
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
  // The one check `send` makes per record: connected, and in a transaction if transactional.
  private sendOpen = false;
  private readonly transactions: TransactionManager | null;
  private readonly partitionerCluster: PartitionerCluster;
  private readonly topicWaits = new Map<string, TopicWait<K, V>>();

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
    const transactional = c.transactionalId !== undefined;
    const idempotence = c.idempotent ? new IdempotenceManager({ transactional }) : null;
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
    this.transactions =
      c.transactionalId === undefined || idempotence === null
        ? null
        : new TransactionManager({
            transactionalId: c.transactionalId,
            transactionTimeoutMs: c.transactionTimeoutMs,
            retryBackoffMs: c.retryBackoffMs,
            accumulator: this.accumulator,
            idempotence,
          });
    if (this.transactions !== null) {
      this.transactions.hasPendingAppends = () => this.topicWaits.size > 0;
      this.transactions.onStateChange = () => this.updateSendOpen();
    }
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
      transactions: this.transactions,
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

  /** Where the transactions stand (see {@link TransactionState}); null without a `transactionalId`. */
  get transactionState(): TransactionState | null {
    return this.transactions?.state ?? null;
  }

  private setState(state: ProducerState): void {
    this._state = state;
    this.updateSendOpen();
  }

  private updateSendOpen(): void {
    const t = this.transactions;
    this.sendOpen =
      this._state === ProducerState.Connected && (t === null || t.state === TransactionState.InTransaction);
  }

  /**
   * Connects to the cluster (bootstrap and metadata), imports plugins named by module path, and,
   * with idempotence, starts obtaining a producer id. Resolves when the producer can send.
   */
  connect(): Promise<void> {
    if (this.connecting === null) {
      this.setState(ProducerState.Connecting);
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
      this.setState(ProducerState.Created);
      this.connecting = null;
      throw e;
    }
    if (this._state !== ProducerState.Connecting) return;
    this.loop = new SenderLoop(this.sender, this.io, undefined, (e) =>
      this.logger.error('producer sender loop failed', { error: e as Error }),
    );
    this.io.attach();
    this.setState(ProducerState.Connected);
  }

  /**
   * Sends one record: interceptors `onSend`, serializers, partitioner, then the record is written
   * into its partition's open batch. Resolves with where it was written once the broker
   * acknowledged it as `acks` asks; rejects with a typed error (the broker's Kafka error, a
   * `DeliveryTimeoutError`, a `BufferExhaustedError` after `max.block.ms` without room, ...).
   * A transactional producer sends only between `beginTransaction()` and the commit or abort
   * (else a `TransactionStateError`); a record its transaction aborts before sending it rejects
   * with a `TransactionAbortedError`.
   */
  send(record: ProducerRecord<K, V>): Promise<RecordMetadata> {
    if (!this.sendOpen) return this.sendLater(record);
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
    const refused = this._state === ProducerState.Connected ? this.transactions?.sendError() : null;
    if (refused !== null && refused !== undefined) return this.failSend(record, refused);
    throw new ProducerClosedError('cannot send after the producer is closed');
  }

  // Sends to a topic whose metadata is not known yet wait in one list on one shared lookup, and
  // are appended in the order they were made once it resolves. Each send's result is a lazy
  // SendFuture that the record's batch takes over, as for any other send: a burst of sends to a
  // new topic costs no promise chain per record, and a record that fails while nobody awaits its
  // send is reported, not an unhandled rejection.
  private sendAfterMetadata(r: ProducerRecord<K, V>): Promise<RecordMetadata> {
    const topic = r.topic;
    const wait = this.topicWaits.get(topic) ?? this.waitForTopic(topic);
    const deferred = new DeferredSend(topic);
    // The transaction may end while the record waits: it must not land in the next one.
    wait.sends.push({ record: r, deferred, generation: this.transactions?.generation ?? 0 });
    return deferred.future;
  }

  private waitForTopic(topic: string): TopicWait<K, V> {
    const started = Date.now();
    const wait = new TopicWait<K, V>();
    wait.settled = this.cluster.waitForTopic(topic, this.config.maxBlockMs).then(
      (t) => this.appendWaiting(topic, wait, t.partitions.length, Date.now() - started, null),
      (e: Error) => this.appendWaiting(topic, wait, 0, 0, e),
    );
    this.topicWaits.set(topic, wait);
    return wait;
  }

  private appendWaiting(
    topic: string,
    wait: TopicWait<K, V>,
    partitions: number,
    blockedMs: number,
    error: Error | null,
  ): void {
    if (this.topicWaits.get(topic) === wait) this.topicWaits.delete(topic);
    const txn = this.transactions;
    for (const { record, deferred, generation } of wait.sends) {
      const refused = error ?? txn?.appendError(generation) ?? null;
      if (refused !== null) {
        this.failSend(record, refused, undefined, deferred);
        continue;
      }
      try {
        this.doSend(record, partitions, blockedMs, deferred);
      } catch (e) {
        // A partitioner that throws fails its own record, as in send() itself; the rest go on.
        deferred.complete(null, e instanceof Error ? e : new Error(String(e)));
      }
    }
    wait.sends.length = 0;
    // EndTxn waits for records still waiting for metadata: look again once they are in.
    if (txn !== null) this.loop?.wakeup();
  }

  // `deferred`: a send that waited for metadata; its future is what the send returned.
  private doSend(
    r: ProducerRecord<K, V>,
    count: number,
    blockedMs = 0,
    deferred: DeferredSend | null = null,
  ): Promise<RecordMetadata> {
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
        undefined,
        deferred,
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
        undefined,
        deferred,
      );
    }
    const now = Date.now();
    const timestamp = r.timestamp ?? now;
    const headers = r.headers === undefined ? null : headerList(r.headers);
    const acc = this.accumulator;
    const future = deferred === null ? null : deferred.future;
    let p: Promise<RecordMetadata> | null = null;
    if (r.partition === undefined && partitioner.onNewBatch !== undefined) {
      // KIP-480: a keyless record that would open a new batch lets the sticky partitioner move on.
      p = acc.tryAppend(topic, partition, timestamp, keyBytes, valueBytes, headers, now, future);
      if (p === null) {
        partitioner.onNewBatch(topic, this.partitionerCluster, partition);
        partition = partitioner.partition(topic, r.key, keyBytes, r.value, this.partitionerCluster);
      }
    }
    if (p === null)
      p = acc.append(topic, partition, timestamp, keyBytes, valueBytes, headers, now - blockedMs, future);
    const interceptors = this.interceptors;
    if (deferred !== null) {
      // The batch took the future over, unless the append failed at once.
      if (p !== future) {
        p.then(
          (m) => deferred.complete(m, null),
          (e: Error) => deferred.complete(null, e),
        );
      }
      if (interceptors.hasOnAcknowledgement) {
        p.then(
          (m) => interceptors.onAcknowledgement(m, null, r),
          (e: Error) => interceptors.onAcknowledgement(null, e, r),
        );
      }
      return deferred.future;
    }
    if (!interceptors.hasOnAcknowledgement) return p;
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

  private failSend(
    r: ProducerRecord<K, V>,
    error: Error,
    partition?: number,
    deferred: DeferredSend | null = null,
  ): Promise<RecordMetadata> {
    if (this.interceptors.hasOnAcknowledgement) this.interceptors.onSendError(r, partition, error);
    if (deferred === null) return Promise.reject(error);
    deferred.complete(null, error);
    return deferred.future;
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
      // Each wait appends its sends, in order, before it settles.
      await Promise.allSettled(Array.from(this.topicWaits.values(), (w) => w.settled));
    }
  }

  // ---- transactions ------------------------------------------------------------------------

  /**
   * Registers the `transactionalId` with its coordinator and obtains the producer id and epoch
   * (FindCoordinator, then InitProducerId): earlier producers with the same id are fenced, and a
   * transaction one of them left open is completed or aborted. Call once, after `connect()`,
   * before the first transaction. Waits up to `max.block.ms`; after a timeout (a
   * `KafkaTimeoutError`) call it again to keep waiting for the same registration.
   *
   * @throws TransactionStateError - without a `transactionalId`, or called twice.
   * @throws ProducerFencedError, TransactionalIdAuthorizationFailedError, ... - fatal errors: close the producer.
   */
  async initTransactions(): Promise<void> {
    const op = 'initTransactions()';
    const txn = this.requireTransactions(op);
    await this.whenConnected(op);
    const result = txn.initTransactions();
    this.loop?.wakeup();
    await txn.awaitResult(result, this.config.maxBlockMs, op);
  }

  /**
   * Opens a transaction: the records sent from now on and the offsets sent with
   * {@link Producer.sendOffsetsToTransaction} are committed or aborted together. No request is
   * made (partitions join the transaction as records are sent to them). Resolves at once.
   *
   * @throws TransactionStateError - before `initTransactions()`, or with a transaction open.
   * @throws AbortableTransactionError - the previous transaction failed and was not aborted.
   * @throws the fatal error (e.g. `ProducerFencedError`) once the producer has one.
   */
  async beginTransaction(): Promise<void> {
    this.requireTransactions('beginTransaction()').beginTransaction();
  }

  /**
   * Adds a consumer's offsets to the open transaction, so that they become the group's committed
   * offsets if and only if the transaction commits (consume-transform-produce, exactly once).
   * `offsets` are the next offsets to read, in the shapes the consumer's `commitSync` takes;
   * `groupMetadata` is `consumer.groupMetadata()` (its generation and member id let the group
   * coordinator refuse offsets from a consumer that lost its partitions). Sends AddOffsetsToTxn,
   * then TxnOffsetCommit to the group's coordinator; waits up to `max.block.ms`.
   *
   * @throws TransactionStateError - no transaction open.
   * @throws AbortableTransactionError - the transaction failed (e.g. the group rebalanced): abort it.
   */
  async sendOffsetsToTransaction(
    offsets: TransactionOffsets,
    groupMetadata: ConsumerGroupMetadata,
  ): Promise<void> {
    const op = 'sendOffsetsToTransaction()';
    const txn = this.requireTransactions(op);
    const result = txn.sendOffsetsToTransaction(offsets, groupMetadata);
    this.loop?.wakeup();
    await txn.awaitResult(result, this.config.maxBlockMs, op);
  }

  /**
   * Commits the open transaction: sends every record still buffered (as `flush()`), waits until
   * all are acknowledged, then EndTxn(commit). Waits up to `max.block.ms`; after a timeout call it
   * again to keep waiting for the same commit.
   *
   * @throws AbortableTransactionError - a record or the offsets failed: call `abortTransaction()`.
   * @throws ProducerFencedError (and other fatal errors) - close the producer.
   */
  async commitTransaction(): Promise<void> {
    const op = 'commitTransaction()';
    const txn = this.requireTransactions(op);
    const result = txn.beginCommit();
    this.flush().catch(() => {}); // EndTxn goes once every record is done
    this.loop?.wakeup();
    await txn.awaitResult(result, this.config.maxBlockMs, op);
  }

  /**
   * Aborts the open transaction: records not sent yet are dropped (their sends reject with a
   * `TransactionAbortedError`), records in flight are awaited, then EndTxn(abort); readers with
   * `isolation.level=read_committed` never see its records, and its offsets are not committed.
   * The only call allowed after an `AbortableTransactionError`. Waits up to `max.block.ms`.
   *
   * @throws ProducerFencedError (and other fatal errors) - close the producer.
   */
  async abortTransaction(): Promise<void> {
    const op = 'abortTransaction()';
    const txn = this.requireTransactions(op);
    const result = txn.beginAbort();
    this.loop?.wakeup();
    await txn.awaitResult(result, this.config.maxBlockMs, op);
  }

  private requireTransactions(operation: string): TransactionManager {
    if (this.transactions === null) {
      throw new TransactionStateError(
        operation,
        'NotTransactional',
        'the producer has no transactional.id (set transactionalId to use transactions)',
      );
    }
    if (this._state === ProducerState.Closing || this._state === ProducerState.Closed) {
      throw new ProducerClosedError(`cannot call ${operation} after the producer is closed`);
    }
    return this.transactions;
  }

  private async whenConnected(operation: string): Promise<void> {
    if (this._state === ProducerState.Created) {
      throw new ProducerError(`${operation} before connect(): call and await producer.connect() first`);
    }
    if (this._state === ProducerState.Connecting) await this.connecting;
    if (this._state !== ProducerState.Connected) {
      throw new ProducerClosedError(`cannot call ${operation} after the producer is closed`);
    }
  }

  // close(): an open transaction is aborted first, as Java's sender does on shutdown.
  private async abortOnClose(timeoutMs: number): Promise<void> {
    const txn = this.transactions;
    if (txn === null || this.loop === null || !txn.hasOngoingTransaction) return;
    let result: TransactionalResult;
    try {
      result =
        txn.state === TransactionState.InTransaction || txn.state === TransactionState.AbortableError
          ? txn.beginAbort()
          : (txn.pendingResult() ?? txn.beginAbort());
    } catch {
      return;
    }
    this.loop.wakeup();
    try {
      await txn.awaitResult(result, timeoutMs, 'abortTransaction() on close');
    } catch (e) {
      this.logger.warn('could not abort the open transaction on close', { error: e as Error });
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
    await this.abortOnClose(Math.min(options.timeoutMs ?? this.config.maxBlockMs, this.config.maxBlockMs));
    this.setState(ProducerState.Closing);
    this.transactions?.close(new ProducerClosedError('the producer was closed'));
    try {
      if (this.loop !== null) await this.loop.close(options);
      else this.accumulator.close();
    } finally {
      await this.interceptors.close();
      await this.partitioner?.close?.();
      await this.cluster.close();
      this.setState(ProducerState.Closed);
    }
  }
}

// The sends waiting for one topic's metadata, in the order they were made.
class TopicWait<K, V> {
  readonly sends: { record: ProducerRecord<K, V>; deferred: DeferredSend; generation: number }[] = [];
  // Settles once every send is appended or failed.
  settled: Promise<void> = Promise.resolve();
}

// A send waiting for its topic's metadata: its future moves into the record's batch once
// appended, or settles here when the record is refused; it is made a native promise only if
// someone listens.
class DeferredSend implements SendFutureOwner {
  readonly future: SendFuture = new SendFuture(this, 0);
  private outcome: { metadata: RecordMetadata } | { error: Error } | undefined = undefined;

  constructor(private readonly topic: string) {}

  outcomeOf(): { metadata: RecordMetadata } | { error: Error } | undefined {
    return this.outcome;
  }

  complete(metadata: RecordMetadata | null, error: Error | null): void {
    if (this.outcome !== undefined) return;
    this.outcome = error !== null ? { error } : { metadata: metadata as RecordMetadata };
    if (this.future.observed) this.future.settle(metadata, error);
    else if (error !== null) {
      process.emitWarning(
        `a record for ${this.topic} failed and nobody awaited its send(): ${error.message}`,
        'ProducerSendWarning',
      );
    }
  }
}

function headerList(headers: RecordHeaders): RecordHeaderInput[] | null {
  const out: RecordHeaderInput[] = [];
  for (const key in headers) out.push({ key, value: headers[key] });
  return out.length === 0 ? null : out;
}
