/**
 * The admin client's transaction calls against a three-broker reference cluster, with our
 * transactional producer making the transactions: listTransactions and describeTransactions for
 * an open and a committed transaction, describeProducers showing where an open transaction
 * starts, and abortTransaction ending a transaction in one partition so read_committed readers
 * move past it.
 */
import { type Cluster, startCluster } from '@tskafka/broker';
import {
  type Admin,
  InvalidProducerEpochError,
  Kafka,
  NotLeaderOrFollowerError,
  type Producer,
  TransactionalIdNotFoundError,
  UnknownTopicOrPartitionError,
} from 'tskafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endOffsetsOf, readTopic } from './read-topic.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
let cluster: Cluster;
let kafka: Kafka;
let admin: Admin;
const producers: Producer[] = [];

beforeAll(async () => {
  cluster = await startCluster({
    brokers: 3,
    logLevel: 'error',
    config: { 'transaction.state.log.num.partitions': 6, 'offsets.topic.num.partitions': 3 },
  });
  kafka = new Kafka({ bootstrapServers: cluster.bootstrapServers, clientId: 'admin-txn', logger: quiet });
  admin = kafka.admin();
  await admin.connect();
});
afterAll(async () => {
  for (const p of producers) await p.close().catch(() => {});
  await admin?.close();
  await cluster?.close();
});

async function txnProducer(transactionalId: string): Promise<Producer> {
  const p = kafka.producer({ transactionalId, transactionTimeoutMs: 45_000 });
  producers.push(p);
  await p.connect();
  await p.initTransactions();
  return p;
}

describe('admin: transactions', () => {
  it('lists and describes an open and a committed transaction', async () => {
    await admin.createTopics([{ topic: 'adm-tx', numPartitions: 2, replicationFactor: 1 }]);
    const open = await txnProducer('adm-open');
    await open.beginTransaction();
    await Promise.all([
      open.send({ topic: 'adm-tx', partition: 0, value: 'open-0' }),
      open.send({ topic: 'adm-tx', partition: 1, value: 'open-1' }),
    ]);
    const done = await txnProducer('adm-done');
    await done.beginTransaction();
    await done.send({ topic: 'adm-tx', partition: 1, value: 'done-1' });
    await done.commitTransaction();

    const listed = await admin.listTransactions();
    const ours = listed.filter((l) => l.transactionalId.startsWith('adm-'));
    expect(ours.map((l) => [l.transactionalId, l.state])).toEqual([
      ['adm-done', 'CompleteCommit'],
      ['adm-open', 'Ongoing'],
    ]);
    for (const l of ours) {
      expect(l.producerId).toBeGreaterThanOrEqual(0);
      expect([1, 2, 3]).toContain(l.coordinatorId);
    }
    const ongoing = await admin.listTransactions({ filterStates: ['Ongoing'] });
    expect(ongoing.map((l) => l.transactionalId)).toEqual(['adm-open']);
    const byPid = await admin.listTransactions({ filterProducerIds: [ours[0]?.producerId ?? -1] });
    expect(byPid.map((l) => l.transactionalId)).toEqual(['adm-done']);
    // ListTransactions v1: none of them has been running for an hour.
    expect(await admin.listTransactions({ filterOnDurationMs: 3_600_000 })).toEqual([]);

    const [openDesc, doneDesc] = await admin.describeTransactions(['adm-open', 'adm-done']);
    expect(openDesc).toMatchObject({
      transactionalId: 'adm-open',
      state: 'Ongoing',
      producerId: ours[1]?.producerId,
      coordinatorId: ours[1]?.coordinatorId,
      transactionTimeoutMs: 45_000,
      topicPartitions: [
        { topic: 'adm-tx', partition: 0 },
        { topic: 'adm-tx', partition: 1 },
      ],
    });
    expect(openDesc?.transactionStartTimeMs).toBeGreaterThan(0);
    expect(openDesc?.producerEpoch).toBeGreaterThanOrEqual(0);
    expect(doneDesc).toMatchObject({
      transactionalId: 'adm-done',
      state: 'CompleteCommit',
      topicPartitions: [],
    });

    await expect(admin.describeTransactions(['adm-never'])).rejects.toBeInstanceOf(
      TransactionalIdNotFoundError,
    );
    await open.abortTransaction();
  });

  it('describeProducers shows where an open transaction starts; abortTransaction ends it in that partition', async () => {
    await admin.createTopics([{ topic: 'adm-hang', numPartitions: 2, replicationFactor: 1 }]);
    const plain = kafka.producer({ acks: 'all' });
    producers.push(plain);
    await plain.connect();
    await plain.send({ topic: 'adm-hang', partition: 0, value: 'before' });
    const hanging = await txnProducer('adm-hanging');
    await hanging.beginTransaction();
    const first = await hanging.send({ topic: 'adm-hang', partition: 0, value: 'in-txn-0' });
    await hanging.send({ topic: 'adm-hang', partition: 1, value: 'in-txn-1' });
    await plain.send({ topic: 'adm-hang', partition: 0, value: 'after' });
    const [desc] = await admin.describeTransactions(['adm-hanging']);

    const [p0] = await admin.describeProducers([{ topic: 'adm-hang', partition: 0 }]);
    expect(p0).toMatchObject({ topic: 'adm-hang', partition: 0 });
    const txnProducerState = p0?.activeProducers.find((p) => p.producerId === desc?.producerId);
    expect(txnProducerState).toMatchObject({
      producerEpoch: desc?.producerEpoch,
      currentTransactionStartOffset: first.offset,
      lastSequence: 0,
    });
    const others = p0?.activeProducers.filter((p) => p.producerId !== desc?.producerId) ?? [];
    expect(others).toHaveLength(1);
    expect(others[0]?.currentTransactionStartOffset).toBeNull();
    // The open transaction holds read_committed readers at its first offset.
    expect(await endOffsetsOf(kafka, 'adm-hang', 2, 'read_committed')).toEqual([first.offset, 0]);

    await expect(
      admin.abortTransaction({
        topic: 'adm-hang',
        partition: 0,
        producerId: txnProducerState?.producerId ?? -1,
        producerEpoch: (txnProducerState?.producerEpoch ?? 0) - 1,
        coordinatorEpoch: 0,
      }),
    ).rejects.toBeInstanceOf(InvalidProducerEpochError);
    await admin.abortTransaction({
      topic: 'adm-hang',
      partition: 0,
      producerId: txnProducerState?.producerId ?? -1,
      producerEpoch: txnProducerState?.producerEpoch ?? -1,
      coordinatorEpoch: txnProducerState?.coordinatorEpoch ?? 0,
    });

    const [after] = await admin.describeProducers([{ topic: 'adm-hang', partition: 0 }]);
    const aborted = after?.activeProducers.find((p) => p.producerId === desc?.producerId);
    expect(aborted?.currentTransactionStartOffset).toBeNull();
    const ends = await endOffsetsOf(kafka, 'adm-hang', 2, 'read_committed');
    expect(ends[0]).toBeGreaterThan(first.offset);
    expect(ends[1]).toBe(0); // partition 1 still waits for its marker
    expect(await readTopic(kafka, 'adm-hang', 1, 'read_committed')).toEqual(['before', 'after']);

    // Asking a broker that is not the leader: its error is the answer, as in Java.
    const [topic] = await admin.describeTopics(['adm-hang']);
    const leader = topic?.partitions[0]?.leader ?? -1;
    const notLeader = [1, 2, 3].find((b) => b !== leader) ?? -1;
    await expect(
      admin.describeProducers([{ topic: 'adm-hang', partition: 0 }], { brokerId: notLeader }),
    ).rejects.toBeInstanceOf(NotLeaderOrFollowerError);
    const [fromLeader] = await admin.describeProducers([{ topic: 'adm-hang', partition: 0 }], {
      brokerId: leader,
    });
    expect(fromLeader?.activeProducers).toEqual(after?.activeProducers);

    await expect(admin.describeProducers([{ topic: 'adm-hang', partition: 7 }])).rejects.toBeInstanceOf(
      UnknownTopicOrPartitionError,
    );
    await expect(admin.describeProducers([{ topic: 'adm-none', partition: 0 }])).rejects.toBeInstanceOf(
      UnknownTopicOrPartitionError,
    );
    await hanging.abortTransaction();
  });
});
