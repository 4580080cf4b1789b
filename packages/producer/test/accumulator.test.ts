import { CompressionType } from '@tskafka/protocol';
import { decodeRecordBatch, readRecordBatchHeader } from '@tskafka/protocol/internals';
import { describe, expect, it, vi } from 'vitest';
import { RecordAccumulator, type RecordAccumulatorOptions } from '../src/accumulator.js';
import { ProducerClosedError, RecordTooLargeError } from '../src/errors.js';
import { BatchState, type ProducerBatch } from '../src/producer-batch.js';
import { FakeMetadata, ManualClock } from './fakes.js';

const T0 = 1_000_000;
const value100 = Buffer.alloc(100, 1);

function accumulator(options: RecordAccumulatorOptions = {}) {
  const clock = new ManualClock(T0);
  const acc = new RecordAccumulator({ batchSize: 1024, lingerMs: 10, clock, ...options });
  return { acc, clock };
}

/** Appends `n` 100-byte records to `topic-partition` at `now`, returning their promises. */
function appendN(acc: RecordAccumulator, n: number, topic = 't', partition = 0, now = T0) {
  const out: Promise<unknown>[] = [];
  for (let i = 0; i < n; i++) out.push(acc.append(topic, partition, now, null, value100, null, now));
  return out;
}

function values(batch: ProducerBatch): string[] {
  return decodeRecordBatch(batch.records as Buffer).records.map((r) => (r.value as Buffer).toString());
}

describe('RecordAccumulator append and ready', () => {
  it('keeps a batch that is not full until linger.ms has passed, and says when to look again', () => {
    const { acc } = accumulator();
    // Records completed through callbacks: nobody awaits them, so their batch lingers for more.
    for (let i = 0; i < 2; i++) acc.appendWithCallback('t', 0, T0, null, value100, null, T0, () => {});
    const md = new FakeMetadata({ 't-0': 1 });
    const early = acc.ready(md, T0 + 4);
    expect(early.readyNodes).toEqual([]);
    expect(early.nextReadyCheckDelayMs).toBe(6);
    expect(acc.ready(md, T0 + 10).readyNodes).toEqual([1]);
  });

  it('does not keep a batch holding a send promise waiting for linger.ms while its partition has nothing on the wire', () => {
    const { acc } = accumulator();
    // A native promise may be awaited (nobody can tell): the application may send nothing more.
    appendN(acc, 2);
    expect(acc.ready(new FakeMetadata({ 't-0': 1 }), T0).readyNodes).toEqual([1]);
  });

  it('makes a full batch ready at once and tells listeners about full and new batches', () => {
    const { acc } = accumulator();
    const events: string[] = [];
    acc.addListener({
      onBatchFull: (t, p) => events.push(`full ${t}-${p}`),
      onNewBatch: (t, p) => events.push(`new ${t}-${p}`),
    });
    appendN(acc, 8); // 8 records of 108 bytes fit 1024 with the 61-byte header; the 9th does not
    expect(events).toEqual(['new t-0']);
    appendN(acc, 1);
    expect(events).toEqual(['new t-0', 'full t-0', 'new t-0']);
    const ready = acc.ready(new FakeMetadata({ 't-0': 1 }), T0);
    expect(ready.readyNodes).toEqual([1]);
  });

  it('gives a record larger than batch.size a batch of its own, and rejects one larger than max.request.size', async () => {
    const { acc } = accumulator({ maxRequestSize: 4000 });
    const big = Buffer.alloc(3000, 2);
    void acc.append('t', 0, T0, null, big, null, T0);
    const drained = acc.drain([], 4000, T0);
    expect(drained.size).toBe(0);
    acc.ready(new FakeMetadata({ 't-0': 1 }), T0);
    const [batch] = acc.drain([1], 4000, T0).get(1) as ProducerBatch[];
    expect(batch.recordCount).toBe(1);
    expect(batch.sizeInBytes).toBeGreaterThan(3000);
    const tooBig = acc.append('t', 0, T0, null, Buffer.alloc(5000), null, T0);
    await expect(tooBig).rejects.toBeInstanceOf(RecordTooLargeError);
    await expect(tooBig).rejects.toMatchObject({ limitName: 'max.request.size', limit: 4000 });
  });

  it('rejects a record larger than buffer.memory', async () => {
    const { acc } = accumulator({ bufferMemory: 2048, maxRequestSize: 1 << 20 });
    await expect(acc.append('t', 0, T0, null, Buffer.alloc(3000), null, T0)).rejects.toMatchObject({
      name: 'RecordTooLargeError',
      limitName: 'buffer.memory',
      limit: 2048,
    });
  });

  it('lists partitions without a known leader apart, and does not make them ready', () => {
    const { acc } = accumulator();
    appendN(acc, 1, 'a', 0);
    appendN(acc, 1, 'b', 3);
    const ready = acc.ready(new FakeMetadata({ 'a-0': 2 }), T0 + 100);
    expect(ready.readyNodes).toEqual([2]);
    expect(ready.unknownLeaders.map((q) => `${q.topic}-${q.partition}`)).toEqual(['b-3']);
  });

  it('makes every batch ready during a flush, and resolves the flush when they are done', async () => {
    const { acc } = accumulator();
    appendN(acc, 1);
    const md = new FakeMetadata({ 't-0': 1 });
    acc.beginFlush();
    expect(acc.flushInProgress).toBe(true);
    expect(acc.ready(md, T0).readyNodes).toEqual([1]);
    let flushed = false;
    const flush = acc.awaitFlushCompletion().then(() => {
      flushed = true;
    });
    const [batch] = acc.drain([1], 1 << 20, T0).get(1) as ProducerBatch[];
    await Promise.resolve();
    expect(flushed).toBe(false);
    batch.complete(0, -1);
    acc.deallocate(batch);
    await flush;
    expect(flushed).toBe(true);
    expect(acc.flushInProgress).toBe(false);
    expect(acc.isEmpty()).toBe(true);
  });

  it('tryAppend declines a record that would open a new batch (KIP-480 abortOnNewBatch)', () => {
    const { acc } = accumulator();
    expect(acc.tryAppend('t', 0, T0, null, value100, null, T0)).toBeNull();
    appendN(acc, 1);
    expect(acc.tryAppend('t', 0, T0, null, value100, null, T0)).not.toBeNull();
    appendN(acc, 6);
    expect(acc.tryAppend('t', 0, T0, null, value100, null, T0)).toBeNull();
  });

  it('completes records through callbacks as well as promises', async () => {
    const { acc } = accumulator();
    const seen: string[] = [];
    acc.appendWithCallback('t', 0, 5, null, 'a', null, T0, (e, m) =>
      seen.push(e ? 'error' : `${m?.offset}@${m?.timestamp}`),
    );
    const p = acc.append('t', 0, 6, null, 'b', null, T0);
    acc.beginFlush();
    acc.ready(new FakeMetadata({ 't-0': 1 }), T0);
    const [batch] = acc.drain([1], 1 << 20, T0).get(1) as ProducerBatch[];
    batch.complete(40, -1);
    expect(seen).toEqual(['40@5']);
    await expect(p).resolves.toEqual({
      topic: 't',
      partition: 0,
      offset: 41,
      timestamp: 6,
      logAppendTime: -1,
      logStartOffset: -1,
    });
  });

  it('rejects a timestamp that is not a safe integer, holding no memory', async () => {
    const { acc } = accumulator();
    await expect(acc.append('t', 0, Number.NaN, null, 'x', null, T0)).rejects.toBeInstanceOf(RangeError);
    expect(acc.pool.availableMemory).toBe(acc.pool.totalMemory);
  });

  it('completes the other records of a batch when a callback throws, and reports it as a warning', () => {
    const { acc } = accumulator();
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const seen: number[] = [];
    acc.appendWithCallback('t', 0, T0, null, 'a', null, T0, () => {
      throw new Error('user bug');
    });
    acc.appendWithCallback('t', 0, T0, null, 'b', null, T0, (_e, m) => seen.push(m?.offset ?? -2));
    acc.beginFlush();
    acc.ready(new FakeMetadata({ 't-0': 1 }), T0);
    const [batch] = acc.drain([1], 1 << 20, T0).get(1) as ProducerBatch[];
    batch.complete(7, -1);
    expect(seen).toEqual([8]);
    expect(warn).toHaveBeenCalledTimes(1);
    warn.mockRestore();
  });

  it('rejects appends after close, and makes what is buffered ready', async () => {
    const { acc } = accumulator();
    appendN(acc, 1);
    acc.close();
    await expect(acc.append('t', 0, T0, null, 'x', null, T0)).rejects.toBeInstanceOf(ProducerClosedError);
    expect(acc.ready(new FakeMetadata({ 't-0': 1 }), T0).readyNodes).toEqual([1]);
  });
});

describe('RecordAccumulator drain', () => {
  it('takes one batch per partition per request, oldest first, built with its records', () => {
    const { acc } = accumulator();
    for (let i = 0; i < 12; i++) void acc.append('t', 0, T0, null, `v${i}`.padEnd(100, '.'), null, T0);
    void acc.append('t', 1, T0, null, 'p1', null, T0);
    const md = new FakeMetadata({ 't-0': 1, 't-1': 1 });
    expect(acc.ready(md, T0).readyNodes).toEqual([1]);
    const batches = acc.drain([1], 1 << 20, T0).get(1) as ProducerBatch[];
    expect(batches.map((b) => `${b.topic}-${b.partition}:${b.recordCount}`).sort()).toEqual([
      't-0:8',
      't-1:1',
    ]);
    const first = batches.find((b) => b.partition === 0) as ProducerBatch;
    expect(values(first)[0]).toMatch(/^v0\./);
    expect(first.state).toBe(BatchState.InFlight);
    expect(first.queue.onWire).toBe(1);
    // The second batch of partition 0 is next.
    const next = acc.drain([1], 1 << 20, T0).get(1) as ProducerBatch[];
    expect(next.map((b) => b.recordCount)).toEqual([4]);
    expect(values(next[0])[0]).toMatch(/^v8\./);
  });

  it('stops at max.request.size, and starts the next drain where it stopped so no partition starves', () => {
    const { acc } = accumulator();
    const md = new FakeMetadata();
    for (const p of [0, 1, 2]) {
      md.set('t', p, 7);
      for (let i = 0; i < 30; i++) void acc.append('t', p, T0, null, value100, null, T0);
    }
    acc.ready(md, T0);
    const order: number[] = [];
    for (let round = 0; round < 6; round++) {
      const drained = acc.drain([7], 1100, T0).get(7) as ProducerBatch[];
      expect(drained).toHaveLength(1); // each batch is ~1000 bytes: one per request
      order.push(drained[0].partition);
    }
    expect(order).toEqual([0, 1, 2, 0, 1, 2]);
  });

  it('sends a single batch larger than max.request.size alone', () => {
    const { acc } = accumulator({ batchSize: 4096 });
    const md = new FakeMetadata({ 't-0': 1, 't-1': 1 });
    for (let i = 0; i < 30; i++) void acc.append('t', 0, T0, null, value100, null, T0);
    void acc.append('t', 1, T0, null, value100, null, T0);
    acc.beginFlush();
    acc.ready(md, T0);
    const first = acc.drain([1], 1000, T0).get(1) as ProducerBatch[];
    expect(first).toHaveLength(1);
    expect(first[0].sizeInBytes).toBeGreaterThan(1000);
  });

  it('compresses a batch when it is drained', () => {
    const { acc } = accumulator({ compression: CompressionType.Gzip, batchSize: 16384 });
    for (let i = 0; i < 50; i++) void acc.append('t', 0, T0, null, value100, null, T0);
    acc.beginFlush();
    acc.ready(new FakeMetadata({ 't-0': 1 }), T0);
    const [batch] = acc.drain([1], 1 << 20, T0).get(1) as ProducerBatch[];
    const header = readRecordBatchHeader(batch.records as Buffer);
    expect(header.compression).toBe(CompressionType.Gzip);
    expect(batch.sizeInBytes).toBeLessThan(50 * 100);
    expect(values(batch)).toHaveLength(50);
  });

  it('keeps a partition to one batch in flight with max.in.flight.requests.per.connection=1', () => {
    const { acc } = accumulator({ maxInFlightRequestsPerConnection: 1 });
    const md = new FakeMetadata({ 't-0': 1 });
    appendN(acc, 20);
    expect(acc.ready(md, T0).readyNodes).toEqual([1]);
    const [batch] = acc.drain([1], 1 << 20, T0).get(1) as ProducerBatch[];
    expect(acc.ready(md, T0).readyNodes).toEqual([]);
    expect(acc.drain([1], 1 << 20, T0).get(1)).toEqual([]);
    batch.queue.onWire--; // the response came back
    expect(acc.ready(md, T0).readyNodes).toEqual([1]);
  });

  it('hands out expired queued batches after delivery.timeout.ms, oldest first', () => {
    const { acc } = accumulator({ deliveryTimeoutMs: 1000 });
    appendN(acc, 12, 't', 0, T0);
    appendN(acc, 1, 't', 1, T0 + 500);
    expect(acc.expiredBatches(T0 + 999)).toEqual([]);
    expect(acc.nextExpiryTimeMs).toBe(T0 + 1000);
    const expired = acc.expiredBatches(T0 + 1000);
    expect(expired.map((b) => `${b.partition}:${b.recordCount}`)).toEqual(['0:8', '0:4']);
    expect(acc.hasUndrained()).toBe(true);
    expect(acc.nextExpiryTimeMs).toBe(T0 + 1500);
  });

  it('retries a re-enqueued batch first, after its backoff', () => {
    const { acc } = accumulator();
    const md = new FakeMetadata({ 't-0': 1 });
    appendN(acc, 12);
    acc.ready(md, T0 + 10);
    const [first] = acc.drain([1], 1 << 20, T0 + 10).get(1) as ProducerBatch[];
    first.queue.onWire--;
    acc.reenqueue(first, T0 + 20, T0 + 120);
    const ready = acc.ready(md, T0 + 50);
    expect(ready.readyNodes).toEqual([]);
    expect(ready.nextReadyCheckDelayMs).toBe(70);
    // A new leader: no reason to wait.
    md.set('t', 0, 2);
    expect(acc.ready(md, T0 + 50).readyNodes).toEqual([2]);
    const [again] = acc.drain([2], 1 << 20, T0 + 50).get(2) as ProducerBatch[];
    expect(again).toBe(first);
    expect(again.attempts).toBe(1);
  });
});
