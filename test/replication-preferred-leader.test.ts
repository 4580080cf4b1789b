/**
 * Preferred leader election on an in-process cluster of three brokers: a broker that stops loses
 * its leaderships; when it comes back and rejoins the ISR, the controller's periodic check
 * (`auto.leader.rebalance.enable`, here every second) hands them back with the leader epoch
 * bumped, and a producer follows. With the automatic rebalance off, leadership stays where the
 * failover put it until a preferred election is asked for. The cluster runs on a manual clock:
 * the check happens when the test moves time past its interval, never before.
 */
import { type Cluster, ManualClock, startCluster } from '@tskafka/broker';
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

/** The check interval the tests configure, `leader.imbalance.check.interval.seconds` = 1. */
const CHECK_INTERVAL_MS = 1000;

async function cluster3(
  clock: ManualClock,
  config: Record<string, string | number | boolean>,
): Promise<Cluster> {
  const cluster = await startCluster({ brokers: 3, logLevel: 'error', config, clock });
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
    const clock = new ManualClock();
    const cluster = await cluster3(clock, {
      'leader.imbalance.check.interval.seconds': CHECK_INTERVAL_MS / 1000,
    });
    const kafka = await setUp(cluster);
    expect(leaders(cluster)).toEqual([1, 2, 3]);
    await cluster.stopBroker(1);
    expect(leaders(cluster)).toEqual([2, 2, 3]);
    const epoch = cluster.metadata.topics.get('t')?.partitions[0].leaderEpoch ?? -1;
    // Out of the ISR, broker 1 is not eligible: a check finds nothing to do.
    clock.advance(CHECK_INTERVAL_MS);
    expect(leaders(cluster)).toEqual([2, 2, 3]);
    await cluster.startBroker(1);
    await until('broker 1 is back in the ISR of t-0', () => isr(cluster, 0).includes(1));
    // Eligible now, but the controller moves it only on its next check.
    expect(leaders(cluster)).toEqual([2, 2, 3]);
    clock.advance(CHECK_INTERVAL_MS);
    expect(leaders(cluster)).toEqual([1, 2, 3]);
    expect(cluster.metadata.topics.get('t')?.partitions[0].leaderEpoch).toBe(epoch + 1);
    // Clients follow the move.
    const producer = kafka.producer({ acks: 'all' });
    cleanups.push(() => producer.close());
    await producer.connect();
    expect((await producer.send({ topic: 't', partition: 0, value: 'after' })).offset).toBe(1);
  });

  it('with auto.leader.rebalance.enable=false leadership stays until a preferred election', async () => {
    const clock = new ManualClock();
    const cluster = await cluster3(clock, {
      'auto.leader.rebalance.enable': false,
      'leader.imbalance.check.interval.seconds': CHECK_INTERVAL_MS / 1000,
    });
    await setUp(cluster);
    await cluster.stopBroker(2);
    expect(leaders(cluster)).toEqual([1, 3, 3]);
    await cluster.startBroker(2);
    await until('broker 2 is back in the ISR of t-1', () => isr(cluster, 1).includes(2));
    // Several check intervals pass: with the automatic rebalance on, the first would move t-1.
    clock.advance(3 * CHECK_INTERVAL_MS);
    expect(leaders(cluster)).toEqual([1, 3, 3]);
    cluster.metadata.electPreferredLeader('t', 1);
    expect(leaders(cluster)).toEqual([1, 2, 3]);
  });
});
