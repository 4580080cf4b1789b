/**
 * The broker reads large requests into buffers of their own and, where the log copied a Produce
 * request's records (on disk), reads later requests into the same memory. Whatever it reuses,
 * every record stored must stay as it was written: waves of large produce requests on a broker
 * with in-memory logs (which keep the request bytes) and on one with on-disk logs (which copy
 * them), then every record read back and compared. The same for the memory Fetch reads from
 * disk into and followers read replicated batches into: a three-broker cluster on disk, every
 * record read back by two consumers at once and every follower's log compared with its leader's.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Cluster, type RunningBroker, startBroker, startCluster } from '@tskafka/broker';
import { Kafka } from 'tskafka';
import { afterAll, describe, expect, it } from 'vitest';
import { readTopic } from './read-topic.js';

const dirs: string[] = [];
const brokers: (RunningBroker | Cluster)[] = [];
afterAll(async () => {
  for (const b of brokers) await b.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A 1 KiB value that names its record, so any byte from another request shows. */
function value(wave: number, i: number): string {
  const tag = `w${wave}-r${i}-`;
  return tag.repeat(Math.ceil(1024 / tag.length)).slice(0, 1024);
}

describe('large produce requests, memory reused', () => {
  for (const storage of ['in memory', 'on disk'] as const) {
    it(`stores every record as written, logs ${storage}`, async () => {
      const dataDir = storage === 'on disk' ? mkdtempSync(join(tmpdir(), 'tskafka-reqmem-')) : undefined;
      if (dataDir) dirs.push(dataDir);
      const broker = await startBroker({ dataDir });
      brokers.push(broker);
      const topic = 'big-requests';
      broker.cluster.metadata.createTopic(topic, { numPartitions: 2, replicationFactor: 1 });
      const kafka = new Kafka({ bootstrapServers: broker.bootstrapServers, clientId: 'reqmem' });
      // 64 KiB batches: every request is far above the 16 KiB that gets a buffer of its own.
      const producer = kafka.producer<string, string>({
        batchSize: 64 * 1024,
        lingerMs: 5,
        keySerializer: 'string',
        valueSerializer: 'string',
      });
      await producer.connect();
      const written: string[][] = [[], []];
      for (let wave = 0; wave < 8; wave++) {
        const sends = [];
        for (let i = 0; i < 300; i++) {
          const partition = i % 2;
          written[partition].push(value(wave, i));
          sends.push(producer.send({ topic, partition, key: `k${i}`, value: value(wave, i) }));
        }
        await Promise.all(sends);
      }
      await producer.close();
      const read = await readTopic(kafka, topic, 2, 'read_uncommitted');
      expect(read).toHaveLength(2400);
      // Per partition, in the order written.
      const byPartition: string[][] = [[], []];
      for (const v of read) byPartition[Number(/-r(\d+)-/.exec(v)?.[1]) % 2].push(v);
      expect(byPartition[0]).toEqual(written[0]);
      expect(byPartition[1]).toEqual(written[1]);
    });
  }
});

describe('fetches and replication from disk, memory reused', () => {
  it('serves every record as written to consumers and followers, reading into reused memory', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tskafka-fetchmem-'));
    dirs.push(dataDir);
    const cluster = await startCluster({ brokers: 3, dataDir, logLevel: 'error' });
    brokers.push(cluster);
    const topic = 'replicated';
    cluster.metadata.createTopic(topic, { numPartitions: 2, replicationFactor: 3 });
    const kafka = new Kafka({ bootstrapServers: cluster.bootstrapServers, clientId: 'fetchmem' });
    const producer = kafka.producer<string, string>({
      acks: 'all',
      batchSize: 64 * 1024,
      lingerMs: 5,
      keySerializer: 'string',
      valueSerializer: 'string',
    });
    await producer.connect();
    const written: string[][] = [[], []];
    for (let wave = 0; wave < 6; wave++) {
      const sends = [];
      for (let i = 0; i < 300; i++) {
        const partition = i % 2;
        written[partition].push(value(wave, i));
        sends.push(producer.send({ topic, partition, key: `k${i}`, value: value(wave, i) }));
      }
      await Promise.all(sends);
    }
    await producer.close();
    // Two consumers at once: their fetches read into the same pool, each response's memory
    // taken back as soon as it is written out.
    const reads = await Promise.all([
      readTopic(kafka, topic, 2, 'read_uncommitted'),
      readTopic(kafka, topic, 2, 'read_uncommitted'),
    ]);
    for (const read of reads) {
      const byPartition: string[][] = [[], []];
      for (const v of read) byPartition[Number(/-r(\d+)-/.exec(v)?.[1]) % 2].push(v);
      expect(byPartition[0]).toEqual(written[0]);
      expect(byPartition[1]).toEqual(written[1]);
    }
    for (let partition = 0; partition < 2; partition++) {
      const state = cluster.metadata.topics.get(topic)?.partitions[partition];
      if (!state) throw new Error(`no partition ${partition} of ${topic}`);
      const leader = cluster.broker(state.leader).replicaManager.getPartition(topic, partition);
      const stored = leader?.log.read(0, 64 * 1024 * 1024).records ?? [];
      for (const id of state.replicas.filter((r) => r !== state.leader)) {
        const follower = cluster.broker(id).replicaManager.getPartition(topic, partition);
        expect(follower?.logEndOffset).toBe(leader?.logEndOffset);
        // Buffer.equals: a deep toEqual walks megabytes element by element.
        const copy = Buffer.concat(follower?.log.read(0, 64 * 1024 * 1024).records ?? []);
        expect(copy.length).toBeGreaterThan(900 * 1024);
        expect(copy.equals(Buffer.concat(stored))).toBe(true);
      }
    }
    // The leaders' fetch responses gave their read memory back once written.
    expect(cluster.brokers.some((b) => b.replicaManager.readBuffers.pooled > 0)).toBe(true);
  });
});
