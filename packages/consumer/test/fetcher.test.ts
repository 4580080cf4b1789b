/**
 * The fetcher against a fake cluster whose Fetch responses the test hands over: one fetch in
 * flight per broker, records below the position dropped, control batches skipped, data of a
 * revoked or re-seeked partition never handed out, paused partitions held back,
 * OFFSET_OUT_OF_RANGE turned into a reset, max.poll.records respected.
 */

import { ErrorCode } from '@tskafka/protocol';
import { buildEndTxnMarkerBatch, encodeRecordBatch } from '@tskafka/protocol/internals';
import type { Logger } from '@tskafka/transport';
import type { Cluster } from '@tskafka/transport/internals';
import { describe, expect, it } from 'vitest';
import { Fetcher } from '../src/fetcher.js';
import { SubscriptionState } from '../src/subscription-state.js';

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };

interface Sent {
  node: number;
  body: {
    topics: readonly { topic?: string; partitions: readonly { partition: number; fetchOffset: number }[] }[];
  };
  respond(
    partitions: {
      partition: number;
      errorCode?: number;
      records?: Buffer;
      lastStableOffset?: number;
      abortedTransactions?: { producerId: number; firstOffset: number }[] | null;
    }[],
  ): void;
}

function setup(isolationLevel: 0 | 1 = 0) {
  const sent: Sent[] = [];
  const cluster = {
    leaderFor: () => 0,
    requestMetadataUpdate: () => undefined,
    readyConnection: () => undefined,
    request: (node: number, _api: unknown, body: Sent['body']) =>
      new Promise((resolve) => {
        sent.push({
          node,
          body,
          respond: (partitions) =>
            resolve({
              responses: [
                {
                  topic: 't',
                  partitions: partitions.map((p) => ({
                    partitionIndex: p.partition,
                    errorCode: p.errorCode ?? 0,
                    highWatermark: 100,
                    lastStableOffset: p.lastStableOffset ?? 100,
                    abortedTransactions: p.abortedTransactions ?? null,
                    records: p.records ?? null,
                  })),
                },
              ],
            }),
        });
      }),
  } as unknown as Cluster;
  const subscriptions = new SubscriptionState();
  const fetcher = new Fetcher(
    cluster,
    subscriptions,
    {
      minBytes: 1,
      maxWaitMs: 500,
      maxBytes: 1 << 20,
      maxPartitionBytes: 1 << 20,
      isolationLevel,
      checkCrcs: true,
      autoOffsetReset: 'earliest',
      requestTimeoutMs: 30_000,
    },
    silent,
  );
  return { sent, subscriptions, fetcher };
}

function batch(baseOffset: number, count: number): Buffer {
  return encodeRecordBatch({
    baseOffset,
    timestamp: 1_000,
    records: Array.from({ length: count }, (_, i) => ({ value: `v${baseOffset + i}` })),
  });
}

/** A transactional batch of `count` records of producer `pid`. */
function txnBatch(pid: number, baseOffset: number, count: number): Buffer {
  return encodeRecordBatch({
    baseOffset,
    timestamp: 1_000,
    producerId: pid,
    producerEpoch: 0,
    baseSequence: 0,
    isTransactional: true,
    records: Array.from({ length: count }, (_, i) => ({ value: `p${pid}-${baseOffset + i}` })),
  });
}

function marker(pid: number, baseOffset: number, commit: boolean): Buffer {
  return buildEndTxnMarkerBatch({
    producerId: pid,
    producerEpoch: 0,
    commit,
    coordinatorEpoch: 0,
    baseOffset,
  });
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('Fetcher', () => {
  it('keeps one fetch in flight per broker and hands out records from the position on', async () => {
    const { sent, subscriptions, fetcher } = setup();
    subscriptions.assignFromUser([{ topic: 't', partition: 0 }]);
    const s = subscriptions.state('t', 0)!;
    subscriptions.seek(s, 3);
    fetcher.sendFetches();
    fetcher.sendFetches();
    expect(sent).toHaveLength(1);
    expect(sent[0].body.topics[0].partitions[0].fetchOffset).toBe(3);
    sent[0].respond([{ partition: 0, records: Buffer.concat([batch(0, 5), batch(5, 5)]) }]);
    await tick();
    const first = fetcher.collect(4);
    expect(first.map((r) => r.offset)).toEqual([3, 4, 5, 6]);
    expect(s.position).toBe(7);
    const rest = fetcher.collect(100);
    expect(rest.map((r) => r.offset)).toEqual([7, 8, 9]);
    expect(s.position).toBe(10);
    fetcher.sendFetches();
    expect(sent).toHaveLength(2);
    expect(sent[1].body.topics[0].partitions[0].fetchOffset).toBe(10);
  });

  it('skips control batches and moves the position past them', async () => {
    const { sent, subscriptions, fetcher } = setup();
    subscriptions.assignFromUser([{ topic: 't', partition: 0 }]);
    const s = subscriptions.state('t', 0)!;
    subscriptions.seek(s, 0);
    fetcher.sendFetches();
    sent[0].respond([
      {
        partition: 0,
        records: Buffer.concat([
          batch(0, 2),
          buildEndTxnMarkerBatch({
            producerId: 1,
            producerEpoch: 0,
            commit: true,
            coordinatorEpoch: 0,
            baseOffset: 2,
          }),
          batch(3, 2),
        ]),
      },
    ]);
    await tick();
    expect(fetcher.collect(100).map((r) => r.offset)).toEqual([0, 1, 3, 4]);
    expect(s.position).toBe(5);
  });

  it('drops data of a partition revoked, or moved by a seek, while its fetch was in flight', async () => {
    const { sent, subscriptions, fetcher } = setup();
    subscriptions.assignFromUser([
      { topic: 't', partition: 0 },
      { topic: 't', partition: 1 },
    ]);
    subscriptions.seek(subscriptions.state('t', 0)!, 0);
    subscriptions.seek(subscriptions.state('t', 1)!, 0);
    fetcher.sendFetches();
    // Partition 0 is revoked and partition 1 re-seeked before the response arrives.
    subscriptions.assignFromUser([{ topic: 't', partition: 1 }]);
    subscriptions.seek(subscriptions.state('t', 1)!, 1);
    sent[0].respond([
      { partition: 0, records: batch(0, 3) },
      { partition: 1, records: batch(0, 3) },
    ]);
    await tick();
    expect(fetcher.collect(100)).toEqual([]);
    expect(subscriptions.state('t', 1)!.position).toBe(1);
  });

  it('drops buffered data of a partition revoked before it was handed out', async () => {
    const { sent, subscriptions, fetcher } = setup();
    subscriptions.assignFromUser([{ topic: 't', partition: 0 }]);
    subscriptions.seek(subscriptions.state('t', 0)!, 0);
    fetcher.sendFetches();
    sent[0].respond([{ partition: 0, records: batch(0, 3) }]);
    await tick();
    expect(fetcher.hasCompletedFetches).toBe(true);
    subscriptions.assignFromGroup([]);
    subscriptions.assignFromGroup([{ topic: 't', partition: 0 }]); // a new assignment, a new state
    expect(fetcher.collect(100)).toEqual([]);
  });

  it('holds back a paused partition, neither fetching it nor handing out what is buffered', async () => {
    const { sent, subscriptions, fetcher } = setup();
    subscriptions.assignFromUser([{ topic: 't', partition: 0 }]);
    const s = subscriptions.state('t', 0)!;
    subscriptions.seek(s, 0);
    fetcher.sendFetches();
    sent[0].respond([{ partition: 0, records: batch(0, 3) }]);
    await tick();
    // The fetch ahead went out with the response, before the pause; it brings nothing new.
    expect(sent).toHaveLength(2);
    s.paused = true;
    sent[1].respond([{ partition: 0 }]);
    await tick();
    expect(fetcher.collect(100)).toEqual([]);
    fetcher.sendFetches();
    expect(sent).toHaveLength(2);
    s.paused = false;
    expect(fetcher.collect(100).map((r) => r.offset)).toEqual([0, 1, 2]);
  });

  it('fetches a partition ahead from where its buffered data ends, once, and hands out both in order', async () => {
    const { sent, subscriptions, fetcher } = setup();
    subscriptions.assignFromUser([{ topic: 't', partition: 0 }]);
    const s = subscriptions.state('t', 0)!;
    subscriptions.seek(s, 0);
    fetcher.sendFetches();
    sent[0].respond([{ partition: 0, records: batch(0, 3) }]);
    await tick();
    // While offsets 0-2 wait for the application, offset 3 on is already asked for.
    expect(sent).toHaveLength(2);
    expect(sent[1].body.topics[0].partitions[0].fetchOffset).toBe(3);
    sent[1].respond([{ partition: 0, records: batch(3, 2) }]);
    await tick();
    // Two fetches of the partition buffered: no third until one is handed out.
    expect(sent).toHaveLength(2);
    expect(fetcher.collect(2).map((r) => r.offset)).toEqual([0, 1]);
    expect(fetcher.collect(100).map((r) => r.offset)).toEqual([2, 3, 4]);
    fetcher.sendFetches();
    expect(sent[2].body.topics[0].partitions[0].fetchOffset).toBe(5);
  });

  it('drops data fetched ahead when the partition is sought meanwhile', async () => {
    const { sent, subscriptions, fetcher } = setup();
    subscriptions.assignFromUser([{ topic: 't', partition: 0 }]);
    const s = subscriptions.state('t', 0)!;
    subscriptions.seek(s, 0);
    fetcher.sendFetches();
    sent[0].respond([{ partition: 0, records: batch(0, 3) }]);
    await tick();
    subscriptions.seek(s, 1);
    sent[1].respond([{ partition: 0, records: batch(3, 2) }]);
    await tick();
    expect(fetcher.collect(100)).toEqual([]);
    fetcher.sendFetches();
    expect(sent.at(-1)?.body.topics[0].partitions[0].fetchOffset).toBe(1);
  });

  it('OFFSET_OUT_OF_RANGE asks for a reset with auto.offset.reset', async () => {
    const { sent, subscriptions, fetcher } = setup();
    subscriptions.assignFromUser([{ topic: 't', partition: 0 }]);
    const s = subscriptions.state('t', 0)!;
    subscriptions.seek(s, 500);
    fetcher.sendFetches();
    sent[0].respond([{ partition: 0, errorCode: ErrorCode.OFFSET_OUT_OF_RANGE }]);
    await tick();
    expect(s.position).toBeNull();
    expect(s.reset).toBe('earliest');
    expect(subscriptions.missingPositions()).toEqual([s]);
  });

  describe('read_committed', () => {
    // Two producers interleave: 7 aborts (offsets 0-1, 4, marker 6), 9 commits (2-3, 5, marker 7),
    // then 7 writes again in a new transaction that commits (8, marker 9), plus a plain batch (10).
    const interleaved = () =>
      Buffer.concat([
        txnBatch(7, 0, 2),
        txnBatch(9, 2, 2),
        txnBatch(7, 4, 1),
        txnBatch(9, 5, 1),
        marker(7, 6, false),
        marker(9, 7, true),
        txnBatch(7, 8, 1),
        marker(7, 9, true),
        batch(10, 1),
      ]);

    it('drops the records of aborted transactions and every control record', async () => {
      const { sent, subscriptions, fetcher } = setup(1);
      subscriptions.assignFromUser([{ topic: 't', partition: 0 }]);
      const s = subscriptions.state('t', 0)!;
      subscriptions.seek(s, 0);
      fetcher.sendFetches();
      sent[0].respond([
        {
          partition: 0,
          records: interleaved(),
          lastStableOffset: 11,
          abortedTransactions: [{ producerId: 7, firstOffset: 0 }],
        },
      ]);
      await tick();
      const got = fetcher.collect(100);
      expect(got.map((r) => r.offset)).toEqual([2, 3, 5, 8, 10]);
      expect(got.map((r) => r.value?.toString())).toEqual(['p9-2', 'p9-3', 'p9-5', 'p7-8', 'v10']);
      expect(s.position).toBe(11);
      expect(s.lastStableOffset).toBe(11);
    });

    it('keeps dropping across collect calls that stop inside the fetch', async () => {
      const { sent, subscriptions, fetcher } = setup(1);
      subscriptions.assignFromUser([{ topic: 't', partition: 0 }]);
      const s = subscriptions.state('t', 0)!;
      subscriptions.seek(s, 0);
      fetcher.sendFetches();
      sent[0].respond([
        { partition: 0, records: interleaved(), abortedTransactions: [{ producerId: 7, firstOffset: 0 }] },
      ]);
      await tick();
      const offsets: number[] = [];
      for (let i = 0; i < 10; i++) offsets.push(...fetcher.collect(1).map((r) => r.offset));
      expect(offsets).toEqual([2, 3, 5, 8, 10]);
    });

    it('a producer aborted twice in one response loses both transactions, not its committed one', async () => {
      const { sent, subscriptions, fetcher } = setup(1);
      subscriptions.assignFromUser([{ topic: 't', partition: 0 }]);
      const s = subscriptions.state('t', 0)!;
      subscriptions.seek(s, 0);
      fetcher.sendFetches();
      sent[0].respond([
        {
          partition: 0,
          records: Buffer.concat([
            txnBatch(7, 0, 1),
            marker(7, 1, false),
            txnBatch(7, 2, 1),
            marker(7, 3, true),
            txnBatch(7, 4, 1),
            marker(7, 5, false),
          ]),
          abortedTransactions: [
            { producerId: 7, firstOffset: 4 },
            { producerId: 7, firstOffset: 0 },
          ],
        },
      ]);
      await tick();
      expect(fetcher.collect(100).map((r) => r.offset)).toEqual([2]);
      expect(s.position).toBe(6);
    });

    it('read_uncommitted hands out aborted records too (never control records)', async () => {
      const { sent, subscriptions, fetcher } = setup(0);
      subscriptions.assignFromUser([{ topic: 't', partition: 0 }]);
      const s = subscriptions.state('t', 0)!;
      subscriptions.seek(s, 0);
      fetcher.sendFetches();
      sent[0].respond([{ partition: 0, records: interleaved() }]);
      await tick();
      expect(fetcher.collect(100).map((r) => r.offset)).toEqual([0, 1, 2, 3, 4, 5, 8, 10]);
    });
  });
});
