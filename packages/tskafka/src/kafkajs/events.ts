/**
 * KafkaJS's instrumentation events: `consumer.events.CRASH`, `producer.on(...)`, with KafkaJS's
 * event names, payloads and the `{ id, type, timestamp, payload }` envelope. The network events
 * `REQUEST` and `REQUEST_TIMEOUT` come from the connections of the client's own tskafka clients
 * (a {@link RequestObserver}); `REQUEST_QUEUE_SIZE` is never emitted: tskafka's connections write
 * each request at once and keep no queue of requests waiting to be sent (KafkaJS emits it only
 * when `maxInFlightRequests` or broker throttling holds requests back).
 *
 * @module
 */
import { EventEmitter } from 'node:events';
import type { Logger } from '@tskafka/transport';
import type { RequestObserver, RequestTrace } from '@tskafka/transport/internals';
import { KafkaJSNonRetriableError } from './errors.js';

/** What a listener receives. */
export interface InstrumentationEvent<T> {
  /** A number unique to the event within the process. */
  id: number;
  /** The event's name, e.g. `consumer.crash`. */
  type: string;
  /** When it happened, ms since the epoch. */
  timestamp: number;
  /** What happened. */
  payload: T;
}

/** Removes the listener `on` added. */
export type RemoveInstrumentationEventListener = () => void;

const network = (prefix: string) =>
  ({
    REQUEST: `${prefix}.network.request`,
    REQUEST_TIMEOUT: `${prefix}.network.request_timeout`,
    REQUEST_QUEUE_SIZE: `${prefix}.network.request_queue_size`,
  }) as const;

/** The producer's event names. */
export const ProducerEvents = {
  /** Connected. */
  CONNECT: 'producer.connect',
  /** Disconnected. */
  DISCONNECT: 'producer.disconnect',
  ...network('producer'),
} as const;

/** The consumer's event names. */
export const ConsumerEvents = {
  /** A heartbeat was sent. */
  HEARTBEAT: 'consumer.heartbeat',
  /** Offsets were committed. */
  COMMIT_OFFSETS: 'consumer.commit_offsets',
  /** The consumer joined the group and got its assignment. */
  GROUP_JOIN: 'consumer.group_join',
  /** A fetch ended. */
  FETCH: 'consumer.fetch',
  /** A fetch started. */
  FETCH_START: 'consumer.fetch_start',
  /** A batch is about to be handled. */
  START_BATCH_PROCESS: 'consumer.start_batch_process',
  /** A batch was handled. */
  END_BATCH_PROCESS: 'consumer.end_batch_process',
  /** Connected. */
  CONNECT: 'consumer.connect',
  /** Disconnected. */
  DISCONNECT: 'consumer.disconnect',
  /** Stopped. */
  STOP: 'consumer.stop',
  /** The run loop failed. */
  CRASH: 'consumer.crash',
  /** The group is rebalancing. */
  REBALANCING: 'consumer.rebalancing',
  /** The assignment named topics the consumer did not subscribe to. */
  RECEIVED_UNSUBSCRIBED_TOPICS: 'consumer.received_unsubscribed_topics',
  ...network('consumer'),
} as const;

/** The admin client's event names. */
export const AdminEvents = {
  /** Connected. */
  CONNECT: 'admin.connect',
  /** Disconnected. */
  DISCONNECT: 'admin.disconnect',
  ...network('admin'),
} as const;

/** What a batch event says about its batch (KafkaJS's offsets as strings). */
export interface BatchEventPayload {
  /** The topic. */
  topic: string;
  /** The partition. */
  partition: number;
  /** The partition's high watermark. */
  highWatermark: string;
  /** Records after the batch's last one. */
  offsetLag: string;
  /** Records after the batch's first one. */
  offsetLagLow: string;
  /** Records in the batch. */
  batchSize: number;
  /** The first record's offset. */
  firstOffset: string;
  /** The last record's offset. */
  lastOffset: string;
}

/** A request's response (KafkaJS's `network.request` payload). */
export interface RequestEventPayload {
  /** The broker, `host:port`. */
  broker: string;
  /** The client's `clientId`. */
  clientId: string;
  /** The request's correlation id on its connection. */
  correlationId: number;
  /** The response's size in bytes. */
  size: number;
  /** When the request was made, ms since the epoch. */
  createdAt: number;
  /** When it was sent. */
  sentAt: number;
  /** How long it waited to be sent, ms. */
  pendingDuration: number;
  /** From sending to the response, ms. */
  duration: number;
  /** The API, e.g. `Fetch`. */
  apiName: string;
  /** The API key. */
  apiKey: number;
  /** The API version. */
  apiVersion: number;
}

/** A request that timed out (KafkaJS's `network.request_timeout` payload). */
export type RequestTimeoutEventPayload = Omit<RequestEventPayload, 'size' | 'duration'>;

/** The payloads of the consumer events `tskafka/kafkajs` emits, by event name (as KafkaJS types them). */
export interface ConsumerEventPayloads {
  /** Connected (no payload, as in KafkaJS). */
  'consumer.connect': undefined;
  /** Disconnected. */
  'consumer.disconnect': undefined;
  /** Stopped. */
  'consumer.stop': undefined;
  /** A heartbeat was answered. */
  'consumer.heartbeat': { groupId: string; memberId: string; groupGenerationId: number };
  /** A fetch started (KafkaJS's node ids are strings at run time). */
  'consumer.fetch_start': { nodeId: string };
  /** A fetch ended; `numberOfBatches` is always 0, as in KafkaJS 2. */
  'consumer.fetch': { numberOfBatches: number; duration: number; nodeId: string };
  /** A request's response. */
  'consumer.network.request': RequestEventPayload;
  /** A request timed out. */
  'consumer.network.request_timeout': RequestTimeoutEventPayload;
  /** The run loop failed; `restart` says whether it carries on. */
  'consumer.crash': { error: Error; groupId: string; restart: boolean };
  /** The group is rebalancing. */
  'consumer.rebalancing': { groupId: string; memberId: string };
  /** The consumer joined the group: its partitions by topic, and how long joining took, ms. */
  'consumer.group_join': {
    groupId: string;
    memberId: string;
    leaderId: string;
    isLeader: boolean;
    memberAssignment: Record<string, number[]>;
    groupProtocol: string;
    duration: number;
  };
  /** Offsets were committed (partitions as strings, as KafkaJS has them). */
  'consumer.commit_offsets': {
    groupId: string;
    memberId: string;
    groupGenerationId: number;
    topics: { topic: string; partitions: { partition: string; offset: string }[] }[];
  };
  /** A batch is about to be handled. */
  'consumer.start_batch_process': BatchEventPayload;
  /** A batch was handled, in `duration` ms. */
  'consumer.end_batch_process': BatchEventPayload & { duration: number };
}

/** The payloads of the producer's events. */
export interface ProducerEventPayloads {
  /** Connected (no payload, as in KafkaJS). */
  'producer.connect': undefined;
  /** Disconnected. */
  'producer.disconnect': undefined;
  /** A request's response. */
  'producer.network.request': RequestEventPayload;
  /** A request timed out. */
  'producer.network.request_timeout': RequestTimeoutEventPayload;
}

/** The payloads of the admin client's events. */
export interface AdminEventPayloads {
  /** Connected (no payload, as in KafkaJS). */
  'admin.connect': undefined;
  /** Disconnected. */
  'admin.disconnect': undefined;
  /** A request's response. */
  'admin.network.request': RequestEventPayload;
  /** A request timed out. */
  'admin.network.request_timeout': RequestTimeoutEventPayload;
}

/** The payload type of event `K`: known for the events emitted, `unknown` for the others. */
export type PayloadOf<P, K> = K extends keyof P ? P[K] : unknown;

let nextId = 0;

/** KafkaJS's `network.request` payload, keys in its order. */
function requestPayload(t: RequestTrace): RequestEventPayload {
  return {
    broker: t.broker,
    clientId: t.clientId,
    correlationId: t.correlationId,
    size: t.size,
    createdAt: t.createdAt,
    sentAt: t.sentAt,
    pendingDuration: t.pendingDuration,
    duration: t.duration,
    apiName: t.apiName,
    apiKey: t.apiKey,
    apiVersion: t.apiVersion,
  };
}

/** Where a client's events go: KafkaJS's `on(eventName, listener)`. */
export class Instrumentation {
  private readonly emitter = new EventEmitter();
  private readonly names: ReadonlySet<string>;
  private readonly logger: Logger;

  /** Feeds the client's `REQUEST` and `REQUEST_TIMEOUT` events; give it to its tskafka clients. */
  readonly requestObserver: RequestObserver;

  /** Events named in `events` (e.g. {@link ConsumerEvents}); a listener's failure is logged to `logger`. */
  constructor(events: Readonly<Record<string, string>>, logger: Logger) {
    this.names = new Set(Object.values(events));
    this.logger = logger;
    const request = events.REQUEST;
    const timeout = events.REQUEST_TIMEOUT;
    this.requestObserver = {
      onResponse: (t) => {
        if (request !== undefined && this.has(request)) this.emit(request, requestPayload(t));
      },
      onTimeout: (t) => {
        if (timeout === undefined || !this.has(timeout)) return;
        const { size: _size, duration: _duration, ...payload } = requestPayload(t);
        this.emit(timeout, payload);
      },
    };
  }

  /** Whether anyone listens to `type` (so a costly payload need not be built). */
  has(type: string): boolean {
    return this.emitter.listenerCount(type) > 0;
  }

  /** Calls `listener` on each `eventName` event; returns the function that stops it. */
  on(
    eventName: string,
    listener: (event: InstrumentationEvent<unknown>) => void,
  ): RemoveInstrumentationEventListener {
    if (!this.names.has(eventName))
      throw new KafkaJSNonRetriableError(`Event name should be one of ${[...this.names].join(', ')}`);
    this.emitter.on(eventName, listener);
    return () => {
      this.emitter.off(eventName, listener);
    };
  }

  /** Emits `type` with `payload` (none, as KafkaJS's connect events); a listener that throws does not stop the client. */
  emit(type: string, payload?: unknown): void {
    if (this.emitter.listenerCount(type) === 0) return;
    const event: InstrumentationEvent<unknown> = { id: nextId++, type, timestamp: Date.now(), payload };
    for (const listener of this.emitter.listeners(type)) {
      try {
        (listener as (e: InstrumentationEvent<unknown>) => void)(event);
      } catch (error) {
        // The event is informational: a listener's failure must not stop the client.
        this.logger.warn(`a listener of ${type} threw`, { error });
      }
    }
  }
}

/** What KafkaJS's producer, consumer and admin client have alike: `events`, `on()` and `logger()`. */
export abstract class InstrumentedClient<
  E extends Readonly<Record<string, string>>,
  P = Record<never, never>,
> {
  /** The event names {@link InstrumentedClient.on} takes. */
  readonly events: E;
  /** Where the client's events go. */
  protected readonly instrumentation: Instrumentation;
  private readonly clientLogger: Logger;

  /** A client emitting `events`, logging to `logger` (a listener's failure included). */
  protected constructor(events: E, logger: Logger) {
    this.events = events;
    this.clientLogger = logger;
    this.instrumentation = new Instrumentation(events, logger);
  }

  /** Calls `listener` on each `eventName` event (one of {@link InstrumentedClient.events}); returns its remover. */
  on<K extends E[keyof E]>(
    eventName: K,
    listener: (event: InstrumentationEvent<PayloadOf<P, K>>) => void,
  ): RemoveInstrumentationEventListener {
    return this.instrumentation.on(eventName, listener as (event: InstrumentationEvent<unknown>) => void);
  }

  /** The client's logger. */
  logger(): Logger {
    return this.clientLogger;
  }
}
