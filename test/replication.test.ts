/**
 * Replication on an in-process cluster of three brokers, through our own clients: a topic with
 * replication factor 3 ends up with the same records on every replica; the leader of a partition
 * stops while an idempotent acks=all producer keeps sending, the producer carries on with the new
 * leader and a consumer reads every acknowledged record exactly once; the stopped broker comes
 * back, catches up and is in the ISR again; `min.insync.replicas=2` with two brokers down refuses
 * acks=all sends with NotEnoughReplicas while acks=1 still works; `moveLeader` moves a leader and
 * clients follow.
 */
import { type Cluster, startCluster } from '@tskafka/broker';
import { Kafka, NotEnoughReplicasError, stringDeserializer } from 'tskafka';
import { afterEach, describe, expect, it } from 'vitest';
import { readTopic } from './read-topic.js';
import { until } from './until.js';

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function cluster3(config: Record<string, string | number> = {}): Promise<Cluster> {
  const cluster = await startCluster({ brokers: 3, logLevel: 'error', config });
  cleanups.push(() => cluster.close());
  return cluster;
}

function client(cluster: Cluster): Kafka {
  return new Kafka({ bootstrapServers: cluster.bootstrapServers, clientId: 'replication-test' });
}

/** The bytes of a replica's log, and its log end offset. */
function replicaLog(cluster: Cluster, nodeId: number, topic: string, partition: number) {
  const p = cluster.broker(nodeId).replicaManager.getPartition(topic, partition);
  if (!p) throw new Error(`broker ${nodeId} hosts no ${topic}-${partition}`);
  return {
    logEndOffset: p.logEndOffset,
    bytes: Buffer.concat(p.log.read(p.logStartOffset, 1 << 30).records),
  };
}

/** Whether every replica of every partition holds exactly what its leader holds. */
function replicasInSync(cluster: Cluster, topic: string): boolean {
  const state = cluster.metadata.topics.get(topic);
  if (!state) return false;
  return state.partitions.every((ps) => {
    if (ps.leader === -1) return false;
    const leader = replicaLog(cluster, ps.leader, topic, ps.partition);
    return ps.replicas.every((r) => {
      const log = replicaLog(cluster, r, topic, ps.partition);
      return log.logEndOffset === leader.logEndOffset && log.bytes.equals(leader.bytes);
    });
  });
}

/** Reads every record of `topic` from the beginning until `count` have arrived. */
async function readAll(kafka: Kafka, topic: string, partitions: number, count: number): Promise<string[]> {
  const consumer = kafka.consumer({ autoOffsetReset: 'earliest', valueDeserializer: stringDeserializer });
  cleanups.push(() => consumer.close());
  await consumer.connect();
  await consumer.assign(Array.from({ length: partitions }, (_, partition) => ({ topic, partition })));
  const values: string[] = [];
  await until(`${count} records were read from ${topic}`, async () => {
    for (const r of await consumer.poll(200)) values.push(r.value ?? '');
    return values.length >= count;
  });
  // Nothing more arrives: no record twice.
  for (const r of await consumer.poll(500)) values.push(r.value ?? '');
  return values;
}

describe('replication across three brokers', () => {
  it('every replica of a replication-factor-3 topic holds the same records, and all are in the ISR', async () => {
    const cluster = await cluster3();
    const kafka = client(cluster);
    const admin = kafka.admin();
    cleanups.push(() => admin.close());
    await admin.createTopics([{ topic: 'orders', numPartitions: 3, replicationFactor: 3 }]);
    const producer = kafka.producer({ acks: 'all' });
    cleanups.push(() => producer.close());
    await producer.connect();
    const metas = await Promise.all(
      Array.from({ length: 300 }, (_, i) => producer.send({ topic: 'orders', key: `k${i}`, value: `v${i}` })),
    );
    // acks=all answered: the high watermark covers every record on each leader.
    for (const m of metas) {
      const ps = cluster.metadata.topics.get('orders')?.partitions[m.partition];
      const leader = cluster.broker(ps?.leader ?? -1).replicaManager.getPartition('orders', m.partition);
      expect(leader?.highWatermark).toBeGreaterThan(m.offset);
    }
    await until('the followers hold what the leaders hold', () => replicasInSync(cluster, 'orders'));
    const total = [0, 1, 2].reduce((n, p) => n + replicaLog(cluster, 1, 'orders', p).logEndOffset, 0);
    expect(total).toBe(300);
    const described = await admin.describeTopics(['orders']);
    for (const p of described[0].partitions) {
      expect([...p.isr].sort()).toEqual([1, 2, 3]);
      expect(p.offlineReplicas).toEqual([]);
    }
    expect((await readAll(kafka, 'orders', 3, 300)).sort()).toEqual(
      Array.from({ length: 300 }, (_, i) => `v${i}`).sort(),
    );
  });

  it('a leader stops mid-stream: the idempotent acks=all producer carries on, nothing acknowledged is lost or doubled, and the broker rejoins', async () => {
    const cluster = await cluster3();
    const kafka = client(cluster);
    const admin = kafka.admin();
    cleanups.push(() => admin.close());
    await admin.createTopics([{ topic: 'orders', numPartitions: 3, replicationFactor: 3 }]);
    const producer = kafka.producer({ acks: 'all', idempotent: true });
    cleanups.push(() => producer.close());
    await producer.connect();
    const acked = new Set<string>();
    const failures: unknown[] = [];
    let next = 0;
    const sendSome = (n: number) =>
      Promise.all(
        Array.from({ length: n }, () => {
          const value = `r${next++}`;
          return producer.send({ topic: 'orders', key: value, value }).then(
            () => acked.add(value),
            (e) => failures.push(e),
          );
        }),
      );
    await sendSome(300);
    const victim = cluster.metadata.topics.get('orders')?.partitions[0].leader ?? -1;
    // Sends in flight while the leader goes away.
    const inFlight = sendSome(300);
    await cluster.stopBroker(victim);
    await inFlight;
    await sendSome(300);
    expect(failures).toEqual([]);
    expect(acked.size).toBe(900);
    const after = cluster.metadata.topics.get('orders')?.partitions[0];
    expect(after?.leader).not.toBe(victim);
    expect(after?.leader).not.toBe(-1);
    expect(after?.isr).not.toContain(victim);
    const values = await readAll(kafka, 'orders', 3, acked.size);
    expect(values).toHaveLength(acked.size);
    expect(new Set(values)).toEqual(acked);

    await cluster.startBroker(victim);
    await until(`broker ${victim} is back in every ISR`, async () => {
      const [d] = await admin.describeTopics(['orders']);
      return d.partitions.every((p) => p.isr.includes(victim) && p.offlineReplicas.length === 0);
    });
    await until('the restarted broker holds what the leaders hold', () => replicasInSync(cluster, 'orders'));
    // It came back empty (in memory) and re-replicated everything.
    const total = [0, 1, 2].reduce((n, p) => n + replicaLog(cluster, victim, 'orders', p).logEndOffset, 0);
    expect(total).toBeGreaterThanOrEqual(900);
  });

  it('min.insync.replicas=2 with two brokers down: acks=all fails with NotEnoughReplicas, acks=1 still works', async () => {
    const cluster = await cluster3();
    const kafka = client(cluster);
    const admin = kafka.admin();
    cleanups.push(() => admin.close());
    await admin.createTopics([
      {
        topic: 'payments',
        replicaAssignment: [{ partition: 0, replicas: [1, 2, 3] }],
        configs: { 'min.insync.replicas': '2' },
      },
    ]);
    const strict = kafka.producer({ acks: 'all', idempotent: false, retries: 0 });
    cleanups.push(() => strict.close());
    await strict.connect();
    expect((await strict.send({ topic: 'payments', value: 'before' })).offset).toBe(0);
    await cluster.stopBroker(2);
    // One follower down: the ISR of two still meets min.insync.replicas.
    expect((await strict.send({ topic: 'payments', value: 'one-down' })).offset).toBe(1);
    await cluster.stopBroker(3);
    await expect(strict.send({ topic: 'payments', value: 'refused' })).rejects.toBeInstanceOf(
      NotEnoughReplicasError,
    );
    const relaxed = kafka.producer({ acks: 1 });
    cleanups.push(() => relaxed.close());
    await relaxed.connect();
    expect((await relaxed.send({ topic: 'payments', value: 'acks-1' })).offset).toBe(2);
    const [d] = await admin.describeTopics(['payments']);
    expect(d.partitions[0]).toMatchObject({ leader: 1, isr: [1], offlineReplicas: [2, 3] });
    expect(await readAll(kafka, 'payments', 1, 3)).toEqual(['before', 'one-down', 'acks-1']);
  });

  it('moveLeader hands a partition to another in-sync replica; producer and consumer follow', async () => {
    const cluster = await cluster3();
    const kafka = client(cluster);
    const admin = kafka.admin();
    cleanups.push(() => admin.close());
    await admin.createTopics([
      { topic: 'moves', replicaAssignment: [{ partition: 0, replicas: [1, 2, 3] }] },
    ]);
    const producer = kafka.producer({ acks: 'all' });
    cleanups.push(() => producer.close());
    await producer.connect();
    for (let i = 0; i < 50; i++) await producer.send({ topic: 'moves', value: `a${i}` });
    await until('every replica is in sync', () => replicasInSync(cluster, 'moves'));
    const epoch = cluster.metadata.topics.get('moves')?.partitions[0].leaderEpoch ?? -1;
    cluster.moveLeader('moves', 0, 3);
    const [d] = await admin.describeTopics(['moves']);
    expect(d.partitions[0].leader).toBe(3);
    expect(cluster.metadata.topics.get('moves')?.partitions[0].leaderEpoch).toBe(epoch + 1);
    for (let i = 0; i < 50; i++) await producer.send({ topic: 'moves', value: `b${i}` });
    expect(cluster.broker(3).replicaManager.getPartition('moves', 0)?.logEndOffset).toBe(100);
    const values = await readAll(kafka, 'moves', 1, 100);
    expect(values).toEqual([
      ...Array.from({ length: 50 }, (_, i) => `a${i}`),
      ...Array.from({ length: 50 }, (_, i) => `b${i}`),
    ]);
    // Only an in-sync replica can take over.
    await cluster.stopBroker(2);
    expect(() => cluster.moveLeader('moves', 0, 2)).toThrow(/not a live in-sync replica/);
    await until('the old leader caught up with the new one', () => {
      const one = replicaLog(cluster, 1, 'moves', 0);
      const three = replicaLog(cluster, 3, 'moves', 0);
      return one.logEndOffset === 100 && one.bytes.equals(three.bytes);
    });
  });

  it('with replicated __transaction_state, a transactional producer carries on after its coordinator stops', async () => {
    const cluster = await cluster3({
      'transaction.state.log.replication.factor': 3,
      'transaction.state.log.num.partitions': 1,
    });
    const kafka = client(cluster);
    const admin = kafka.admin();
    cleanups.push(() => admin.close());
    await admin.createTopics([{ topic: 'ledger', numPartitions: 1, replicationFactor: 3 }]);
    const producer = kafka.producer({ transactionalId: 'ledger-writer', retryBackoffMs: 20 });
    cleanups.push(() => producer.close());
    await producer.connect();
    await producer.initTransactions();
    await producer.beginTransaction();
    await producer.send({ topic: 'ledger', value: 'first' });
    await producer.commitTransaction();
    const coordinator = cluster.metadata.topics.get('__transaction_state')?.partitions[0];
    expect(coordinator?.replicas).toHaveLength(3);
    const old = coordinator?.leader ?? -1;
    // Its state log is on the followers: the new coordinator loads the transactional id.
    await until('__transaction_state is replicated', () => replicasInSync(cluster, '__transaction_state'));
    await cluster.stopBroker(old);
    expect(cluster.metadata.topics.get('__transaction_state')?.partitions[0].leader).not.toBe(old);
    await producer.beginTransaction();
    await producer.send({ topic: 'ledger', value: 'second' });
    await producer.commitTransaction();
    await producer.beginTransaction();
    await producer.send({ topic: 'ledger', value: 'aborted' });
    await producer.abortTransaction();
    expect(await readTopic(kafka, 'ledger', 1, 'read_committed')).toEqual(['first', 'second']);
  });
});
