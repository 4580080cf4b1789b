/**
 * Only a broker of the cluster may fetch as a replica. A Fetch naming `replicaId` moves that
 * follower's position at the leader, and with it the high watermark and what acks=all
 * acknowledges; from an ordinary client connection it would let the leader acknowledge a record
 * its follower never got, lost when the leader then goes. Kafka answers such a fetch
 * TOPIC_AUTHORIZATION_FAILED for every partition (no ClusterAction), and so must we, while the
 * brokers' own fetchers keep replicating. The producer is KafkaJS 2.2.4, a client we did not write.
 */
import { type Cluster, startCluster } from '@tskafka/broker';
import { ErrorCode } from '@tskafka/protocol';
import { Api, decodeResponse } from '@tskafka/protocol/internals';
import { Kafka, logLevel } from 'kafkajs';
import { afterEach, describe, expect, it } from 'vitest';
import { WireClient } from './interop/wire-client.js';
import { until } from './until.js';

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A Fetch v12 from `replicaId` for `topic`-0 at `fetchOffset`; its partition's error code. */
async function replicaFetch(address: string, topic: string, replicaId: number, fetchOffset: number) {
  const wire = await WireClient.connect(address);
  cleanups.push(() => wire.close());
  wire.send(Api.Fetch, 12, {
    replicaId,
    maxWaitMs: 0,
    minBytes: 0,
    maxBytes: 1 << 20,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [
      {
        topic,
        partitions: [
          {
            partition: 0,
            currentLeaderEpoch: -1,
            fetchOffset,
            lastFetchedEpoch: -1,
            logStartOffset: 0,
            partitionMaxBytes: 1 << 20,
          },
        ],
      },
    ],
    forgottenTopicsData: [],
    rackId: '',
  });
  const frame = await wire.nextFrame();
  if (!frame) throw new Error('the broker closed the connection instead of answering the Fetch');
  return decodeResponse(Api.Fetch, 12, frame).body.responses[0].partitions[0];
}

describe('replica fetches from a client connection', () => {
  it('are refused, so an acks=all send waits for the real follower instead of being acknowledged', async () => {
    // A follower that loses its connection waits replica.fetch.backoff.ms before fetching again:
    // long enough here that broker 2 stays behind (and in the ISR) for the whole test.
    const cluster: Cluster = await startCluster({
      brokers: 2,
      logLevel: 'error',
      config: { 'replica.fetch.backoff.ms': 60_000 },
    });
    cleanups.push(() => cluster.close());
    const kafka = new Kafka({
      clientId: 'replica-fetch-auth',
      brokers: cluster.bootstrapServers,
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
    });
    const admin = kafka.admin();
    await admin.connect();
    cleanups.push(() => admin.disconnect());
    await admin.createTopics({
      topics: [{ topic: 't', replicaAssignment: [{ partition: 0, replicas: [1, 2] }] }],
    });
    const follower = () => cluster.broker(2).replicaManager.getPartition('t', 0);
    await until('broker 2 follows t-0', () => follower() !== undefined);
    expect(cluster.metadata.topics.get('t')?.partitions[0].isr).toEqual([1, 2]);

    // Stall the follower: its connection to the leader drops and it backs off.
    cluster.broker(1).dropConnections();
    const producer = kafka.producer({ allowAutoTopicCreation: false, retry: { retries: 0 } });
    await producer.connect();
    cleanups.push(() => producer.disconnect());
    const sent = producer.send({ topic: 't', acks: -1, timeout: 1500, messages: [{ value: 'precious' }] });
    sent.catch(() => {});
    const leader = cluster.broker(1).replicaManager.getPartition('t', 0);
    await until('the leader appended the record', () => leader?.logEndOffset === 1);

    // A client claims to be broker 2, caught up to the record.
    const answer = await replicaFetch(cluster.broker(1).address, 't', 2, 1);
    expect(answer.errorCode).toBe(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
    expect(answer.records?.length ?? 0).toBe(0);

    // The record is not acknowledged: broker 2, which would lead next, does not have it.
    await expect(sent).rejects.toThrow(/timed out/i);
    expect(leader?.highWatermark).toBe(0);
    expect(follower()?.logEndOffset).toBe(0);
  });

  it('still come through from the brokers themselves', async () => {
    const cluster = await startCluster({ brokers: 2, logLevel: 'error' });
    cleanups.push(() => cluster.close());
    const kafka = new Kafka({
      clientId: 'replica-fetch-auth',
      brokers: cluster.bootstrapServers,
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    await admin.connect();
    cleanups.push(() => admin.disconnect());
    await admin.createTopics({
      topics: [{ topic: 'r', replicaAssignment: [{ partition: 0, replicas: [1, 2] }] }],
    });
    const producer = kafka.producer();
    await producer.connect();
    cleanups.push(() => producer.disconnect());
    const [meta] = await producer.send({ topic: 'r', acks: -1, messages: [{ value: 'kept' }] });
    expect(meta.errorCode).toBe(0);
    expect(cluster.broker(2).replicaManager.getPartition('r', 0)?.logEndOffset).toBe(1);
  });
});
