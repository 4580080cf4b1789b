/**
 * Transactions end to end, our producer and consumer against our reference broker: what
 * read_committed and read_uncommitted readers see of committed, aborted and open transactions;
 * the last stable offset; offsets sent to a transaction becoming the group's only on commit; a
 * zombie fenced by a newer producer with the same transactional id; a transaction left open past
 * its timeout aborted by the coordinator; a transaction that spans partitions on three brokers;
 * and transaction state across a broker restart with a data dir.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Cluster, startCluster } from '@tskafka/broker';
import { Kafka, type Producer } from 'tskafka';
import { afterEach, describe, expect, it } from 'vitest';
import { endOffsetsOf as endOffsets, readTopic as readAll } from './read-topic.js';
import { until } from './until.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const BROKER_CONFIG = {
  'group.initial.rebalance.delay.ms': 0,
  'transaction.state.log.num.partitions': 4,
  'offsets.topic.num.partitions': 4,
  'transaction.abort.timed.out.transaction.cleanup.interval.ms': 100,
};

async function cluster(brokers = 1, dataDir?: string): Promise<Cluster> {
  const c = await startCluster({ brokers, config: BROKER_CONFIG, dataDir, logLevel: 'error' });
  cleanups.push(() => c.close());
  return c;
}

function kafkaOf(c: Cluster, clientId = 'txn-test'): Kafka {
  return new Kafka({ bootstrapServers: c.bootstrapServers, clientId, logger: quiet });
}

async function txnProducer(kafka: Kafka, transactionalId: string, timeoutMs?: number): Promise<Producer> {
  const producer = kafka.producer({
    transactionalId,
    transactionTimeoutMs: timeoutMs,
    retryBackoffMs: 20,
  });
  cleanups.push(() => producer.close().catch(() => undefined));
  await producer.connect();
  await producer.initTransactions();
  return producer;
}

describe('transactions against the reference broker', () => {
  it('read_committed sees committed transactions and never aborted ones; read_uncommitted sees both', async () => {
    const c = await cluster();
    c.metadata.createTopic('tx-basic', { numPartitions: 2, replicationFactor: 1 });
    const kafka = kafkaOf(c);
    const producer = await txnProducer(kafka, 'tx-basic');
    await producer.beginTransaction();
    for (let i = 0; i < 6; i++) producer.send({ topic: 'tx-basic', partition: i % 2, value: `c1-${i}` });
    await producer.commitTransaction();
    await producer.beginTransaction();
    for (let i = 0; i < 6; i++) producer.send({ topic: 'tx-basic', partition: i % 2, value: `a-${i}` });
    await producer.flush();
    await producer.abortTransaction();
    await producer.beginTransaction();
    await producer.send({ topic: 'tx-basic', partition: 0, value: 'c2-0' });
    await producer.commitTransaction();

    const committed = await readAll(kafka, 'tx-basic', 2, 'read_committed');
    expect([...committed].sort()).toEqual(['c1-0', 'c1-1', 'c1-2', 'c1-3', 'c1-4', 'c1-5', 'c2-0']);
    const all = await readAll(kafka, 'tx-basic', 2, 'read_uncommitted');
    expect(all.filter((v) => v.startsWith('a-')).sort()).toEqual(['a-0', 'a-1', 'a-2', 'a-3', 'a-4', 'a-5']);
    expect(all.length).toBe(13);
  });

  it('read_committed stops at the last stable offset while a transaction is open', async () => {
    const c = await cluster();
    c.metadata.createTopic('tx-lso', { numPartitions: 1, replicationFactor: 1 });
    const kafka = kafkaOf(c);
    const plain = kafka.producer();
    cleanups.push(() => plain.close());
    await plain.connect();
    await plain.send({ topic: 'tx-lso', value: 'before' });
    const producer = await txnProducer(kafka, 'tx-lso');
    await producer.beginTransaction();
    await producer.send({ topic: 'tx-lso', value: 'open-0' });
    await producer.send({ topic: 'tx-lso', value: 'open-1' });
    // A plain record after the open transaction: above the LSO, so read_committed waits for it.
    await plain.send({ topic: 'tx-lso', value: 'after' });

    expect(await endOffsets(kafka, 'tx-lso', 1, 'read_uncommitted')).toEqual([4]);
    expect(await endOffsets(kafka, 'tx-lso', 1, 'read_committed')).toEqual([1]);
    expect(await readAll(kafka, 'tx-lso', 1, 'read_committed')).toEqual(['before']);
    expect(await readAll(kafka, 'tx-lso', 1, 'read_uncommitted')).toEqual([
      'before',
      'open-0',
      'open-1',
      'after',
    ]);

    await producer.commitTransaction();
    // The commit marker takes offset 4; the LSO is the high watermark again.
    expect(await endOffsets(kafka, 'tx-lso', 1, 'read_committed')).toEqual([5]);
    expect(await readAll(kafka, 'tx-lso', 1, 'read_committed')).toEqual([
      'before',
      'open-0',
      'open-1',
      'after',
    ]);
  });

  it('offsets sent to a transaction become the group’s only when it commits', async () => {
    const c = await cluster();
    c.metadata.createTopic('tx-in', { numPartitions: 1, replicationFactor: 1 });
    c.metadata.createTopic('tx-out', { numPartitions: 1, replicationFactor: 1 });
    const kafka = kafkaOf(c);
    const plain = kafka.producer();
    cleanups.push(() => plain.close());
    await plain.connect();
    await Promise.all(Array.from({ length: 10 }, (_, i) => plain.send({ topic: 'tx-in', value: `in-${i}` })));
    const consumer = kafka.consumer({
      groupId: 'tx-group',
      enableAutoCommit: false,
      autoOffsetReset: 'earliest',
      isolationLevel: 'read_committed',
    });
    cleanups.push(() => consumer.close());
    await consumer.connect();
    await consumer.subscribe(['tx-in']);
    const admin = kafka.admin();
    cleanups.push(() => admin.close());
    await admin.connect();
    const groupOffset = async () =>
      (await admin.listConsumerGroupOffsets('tx-group')).find((o) => o.topic === 'tx-in')?.offset ?? null;

    const producer = await txnProducer(kafka, 'tx-offsets');
    const records = [];
    while (records.length < 10) records.push(...(await consumer.poll(200)));

    await producer.beginTransaction();
    producer.send({ topic: 'tx-out', value: 'first-half' });
    await producer.sendOffsetsToTransaction(
      [{ topic: 'tx-in', partition: 0, offset: 5 }],
      consumer.groupMetadata(),
    );
    expect(await groupOffset()).toBe(null);
    await producer.abortTransaction();
    expect(await groupOffset()).toBe(null);

    await producer.beginTransaction();
    producer.send({ topic: 'tx-out', value: 'all' });
    await producer.sendOffsetsToTransaction(
      [{ topic: 'tx-in', partition: 0, offset: 10 }],
      consumer.groupMetadata(),
    );
    await producer.commitTransaction();
    expect(await groupOffset()).toBe(10);
    const committed = await consumer.committed([{ topic: 'tx-in', partition: 0 }]);
    expect([...committed.values()][0]?.offset).toBe(10);
    expect(await readAll(kafka, 'tx-out', 1, 'read_committed')).toEqual(['all']);
  });

  it('a newer producer with the same transactional id fences the zombie and aborts its transaction', async () => {
    const c = await cluster();
    c.metadata.createTopic('tx-zombie', { numPartitions: 1, replicationFactor: 1 });
    const kafka = kafkaOf(c);
    const zombie = await txnProducer(kafka, 'tx-zombie');
    await zombie.beginTransaction();
    await zombie.send({ topic: 'tx-zombie', value: 'zombie' });

    const successor = await txnProducer(kafka, 'tx-zombie');
    await successor.beginTransaction();
    await successor.send({ topic: 'tx-zombie', value: 'successor' });
    await successor.commitTransaction();

    await expect(zombie.commitTransaction()).rejects.toMatchObject({ name: 'ProducerFencedError' });
    // Fatal: the fenced producer refuses everything after, and must be closed.
    await expect(zombie.beginTransaction()).rejects.toMatchObject({ name: 'ProducerFencedError' });
    expect(await readAll(kafka, 'tx-zombie', 1, 'read_committed')).toEqual(['successor']);
    expect(await readAll(kafka, 'tx-zombie', 1, 'read_uncommitted')).toEqual(['zombie', 'successor']);
  });

  it('the coordinator aborts a transaction left open past its timeout', async () => {
    const c = await cluster();
    c.metadata.createTopic('tx-timeout', { numPartitions: 1, replicationFactor: 1 });
    const kafka = kafkaOf(c);
    const producer = await txnProducer(kafka, 'tx-timeout', 1000);
    await producer.beginTransaction();
    await producer.send({ topic: 'tx-timeout', value: 'forgotten' });
    expect(await endOffsets(kafka, 'tx-timeout', 1, 'read_committed')).toEqual([0]);
    // No commit: after transaction.timeout.ms the coordinator writes an ABORT marker (offset 1).
    await until(
      'the timed-out transaction to be aborted',
      async () => (await endOffsets(kafka, 'tx-timeout', 1, 'read_committed'))[0] === 2,
    );
    expect(await readAll(kafka, 'tx-timeout', 1, 'read_committed')).toEqual([]);
    // The coordinator bumped the epoch when it aborted: the late commit is refused.
    await expect(producer.commitTransaction()).rejects.toThrow();
  });

  it('a transaction over partitions led by three brokers commits and aborts on all of them', async () => {
    const c = await cluster(3);
    c.metadata.createTopic('tx-spread', { numPartitions: 6, replicationFactor: 1 });
    const leaders = new Set(c.metadata.topics.get('tx-spread')?.partitions.map((p) => p.leader));
    expect(leaders.size).toBe(3);
    const kafka = kafkaOf(c);
    const producer = await txnProducer(kafka, 'tx-spread');
    await producer.beginTransaction();
    for (let p = 0; p < 6; p++) producer.send({ topic: 'tx-spread', partition: p, value: `commit-${p}` });
    await producer.commitTransaction();
    await producer.beginTransaction();
    for (let p = 0; p < 6; p++) producer.send({ topic: 'tx-spread', partition: p, value: `abort-${p}` });
    await producer.flush();
    await producer.abortTransaction();
    expect([...(await readAll(kafka, 'tx-spread', 6, 'read_committed'))].sort()).toEqual(
      Array.from({ length: 6 }, (_, p) => `commit-${p}`),
    );
    // Every partition holds its two transactions' records or none, and two markers; the LSO is
    // the high watermark everywhere: no marker is missing.
    const hw = await endOffsets(kafka, 'tx-spread', 6, 'read_uncommitted');
    expect(hw).toEqual([4, 4, 4, 4, 4, 4]);
    expect(await endOffsets(kafka, 'tx-spread', 6, 'read_committed')).toEqual(hw);
    expect((await readAll(kafka, 'tx-spread', 6, 'read_uncommitted')).length).toBe(12);
  });

  it('an open transaction survives a broker restart; the next producer with its id aborts it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tskafka-txn-restart-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    let c = await cluster(1, dir);
    c.metadata.createTopic('tx-restart', { numPartitions: 1, replicationFactor: 1 });
    let kafka = kafkaOf(c);
    const first = await txnProducer(kafka, 'tx-restart');
    await first.beginTransaction();
    await first.send({ topic: 'tx-restart', value: 'committed' });
    await first.commitTransaction();
    await first.beginTransaction();
    await first.send({ topic: 'tx-restart', value: 'open' });
    await first.close({ timeoutMs: 0 }).catch(() => undefined);
    await c.close();

    c = await cluster(1, dir);
    kafka = kafkaOf(c);
    // Still open after the restart: read_committed stops after the first transaction's marker.
    expect(await endOffsets(kafka, 'tx-restart', 1, 'read_committed')).toEqual([2]);
    const second = await txnProducer(kafka, 'tx-restart');
    await until(
      'the open transaction to be aborted',
      async () => (await endOffsets(kafka, 'tx-restart', 1, 'read_committed'))[0] === 4,
    );
    await second.beginTransaction();
    await second.send({ topic: 'tx-restart', value: 'after-restart' });
    await second.commitTransaction();
    expect(await readAll(kafka, 'tx-restart', 1, 'read_committed')).toEqual(['committed', 'after-restart']);
  });
});
