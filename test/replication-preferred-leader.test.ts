/**
 * Preferred leader election on an in-process cluster of three brokers: a broker that stops loses
 * its leaderships; when it comes back and rejoins the ISR, the controller's periodic check
 * (`auto.leader.rebalance.enable`, here every second) hands them back with the leader epoch
 * bumped, and a producer follows. With the automatic rebalance off, leadership stays where the
 * failover put it until a preferred election is asked for.
 */
import { type Cluster, startCluster } from '@tskafka/broker';
import { Kafka } from 'tskafka';
import { afterEach, describe, expect, it } from 'vitest';
import { until as untilWithin } from './until.js';

/** Resolves once `condition` holds; fails with `what` after 20 s. */
const until = (what: string, condition: () => boolean | Promise<boolean>) =>
  untilWithin(what, condition, 20_000);

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function cluster3(config: Record<string, string | number | boolean>): Promise<Cluster> {
  const cluster = await startCluster({ brokers: 3, logLevel: 'error', config });
  cleanups.push(() => cluster.close());
  return cluster;
}

/** Creates `t` with three partitions, each preferring a different broker, and writes to all. */
async function setUp(cluster: Cluster): Promise<Kafka> {
  const kafka = new Kafka({ bootstrapServers: cluster.bootstrapServers, clientId: 'preferred-test' });
  const admin = kafka.admin();
  cleanups.push(() => admin.close());
  await admin.createTopics([
    {
      topic: 't',
      replicaAssignment: [
        { partition: 0, replicas: [1, 2, 3] },
        { partition: 1, replicas: [2, 3, 1] },
        { partition: 2, replicas: [3, 1, 2] },
      ],
    },
  ]);
  const producer = kafka.producer({ acks: 'all' });
  cleanups.push(() => producer.close());
  await producer.connect();
  for (let p = 0; p < 3; p++) await producer.send({ topic: 't', partition: p, value: `v${p}` });
  return kafka;
}

const leaders = (cluster: Cluster) => cluster.metadata.topics.get('t')?.partitions.map((p) => p.leader);
const isr = (cluster: Cluster, partition: number) =>
  cluster.metadata.topics.get('t')?.partitions[partition].isr ?? [];

describe('preferred leader election', () => {
  it('hands leadership back to a restarted broker once it is in sync', async () => {
    const cluster = await cluster3({
      'leader.imbalance.check.interval.seconds': 1,
    });
    const kafka = await setUp(cluster);
    expect(leaders(cluster)).toEqual([1, 2, 3]);
    await cluster.stopBroker(1);
    expect(leaders(cluster)).toEqual([2, 2, 3]);
    const epoch = cluster.metadata.topics.get('t')?.partitions[0].leaderEpoch ?? -1;
    await cluster.startBroker(1);
    await until('broker 1 leads t-0 again', () => leaders(cluster)?.[0] === 1);
    expect(isr(cluster, 0)).toContain(1);
    expect(leaders(cluster)).toEqual([1, 2, 3]);
    expect(cluster.metadata.topics.get('t')?.partitions[0].leaderEpoch).toBe(epoch + 1);
    // Clients follow the move.
    const producer = kafka.producer({ acks: 'all' });
    cleanups.push(() => producer.close());
    await producer.connect();
    expect((await producer.send({ topic: 't', partition: 0, value: 'after' })).offset).toBe(1);
  });

  it('with auto.leader.rebalance.enable=false leadership stays until a preferred election', async () => {
    const cluster = await cluster3({
      'auto.leader.rebalance.enable': false,
      'leader.imbalance.check.interval.seconds': 1,
    });
    await setUp(cluster);
    await cluster.stopBroker(2);
    expect(leaders(cluster)).toEqual([1, 3, 3]);
    await cluster.startBroker(2);
    await until('broker 2 is back in the ISR of t-1', () => isr(cluster, 1).includes(2));
    await new Promise((r) => setTimeout(r, 1500));
    expect(leaders(cluster)).toEqual([1, 3, 3]);
    cluster.metadata.electPreferredLeader('t', 1);
    expect(leaders(cluster)).toEqual([1, 2, 3]);
  });
});
