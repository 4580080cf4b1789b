import { describe, expect, it } from 'vitest';
import { RecordAccumulator } from '../src/accumulator.js';
import { ProducerBatch } from '../src/producer-batch.js';
import { SendFuture } from '../src/send-future.js';
import { FakeMetadata } from './fakes.js';

const T0 = 1_700_000_000_000;

function drainOne(acc: RecordAccumulator): ProducerBatch {
  acc.beginFlush();
  acc.ready(new FakeMetadata({ 't-0': 1 }), T0);
  const [b] = acc.drain([1], 1 << 20, T0).get(1) as ProducerBatch[];
  return b;
}

describe('SendFuture: the lazy promise send returns', () => {
  it('behaves as a promise: await, then, catch, finally, toString', async () => {
    const acc = new RecordAccumulator({ lingerMs: 0 });
    const a = acc.append('t', 0, T0, null, 'a', null, T0);
    const b = acc.append('t', 0, T0 + 1, null, 'b', null, T0);
    expect(a).toBeInstanceOf(SendFuture);
    expect(Object.prototype.toString.call(a)).toBe('[object Promise]');
    let finallyRan = false;
    const viaThen = b
      .then((m) => m.offset)
      .finally(() => {
        finallyRan = true;
      });
    drainOne(acc).complete(40, -1);
    await expect(a).resolves.toEqual({
      topic: 't',
      partition: 0,
      offset: 40,
      timestamp: T0,
      logAppendTime: -1,
      logStartOffset: -1,
    });
    expect(await viaThen).toBe(41);
    expect(finallyRan).toBe(true);
  });

  it('a record listened to only after its batch completed still gets its own outcome', async () => {
    const acc = new RecordAccumulator({ lingerMs: 0 });
    const sends = [0, 1, 2].map((i) => acc.append('t', 0, T0 + i, null, `v${i}`, null, T0));
    drainOne(acc).complete(7, -1);
    // Nobody listened while the batch completed; each asks afterwards.
    expect((await sends[2]).offset).toBe(9);
    expect((await sends[0]).timestamp).toBe(T0);
  });

  it('a failure nobody listens to is reported, and a late listener still gets the rejection', async () => {
    const acc = new RecordAccumulator({ lingerMs: 0 });
    const reported: string[] = [];
    const original = ProducerBatch.onUnobservedFailure;
    ProducerBatch.onUnobservedFailure = (batch, error, count) => {
      reported.push(`${batch.topic}-${batch.partition}: ${count} ${error.message}`);
    };
    try {
      const watched = acc.append('t', 0, T0, null, 'a', null, T0);
      const caught = watched.catch((e: Error) => e.message);
      const unwatched = acc.append('t', 0, T0, null, 'b', null, T0);
      drainOne(acc).fail(new Error('boom'));
      expect(await caught).toBe('boom');
      expect(reported).toEqual(['t-0: 1 boom']);
      await expect(unwatched).rejects.toThrow('boom');
    } finally {
      ProducerBatch.onUnobservedFailure = original;
    }
  });
});
