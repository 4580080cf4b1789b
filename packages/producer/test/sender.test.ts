import {
  NetworkError,
  NotEnoughReplicasError,
  RequestTimedOutError,
  TopicAuthorizationFailedError,
} from '@tskafka/protocol';
import { decodeRecordBatch, type MessageInput, type ProduceRequest } from '@tskafka/protocol/internals';
import {
  ClientClosedError,
  ConnectionError,
  RequestTimeoutError,
  UnsupportedApiVersionError,
} from '@tskafka/transport';
import { describe, expect, it } from 'vitest';
import { RecordAccumulator, type RecordAccumulatorOptions } from '../src/accumulator.js';
import { DeliveryTimeoutError, ProduceRequestError, ProducerClosedError } from '../src/errors.js';
import { type ProduceRequestData, Sender, type SenderOptions } from '../src/sender.js';
import { SenderLoop } from '../src/sender-loop.js';
import type { RecordMetadata } from '../src/types.js';
import { batchesOf, FakeCluster, FakeMetadata, ManualClock, responseFor, ScriptedIo } from './fakes.js';

const T0 = 1_000_000;

function setup(accOptions: RecordAccumulatorOptions = {}, senderOptions: SenderOptions = {}) {
  const clock = new ManualClock(T0);
  const acc = new RecordAccumulator({
    batchSize: 1024,
    lingerMs: 10,
    deliveryTimeoutMs: 10_000,
    clock,
    ...accOptions,
  });
  const md = new FakeMetadata({ 't-0': 1, 't-1': 1 });
  const io = new ScriptedIo();
  const sender = new Sender(acc, md, io, { retryBackoffMs: 100, random: () => 0.5, ...senderOptions });
  const loop = new SenderLoop(sender, io, clock);
  const send = (value: string, partition = 0, timestamp = T0) =>
    acc.append('t', partition, timestamp, null, value, null, clock.now());
  return { clock, acc, md, io, sender, loop, send };
}

function valuesOf(request: ProduceRequestData): string[][] {
  return batchesOf(request).map((b) =>
    decodeRecordBatch(b.records).records.map((r) => (r.value as Buffer).toString()),
  );
}

/** Settles a promise into 'pending', its value, or its error, without awaiting it. */
function track<T>(p: Promise<T>): { state: 'pending' | 'resolved' | 'rejected'; value?: T; error?: unknown } {
  const out: { state: 'pending' | 'resolved' | 'rejected'; value?: T; error?: unknown } = {
    state: 'pending',
  };
  p.then(
    (value) => Object.assign(out, { state: 'resolved', value }),
    (error: unknown) => Object.assign(out, { state: 'rejected', error }),
  );
  return out;
}

const big = (tag: string) => tag.padEnd(100, '.');

describe('Sender', () => {
  it('sends a batch once linger.ms has passed, and resolves its records with their offsets', async () => {
    const { clock, io, acc } = setup();
    // Records completed through callbacks (nobody awaits them): the batch lingers for more.
    const done: RecordMetadata[] = [];
    const onDone = (_e: Error | null, m: RecordMetadata | null) => done.push(m as RecordMetadata);
    acc.appendWithCallback('t', 0, 111, null, 'a', null, clock.now(), onDone);
    acc.appendWithCallback('t', 0, 112, null, 'b', null, clock.now(), onDone);
    await clock.advance(9);
    expect(io.sent).toHaveLength(0);
    await clock.advance(1);
    expect(io.sent).toHaveLength(1);
    const { request, nodeId } = io.sent[0];
    expect(nodeId).toBe(1);
    expect(request).toMatchObject({ acks: -1, timeoutMs: 30000, transactionalId: null });
    expect(valuesOf(request)).toEqual([['a', 'b']]);
    io.sent[0].resolve(responseFor(request, 0, 500));
    await clock.tick();
    expect(done).toEqual([
      { topic: 't', partition: 0, offset: 500, timestamp: 111, logAppendTime: -1, logStartOffset: -1 },
      { topic: 't', partition: 0, offset: 501, timestamp: 112, logAppendTime: -1, logStartOffset: -1 },
    ]);
  });

  it('sends an awaited batch without lingering when its partition has nothing on the wire', async () => {
    const { clock, io, send } = setup({ lingerMs: 60_000 });
    const a = track(send('a'));
    const b = track(send('b'));
    await clock.tick();
    // The application waits for its records: no more will come from it meanwhile.
    expect(io.sent).toHaveLength(1);
    expect(valuesOf(io.sent[0].request)).toEqual([['a', 'b']]);
    io.sent[0].resolve(responseFor(io.sent[0].request, 0, 3));
    await clock.tick();
    expect([a.value?.offset, b.value?.offset]).toEqual([3, 4]);
  });

  it('holds an awaited batch while its partition has a request on the wire, and sends it with the response', async () => {
    const { clock, io, send } = setup({ lingerMs: 60_000 });
    const first = track(send('a'));
    await clock.tick();
    expect(io.sent).toHaveLength(1);
    // Records awaited while 'a' is on the wire gather in one batch (as Nagle's algorithm would).
    const later = [track(send('b')), track(send('c'))];
    await clock.tick();
    expect(io.sent).toHaveLength(1);
    io.sent[0].resolve(responseFor(io.sent[0].request, 0, 10));
    await clock.tick();
    expect(first.value?.offset).toBe(10);
    expect(io.sent).toHaveLength(2);
    expect(valuesOf(io.sent[1].request)).toEqual([['b', 'c']]);
    io.sent[1].resolve(responseFor(io.sent[1].request, 0, 11));
    await clock.tick();
    expect(later.map((r) => r.value?.offset)).toEqual([11, 12]);
  });

  it('builds requests the protocol codec accepts', () => {
    const { acc, md, io } = setup();
    const sender = new Sender(acc, md, io);
    void acc.append('t', 0, T0, null, 'x', null, T0);
    const plan = sender.runOnce(T0 + 10);
    const input: MessageInput<typeof ProduceRequest> = plan.requests[0].request;
    expect(input.topicData).toHaveLength(1);
  });

  it('sends a full batch at once, without waiting for linger.ms', async () => {
    const { clock, io, send } = setup({ lingerMs: 60_000 });
    for (let i = 0; i < 9; i++) void send(big(`r${i}`));
    await clock.tick();
    expect(io.sent).toHaveLength(1);
    expect(valuesOf(io.sent[0].request)[0]).toHaveLength(8);
  });

  it('tells the next run when the linger timer is due', () => {
    const { acc, md, io } = setup({ lingerMs: 25 });
    const sender = new Sender(acc, md, io);
    acc.appendWithCallback('t', 0, T0, null, 'x', null, T0, () => {});
    expect(sender.runOnce(T0 + 5).pollTimeoutMs).toBe(20);
  });

  it('flush sends what is buffered now and resolves when it is acknowledged', async () => {
    const { clock, io, loop, send } = setup({ lingerMs: 60_000 });
    const r = track(send('a'));
    let flushed = false;
    const flush = loop.flush().then(() => {
      flushed = true;
    });
    await clock.tick();
    expect(io.sent).toHaveLength(1);
    expect(flushed).toBe(false);
    io.sent[0].resolve(responseFor(io.sent[0].request, 0, 7));
    await flush;
    expect(r.value?.offset).toBe(7);
  });

  it('refreshes metadata on NOT_LEADER_OR_FOLLOWER and retries at the new leader without waiting', async () => {
    const { clock, io, md, loop, send } = setup();
    const r = track(send('a'));
    await clock.advance(10);
    io.sent[0].resolve(responseFor(io.sent[0].request, 6));
    await clock.tick();
    expect(md.updates).toBe(1);
    expect(io.sent).toHaveLength(1); // same leader: back off
    md.set('t', 0, 2);
    loop.wakeup(); // what the metadata refresh does when it lands
    await clock.tick();
    expect(io.sent).toHaveLength(2);
    expect(io.sent[1].nodeId).toBe(2);
    io.sent[1].resolve(responseFor(io.sent[1].request, 0, 3));
    await clock.tick();
    expect(r.value?.offset).toBe(3);
  });

  it('backs off retry.backoff.ms, doubling per attempt up to retry.backoff.max.ms', async () => {
    const { clock, io, send } = setup({}, { retryBackoffMs: 100, retryBackoffMaxMs: 300 });
    const r = track(send('a'));
    await clock.advance(10);
    const gaps: number[] = [];
    let last = clock.now();
    for (let attempt = 0; attempt < 4; attempt++) {
      const n = io.sent.length;
      io.sent[n - 1].resolve(responseFor(io.sent[n - 1].request, 7)); // REQUEST_TIMED_OUT
      while (io.sent.length === n) await clock.advance(1);
      gaps.push(clock.now() - last);
      last = clock.now();
    }
    expect(gaps).toEqual([100, 200, 300, 300]);
    io.sent[4].resolve(responseFor(io.sent[4].request, 0, 9));
    await clock.tick();
    expect(r.value?.offset).toBe(9);
  });

  it('retries a network failure of the whole request (and asks for metadata)', async () => {
    const { clock, io, md, send } = setup();
    const r = track(send('a'));
    await clock.advance(10);
    io.sent[0].reject(new ConnectionError('socket closed'));
    await clock.tick();
    expect(md.updates).toBe(1);
    await clock.advance(100);
    expect(io.sent).toHaveLength(2);
    io.sent[1].resolve(responseFor(io.sent[1].request, 0, 1));
    await clock.tick();
    expect(r.value?.offset).toBe(1);
  });

  it.each([
    ['UnsupportedApiVersionError', new UnsupportedApiVersionError('Produce', 0, { min: 3, max: 11 }, null)],
    ['a plain Error (an encode bug)', new Error('cannot encode field "records"')],
    ['ClientClosedError', new ClientClosedError('the cluster is closed')],
  ])('fails the send at once, without retry, when the request fails with %s', async (_name, cause) => {
    const { clock, io, md, send } = setup();
    const r = track(send('a', 1));
    await clock.advance(10);
    expect(io.sent).toHaveLength(1);
    io.sent[0].reject(cause);
    await clock.tick();
    expect(r.state).toBe('rejected');
    const error = r.error as ProduceRequestError;
    expect(error).toBeInstanceOf(ProduceRequestError);
    expect(error.retriable).toBe(false);
    expect(error.cause).toBe(cause);
    expect(error.message).toContain('t-1');
    expect(error.message).toContain(cause.message);
    expect([error.topic, error.partition, error.nodeId]).toEqual(['t', 1, 1]);
    // Never sent again, and no metadata refresh: nothing a retry or a new leader could fix.
    await clock.advance(10_000);
    expect(io.sent).toHaveLength(1);
    expect(md.updates).toBe(0);
  });

  it('retries a request that timed out (RequestTimeoutError) until it is answered', async () => {
    const { clock, io, send } = setup();
    const r = track(send('a'));
    await clock.advance(10);
    io.sent[0].reject(new RequestTimeoutError('Produce timed out', 30_000));
    await clock.advance(100);
    io.sent[1].reject(new ConnectionError('socket closed'));
    await clock.advance(200);
    expect(io.sent).toHaveLength(3);
    io.sent[2].resolve(responseFor(io.sent[2].request, 0, 4));
    await clock.tick();
    expect(r.value?.offset).toBe(4);
  });

  it('keeps order across retries with max.in.flight.requests.per.connection=1', async () => {
    const { clock, io, send } = setup({ maxInFlightRequestsPerConnection: 1, lingerMs: 0 });
    const cluster = new FakeCluster();
    const results: Promise<RecordMetadata>[] = [];
    for (let i = 0; i < 24; i++) results.push(send(big(`r${i}`)));
    let failures = 0;
    io.handler = (_node, request) => cluster.handle(request, () => (failures++ % 2 === 0 ? 6 : undefined)); // every other attempt fails
    for (let i = 0; i < 40 && io.sent.length < 6; i++) await clock.advance(100);
    const offsets = (await Promise.all(results)).map((m) => m.offset);
    expect(offsets).toEqual([...Array(24).keys()]);
    const written = cluster.log('t', 0).batches.flatMap((b) => decodeRecordBatch(b.bytes).records);
    expect(written.map((r) => (r.value as Buffer).toString().replace(/\.+$/, ''))).toEqual(
      [...Array(24).keys()].map((i) => `r${i}`),
    );
  });

  it('fails a batch with the broker’s typed error when the error is not retriable', async () => {
    const { clock, io, send } = setup();
    const r = track(send('a'));
    await clock.advance(10);
    io.sent[0].resolve(responseFor(io.sent[0].request, 29, 0, { errorMessage: 'no ACL' }));
    await clock.tick();
    expect(r.error).toBeInstanceOf(TopicAuthorizationFailedError);
    expect(r.error).toMatchObject({
      code: 29,
      errorName: 'TOPIC_AUTHORIZATION_FAILED',
      topic: 't',
      partition: 0,
    });
    expect((r.error as Error).message).toContain('no ACL');
  });

  it('gives each record its own error when the broker names the bad records', async () => {
    const { clock, io, send } = setup();
    const a = track(send('a'));
    const b = track(send('b'));
    await clock.advance(10);
    io.sent[0].resolve(
      responseFor(io.sent[0].request, 87, 0, {
        errorMessage: 'one bad record',
        recordErrors: [{ batchIndex: 1, batchIndexErrorMessage: 'null key on a compacted topic' }],
      }),
    );
    await clock.tick();
    expect((a.error as Error).message).toContain('one bad record');
    expect((b.error as Error).message).toContain('null key');
  });

  it('fails with the broker error once retries are spent', async () => {
    const { clock, io, send } = setup({}, { retries: 1 });
    const r = track(send('a'));
    await clock.advance(10);
    io.sent[0].resolve(responseFor(io.sent[0].request, 7));
    await clock.advance(100);
    io.sent[1].resolve(responseFor(io.sent[1].request, 7));
    await clock.tick();
    expect(r.error).toBeInstanceOf(RequestTimedOutError);
  });

  it('treats DUPLICATE_SEQUENCE_NUMBER as success', async () => {
    const { clock, io, send } = setup();
    const r = track(send('a'));
    await clock.advance(10);
    io.sent[0].resolve(responseFor(io.sent[0].request, 46));
    await clock.tick();
    expect(r.state).toBe('resolved');
  });

  it('splits a batch the broker finds too large and sends the halves, records in order', async () => {
    const { clock, io, send } = setup({ lingerMs: 0 });
    const results = Array.from({ length: 6 }, (_, i) => send(big(`r${i}`)));
    await clock.tick();
    expect(valuesOf(io.sent[0].request)[0]).toHaveLength(6);
    io.sent[0].resolve(responseFor(io.sent[0].request, 10)); // MESSAGE_TOO_LARGE
    await clock.tick();
    expect(io.sent.slice(1).map((s) => valuesOf(s.request)[0])).toEqual([
      ['r0', 'r1', 'r2'].map(big),
      ['r3', 'r4', 'r5'].map(big),
    ]);
    io.sent[1].resolve(responseFor(io.sent[1].request, 0, 100));
    io.sent[2].resolve(responseFor(io.sent[2].request, 0, 103));
    expect((await Promise.all(results)).map((m) => m.offset)).toEqual([100, 101, 102, 103, 104, 105]);
  });

  it('completes records with offset -1 once written with acks=0', async () => {
    const { clock, io, send } = setup({}, { acks: 0 });
    const r = track(send('a', 0, 42));
    await clock.advance(10);
    expect(io.sent[0].expectResponse).toBe(false);
    expect(io.sent[0].request.acks).toBe(0);
    io.sent[0].resolve(null);
    await clock.tick();
    expect(r.value).toEqual({
      topic: 't',
      partition: 0,
      offset: -1,
      timestamp: 42,
      logAppendTime: -1,
      logStartOffset: -1,
    });
  });

  it('uses the broker’s LogAppendTime when the response has one', async () => {
    const { clock, io, send } = setup();
    const r = track(send('a', 0, 42));
    await clock.advance(10);
    io.sent[0].resolve(responseFor(io.sent[0].request, 0, 0, { logAppendTimeMs: 99 }));
    await clock.tick();
    expect(r.value?.timestamp).toBe(99);
  });

  it('asks for metadata while a leader is unknown, and sends once it is known', async () => {
    const { clock, io, md, send } = setup();
    md.set('t', 0, undefined);
    const r = track(send('a'));
    await clock.advance(10);
    expect(io.sent).toHaveLength(0);
    expect(md.updates).toBeGreaterThan(0);
    md.set('t', 0, 3);
    await clock.advance(100); // looked at again after retry.backoff.ms, even without a wakeup
    expect(io.sent.map((s) => s.nodeId)).toEqual([3]);
    io.sent[0].resolve(responseFor(io.sent[0].request, 0, 0));
    await clock.tick();
    expect(r.state).toBe('resolved');
  });

  it('drains per node: one request per ready leader, each within max.request.size', async () => {
    const { clock, io, md, send } = setup({ lingerMs: 0, maxRequestSize: 1100 });
    md.set('t', 2, 2);
    md.set('t', 3, 2);
    for (const p of [0, 1, 2, 3]) for (let i = 0; i < 8; i++) void send(big(`${p}-${i}`), p);
    await clock.tick();
    const byNode = new Map<number, number[]>();
    for (const s of io.sent) {
      for (const b of batchesOf(s.request))
        byNode.set(s.nodeId, [...(byNode.get(s.nodeId) ?? []), b.partition]);
      expect(s.request.topicData.flatMap((t) => t.partitionData)).toHaveLength(1); // ~900-byte batches
    }
    expect(byNode.get(1)?.sort()).toEqual([0, 1]);
    expect(byNode.get(2)?.sort()).toEqual([2, 3]);
  });

  it('expires a batch that waited delivery.timeout.ms in the accumulator', async () => {
    const { clock, md, send } = setup({ deliveryTimeoutMs: 5000 });
    md.set('t', 0, undefined);
    const r = track(send('a'));
    await clock.advance(4999);
    expect(r.state).toBe('pending');
    await clock.advance(1);
    expect(r.error).toBeInstanceOf(DeliveryTimeoutError);
    expect(r.error).toMatchObject({
      topic: 't',
      partition: 0,
      recordCount: 1,
      inFlight: false,
      deliveryTimeoutMs: 5000,
    });
  });

  it('expires a batch in flight too, and ignores its late response', async () => {
    const { clock, io, send, acc } = setup({ deliveryTimeoutMs: 5000 });
    const r = track(send('a'));
    await clock.advance(5000);
    expect(r.error).toBeInstanceOf(DeliveryTimeoutError);
    expect((r.error as DeliveryTimeoutError).inFlight).toBe(true);
    expect(acc.pool.availableMemory).toBe(acc.pool.totalMemory);
    io.sent[0].resolve(responseFor(io.sent[0].request, 0, 0));
    await clock.tick();
    expect(r.error).toBeInstanceOf(DeliveryTimeoutError);
  });

  it('fails with DeliveryTimeoutError (cause: the broker error) when a retriable error comes after the timeout', async () => {
    const { acc, md, io } = setup({ deliveryTimeoutMs: 5000 });
    const sender = new Sender(acc, md, io, { retryBackoffMs: 100, random: () => 0.5 });
    const r = track(acc.append('t', 0, T0, null, 'a', null, T0));
    const [first] = sender.runOnce(T0 + 10).requests;
    sender.handleResponse(first, responseFor(first.request, 7), T0 + 20);
    expect(sender.runOnce(T0 + 50).requests).toHaveLength(0); // backing off
    const [second] = sender.runOnce(T0 + 120).requests;
    expect(second.batches[0].attempts).toBe(1);
    sender.handleResponse(second, responseFor(second.request, 19), T0 + 4999 + 1);
    await Promise.resolve();
    expect(r.error).toBeInstanceOf(DeliveryTimeoutError);
    expect((r.error as DeliveryTimeoutError).cause).toBeInstanceOf(NotEnoughReplicasError);
    expect(sender.inFlightRequestCount).toBe(0);
  });

  it('close sends what is buffered first, then stops', async () => {
    const { clock, io, loop, send, acc } = setup({ lingerMs: 60_000 });
    const r = track(send('a'));
    const closed = loop.close();
    await clock.tick();
    expect(io.sent).toHaveLength(1);
    await expect(send('late')).rejects.toBeInstanceOf(ProducerClosedError);
    io.sent[0].resolve(responseFor(io.sent[0].request, 0, 4));
    await closed;
    expect(r.value?.offset).toBe(4);
    expect(acc.isEmpty()).toBe(true);
    expect(clock.pending).toBe(0);
  });

  it('close with a timeout aborts what is still buffered after it', async () => {
    const { clock, md, loop, send } = setup();
    md.set('t', 0, undefined);
    const r = track(send('a'));
    const closed = loop.close({ timeoutMs: 1000 });
    await clock.advance(1000);
    await closed;
    expect(r.error).toBeInstanceOf(ProducerClosedError);
  });

  it('during close, a request failing with ClientClosedError fails its records with that cause, not retried', async () => {
    const { clock, io, loop, send } = setup({ lingerMs: 60_000 });
    const r = track(send('a'));
    const closed = loop.close({ timeoutMs: 30_000 });
    await clock.tick();
    io.sent[0].reject(new ClientClosedError('the client is closed'));
    await closed; // nothing left to wait for: the close does not sit out its timeout
    expect((r.error as ProduceRequestError).cause).toBeInstanceOf(ClientClosedError);
    expect(io.sent).toHaveLength(1);
  });

  it('after a forced close, the ClientClosedError of a request still in flight leaves the close error in place', async () => {
    const { clock, io, loop, send } = setup({ lingerMs: 60_000 });
    const r = track(send('a'));
    const closed = loop.close({ timeoutMs: 1000 });
    await clock.advance(1000);
    await closed;
    io.sent[0].reject(new ClientClosedError('the client is closed'));
    await clock.tick();
    expect(r.error).toBeInstanceOf(ProducerClosedError);
  });

  it('recycles a batch buffer once its request is answered, never one a failed request may still hold', async () => {
    const { clock, io, send, acc } = setup();
    const a = track(send('a'));
    await clock.advance(10);
    expect(acc.pool.freeBuffers).toBe(0);
    io.sent[0].resolve(responseFor(io.sent[0].request, 0, 0));
    await clock.tick();
    expect(a.value?.offset).toBe(0);
    expect(acc.pool.freeBuffers).toBe(1);
    const b = track(send('b')); // its batch writes into the recycled buffer
    expect(acc.pool.freeBuffers).toBe(0);
    await clock.advance(10);
    io.sent[1].reject(new ConnectionError('socket closed')); // the request may still sit in a write queue
    await clock.tick();
    await clock.advance(100);
    expect(valuesOf(io.sent[2].request)).toEqual([['b']]);
    io.sent[2].resolve(responseFor(io.sent[2].request, 0, 1));
    await clock.tick();
    expect(b.value?.offset).toBe(1);
    expect(acc.pool.freeBuffers).toBe(0);
    expect(acc.pool.availableMemory).toBe(acc.pool.totalMemory);
  });

  it('recycles the buffer of a batch written with acks=0, not of one that expired in flight', async () => {
    const zero = setup({}, { acks: 0 });
    void zero.send('a');
    await zero.clock.advance(10);
    zero.io.sent[0].resolve(null);
    await zero.clock.tick();
    expect(zero.acc.pool.freeBuffers).toBe(1);

    const { clock, io, send, acc } = setup({ deliveryTimeoutMs: 5000 });
    const r = track(send('a'));
    await clock.advance(5000);
    expect(r.error).toBeInstanceOf(DeliveryTimeoutError);
    io.sent[0].resolve(responseFor(io.sent[0].request, 0, 0));
    await clock.tick();
    expect(acc.pool.freeBuffers).toBe(0);
  });

  it('reports a network failure as a typed NetworkError once it may not be retried', async () => {
    const { clock, io, send } = setup({}, { retries: 0 });
    const r = track(send('a'));
    await clock.advance(10);
    io.sent[0].reject(new ConnectionError('ECONNRESET'));
    await clock.tick();
    expect(r.error).toBeInstanceOf(NetworkError);
    expect(r.error).toMatchObject({ broker: '1', topic: 't', partition: 0 });
    expect(((r.error as Error).cause as Error).message).toBe('ECONNRESET');
  });
});
