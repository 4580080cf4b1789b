/**
 * `admin.describeLogDirs()` (DescribeLogDirs) against the reference broker: each broker's log
 * directory and the replicas in it, sized as the segment files on disk are.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Cluster, startCluster } from '@tskafka/broker';
import { Kafka } from 'tskafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from './until.js';

let cluster: Cluster;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'tskafka-logdirs-'));
  cluster = await startCluster({ brokers: 2, dataDir });
});
afterAll(async () => {
  await cluster?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('admin.describeLogDirs', () => {
  it("lists every broker's replicas with the bytes of their segment files", async () => {
    const kafka = new Kafka({ bootstrapServers: cluster.bootstrapServers });
    const admin = kafka.admin();
    await admin.createTopics([{ topic: 'sized', numPartitions: 2, replicationFactor: 2 }]);
    const producer = kafka.producer({ acks: 'all' });
    await producer.connect();
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        producer.send({ topic: 'sized', partition: i % 2, value: 'x'.repeat(200) }),
      ),
    );
    await producer.close();
    // Followers fetch what acks=all waited for; their logs match the leader's once caught up.
    await until('both replicas hold the same bytes', async () => {
      const dirs = await admin.describeLogDirs();
      const sizes = dirs.flatMap((d) => d.replicas.filter((r) => r.topic === 'sized').map((r) => r.size));
      return sizes.length === 4 && new Set(sizes).size === 1;
    });
    const dirs = await admin.describeLogDirs();
    expect(dirs.map((d) => d.brokerId)).toEqual([1, 2]);
    for (const d of dirs) {
      expect(d.error).toBeNull();
      const replicas = d.replicas.filter((r) => r.topic === 'sized');
      expect(replicas.map((r) => r.partition)).toEqual([0, 1]);
      for (const r of replicas) {
        expect(r.offsetLag).toBe(0);
        // The size is what the partition's .log files take on disk.
        const partitionDir = path.join(d.path, `sized-${r.partition}`);
        const onDisk = readdirSync(partitionDir)
          .filter((f) => f.endsWith('.log'))
          .reduce((n, f) => n + statSync(path.join(partitionDir, f)).size, 0);
        expect(r.size).toBe(onDisk);
        expect(r.size).toBeGreaterThan(20 * 200);
      }
    }
    expect((await admin.describeLogDirs([2])).map((d) => d.brokerId)).toEqual([2]);
    await admin.close();
  });
});
