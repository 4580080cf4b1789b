/**
 * DescribeProducers over the broker's port: the producers of a partition's producer state, with
 * the open transaction's first offset until its marker, the coordinator epoch of the last marker,
 * and Kafka's per-partition errors for unknown topics and partitions and for partitions another
 * broker leads.
 */

import { ErrorCode } from '@tskafka/protocol';
import { Api, encodeRecordBatch } from '@tskafka/protocol/internals';
import { afterEach, describe, expect, it } from 'vitest';
import { WireClient } from '../../../test/interop/wire-client.js';
import { startCluster } from '../src/broker.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function cluster(brokers = 1) {
  const c = await startCluster({
    brokers,
    logLevel: 'silent',
    config: { 'offsets.topic.num.partitions': 1 },
  });
  cleanups.push(() => c.close());
  const clients: WireClient[] = [];
  for (const address of c.bootstrapServers) {
    const client = await WireClient.connect(address);
    cleanups.push(() => client.close());
    clients.push(client);
  }
  return { c, clients };
}

async function produce(
  c: WireClient,
  topic: string,
  values: string[],
  producer: { producerId: number; producerEpoch: number; sequence: number; transactional: boolean },
): Promise<number> {
  const records = encodeRecordBatch({
    producerId: producer.producerId,
    producerEpoch: producer.producerEpoch,
    baseSequence: producer.sequence,
    isTransactional: producer.transactional,
    records: values.map((v) => ({ value: v })),
  });
  const r = await c.request(Api.Produce, 9, {
    transactionalId: producer.transactional ? 'tx' : null,
    acks: -1,
    timeoutMs: 5000,
    topicData: [{ name: topic, partitionData: [{ index: 0, records }] }],
  });
  expect(r.responses[0].partitionResponses[0].errorCode).toBe(0);
  return Number(r.responses[0].partitionResponses[0].baseOffset);
}

async function describeProducers(c: WireClient, topics: { name: string; partitionIndexes: number[] }[]) {
  const r = await c.request(Api.DescribeProducers, 0, { topics });
  return r.topics.flatMap((t) =>
    t.partitions.map((p) => ({
      topic: t.name,
      partition: p.partitionIndex,
      errorCode: p.errorCode,
      producers: p.activeProducers.map((a) => ({ ...a })),
    })),
  );
}

describe('DescribeProducers', () => {
  it('shows each producer, and the open transaction from its first offset until the marker', async () => {
    const { c, clients } = await cluster();
    const [client] = clients;
    c.metadata.createTopic('dp', { numPartitions: 1, replicationFactor: 1 });
    await produce(client, 'dp', ['a', 'b'], {
      producerId: 7,
      producerEpoch: 0,
      sequence: 0,
      transactional: false,
    });
    const txnStart = await produce(client, 'dp', ['t1', 't2', 't3'], {
      producerId: 9,
      producerEpoch: 2,
      sequence: 0,
      transactional: true,
    });
    expect(txnStart).toBe(2);

    const [open] = await describeProducers(client, [{ name: 'dp', partitionIndexes: [0] }]);
    expect(open.errorCode).toBe(0);
    const byId = new Map(open.producers.map((p) => [p.producerId, p]));
    expect(byId.get(7)).toMatchObject({
      producerEpoch: 0,
      lastSequence: 1,
      coordinatorEpoch: -1,
      currentTxnStartOffset: -1,
    });
    expect(byId.get(9)).toMatchObject({
      producerEpoch: 2,
      lastSequence: 2,
      coordinatorEpoch: -1,
      currentTxnStartOffset: 2,
    });
    expect(byId.get(9)?.lastTimestamp).toBeGreaterThan(0);

    const m = await client.request(Api.WriteTxnMarkers, 1, {
      markers: [
        {
          producerId: 9,
          producerEpoch: 2,
          transactionResult: true,
          topics: [{ name: 'dp', partitionIndexes: [0] }],
          coordinatorEpoch: 3,
        },
      ],
    });
    expect(m.markers[0].topics[0].partitions[0].errorCode).toBe(0);
    const [closed] = await describeProducers(client, [{ name: 'dp', partitionIndexes: [0] }]);
    expect(closed.producers.find((p) => p.producerId === 9)).toMatchObject({
      producerEpoch: 2,
      coordinatorEpoch: 3,
      currentTxnStartOffset: -1,
    });
  });

  it('answers UNKNOWN_TOPIC_OR_PARTITION and NOT_LEADER_OR_FOLLOWER per partition', async () => {
    const { c, clients } = await cluster(2);
    const topic = c.metadata.createTopic('spread', { numPartitions: 2, replicationFactor: 1 });
    const ledBy2 = topic.partitions.findIndex((p) => p.leader === 2);
    const ledBy1 = topic.partitions.findIndex((p) => p.leader === 1);
    expect(ledBy1).toBeGreaterThanOrEqual(0);
    expect(ledBy2).toBeGreaterThanOrEqual(0);
    const node1 = clients[0];
    const results = await describeProducers(node1, [
      { name: 'spread', partitionIndexes: [ledBy1, ledBy2, 9] },
      { name: 'missing', partitionIndexes: [0] },
    ]);
    expect(results.map((r) => [r.topic, r.partition, r.errorCode])).toEqual([
      ['spread', ledBy1, ErrorCode.NONE],
      ['spread', ledBy2, ErrorCode.NOT_LEADER_OR_FOLLOWER],
      ['spread', 9, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
      ['missing', 0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
    ]);
    expect(results[0].producers).toEqual([]);
  });
});
