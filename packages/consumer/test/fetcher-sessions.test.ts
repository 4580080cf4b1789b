/**
 * The fetcher with fetch sessions, against a fake broker that speaks Fetch v12: the first fetch is
 * full and opens a session, the fetches ahead that follow list only the partitions whose fetch
 * offset moved, every record is handed out once and in order, and a session error makes the next
 * fetch full again, with every partition.
 */
import { ErrorCode } from '@tskafka/protocol';
import { encodeRecordBatch } from '@tskafka/protocol/internals';
import type { Logger } from '@tskafka/transport';
import type { Cluster } from '@tskafka/transport/internals';
import { describe, expect, it } from 'vitest';
import { Fetcher } from '../src/fetcher.js';
import { SubscriptionState } from '../src/subscription-state.js';

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };

interface Sent {
  body: {
    sessionId: number;
    sessionEpoch: number;
    topics: { partitions: { partition: number; fetchOffset: number }[] }[];
    forgottenTopicsData: { partitions: number[] }[];
  };
  respond(answer: {
    sessionId: number;
    errorCode?: number;
    partitions?: { partition: number; records: Buffer }[];
  }): void;
}

function setup() {
  const sent: Sent[] = [];
  const closes: { sessionId: number; sessionEpoch: number }[] = [];
  const connection = {
    apiVersions: {},
    supports: () => true,
    versionFor: () => 12,
    request: async (_api: unknown, body: { sessionId: number; sessionEpoch: number }) => {
      closes.push({ sessionId: body.sessionId, sessionEpoch: body.sessionEpoch });
      return { errorCode: 0, sessionId: 0, responses: [] };
    },
  };
  const cluster = {
    leaderFor: () => 0,
    requestMetadataUpdate: () => undefined,
    readyConnection: () => connection,
    request: (_node: number, _api: unknown, body: Sent['body']) =>
      new Promise((resolve) => {
        sent.push({
          body,
          respond: ({ sessionId, errorCode = 0, partitions = [] }) =>
            resolve({
              errorCode,
              sessionId,
              responses: partitions.length
                ? [
                    {
                      topic: 't',
                      partitions: partitions.map((p) => ({
                        partitionIndex: p.partition,
                        errorCode: 0,
                        highWatermark: 100,
                        lastStableOffset: 100,
                        abortedTransactions: null,
                        records: p.records,
                      })),
                    },
                  ]
                : [],
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
  subscriptions.assignFromUser([0, 1, 2].map((partition) => ({ topic: 't', partition })));
  for (const partition of [0, 1, 2]) subscriptions.seek(subscriptions.state('t', partition)!, 0);
  return { sent, fetcher, subscriptions, closes };
}

const batch = (baseOffset: number, count: number) =>
  encodeRecordBatch({
    baseOffset,
    timestamp: 1_000,
    records: Array.from({ length: count }, (_, i) => ({ value: `v${baseOffset + i}` })),
  });
const tick = () => new Promise((resolve) => setImmediate(resolve));
const listed = (s: Sent) =>
  s.body.topics.flatMap((t) => t.partitions.map((p) => `${p.partition}@${p.fetchOffset}`));

describe('Fetcher with fetch sessions', () => {
  it('fetches ahead incrementally: only partitions whose offset moved are listed', async () => {
    const { sent, fetcher } = setup();
    fetcher.sendFetches();
    expect([sent[0].body.sessionId, sent[0].body.sessionEpoch]).toEqual([0, 0]);
    expect(listed(sent[0])).toEqual(['0@0', '1@0', '2@0']);
    sent[0].respond({ sessionId: 9, partitions: [{ partition: 1, records: batch(0, 3) }] });
    await tick();
    // The fetch ahead went at once: partition 1 from where its buffered data ends, nothing else.
    expect(sent).toHaveLength(2);
    expect([sent[1].body.sessionId, sent[1].body.sessionEpoch]).toEqual([9, 1]);
    expect(listed(sent[1])).toEqual(['1@3']);
    expect(fetcher.collect(100).map((r) => `${r.state.partition}:${r.offset}`)).toEqual([
      '1:0',
      '1:1',
      '1:2',
    ]);

    sent[1].respond({ sessionId: 9, partitions: [{ partition: 2, records: batch(0, 2) }] });
    await tick();
    expect([sent[2].body.sessionEpoch, listed(sent[2])]).toEqual([2, ['2@2']]);
    expect(sent[2].body.forgottenTopicsData).toEqual([]);
    expect(fetcher.collect(100).map((r) => `${r.state.partition}:${r.offset}`)).toEqual(['2:0', '2:1']);

    // The broker lost the session: the next fetch is full again, every partition at its position.
    sent[2].respond({ sessionId: 0, errorCode: ErrorCode.FETCH_SESSION_ID_NOT_FOUND });
    await tick();
    expect([sent[3].body.sessionId, sent[3].body.sessionEpoch]).toEqual([0, 0]);
    expect(listed(sent[3])).toEqual(['0@0', '1@3', '2@2']);
    sent[3].respond({ sessionId: 10, partitions: [{ partition: 0, records: batch(0, 1) }] });
    await tick();
    expect([sent[4].body.sessionId, sent[4].body.sessionEpoch, listed(sent[4])]).toEqual([10, 1, ['0@1']]);
    expect(fetcher.collect(100).map((r) => `${r.state.partition}:${r.offset}`)).toEqual(['0:0']);
  });

  it('forgets a partition it holds two fetches of, and lists it again when it fetches it next', async () => {
    const { sent, fetcher } = setup();
    fetcher.sendFetches();
    sent[0].respond({ sessionId: 5, partitions: [{ partition: 0, records: batch(0, 2) }] });
    await tick();
    expect(listed(sent[1])).toEqual(['0@2']);
    sent[1].respond({ sessionId: 5, partitions: [{ partition: 0, records: batch(2, 2) }] });
    await tick();
    // Two fetches of partition 0 are buffered: it is not fetched, so it leaves the session.
    expect(listed(sent[2])).toEqual([]);
    expect(sent[2].body.forgottenTopicsData).toEqual([{ topic: 't', partitions: [0] }]);
    expect(fetcher.collect(100).map((r) => r.offset)).toEqual([0, 1, 2, 3]);
    sent[2].respond({ sessionId: 5 });
    await tick();
    expect(listed(sent[3])).toEqual(['0@4']);
    expect(sent[3].body.sessionEpoch).toBe(3);
  });

  it('closes the session at close (epoch -1) when no fetch waits at the broker', async () => {
    const { sent, fetcher, subscriptions, closes } = setup();
    fetcher.sendFetches();
    // Paused partitions are not fetched: once this answer is in, nothing is in flight.
    for (const partition of [0, 1, 2]) subscriptions.state('t', partition)!.paused = true;
    sent[0].respond({ sessionId: 21 });
    await tick();
    expect(sent).toHaveLength(1);
    await fetcher.closeSessions();
    expect(closes).toEqual([{ sessionId: 21, sessionEpoch: -1 }]);
    // Closed: nothing more is fetched.
    for (const partition of [0, 1, 2]) subscriptions.state('t', partition)!.paused = false;
    fetcher.sendFetches();
    expect(sent).toHaveLength(1);
  });
});
