/**
 * Replication under stalled followers, through our own clients: a leader whose followers cannot
 * fetch (wire-level latency on its Fetch API) takes acks=1 records no follower has; it stops, a
 * follower takes over in a new leader epoch and takes other records at the same offsets; back
 * from its data directory, the old leader finds where its log diverged, truncates the records
 * that were never committed and copies the new leader's. And with `replica.lag.time.max.ms`
 * short, an acks=all produce waiting on a stalled follower ends with NotEnoughReplicasAfterAppend
 * once the ISR shrank below `min.insync.replicas`, the next one is refused with NotEnoughReplicas,
 * and the follower rejoins the ISR when it fetches again; that cluster runs on a manual clock, so
 * the ISR shrinks when the test moves time past the lag, not when a race of timers says so.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Cluster, ManualClock, startCluster } from '@tskafka/broker';
import {
  ApiKey,
  Kafka,
  NotEnoughReplicasAfterAppendError,
  NotEnoughReplicasError,
  stringDeserializer,
} from 'tskafka';
import { afterEach, describe, expect, it } from 'vitest';
import { until } from './until.js';

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function client(cluster: Cluster): Kafka {
  return new Kafka({ bootstrapServers: cluster.bootstrapServers, clientId: 'divergence-test' });
}

/** The values in a replica's log, in offset order. */
async function replicaValues(cluster: Cluster, nodeId: number, topic: string): Promise<string[]> {
  const { decodeRecordBatches } = await import('@tskafka/protocol/internals');
  const p = cluster.broker(nodeId).replicaManager.getPartition(topic, 0);
  if (!p) throw new Error(`broker ${nodeId} hosts no ${topic}-0`);
  const bytes = Buffer.concat(p.log.read(p.logStartOffset, 1 << 30).records);
  return decodeRecordBatches(bytes).flatMap((b) => b.records.map((r) => r.value?.toString() ?? ''));
}

describe('replication with stalled followers', () => {
  it('an old leader back from disk truncates what was never committed and copies the new leader', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tskafka-replication-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const cluster = await startCluster({ brokers: 3, dataDir, logLevel: 'error' });
    cleanups.push(() => cluster.close());
    cluster.metadata.createTopic('ledger', {
      numPartitions: 1,
      replicationFactor: 3,
      assignments: [[1, 2, 3]],
    });
    const kafka = client(cluster);
    const safe = kafka.producer({ acks: 'all' });
    cleanups.push(() => safe.close());
    await safe.connect();
    for (let i = 0; i < 10; i++) await safe.send({ topic: 'ledger', value: `committed-${i}` });
    // The followers stop getting anything from broker 1; acks=1 records stay on it alone.
    cluster.broker(1).faults.setLatency(ApiKey.Fetch, 60_000);
    // Fetches already waiting at the leader answer within replica.fetch.wait.max.ms; later ones hang.
    await until(
      'no follower fetch waits at broker 1',
      () => cluster.broker(1).replicaManager.fetchPurgatory.size === 0,
    );
    const unsafe = kafka.producer({ acks: 1, idempotent: false });
    cleanups.push(() => unsafe.close());
    await unsafe.connect();
    for (let i = 0; i < 5; i++) await unsafe.send({ topic: 'ledger', value: `uncommitted-${i}` });
    expect(cluster.broker(1).replicaManager.getPartition('ledger', 0)).toMatchObject({
      logEndOffset: 15,
      highWatermark: 10,
    });
    await cluster.stopBroker(1);
    const state = cluster.metadata.topics.get('ledger')?.partitions[0];
    expect(state).toMatchObject({ leader: 2, leaderEpoch: 1, isr: [2, 3] });
    for (let i = 0; i < 3; i++) await safe.send({ topic: 'ledger', value: `new-leader-${i}` });

    await cluster.startBroker(1);
    const expected = [
      ...Array.from({ length: 10 }, (_, i) => `committed-${i}`),
      ...Array.from({ length: 3 }, (_, i) => `new-leader-${i}`),
    ];
    await until('broker 1 is back in the ISR', () =>
      Boolean(cluster.metadata.topics.get('ledger')?.partitions[0].isr.includes(1)),
    );
    for (const nodeId of [1, 2, 3]) expect(await replicaValues(cluster, nodeId, 'ledger')).toEqual(expected);
    const consumer = kafka.consumer({ autoOffsetReset: 'earliest', valueDeserializer: stringDeserializer });
    cleanups.push(() => consumer.close());
    await consumer.connect();
    await consumer.assign([{ topic: 'ledger', partition: 0 }]);
    const read: string[] = [];
    await until('every record was read', async () => {
      for (const r of await consumer.poll(200)) read.push(r.value ?? '');
      return read.length >= expected.length;
    });
    expect(read).toEqual(expected);
  });

  it('the ISR shrinks below min.insync.replicas while an acks=all produce waits, and grows back', async () => {
    const lagMs = 1000;
    const fetchLatencyMs = 3 * lagMs;
    const clock = new ManualClock();
    const cluster = await startCluster({
      brokers: 2,
      logLevel: 'error',
      config: { 'replica.lag.time.max.ms': lagMs },
      clock,
    });
    cleanups.push(() => cluster.close());
    cluster.metadata.createTopic('audit', {
      numPartitions: 1,
      replicationFactor: 2,
      assignments: [[1, 2]],
      configs: { 'min.insync.replicas': '2' },
    });
    const kafka = client(cluster);
    const admin = kafka.admin();
    cleanups.push(() => admin.close());
    const producer = kafka.producer({ acks: 'all', idempotent: false, retries: 0 });
    cleanups.push(() => producer.close());
    await producer.connect();
    expect((await producer.send({ topic: 'audit', value: 'a' })).offset).toBe(0);
    // The follower's next fetch is held at the leader until the clock passes the latency.
    cluster.broker(1).faults.setLatency(ApiKey.Fetch, fetchLatencyMs);
    const b = producer.send({ topic: 'audit', value: 'b' });
    const leader = cluster.broker(1).replicaManager;
    await until('b waits for the follower', () => leader.producePurgatory.size === 1);
    // Appended on the leader, but the follower never confirms it before it leaves the ISR, which
    // happens once the lag time has passed (the check runs every lag/2).
    clock.advance(lagMs / 2);
    expect(leader.getPartition('audit', 0)?.isr).toEqual([1, 2]);
    expect(leader.producePurgatory.size).toBe(1);
    clock.advance(lagMs);
    await expect(b).rejects.toBeInstanceOf(NotEnoughReplicasAfterAppendError);
    const [shrunk] = await admin.describeTopics(['audit']);
    expect(shrunk.partitions[0].isr).toEqual([1]);
    await expect(producer.send({ topic: 'audit', value: 'c' })).rejects.toBeInstanceOf(
      NotEnoughReplicasError,
    );
    // The held fetch goes through: the follower is caught up again.
    cluster.broker(1).faults.setLatency(ApiKey.Fetch, 0);
    clock.advance(fetchLatencyMs);
    await until('broker 2 is back in the ISR', async () => {
      const [d] = await admin.describeTopics(['audit']);
      return d.partitions[0].isr.length === 2;
    });
    expect((await producer.send({ topic: 'audit', value: 'd' })).offset).toBe(2);
    expect(await replicaValues(cluster, 2, 'audit')).toEqual(['a', 'b', 'd']);
  });
});
