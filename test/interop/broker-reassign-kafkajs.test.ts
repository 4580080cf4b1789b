/**
 * Partition reassignment under load: KafkaJS 2.2.4 (a client we did not write) produces with
 * acks=all to a three-broker reference cluster while our admin client and KafkaJS's admin move
 * both partitions of its topic to other brokers, one of them away from its leader. New replicas catch up, join the
 * ISR, the old ones leave (the leader moves), and kcat reads back every record KafkaJS had
 * acknowledged.
 */
import { type Cluster, startCluster } from '@tskafka/broker';
import { Kafka as KafkaJS, logLevel } from 'kafkajs';
import { Kafka } from 'tskafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../until.js';
import { readTopicWithKcat } from './kcat.js';

let cluster: Cluster;
const openClients: { disconnect(): Promise<void> }[] = [];

beforeAll(async () => {
  cluster = await startCluster({ brokers: 3, logLevel: 'error' });
});

afterAll(async () => {
  for (const c of openClients) await c.disconnect().catch(() => {});
  await cluster?.close();
});

describe('reassignment under a producing KafkaJS client', () => {
  it('moves replicas while KafkaJS produces; every acknowledged record is readable afterwards', async () => {
    const topic = 'moving';
    const [b1, b2, b3] = [...cluster.metadata.brokers.keys()].sort((a, b) => a - b);
    const admin = new Kafka({ bootstrapServers: cluster.bootstrapServers, clientId: 'reassigner' }).admin();
    await admin.connect();
    openClients.push({ disconnect: () => admin.close() });
    await admin.createTopics([
      {
        topic,
        replicaAssignment: [
          { partition: 0, replicas: [b1, b2] },
          { partition: 1, replicas: [b2, b1] },
        ],
      },
    ]);

    const kafkajs = new KafkaJS({
      clientId: 'kafkajs-producer',
      brokers: cluster.bootstrapServers,
      logLevel: logLevel.NOTHING,
      retry: { retries: 10, initialRetryTime: 100 },
    });
    const producer = kafkajs.producer({ allowAutoTopicCreation: false });
    openClients.push(producer);
    await producer.connect();
    const acked: string[] = [];
    let producing = true;
    let round = 0;
    // One partition per send (see broker-replication.test.ts for the KafkaJS 2.2.4 bug this avoids).
    const loop = (async () => {
      while (producing) {
        for (const partition of [0, 1]) {
          const messages = Array.from({ length: 10 }, (_, i) => ({
            partition,
            value: `r${round}-p${partition}-${i}`,
          }));
          await producer.send({ topic, acks: -1, messages });
          acked.push(...messages.map((m) => m.value));
        }
        round++;
      }
    })();
    await until('KafkaJS has written a few rounds', () => round >= 3);

    // Partition 0 leaves its leader b1 for b3 (asked through our admin client); partition 1 swaps
    // b1 for b3 and keeps its leader (asked through KafkaJS's admin, wire-compatible).
    const results = await admin.alterPartitionReassignments([
      { topic, partition: 0, targetReplicas: [b3, b2] },
    ]);
    expect(results.map((r) => r.error)).toEqual([null]);
    const kafkajsAdmin = kafkajs.admin();
    openClients.push(kafkajsAdmin);
    await kafkajsAdmin.connect();
    await kafkajsAdmin.alterPartitionReassignments({
      topics: [{ topic, partitionAssignment: [{ partition: 1, replicas: [b2, b3] }] }],
    });
    await until(
      'both reassignments complete',
      async () => (await admin.listPartitionReassignments()).length === 0,
    );
    expect(await kafkajsAdmin.listPartitionReassignments({})).toEqual({ topics: [] });
    await kafkajsAdmin.disconnect();
    const state = cluster.metadata.topics.get(topic)?.partitions ?? [];
    expect(state.map((p) => p.replicas)).toEqual([
      [b3, b2],
      [b2, b3],
    ]);
    expect(state[0].leader).not.toBe(b1);
    expect(state.every((p) => !p.isr.includes(b1))).toBe(true);
    const roundAfterMove = round;
    await until('KafkaJS has written after the move', () => round >= roundAfterMove + 3);
    producing = false;
    await loop;

    const read = await readTopicWithKcat(cluster.bootstrapServers.join(','), topic);
    const values = new Set(read.map((r) => r.value));
    expect(acked.filter((v) => !values.has(v))).toEqual([]);
    // Nothing of the partitions is left on the broker they moved away from.
    expect(cluster.broker(b1).replicaManager.getPartition(topic, 0)).toBeUndefined();
    expect(cluster.broker(b1).replicaManager.getPartition(topic, 1)).toBeUndefined();
  }, 90_000);
});
