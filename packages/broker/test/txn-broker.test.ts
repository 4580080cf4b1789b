/**
 * Transactions seen through the broker's port: WriteTxnMarkers as the coordinator sends it, Fetch
 * and ListOffsets by isolation level (last stable offset, aborted transactions), a read_committed
 * fetch woken by a marker, and TxnOffsetCommit offsets that OffsetFetch shows only once their
 * transaction commits, also across a restart on a data directory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCode } from '@tskafka/protocol';
import { Api, decodeRecordBatches, encodeRecordBatch } from '@tskafka/protocol/internals';
import { afterEach, describe, expect, it } from 'vitest';
import { runKcat } from '../../../test/interop/kcat.js';
import { WireClient } from '../../../test/interop/wire-client.js';
import { type RunningBroker, startBroker } from '../src/broker.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const CONFIG = { 'offsets.topic.num.partitions': 1, 'num.partitions': 1 };

async function broker(dataDir?: string): Promise<{ b: RunningBroker; c: WireClient }> {
  const b = await startBroker({ logLevel: 'silent', config: CONFIG, ...(dataDir ? { dataDir } : {}) });
  cleanups.push(() => b.close());
  const c = await WireClient.connect(b.bootstrapServers[0]);
  cleanups.push(() => c.close());
  return { b, c };
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tskafka-txn-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function createTopic(c: WireClient, name: string): Promise<void> {
  const r = await c.request(Api.CreateTopics, 4, {
    topics: [{ name, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }],
    timeoutMs: 5000,
    validateOnly: false,
  });
  expect(r.topics[0].errorCode).toBe(0);
}

async function produce(
  c: WireClient,
  topic: string,
  values: string[],
  txn?: { producerId: number; producerEpoch: number; sequence: number },
): Promise<number> {
  const records = encodeRecordBatch({
    ...(txn
      ? { producerId: txn.producerId, producerEpoch: txn.producerEpoch, baseSequence: txn.sequence }
      : {}),
    isTransactional: txn !== undefined,
    records: values.map((v) => ({ value: v })),
  });
  const r = await c.request(Api.Produce, 9, {
    transactionalId: txn ? 'tx' : null,
    acks: -1,
    timeoutMs: 5000,
    topicData: [{ name: topic, partitionData: [{ index: 0, records }] }],
  });
  expect(r.responses[0].partitionResponses[0].errorCode).toBe(0);
  return Number(r.responses[0].partitionResponses[0].baseOffset);
}

async function markers(
  c: WireClient,
  producerId: number,
  committed: boolean,
  topics: { name: string; partitionIndexes: number[] }[],
  producerEpoch = 0,
) {
  const r = await c.request(Api.WriteTxnMarkers, 1, {
    markers: [{ producerId, producerEpoch, transactionResult: committed, topics, coordinatorEpoch: 0 }],
  });
  return r.markers[0].topics.flatMap((t) =>
    t.partitions.map((p) => ({ topic: t.name, partition: p.partitionIndex, errorCode: p.errorCode })),
  );
}

function fetchRequest(topic: string, offset: number, isolationLevel: number, maxWaitMs = 0, minBytes = 0) {
  return {
    replicaId: -1,
    maxWaitMs,
    minBytes,
    maxBytes: 1 << 20,
    isolationLevel,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [
      {
        topic,
        partitions: [
          {
            partition: 0,
            currentLeaderEpoch: -1,
            fetchOffset: offset,
            logStartOffset: -1,
            partitionMaxBytes: 1 << 20,
          },
        ],
      },
    ],
    forgottenTopicsData: [],
    rackId: '',
  };
}

async function fetch(c: WireClient, topic: string, offset: number, isolationLevel: number) {
  const r = await c.request(Api.Fetch, 11, fetchRequest(topic, offset, isolationLevel));
  return summarize(r.responses[0].partitions[0]);
}

function summarize(p: {
  errorCode: number;
  highWatermark: bigint | number;
  lastStableOffset: bigint | number;
  abortedTransactions: { producerId: bigint | number; firstOffset: bigint | number }[] | null;
  records: Buffer | null;
}) {
  const batches = p.records && p.records.length > 0 ? decodeRecordBatches(p.records) : [];
  return {
    errorCode: p.errorCode,
    highWatermark: Number(p.highWatermark),
    lastStableOffset: Number(p.lastStableOffset),
    aborted:
      p.abortedTransactions === null
        ? null
        : p.abortedTransactions.map((a) => ({
            producerId: Number(a.producerId),
            firstOffset: Number(a.firstOffset),
          })),
    values: batches.filter((b) => !b.isControl).flatMap((b) => b.records.map((r) => String(r.value))),
    markers: batches.filter((b) => b.isControl).map((b) => b.baseOffset),
  };
}

async function latest(c: WireClient, topic: string, isolationLevel: number): Promise<number> {
  const r = await c.request(Api.ListOffsets, 5, {
    replicaId: -1,
    isolationLevel,
    topics: [{ name: topic, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1 }] }],
  });
  expect(r.topics[0].partitions[0].errorCode).toBe(0);
  return Number(r.topics[0].partitions[0].offset);
}

describe('WriteTxnMarkers, Fetch and ListOffsets', () => {
  it('read_committed reads below the LSO and learns which transactions were aborted', async () => {
    const { c } = await broker();
    await createTopic(c, 'orders');
    await produce(c, 'orders', ['a']); // 0
    await produce(c, 'orders', ['t1-a', 't1-b'], { producerId: 100, producerEpoch: 0, sequence: 0 }); // 1-2
    await produce(c, 'orders', ['t2-a'], { producerId: 200, producerEpoch: 0, sequence: 0 }); // 3

    expect(await fetch(c, 'orders', 0, 1)).toEqual({
      errorCode: 0,
      highWatermark: 4,
      lastStableOffset: 1,
      aborted: [],
      values: ['a'],
      markers: [],
    });
    expect((await fetch(c, 'orders', 0, 0)).values).toEqual(['a', 't1-a', 't1-b', 't2-a']);
    expect((await fetch(c, 'orders', 0, 0)).aborted).toBeNull();
    expect(await latest(c, 'orders', 1)).toBe(1);
    expect(await latest(c, 'orders', 0)).toBe(4);

    expect(await markers(c, 100, false, [{ name: 'orders', partitionIndexes: [0] }])).toEqual([
      { topic: 'orders', partition: 0, errorCode: 0 },
    ]);
    // Producer 200 still holds the LSO at 3.
    expect(await latest(c, 'orders', 1)).toBe(3);
    expect(await markers(c, 200, true, [{ name: 'orders', partitionIndexes: [0] }])).toEqual([
      { topic: 'orders', partition: 0, errorCode: 0 },
    ]);
    const committed = await fetch(c, 'orders', 0, 1);
    expect(committed).toMatchObject({ highWatermark: 6, lastStableOffset: 6, markers: [4, 5] });
    expect(committed.aborted).toEqual([{ producerId: 100, firstOffset: 1 }]);
    expect(await latest(c, 'orders', 1)).toBe(6);
    // A fetch from after the aborted transaction does not hear of it.
    expect((await fetch(c, 'orders', 5, 1)).aborted).toEqual([]);
  });

  it('answers per partition: unknown partitions, and a marker older than the producer epoch', async () => {
    const { c } = await broker();
    await createTopic(c, 'orders');
    await produce(c, 'orders', ['x'], { producerId: 7, producerEpoch: 3, sequence: 0 });
    expect(
      await markers(
        c,
        7,
        true,
        [
          { name: 'orders', partitionIndexes: [0, 5] },
          { name: 'nope', partitionIndexes: [0] },
        ],
        2,
      ),
    ).toEqual([
      { topic: 'orders', partition: 0, errorCode: ErrorCode.INVALID_PRODUCER_EPOCH },
      { topic: 'orders', partition: 5, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION },
      { topic: 'nope', partition: 0, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION },
    ]);
    expect((await fetch(c, 'orders', 0, 1)).lastStableOffset).toBe(0);
  });

  it('a waiting read_committed fetch is answered when a marker moves the LSO', async () => {
    const { c, b } = await broker();
    await createTopic(c, 'orders');
    await produce(c, 'orders', ['pending'], { producerId: 9, producerEpoch: 0, sequence: 0 });
    const waiting = await WireClient.connect(b.bootstrapServers[0]);
    cleanups.push(() => waiting.close());
    // Longer than the test's timeout: only the marker can answer it in time.
    const answer = waiting.request(Api.Fetch, 11, fetchRequest('orders', 0, 1, 120_000, 1));
    let answered = false;
    void answer.then(() => {
      answered = true;
    });
    // A round trip on the same broker: the fetch has been parked by now.
    await latest(c, 'orders', 1);
    expect(answered).toBe(false);
    expect(b.node.replicaManager.fetchPurgatory.size).toBe(1);
    await markers(c, 9, true, [{ name: 'orders', partitionIndexes: [0] }]);
    const r = summarize((await answer).responses[0].partitions[0]);
    expect(r).toMatchObject({ lastStableOffset: 2, values: ['pending'], aborted: [] });
  });
});

describe('librdkafka (kcat) as a read_committed consumer', () => {
  it('sees committed transactions and plain records, not aborted ones nor markers, and stops at the LSO', async () => {
    const { b, c } = await broker();
    await createTopic(c, 'orders');
    await produce(c, 'orders', ['plain-1']);
    await produce(c, 'orders', ['aborted-1', 'aborted-2'], { producerId: 1, producerEpoch: 0, sequence: 0 });
    await produce(c, 'orders', ['committed-1'], { producerId: 2, producerEpoch: 0, sequence: 0 });
    await produce(c, 'orders', ['aborted-3'], { producerId: 1, producerEpoch: 0, sequence: 2 });
    await markers(c, 1, false, [{ name: 'orders', partitionIndexes: [0] }]);
    await markers(c, 2, true, [{ name: 'orders', partitionIndexes: [0] }]);
    await produce(c, 'orders', ['plain-2']);
    await produce(c, 'orders', ['open-1'], { producerId: 3, producerEpoch: 0, sequence: 0 });
    await produce(c, 'orders', ['after-open']);
    const read = async (isolation: string) => {
      const { stdout } = await runKcat([
        '-b',
        b.bootstrapServers[0],
        '-C',
        '-t',
        'orders',
        '-o',
        'beginning',
        '-e',
        '-q',
        '-X',
        `isolation.level=${isolation}`,
        '-f',
        '%s\n',
      ]);
      return stdout.split('\n').filter((l) => l !== '');
    };
    expect(await read('read_committed')).toEqual(['plain-1', 'committed-1', 'plain-2']);
    expect(await read('read_uncommitted')).toEqual([
      'plain-1',
      'aborted-1',
      'aborted-2',
      'committed-1',
      'aborted-3',
      'plain-2',
      'open-1',
      'after-open',
    ]);
  });
});

describe('TxnOffsetCommit', () => {
  async function setup(dataDir?: string) {
    const { b, c } = await broker(dataDir);
    const fc = await c.request(Api.FindCoordinator, 3, { key: 'billing', keyType: 0 });
    expect(fc.errorCode).toBe(0);
    if (!b.node.metadata.topics.has('orders')) await createTopic(c, 'orders');
    return { b, c };
  }

  async function txnCommit(c: WireClient, producerId: number, offset: number, producerEpoch = 0) {
    const r = await c.request(Api.TxnOffsetCommit, 3, {
      transactionalId: 'tx',
      groupId: 'billing',
      producerId,
      producerEpoch,
      generationId: -1,
      memberId: '',
      groupInstanceId: null,
      topics: [
        {
          name: 'orders',
          partitions: [
            { partitionIndex: 0, committedOffset: offset, committedLeaderEpoch: -1, committedMetadata: 'm' },
          ],
        },
      ],
    });
    return r.topics[0].partitions[0].errorCode;
  }

  async function committed(c: WireClient, requireStable: boolean) {
    const r = await c.request(Api.OffsetFetch, 7, {
      groupId: 'billing',
      topics: [{ name: 'orders', partitionIndexes: [0] }],
      requireStable,
    });
    const p = r.topics[0].partitions[0];
    return { offset: Number(p.committedOffset), errorCode: p.errorCode };
  }

  const offsetsPartition = [{ name: '__consumer_offsets', partitionIndexes: [0] }];

  it('offsets become visible when the COMMIT marker reaches __consumer_offsets, and never on ABORT', async () => {
    const { c } = await setup();
    expect(await txnCommit(c, 300, 42)).toBe(0);
    expect(await committed(c, false)).toEqual({ offset: -1, errorCode: 0 });
    expect(await committed(c, true)).toEqual({ offset: -1, errorCode: ErrorCode.UNSTABLE_OFFSET_COMMIT });
    expect(await markers(c, 300, true, offsetsPartition)).toEqual([
      { topic: '__consumer_offsets', partition: 0, errorCode: 0 },
    ]);
    expect(await committed(c, true)).toEqual({ offset: 42, errorCode: 0 });

    expect(await txnCommit(c, 301, 50)).toBe(0);
    await markers(c, 301, false, offsetsPartition);
    expect(await committed(c, true)).toEqual({ offset: 42, errorCode: 0 });
  });

  it('refuses a producer epoch older than the one the offsets partition knows', async () => {
    const { c } = await setup();
    expect(await txnCommit(c, 400, 1, 5)).toBe(0);
    await markers(c, 400, true, offsetsPartition, 5);
    expect(await txnCommit(c, 400, 2, 4)).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
    expect(await committed(c, true)).toEqual({ offset: 1, errorCode: 0 });
  });

  it('a restart replays them: decided by the markers in the log, still pending without one', async () => {
    const dir = tempDir();
    const first = await setup(dir);
    expect(await txnCommit(first.c, 500, 10)).toBe(0);
    await markers(first.c, 500, true, offsetsPartition);
    expect(await txnCommit(first.c, 501, 20)).toBe(0);
    await markers(first.c, 501, false, offsetsPartition);
    expect(await txnCommit(first.c, 502, 30)).toBe(0); // left open
    await first.b.close();

    const again = await setup(dir);
    expect(await committed(again.c, false)).toEqual({ offset: 10, errorCode: 0 });
    expect(await committed(again.c, true)).toEqual({
      offset: -1,
      errorCode: ErrorCode.UNSTABLE_OFFSET_COMMIT,
    });
    // The offsets partition still has producer 502's transaction open.
    const lso = await again.c.request(Api.ListOffsets, 5, {
      replicaId: -1,
      isolationLevel: 1,
      topics: [
        {
          name: '__consumer_offsets',
          partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1 }],
        },
      ],
    });
    expect(Number(lso.topics[0].partitions[0].offset)).toBeLessThan(
      await latest(again.c, '__consumer_offsets', 0),
    );
    await markers(again.c, 502, true, offsetsPartition);
    expect(await committed(again.c, true)).toEqual({ offset: 30, errorCode: 0 });
  });
});
