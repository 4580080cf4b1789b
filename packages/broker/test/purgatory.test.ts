/**
 * The delayed-operation purgatory and the broker's manual clock: an operation waits until a check
 * of one of its keys completes it or its timeout passes on the clock, never both; periodic timers
 * fire once per interval until cleared.
 */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../src/clock.js';
import { type DelayedOperation, Purgatory } from '../src/purgatory.js';

/** An operation that completes once `ready` is set, recording how it ended. */
function operation(): DelayedOperation & { ready: boolean; ended: string[] } {
  const op = {
    ready: false,
    ended: [] as string[],
    tryComplete() {
      if (!op.ready) return false;
      op.ended.push('completed');
      return true;
    },
    onExpire() {
      op.ended.push('expired');
    },
  };
  return op;
}

describe('purgatory', () => {
  it('completes an operation at once when it can, without watching it', () => {
    const clock = new ManualClock();
    const purgatory = new Purgatory(clock);
    const op = operation();
    op.ready = true;
    expect(purgatory.tryCompleteElseWatch(op, ['t-0'], 500)).toBe(true);
    expect(purgatory.size).toBe(0);
    expect(clock.pending).toBe(0);
  });

  it('completes a waiting operation on a check of its key once its condition holds', () => {
    const clock = new ManualClock();
    const purgatory = new Purgatory(clock);
    const op = operation();
    expect(purgatory.tryCompleteElseWatch(op, ['t-0', 't-1'], 500)).toBe(false);
    expect(purgatory.checkAndComplete('t-1')).toBe(0);
    op.ready = true;
    expect(purgatory.checkAndComplete('t-2')).toBe(0);
    expect(op.ended).toEqual([]);
    expect(purgatory.checkAndComplete('t-1')).toBe(1);
    expect(op.ended).toEqual(['completed']);
    expect(purgatory.size).toBe(0);
    // Its timeout went with it.
    expect(clock.pending).toBe(0);
    clock.advance(500);
    expect(op.ended).toEqual(['completed']);
  });

  it('expires a waiting operation when its timeout passes on the clock, not before', () => {
    const clock = new ManualClock();
    const purgatory = new Purgatory(clock);
    const op = operation();
    purgatory.tryCompleteElseWatch(op, ['t-0'], 500);
    clock.advance(499);
    expect(op.ended).toEqual([]);
    clock.advance(1);
    expect(op.ended).toEqual(['expired']);
    expect(purgatory.size).toBe(0);
    op.ready = true;
    expect(purgatory.checkAndComplete('t-0')).toBe(0);
    expect(op.ended).toEqual(['expired']);
  });

  it('expires everything at shutdown', () => {
    const clock = new ManualClock();
    const purgatory = new Purgatory(clock);
    const ops = [operation(), operation()];
    for (const op of ops) purgatory.tryCompleteElseWatch(op, ['t-0'], 30_000);
    purgatory.expireAll();
    expect(ops.map((op) => op.ended)).toEqual([['expired'], ['expired']]);
    expect(clock.pending).toBe(0);
  });
});

describe('manual clock', () => {
  it('fires a periodic timer once per interval, at its due times, until cleared', () => {
    const clock = new ManualClock(0);
    const fired: number[] = [];
    const handle = clock.setInterval(() => fired.push(clock.now()), 1000);
    clock.advance(999);
    expect(fired).toEqual([]);
    clock.advance(2501);
    expect(fired).toEqual([1000, 2000, 3000]);
    expect(clock.now()).toBe(3500);
    clock.clearInterval(handle);
    clock.advance(10_000);
    expect(fired).toEqual([1000, 2000, 3000]);
    expect(clock.pending).toBe(0);
  });

  it('lets a periodic callback clear its own timer, and interleaves timers in time order', () => {
    const clock = new ManualClock(0);
    const fired: string[] = [];
    const periodic = clock.setInterval(() => {
      fired.push(`tick@${clock.now()}`);
      if (clock.now() >= 200) clock.clearInterval(periodic);
    }, 100);
    clock.setTimeout(() => fired.push(`once@${clock.now()}`), 150);
    clock.advance(1000);
    expect(fired).toEqual(['tick@100', 'once@150', 'tick@200']);
    expect(clock.pending).toBe(0);
  });

  it('refuses to move back', () => {
    expect(() => new ManualClock().advance(-1)).toThrow(RangeError);
  });
});
