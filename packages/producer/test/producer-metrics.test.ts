/**
 * The producer's buffer-pool metrics: the time appends wait for memory, as Kafka reports it
 * (`bufferpool-wait-time-ns-total`, and `bufferpool-wait-ratio`, seconds waited per second).
 */
import { describe, expect, it } from 'vitest';
import { BufferPool, type PoolWaiter } from '../src/buffer-pool.js';
import { ProducerMetrics } from '../src/producer-metrics.js';
import { ManualClock } from './fakes.js';

const metric = (m: ProducerMetrics, name: string) => m.snapshot().find((x) => x.name === name)?.value;

describe('ProducerMetrics', () => {
  it('counts the time an append waited for buffer memory', async () => {
    const clock = new ManualClock(1_000_000);
    const pool = new BufferPool({ totalMemory: 1000, maxBlockMs: 5000, clock });
    const metrics = new ProducerMetrics('p', pool, () => clock.now());
    expect(metric(metrics, 'bufferpool-wait-time-ns-total')).toBe(0);
    pool.tryAllocate(1000);
    const waiter: PoolWaiter = { size: 100, deadlineMs: 0, granted() {}, rejected() {} };
    pool.allocate(waiter);
    expect(metric(metrics, 'buffer-available-bytes')).toBe(0);
    expect(metric(metrics, 'waiting-threads')).toBe(1);
    await clock.advance(250);
    pool.deallocate(1000);
    expect(metric(metrics, 'bufferpool-wait-time-ns-total')).toBe(250 * 1e6);
    // 0.25 s waited over the window (two 30 s samples, at least one window long).
    expect(metric(metrics, 'bufferpool-wait-ratio')).toBeCloseTo(0.25 / 30, 6);
    expect(metric(metrics, 'buffer-available-bytes')).toBe(900);
  });
});
