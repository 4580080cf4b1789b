/** The memory Fetch responses read segment files into: held by a lease until released, then reused. */
import { describe, expect, it } from 'vitest';
import { ReadBufferPool } from '../src/log/index.js';

const KiB = 1024;
const MiB = 1024 * KiB;

describe('ReadBufferPool', () => {
  it('hands a released lease’s memory to the next lease, and none of it before', () => {
    const pool = new ReadBufferPool();
    const first = pool.lease();
    const a = first.alloc(100 * KiB);
    expect(a.length).toBe(100 * KiB);
    // Held: another lease gets other memory, whatever its size class.
    const second = pool.lease();
    const b = second.alloc(100 * KiB);
    expect(b.buffer).not.toBe(a.buffer);
    first.release();
    expect(pool.pooled).toBe(128 * KiB);
    const third = pool.lease();
    expect(third.alloc(70 * KiB).buffer).toBe(a.buffer);
    expect(pool.pooled).toBe(0);
    // Releasing twice gives nothing back twice.
    first.release();
    expect(pool.pooled).toBe(0);
  });

  it('rounds reads up to size classes from 64 KiB and gives larger reads fresh memory', () => {
    const pool = new ReadBufferPool();
    const lease = pool.lease();
    expect(lease.alloc(10).buffer.byteLength).toBe(64 * KiB);
    expect(lease.alloc(64 * KiB + 1).buffer.byteLength).toBe(128 * KiB);
    expect(lease.alloc(8 * MiB).buffer.byteLength).toBe(8 * MiB);
    const big = lease.alloc(8 * MiB + 1);
    expect(big.length).toBe(8 * MiB + 1);
    lease.release();
    // The 8 MiB + 1 read was not the pool's: only the three pooled buffers came back.
    expect(pool.pooled).toBe(64 * KiB + 128 * KiB + 8 * MiB);
  });

  it('keeps at most maxPooledBytes of free memory, and a released lease reads into fresh memory', () => {
    const pool = new ReadBufferPool(200 * KiB);
    const lease = pool.lease();
    for (let i = 0; i < 4; i++) lease.alloc(64 * KiB);
    lease.release();
    expect(pool.pooled).toBe(192 * KiB);
    const after = lease.alloc(64 * KiB);
    expect(after.length).toBe(64 * KiB);
    expect(pool.pooled).toBe(192 * KiB);
  });

  it('stops pooling for a lease that already holds 16 MiB (a fetch re-read in the purgatory)', () => {
    const pool = new ReadBufferPool(64 * MiB);
    const lease = pool.lease();
    for (let i = 0; i < 3; i++) lease.alloc(8 * MiB);
    lease.release();
    expect(pool.pooled).toBe(16 * MiB);
  });
});
