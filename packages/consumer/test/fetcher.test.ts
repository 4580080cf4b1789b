/**
 * The fetcher against a fake cluster whose Fetch responses the test hands over: one fetch in
 * flight per broker, records below the position dropped, control batches skipped, data of a
 * revoked or re-seeked partition never handed out, paused partitions held back,
 * OFFSET_OUT_OF_RANGE turned into a reset, max.poll.records respected.
 */
import { buildEndTxnMarkerBatch, ErrorCode, encodeRecordBatch } from '@tskafka/protocol';
import type { Cluster, Logger } from '@tskafka/transport';
import { describe, expect, it } from 'vitest';
import { Fetcher } from '../src/fetcher.js';
import { SubscriptionState } from '../src/subscription-state.js';

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };

interface Sent {
  node: number;
  body: {
    topics: readonly { topic?: string; partitions: readonly { partition: number; fetchOffset: number }[] }[];
  };
  respond(partitions: { partition: number; errorCode?: number; records?: Buffer }[]): void;
}

function setup() {
  const sent: Sent[] = [];
  const cluster = {
    leaderFor: () => 0,
    requestMetadataUpdate: () => undefined,
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
      isolationLevel: 0,
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
    s.paused = true;
    expect(fetcher.collect(100)).toEqual([]);
    fetcher.sendFetches();
    expect(sent).toHaveLength(1);
    s.paused = false;
    expect(fetcher.collect(100).map((r) => r.offset)).toEqual([0, 1, 2]);
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
});
