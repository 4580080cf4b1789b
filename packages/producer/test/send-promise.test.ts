import { describe, expect, it } from 'vitest';
import { RecordAccumulator } from '../src/accumulator.js';
import type { ProducerBatch } from '../src/producer-batch.js';
import { FakeMetadata } from './fakes.js';

const T0 = 1_700_000_000_000;

function drainOne(acc: RecordAccumulator): ProducerBatch {
  acc.beginFlush();
  acc.ready(new FakeMetadata({ 't-0': 1 }), T0);
  const [b] = acc.drain([1], 1 << 20, T0).get(1) as ProducerBatch[];
  return b;
}

/** Unhandled rejections seen while `run` and the turns after it run. */
async function unhandledDuring(run: () => Promise<void>): Promise<unknown[]> {
  const seen: unknown[] = [];
  const onUnhandled = (reason: unknown): void => {
    seen.push(reason);
  };
  process.on('unhandledRejection', onUnhandled);
  try {
    await run();
    // Node reports unhandled rejections once the microtasks of a turn have run.
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
  return seen;
}

describe('the promise send returns', () => {
  it('is a native promise, which await and Promise.all take as it is', async () => {
    const acc = new RecordAccumulator({ lingerMs: 0 });
    const a = acc.append('t', 0, T0, null, 'a', null, T0);
    const b = acc.append('t', 0, T0 + 1, null, 'b', null, T0);
    expect(Object.getPrototypeOf(a)).toBe(Promise.prototype);
    expect(Promise.resolve(a)).toBe(a);
    let finallyRan = false;
    const viaThen = b
      .then((m) => m.offset)
      .finally(() => {
        finallyRan = true;
      });
    drainOne(acc).complete(40, -1);
    expect(await Promise.all([a])).toEqual([
      { topic: 't', partition: 0, offset: 40, timestamp: T0, logAppendTime: -1, logStartOffset: -1 },
    ]);
    expect(await viaThen).toBe(41);
    expect(finallyRan).toBe(true);
  });

  it('a failed send rejects for whoever awaits it, and one nobody awaits is reported, not an unhandled rejection', async () => {
    const reported: string[] = [];
    const acc = new RecordAccumulator({
      lingerMs: 0,
      onFailedSends: (topic, partition, error, count) =>
        reported.push(`${topic}-${partition}: ${count} ${error.message}`),
    });
    let caught: unknown = null;
    const unhandled = await unhandledDuring(async () => {
      const watched = acc.append('t', 0, T0, null, 'a', null, T0);
      void acc.append('t', 0, T0, null, 'nobody awaits this one', null, T0);
      drainOne(acc).fail(new Error('boom'));
      caught = await watched.catch((e: Error) => e.message);
    });
    expect(caught).toBe('boom');
    expect(unhandled).toEqual([]);
    // Once per batch, with how many sends it rejected: the producer cannot tell which were awaited.
    expect(reported).toEqual(['t-0: 2 boom']);
  });

  it("each send gets its own record's error, and a late listener still gets the rejection", async () => {
    const acc = new RecordAccumulator({ lingerMs: 0, onFailedSends: () => {} });
    const sends = [0, 1, 2].map((i) => acc.append('t', 0, T0 + i, null, `v${i}`, null, T0));
    drainOne(acc).fail(new Error('batch failed'), (i) =>
      i === 1 ? new Error('record 1 invalid') : undefined,
    );
    await new Promise((resolve) => setImmediate(resolve));
    const outcomes = await Promise.allSettled(sends);
    expect(outcomes.map((o) => (o.status === 'rejected' ? (o.reason as Error).message : o.status))).toEqual([
      'batch failed',
      'record 1 invalid',
      'batch failed',
    ]);
  });

  it('a send that waited for memory keeps its promise when its wait fails, reported the same way', async () => {
    const reported: number[] = [];
    const acc = new RecordAccumulator({
      batchSize: 1024,
      bufferMemory: 2048,
      maxBlockMs: 0,
      lingerMs: 0,
      onFailedSends: (_t, _p, _e, count) => reported.push(count),
    });
    // Two batches of 1024 bytes take all of buffer.memory.
    void acc.append('t', 0, T0, null, 'x'.repeat(900), null, T0);
    void acc.append('t', 0, T0, null, 'x'.repeat(900), null, T0);
    let error: unknown = null;
    const unhandled = await unhandledDuring(async () => {
      const waiting = acc.append('t', 0, T0, null, 'x'.repeat(900), null, T0);
      void acc.append('t', 0, T0, null, 'nobody awaits this one', null, T0);
      error = await waiting.catch((e: unknown) => e);
    });
    expect(error).toMatchObject({ name: 'BufferExhaustedError' });
    expect(unhandled).toEqual([]);
    expect(reported).toEqual([1, 1]);
  });
});
