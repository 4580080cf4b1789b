/**
 * Incremental fetch sessions (KIP-227) at the broker, on a manual clock: a full fetch at epoch 0
 * opens a session; incremental fetches list only what changed and are answered with only the
 * partitions that have something new; forgotten partitions leave the session; the session errors
 * are Kafka's; and the cache evicts as Kafka's does (stale first, then the least valuable
 * evictable session, followers' sessions last).
 */
import { ErrorCode } from '@tskafka/protocol';
import {
  Api,
  decodeMessage,
  encodeMessage,
  encodeRecordBatch,
  type MessageInput,
  Reader,
  ZERO_UUID,
} from '@tskafka/protocol/internals';
import { afterEach, describe, expect, it } from 'vitest';
import { type Cluster, startCluster } from '../src/broker.js';
import { ManualClock } from '../src/clock.js';
import {
  FetchSessionCache,
  MIN_INCREMENTAL_FETCH_SESSION_EVICTION_MS,
  nextEpoch,
} from '../src/fetch-session.js';
import type { RequestContext } from '../src/handler.js';
import { fetchHandler } from '../src/handlers/fetch.js';

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

type FetchInput = MessageInput<typeof Api.Fetch.request>;
type Partition = { partition: number; fetchOffset: number };

async function setup(config: Record<string, number> = {}) {
  const clock = new ManualClock();
  const cluster: Cluster = await startCluster({ brokers: 1, logLevel: 'error', config, clock });
  cleanups.push(() => cluster.close());
  const node = cluster.brokers[0];
  const topic = cluster.metadata.createTopic('events', {
    numPartitions: 3,
    replicationFactor: 1,
    assignments: [[node.nodeId], [node.nodeId], [node.nodeId]],
  });
  const append = (partition: number, n = 1) => {
    const records = Array.from({ length: n }, (_, i) => ({ key: null, value: `v${i}` }));
    node.replicaManager.appendToLeader(
      'events',
      partition,
      encodeRecordBatch({ timestamp: clock.now(), records }),
      clock.now(),
    );
  };
  /** Sends a Fetch at version `v` through the schema, as it would come off the wire; decodes the answer. */
  const fetch = async (v: number, body: Partial<FetchInput>) => {
    const request: FetchInput = {
      replicaId: -1,
      maxWaitMs: 0,
      minBytes: 0,
      maxBytes: 1 << 20,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [],
      forgottenTopicsData: [],
      rackId: '',
      ...body,
    };
    const req = decodeMessage(Api.Fetch.request, v, new Reader(encodeMessage(Api.Fetch.request, v, request)));
    const ctx = {
      node,
      connection: { remote: '::ffff:127.0.0.1:50000' },
      header: { requestApiKey: 1, requestApiVersion: v, correlationId: 1, clientId: 'test' },
      apiVersion: v,
      now: clock.now(),
    } as unknown as RequestContext;
    const res = fetchHandler.handle(ctx, req);
    return decodeMessage(
      Api.Fetch.response,
      v,
      new Reader(encodeMessage(Api.Fetch.response, v, (await res) as never)),
    );
  };
  /** The request's topics for `events` by name (v12) or id (v13+). */
  const topics = (v: number, partitions: Partition[]) => [
    {
      topic: 'events',
      topicId: v >= 13 ? topic.topicId : ZERO_UUID,
      partitions: partitions.map((p) => ({ ...p, partitionMaxBytes: 1 << 20, currentLeaderEpoch: -1 })),
    },
  ];
  return { clock, cluster, node, topic, append, fetch, topics };
}

/** `partition:records` of each partition answered, e.g. `['0:2', '1:0']`. */
function answered(res: {
  responses: { partitions: { partitionIndex: number; records: Buffer | null }[] }[];
}) {
  return res.responses.flatMap((t) =>
    t.partitions.map((p) => `${p.partitionIndex}:${p.records?.length ? 'data' : 'none'}`),
  );
}

const ALL: Partition[] = [0, 1, 2].map((partition) => ({ partition, fetchOffset: 0 }));

describe('incremental fetch sessions at the broker', () => {
  it('a full fetch at epoch 0 opens a session; incremental fetches answer only partitions with news', async () => {
    const b = await setup();
    b.append(0, 2);
    const full = await b.fetch(12, { sessionId: 0, sessionEpoch: 0, topics: b.topics(12, ALL) });
    expect(full.errorCode).toBe(0);
    expect(full.sessionId).toBeGreaterThan(0);
    expect(answered(full)).toEqual(['0:data', '1:none', '2:none']);
    const id = full.sessionId;

    // The consumer moves partition 0 past its data and lists only it; nothing new anywhere.
    let res = await b.fetch(12, {
      sessionId: id,
      sessionEpoch: 1,
      topics: b.topics(12, [{ partition: 0, fetchOffset: 2 }]),
    });
    expect(res.errorCode).toBe(0);
    expect(res.sessionId).toBe(id);
    expect(answered(res)).toEqual([]);

    // A record on partition 2, which this fetch does not list: the session still reads it.
    b.append(2);
    res = await b.fetch(12, { sessionId: id, sessionEpoch: 2 });
    expect(answered(res)).toEqual(['2:data']);
    expect(res.responses[0].partitions[0].highWatermark).toBe(1);

    // Nothing changed since: an empty answer, not the same record again... unless the fetcher
    // did not move its position (the session keeps its last fetch offset: the data comes again).
    res = await b.fetch(12, {
      sessionId: id,
      sessionEpoch: 3,
      topics: b.topics(12, [{ partition: 2, fetchOffset: 1 }]),
    });
    expect(answered(res)).toEqual([]);
    res = await b.fetch(12, {
      sessionId: id,
      sessionEpoch: 4,
      topics: b.topics(12, [{ partition: 2, fetchOffset: 0 }]),
    });
    expect(answered(res)).toEqual(['2:data']);
    expect(b.node.fetchSessions.get(id)?.partitions.size).toBe(3);
  });

  it('forgotten partitions leave the session; forgetting every partition closes it', async () => {
    const b = await setup();
    const full = await b.fetch(12, { sessionEpoch: 0, topics: b.topics(12, ALL) });
    const id = full.sessionId;
    let res = await b.fetch(12, {
      sessionId: id,
      sessionEpoch: 1,
      forgottenTopicsData: [{ topic: 'events', topicId: ZERO_UUID, partitions: [1, 2] }],
    });
    expect(res.errorCode).toBe(0);
    expect(b.node.fetchSessions.get(id)?.partitions.size).toBe(1);
    b.append(1);
    b.append(0);
    res = await b.fetch(12, { sessionId: id, sessionEpoch: 2 });
    expect(answered(res)).toEqual(['0:data']);

    res = await b.fetch(12, {
      sessionId: id,
      sessionEpoch: 3,
      forgottenTopicsData: [{ topic: 'events', topicId: ZERO_UUID, partitions: [0] }],
    });
    expect(res.errorCode).toBe(0);
    expect(res.sessionId).toBe(0);
    expect(b.node.fetchSessions.get(id)).toBeUndefined();
  });

  it('answers session errors as Kafka does', async () => {
    const b = await setup();
    const id = (await b.fetch(12, { sessionEpoch: 0, topics: b.topics(12, ALL) })).sessionId;

    let res = await b.fetch(12, { sessionId: id, sessionEpoch: 5 });
    expect(res.errorCode).toBe(ErrorCode.INVALID_FETCH_SESSION_EPOCH);
    expect(res.responses).toEqual([]);
    // A refused fetch does not move the epoch: epoch 1 is still the next one.
    res = await b.fetch(12, { sessionId: id, sessionEpoch: 1 });
    expect(res.errorCode).toBe(0);
    // The same epoch twice (a duplicate request) is refused.
    res = await b.fetch(12, { sessionId: id, sessionEpoch: 1 });
    expect(res.errorCode).toBe(ErrorCode.INVALID_FETCH_SESSION_EPOCH);

    res = await b.fetch(12, { sessionId: id + 1, sessionEpoch: 1 });
    expect(res.errorCode).toBe(ErrorCode.FETCH_SESSION_ID_NOT_FOUND);

    // A session opened by names cannot go on by topic ids.
    res = await b.fetch(13, { sessionId: id, sessionEpoch: 2 });
    expect(res.errorCode).toBe(ErrorCode.FETCH_SESSION_TOPIC_ID_ERROR);

    // Epoch -1 naming the session closes it and is answered as a full fetch without a session.
    res = await b.fetch(12, { sessionId: id, sessionEpoch: -1, topics: b.topics(12, ALL) });
    expect(res.errorCode).toBe(0);
    expect(res.sessionId).toBe(0);
    expect(answered(res)).toHaveLength(3);
    res = await b.fetch(12, { sessionId: id, sessionEpoch: 2 });
    expect(res.errorCode).toBe(ErrorCode.FETCH_SESSION_ID_NOT_FOUND);

    // Epoch 0 naming a session closes it and opens another.
    const first = (await b.fetch(12, { sessionEpoch: 0, topics: b.topics(12, ALL) })).sessionId;
    const second = (await b.fetch(12, { sessionId: first, sessionEpoch: 0, topics: b.topics(12, ALL) }))
      .sessionId;
    expect(second).not.toBe(first);
    expect(b.node.fetchSessions.get(first)).toBeUndefined();
    expect(b.node.fetchSessions.size).toBe(1);
  });

  it('keeps partitions by topic id from v13; an unknown topic id is answered every time', async () => {
    const b = await setup();
    const unknown = 'AAAAAAAAAAAAAAAAAAAAqw';
    const full = await b.fetch(13, {
      sessionEpoch: 0,
      topics: [
        ...b.topics(13, [{ partition: 0, fetchOffset: 0 }]),
        { topicId: unknown, partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 1000 }] },
      ],
    });
    expect(full.sessionId).toBeGreaterThan(0);
    expect(full.responses.map((t) => [t.topicId, t.partitions[0].errorCode])).toEqual([
      [b.topic.topicId, 0],
      [unknown, ErrorCode.UNKNOWN_TOPIC_ID],
    ]);
    b.append(0);
    const res = await b.fetch(13, { sessionId: full.sessionId, sessionEpoch: 1 });
    expect(res.responses.map((t) => [t.topicId, t.partitions[0].errorCode])).toEqual([
      [b.topic.topicId, 0],
      [unknown, ErrorCode.UNKNOWN_TOPIC_ID],
    ]);
    // Forgetting by id (and moving past the record, which is then not news).
    const gone = await b.fetch(13, {
      sessionId: full.sessionId,
      sessionEpoch: 2,
      topics: b.topics(13, [{ partition: 0, fetchOffset: 1 }]),
      forgottenTopicsData: [{ topicId: unknown, partitions: [0] }],
    });
    expect(gone.responses).toEqual([]);
    expect(b.node.fetchSessions.get(full.sessionId)?.partitions.size).toBe(1);
  });

  it('an incremental fetch waits for data on partitions it does not list and answers only those', async () => {
    const b = await setup();
    const id = (await b.fetch(12, { sessionEpoch: 0, topics: b.topics(12, ALL) })).sessionId;
    const waiting = b.fetch(12, { sessionId: id, sessionEpoch: 1, maxWaitMs: 500, minBytes: 1 });
    await new Promise((r) => setImmediate(r));
    b.append(1);
    const res = await waiting;
    expect(answered(res)).toEqual(['1:data']);
  });

  it('evicts on the broker clock: a stale session after min.incremental.fetch.session.eviction.ms', async () => {
    const b = await setup({ 'max.incremental.fetch.session.cache.slots': 2 });
    const one = (await b.fetch(12, { sessionEpoch: 0, topics: b.topics(12, [ALL[0]]) })).sessionId;
    const two = (await b.fetch(12, { sessionEpoch: 0, topics: b.topics(12, ALL.slice(0, 2)) })).sessionId;
    expect(one).toBeGreaterThan(0);
    expect(two).toBeGreaterThan(0);
    // Full: a new session, even a bigger one, evicts nothing recently created.
    expect((await b.fetch(12, { sessionEpoch: 0, topics: b.topics(12, ALL) })).sessionId).toBe(0);
    b.clock.advance(MIN_INCREMENTAL_FETCH_SESSION_EVICTION_MS / 2);
    await b.fetch(12, { sessionId: one, sessionEpoch: 1 });
    b.clock.advance(MIN_INCREMENTAL_FETCH_SESSION_EVICTION_MS / 2 + 1);
    // Session two is stale (unused for longer than the eviction time): it goes, one stays.
    const three = (await b.fetch(12, { sessionEpoch: 0, topics: b.topics(12, [ALL[2]]) })).sessionId;
    expect(three).toBeGreaterThan(0);
    expect(b.node.fetchSessions.get(two)).toBeUndefined();
    expect((await b.fetch(12, { sessionId: one, sessionEpoch: 2 })).errorCode).toBe(0);
    expect((await b.fetch(12, { sessionId: two, sessionEpoch: 1 })).errorCode).toBe(
      ErrorCode.FETCH_SESSION_ID_NOT_FOUND,
    );
  });
});

describe('FetchSessionCache eviction', () => {
  const EVICT = MIN_INCREMENTAL_FETCH_SESSION_EVICTION_MS;
  /** Opens a session of `size` partitions; its id, or 0 when the cache had no room. */
  const open = (cache: FetchSessionCache, now: number, privileged: boolean, size: number) =>
    cache.maybeCreateSession(now, privileged, false, size, (s) =>
      s.update(
        Array.from({ length: size }, (_, partition) => ({
          key: `t:${partition}`,
          topic: 't',
          topicId: ZERO_UUID,
          request: {
            partition,
            fetchOffset: 0,
            partitionMaxBytes: 1,
            currentLeaderEpoch: -1,
            lastFetchedEpoch: -1,
            logStartOffset: -1,
          },
        })),
        [],
      ),
    )?.id ?? 0;

  it('a follower’s session evicts a consumer’s at once; a consumer’s never evicts a young one', () => {
    const cache = new FetchSessionCache({ maxEntries: 1 });
    const consumer = open(cache, 0, false, 10);
    expect(open(cache, 1, false, 100)).toBe(0);
    const follower = open(cache, 2, true, 1);
    expect(follower).toBeGreaterThan(0);
    expect(cache.get(consumer)).toBeUndefined();
    // A young follower session is evicted by nothing but staleness.
    expect(open(cache, 3, true, 1000)).toBe(0);
    expect(open(cache, 3, false, 1000)).toBe(0);
    expect(cache.evictions).toBe(1);
  });

  it('an old session in use is evicted only by one with more partitions', () => {
    const cache = new FetchSessionCache({ maxEntries: 1 });
    const old = open(cache, 0, false, 10);
    // Used recently (not stale), created long ago: evictable by anyone worth more.
    const session = cache.get(old);
    if (!session) throw new Error('no session');
    cache.touch(session, EVICT + 10);
    expect(open(cache, EVICT + 20, false, 10)).toBe(0);
    expect(open(cache, EVICT + 20, false, 11)).toBeGreaterThan(0);
    expect(cache.get(old)).toBeUndefined();
  });

  it('epochs wrap from the largest int32 to 1 and stay -1 once final', () => {
    expect(nextEpoch(0)).toBe(1);
    expect(nextEpoch(41)).toBe(42);
    expect(nextEpoch(0x7fffffff)).toBe(1);
    expect(nextEpoch(-1)).toBe(-1);
  });
});
