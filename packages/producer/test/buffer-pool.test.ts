import { describe, expect, it } from 'vitest';
import { RecordAccumulator } from '../src/accumulator.js';
import { BufferPool, type PoolWaiter } from '../src/buffer-pool.js';
import { BufferExhaustedError, ProducerClosedError } from '../src/errors.js';
import type { ProducerBatch } from '../src/producer-batch.js';
import { FakeMetadata, ManualClock, settle } from './fakes.js';

const T0 = 1_000_000;

function waiter(size: number, log: string[], name: string): PoolWaiter {
  return {
    size,
    deadlineMs: 0,
    granted: () => log.push(`${name} granted`),
    rejected: (e) => log.push(`${name} ${e.name}`),
  };
}

describe('BufferPool', () => {
  it('counts what batches hold', () => {
    const pool = new BufferPool({ totalMemory: 1000, maxBlockMs: 100, clock: new ManualClock(T0) });
    expect(pool.tryAllocate(600)).toBe(true);
    expect(pool.availableMemory).toBe(400);
    expect(pool.tryAllocate(600)).toBe(false);
    pool.deallocate(600);
    expect(pool.availableMemory).toBe(1000);
  });

  it('recycles batch.size buffers, never keeping more of them than is free', () => {
    const pool = new BufferPool({
      totalMemory: 1000,
      maxBlockMs: 100,
      clock: new ManualClock(T0),
      poolableSize: 300,
    });
    const taken: Buffer[] = [];
    for (let i = 0; i < 2; i++) {
      expect(pool.tryAllocate(300)).toBe(true);
      taken.push(pool.takeBuffer(300));
    }
    expect(taken[0].length).toBe(300);
    expect(taken[0]).not.toBe(taken[1]);
    for (const b of taken) {
      pool.deallocate(300);
      pool.releaseBuffer(b);
    }
    pool.releaseBuffer(Buffer.alloc(200)); // not batch.size: left to the garbage collector
    expect(pool.freeBuffers).toBe(2);
    expect(pool.tryAllocate(300)).toBe(true);
    expect(pool.takeBuffer(300)).toBe(taken[1]);
    // A batch for an oversized record takes the rest: the free list gives up what is not free.
    expect(pool.tryAllocate(700)).toBe(true);
    expect(pool.takeBuffer(700).length).toBe(700);
    expect(pool.freeBuffers).toBe(0);
    pool.deallocate(700);
    pool.releaseBuffer(taken[0]);
    expect(pool.freeBuffers).toBe(1);
    pool.close(new ProducerClosedError('closed'));
    expect(pool.freeBuffers).toBe(0);
  });

  it('recycles the sizes batches grow through (the first size times a power of two, and batch.size), dropping the largest first when memory is short', () => {
    const pool = new BufferPool({
      totalMemory: 4000,
      maxBlockMs: 100,
      clock: new ManualClock(T0),
      poolableSize: 100,
      maxPoolableSize: 1000,
    });
    const sizes = [100, 200, 400, 800, 1000];
    const taken = sizes.map((size) => {
      expect(pool.tryAllocate(size)).toBe(true);
      return pool.takeBuffer(size);
    });
    expect(pool.tryAllocate(300)).toBe(true);
    const odd = pool.takeBuffer(300);
    pool.deallocate(300);
    pool.releaseBuffer(odd); // 3 × 100: not a size a batch grows through
    for (const b of taken) {
      pool.deallocate(b.length);
      pool.releaseBuffer(b);
    }
    expect(pool.freeBuffers).toBe(5);
    expect(pool.tryAllocate(800)).toBe(true);
    expect(pool.takeBuffer(800)).toBe(taken[3]);
    // 3200 free, 1700 of it in free buffers; taking 2000 more leaves 1200: the 1000 goes first.
    expect(pool.tryAllocate(2000)).toBe(true);
    pool.takeBuffer(2000);
    expect(pool.freeBuffers).toBe(3);
    expect(pool.takeBuffer(400)).toBe(taken[2]);
  });

  it('grants waiters first come, first served, as memory comes back', () => {
    const clock = new ManualClock(T0);
    const pool = new BufferPool({ totalMemory: 1000, maxBlockMs: 100, clock });
    const log: string[] = [];
    pool.tryAllocate(900);
    pool.allocate(waiter(500, log, 'a'));
    pool.allocate(waiter(50, log, 'b')); // would fit now, but waits its turn
    expect(pool.queued).toBe(2);
    expect(pool.tryAllocate(50)).toBe(false); // nobody jumps the line
    pool.deallocate(300);
    expect(log).toEqual([]);
    pool.deallocate(200);
    expect(log).toEqual(['a granted', 'b granted']);
    expect(pool.availableMemory).toBe(50);
  });

  it('rejects a waiter after max.block.ms with the sizes, and serves the next one', async () => {
    const clock = new ManualClock(T0);
    const pool = new BufferPool({ totalMemory: 1000, maxBlockMs: 100, clock });
    const errors: BufferExhaustedError[] = [];
    pool.tryAllocate(900);
    pool.allocate({
      size: 500,
      deadlineMs: 0,
      granted: () => {},
      rejected: (e) => errors.push(e as BufferExhaustedError),
    });
    await clock.advance(40);
    const log: string[] = [];
    pool.allocate(waiter(100, log, 'b'));
    await clock.advance(59);
    expect(errors).toHaveLength(0);
    await clock.advance(1);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(BufferExhaustedError);
    expect(errors[0]).toMatchObject({
      requestedBytes: 500,
      availableBytes: 100,
      bufferMemory: 1000,
      maxBlockMs: 100,
    });
    expect(errors[0].message).toContain('500 bytes');
    expect(log).toEqual(['b granted']); // 100 bytes were free all along
  });

  it('rejects at once with max.block.ms=0, and rejects every waiter on close', () => {
    const clock = new ManualClock(T0);
    const pool = new BufferPool({ totalMemory: 100, maxBlockMs: 0, clock });
    const log: string[] = [];
    pool.tryAllocate(100);
    pool.allocate(waiter(10, log, 'a'));
    expect(log).toEqual(['a BufferExhaustedError']);
    const blocking = new BufferPool({ totalMemory: 100, maxBlockMs: 1000, clock });
    blocking.tryAllocate(100);
    blocking.allocate(waiter(10, log, 'b'));
    blocking.close(new ProducerClosedError());
    expect(log).toEqual(['a BufferExhaustedError', 'b ProducerClosedError']);
  });
});

describe('RecordAccumulator with buffer.memory exhausted', () => {
  function setup(maxBlockMs = 500) {
    const clock = new ManualClock(T0);
    const acc = new RecordAccumulator({
      batchSize: 1000,
      lingerMs: 100,
      bufferMemory: 2000,
      maxBlockMs,
      clock,
    });
    const md = new FakeMetadata({ 't-0': 1, 't-1': 1 });
    return { clock, acc, md };
  }

  it('blocks a send, makes every batch ready meanwhile, and appends it once batches complete, in order', async () => {
    const { acc, md } = setup();
    const first = acc.append('t', 0, T0, null, 'a', null, T0);
    void acc.append('t', 1, T0, null, 'b', null, T0);
    expect(acc.pool.availableMemory).toBe(0);
    const order: string[] = [];
    const blocked = acc
      .append('t', 0, T0, null, Buffer.alloc(990), null, T0)
      .then((m) => order.push(`blocked@${m.offset}`));
    // A later small record for partition 0 would fit its open batch, but must not overtake.
    const later = acc.append('t', 0, T0, null, 'c', null, T0).then((m) => order.push(`later@${m.offset}`));
    expect(acc.pool.queued).toBe(2);
    // linger.ms has not passed, but memory is exhausted: everything is ready.
    expect(acc.ready(md, T0).readyNodes).toEqual([1]);
    const drained = acc.drain([1], 1 << 20, T0).get(1) as ProducerBatch[];
    expect(drained).toHaveLength(2);
    for (const b of drained) {
      b.complete(0, -1);
      acc.deallocate(b);
    }
    await expect(first).resolves.toMatchObject({ offset: 0 });
    // The large record got a batch of its own (1060 bytes); the small one waits for more memory.
    expect(acc.pool.queued).toBe(1);
    const send = (offset: number) => {
      acc.ready(md, T0);
      const [b] = acc.drain([1], 1 << 20, T0).get(1) as ProducerBatch[];
      b.complete(offset, -1);
      acc.deallocate(b);
    };
    send(10);
    expect(acc.pool.queued).toBe(0);
    send(11);
    await Promise.all([blocked, later]);
    expect(order).toEqual(['blocked@10', 'later@11']);
    expect(acc.pool.availableMemory).toBe(2000);
  });

  it('rejects a send that waited max.block.ms with a BufferExhaustedError', async () => {
    const { clock, acc } = setup(500);
    void acc.append('t', 0, T0, null, 'a', null, T0);
    void acc.append('t', 1, T0, null, 'b', null, T0);
    const blocked = acc.append('t', 0, T0, null, Buffer.alloc(990), null, T0);
    const outcome = blocked.then(
      () => 'resolved',
      (e: unknown) => e,
    );
    await clock.advance(499);
    expect(acc.pool.queued).toBe(1);
    await clock.advance(1);
    const error = await outcome;
    expect(error).toBeInstanceOf(BufferExhaustedError);
    expect(error).toMatchObject({
      requestedBytes: 1060,
      bufferMemory: 2000,
      availableBytes: 0,
      maxBlockMs: 500,
    });
    expect(acc.pool.queued).toBe(0);
  });

  it('releases the memory of every completed batch', () => {
    const { acc, md } = setup();
    for (let i = 0; i < 3; i++) void acc.append('t', i % 2, T0, null, 'x', null, T0);
    acc.beginFlush();
    acc.ready(md, T0);
    const drained = acc.drain([1], 1 << 20, T0).get(1) as ProducerBatch[];
    for (const b of drained) {
      b.complete(0, -1);
      acc.deallocate(b);
    }
    expect(acc.pool.availableMemory).toBe(2000);
  });

  // Drains and completes whatever is ready until the accumulator is empty; returns the offsets.
  async function deliverAll(acc: RecordAccumulator, md: FakeMetadata): Promise<void> {
    let next = 0;
    for (let round = 0; round < 1000 && !acc.isEmpty(); round++) {
      acc.ready(md, T0 + 1000);
      for (const b of (acc.drain([1], 1 << 20, T0 + 1000).get(1) ?? []) as ProducerBatch[]) {
        const offset = next;
        next += b.recordCount;
        b.complete(offset, -1);
        acc.deallocate(b);
      }
      await settle();
    }
  }

  it('every send that waited for memory is delivered, in order, even when it does not fit the open batch', async () => {
    const { acc, md } = setup();
    const offsets: number[] = [];
    const sends = Array.from({ length: 200 }, (_, i) =>
      acc.append('t', 0, T0, null, Buffer.alloc(90, i), null, T0).then((m) => {
        offsets.push(m.offset);
        return m.offset;
      }),
    );
    expect(acc.pool.queued).toBeGreaterThan(100);
    await deliverAll(acc, md);
    expect(await Promise.all(sends)).toEqual(sends.map((_, i) => i));
    expect(offsets).toEqual(sends.map((_, i) => i));
    expect(acc.pool.availableMemory).toBe(2000);
  });

  it('flush and close wait for the sends still waiting for memory', async () => {
    const { acc, md } = setup();
    const sends = Array.from({ length: 100 }, () => acc.append('t', 0, T0, null, Buffer.alloc(90), null, T0));
    acc.beginFlush();
    let flushed = false;
    const flush = acc.awaitFlushCompletion().then(() => {
      flushed = true;
    });
    let closed = false;
    acc.close();
    const empty = acc.awaitEmpty().then(() => {
      closed = true;
    });
    // Closed: no new sends; those already waiting for memory still go out (as in Java).
    await expect(acc.append('t', 0, T0, null, 'late', null, T0)).rejects.toThrow(/closed/);
    await settle();
    expect(flushed).toBe(false);
    expect(closed).toBe(false);
    await deliverAll(acc, md);
    await Promise.all([flush, empty]);
    const metas = await Promise.all(sends);
    expect(metas.map((m) => m.offset)).toEqual(metas.map((_, i) => i));
  });
});
