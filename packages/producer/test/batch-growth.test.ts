import { decodeRecordBatch, readRecordBatchHeader } from '@tskafka/protocol/internals';
import { producerKeys } from '@tskafka/transport/internals';
import { describe, expect, it } from 'vitest';
import { INITIAL_BATCH_SIZE, RecordAccumulator, type RecordAccumulatorOptions } from '../src/accumulator.js';
import { RecordTooLargeError } from '../src/errors.js';
import { IdempotenceManager } from '../src/idempotence.js';
import type { ProducerBatch } from '../src/producer-batch.js';
import { Sender } from '../src/sender.js';
import { SenderLoop } from '../src/sender-loop.js';
import type { RecordMetadata } from '../src/types.js';
import { batchesOf, FakeCluster, FakeMetadata, ManualClock, responseFor, ScriptedIo } from './fakes.js';

const T0 = 1_000_000;
// ~1 KiB records: 16 of them fill the first 16 KiB buffer, 60 need two growths (32, 64 KiB).
const record = (i: number) => `r${i}`.padEnd(1000, '.');

function accumulator(options: RecordAccumulatorOptions = {}) {
  const clock = new ManualClock(T0);
  const acc = new RecordAccumulator({ batchSize: 65536, lingerMs: 10, clock, ...options });
  return { acc, clock };
}

function drainAll(acc: RecordAccumulator, partitions: Record<string, number>): ProducerBatch[] {
  acc.beginFlush();
  acc.ready(new FakeMetadata(partitions), T0);
  return acc.drain([1], 1 << 30, T0).get(1) ?? [];
}

function values(batch: ProducerBatch): string[] {
  return decodeRecordBatch(batch.records as Buffer).records.map((r) => (r.value as Buffer).toString());
}

describe('batches that grow toward batch.size', () => {
  it('starts a batch at 16 KiB and grows it, keeping every record in order, and gives all memory back', () => {
    const { acc } = accumulator();
    const total = acc.pool.totalMemory;
    const done: number[] = [];
    acc.appendWithCallback('t', 0, T0, null, record(0), null, T0, () => done.push(0));
    expect(total - acc.pool.availableMemory).toBe(INITIAL_BATCH_SIZE);
    for (let i = 1; i < 60; i++) {
      acc.appendWithCallback('t', 0, T0 + i, null, record(i), null, T0, () => done.push(i));
    }
    // One batch, grown twice to batch.size: what it holds is what the pool counts as taken.
    expect(total - acc.pool.availableMemory).toBe(65536);
    const [batch, ...rest] = drainAll(acc, { 't-0': 1 });
    expect(rest).toEqual([]);
    expect(batch.allocatedBytes).toBe(65536);
    expect(values(batch)).toEqual(Array.from({ length: 60 }, (_, i) => record(i)));
    expect(decodeRecordBatch(batch.records as Buffer).records.map((r) => r.timestamp)).toEqual(
      Array.from({ length: 60 }, (_, i) => T0 + i),
    );
    batch.requestAnswered();
    batch.complete(0, -1);
    acc.deallocate(batch);
    expect(done).toEqual(Array.from({ length: 60 }, (_, i) => i));
    expect(acc.pool.availableMemory).toBe(total);
    // The buffers grown out of (16 and 32 KiB) and the last one (64 KiB) are kept for later batches.
    expect(acc.pool.freeBuffers).toBe(3);
  });

  it('never grows a batch past max.request.size: a larger record is refused, not taken in', async () => {
    const { acc } = accumulator({ batchSize: 262144, maxRequestSize: 10_000 });
    const small = acc.append('t', 0, T0, null, 'a', null, T0);
    const big = acc.append('t', 0, T0, null, 'x'.repeat(20_000), null, T0);
    await expect(big).rejects.toBeInstanceOf(RecordTooLargeError);
    const [batch] = drainAll(acc, { 't-0': 1 });
    expect(values(batch)).toEqual(['a']);
    batch.requestAnswered();
    batch.complete(0, -1);
    acc.deallocate(batch);
    expect((await small).offset).toBe(0);
  });

  it('seals the batch and opens a new one when the pool cannot grant the growth now', () => {
    // 40 KiB: the first batch (16 KiB) grows to 32 KiB; 64 KiB would need 32 more, only 8 are free.
    const { acc } = accumulator({ bufferMemory: 40 * 1024 });
    const results: Promise<RecordMetadata>[] = [];
    for (let i = 0; i < 40; i++) results.push(acc.append('t', 0, T0, null, record(i), null, T0));
    // The second batch could not open at once (8 KiB free, 16 wanted): its records wait in line.
    expect(acc.pool.queued).toBeGreaterThan(0);
    const [first] = drainAll(acc, { 't-0': 1 });
    expect(first.allocatedBytes).toBe(32768);
    const firstCount = first.recordCount;
    expect(values(first)).toEqual(Array.from({ length: firstCount }, (_, i) => record(i)));
    first.requestAnswered();
    first.complete(0, -1);
    acc.deallocate(first);
    // The waiting records got their batch from the memory freed, in order.
    const [second] = drainAll(acc, { 't-0': 1 });
    expect(values(second)).toEqual(Array.from({ length: 40 - firstCount }, (_, i) => record(firstCount + i)));
    expect(acc.pool.queued).toBe(0);
    second.requestAnswered();
    second.complete(firstCount, -1);
    acc.deallocate(second);
    expect(acc.pool.availableMemory).toBe(acc.pool.totalMemory);
  });

  it('opens a batch for each of 2000 partitions with the default batch.size and buffer.memory, without waiting', async () => {
    const batchSize = producerKeys.batchSize.default;
    const bufferMemory = producerKeys.bufferMemory.default;
    const n = 2000;
    // Reserving batch.size for each open batch, as before, would leave the later sends waiting.
    expect(n * batchSize).toBeGreaterThan(bufferMemory);
    const { acc } = accumulator({ batchSize, bufferMemory, maxBlockMs: 0 });
    const sent: Promise<RecordMetadata>[] = [];
    const partitions: Record<string, number> = {};
    for (let p = 0; p < n; p++) {
      sent.push(acc.append('t', p, T0, null, 'v', null, T0));
      partitions[`t-${p}`] = 1;
    }
    expect(acc.pool.queued).toBe(0);
    const batches = drainAll(acc, partitions);
    expect(batches).toHaveLength(n);
    for (const b of batches) {
      b.requestAnswered();
      b.complete(7, -1);
      acc.deallocate(b);
    }
    const metadata = await Promise.all(sent);
    expect(metadata.map((m) => m.partition)).toEqual(Array.from({ length: n }, (_, p) => p));
    expect(acc.pool.availableMemory).toBe(bufferMemory);
  });

  it('keeps idempotent sequences contiguous across grown batches', async () => {
    const clock = new ManualClock(T0);
    const idem = new IdempotenceManager();
    const acc = new RecordAccumulator({ batchSize: 65536, lingerMs: 0, idempotence: idem, clock });
    const io = new ScriptedIo();
    io.initHandler = () => ({ producerId: 1000, producerEpoch: 0 });
    const cluster = new FakeCluster();
    const headers: { baseSequence: number; recordCount: number }[] = [];
    io.handler = (_node, request) => {
      for (const b of batchesOf(request)) headers.push(readRecordBatchHeader(b.records));
      return cluster.handle(request);
    };
    const sender = new Sender(acc, new FakeMetadata({ 't-0': 1 }), io, { retryBackoffMs: 100 });
    const loop = new SenderLoop(sender, io, clock);
    const results: Promise<RecordMetadata>[] = [];
    for (let i = 0; i < 150; i++) results.push(acc.append('t', 0, T0, null, record(i), null, T0));
    const metadata = await settleAll(clock, results);
    expect(metadata.map((m) => m.offset)).toEqual(Array.from({ length: 150 }, (_, i) => i));
    // Grown batches (up to 64 KiB, ~60 records), their sequences following on.
    expect(Math.max(...headers.map((h) => h.recordCount))).toBeGreaterThan(16);
    let next = 0;
    for (const h of headers) {
      expect(h.baseSequence).toBe(next);
      next += h.recordCount;
    }
    expect(next).toBe(150);
    await loop.close({ timeoutMs: 0 });
    expect(acc.pool.availableMemory).toBe(acc.pool.totalMemory);
  });

  it('splits a grown batch the broker finds too large, in order, and gives its memory back', async () => {
    const clock = new ManualClock(T0);
    const acc = new RecordAccumulator({ batchSize: 65536, lingerMs: 0, clock });
    const io = new ScriptedIo();
    let offset = 0;
    let tooLarge = 0;
    const written: string[] = [];
    io.handler = (_node, request) => {
      const records = decodeRecordBatch(batchesOf(request)[0].records).records;
      if (tooLarge === 0 && records.length > 16) {
        tooLarge = records.length;
        return responseFor(request, 10); // MESSAGE_TOO_LARGE
      }
      written.push(...records.map((r) => (r.value as Buffer).toString()));
      offset += records.length;
      return responseFor(request, 0, offset - records.length);
    };
    const sender = new Sender(acc, new FakeMetadata({ 't-0': 1 }), io, { retryBackoffMs: 100 });
    const loop = new SenderLoop(sender, io, clock);
    const results: Promise<RecordMetadata>[] = [];
    for (let i = 0; i < 50; i++) results.push(acc.append('t', 0, T0, null, record(i), null, T0));
    const metadata = await settleAll(clock, results);
    expect(tooLarge).toBeGreaterThan(16); // a batch past its first 16 KiB was split
    expect(written).toEqual(Array.from({ length: 50 }, (_, i) => record(i)));
    expect(metadata.map((m) => m.offset)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    await loop.close({ timeoutMs: 0 });
    expect(acc.pool.availableMemory).toBe(acc.pool.totalMemory);
  });
});

/** Ticks the manual clock until every promise settled (the sender runs on its timers). */
async function settleAll<T>(clock: ManualClock, promises: Promise<T>[]): Promise<T[]> {
  let done = false;
  const all = Promise.all(promises).finally(() => {
    done = true;
  });
  for (let i = 0; i < 1000 && !done; i++) await clock.advance(1);
  return all;
}
