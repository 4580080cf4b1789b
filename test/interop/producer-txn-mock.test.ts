/**
 * Our transactional producer against librdkafka's mock cluster, a transaction coordinator we did
 * not write: initTransactions, transactions over partitions led by different brokers,
 * sendOffsetsToTransaction, commit and abort all succeed, in the order of requests the mock
 * expects, and kcat reads back the committed records. The mock implements the transaction APIs
 * but neither read_committed nor fencing, so what aborted records look like to a reader and a
 * zombie producer are tested against our own broker (test/transactions-broker.test.ts).
 */
import { ApiKey } from '@tskafka/protocol';
import { Kafka, TransactionState } from 'tskafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTopicWithKcat as readWithKcat } from './kcat.js';
import { type MockCluster, startMockCluster } from './mock-cluster.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
let mock: MockCluster;

beforeAll(async () => {
  mock = await startMockCluster({
    brokers: 3,
    topics: [
      { name: 'txn-out', partitions: 3, replicationFactor: 3 },
      { name: 'txn-retry', partitions: 2, replicationFactor: 3 },
      { name: 'txn-in', partitions: 2, replicationFactor: 3 },
    ],
  });
});
afterAll(async () => {
  await mock?.close();
});

function kafka(clientId: string): Kafka {
  return new Kafka({ bootstrapServers: mock.bootstrapServers.split(','), clientId, logger: quiet });
}

describe('transactional producer against the librdkafka mock cluster', () => {
  it('init, produce, sendOffsetsToTransaction, commit and abort succeed; kcat reads the committed records', async () => {
    const producer = kafka('txn').producer({ transactionalId: 'mock-txn', lingerMs: 2, retryBackoffMs: 20 });
    await producer.connect();
    await producer.initTransactions();
    expect(producer.transactionState).toBe(TransactionState.Ready);

    const committed: string[] = [];
    for (let t = 0; t < 4; t++) {
      await producer.beginTransaction();
      const values = Array.from({ length: 30 }, (_, i) => `t${t}-${i}`);
      const sends = values.map((value, i) =>
        producer.send({ topic: 'txn-out', partition: i % 3, key: `k${i}`, value }),
      );
      await producer.sendOffsetsToTransaction(
        [
          { topic: 'txn-in', partition: 0, offset: 10 * (t + 1) },
          { topic: 'txn-in', partition: 1, offset: 5 * (t + 1), metadata: `t${t}` },
        ],
        { groupId: 'mock-group', generationId: -1, memberId: '', groupInstanceId: null },
      );
      if (t % 2 === 0) {
        await producer.commitTransaction();
        // Commit flushed first: every record of the transaction was acknowledged.
        const metas = await Promise.all(sends);
        expect(metas.every((m) => m.offset >= 0)).toBe(true);
        committed.push(...values);
      } else {
        await Promise.all(sends);
        await producer.abortTransaction();
      }
      expect(producer.transactionState).toBe(TransactionState.Ready);
    }
    await producer.close();

    // The mock has no read_committed and writes no markers: kcat sees every record written; the
    // committed ones must all be there, on the partition they were sent to.
    const read = await readWithKcat(mock.bootstrapServers, 'txn-out');
    const byValue = new Map(read.map((r) => [r.value, r]));
    for (const v of committed) {
      const r = byValue.get(v);
      expect(r, v).toBeDefined();
      expect(r?.partition).toBe(Number(v.split('-')[1]) % 3);
    }
    expect(read).toHaveLength(120);
  });

  it('abort drops records not sent yet; the next transaction commits', async () => {
    const producer = kafka('txn-abort').producer({ transactionalId: 'mock-txn-abort', lingerMs: 1000 });
    await producer.connect();
    await producer.initTransactions();
    await producer.beginTransaction();
    // linger.ms 1000: nothing is sent before the abort.
    const dropped = Promise.allSettled(
      Array.from({ length: 5 }, (_, i) =>
        producer.send({ topic: 'txn-retry', partition: 0, value: `dropped-${i}` }),
      ),
    );
    await producer.abortTransaction();
    for (const d of await dropped) {
      expect(d.status).toBe('rejected');
      expect((d as PromiseRejectedResult).reason).toMatchObject({ name: 'TransactionAbortedError' });
    }
    await producer.beginTransaction();
    const kept = producer.send({ topic: 'txn-retry', partition: 1, value: 'kept' });
    await producer.commitTransaction();
    await kept;
    await producer.close();
    const read = await readWithKcat(mock.bootstrapServers, 'txn-retry');
    expect(read.map((r) => r.value)).toEqual(['kept']);
  });

  it('retries coordinator errors inside the calls (NOT_COORDINATOR, CONCURRENT_TRANSACTIONS, COORDINATOR_LOAD_IN_PROGRESS)', async () => {
    const producer = kafka('txn-faults').producer({ transactionalId: 'mock-txn-faults', retryBackoffMs: 10 });
    await producer.connect();
    // CONCURRENT_TRANSACTIONS (51), COORDINATOR_LOAD_IN_PROGRESS (14), NOT_COORDINATOR (16).
    await mock.command(`push_request_errors ${ApiKey.InitProducerId} 2 51 14`);
    await producer.initTransactions();
    await producer.beginTransaction();
    await mock.command(`push_request_errors ${ApiKey.AddPartitionsToTxn} 2 51 16`);
    const sends = [0, 1].map((p) =>
      producer.send({ topic: 'txn-retry', partition: p, value: `retried-${p}` }),
    );
    await mock.command(`push_request_errors ${ApiKey.AddOffsetsToTxn} 1 16`);
    await mock.command(`push_request_errors ${ApiKey.TxnOffsetCommit} 1 14`);
    await producer.sendOffsetsToTransaction([{ topic: 'txn-in', partition: 0, offset: 3 }], {
      groupId: 'mock-group-2',
      generationId: -1,
      memberId: '',
      groupInstanceId: null,
    });
    await mock.command(`push_request_errors ${ApiKey.EndTxn} 2 16 51`);
    await producer.commitTransaction();
    await Promise.all(sends);
    await producer.close();
    const values = (await readWithKcat(mock.bootstrapServers, 'txn-retry')).map((r) => r.value);
    expect(values).toEqual(expect.arrayContaining(['retried-0', 'retried-1']));
  });
});
