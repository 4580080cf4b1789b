/**
 * The producer (Java's `KafkaProducer`): the main path of `send` (interceptors, serializers,
 * partitioner, {@link RecordAccumulator.append}) and the sender path ({@link SenderLoop} over a
 * transport {@link Cluster}), sharing one accumulator.
 *
 * @module
 */

import type { RecordHeaderInput } from '@tskafka/protocol/internals';
import {
  type CloseOptions,
  type ConsumerGroupMetadata,
  DEFAULT_CLOSE_TIMEOUT_MS,
  diagnosticChannels,
  type KafkaMetric,
  type KafkaProperties,
  type Logger,
  type RecordHeaders,
  SerializationError,
  type Serializer,
  stderrLogger,
  systemTimerClock,
  type TimerClock,
} from '@tskafka/transport';
import {
  type Cluster,
  defaultSerializer,
  loadConfig,
  type ProducerConfig,
  producerSchema,
  type ResolvedProducerConfig,
  raceTimer,
  resolveClasses,
} from '@tskafka/transport/internals';
import type { RecordAccumulator } from './accumulator.js';
import { ProducerClosedError, ProducerError } from './errors.js';
import { ProducerInterceptors } from './interceptors.js';
import { type DeferredSend, MetadataWaits, type TopicWait } from './metadata-waits.js';
import type { Partitioner, PartitionerCluster } from './partitioner/types.js';
import type { ProducerIo } from './producer-io.js';
import type { ProducerMetrics } from './producer-metrics.js';
import { type ProducerOptions, ProducerState, type RawRecordData } from './producer-options.js';
import { buildProducerParts, loadPlugins } from './producer-setup.js';
import { abortOnClose, requireTransactions } from './producer-transactions.js';
import { SendGroup } from './send-group.js';
import { markHandled } from './send-promise.js';
import type { Sender } from './sender.js';
import { SenderLoop } from './sender-loop.js';
import type { TransactionOffsets } from './transaction-requests.js';
import { TransactionState } from './transaction-state.js';
import type { TransactionManager } from './transactions.js';
import type { ProducerRecord, RecordMetadata } from './types.js';

export { type ProducerOptions, ProducerState, type RawRecordData } from './producer-options.js';

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
  private readonly clock: TimerClock;
  private readonly pending: Promise<ResolvedProducerConfig>;
  private keySerializer: Serializer<K> = defaultSerializer as Serializer<K>;
  private valueSerializer: Serializer<V> = defaultSerializer as Serializer<V>;
  private partitioner: Partitioner<K, V> | null = null;
  private interceptors: ProducerInterceptors<K, V> = new ProducerInterceptors<K, V>([]);
  private readonly accumulator: RecordAccumulator;
  private readonly sender: Sender;
  private readonly producerMetrics: ProducerMetrics;
  private readonly io: ProducerIo;
  private loop: SenderLoop | null = null;
  private connecting: Promise<void> | null = null;
  private closing: Promise<void> | null = null;
  private _state: ProducerState = ProducerState.Created;
  // The one check `send` makes per record: connected, and in a transaction if transactional.
  private sendOpen = false;
  private readonly transactions: TransactionManager | null;
  private readonly partitionerCluster: PartitionerCluster;
  private readonly metadataWaits: MetadataWaits<K, V>;
  // The metadata-wait queue's map, read directly by `send`.
  private readonly topicWaits: Map<string, TopicWait<K, V>>;

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
    const { sasl, ssl, logger, clock, requestObserver, ...rest } =
      typeof options === 'string'
        ? ({} as Partial<ProducerOptions<K, V>>)
        : (options as ProducerOptions<K, V>);
    this.logger = logger ?? stderrLogger();
    this.clock = clock ?? systemTimerClock;
    const warn = (m: string): void => this.logger.warn(m);
    this.config = loadConfig(
      producerSchema,
      typeof options === 'string' ? options : (rest as KafkaProperties),
      {
        ...load,
        warn,
      },
    );
    const parts = buildProducerParts(
      this.config,
      { sasl, ssl, logger: this.logger, clock: this.clock, requestObserver },
      {
        wakeup: () => this.loop?.wakeup(),
        hasPendingAppends: () => this.topicWaits.size > 0,
        onTransactionStateChange: () => this.updateSendOpen(),
      },
    );
    this.cluster = parts.cluster;
    this.accumulator = parts.accumulator;
    this.transactions = parts.transactions;
    this.io = parts.io;
    this.sender = parts.sender;
    this.producerMetrics = parts.metrics;
    this.partitionerCluster = parts.partitionerCluster;
    this.metadataWaits = new MetadataWaits<K, V>(
      this.cluster,
      this.config.maxBlockMs,
      this.transactions,
      {
        append: (record, partitions, blockedMs, deferred) => {
          this.doSend(record, partitions, blockedMs, deferred);
        },
        fail: (record, error, deferred) => {
          this.failSend(record, error, undefined, deferred);
        },
      },
      () => this.loop?.wakeup(),
      parts.onFailedSends,
    );
    this.topicWaits = this.metadataWaits.byTopic;
    // Plugins may be module paths (from a properties file): imported before the first send.
    this.pending = resolveClasses(producerSchema, this.config);
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
   * Tries the bootstrap servers in turn, with backoff, for `options.timeoutMs` (default
   * `max.block.ms`), then rejects with a `ConnectionError` naming the addresses tried.
   */
  connect(options: { timeoutMs?: number } = {}): Promise<void> {
    if (this.connecting === null) {
      this.setState(ProducerState.Connecting);
      this.connecting = this.doConnect(options.timeoutMs ?? this.config.maxBlockMs);
    }
    return this.connecting;
  }

  private async doConnect(connectTimeoutMs: number): Promise<void> {
    const plugins = loadPlugins<K, V>(await this.pending, this.logger);
    this.keySerializer = plugins.keySerializer;
    this.valueSerializer = plugins.valueSerializer;
    this.partitioner = plugins.partitioner;
    this.interceptors = plugins.interceptors;
    try {
      // As Java's producer blocks for metadata: up to max.block.ms.
      await this.cluster.connect({ timeoutMs: connectTimeoutMs });
    } catch (e) {
      this.setState(ProducerState.Created);
      this.connecting = null;
      throw e;
    }
    if (this._state !== ProducerState.Connecting) return;
    this.loop = new SenderLoop(this.sender, this.io, this.clock, (e) =>
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
   *
   * The result is a native `Promise` (`await` and `Promise.all` take it as it is, at no extra
   * cost per record). A send that fails after `send` returned (the broker's error, a delivery
   * timeout, no memory within `max.block.ms`, a closing producer) rejects its promise marked as
   * handled: whoever awaits it gets the error, and a send nobody awaits (fire and forget) does
   * not end the process with an unhandled rejection. Since the producer cannot tell whether a
   * promise is awaited, it logs every batch of failed sends at warn through its `logger`
   * (`"3 send(s) to orders-0 failed ..."`), so a failure nobody awaited is not lost. A send
   * refused at once (the producer closed, a record too large or that cannot be serialized, a
   * partition that does not exist) returns an ordinary rejected promise: await it or add
   * `.catch`, as for any promise.
   *
   * Sends are batched per partition. A batch holding a send goes out as soon as its partition
   * has no request on the wire (an application awaiting its sends sends nothing more meanwhile);
   * while one is, records sent meanwhile gather in the batch, for at most `linger.ms`.
   */
  send(record: ProducerRecord<K, V>): Promise<RecordMetadata> {
    if (!this.sendOpen) return this.sendLater(record);
    let r = record;
    if (this.interceptors.hasOnSend) r = this.interceptors.onSend(r);
    if (diagnosticChannels.producerSend.hasSubscribers)
      diagnosticChannels.producerSend.publish({ clientId: this.cluster.options.clientId, record: r });
    const waiting = this.topicWaits.size !== 0 && this.topicWaits.has(r.topic);
    const count = waiting ? undefined : this.cluster.partitionCountFor(r.topic);
    if (count === undefined) return this.metadataWaits.add(r);
    return this.doSend(r, count) as Promise<RecordMetadata>; // null only with a group
  }

  /**
   * Sends many records with one completion: each goes through the main path as with
   * {@link Producer.send} (interceptors, serializers, partitioner, its partition's open batch),
   * in the order given, and the promise settles once every record has its outcome. Resolves to
   * each record's metadata, in the order of `records`; if any failed, rejects with a
   * `SendBatchError` whose `results` hold, per record in that order, its metadata or its error.
   * Records are batched with other sends as usual; what is saved is a promise per record (as
   * KafkaJS's `send({ messages })`, or one callback per call in Java).
   *
   * ```ts
   * const metas = await producer.sendBatch(orders.map((o) => ({ topic: 'orders', key: o.id, value: o.json })));
   * ```
   */
  sendBatch(records: readonly ProducerRecord<K, V>[]): Promise<RecordMetadata[]> {
    const n = records.length;
    const group = new SendGroup(n);
    // Not connected yet, or a callback per record: record by record, gathered into one result.
    if (!this.sendOpen || this.interceptors.hasOnAcknowledgement) {
      for (let i = 0; i < n; i++) forwardTo(this.send(records[i]), group, i);
      return group.promise;
    }
    for (let i = 0; i < n; i++) {
      let r = records[i];
      if (this.interceptors.hasOnSend) r = this.interceptors.onSend(r);
      const waiting = this.topicWaits.size !== 0 && this.topicWaits.has(r.topic);
      const count = waiting ? undefined : this.cluster.partitionCountFor(r.topic);
      if (count === undefined) forwardTo(this.metadataWaits.add(r), group, i);
      else this.doSend(r, count, 0, null, group, i);
    }
    // The application waits for these records: the sender takes them without lingering.
    if (n > 0) this.loop?.wakeup();
    return group.promise;
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
    if (refused !== null && refused !== undefined)
      return this.failSend(record, refused) as Promise<RecordMetadata>;
    throw new ProducerClosedError('cannot send after the producer is closed');
  }

  // `deferred`: a send that waited for metadata; its future is what the send returned.
  // `group`: record `groupIndex` of a `sendBatch` call, which completes through it (returns null).
  private doSend(
    r: ProducerRecord<K, V>,
    count: number,
    blockedMs = 0,
    deferred: DeferredSend | null = null,
    group: SendGroup | null = null,
    groupIndex = -1,
  ): Promise<RecordMetadata> | null {
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
        group,
        groupIndex,
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
        group,
        groupIndex,
      );
    }
    const now = Date.now();
    const timestamp = r.timestamp ?? now;
    const headers = r.headers === undefined ? null : headerList(r.headers);
    const acc = this.accumulator;
    if (group !== null) {
      const sticky = r.partition === undefined && partitioner.onNewBatch !== undefined;
      if (
        sticky &&
        !acc.appendToGroup(
          topic,
          partition,
          timestamp,
          keyBytes,
          valueBytes,
          headers,
          now,
          group,
          groupIndex,
          true,
        )
      ) {
        partitioner.onNewBatch?.(topic, this.partitionerCluster, partition);
        partition = partitioner.partition(topic, r.key, keyBytes, r.value, this.partitionerCluster);
        acc.appendToGroup(topic, partition, timestamp, keyBytes, valueBytes, headers, now, group, groupIndex);
      } else if (!sticky) {
        acc.appendToGroup(topic, partition, timestamp, keyBytes, valueBytes, headers, now, group, groupIndex);
      }
      return null;
    }
    const future = deferred === null ? null : deferred.pending;
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
      if (p !== deferred.promise) {
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
      return deferred.promise;
    }
    if (!interceptors.hasOnAcknowledgement) return p;
    const acknowledged = p.then(
      (m) => {
        interceptors.onAcknowledgement(m, null, r);
        return m;
      },
      (e: Error) => {
        interceptors.onAcknowledgement(null, e, r);
        throw e;
      },
    );
    // As `p` itself: a failure nobody awaits is logged by the producer, not an unhandled rejection.
    markHandled(acknowledged);
    return acknowledged;
  }

  private failSend(
    r: ProducerRecord<K, V>,
    error: Error,
    partition?: number,
    deferred: DeferredSend | null = null,
    group: SendGroup | null = null,
    groupIndex = -1,
  ): Promise<RecordMetadata> | null {
    if (this.interceptors.hasOnAcknowledgement) this.interceptors.onSendError(r, partition, error);
    if (group !== null) {
      group.settle(null, error, groupIndex);
      return null;
    }
    if (deferred === null) return Promise.reject(error);
    deferred.complete(null, error);
    return deferred.promise;
  }

  /**
   * The producer's metrics, with Java's names and meanings (`producer-metrics`: `record-send-rate`
   * and `-total`, `record-error-rate`, `record-retry-rate`, `request-latency-avg`/`-max`,
   * `batch-size-avg`, `records-per-request-avg`, `compression-rate-avg`, `buffer-available-bytes`,
   * `bufferpool-wait-ratio`, `produce-throttle-time-avg`, and the network's `request-rate`,
   * `outgoing-byte-rate`, ...). Rates and averages cover the last 30 to 60 s, as Java's do; totals
   * count since the producer was created. Cheap enough to read often; serve them to Prometheus
   * with `metricsHandler` (from `tskafka`).
   */
  metrics(): KafkaMetric[] {
    return this.producerMetrics.snapshot();
  }

  /**
   * Sends everything buffered now, without waiting for `linger.ms`, and resolves when every
   * record sent before the call has its result (success or failure).
   */
  async flush(): Promise<void> {
    await this.metadataWaits.settle();
    if (this.loop !== null) await this.loop.flush();
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
    const txn = requireTransactions(this.transactions, this._state, op);
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
    requireTransactions(this.transactions, this._state, 'beginTransaction()').beginTransaction();
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
    const txn = requireTransactions(this.transactions, this._state, op);
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
    const txn = requireTransactions(this.transactions, this._state, op);
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
    const txn = requireTransactions(this.transactions, this._state, op);
    const result = txn.beginAbort();
    this.loop?.wakeup();
    await txn.awaitResult(result, this.config.maxBlockMs, op);
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

  /**
   * The partition numbers of a topic, from metadata (fetched, and the topic auto-created where
   * the broker allows, if not known yet).
   */
  async partitionsFor(topic: string): Promise<number[]> {
    const t = await this.cluster.waitForTopic(topic, this.config.maxBlockMs);
    return t.partitions.map((p) => p.partition).sort((a, b) => a - b);
  }

  /**
   * Stops taking new records, delivers what is buffered, aborts an open transaction, closes
   * interceptors and the partitioner, then the connections. Safe to call more than once.
   *
   * Returns within `timeoutMs` (default {@link DEFAULT_CLOSE_TIMEOUT_MS}, 30 s) whatever the
   * cluster does, as Java's `close(Duration)`: records not delivered by then (buffered, in
   * flight, or still waiting for their topic's metadata) fail with a `ProducerClosedError` that
   * names the timeout, and the connections are destroyed. `timeoutMs: 0` fails them at once.
   */
  close(options: CloseOptions = {}): Promise<void> {
    if (this.closing === null) this.closing = this.doClose(options.timeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS);
    return this.closing;
  }

  private async doClose(timeoutMs: number): Promise<void> {
    const clock = this.clock;
    const deadline = clock.now() + timeoutMs;
    const left = (): number => Math.max(0, deadline - clock.now());
    // Sends still waiting for their topic count as sent before the close, for as long as it lasts.
    const settled = await raceTimer(
      clock,
      this.metadataWaits.settle().then(() => true),
      left(),
      () => false,
    );
    if (!settled) {
      this.metadataWaits.failAll(
        new ProducerClosedError(
          `the producer was closed (close timeoutMs ${timeoutMs} ms) while the record still waited for its topic's metadata`,
        ),
      );
    }
    await abortOnClose(this.transactions, this.loop, Math.min(left(), this.config.maxBlockMs), this.logger);
    this.setState(ProducerState.Closing);
    this.transactions?.close(new ProducerClosedError('the producer was closed'));
    try {
      if (this.loop !== null) {
        await this.loop.close(
          { timeoutMs: left() },
          () =>
            new ProducerClosedError(
              `the producer was closed (close timeoutMs ${timeoutMs} ms) before the record was delivered`,
            ),
        );
      } else this.accumulator.close();
    } finally {
      await this.interceptors.close();
      await this.partitioner?.close?.();
      await this.cluster.close();
      this.setState(ProducerState.Closed);
    }
  }
}

// A record of a `sendBatch` that took the per-record path reports into its group.
function forwardTo(p: Promise<RecordMetadata>, group: SendGroup, index: number): void {
  p.then(
    (m) => group.settle(m, null, index),
    (e: Error) => group.settle(null, e, index),
  );
}

function headerList(headers: RecordHeaders): RecordHeaderInput[] | null {
  const out: RecordHeaderInput[] = [];
  for (const key in headers) {
    const value = headers[key];
    // An array repeats the header (Array.isArray does not narrow a readonly array away).
    if (!Array.isArray(value)) out.push({ key, value: value as string | Buffer });
    else for (const v of value as readonly (string | Buffer)[]) out.push({ key, value: v });
  }
  return out.length === 0 ? null : out;
}
