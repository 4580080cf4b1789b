import { ClusterAuthorizationFailedError, InvalidRecordError } from '@tskafka/protocol';
import { decodeRecordBatch, readRecordBatchHeader } from '@tskafka/protocol/internals';
import { ConnectionError, RequestTimeoutError, UnsupportedApiVersionError } from '@tskafka/transport';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RecordAccumulator, type RecordAccumulatorOptions } from '../src/accumulator.js';
import { DeliveryTimeoutError, ProduceRequestError } from '../src/errors.js';
import { type EpochBumpMode, IdempotenceManager, IdempotenceState } from '../src/idempotence.js';
import { Sender, type SenderOptions } from '../src/sender.js';
import { SenderLoop } from '../src/sender-loop.js';
import type { RecordMetadata } from '../src/types.js';
import { batchesOf, FakeCluster, FakeMetadata, ManualClock, ScriptedIo, type SentRequest } from './fakes.js';

const T0 = 1_000_000;
const PID = 1000;

function setup(
  options: {
    acc?: RecordAccumulatorOptions;
    sender?: SenderOptions;
    epochBump?: EpochBumpMode;
    pid?: boolean;
  } = {},
) {
  const clock = new ManualClock(T0);
  const idem = new IdempotenceManager({ epochBump: options.epochBump });
  const acc = new RecordAccumulator({
    batchSize: 1024,
    lingerMs: 0,
    deliveryTimeoutMs: 120_000,
    idempotence: idem,
    clock,
    ...options.acc,
  });
  const md = new FakeMetadata({ 't-0': 1, 't-1': 1, 't-2': 2 });
  const io = new ScriptedIo();
  let nextPid = PID;
  if (options.pid !== false) io.initHandler = () => ({ producerId: nextPid++, producerEpoch: 0 });
  const sender = new Sender(acc, md, io, { retryBackoffMs: 100, random: () => 0.5, ...options.sender });
  const loop = new SenderLoop(sender, io, clock);
  const cluster = new FakeCluster();
  const results: Promise<RecordMetadata>[] = [];
  const send = (value: string, partition = 0) => {
    const p = acc.append('t', partition, T0, null, value.padEnd(100, '.'), null, clock.now());
    p.catch(() => {}); // tests look at failures through `results`
    results.push(p);
    return p;
  };
  /** Answers `sent[i]` from the cluster, with `fault(partition)` instead where it gives a code. */
  const answer = (s: SentRequest, fault?: (partition: number) => number | undefined) =>
    s.resolve(cluster.handle(s.request, (_t, p) => fault?.(p)));
  return { clock, idem, acc, md, io, sender, loop, cluster, send, results, answer };
}

interface Header {
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
}

function headerOf(s: SentRequest): Header {
  const [b] = batchesOf(s.request);
  const h = readRecordBatchHeader(b.records);
  return {
    producerId: h.producerId,
    producerEpoch: h.producerEpoch,
    baseSequence: h.baseSequence,
    recordCount: h.recordCount,
  };
}

function logValues(cluster: FakeCluster, partition = 0): string[] {
  return cluster
    .log('t', partition)
    .batches.flatMap((b) =>
      decodeRecordBatch(b.bytes).records.map((r) => (r.value as Buffer).toString().replace(/\.+$/, '')),
    );
}

const names = (n: number, prefix = 'r') => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

describe('idempotent producer', () => {
  it('gets a producer id before sending, then numbers batches 0, n, 2n', async () => {
    const { clock, io, send } = setup({ pid: false });
    for (const v of names(20)) void send(v);
    await clock.tick();
    expect(io.inits).toHaveLength(1);
    expect(io.inits[0].current).toEqual({ producerId: -1, producerEpoch: -1 });
    expect(io.sent).toHaveLength(0);
    io.inits[0].resolve({ producerId: PID, producerEpoch: 3 });
    await clock.tick();
    expect(io.sent.map(headerOf)).toEqual([
      { producerId: PID, producerEpoch: 3, baseSequence: 0, recordCount: 8 },
      { producerId: PID, producerEpoch: 3, baseSequence: 8, recordCount: 8 },
      { producerId: PID, producerEpoch: 3, baseSequence: 16, recordCount: 4 },
    ]);
  });

  it('refuses acks other than all, and more than 5 requests in flight', () => {
    const idem = new IdempotenceManager();
    expect(() => new RecordAccumulator({ idempotence: idem, maxInFlightRequestsPerConnection: 6 })).toThrow(
      RangeError,
    );
    const acc = new RecordAccumulator({ idempotence: idem });
    expect(() => new Sender(acc, new FakeMetadata(), new ScriptedIo(), { acks: 1 })).toThrow(/acks/);
  });

  it('with 5 in flight and batch 2 of 5 failing, retries batch 2 alone first, then the rest in order', async () => {
    const { clock, io, cluster, send, results, answer } = setup();
    for (const v of names(40)) void send(v);
    await clock.tick();
    expect(io.sent.map((s) => headerOf(s).baseSequence)).toEqual([0, 8, 16, 24, 32]);
    answer(io.sent[0]);
    answer(io.sent[1], () => 6); // NOT_LEADER_OR_FOLLOWER: not written
    for (const s of io.sent.slice(2, 5)) answer(s); // the broker answers OUT_OF_ORDER_SEQUENCE_NUMBER
    await clock.tick();
    expect(cluster.log('t', 0).batches).toHaveLength(1);
    expect(io.sent).toHaveLength(5);
    await clock.advance(100); // retry.backoff.ms
    expect(io.sent.slice(5).map((s) => headerOf(s).baseSequence)).toEqual([8]); // batch 2, alone
    answer(io.sent[5]);
    await clock.advance(200);
    expect(io.sent.slice(6).map((s) => headerOf(s).baseSequence)).toEqual([16]); // 24 waits for 16
    answer(io.sent[6]);
    io.handler = (_n, request) => cluster.handle(request);
    await clock.advance(500);
    const offsets = (await Promise.all(results)).map((m) => m.offset);
    expect(offsets).toEqual([...Array(40).keys()]);
    expect(logValues(cluster)).toEqual(names(40));
    expect(cluster.log('t', 0).batches.map((b) => b.baseSequence)).toEqual([0, 8, 16, 24, 32]);
  });

  it('writes once when a request times out after the broker wrote it: the retry is a duplicate', async () => {
    const { clock, io, cluster, send, results } = setup();
    for (const v of names(24)) void send(v);
    await clock.tick();
    expect(io.sent).toHaveLength(3);
    // The broker writes all three, then the connection drops before any response.
    for (const s of io.sent) cluster.handle(s.request);
    for (const s of io.sent) s.reject(new RequestTimeoutError('request timed out', 30_000));
    io.handler = (_n, request) => cluster.handle(request);
    await clock.advance(1000);
    const offsets = (await Promise.all(results)).map((m) => m.offset);
    expect(offsets).toEqual([...Array(24).keys()]);
    expect(logValues(cluster)).toEqual(names(24));
    // Each batch went again with its own sequence, oldest first.
    expect(io.sent.slice(3).map((s) => headerOf(s).baseSequence)).toEqual([0, 8, 16]);
  });

  it('bumps the epoch through InitProducerId on UNKNOWN_PRODUCER_ID and renumbers from 0', async () => {
    const { clock, io, cluster, send, results, answer } = setup();
    for (const v of names(8)) void send(v);
    await clock.tick();
    answer(io.sent[0]);
    await clock.tick();
    cluster.log('t', 0).forgetProducers(); // retention removed the producer's state
    for (const v of names(16, 's').slice(0, 16)) void send(v);
    await clock.tick();
    expect(io.sent.slice(1).map((s) => headerOf(s).baseSequence)).toEqual([8, 16]);
    answer(io.sent[1]); // UNKNOWN_PRODUCER_ID: the broker wrote nothing
    answer(io.sent[2]); // UNKNOWN_PRODUCER_ID too
    await clock.tick();
    expect(io.inits.map((i) => i.current)).toEqual([
      { producerId: -1, producerEpoch: -1 },
      { producerId: PID, producerEpoch: 0 },
    ]);
    io.handler = (_n, request) => cluster.handle(request);
    await clock.advance(1000);
    await Promise.all(results);
    expect(logValues(cluster)).toEqual([...names(8), ...names(16, 's')]);
    expect(cluster.log('t', 0).batches.map((b) => [b.producerId, b.baseSequence])).toEqual([
      [PID, 0],
      [PID + 1, 0],
      [PID + 1, 8],
    ]);
  });

  it('bumps the epoch locally on OUT_OF_ORDER_SEQUENCE_NUMBER for the next expected batch (epochBump: local)', async () => {
    const { clock, io, idem, cluster, send, results, answer } = setup({ epochBump: 'local' });
    for (const v of names(16)) void send(v);
    await clock.tick();
    answer(io.sent[0]);
    answer(io.sent[1], () => 45); // the next expected sequence, yet out of order: the broker lost track
    await clock.tick();
    expect(idem.producerEpoch).toBe(1);
    expect(io.inits).toHaveLength(1); // no request for a local bump
    await clock.advance(100);
    expect(headerOf(io.sent[2])).toEqual({
      producerId: PID,
      producerEpoch: 1,
      baseSequence: 0,
      recordCount: 8,
    });
    answer(io.sent[2]);
    await Promise.all(results);
    expect(logValues(cluster)).toEqual(names(16));
  });

  it('retries OUT_OF_ORDER_SEQUENCE_NUMBER without a bump when an earlier batch failed', async () => {
    const { clock, io, idem, cluster, send, results, answer } = setup();
    for (const v of names(24)) void send(v);
    await clock.tick();
    answer(io.sent[0]);
    answer(io.sent[1], () => 19); // NOT_ENOUGH_REPLICAS, not written
    answer(io.sent[2]); // OUT_OF_ORDER_SEQUENCE_NUMBER: sequence 16 follows a gap
    await clock.tick();
    expect(idem.epochBumpPending).toBe(false);
    io.handler = (_n, request) => cluster.handle(request);
    await clock.advance(1000);
    await Promise.all(results);
    expect(io.inits).toHaveLength(1);
    expect(logValues(cluster)).toEqual(names(24));
  });

  it('after a fatal error on batch 2 of 5, fails only batch 2 and writes the rest once, in order, under a new epoch', async () => {
    const { clock, io, cluster, send, results, answer } = setup();
    for (const v of names(40)) void send(v);
    await clock.tick();
    answer(io.sent[0]);
    answer(io.sent[1], () => 87); // INVALID_RECORD: not retriable, not written
    for (const s of io.sent.slice(2)) answer(s); // OUT_OF_ORDER_SEQUENCE_NUMBER
    io.handler = (_n, request) => cluster.handle(request);
    await clock.advance(2000);
    const outcomes = await Promise.allSettled(results);
    const failed = outcomes.flatMap((o, i) => (o.status === 'rejected' ? [i] : []));
    expect(failed).toEqual([8, 9, 10, 11, 12, 13, 14, 15]);
    expect((outcomes[8] as PromiseRejectedResult).reason).toBeInstanceOf(InvalidRecordError);
    const written = names(40).filter((_, i) => !failed.includes(i));
    expect(logValues(cluster)).toEqual(written);
    expect(cluster.log('t', 0).batches.map((b) => [b.producerId, b.baseSequence])).toEqual([
      [PID, 0],
      [PID + 1, 0],
      [PID + 1, 8],
      [PID + 1, 16],
    ]);
  });

  it('after a batch expires in flight, sends nothing more to its partition until its request is back, then starts a new epoch', async () => {
    const { clock, io, cluster, send, results } = setup({ acc: { deliveryTimeoutMs: 5000 } });
    for (const v of names(8)) void send(v);
    await clock.tick();
    expect(io.sent).toHaveLength(1);
    await clock.advance(5000);
    await expect(results[0]).rejects.toBeInstanceOf(DeliveryTimeoutError);
    for (const v of names(8, 'n')) void send(v);
    await clock.advance(500);
    expect(io.sent).toHaveLength(1); // unresolved: the expired batch may yet be written
    io.sent[0].reject(new ConnectionError('disconnected')); // ... it was not
    io.handler = (_n, request) => cluster.handle(request);
    await clock.advance(1000);
    await Promise.all(results.slice(8));
    expect(io.inits).toHaveLength(2);
    expect(cluster.log('t', 0).batches.map((b) => [b.producerId, b.baseSequence])).toEqual([[PID + 1, 0]]);
    expect(logValues(cluster)).toEqual(names(8, 'n'));
  });

  it('after a batch expires in flight but its late response says written, carries on with the same epoch', async () => {
    const { clock, io, cluster, send, results, answer } = setup({ acc: { deliveryTimeoutMs: 5000 } });
    for (const v of names(8)) void send(v);
    await clock.tick();
    await clock.advance(5000);
    await expect(results[0]).rejects.toBeInstanceOf(DeliveryTimeoutError);
    for (const v of names(8, 'n')) void send(v);
    answer(io.sent[0]);
    io.handler = (_n, request) => cluster.handle(request);
    await clock.advance(1000);
    await Promise.all(results.slice(8));
    expect(io.inits).toHaveLength(1);
    expect(cluster.log('t', 0).batches.map((b) => [b.producerId, b.baseSequence])).toEqual([
      [PID, 0],
      [PID, 8],
    ]);
  });

  it('when the request of batch 2 of 5 fails with an unknown error, fails batch 2 at once and writes the rest under a new epoch', async () => {
    const { clock, io, cluster, send, results, answer } = setup();
    for (const v of names(40)) void send(v);
    await clock.tick();
    const cause = new Error('cannot encode field "records"');
    answer(io.sent[0]);
    io.sent[1].reject(cause); // not retriable: never written, never sent again
    for (const s of io.sent.slice(2)) answer(s); // OUT_OF_ORDER_SEQUENCE_NUMBER
    io.handler = (_n, request) => cluster.handle(request);
    await clock.advance(2000);
    const outcomes = await Promise.allSettled(results);
    const failed = outcomes.flatMap((o, i) => (o.status === 'rejected' ? [i] : []));
    expect(failed).toEqual([8, 9, 10, 11, 12, 13, 14, 15]);
    const reason = (outcomes[8] as PromiseRejectedResult).reason as ProduceRequestError;
    expect(reason).toBeInstanceOf(ProduceRequestError);
    expect(reason.cause).toBe(cause);
    const sentSeq8 = io.sent.filter((s) => {
      const h = headerOf(s);
      return h.producerId === PID && h.baseSequence === 8;
    });
    expect(sentSeq8).toHaveLength(1);
    expect(logValues(cluster)).toEqual(names(40).filter((_, i) => !failed.includes(i)));
    expect(cluster.log('t', 0).batches.map((b) => [b.producerId, b.baseSequence])).toEqual([
      [PID, 0],
      [PID + 1, 0],
      [PID + 1, 8],
      [PID + 1, 16],
    ]);
  });

  it('does not retry an InitProducerId that failed with an unknown error: queued records fail with it', async () => {
    const { clock, io, idem, send, results } = setup({ pid: false });
    void send('a');
    await clock.tick();
    const cause = new UnsupportedApiVersionError('InitProducerId', 22, { min: 0, max: 4 }, null);
    io.inits[0].reject(cause);
    await clock.advance(1000);
    expect(io.inits).toHaveLength(1);
    expect(idem.state).toBe(IdempotenceState.FatalError);
    await expect(results[0]).rejects.toBe(cause);
  });

  it('retries a retriable InitProducerId failure after the backoff, and fails queued records on a fatal one', async () => {
    const { clock, io, idem, send, results } = setup({ pid: false });
    void send('a');
    await clock.tick();
    io.inits[0].reject(new ConnectionError('disconnected'));
    await clock.tick();
    expect(idem.state).toBe(IdempotenceState.Uninitialized);
    await clock.advance(99);
    expect(io.inits).toHaveLength(1);
    await clock.advance(1);
    expect(io.inits).toHaveLength(2);
    io.inits[1].reject(new ClusterAuthorizationFailedError());
    await clock.tick();
    expect(idem.state).toBe(IdempotenceState.FatalError);
    await expect(results[0]).rejects.toBeInstanceOf(ClusterAuthorizationFailedError);
  });

  it('writes every record exactly once and in order whatever the network does (random faults)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 0x7fffffff }), async (seed) => {
        let s = seed;
        const rnd = () => {
          s ^= s << 13;
          s ^= s >>> 17;
          s ^= s << 5;
          return (s >>> 0) / 0x100000000;
        };
        const { clock, io, cluster, send, results } = setup({ sender: { random: rnd } });
        const perPartition = [0, 1, 2].map((p) => names(60, `p${p}-`));
        for (let i = 0; i < 60; i++) for (const p of [0, 1, 2]) void send(perPartition[p][i], p);
        const answered = new Set<SentRequest>();
        let settled = false;
        void Promise.all(results).then(() => {
          settled = true;
        });
        for (let step = 0; step < 2000 && !settled; step++) {
          for (const node of [1, 2]) {
            // A connection answers in order: some of its oldest requests, each with a random fate.
            const pending = io.sent.filter((r) => r.nodeId === node && !answered.has(r));
            const k = Math.floor(rnd() * (pending.length + 1));
            for (const r of pending.slice(0, k)) {
              answered.add(r);
              const fate = rnd();
              if (fate < 0.1) r.reject(new ConnectionError('disconnected before the broker read it'));
              else if (fate < 0.2) {
                cluster.handle(r.request);
                r.reject(new RequestTimeoutError('request timed out after the broker wrote it', 30_000));
              } else if (fate < 0.3) r.resolve(cluster.handle(r.request, () => 6));
              else if (fate < 0.35) {
                // acks=all timed out in replication: written on the leader, answered REQUEST_TIMED_OUT
                cluster.handle(r.request);
                r.resolve(cluster.handle(r.request, () => 7));
              } else r.resolve(cluster.handle(r.request));
            }
          }
          await clock.advance(Math.floor(rnd() * 60));
        }
        const metadata = await Promise.all(results);
        for (const p of [0, 1, 2]) {
          expect(logValues(cluster, p)).toEqual(perPartition[p]);
        }
        // Each record's offset is where the log has it (-1: written, offset unknown, see isAcknowledged).
        metadata.forEach((m, i) => {
          if (m.offset >= 0)
            expect(logValues(cluster, m.partition)[m.offset]).toBe(perPartition[i % 3][Math.floor(i / 3)]);
        });
      }),
      { numRuns: Number(process.env.PRODUCER_FAULT_RUNS ?? 25) },
    );
  });
});
