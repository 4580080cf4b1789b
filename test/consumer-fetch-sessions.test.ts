/**
 * Incremental fetch sessions (KIP-227) end to end, every Fetch seen on the wire through a
 * recording proxy: our consumer reads a 128-partition topic from our broker with one full fetch
 * that opens a session, then incremental fetches that list only the partitions whose position
 * moved and are answered only for partitions with news; and it reads everything from librdkafka's
 * mock cluster, a broker we did not write, whatever that broker answers to a session request.
 */
import { startBroker } from '@tskafka/broker';
import { Api, decodeRequest, decodeResponse } from '@tskafka/protocol/internals';
import { Kafka, stringDeserializer } from 'tskafka';
import { afterEach, describe, expect, it } from 'vitest';
import { startMockCluster } from './interop/mock-cluster.js';
import { type RecordedFrame, startRecordingProxy } from './interop/recording-proxy.js';
import { until } from './until.js';

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const silent = { debug() {}, info() {}, warn() {}, error() {} };

interface SeenFetch {
  sessionId: number;
  sessionEpoch: number;
  /** `partition@offset` of each partition listed. */
  listed: string[];
  forgotten: number;
  /** The answer: session id, error and the partitions it carries. */
  answer?: { sessionId: number; errorCode: number; partitions: number[] };
}

/** The Fetch requests in `frames` with their answers, in order. */
function fetches(frames: RecordedFrame[]): SeenFetch[] {
  const byCorrelation = new Map<string, SeenFetch>();
  const out: SeenFetch[] = [];
  for (const f of frames) {
    if (f.apiKey !== Api.Fetch.key) continue;
    const id = `${f.connection}/${f.correlationId}`;
    if (f.direction === 'request') {
      const body = decodeRequest(Api.Fetch, f.bytes).body;
      const seen: SeenFetch = {
        sessionId: body.sessionId,
        sessionEpoch: body.sessionEpoch,
        listed: body.topics.flatMap((t) => t.partitions.map((p) => `${p.partition}@${p.fetchOffset}`)),
        forgotten: body.forgottenTopicsData.reduce((n, t) => n + t.partitions.length, 0),
      };
      byCorrelation.set(id, seen);
      out.push(seen);
    } else {
      const seen = byCorrelation.get(id);
      if (!seen) continue;
      const body = decodeResponse(Api.Fetch, f.apiVersion, f.bytes).body;
      seen.answer = {
        sessionId: body.sessionId,
        errorCode: body.errorCode,
        partitions: body.responses.flatMap((t) => t.partitions.map((p) => p.partitionIndex)),
      };
    }
  }
  return out;
}

async function produce(bootstrap: string[], topic: string, records: { partition: number; value: string }[]) {
  const producer = new Kafka({ bootstrapServers: bootstrap, clientId: 'fill', logger: silent }).producer();
  await producer.connect();
  await producer.sendBatch(records.map((r) => ({ topic, ...r })));
  await producer.close();
}

describe('fetch sessions', () => {
  it('on our broker: one full fetch of 128 partitions, then fetches of only what moved', async () => {
    const broker = await startBroker({ config: { 'num.partitions': 128 } });
    cleanups.push(() => broker.close());
    const proxy = await startRecordingProxy({ upstreams: broker.bootstrapServers });
    cleanups.push(() => proxy.close());
    const first = Array.from({ length: 512 }, (_, i) => ({ partition: i % 128, value: `a${i}` }));
    await produce(broker.bootstrapServers, 'wide', first);

    const consumer = new Kafka({
      bootstrapServers: proxy.bootstrapServers.split(','),
      clientId: 'sessions',
      logger: silent,
    }).consumer({ groupId: 'sessions', autoOffsetReset: 'earliest', valueDeserializer: stringDeserializer });
    cleanups.push(() => consumer.close());
    await consumer.connect();
    consumer.assign(Array.from({ length: 128 }, (_, partition) => ({ topic: 'wide', partition })));
    const got: string[] = [];
    await until('the first 512 records are read', async () => {
      for (const r of await consumer.poll(200)) got.push(`${r.partition}:${r.value}`);
      return got.length >= 512;
    });
    expect(got.sort()).toEqual(first.map((r) => `${r.partition}:${r.value}`).sort());

    const opening = fetches(proxy.frames).find((f) => f.sessionEpoch === 0);
    expect(opening?.listed).toHaveLength(128);
    expect(opening?.answer?.sessionId).toBeGreaterThan(0);
    const sessionId = opening?.answer?.sessionId;

    // Caught up: three records on three partitions, then the fetches that follow them.
    await until('the consumer is idle', async () => (await consumer.poll(100)).length === 0);
    proxy.take();
    const moved = [5, 77, 120];
    await produce(
      broker.bootstrapServers,
      'wide',
      moved.map((partition) => ({ partition, value: `b${partition}` })),
    );
    const later: string[] = [];
    await until(
      'the three new records are read and their partitions fetched from their new offsets',
      async () => {
        for (const r of await consumer.poll(100)) later.push(`${r.partition}:${r.value}`);
        const listed = new Set(fetches(proxy.frames).flatMap((f) => f.listed));
        return later.length >= 3 && moved.every((p) => listed.has(`${p}@5`));
      },
    );
    expect(later.sort()).toEqual(['120:b120', '5:b5', '77:b77']);
    const seen = fetches(proxy.frames);
    expect(seen.length).toBeGreaterThan(0);
    for (const f of seen) {
      // Incremental, in the same session, listing only partitions whose position moved.
      expect(f.sessionId).toBe(sessionId);
      expect(f.sessionEpoch).toBeGreaterThan(0);
      expect(f.forgotten).toBe(0);
      expect(f.listed.every((l) => moved.includes(Number(l.split('@')[0])))).toBe(true);
      // Answered only for partitions with news.
      if (f.answer) {
        expect(f.answer.errorCode).toBe(0);
        expect(f.answer.partitions.every((p) => moved.includes(p))).toBe(true);
      }
    }
    expect(proxy.problems).toEqual([]);
  });

  it('on librdkafka’s mock cluster: every record is read, with or without a session', async () => {
    const mock = await startMockCluster({ topics: [{ name: 'wide', partitions: 32 }] });
    cleanups.push(() => mock.close());
    const proxy = await startRecordingProxy({ upstreams: mock.bootstrapServers.split(',') });
    cleanups.push(() => proxy.close());
    const records = Array.from({ length: 320 }, (_, i) => ({ partition: i % 32, value: `m${i}` }));
    await produce(mock.bootstrapServers.split(','), 'wide', records);

    const consumer = new Kafka({
      bootstrapServers: proxy.bootstrapServers.split(','),
      clientId: 'sessions-mock',
      logger: silent,
    }).consumer({
      groupId: 'sessions-mock',
      autoOffsetReset: 'earliest',
      valueDeserializer: stringDeserializer,
    });
    cleanups.push(() => consumer.close());
    await consumer.connect();
    consumer.assign(Array.from({ length: 32 }, (_, partition) => ({ topic: 'wide', partition })));
    const got: string[] = [];
    await until('every record is read', async () => {
      for (const r of await consumer.poll(200)) got.push(`${r.partition}:${r.value}`);
      return got.length >= 320;
    });
    expect(got.sort()).toEqual(records.map((r) => `${r.partition}:${r.value}`).sort());
    // A second round after the consumer caught up, so that later fetches show what the session became.
    const more = Array.from({ length: 32 }, (_, i) => ({ partition: i, value: `n${i}` }));
    await produce(mock.bootstrapServers.split(','), 'wide', more);
    const later: string[] = [];
    await until('the second round is read', async () => {
      for (const r of await consumer.poll(200)) later.push(`${r.partition}:${r.value}`);
      return later.length >= 32;
    });
    expect(later.sort()).toEqual(more.map((r) => `${r.partition}:${r.value}`).sort());

    // The consumer asked for a session. librdkafka 2.0.2's mock answers with session id 0 (no
    // session): every fetch then stays full. Had it opened one, the later fetches would use it.
    const seen = fetches(proxy.frames);
    const opening = seen.find((f) => f.sessionEpoch === 0);
    expect(opening?.answer?.errorCode).toBe(0);
    const opened = opening?.answer?.sessionId ?? 0;
    const after = seen.slice(seen.indexOf(opening as SeenFetch) + 1);
    expect(after.length).toBeGreaterThan(0);
    for (const f of after) {
      if (opened === 0) expect([f.sessionId, f.sessionEpoch, f.forgotten]).toEqual([0, 0, 0]);
      else expect(f.sessionId).toBe(opened);
      expect(f.answer === undefined || f.answer.errorCode === 0).toBe(true);
    }
  });
});
