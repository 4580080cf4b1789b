/**
 * Client metrics against what happened: N records sent is `record-send-total` N, a retried batch
 * counts in `record-retry-total`, a failed one in `record-error-total`; a consumer that read N
 * records says so and reports its lag per partition; the admin client counts its requests; the
 * Prometheus handler serves them; diagnostics channels see sends, acknowledgements, fetches,
 * commits, rebalances and requests.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type RunningBroker, startBroker } from '@tskafka/broker';
import { ApiKey, ErrorCode } from '@tskafka/protocol/internals';
import { Kafka, type KafkaMetric, metricsHandler } from 'tskafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from './until.js';

let broker: RunningBroker;
let kafka: Kafka;

beforeAll(async () => {
  broker = await startBroker({ config: { 'num.partitions': 2 } });
  kafka = new Kafka({ bootstrapServers: broker.bootstrapServers, clientId: 'metrics-test' });
});
afterAll(async () => {
  await broker?.close();
});

function metric(metrics: KafkaMetric[], name: string, tags: Record<string, string> = {}): number {
  const m = metrics.find((x) => x.name === name && Object.entries(tags).every(([k, v]) => x.tags[k] === v));
  if (m === undefined) throw new Error(`no metric ${name} ${JSON.stringify(tags)}`);
  return m.value;
}

describe('producer metrics', () => {
  it('counts records sent, batches, requests and latency as Java names them', async () => {
    broker.cluster.metadata.createTopic('m-sent', { numPartitions: 2, replicationFactor: 1 });
    const producer = kafka.producer({ clientId: 'p-sent', lingerMs: 5 });
    await producer.connect();
    await Promise.all(
      Array.from({ length: 500 }, (_, i) =>
        producer.send({ topic: 'm-sent', key: `k${i}`, value: 'x'.repeat(100) }),
      ),
    );
    const m = producer.metrics();
    expect(metric(m, 'record-send-total', { 'client-id': 'p-sent' })).toBe(500);
    expect(metric(m, 'record-send-rate')).toBeGreaterThan(0);
    expect(metric(m, 'record-error-total')).toBe(0);
    expect(metric(m, 'record-retry-total')).toBe(0);
    expect(metric(m, 'batch-size-avg')).toBeGreaterThan(100);
    const perRequest = metric(m, 'records-per-request-avg');
    expect(perRequest).toBeGreaterThanOrEqual(1);
    expect(perRequest).toBeLessThanOrEqual(500);
    expect(metric(m, 'request-latency-avg')).toBeGreaterThanOrEqual(0);
    expect(metric(m, 'request-latency-max')).toBeGreaterThanOrEqual(metric(m, 'request-latency-avg'));
    expect(metric(m, 'compression-rate-avg')).toBe(1);
    expect(metric(m, 'buffer-available-bytes')).toBe(metric(m, 'buffer-total-bytes'));
    expect(metric(m, 'produce-throttle-time-avg')).toBe(0);
    expect(metric(m, 'request-total', { 'client-id': 'p-sent' })).toBeGreaterThan(0);
    expect(metric(m, 'outgoing-byte-total')).toBeGreaterThan(500 * 100);
    expect(m.find((x) => x.name === 'record-send-rate')?.group).toBe('producer-metrics');
    await producer.close();
  });

  it('compression-rate-avg is below 1 for compressible batches', async () => {
    const producer = kafka.producer({ clientId: 'p-gzip', compression: 'gzip' });
    await producer.connect();
    await Promise.all(
      Array.from({ length: 50 }, () =>
        producer.send({ topic: 'm-sent', partition: 0, value: 'a'.repeat(1000) }),
      ),
    );
    expect(metric(producer.metrics(), 'compression-rate-avg')).toBeLessThan(0.5);
    await producer.close();
  });

  it('counts retried and failed records', async () => {
    broker.cluster.metadata.createTopic('m-fail', { numPartitions: 1, replicationFactor: 1 });
    const producer = kafka.producer({
      clientId: 'p-fail',
      idempotent: false,
      retries: 1,
      retryBackoffMs: 10,
    });
    await producer.connect();
    await producer.send({ topic: 'm-fail', value: 'warm' });
    broker.node.faults.pushRequestErrors(ApiKey.Produce, ErrorCode.NOT_LEADER_OR_FOLLOWER);
    await producer.send({ topic: 'm-fail', value: 'retried once' });
    broker.node.faults.pushRequestErrors(ApiKey.Produce, ErrorCode.INVALID_RECORD);
    await expect(producer.send({ topic: 'm-fail', value: 'fails' })).rejects.toThrow();
    const m = producer.metrics();
    expect(metric(m, 'record-retry-total')).toBe(1);
    expect(metric(m, 'record-error-total')).toBe(1);
    expect(metric(m, 'record-send-total')).toBe(2);
    await producer.close();
  });
});

describe('consumer and admin metrics', () => {
  it('records consumed, bytes, fetch latency, lag per partition, commits and rebalances', async () => {
    broker.cluster.metadata.createTopic('m-read', { numPartitions: 2, replicationFactor: 1 });
    const producer = kafka.producer();
    await producer.connect();
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        producer.send({ topic: 'm-read', partition: i % 2, value: '0123456789' }),
      ),
    );
    await producer.close();
    const consumer = kafka.consumer({
      clientId: 'c-read',
      groupId: 'm-read-group',
      autoOffsetReset: 'earliest',
      enableAutoCommit: false,
      maxPollRecords: 30,
    });
    await consumer.connect();
    await consumer.subscribe(['m-read']);
    let read = 0;
    while (read < 30) read += (await consumer.poll(500)).length;
    const m = consumer.metrics();
    expect(metric(m, 'records-consumed-total')).toBe(read);
    expect(metric(m, 'bytes-consumed-total')).toBe(read * 10);
    expect(metric(m, 'fetch-total')).toBeGreaterThan(0);
    expect(metric(m, 'fetch-latency-avg')).toBeGreaterThanOrEqual(0);
    expect(metric(m, 'rebalance-total')).toBe(1);
    expect(metric(m, 'rebalance-rate-per-hour')).toBe(1);
    expect(metric(m, 'rebalance-latency-avg')).toBeGreaterThanOrEqual(0);
    expect(metric(m, 'last-poll-seconds-ago')).toBeGreaterThanOrEqual(0);
    // Lag per partition: 20 records each, minus what was handed out of each.
    const lags = [0, 1].map((p) => metric(m, 'records-lag', { topic: 'm-read', partition: String(p) }));
    expect(lags[0] + lags[1]).toBe(40 - read);
    expect(metric(m, 'records-lag-max')).toBeGreaterThanOrEqual(Math.max(...lags));
    await consumer.commitSync();
    expect(metric(consumer.metrics(), 'commit-total')).toBe(1);
    await consumer.close();
  });

  it('admin requests and their latency', async () => {
    const admin = kafka.admin({ clientId: 'a-metrics' });
    await admin.listTopics();
    await admin.describeCluster();
    const m = admin.metrics();
    expect(metric(m, 'request-total', { 'client-id': 'a-metrics' })).toBeGreaterThanOrEqual(2);
    expect(metric(m, 'response-total')).toBe(metric(m, 'request-total'));
    expect(metric(m, 'request-latency-avg')).toBeGreaterThanOrEqual(0);
    expect(m.find((x) => x.name === 'request-total')?.group).toBe('admin-client-metrics');
    await admin.close();
  });

  it('metricsHandler serves Prometheus text', async () => {
    const producer = kafka.producer({ clientId: 'p-prom' });
    await producer.connect();
    await Promise.all(Array.from({ length: 7 }, () => producer.send({ topic: 'm-sent', value: 'v' })));
    const server = createServer(metricsHandler(producer));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`);
    const text = await res.text();
    expect(res.headers.get('content-type')).toContain('text/plain');
    expect(text).toContain('# TYPE kafka_producer_record_send_total counter');
    expect(text).toContain('kafka_producer_record_send_total{client_id="p-prom"} 7');
    server.close();
    await producer.close();
  });
});

describe('diagnostics channels', () => {
  it('publish sends, acknowledgements, requests, fetches, commits and rebalances', async () => {
    const seen = new Map<string, unknown[]>();
    const names = [
      'tskafka:producer:send',
      'tskafka:producer:ack',
      'tskafka:request',
      'tskafka:consumer:fetch',
      'tskafka:consumer:commit',
      'tskafka:consumer:rebalance',
    ];
    const handlers = names.map((name) => {
      const h = (message: unknown) => {
        const list = seen.get(name) ?? [];
        list.push(message);
        seen.set(name, list);
      };
      subscribe(name, h);
      return [name, h] as const;
    });
    try {
      broker.cluster.metadata.createTopic('m-diag', { numPartitions: 1, replicationFactor: 1 });
      const producer = kafka.producer({ clientId: 'p-diag' });
      await producer.connect();
      await Promise.all([1, 2, 3].map((i) => producer.send({ topic: 'm-diag', value: `v${i}` })));
      await producer.close();
      expect(seen.get('tskafka:producer:send')).toHaveLength(3);
      const acks = (seen.get('tskafka:producer:ack') ?? []) as {
        topic: string;
        records: number;
        error: unknown;
      }[];
      expect(acks.filter((a) => a.topic === 'm-diag').reduce((n, a) => n + a.records, 0)).toBe(3);
      const requests = (seen.get('tskafka:request') ?? []) as {
        api: string;
        clientId: string;
        latencyMs: number;
      }[];
      expect(requests.some((r) => r.api === 'Produce' && r.clientId === 'p-diag' && r.latencyMs >= 0)).toBe(
        true,
      );
      const consumer = kafka.consumer({
        groupId: 'm-diag-group',
        autoOffsetReset: 'earliest',
        enableAutoCommit: false,
      });
      await consumer.connect();
      await consumer.subscribe(['m-diag']);
      let read = 0;
      await until('3 records read', async () => {
        read += (await consumer.poll(200)).length;
        return read >= 3;
      });
      await consumer.commitSync();
      await consumer.close();
      const fetched = (seen.get('tskafka:consumer:fetch') ?? []) as { records: number }[];
      expect(fetched.reduce((n, f) => n + f.records, 0)).toBe(3);
      const commits = (seen.get('tskafka:consumer:commit') ?? []) as {
        groupId: string;
        offsets: { offset: number }[];
      }[];
      expect(commits.find((c) => c.groupId === 'm-diag-group')?.offsets).toEqual([
        expect.objectContaining({ topic: 'm-diag', partition: 0, offset: 3 }),
      ]);
      const rebalances = (seen.get('tskafka:consumer:rebalance') ?? []) as {
        groupId: string;
        assignment: unknown[];
      }[];
      expect(rebalances.find((r) => r.groupId === 'm-diag-group')?.assignment).toEqual([
        { topic: 'm-diag', partition: 0 },
      ]);
    } finally {
      for (const [name, h] of handlers) unsubscribe(name, h);
    }
  });
});
