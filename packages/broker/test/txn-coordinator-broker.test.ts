/**
 * The transaction coordinator through the broker's port: FindCoordinator for transactional ids,
 * InitProducerId / AddPartitionsToTxn / AddOffsetsToTxn / EndTxn over every version they serve,
 * a transaction over partitions led by three brokers (markers cross brokers as WriteTxnMarkers
 * requests), and a restart with a data directory in the middle of transactions.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCode } from '@tskafka/protocol';
import { Api, decodeRecordBatches, encodeRecordBatch } from '@tskafka/protocol/internals';
import { afterEach, describe, expect, it } from 'vitest';
import { WireClient } from '../../../test/interop/wire-client.js';
import { type Cluster, startBroker, startCluster } from '../src/broker.js';

const quiet = { logLevel: 'silent' as const };
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function client(address: string): Promise<WireClient> {
  const c = await WireClient.connect(address);
  cleanups.push(() => c.close());
  return c;
}

/** The coordinator's connection for `transactionalId`, found with FindCoordinator v3. */
async function coordinatorOf(
  cluster: Cluster,
  transactionalId: string,
): Promise<{ c: WireClient; nodeId: number }> {
  const any = await client(cluster.bootstrapServers[0]);
  const r = await any.request(Api.FindCoordinator, 3, { key: transactionalId, keyType: 1 });
  expect(r.errorCode).toBe(0);
  return { c: await client(`${r.host}:${r.port}`), nodeId: r.nodeId };
}

/** Until `check` holds (the coordinator writes markers after answering EndTxn). */
async function eventually(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((r) => setTimeout(r, 10));
}

async function state(c: WireClient, id: string) {
  const r = await c.request(Api.DescribeTransactions, 0, { transactionalIds: [id] });
  return r.transactionStates[0];
}

/** Produces one transactional batch of `values` to a partition through its leader. */
async function produceTxn(
  cluster: Cluster,
  topic: string,
  partition: number,
  txn: { id: string; producerId: number; producerEpoch: number; sequence: number },
  values: string[],
): Promise<number> {
  const leader = cluster.metadata.topics.get(topic)?.partitions[partition].leader as number;
  const c = await client(cluster.broker(leader).address);
  const records = encodeRecordBatch({
    producerId: txn.producerId,
    producerEpoch: txn.producerEpoch,
    baseSequence: txn.sequence,
    isTransactional: true,
    records: values.map((v) => ({ key: null, value: Buffer.from(v) })),
  });
  const r = await c.request(Api.Produce, 9, {
    transactionalId: txn.id,
    acks: -1,
    timeoutMs: 5000,
    topicData: [{ name: topic, partitionData: [{ index: partition, records }] }],
  });
  return r.responses[0].partitionResponses[0].errorCode;
}

/** The data records a read_committed consumer sees in a partition, and its last stable offset. */
async function readCommitted(cluster: Cluster, topic: string, partition: number) {
  const leader = cluster.metadata.topics.get(topic)?.partitions[partition].leader as number;
  const c = await client(cluster.broker(leader).address);
  const r = await c.request(Api.Fetch, 4, {
    maxWaitMs: 0,
    minBytes: 0,
    isolationLevel: 1,
    topics: [{ topic, partitions: [{ partition, fetchOffset: 0, partitionMaxBytes: 1 << 20 }] }],
  });
  const p = r.responses[0].partitions[0];
  // As a consumer does: a producer's batches are aborted from the first offset of an aborted
  // transaction until its next control batch (the ABORT marker).
  const aborted = [...(p.abortedTransactions ?? [])].sort((a, b) => a.firstOffset - b.firstOffset);
  const aborting = new Set<number>();
  const values: string[] = [];
  for (const b of decodeRecordBatches(Buffer.from(p.records ?? Buffer.alloc(0)))) {
    while (aborted.length > 0 && aborted[0].firstOffset <= b.baseOffset + b.lastOffsetDelta) {
      aborting.add((aborted.shift() as { producerId: number }).producerId);
    }
    if (b.isControl) {
      aborting.delete(b.producerId);
      continue;
    }
    if (b.isTransactional && aborting.has(b.producerId)) continue;
    for (const rec of b.records) values.push(Buffer.from(rec.value ?? Buffer.alloc(0)).toString());
  }
  return { values, lastStableOffset: p.lastStableOffset, highWatermark: p.highWatermark };
}

describe('transaction coordinator over the wire', () => {
  it('FindCoordinator key type 1 creates __transaction_state and answers the leader of hash(id) (v0-6)', async () => {
    const b = await startBroker({ ...quiet, config: { 'transaction.state.log.num.partitions': 5 } });
    cleanups.push(() => b.close());
    const c = await client(b.bootstrapServers[0]);
    for (const v of [1, 2, 3]) {
      expect(await c.request(Api.FindCoordinator, v, { key: 'tx', keyType: 1 })).toMatchObject({
        errorCode: 0,
        nodeId: 1,
        port: b.node.port,
      });
    }
    const topic = b.node.metadata.topics.get('__transaction_state');
    expect(topic?.partitions).toHaveLength(5);
    expect(topic?.internal).toBe(true);
    for (const v of [4, 5, 6]) {
      const r = await c.request(Api.FindCoordinator, v, { keyType: 1, coordinatorKeys: ['a', 'b'] });
      expect(r.coordinators.map((x) => [x.key, x.errorCode, x.nodeId])).toEqual([
        ['a', 0, 1],
        ['b', 0, 1],
      ]);
    }
  });

  it('serves InitProducerId, AddPartitionsToTxn, AddOffsetsToTxn and EndTxn at every version', async () => {
    const b = await startBroker({
      ...quiet,
      config: { 'transaction.state.log.num.partitions': 3, 'offsets.topic.num.partitions': 3 },
    });
    cleanups.push(() => b.close());
    b.node.metadata.createTopic('t', { numPartitions: 2, replicationFactor: 1 });
    const c = await client(b.bootstrapServers[0]);
    await c.request(Api.FindCoordinator, 3, { key: 'x', keyType: 1 });
    for (let v = 0; v <= 5; v++) {
      const id = `tx-v${v}`;
      const init = await c.request(Api.InitProducerId, v, {
        transactionalId: id,
        transactionTimeoutMs: 60_000,
      });
      expect(init).toMatchObject({ errorCode: 0, producerEpoch: 0 });
      const pid = init.producerId;
      const apv = Math.min(v, 5);
      const add =
        apv < 4
          ? (
              await c.request(Api.AddPartitionsToTxn, apv, {
                v3AndBelowTransactionalId: id,
                v3AndBelowProducerId: pid,
                v3AndBelowProducerEpoch: 0,
                v3AndBelowTopics: [{ name: 't', partitions: [0, 1] }],
              })
            ).resultsByTopicV3AndBelow
          : (
              await c.request(Api.AddPartitionsToTxn, apv, {
                transactions: [
                  {
                    transactionalId: id,
                    producerId: pid,
                    producerEpoch: 0,
                    verifyOnly: false,
                    topics: [{ name: 't', partitions: [0, 1] }],
                  },
                ],
              })
            ).resultsByTransaction[0].topicResults;
      expect(add).toEqual([
        { name: 't', resultsByPartition: [0, 1].map((p) => ({ partitionIndex: p, partitionErrorCode: 0 })) },
      ]);
      const aov = Math.min(v, 4);
      expect(
        (
          await c.request(Api.AddOffsetsToTxn, aov, {
            transactionalId: id,
            producerId: pid,
            producerEpoch: 0,
            groupId: 'g',
          })
        ).errorCode,
      ).toBe(0);
      expect((await state(c, id)).topics.map((t) => t.topic).sort()).toEqual(['__consumer_offsets', 't']);
      // A stale epoch: PRODUCER_FENCED from v2 of EndTxn, INVALID_PRODUCER_EPOCH before.
      const env = Math.min(v, 4);
      const stale = await c.request(Api.EndTxn, env, {
        transactionalId: id,
        producerId: pid,
        producerEpoch: 5,
        committed: true,
      });
      expect(stale.errorCode).toBe(env >= 2 ? ErrorCode.PRODUCER_FENCED : ErrorCode.INVALID_PRODUCER_EPOCH);
      const end = await c.request(Api.EndTxn, env, {
        transactionalId: id,
        producerId: pid,
        producerEpoch: 0,
        committed: false,
      });
      expect(end.errorCode).toBe(0);
    }
  });

  it('refuses a whole AddPartitionsToTxn naming an unknown partition', async () => {
    const b = await startBroker({ ...quiet, config: { 'transaction.state.log.num.partitions': 3 } });
    cleanups.push(() => b.close());
    b.node.metadata.createTopic('t', { numPartitions: 1, replicationFactor: 1 });
    const c = await client(b.bootstrapServers[0]);
    await c.request(Api.FindCoordinator, 3, { key: 'tx', keyType: 1 });
    const init = await c.request(Api.InitProducerId, 4, {
      transactionalId: 'tx',
      transactionTimeoutMs: 60_000,
    });
    const r = await c.request(Api.AddPartitionsToTxn, 3, {
      v3AndBelowTransactionalId: 'tx',
      v3AndBelowProducerId: init.producerId,
      v3AndBelowProducerEpoch: init.producerEpoch,
      v3AndBelowTopics: [
        { name: 't', partitions: [0, 7] },
        { name: 'nope', partitions: [0] },
      ],
    });
    expect(r.resultsByTopicV3AndBelow).toEqual([
      {
        name: 't',
        resultsByPartition: [
          { partitionIndex: 0, partitionErrorCode: ErrorCode.OPERATION_NOT_ATTEMPTED },
          { partitionIndex: 7, partitionErrorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION },
        ],
      },
      {
        name: 'nope',
        resultsByPartition: [{ partitionIndex: 0, partitionErrorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION }],
      },
    ]);
    expect((await state(c, 'tx')).transactionState).toBe('Empty');
    // Old clients get INVALID_PRODUCER_EPOCH where new ones get PRODUCER_FENCED.
    for (const [v, code] of [
      [3, ErrorCode.INVALID_PRODUCER_EPOCH],
      [4, ErrorCode.PRODUCER_FENCED],
    ] as const) {
      const again = await c.request(Api.InitProducerId, v, {
        transactionalId: 'tx',
        transactionTimeoutMs: 60_000,
        producerId: init.producerId + 100,
        producerEpoch: 0,
      });
      expect(again.errorCode).toBe(code);
    }
  });

  it('commits a transaction over partitions led by three brokers, markers crossing brokers', async () => {
    const cluster = await startCluster({
      ...quiet,
      brokers: 3,
      config: { 'transaction.state.log.num.partitions': 3 },
    });
    cleanups.push(() => cluster.close());
    cluster.metadata.createTopic('orders', {
      numPartitions: 3,
      replicationFactor: 1,
      assignments: [[1], [2], [3]],
    });
    const id = 'orders-tx';
    // One partition per broker: two of them are led by brokers other than the coordinator.
    const { c } = await coordinatorOf(cluster, id);
    const init = await c.request(Api.InitProducerId, 4, {
      transactionalId: id,
      transactionTimeoutMs: 60_000,
    });
    const txn = { id, producerId: init.producerId, producerEpoch: init.producerEpoch, sequence: 0 };
    const add = await c.request(Api.AddPartitionsToTxn, 3, {
      v3AndBelowTransactionalId: id,
      v3AndBelowProducerId: init.producerId,
      v3AndBelowProducerEpoch: init.producerEpoch,
      v3AndBelowTopics: [{ name: 'orders', partitions: [0, 1, 2] }],
    });
    expect(add.resultsByTopicV3AndBelow[0].resultsByPartition.map((p) => p.partitionErrorCode)).toEqual([
      0, 0, 0,
    ]);
    for (const p of [0, 1, 2]) expect(await produceTxn(cluster, 'orders', p, txn, [`o${p}`])).toBe(0);
    for (const p of [0, 1, 2]) expect((await readCommitted(cluster, 'orders', p)).values).toEqual([]);
    const end = await c.request(Api.EndTxn, 3, {
      transactionalId: id,
      producerId: txn.producerId,
      producerEpoch: 0,
      committed: true,
    });
    expect(end.errorCode).toBe(0);
    await eventually(async () => (await state(c, id)).transactionState === 'CompleteCommit');
    for (const p of [0, 1, 2]) {
      const r = await readCommitted(cluster, 'orders', p);
      expect(r.values).toEqual([`o${p}`]);
      expect(r.lastStableOffset).toBe(r.highWatermark); // data + the COMMIT marker
    }
    // The next transaction of the same producer aborts; nothing of it becomes visible.
    await c.request(Api.AddPartitionsToTxn, 3, {
      v3AndBelowTransactionalId: id,
      v3AndBelowProducerId: txn.producerId,
      v3AndBelowProducerEpoch: 0,
      v3AndBelowTopics: [{ name: 'orders', partitions: [0, 1, 2] }],
    });
    for (const p of [0, 1, 2])
      expect(await produceTxn(cluster, 'orders', p, { ...txn, sequence: 1 }, ['x'])).toBe(0);
    await c.request(Api.EndTxn, 3, {
      transactionalId: id,
      producerId: txn.producerId,
      producerEpoch: 0,
      committed: false,
    });
    await eventually(async () => (await state(c, id)).transactionState === 'CompleteAbort');
    for (const p of [0, 1, 2]) expect((await readCommitted(cluster, 'orders', p)).values).toEqual([`o${p}`]);
  });

  it('recovers transactions after a restart with a data dir and completes a PrepareCommit', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tskafka-txn-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const config = { 'transaction.state.log.num.partitions': 1 };
    let cluster = await startCluster({ ...quiet, brokers: 2, dataDir, config });
    let closed = false;
    cleanups.push(() => (closed ? undefined : cluster.close()));
    const committing = 'committing-tx';
    const open = 'open-tx';
    const { c, nodeId: coord } = await coordinatorOf(cluster, committing);
    expect((await coordinatorOf(cluster, open)).nodeId).toBe(coord);
    const other = coord === 1 ? 2 : 1;
    // One partition on the coordinator's broker, one on the other broker.
    const assignments = [[coord], [other]];
    cluster.metadata.createTopic('t', { numPartitions: 2, replicationFactor: 1, assignments });
    const inits: Record<string, { producerId: number; producerEpoch: number }> = {};
    for (const id of [committing, open]) {
      const init = await c.request(Api.InitProducerId, 4, {
        transactionalId: id,
        transactionTimeoutMs: 600_000,
      });
      inits[id] = init;
      await c.request(Api.AddPartitionsToTxn, 3, {
        v3AndBelowTransactionalId: id,
        v3AndBelowProducerId: init.producerId,
        v3AndBelowProducerEpoch: init.producerEpoch,
        v3AndBelowTopics: [{ name: 't', partitions: [0, 1] }],
      });
      for (const p of [0, 1]) {
        expect(await produceTxn(cluster, 't', p, { id, ...init, sequence: 0 }, [`${id}-${p}`])).toBe(0);
      }
    }
    // The other broker goes away, so the commit cannot finish before the whole cluster stops.
    await cluster.stopBroker(other);
    const end = await c.request(Api.EndTxn, 3, {
      transactionalId: committing,
      producerId: inits[committing].producerId,
      producerEpoch: 0,
      committed: true,
    });
    expect(end.errorCode).toBe(0);
    expect((await state(c, committing)).transactionState).toBe('PrepareCommit');
    await cluster.close();
    closed = true;

    cluster = await startCluster({ ...quiet, brokers: 2, dataDir, config });
    closed = false;
    const again = await coordinatorOf(cluster, committing);
    await eventually(async () => (await state(again.c, committing)).transactionState === 'CompleteCommit');
    for (const p of [0, 1]) {
      expect((await readCommitted(cluster, 't', p)).values).toEqual([`${committing}-${p}`]);
    }
    expect(await state(again.c, open)).toMatchObject({
      errorCode: 0,
      transactionState: 'Ongoing',
      producerId: inits[open].producerId,
      producerEpoch: 0,
      topics: [{ topic: 't', partitions: [0, 1] }],
    });
    // A new producer for the open transactional id fences the old one and aborts its transaction.
    const fence = await again.c.request(Api.InitProducerId, 4, {
      transactionalId: open,
      transactionTimeoutMs: 60_000,
    });
    expect(fence.errorCode).toBe(ErrorCode.CONCURRENT_TRANSACTIONS);
    await eventually(async () => (await state(again.c, open)).transactionState === 'CompleteAbort');
    const next = await again.c.request(Api.InitProducerId, 4, {
      transactionalId: open,
      transactionTimeoutMs: 60_000,
    });
    expect(next).toMatchObject({ errorCode: 0, producerId: inits[open].producerId, producerEpoch: 2 });
    for (const p of [0, 1]) {
      expect((await readCommitted(cluster, 't', p)).values).toEqual([`${committing}-${p}`]);
    }
  });
});
