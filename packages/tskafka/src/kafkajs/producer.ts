/**
 * KafkaJS's producer over tskafka's `Producer`: `send` and `sendBatch` hand all their messages to
 * one tskafka `sendBatch` call (appended to the RecordAccumulator, batched per partition, sent at
 * once: `lingerMs` 0; one promise for the call, not one per message) and answer in KafkaJS's
 * shape, one {@link RecordMetadata} per partition written to. Headers whose value is an array
 * are written once per element, as KafkaJS writes them.
 *
 * KafkaJS chooses `acks` and `compression` per call where tskafka fixes them per producer, so this
 * keeps one tskafka producer per `(acks, compression)` pair a call has used; most applications
 * use one pair and so one producer.
 *
 * @module
 */
import {
  type ProducerOptions,
  SendBatchError,
  Producer as TsProducer,
  type ProducerRecord as TsProducerRecord,
  type RecordMetadata as TsRecordMetadata,
} from '@tskafka/producer';
import type { RecordHeaders } from '@tskafka/transport';
import { isCodecReplaced } from './compression.js';
import { asKafkaJS, asKafkaJSRetried, isProduceError, KafkaJSNonRetriableError } from './errors.js';
import { InstrumentedClient, type ProducerEventPayloads, ProducerEvents } from './events.js';
import type { KafkaContext } from './kafka.js';
import { adaptPartitioner, type ICustomPartitioner, Partitioners } from './partitioners.js';
import {
  CompressionTypes,
  type IHeaders,
  type Message,
  type RecordMetadata,
  type RetryOptions,
} from './types.js';

/** KafkaJS's `ProducerConfig`. */
export interface ProducerConfig {
  /** The partitioner; default {@link Partitioners.DefaultPartitioner}. */
  createPartitioner?: ICustomPartitioner;
  /** Retry settings: `retries` bounds the produce retries. */
  retry?: RetryOptions;
  /** Refresh metadata at least this often, ms. */
  metadataMaxAge?: number;
  /** Whether sending to a missing topic creates it (the broker's `auto.create.topics.enable` decides). */
  allowAutoTopicCreation?: boolean;
  /** Exactly-once per partition (producer id and sequence numbers); default false as in KafkaJS. */
  idempotent?: boolean;
  /** Makes the producer transactional: use {@link Producer.transaction}. */
  transactionalId?: string;
  /** The transaction timeout, ms. */
  transactionTimeout?: number;
  /** At most this many requests in flight per broker. */
  maxInFlightRequests?: number;
}

/** KafkaJS's `ProducerRecord`: messages for one topic. */
export interface ProducerRecord {
  /** The topic. */
  topic: string;
  /** The messages. */
  messages: Message[];
  /** -1 (all in-sync replicas, default), 1 (the leader) or 0 (no response). */
  acks?: number;
  /** How long the broker may wait for acknowledgements, ms. */
  timeout?: number;
  /** The codec; default {@link CompressionTypes.None}. */
  compression?: CompressionTypes;
}

/** One topic's messages in a {@link ProducerBatch}. */
export interface TopicMessages {
  /** The topic. */
  topic: string;
  /** Its messages. */
  messages: Message[];
}

/** KafkaJS's `ProducerBatch`: messages for several topics in one call. */
export interface ProducerBatch {
  /** As in {@link ProducerRecord}. */
  acks?: number;
  /** As in {@link ProducerRecord}. */
  timeout?: number;
  /** As in {@link ProducerRecord}. */
  compression?: CompressionTypes;
  /** Messages by topic. */
  topicMessages?: TopicMessages[];
}

/** Offsets to commit with a transaction (KafkaJS's `TxnOffsetCommitRequest`). */
export interface TxnOffsetCommitRequest {
  /** The consumer group whose offsets these are. */
  consumerGroupId: string;
  /** Offsets by topic. */
  topics: { topic: string; partitions: { partition: number; offset: string }[] }[];
}

/** An open transaction (KafkaJS's `Transaction`). */
export interface Transaction {
  /** Sends within the transaction. */
  send(record: ProducerRecord): Promise<RecordMetadata[]>;
  /** Sends to several topics within the transaction. */
  sendBatch(batch: ProducerBatch): Promise<RecordMetadata[]>;
  /** Commits a group's offsets if and only if the transaction commits. */
  sendOffsets(offsets: TxnOffsetCommitRequest): Promise<void>;
  /** Commits. */
  commit(): Promise<void>;
  /** Aborts. */
  abort(): Promise<void>;
  /** Whether the transaction is still open. */
  isActive(): boolean;
}

const CODECS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
type Data = Buffer | string | null;

/** KafkaJS's producer. */
export class Producer extends InstrumentedClient<typeof ProducerEvents, ProducerEventPayloads> {
  private readonly context: KafkaContext;
  private readonly config: ProducerConfig;
  private readonly producers = new Map<string, TsProducer<Data, Data>>();
  private base: ProducerOptions<Data, Data> | null = null;
  private transactionOpen = false;

  /**
   * Made by `kafka.producer(config)`.
   *
   * @internal
   */
  constructor(context: KafkaContext, config: ProducerConfig) {
    super(ProducerEvents, context.logger('Producer'));
    this.context = context;
    this.config = config;
  }

  /** Whether the producer is idempotent (`idempotent` or `transactionalId` in its config). */
  isIdempotent(): boolean {
    return this.config.transactionalId !== undefined || this.config.idempotent === true;
  }

  /** Connects to the cluster (resolving the brokers if they are a function). */
  async connect(): Promise<void> {
    // KafkaJS connects under its retrier: a broker it never reaches ends in KafkaJSNumberOfRetriesExceeded.
    await asKafkaJSRetried(
      this.context.retries,
      async () => {
        const c = this.config;
        const transactional = c.transactionalId !== undefined;
        this.base = {
          ...(await this.context.clientOptions('Producer', this.instrumentation.requestObserver)),
          lingerMs: 0,
          idempotent: transactional || (c.idempotent ?? false),
          transactionalId: c.transactionalId,
          transactionTimeoutMs: c.transactionTimeout,
          maxInFlightRequestsPerConnection: c.maxInFlightRequests,
          metadataMaxAgeMs: c.metadataMaxAge,
          retries: c.retry?.retries,
          partitioner: adaptPartitioner(c.createPartitioner ?? Partitioners.DefaultPartitioner),
        };
        const first = await this.producerFor(-1, CompressionTypes.None);
        if (transactional) await first.initTransactions();
      },
      { bail: true },
    );
    this.instrumentation.emit(ProducerEvents.CONNECT);
  }

  /** Sends the buffered messages and disconnects. */
  async disconnect(): Promise<void> {
    const all = [...this.producers.values()];
    this.producers.clear();
    await asKafkaJS(async () => {
      await Promise.all(all.map((p) => p.close()));
    });
    this.instrumentation.emit(ProducerEvents.DISCONNECT);
  }

  /** Sends `record.messages` to `record.topic`; resolves with one entry per partition written to. */
  send(record: ProducerRecord): Promise<RecordMetadata[]> {
    return this.sendBatch({
      acks: record.acks,
      timeout: record.timeout,
      compression: record.compression,
      topicMessages: [{ topic: record.topic, messages: record.messages }],
    });
  }

  /** Sends messages to several topics; resolves with one entry per partition written to. */
  sendBatch(batch: ProducerBatch): Promise<RecordMetadata[]> {
    return asKafkaJSRetried(
      this.context.retries,
      async () => {
        if (this.config.transactionalId !== undefined && !this.transactionOpen)
          throw new KafkaJSNonRetriableError(
            'Transactional producers can only send within a transaction: use producer.transaction()',
          );
        return this.produce(batch);
      },
      { bail: isProduceError },
    );
  }

  private async produce(batch: ProducerBatch): Promise<RecordMetadata[]> {
    const acks = batch.acks ?? -1;
    const producer = await this.producerFor(acks, batch.compression ?? CompressionTypes.None);
    // Every message checked before any is sent, as KafkaJS does; then one sendBatch call, one
    // promise for the lot.
    const records: TsProducerRecord<Data, Data>[] = [];
    for (const { topic, messages } of batch.topicMessages ?? []) {
      if (!Array.isArray(messages))
        throw new KafkaJSNonRetriableError(
          `Invalid messages array [${String(messages)}] for topic "${topic}"`,
        );
      for (const m of messages) {
        if (m.value === undefined)
          throw new KafkaJSNonRetriableError(
            `Invalid message without value for topic "${topic}": ${JSON.stringify(m)}`,
          );
        records.push({
          topic,
          key: m.key ?? null,
          value: m.value,
          partition: m.partition ?? undefined,
          timestamp: m.timestamp === undefined ? undefined : Number(m.timestamp),
          headers: m.headers === undefined ? undefined : headersOf(m.headers),
        });
      }
    }
    let sent: TsRecordMetadata[];
    try {
      sent = await producer.sendBatch(records);
    } catch (e) {
      // The first record's failure is the one KafkaJS would have thrown.
      throw e instanceof SendBatchError ? e.cause : e;
    }
    return acks === 0 ? [] : byPartition(sent);
  }

  /** Opens a transaction (the producer must have a `transactionalId`). */
  async transaction(): Promise<Transaction> {
    const producer = await asKafkaJS(async () => {
      if (this.config.transactionalId === undefined)
        throw new KafkaJSNonRetriableError('Must provide transactional id for transactional producer');
      if (this.transactionOpen) throw new KafkaJSNonRetriableError('There is already an ongoing transaction');
      const p = await this.producerFor(-1, CompressionTypes.None);
      await p.beginTransaction();
      return p;
    });
    this.transactionOpen = true;
    let active = true;
    const end = async (how: () => Promise<void>): Promise<void> => {
      await asKafkaJS(how);
      active = false;
      this.transactionOpen = false;
    };
    return {
      send: (record) => this.send(record),
      sendBatch: (batch) => this.sendBatch(batch),
      sendOffsets: ({ consumerGroupId, topics }) =>
        asKafkaJS(() =>
          producer.sendOffsetsToTransaction(
            topics.flatMap(({ topic, partitions }) =>
              partitions.map(({ partition, offset }) => ({ topic, partition, offset: Number(offset) })),
            ),
            { groupId: consumerGroupId, generationId: -1, memberId: '', groupInstanceId: null },
          ),
        ),
      commit: () => end(() => producer.commitTransaction()),
      abort: () => end(() => producer.abortTransaction()),
      isActive: () => active,
    };
  }

  /** The tskafka producer for `acks` and `compression`, connected on first use. */
  private async producerFor(acks: number, compression: number): Promise<TsProducer<Data, Data>> {
    if (this.base === null)
      throw new KafkaJSNonRetriableError('The producer is disconnected: call connect()');
    const key = `${acks}/${compression}`;
    let producer = this.producers.get(key);
    if (producer === undefined) {
      if (acks !== -1 && acks !== 0 && acks !== 1)
        throw new KafkaJSNonRetriableError(`Invalid acks: ${acks}`);
      const codec = CODECS[compression];
      if (codec === undefined)
        throw new KafkaJSNonRetriableError(`Unsupported compression codec ${compression}`);
      if (isCodecReplaced(compression))
        this.logger().info(
          `The ${codec} codec registered in CompressionCodecs is not used: tskafka's built-in ${codec} codec writes the same format`,
          { compression },
        );
      producer = new TsProducer<Data, Data>({
        ...this.base,
        acks: acks === -1 ? 'all' : acks,
        // An idempotent producer needs acks=all; KafkaJS refuses other acks there, tskafka too.
        idempotent: acks === -1 ? this.base.idempotent : false,
        compression: codec,
      });
      this.producers.set(key, producer);
      await producer.connect({ timeoutMs: this.context.connectAttemptMs });
    }
    return producer;
  }
}

/** tskafka's headers from KafkaJS's: the same but for keys without a value, which are left out. */
function headersOf(headers: IHeaders): RecordHeaders {
  for (const k in headers) {
    if (headers[k] !== undefined) continue;
    const out: RecordHeaders = {};
    for (const [key, v] of Object.entries(headers)) if (v !== undefined) out[key] = v;
    return out;
  }
  return headers as RecordHeaders;
}

/**
 * KafkaJS's answer: one entry per partition written to, topics in the order first sent, their
 * partitions in ascending order, each with the offset of its first message and the Produce
 * response's append time and log start offset, 64-bit numbers as strings.
 */
function byPartition(sent: readonly TsRecordMetadata[]): RecordMetadata[] {
  const topics = new Map<string, Map<number, TsRecordMetadata>>();
  for (const r of sent) {
    let partitions = topics.get(r.topic);
    if (partitions === undefined) {
      partitions = new Map();
      topics.set(r.topic, partitions);
    }
    const first = partitions.get(r.partition);
    if (first === undefined || r.offset < first.offset) partitions.set(r.partition, r);
  }
  const out: RecordMetadata[] = [];
  for (const [topicName, partitions] of topics)
    for (const [partition, first] of [...partitions].sort((a, b) => a[0] - b[0]))
      out.push({
        topicName,
        partition,
        errorCode: 0,
        baseOffset: String(first.offset),
        logAppendTime: String(first.logAppendTime ?? -1),
        logStartOffset: String(first.logStartOffset ?? -1),
      });
  return out;
}
