/**
 * Tracing with the OpenTelemetry SDK's in-memory exporter: a send makes a PRODUCER span with the
 * messaging attributes and its partition and offset, its context travels in the record's headers,
 * and the consumer's CONSUMER span is its child in the same trace; a failed send is an error span.
 */
import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { type RunningBroker, startBroker } from '@tskafka/broker';
import { Kafka } from 'tskafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  OpenTelemetryConsumerInterceptor,
  OpenTelemetryProducerInterceptor,
  withProcessSpan,
} from '../src/index.js';

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const tracer = provider.getTracer('test');
let broker: RunningBroker;
let kafka: Kafka;

beforeAll(async () => {
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  broker = await startBroker({ config: { 'auto.create.topics.enable': false } });
  kafka = new Kafka({ bootstrapServers: broker.bootstrapServers, clientId: 'otel-test' });
});
afterAll(async () => {
  await broker?.close();
  propagation.disable();
  context.disable();
});

describe('@tskafka/opentelemetry', () => {
  it('a send is a PRODUCER span; the consumer span is its child, through the headers', async () => {
    broker.cluster.metadata.createTopic('traced', { numPartitions: 1, replicationFactor: 1 });
    exporter.reset();
    const producer = kafka.producer({ interceptors: [new OpenTelemetryProducerInterceptor({ tracer })] });
    await producer.connect();
    const parent = tracer.startSpan('checkout');
    const meta = await context.with(trace.setSpan(context.active(), parent), () =>
      producer.send({ topic: 'traced', key: 'order-1', value: 'paid' }),
    );
    parent.end();
    await producer.close();
    const send = exporter.getFinishedSpans().find((s) => s.name === 'send traced');
    expect(send?.kind).toBe(SpanKind.PRODUCER);
    expect(send?.attributes).toMatchObject({
      'messaging.system': 'kafka',
      'messaging.operation.type': 'send',
      'messaging.destination.name': 'traced',
      'messaging.destination.partition.id': String(meta.partition),
      'messaging.kafka.offset': meta.offset,
      'messaging.kafka.message.key': 'order-1',
    });
    expect(send?.spanContext().traceId).toBe(parent.spanContext().traceId);

    const consumer = kafka.consumer({
      groupId: 'otel-group',
      autoOffsetReset: 'earliest',
      interceptors: [new OpenTelemetryConsumerInterceptor({ tracer, groupId: 'otel-group' })],
    });
    await consumer.connect();
    await consumer.subscribe(['traced']);
    let records = await consumer.poll(5000);
    while (records.length === 0) records = await consumer.poll(1000);
    expect(records[0]?.headers.map((h) => h.key)).toContain('traceparent');
    await withProcessSpan(records[0] as never, () => tracer.startSpan('handle').end(), {
      tracer,
      groupId: 'otel-group',
    });
    await consumer.close();
    const processed = exporter.getFinishedSpans().filter((s) => s.name === 'process traced');
    expect(processed).toHaveLength(2);
    for (const p of processed) {
      expect(p.kind).toBe(SpanKind.CONSUMER);
      expect(p.spanContext().traceId).toBe(send?.spanContext().traceId);
      expect(p.parentSpanContext?.spanId).toBe(send?.spanContext().spanId);
      expect(p.attributes).toMatchObject({
        'messaging.destination.name': 'traced',
        'messaging.kafka.offset': meta.offset,
        'messaging.consumer.group.name': 'otel-group',
      });
    }
  });

  it('a failed send ends its span with an error', async () => {
    exporter.reset();
    const producer = kafka.producer({
      maxBlockMs: 300,
      interceptors: [new OpenTelemetryProducerInterceptor({ tracer })],
    });
    await producer.connect();
    await expect(producer.send({ topic: 'no-such-topic', value: 'x' })).rejects.toThrow();
    await producer.close();
    const span = exporter.getFinishedSpans().find((s) => s.name === 'send no-such-topic');
    expect(span?.status.code).toBe(SpanStatusCode.ERROR);
    expect(span?.attributes['error.type']).toBeDefined();
  });
});
