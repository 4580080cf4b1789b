/**
 * The console's JSON API against a 3-broker reference cluster: what it says about brokers,
 * topics, partitions, records, groups and lag is what happened (records produced, offsets
 * committed); writes are refused when the console is read-only and without the token.
 */
import { type Cluster, startCluster } from '@tskafka/broker';
import { type Admin, Kafka } from 'tskafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  BrokerRequestRates,
  BrowseResult,
  ClusterView,
  GroupView,
  Page,
  TopicSummary,
  TopicView,
} from '../src/index.js';
import { type RunningConsole, startConsole } from '../src/index.js';

let cluster: Cluster;
let kafka: Kafka;
let admin: Admin;
let readOnly: RunningConsole;
let readWrite: RunningConsole;

async function get<T>(c: RunningConsole, path: string): Promise<{ status: number; body: T }> {
  const res = await fetch(`${c.url}${path}`);
  return { status: res.status, body: (await res.json()) as T };
}

async function post(
  c: RunningConsole,
  path: string,
  body: unknown,
  token?: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${c.url}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  cluster = await startCluster({ brokers: 3 });
  kafka = new Kafka({ bootstrapServers: cluster.bootstrapServers, clientId: 'console-test' });
  admin = kafka.admin();
  await admin.connect();
  await admin.createTopics([
    { topic: 'orders', numPartitions: 3, replicationFactor: 3 },
    { topic: 'audit', numPartitions: 1, replicationFactor: 2 },
  ]);
  const producer = kafka.producer();
  await producer.connect();
  await Promise.all(
    Array.from({ length: 30 }, (_, i) =>
      producer.send({
        topic: 'orders',
        partition: i % 3,
        key: `k${i}`,
        value: JSON.stringify({ n: i }),
        headers: { source: 'test' },
      }),
    ),
  );
  await producer.close();
  // A group that read and committed 6 of partition 0's 10 records: lag 4 there, 10 on each other.
  await admin.alterConsumerGroupOffsets('billing', [
    { topic: 'orders', partition: 0, offset: 6 },
    { topic: 'orders', partition: 1, offset: 0 },
    { topic: 'orders', partition: 2, offset: 0 },
  ]);
  readOnly = await startConsole({
    bootstrapServers: cluster.bootstrapServers,
    port: 0,
    sampleIntervalMs: 60_000,
    brokerRequests: () => cluster.requestCounts(),
  });
  readWrite = await startConsole({
    bootstrapServers: cluster.bootstrapServers,
    port: 0,
    readWrite: true,
    authToken: 'secret-token',
    sampleIntervalMs: 60_000,
  });
  await readOnly.sample();
});

afterAll(async () => {
  await readOnly?.close();
  await readWrite?.close();
  await admin?.close();
  await cluster?.close();
});

describe('console JSON API', () => {
  it('lists its endpoints at /api', async () => {
    const { status, body } = await get<Record<string, string>>(readOnly, '/api');
    expect(status).toBe(200);
    expect(Object.keys(body)).toContain('GET /api/groups/:group');
  });

  it('GET /api/cluster: the three brokers, the controller, and partition counts', async () => {
    const { body } = await get<ClusterView>(readOnly, '/api/cluster');
    expect(body.brokers.map((b) => b.nodeId)).toEqual([1, 2, 3]);
    expect(body.brokers.filter((b) => b.controller)).toHaveLength(1);
    expect(body.brokers.map((b) => `${b.host}:${b.port}`)).toEqual(cluster.bootstrapServers);
    const described = await admin.describeTopics();
    expect(body.topics).toBe(described.length);
    expect(body.partitions).toBe(described.reduce((n, t) => n + t.partitions.length, 0));
    expect(body.underReplicated).toBe(0);
    expect(body.offline).toBe(0);
  });

  it('GET /api/topics: partitions, replication factor and records kept', async () => {
    const { body } = await get<Page<TopicSummary>>(readOnly, '/api/topics');
    const byName = new Map(body.items.map((t) => [t.name, t]));
    expect(byName.get('orders')).toMatchObject({
      partitions: 3,
      replicationFactor: 3,
      records: 30,
      internal: false,
    });
    expect(byName.get('audit')).toMatchObject({ partitions: 1, replicationFactor: 2, records: 0, bytes: 0 });
    // The leaders' log bytes (DescribeLogDirs): 30 records of about 10 bytes, with batch overhead.
    expect(byName.get('orders')?.bytes).toBeGreaterThan(300);
    const filtered = await get<Page<TopicSummary>>(readOnly, '/api/topics?q=aud');
    expect(filtered.body.items.map((t) => t.name)).toEqual(['audit']);
    const paged = await get<Page<TopicSummary>>(readOnly, '/api/topics?pageSize=1&page=2');
    expect(paged.body).toMatchObject({ total: 2, page: 2, pageSize: 1 });
    expect(paged.body.items.map((t) => t.name)).toEqual(['orders']);
  });

  it('GET /api/topics/:topic: leader, replicas, ISR and offsets as the admin client sees them', async () => {
    const { body } = await get<TopicView>(readOnly, '/api/topics/orders');
    const [described] = await admin.describeTopics(['orders']);
    expect(body.partitions.map((p) => [p.partition, p.leader, p.replicas, p.isr])).toEqual(
      described?.partitions.map((p) => [p.partition, p.leader, p.replicas, p.isr]),
    );
    expect(body.partitions.map((p) => [p.logStartOffset, p.logEndOffset])).toEqual([
      [0, 10],
      [0, 10],
      [0, 10],
    ]);
    expect(body.configs.find((c) => c.name === 'cleanup.policy')?.value).toBe('delete');
    expect((await get(readOnly, '/api/topics/nope')).status).toBe(404);
  });

  it('GET /api/topics/:topic/messages: the latest N, from an offset, as text, JSON and hex', async () => {
    const latest = await get<BrowseResult>(readOnly, '/api/topics/orders/messages?partition=1&limit=3');
    expect(latest.body.records.map((r) => r.offset)).toEqual([7, 8, 9]);
    const first = latest.body.records[0];
    expect(first?.key.text).toBe('k22');
    expect(JSON.parse(first?.value.json ?? 'null')).toEqual({ n: 22 });
    expect(first?.value.hex).toBe(Buffer.from('{"n":22}').toString('hex'));
    expect(first?.headers).toEqual([{ key: 'source', value: expect.objectContaining({ text: 'test' }) }]);
    const from = await get<BrowseResult>(
      readOnly,
      '/api/topics/orders/messages?partition=2&offset=8&limit=10',
    );
    expect(from.body.records.map((r) => r.offset)).toEqual([8, 9]);
    const bad = await get<{ error: string }>(readOnly, '/api/topics/orders/messages?partition=7');
    expect(bad.status).toBe(404);
    expect(bad.body.error).toContain('no partition 7');
  });

  it('GET /api/groups and /api/groups/:group: committed offsets, log end and lag', async () => {
    const list = await get<Page<{ groupId: string; lag: number | null; state: string }>>(
      readOnly,
      '/api/groups',
    );
    expect(list.body.items).toContainEqual(
      expect.objectContaining({ groupId: 'billing', lag: 24, state: 'Empty' }),
    );
    const { body } = await get<GroupView>(readOnly, '/api/groups/billing');
    expect(body.offsets.map((o) => [o.partition, o.committed, o.logEndOffset, o.lag])).toEqual([
      [0, 6, 10, 4],
      [1, 0, 10, 10],
      [2, 0, 10, 10],
    ]);
    expect(body.totalLag).toBe(24);
    expect((await get(readOnly, '/api/groups/nobody')).status).toBe(404);
  });

  it('GET /api/series: rates from offset deltas between samples', async () => {
    const producer = kafka.producer();
    await producer.connect();
    await Promise.all(
      Array.from({ length: 12 }, (_, i) => producer.send({ topic: 'audit', value: `a${i}` })),
    );
    await producer.close();
    await readOnly.sample();
    const { body } = await get<{ t: number[]; values: { in: (number | null)[] } }>(
      readOnly,
      '/api/series/topics/audit',
    );
    expect(body.t.length).toBeGreaterThanOrEqual(2);
    const dt = (body.t.at(-1) ?? 0) - (body.t.at(-2) ?? 0);
    expect(body.values.in.at(-1)).toBeCloseTo(12 / dt, 3);
  });

  it("GET /api/broker-requests: the reference brokers' own request rates, when the console can see them", async () => {
    await readOnly.sample();
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'audit', value: 'counted' });
    await producer.close();
    await readOnly.sample();
    const { body } = await get<BrokerRequestRates>(readOnly, '/api/broker-requests');
    expect(body.available).toBe(true);
    expect(body.byApi.find((r) => r.api === 'Produce')?.perSec).toBeGreaterThan(0);
    expect(body.byBroker.map((b) => b.nodeId)).toEqual([1, 2, 3]);
    const series = await get<{ values: { requests: number[] } }>(readOnly, '/api/series/broker-requests');
    expect(series.body.values.requests.at(-1)).toBeGreaterThan(0);
    // Without the counts (any cluster reached over the network), the console says so.
    expect((await get<BrokerRequestRates>(readWrite, '/api/broker-requests')).body).toEqual({
      available: false,
      byApi: [],
      byBroker: [],
    });
  });

  it('refuses writes when read-only (403) and without the right token (401)', async () => {
    const ro = await post(readOnly, '/api/topics', { topic: 'x' }, 'anything');
    expect(ro.status).toBe(403);
    expect(ro.body.error).toContain('read-only');
    expect((await post(readWrite, '/api/topics', { topic: 'x' })).status).toBe(401);
    expect((await post(readWrite, '/api/topics', { topic: 'x' }, 'wrong')).status).toBe(401);
    expect(await admin.listTopics()).not.toContain('x');
  });

  it('with the token: creates a topic, alters its config, deletes records', async () => {
    const created = await post(
      readWrite,
      '/api/topics',
      { topic: 'made', partitions: 2, replicationFactor: 2 },
      'secret-token',
    );
    expect(created.status).toBe(200);
    const [made] = await admin.describeTopics(['made']);
    expect(made?.partitions.map((p) => p.replicas.length)).toEqual([2, 2]);
    const again = await post(readWrite, '/api/topics', { topic: 'made' }, 'secret-token');
    expect(again.status).toBe(409);
    expect(again.body.type).toBe('TopicAlreadyExistsError');
    const altered = await post(
      readWrite,
      '/api/topics/made/configs',
      { configs: { 'retention.ms': '3600000' } },
      'secret-token',
    );
    expect(altered.status).toBe(200);
    const [configs] = await admin.describeConfigs([{ type: 'topic', name: 'made' }]);
    expect(configs?.configs.find((c) => c.name === 'retention.ms')?.value).toBe('3600000');
    const deleted = await post(
      readWrite,
      '/api/topics/orders/delete-records',
      { partition: 2, offset: 5 },
      'secret-token',
    );
    expect(deleted.body).toMatchObject({ partition: 2, lowWatermark: 5 });
    const bad = await post(readWrite, '/api/topics', { topic: 'y', partitions: 0 }, 'secret-token');
    expect(bad.status).toBe(400);
    expect(bad.body.error).toContain('"partitions"');
  });

  it('reset offsets: a plan changes nothing, execute moves the group', async () => {
    const plan = await post(readWrite, '/api/groups/billing/reset-offsets', { to: 'latest' }, 'secret-token');
    expect(plan.body).toMatchObject({ executed: false });
    expect(
      (plan.body.plan as { partition: number; target: number }[]).map((r) => [r.partition, r.target]),
    ).toEqual([
      [0, 10],
      [1, 10],
      [2, 10],
    ]);
    expect((await admin.listConsumerGroupOffsets('billing')).find((o) => o.partition === 0)?.offset).toBe(6);
    const done = await post(
      readWrite,
      '/api/groups/billing/reset-offsets',
      { to: 'shift', value: -3, execute: true },
      'secret-token',
    );
    expect(done.body).toMatchObject({ executed: true });
    const after = await admin.listConsumerGroupOffsets('billing');
    expect(after.map((o) => [o.partition, o.offset]).sort()).toEqual(
      [
        [0, 3],
        [1, 0], // shift -3 from 0 is clamped to the log start
        [2, 5], // which is 5 on partition 2 after the deletion above
      ].sort(),
    );
  });
});
