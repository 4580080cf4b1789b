import { type Cluster as BrokerCluster, startBroker, startCluster } from '@tskafka/broker';
import { ApiKey, createKafkaError, ErrorCode, NotLeaderOrFollowerError } from '@tskafka/protocol';
import { Api } from '@tskafka/protocol/internals';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  Cluster,
  type ClusterOptions,
  Connection,
  ConnectionError,
  KafkaTimeoutError,
  ManualClock,
  silentLogger,
} from '../src/internals.js';

async function deadAddress(): Promise<string> {
  const b = await startBroker({ logLevel: 'silent' });
  const address = b.bootstrapServers[0];
  await b.close();
  return address;
}

/** Counts Metadata requests sent by any connection. */
function countRequests(api: { key: number }): { readonly count: number; restore(): void } {
  const spy = vi.spyOn(Connection.prototype, 'request');
  return {
    get count() {
      return spy.mock.calls.filter((c) => (c[0] as { key: number }).key === api.key).length;
    },
    restore: () => spy.mockRestore(),
  };
}

describe('Cluster against a three-broker reference cluster', () => {
  let brokers: BrokerCluster;
  const clients: Cluster[] = [];
  const client = (extra: Partial<ClusterOptions> = {}): Cluster => {
    const c = new Cluster({
      bootstrapServers: brokers.bootstrapServers,
      logger: silentLogger,
      retryBackoffMs: 10,
      ...extra,
    });
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    brokers = await startCluster({
      brokers: 3,
      logLevel: 'silent',
      config: { 'num.partitions': 3, 'default.replication.factor': 3, 'offsets.topic.num.partitions': 3 },
    });
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.close();
    for (const b of brokers.brokers) b.faults.clear();
  });
  afterAll(async () => {
    await brokers.close();
  });

  it('bootstraps past a dead first address and learns brokers, controller and cluster id', async () => {
    const dead = await deadAddress();
    const c = client({ bootstrapServers: [dead, ...brokers.bootstrapServers].join(',') });
    const connects = vi.spyOn(Connection.prototype, 'connect');
    try {
      await c.connect();
      // The addresses were tried in turn: the dead one first, then the next one answered.
      const tried = connects.mock.contexts as Connection[];
      expect(tried.map((t) => `${t.host}:${t.port}`)).toEqual([dead, brokers.bootstrapServers[0]]);
    } finally {
      connects.mockRestore();
    }
    expect(
      c
        .brokers()
        .map((b) => b.nodeId)
        .sort(),
    ).toEqual([1, 2, 3]);
    expect(c.metadata.controllerId).toBe(brokers.metadata.controllerId);
    expect(c.metadata.clusterId).toBe(brokers.metadata.clusterId);
  });

  it('fails bootstrap with a ConnectionError naming what it tried when no address answers in time', async () => {
    const dead = [await deadAddress(), await deadAddress()];
    const c = client({ bootstrapServers: dead });
    const error = await c.connect({ timeoutMs: 300 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as Error).message).toContain(`none of ${dead.join(', ')} answered within 300 ms`);
  });

  it('bootstraps from the canonical names of the addresses with client.dns.lookup=resolve_canonical_bootstrap_servers_only', async () => {
    // 127.0.0.1's canonical name is localhost (the hosts file): the address tried is by that name.
    const port = (await deadAddress()).split(':')[1];
    const plain = client({ bootstrapServers: [`127.0.0.1:${port}`] });
    const canonical = client({
      bootstrapServers: [`127.0.0.1:${port}`],
      clientDnsLookup: 'resolve_canonical_bootstrap_servers_only',
    });
    const asGiven = await plain.connect({ timeoutMs: 100 }).catch((e: unknown) => e);
    expect((asGiven as Error).message).toContain(`none of 127.0.0.1:${port} answered`);
    const resolved = await canonical.connect({ timeoutMs: 100 }).catch((e: unknown) => e);
    expect((resolved as Error).message).toContain(`none of localhost:${port} answered`);
  });

  it('waits for a topic, auto-creating it, and routes to partition leaders', async () => {
    const c = client();
    await c.connect();
    const t = await c.waitForTopic('routed', 5000);
    expect(t.partitions).toHaveLength(3);
    expect(c.partitionCountFor('routed')).toBe(3);
    for (let p = 0; p < 3; p++) {
      const leader = c.leaderFor('routed', p);
      expect(leader).toBe(brokers.metadata.topics.get('routed')?.partitions[p].leader);
      const res = await c.request(leader, Api.ListOffsets, {
        replicaId: -1,
        isolationLevel: 0,
        topics: [{ name: 'routed', partitions: [{ partitionIndex: p, timestamp: -2 }] }],
      });
      expect(res.topics[0].partitions[0].errorCode).toBe(0);
    }
  });

  it('gives up waiting for a topic it may not create, with a KafkaTimeoutError', async () => {
    const c = client({ allowAutoTopicCreation: false });
    await c.connect();
    const error = await c.waitForTopic('never-created', 200).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KafkaTimeoutError);
    expect((error as Error).message).toContain('Topic never-created not present in metadata after 200 ms.');
    expect(c.metadata.topicErrors.get('never-created')?.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });

  it('coalesces concurrent refreshes into one Metadata request', async () => {
    const c = client();
    await c.connect();
    const counter = countRequests(Api.Metadata);
    try {
      const all = await Promise.all([c.refreshMetadata(), c.refreshMetadata(), c.refreshMetadata()]);
      expect(new Set(all).size).toBe(1);
      expect(counter.count).toBe(1);
      // A refresh for a topic the running one lacks waits for it, then goes out once for all callers.
      const first = c.refreshMetadata();
      const [, a, b] = await Promise.all([first, c.refreshMetadata(['extra']), c.refreshMetadata(['extra'])]);
      expect(a).toBe(b);
      expect(counter.count).toBe(3);
      expect(c.partitionCountFor('extra')).toBe(3);
    } finally {
      counter.restore();
    }
  });

  it('refreshes in the background when a caller reports stale metadata, and follows a moved leader', async () => {
    const c = client();
    await c.connect();
    await c.waitForTopic('moving', 5000);
    const old = c.leaderFor('moving', 0);
    const epoch = c.metadata.partition('moving', 0)?.leaderEpoch ?? -1;
    const next = (old % 3) + 1;
    brokers.metadata.setLeader('moving', 0, next);
    // Until told, the client keeps its cached view.
    expect(c.leaderFor('moving', 0)).toBe(old);
    const updated = new Promise((resolve) => c.once('metadata', resolve));
    c.requestMetadataUpdate();
    await updated;
    expect(c.leaderFor('moving', 0)).toBe(next);
    expect(c.metadata.partition('moving', 0)?.leaderEpoch).toBe(epoch + 1);
  });

  it('retries retriable errors with backoff, refreshing metadata on stale-metadata errors', async () => {
    const c = client();
    await c.connect();
    const before = c.metadata.updateVersion;
    let calls = 0;
    const result = await c.retry(async () => {
      calls++;
      if (calls <= 2) throw createKafkaError(ErrorCode.NOT_LEADER_OR_FOLLOWER, { apiName: 'Produce' });
      return calls;
    });
    expect(result).toBe(3);
    expect(c.metadata.updateVersion).toBeGreaterThanOrEqual(before + 2);
    // Not retriable: thrown at once.
    let once = 0;
    const fatal = await c
      .retry(async () => {
        once++;
        throw createKafkaError(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
      })
      .catch((e: unknown) => e);
    expect(once).toBe(1);
    expect((fatal as Error).name).toBe('TopicAuthorizationFailedError');
    expect(new NotLeaderOrFollowerError().retriable).toBe(true);
  });

  it('logs a metadata refresh that fails before a retry at warn with its cause, and retries all the same', async () => {
    const warnings: { message: string; context?: Record<string, unknown> }[] = [];
    const c = client({
      logger: { ...silentLogger, warn: (message, context) => void warnings.push({ message, context }) },
    });
    await c.connect();
    // The refresh goes to one broker, whichever is least loaded: arm them all, disarm after.
    for (const b of brokers.brokers) b.faults.dropNextRequests(ApiKey.Metadata, 1);
    try {
      let calls = 0;
      const result = await c.retry(async () => {
        calls++;
        if (calls === 1) throw createKafkaError(ErrorCode.NOT_LEADER_OR_FOLLOWER, { apiName: 'Produce' });
        return calls;
      });
      expect(result).toBe(2);
    } finally {
      for (const b of brokers.brokers) b.faults.clear();
    }
    const refreshWarnings = warnings.filter((w) => /metadata refresh before a retry failed/.test(w.message));
    expect(refreshWarnings).toHaveLength(1);
    expect(refreshWarnings[0].context?.error).toBeInstanceOf(ConnectionError);
    expect(refreshWarnings[0].context?.retrying).toBeInstanceOf(NotLeaderOrFollowerError);
  });

  it('finds coordinators, caches them, retries COORDINATOR_NOT_AVAILABLE, and forgets them on request', async () => {
    const c = client();
    await c.connect();
    for (const b of brokers.brokers) {
      b.faults.pushRequestErrors(ApiKey.FindCoordinator, ErrorCode.COORDINATOR_NOT_AVAILABLE);
    }
    const counter = countRequests(Api.FindCoordinator);
    try {
      const [coordinator, same] = await Promise.all([
        c.findCoordinator('group', 'billing'),
        c.findCoordinator('group', 'billing'),
      ]);
      expect(same).toBe(coordinator);
      expect(counter.count).toBeGreaterThanOrEqual(2); // at least one failure, then success
      const expected = await brokers.brokers[0].groupCoordinator.findCoordinator('billing');
      expect(coordinator.nodeId).toBe(expected.nodeId);
      const sent = counter.count;
      await c.findCoordinator('group', 'billing');
      expect(counter.count).toBe(sent);
      const described = await c.requestCoordinator('group', 'billing', Api.DescribeGroups, {
        groups: ['billing'],
      });
      expect(described.groups[0].groupId).toBe('billing');
      expect(c.readyConnection(coordinator.nodeId, 'coordinator')).toBeDefined();
      c.invalidateCoordinator('group', 'billing');
      await c.findCoordinator('group', 'billing');
      expect(counter.count).toBe(sent + 1);
      const txn = await c.findCoordinator('transaction', 'tx-1');
      expect([1, 2, 3]).toContain(txn.nodeId);
    } finally {
      counter.restore();
    }
  });

  it('fails requests to a stopped broker with ConnectionError while the others keep serving', async () => {
    const c = client({ reconnectBackoffMs: 10, reconnectBackoffMaxMs: 20 });
    await c.connect();
    const conn = await c.connection(3);
    const lost = new Promise((resolve) => conn.once('close', resolve));
    await brokers.stopBroker(3);
    try {
      await lost;
      // The loss asks for fresh metadata.
      expect(c.metadata.updateRequested).toBe(true);
      const error = await c.request(3, Api.Metadata, { topics: [] }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConnectionError);
      expect((error as ConnectionError).retriable).toBe(true);
      const md = await c.requestAny(Api.Metadata, { topics: [] });
      expect(md.brokers.map((b) => b.nodeId).sort()).toEqual([1, 2]);
    } finally {
      await brokers.startBroker(3);
    }
  });

  it('closes connections idle for connections.max.idle.ms', async () => {
    const clock = new ManualClock(Date.now());
    const c = client({ clock, connectionsMaxIdleMs: 1000 });
    await c.connect();
    const conn = await c.connection(1);
    c.pool.closeIdle(clock.now() + 999);
    expect(conn.isReady).toBe(true);
    // The pool looks on the client's clock: moving it past the limit closes the connection.
    clock.advance(2000);
    expect(conn.isClosed).toBe(true);
    expect(c.readyConnection(1)).toBeUndefined();
    // Closed on purpose: no backoff before the next connection.
    expect(c.connectionDelay(1)).toBe(0);
    expect((await c.connection(1)).isReady).toBe(true);
  });

  it('keeps separate connection groups per broker', async () => {
    const c = client();
    await c.connect();
    const a = await c.connection(2);
    const b = await c.connection(2, 'producer');
    expect(a).not.toBe(b);
    expect(await c.connection(2, 'producer')).toBe(b);
  });

  it('rejects everything with ClientClosedError after close', async () => {
    const c = client();
    await c.connect();
    await c.close();
    await expect(c.request(1, Api.Metadata, { topics: [] })).rejects.toThrow(/closed/);
    await expect(c.refreshMetadata()).rejects.toThrow(/closed/);
  });
});
