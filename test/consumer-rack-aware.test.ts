/**
 * Rack-aware assignment (KIP-881) end to end: three reference brokers with `broker.rack` a, b
 * and c, a topic whose partition p lives on the broker of rack `p % 3`, and three consumers with
 * `client.rack` a, b and c. The group leader reads the replicas' racks from Metadata and the
 * members' racks from their subscriptions, so `range` gives each consumer the partitions on its
 * own rack instead of contiguous ranges. kafka-python, a client we did not write, sees the racks in
 * Metadata too (the Debian librdkafka, 2.0, predates KIP-881, so no foreign member sends a rack).
 */
import { type Cluster, startCluster } from '@tskafka/broker';
import { type Consumer, Kafka, type TopicPartition } from 'tskafka';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { requirePythonClient, runPython } from './interop/python.js';

let cluster: Cluster;
const RACKS = ['a', 'b', 'c'];

beforeAll(async () => {
  cluster = await startCluster({
    brokers: RACKS.map((rack, i) => ({ nodeId: i + 1, config: { 'broker.rack': rack } })),
    config: { 'group.min.session.timeout.ms': 500 },
    logLevel: 'silent',
  });
});
afterAll(async () => {
  await cluster?.close();
});

const sorted = (ps: readonly TopicPartition[]) => ps.map((p) => p.partition).sort((x, y) => x - y);

describe('client.rack and broker.rack', () => {
  it('Metadata carries each broker.rack', async () => {
    const admin = new Kafka({ bootstrapServers: cluster.bootstrapServers }).admin();
    await admin.connect();
    try {
      const { brokers } = await admin.describeCluster();
      expect(brokers.map((b) => [b.nodeId, b.rack]).sort()).toEqual([
        [1, 'a'],
        [2, 'b'],
        [3, 'c'],
      ]);
    } finally {
      await admin.close();
    }
  });

  it('a client we did not write (kafka-python) reads each broker.rack from Metadata', async () => {
    requirePythonClient();
    const brokers = await runPython('broker_racks.py', [cluster.bootstrapServers[0]]);
    expect(brokers).toEqual(
      expect.arrayContaining([
        { node_id: 1, rack: 'a' },
        { node_id: 2, rack: 'b' },
        { node_id: 3, rack: 'c' },
      ]),
    );
    expect(brokers).toHaveLength(3);
  });

  it.each(['range', 'cooperative-sticky'])(
    '%s gives each consumer the partitions on its rack',
    async (assignor) => {
      const topic = `racks-${assignor}`;
      // Partition p's only replica is on broker p % 3 + 1, rack RACKS[p % 3].
      cluster.metadata.createTopic(topic, {
        numPartitions: 6,
        replicationFactor: 1,
        assignments: Array.from({ length: 6 }, (_, p) => [(p % 3) + 1]),
      });
      const kafka = new Kafka({ bootstrapServers: cluster.bootstrapServers, clientId: 'racks' });
      const consumers: Consumer[] = RACKS.map((rack) =>
        kafka.consumer({
          groupId: topic,
          clientRack: rack,
          partitionAssignors: [assignor],
          heartbeatIntervalMs: 100,
          sessionTimeoutMs: 6_000,
        }),
      );
      try {
        for (const c of consumers) {
          await c.connect();
          await c.subscribe([topic]);
        }
        await vi.waitFor(
          async () => {
            await Promise.all(consumers.map((c) => c.poll(0)));
            expect(consumers.map((c) => c.assignment().length)).toEqual([2, 2, 2]);
          },
          { timeout: 20_000, interval: 10 },
        );
        // Rack a holds partitions 0 and 3, b 1 and 4, c 2 and 5; plain range would hand out 0-1,
        // 2-3 and 4-5 instead.
        expect(consumers.map((c) => sorted(c.assignment()))).toEqual([
          [0, 3],
          [1, 4],
          [2, 5],
        ]);
      } finally {
        await Promise.all(consumers.map((c) => c.close()));
      }
    },
  );
});
