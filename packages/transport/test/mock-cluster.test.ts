/**
 * The transport against a broker we did not write: librdkafka's mock cluster (2.0.2 in Debian),
 * which answers ApiVersions v3+ with an UNSUPPORTED_VERSION body it miscounts, serves Metadata
 * only up to v2 (no leader epochs), ListOffsets up to v3 (capped by the harness), and has no
 * DescribeCluster at all.
 */

import { ErrorCode } from '@tskafka/protocol';
import { Api } from '@tskafka/protocol/internals';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type MockCluster, startMockCluster } from '../../../test/interop/mock-cluster.js';
import {
  Cluster,
  type ClusterOptions,
  ConnectionError,
  silentLogger,
  UnsupportedApiVersionError,
} from '../src/internals.js';

describe('against librdkafka’s mock cluster', () => {
  let mock: MockCluster;
  const clients: Cluster[] = [];
  const client = (extra: Partial<ClusterOptions> = {}): Cluster => {
    const c = new Cluster({
      bootstrapServers: mock.bootstrapServers,
      logger: silentLogger,
      retryBackoffMs: 10,
      ...extra,
    });
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    mock = await startMockCluster({
      brokers: 3,
      topics: [{ name: 'orders', partitions: 4, replicationFactor: 3 }],
    });
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.close();
  });
  afterAll(async () => {
    await mock?.close();
  });

  it('bootstraps and reads brokers, controller and partitions (Metadata v2: no leader epochs)', async () => {
    const c = client();
    await c.connect();
    expect(
      c
        .brokers()
        .map((b) => b.nodeId)
        .sort(),
    ).toEqual([1, 2, 3]);
    expect(c.metadata.clusterId).toEqual(expect.any(String));
    const orders = await c.waitForTopic('orders', 5000);
    expect(orders.partitions).toHaveLength(4);
    for (const p of orders.partitions) {
      expect([1, 2, 3]).toContain(p.leader);
      expect(p.replicas).toHaveLength(3);
      expect(p.leaderEpoch).toBe(-1);
    }
  });

  it('reads metadata with allowAutoTopicCreation off, though Metadata v2 has no such field', async () => {
    const c = client({ allowAutoTopicCreation: false });
    await c.connect();
    const md = await c.refreshMetadata(['orders']);
    expect(md.partitionCountFor('orders')).toBe(4);
  });

  it('negotiates versions: ApiVersions falls back, ListOffsets is capped at v3, a missing API is refused', async () => {
    const c = client();
    await c.connect();
    const conn = await c.connection(1);
    expect(conn.versionFor(Api.ApiVersions)).toBe(conn.apiVersions?.brokerRange(Api.ApiVersions)?.maxVersion);
    expect(conn.versionFor(Api.ListOffsets)).toBe(3);
    expect(conn.versionFor(Api.Metadata)).toBe(conn.apiVersions?.brokerRange(Api.Metadata)?.maxVersion);
    expect(conn.supports(Api.DescribeCluster)).toBe(false);
    const error = await c
      .request(1, Api.DescribeCluster, { includeClusterAuthorizedOperations: false })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsupportedApiVersionError);
    expect((error as Error).message).toContain('DescribeCluster');
    expect((error as Error).message).toContain('the broker does not support it');
  });

  it('sends ListOffsets v3 to each partition leader', async () => {
    const c = client();
    await c.connect();
    await c.waitForTopic('orders', 5000);
    for (let p = 0; p < 4; p++) {
      for (const timestamp of [-2, -1]) {
        const res = await c.request(c.leaderFor('orders', p), Api.ListOffsets, {
          replicaId: -1,
          isolationLevel: 0,
          topics: [{ name: 'orders', partitions: [{ partitionIndex: p, timestamp }] }],
        });
        expect(res.topics[0].partitions[0]).toMatchObject({ partitionIndex: p, errorCode: 0, offset: 0 });
      }
    }
  });

  it('finds a group coordinator through injected COORDINATOR_NOT_AVAILABLE errors', async () => {
    const c = client();
    await c.connect();
    await mock.command(
      `push_request_errors 10 2 ${ErrorCode.COORDINATOR_NOT_AVAILABLE} ${ErrorCode.COORDINATOR_NOT_AVAILABLE}`,
    );
    const coordinator = await c.findCoordinator('group', 'mock-group', { timeoutMs: 5000 });
    expect([1, 2, 3]).toContain(coordinator.nodeId);
    expect(c.addressOf(coordinator.nodeId)).toMatchObject({ host: coordinator.host, port: coordinator.port });
  });

  it('follows a leader the mock moved once metadata is reported stale', async () => {
    const c = client();
    await c.connect();
    await c.waitForTopic('orders', 5000);
    const old = c.leaderFor('orders', 1);
    const next = (old % 3) + 1;
    await mock.command(`partition_leader orders 1 ${next}`);
    const updated = new Promise((resolve) => c.once('metadata', resolve));
    c.requestMetadataUpdate();
    await updated;
    expect(c.leaderFor('orders', 1)).toBe(next);
  });

  it('survives a connection the mock drops: a retriable ConnectionError, then a retry succeeds', async () => {
    const c = client();
    await c.connect();
    // -195 is librdkafka's __TRANSPORT: the mock closes the connection instead of answering.
    await mock.command('push_request_errors 10 1 -195');
    const body = { key: 'dropped', keyType: 0 };
    const error = await c.requestAny(Api.FindCoordinator, body, { maxVersion: 2 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as ConnectionError).retriable).toBe(true);
    const res = await c.retry(() => c.requestAny(Api.FindCoordinator, body, { maxVersion: 2 }), {
      timeoutMs: 5000,
    });
    expect(res.errorCode).toBe(0);
  });
});
