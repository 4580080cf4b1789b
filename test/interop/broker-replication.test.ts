/**
 * KafkaJS 2.2.4, a client we did not write, against a three-broker reference cluster with
 * replication: an idempotent acks=all producer writes to a replication-factor-3 topic while the
 * leader of a partition stops; it follows the new leader and a KafkaJS consumer group (whose
 * `__consumer_offsets` is replicated too) reads every acknowledged record back exactly once.
 * kcat then reads the same records from the cluster after the broker came back.
 */
import { type Cluster, startCluster } from '@tskafka/broker';
import { type EachMessagePayload, Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../until.js';
import { readTopicWithKcat } from './kcat.js';

let cluster: Cluster;
let kafka: Kafka;
/** Clients a failed test may leave connected; disconnected before the cluster stops. */
const openClients: { disconnect(): Promise<void> }[] = [];

beforeAll(async () => {
  cluster = await startCluster({
    brokers: 3,
    logLevel: 'error',
    config: {
      'group.initial.rebalance.delay.ms': 0,
      'offsets.topic.num.partitions': 3,
      'offsets.topic.replication.factor': 3,
    },
  });
  kafka = new Kafka({
    clientId: 'kafkajs-replication',
    brokers: cluster.bootstrapServers,
    logLevel: logLevel.NOTHING,
    retry: { retries: 10, initialRetryTime: 100 },
  });
});

afterAll(async () => {
  for (const c of openClients) await c.disconnect().catch(() => {});
  await cluster?.close();
});

describe('KafkaJS against a replicated reference cluster', () => {
  it('an idempotent acks=all producer carries on across a leader stop; everything acknowledged is read back once', async () => {
    const topic = 'kjs-replicated';
    const admin = kafka.admin();
    openClients.push(admin);
    await admin.connect();
    await admin.createTopics({
      topics: [{ topic, numPartitions: 3, replicationFactor: 3 }],
      waitForLeaders: true,
    });
    const producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
    });
    openClients.push(producer);
    await producer.connect();
    const acked: string[] = [];
    // One partition per send: KafkaJS 2.2.4 drops the messages of a partition whose leader moved
    // mid-send to a broker that already answered for another partition of the same send (its
    // sendMessages keeps one response per broker), a bug of that client, not of the broker.
    const sendRound = async (round: number) => {
      for (const partition of [0, 1, 2]) {
        const messages = Array.from({ length: 20 }, (_, i) => ({
          partition,
          value: `r${round}-p${partition}-${i}`,
        }));
        await producer.send({ topic, acks: -1, messages });
        acked.push(...messages.map((m) => m.value));
      }
    };
    for (let round = 0; round < 5; round++) await sendRound(round);
    // The group's coordinator lookup creates `__consumer_offsets` while all three brokers are up
    // (Kafka refuses to create it with fewer live brokers than its replication factor).
    await admin.describeGroups(['kjs-replicated-reader']);
    expect(cluster.metadata.topics.get('__consumer_offsets')?.partitions[0].replicas).toHaveLength(3);
    const victim = cluster.metadata.topics.get(topic)?.partitions[0].leader ?? -1;
    const stopping = cluster.stopBroker(victim);
    for (let round = 5; round < 15; round++) await sendRound(round);
    await stopping;
    expect(acked).toHaveLength(900);
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    const p0 = topics[0].partitions.find((p) => p.partitionId === 0);
    expect(p0?.leader).not.toBe(victim);
    expect(p0?.isr).not.toContain(victim);

    const got: string[] = [];
    const consumer = kafka.consumer({ groupId: 'kjs-replicated-reader', maxWaitTimeInMs: 100 });
    openClients.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }: EachMessagePayload) => {
        got.push(String(message.value));
      },
    });
    await until(`${acked.length} records were read`, () => got.length >= acked.length);
    await consumer.disconnect();
    expect(got).toHaveLength(acked.length);
    expect(new Set(got)).toEqual(new Set(acked));

    // Back again, the broker catches up; kcat reads the same records from the whole cluster.
    await cluster.startBroker(victim);
    await until(`broker ${victim} is back in the ISR`, () =>
      (cluster.metadata.topics.get(topic)?.partitions ?? []).every((p) => p.isr.includes(victim)),
    );
    const read = await readTopicWithKcat(cluster.bootstrapServers.join(','), topic);
    expect(read.map((r) => r.value).sort()).toEqual([...acked].sort());
    await producer.disconnect();
    await admin.disconnect();
  }, 120_000);
});
