/**
 * The admin client against librdkafka's mock cluster, a Kafka peer we did not write: topics are
 * listed and described from its metadata, the cluster is described (by Metadata: the mock
 * lacks DescribeCluster), and the APIs the mock does not implement (CreateTopics,
 * DescribeConfigs, ListGroups) reject with the transport's `UnsupportedApiVersionError` naming
 * the API. (Its Metadata is v2, which auto-creates topics, so an unknown topic is not tested here.)
 */
import { type Admin, Kafka, UnsupportedApiVersionError } from 'tskafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MockCluster, startMockCluster } from './interop/mock-cluster.js';

let mock: MockCluster;
let admin: Admin;

beforeAll(async () => {
  mock = await startMockCluster({
    brokers: 3,
    topics: [
      { name: 'orders', partitions: 4, replicationFactor: 3 },
      { name: 'audit', partitions: 1, replicationFactor: 1 },
    ],
  });
  const kafka = new Kafka({
    bootstrapServers: mock.bootstrapServers.split(','),
    clientId: 'admin-mock',
    logger: { debug() {}, info() {}, warn() {}, error() {} },
  });
  admin = kafka.admin({ defaultApiTimeoutMs: 5_000 });
  await admin.connect();
});
afterAll(async () => {
  await admin?.close();
  await mock?.close();
});

describe('admin against the librdkafka mock cluster', () => {
  it('lists and describes topics', async () => {
    expect(await admin.listTopics()).toEqual(expect.arrayContaining(['audit', 'orders']));
    const [orders, audit] = await admin.describeTopics(['orders', 'audit']);
    expect(orders.name).toBe('orders');
    expect(orders.partitions.map((p) => p.partition)).toEqual([0, 1, 2, 3]);
    for (const p of orders.partitions) {
      expect(p.replicas).toHaveLength(3);
      expect(p.replicas).toContain(p.leader);
    }
    expect(audit.partitions).toHaveLength(1);
  });

  it('describes the cluster by Metadata, as the mock has no DescribeCluster', async () => {
    const d = await admin.describeCluster();
    expect(d.brokers.map((b) => b.nodeId).sort()).toEqual([1, 2, 3]);
    expect(d.clusterId).toMatch(/^mockCluster/);
    // The mock names controller 0, which is none of its brokers: reported as unknown.
    expect(d.controller).toBe(-1);
  });

  it('rejects what the mock lacks with a typed error', async () => {
    const error = await admin
      .createTopics([{ topic: 'new-topic', numPartitions: 1, replicationFactor: 1 }])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsupportedApiVersionError);
    expect((error as UnsupportedApiVersionError).apiKey).toBe(19);
    expect((error as Error).message).toMatch(/CreateTopics/);
  });

  it('Kafka.fromProperties gives the admin client its keys', async () => {
    const fromFile = Kafka.fromProperties({
      'bootstrap.servers': mock.bootstrapServers,
      'default.api.timeout.ms': 5000,
      'linger.ms': 5, // a producer key: ignored by the admin client
    }).admin({ logger: { debug() {}, info() {}, warn() {}, error() {} } });
    expect(fromFile.config.defaultApiTimeoutMs).toBe(5000);
    try {
      expect(await fromFile.listTopics()).toContain('orders');
    } finally {
      await fromFile.close();
    }
  });

  it('other APIs the mock lacks reject the same way', async () => {
    await expect(admin.describeConfigs([{ type: 'topic', name: 'orders' }])).rejects.toBeInstanceOf(
      UnsupportedApiVersionError,
    );
    await expect(admin.listGroups()).rejects.toBeInstanceOf(UnsupportedApiVersionError);
  });
});
