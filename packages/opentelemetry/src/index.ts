/**
 * `@tskafka/opentelemetry`: OpenTelemetry tracing for tskafka's producer and consumer, as
 * interceptors, with the messaging semantic conventions: a `send <topic>` span (kind PRODUCER)
 * per record, ended when the broker acknowledges it (or the send fails), whose context travels in
 * the record's headers (W3C `traceparent`, or whatever propagator the app registered); on the
 * consumer, a `process <topic>` span (kind CONSUMER) per record handed out, child of the
 * producer's span, so one trace follows a record from `send` to the consumer.
 *
 * ```ts
 * import { OpenTelemetryProducerInterceptor, OpenTelemetryConsumerInterceptor } from '@tskafka/opentelemetry';
 * const producer = kafka.producer({ interceptors: [new OpenTelemetryProducerInterceptor()] });
 * const consumer = kafka.consumer({ groupId: 'billing', interceptors: [new OpenTelemetryConsumerInterceptor({ groupId: 'billing' })] });
 * ```
 *
 * @packageDocumentation
 * @module @tskafka/opentelemetry
 */
import {
  type Attributes,
  context,
  propagation,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TextMapGetter,
  type TextMapSetter,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import type { ConsumerInterceptor, ConsumerRecord } from '@tskafka/consumer';
import type { ProducerInterceptor, ProducerRecord, RecordMetadata } from '@tskafka/producer';
import type { RecordHeaders } from '@tskafka/transport';

/** The instrumentation's name, as tracers are named. */
export const INSTRUMENTATION_NAME = '@tskafka/opentelemetry';

const setter: TextMapSetter<RecordHeaders> = {
  set(carrier, key, value) {
    carrier[key] = value;
  },
};

/** Reads propagation headers of a consumed record (the last value of a repeated key wins). */
const getter: TextMapGetter<ConsumerRecord<unknown, unknown>['headers']> = {
  keys(carrier) {
    return carrier.map((h) => h.key);
  },
  get(carrier, key) {
    for (let i = carrier.length - 1; i >= 0; i--) {
      const h = carrier[i];
      if (h?.key === key) return h.value === null ? undefined : h.value.toString('utf8');
    }
    return undefined;
  },
};

/** Options of the interceptors. */
export interface OpenTelemetryInterceptorOptions {
  /** The tracer; default `trace.getTracer('@tskafka/opentelemetry')` from the global provider. */
  tracer?: Tracer;
  /** Attributes added to every span (e.g. `server.address`). */
  attributes?: Attributes;
}

/** Options of {@link OpenTelemetryConsumerInterceptor}. */
export interface OpenTelemetryConsumerOptions extends OpenTelemetryInterceptorOptions {
  /** The consumer group, recorded as `messaging.consumer.group.name`. */
  groupId?: string;
}

function keyAttribute(key: unknown): Attributes {
  if (typeof key === 'string') return { 'messaging.kafka.message.key': key };
  return {};
}

/**
 * A producer interceptor that traces each send: a `send <topic>` span of kind PRODUCER, started
 * in the caller's active context, with `messaging.system=kafka`,
 * `messaging.destination.name`, `messaging.operation.type=send`, the key when it is a string,
 * and, once acknowledged, `messaging.destination.partition.id` and `messaging.kafka.offset`.
 * The span's context is injected into the record's headers.
 */
export class OpenTelemetryProducerInterceptor<K = unknown, V = unknown> implements ProducerInterceptor<K, V> {
  private readonly tracer: Tracer;
  private readonly attributes: Attributes;
  private readonly spans = new WeakMap<object, Span>();

  /** An interceptor with `options.tracer`, or the global provider's. */
  constructor(options: OpenTelemetryInterceptorOptions = {}) {
    this.tracer = options.tracer ?? trace.getTracer(INSTRUMENTATION_NAME);
    this.attributes = options.attributes ?? {};
  }

  /** Starts the span and puts its context in the record's headers. */
  onSend(record: ProducerRecord<K, V>): ProducerRecord<K, V> {
    const span = this.tracer.startSpan(`send ${record.topic}`, {
      kind: SpanKind.PRODUCER,
      attributes: {
        ...this.attributes,
        'messaging.system': 'kafka',
        'messaging.operation.type': 'send',
        'messaging.operation.name': 'send',
        'messaging.destination.name': record.topic,
        ...(record.partition === undefined
          ? {}
          : { 'messaging.destination.partition.id': String(record.partition) }),
        ...keyAttribute(record.key),
      },
    });
    const headers: RecordHeaders = { ...(record.headers ?? {}) };
    propagation.inject(trace.setSpan(context.active(), span), headers, setter);
    const traced = { ...record, headers };
    this.spans.set(traced, span);
    return traced;
  }

  /** Ends the record's span with its partition and offset, or with the error. */
  onAcknowledgement(
    metadata: RecordMetadata | null,
    error: Error | null,
    record?: ProducerRecord<K, V>,
  ): void {
    const span = record === undefined ? undefined : this.spans.get(record);
    if (span === undefined || record === undefined) return;
    this.spans.delete(record);
    if (metadata !== null && metadata.partition >= 0) {
      span.setAttribute('messaging.destination.partition.id', String(metadata.partition));
      if (metadata.offset >= 0) span.setAttribute('messaging.kafka.offset', metadata.offset);
    }
    if (error !== null) {
      span.recordException(error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
      span.setAttribute('error.type', error.name);
    }
    span.end();
  }
}

/**
 * A consumer interceptor that traces each record handed out by a poll: a `process <topic>` span
 * of kind CONSUMER whose parent is the context found in the record's headers (the producer's
 * span), with `messaging.system=kafka`, `messaging.destination.name`,
 * `messaging.destination.partition.id`, `messaging.kafka.offset`, the key when it is a string,
 * and `messaging.consumer.group.name`. The span ends at once: it marks the hand-over; to time
 * the application's own processing, wrap it with {@link withProcessSpan}.
 */
export class OpenTelemetryConsumerInterceptor<K = unknown, V = unknown> implements ConsumerInterceptor<K, V> {
  private readonly tracer: Tracer;
  private readonly attributes: Attributes;
  private readonly groupId: string | undefined;

  /** An interceptor with `options.tracer`, or the global provider's. */
  constructor(options: OpenTelemetryConsumerOptions = {}) {
    this.tracer = options.tracer ?? trace.getTracer(INSTRUMENTATION_NAME);
    this.attributes = options.attributes ?? {};
    this.groupId = options.groupId;
  }

  /** Records one span per record; the records go on unchanged. */
  onConsume(records: ConsumerRecord<K, V>[]): ConsumerRecord<K, V>[] {
    for (const r of records) {
      const span = startProcessSpan(this.tracer, r, this.groupId, this.attributes);
      span.end();
    }
    return records;
  }
}

function startProcessSpan(
  tracer: Tracer,
  record: ConsumerRecord<unknown, unknown>,
  groupId: string | undefined,
  attributes: Attributes,
): Span {
  const parent = propagation.extract(context.active(), record.headers, getter);
  return tracer.startSpan(
    `process ${record.topic}`,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        ...attributes,
        'messaging.system': 'kafka',
        'messaging.operation.type': 'process',
        'messaging.operation.name': 'process',
        'messaging.destination.name': record.topic,
        'messaging.destination.partition.id': String(record.partition),
        'messaging.kafka.offset': record.offset,
        ...(groupId === undefined ? {} : { 'messaging.consumer.group.name': groupId }),
        ...keyAttribute(record.key),
      },
    },
    parent,
  );
}

/**
 * Runs `fn` inside a `process <topic>` span that is a child of the record's producer span, and
 * ends the span when `fn` settles (marking it failed if `fn` throws). Spans the application
 * starts inside `fn` are children of it.
 *
 * ```ts
 * for (const record of await consumer.poll(1000)) await withProcessSpan(record, () => handle(record));
 * ```
 */
export async function withProcessSpan<T>(
  record: ConsumerRecord<unknown, unknown>,
  fn: () => T | Promise<T>,
  options: OpenTelemetryConsumerOptions = {},
): Promise<T> {
  const tracer = options.tracer ?? trace.getTracer(INSTRUMENTATION_NAME);
  const span = startProcessSpan(tracer, record, options.groupId, options.attributes ?? {});
  try {
    return await context.with(trace.setSpan(context.active(), span), fn);
  } catch (e) {
    if (e instanceof Error) span.recordException(e);
    span.setStatus({ code: SpanStatusCode.ERROR, message: e instanceof Error ? e.message : String(e) });
    throw e;
  } finally {
    span.end();
  }
}
