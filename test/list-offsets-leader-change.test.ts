/**
 * ListOffsets(latest) never goes backwards across a leader change (KIP-207). A new leader starts
 * with its own high watermark, which lags the old leader's until its followers fetch again; in
 * that window the broker answers OFFSET_NOT_AVAILABLE, and clients retry until it can answer the
 * real end. Checked at the wire, through our consumer's `endOffsets` and admin's `listOffsets`, and
 * with confluent-kafka-python's `get_watermark_offsets` (librdkafka), a client we did not write:
 * it does not retry this error (nor does KafkaJS 2.2.4's `fetchTopicOffsets`), so it sees either
 * OFFSET_NOT_AVAILABLE, by name, or the real end; never an end before it.
 */
import { type Cluster, startCluster } from '@tskafka/broker';
import { ApiKey, ErrorCode } from '@tskafka/protocol';
import { Api, decodeResponse } from '@tskafka/protocol/internals';
import { Kafka } from 'tskafka';
import { afterEach, describe, expect, it } from 'vitest';
import { requirePythonClient, runPython } from './interop/python.js';
import { WireClient } from './interop/wire-client.js';

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const RECORDS = 50;
/** How long the new follower's fetches are held at the new leader, so the window is wide open. */
const FOLLOWER_STALL_MS = 1500;

/**
 * Two brokers, t-0 led by broker 1 and followed by 2, `RECORDS` acknowledged by both; then the
 * leadership moves to broker 2 while its high watermark is still behind (followers learn the
 * leader's high watermark one fetch later, and that fetch waits replica.fetch.wait.max.ms for
 * data) and broker 1's fetches to it are held.
 */
async function movedLeader(): Promise<Cluster> {
  const cluster = await startCluster({
    brokers: 2,
    logLevel: 'error',
    config: { 'replica.fetch.wait.max.ms': 5000 },
  });
  cleanups.push(() => cluster.close());
  const kafka = new Kafka({ bootstrapServers: cluster.bootstrapServers, clientId: 'list-offsets-move' });
  const admin = kafka.admin();
  await admin.connect();
  cleanups.push(() => admin.close());
  await admin.createTopics([{ topic: 't', replicaAssignment: [{ partition: 0, replicas: [1, 2] }] }]);
  const producer = kafka.producer({ acks: 'all' });
  await producer.connect();
  cleanups.push(() => producer.close());
  await Promise.all(
    Array.from({ length: RECORDS }, (_, i) => producer.send({ topic: 't', partition: 0, value: `v${i}` })),
  );
  const before = cluster.broker(2).replicaManager.getPartition('t', 0);
  expect(before?.logEndOffset).toBe(RECORDS);
  expect(before?.highWatermark).toBeLessThan(RECORDS);
  cluster.broker(2).faults.setLatency(ApiKey.Fetch, FOLLOWER_STALL_MS);
  cluster.moveLeader('t', 0, 2);
  return cluster;
}

describe('ListOffsets(latest) after a leader change', () => {
  it('is OFFSET_NOT_AVAILABLE at the new leader until its high watermark reaches the epoch start', async () => {
    const cluster = await movedLeader();
    const wire = await WireClient.connect(cluster.broker(2).address);
    cleanups.push(() => wire.close());
    wire.send(Api.ListOffsets, 7, {
      replicaId: -1,
      isolationLevel: 0,
      topics: [{ name: 't', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1 }] }],
    });
    const frame = await wire.nextFrame();
    if (!frame) throw new Error('broker 2 closed the connection instead of answering');
    const answer = decodeResponse(Api.ListOffsets, 7, frame).body.topics[0].partitions[0];
    expect(answer.errorCode).toBe(ErrorCode.OFFSET_NOT_AVAILABLE);
  });

  it('is retried by our consumer and admin, which see the end the old leader acknowledged', async () => {
    const cluster = await movedLeader();
    const kafka = new Kafka({ bootstrapServers: cluster.bootstrapServers, clientId: 'list-offsets-move' });
    const consumer = kafka.consumer({});
    await consumer.connect();
    cleanups.push(() => consumer.close());
    const tp = { topic: 't', partition: 0 };
    const ends = await consumer.endOffsets([tp]);
    expect(ends.get(tp)).toBe(RECORDS);
    const admin = kafka.admin();
    await admin.connect();
    cleanups.push(() => admin.close());
    const [listed] = await admin.listOffsets([tp], 'latest');
    expect(listed.offset).toBe(RECORDS);
  });

  it('is never an older end for librdkafka', async () => {
    requirePythonClient();
    const cluster = await movedLeader();
    const [answer] = (await runPython('watermarks.py', [cluster.bootstrapServers.join(','), 't', '0'])) as {
      error?: string;
      high?: number;
    }[];
    if (answer.error !== undefined) expect(answer.error).toBe('OFFSET_NOT_AVAILABLE');
    else expect(answer.high).toBe(RECORDS);
  });
});
