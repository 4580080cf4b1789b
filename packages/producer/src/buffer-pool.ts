/**
 * `buffer.memory` accounting (Java's `BufferPool`), and the timer clock the producer's state
 * machines take so tests can drive them without sleeping.
 *
 * The pool counts bytes, and, as Java's, keeps free lists of buffers
 * ({@link BufferPool.takeBuffer}, {@link BufferPool.releaseBuffer}): a batch writes into a
 * recycled buffer instead of a fresh allocation, which for 256 KiB batches is an `mmap`, page
 * faults on first write, `munmap`, and external memory the garbage collector has to account for.
 * Batches start small and double toward `batch.size`, so the poolable sizes are the first size
 * times a power of two, and the largest (`batch.size`) itself.
 * A buffer goes back to the list only when no request can still hold its bytes (the accumulator
 * decides; not after a batch expired or was aborted in flight). The list never holds more bytes
 * than are free, so the memory the producer holds stays within `buffer.memory`.
 *
 * An append that needs more than is free waits in a FIFO queue; once anyone waits, every later
 * append queues behind it too, so records keep the order of their `send` calls. A waiter is
 * granted synchronously, inside the {@link BufferPool.deallocate} that frees enough memory, and
 * rejected with a {@link BufferExhaustedError} if `max.block.ms` passes first.
 *
 * @module
 */
import { systemTimerClock, type TimerClock, type TimerHandle } from '@tskafka/transport';
import { BufferExhaustedError } from './errors.js';

// The producer's timer clock is the transport's: one Clock with timers for every client.
export { systemTimerClock, type TimerClock, type TimerHandle } from '@tskafka/transport';

/** One append waiting for memory: the pool calls exactly one of its two methods, once. */
export interface PoolWaiter {
  /** Bytes wanted. */
  readonly size: number;
  /** Set by the pool: when the wait ends with a {@link BufferExhaustedError}. */
  deadlineMs: number;
  /** The bytes are reserved for the waiter; called synchronously from `deallocate`. */
  granted(): void;
  /** The wait ended without memory: timed out, or the pool closed. */
  rejected(error: Error): void;
}

/** Options of {@link BufferPool}. */
export interface BufferPoolOptions {
  /** `buffer.memory`: bytes all batches together may hold. */
  totalMemory: number;
  /** `max.block.ms`: how long an append may wait for memory. */
  maxBlockMs: number;
  /** Time and timers; default {@link systemTimerClock}. */
  clock?: TimerClock;
  /** The size a batch starts at: buffers of this many bytes are recycled; default 0 (none are). */
  poolableSize?: number;
  /**
   * `batch.size`, the size batches grow to: buffers of `poolableSize` times a power of two up to
   * this, and of this size, are recycled too. Default `poolableSize` (one size).
   */
  maxPoolableSize?: number;
}

const COMPACT_AT = 1024;

/** Counts the bytes of `buffer.memory` held by batches, and queues appends that must wait for some. */
export class BufferPool {
  /** `buffer.memory`. */
  readonly totalMemory: number;
  /** `max.block.ms`. */
  readonly maxBlockMs: number;
  /** The smallest size of the buffers the free lists recycle (0: none). */
  readonly poolableSize: number;
  /** The largest size of the buffers the free lists recycle. */
  readonly maxPoolableSize: number;
  private readonly clock: TimerClock;
  private available: number;
  // Free buffers by size (only poolable sizes), and their bytes together.
  private readonly free = new Map<number, Buffer[]>();
  private freeBytes = 0;
  private freeCount = 0;
  private readonly waiters: PoolWaiter[] = [];
  private head = 0;
  // True while every waiter's deadline is at or after the previous one's (one max.block.ms and a
  // clock that does not go back): expiry then only ever looks at the head of the queue.
  private deadlinesInOrder = true;
  private timer: TimerHandle | null = null;
  private timerDueMs = Number.POSITIVE_INFINITY;
  private serving = false;
  private closedError: Error | null = null;
  // Waiters queued and settled (granted or rejected) so far, for flush: it waits until every
  // waiter queued before it has settled.
  private enqueuedTotal = 0;
  private settledTotal = 0;
  private settleWaiters: { target: number; resolve: () => void }[] = [];

  /** A pool of `totalMemory` bytes, all free. */
  constructor(options: BufferPoolOptions) {
    if (!(options.totalMemory > 0))
      throw new RangeError(`buffer.memory must be positive, not ${options.totalMemory}`);
    this.totalMemory = options.totalMemory;
    this.maxBlockMs = Math.max(0, options.maxBlockMs);
    this.clock = options.clock ?? systemTimerClock;
    this.available = options.totalMemory;
    this.poolableSize = options.poolableSize ?? 0;
    this.maxPoolableSize = Math.max(options.maxPoolableSize ?? this.poolableSize, this.poolableSize);
  }

  /** Told how long each granted wait lasted, ms (the producer's `bufferpool-wait-*` metrics). */
  onWaited: ((ms: number) => void) | null = null;

  /** Bytes not held by any batch or granted waiter. */
  get availableMemory(): number {
    return this.available;
  }

  /** Appends waiting for memory. While any wait, all batches count as ready, to free memory sooner. */
  get queued(): number {
    return this.waiters.length - this.head;
  }

  /** Takes `size` bytes if they are free and nobody is waiting ahead; never waits. */
  tryAllocate(size: number): boolean {
    if (this.head < this.waiters.length || this.available < size || this.closedError !== null) return false;
    this.available -= size;
    return true;
  }

  /**
   * Queues `waiter` for `waiter.size` bytes: it is granted as soon as those bytes are free and
   * every earlier waiter has been served, or rejected after `max.block.ms`.
   *
   * @throws RangeError if `waiter.size` exceeds `buffer.memory` (check the record size first).
   */
  allocate(waiter: PoolWaiter): void {
    if (waiter.size > this.totalMemory) {
      throw new RangeError(`cannot allocate ${waiter.size} bytes from buffer.memory of ${this.totalMemory}`);
    }
    if (this.closedError !== null) {
      waiter.rejected(this.closedError);
      return;
    }
    const now = this.clock.now();
    waiter.deadlineMs = now + this.maxBlockMs;
    const last = this.waiters.length > this.head ? this.waiters[this.waiters.length - 1] : undefined;
    if (last !== undefined && last.deadlineMs > waiter.deadlineMs) this.deadlinesInOrder = false;
    this.waiters.push(waiter);
    this.enqueuedTotal++;
    this.serve();
    if (this.head === this.waiters.length) return;
    if (this.maxBlockMs === 0) this.expire(now);
    else this.scheduleExpiry();
  }

  /** Returns `size` bytes, then grants waiters, in order, while there is memory for the first. */
  deallocate(size: number): void {
    if (size <= 0) return;
    this.available += size;
    if (this.available > this.totalMemory) this.available = this.totalMemory;
    this.serve();
  }

  /**
   * A buffer of `size` bytes for bytes just allocated: a recycled one if `size` is a poolable
   * size and one is free, else a new one. Its contents are garbage.
   */
  takeBuffer(size: number): Buffer {
    const list = this.free.get(size);
    const buf = list === undefined ? undefined : list.pop();
    if (buf !== undefined) {
      this.freeBytes -= size;
      this.freeCount--;
    }
    // Free buffers count as available memory: never more of them than that.
    if (this.freeBytes > this.available) this.trimFree();
    return buf ?? Buffer.allocUnsafe(size);
  }

  /**
   * A buffer from {@link BufferPool.takeBuffer} whose bytes nothing reads any more (call after
   * {@link BufferPool.deallocate} of its bytes): kept for a later batch if it has a poolable
   * size and the free lists stay within the free memory.
   */
  releaseBuffer(buf: Buffer): void {
    const size = buf.length;
    if (!this.isPoolable(size) || this.freeBytes + size > this.available || this.closedError !== null) return;
    let list = this.free.get(size);
    if (list === undefined) {
      list = [];
      this.free.set(size, list);
    }
    list.push(buf);
    this.freeBytes += size;
    this.freeCount++;
  }

  /** Buffers in the free lists. */
  get freeBuffers(): number {
    return this.freeCount;
  }

  // The first size times a power of two up to the largest, or the largest (batch.size) itself.
  private isPoolable(size: number): boolean {
    const first = this.poolableSize;
    if (first <= 0 || size < first || size > this.maxPoolableSize) return false;
    if (size === this.maxPoolableSize) return true;
    const ratio = size / first;
    return Number.isInteger(ratio) && (ratio & (ratio - 1)) === 0;
  }

  // Drops free buffers, largest first, until they fit in the free memory.
  private trimFree(): void {
    const sizes = Array.from(this.free.keys()).sort((a, b) => b - a);
    for (const size of sizes) {
      const list = this.free.get(size) as Buffer[];
      while (list.length > 0 && this.freeBytes > this.available) {
        list.pop();
        this.freeBytes -= size;
        this.freeCount--;
      }
      if (this.freeBytes <= this.available) return;
    }
  }

  /** Rejects every waiter with `error`, and any later `allocate` too. */
  close(error: Error): void {
    this.closedError = error;
    this.free.clear();
    this.freeBytes = 0;
    this.freeCount = 0;
    const rejected = this.waiters.slice(this.head);
    this.waiters.length = 0;
    this.head = 0;
    this.cancelTimer();
    for (const w of rejected) w.rejected(error);
    this.settled(rejected.length);
  }

  /**
   * Resolves once every waiter queued before the call has been granted memory or rejected
   * (appends waiting for memory were sent before a flush, so the flush waits for them).
   */
  whenQueuedSettled(): Promise<void> {
    const target = this.enqueuedTotal;
    if (this.settledTotal >= target) return Promise.resolve();
    return new Promise((resolve) => this.settleWaiters.push({ target, resolve }));
  }

  private settled(count: number): void {
    if (count === 0) return;
    this.settledTotal += count;
    if (this.settleWaiters.length === 0) return;
    const due = this.settleWaiters.filter((w) => w.target <= this.settledTotal);
    if (due.length === 0) return;
    this.settleWaiters = this.settleWaiters.filter((w) => w.target > this.settledTotal);
    for (const w of due) w.resolve();
  }

  private serve(): void {
    // A granted waiter appends right away and may deallocate (its record fit an open batch):
    // that nested call only adds to `available`, and this loop goes on.
    if (this.serving) return;
    this.serving = true;
    try {
      while (this.head < this.waiters.length) {
        const w = this.waiters[this.head];
        if (w.size > this.available) break;
        this.available -= w.size;
        this.removeHead();
        // The wait began max.block.ms before its deadline.
        this.onWaited?.(this.clock.now() - (w.deadlineMs - this.maxBlockMs));
        w.granted();
        this.settled(1);
      }
    } finally {
      this.serving = false;
    }
    if (this.head === this.waiters.length) this.cancelTimer();
  }

  private removeHead(): void {
    this.head++;
    if (this.head === this.waiters.length) {
      this.waiters.length = 0;
      this.head = 0;
      this.deadlinesInOrder = true;
    } else if (this.head >= COMPACT_AT && this.head * 2 >= this.waiters.length) {
      this.waiters.splice(0, this.head);
      this.head = 0;
    }
  }

  private scheduleExpiry(): void {
    let due = Number.POSITIVE_INFINITY;
    if (this.deadlinesInOrder) {
      if (this.head < this.waiters.length) due = this.waiters[this.head].deadlineMs;
    } else {
      for (let i = this.head; i < this.waiters.length; i++) due = Math.min(due, this.waiters[i].deadlineMs);
    }
    if (due === this.timerDueMs && this.timer !== null) return;
    this.cancelTimer();
    if (due === Number.POSITIVE_INFINITY) return;
    this.timerDueMs = due;
    this.timer = this.clock.setTimer(
      () => {
        this.timer = null;
        this.timerDueMs = Number.POSITIVE_INFINITY;
        this.expire(this.clock.now());
      },
      Math.max(0, due - this.clock.now()),
    );
  }

  private cancelTimer(): void {
    if (this.timer !== null) this.clock.clearTimer(this.timer);
    this.timer = null;
    this.timerDueMs = Number.POSITIVE_INFINITY;
  }

  private expire(now: number): void {
    const expired: PoolWaiter[] = [];
    if (this.deadlinesInOrder) {
      while (this.head < this.waiters.length && this.waiters[this.head].deadlineMs <= now) {
        expired.push(this.waiters[this.head]);
        this.removeHead();
      }
    } else {
      const kept: PoolWaiter[] = [];
      for (let i = this.head; i < this.waiters.length; i++) {
        const w = this.waiters[i];
        (w.deadlineMs <= now ? expired : kept).push(w);
      }
      this.waiters.length = 0;
      this.head = 0;
      this.deadlinesInOrder = true;
      for (const w of kept) {
        const last = this.waiters[this.waiters.length - 1];
        if (last !== undefined && last.deadlineMs > w.deadlineMs) this.deadlinesInOrder = false;
        this.waiters.push(w);
      }
    }
    for (const w of expired) {
      w.rejected(new BufferExhaustedError(w.size, this.available, this.totalMemory, this.maxBlockMs));
    }
    this.settled(expired.length);
    // The head may have been the one too large for what is free; those behind it may fit.
    this.serve();
    if (this.head < this.waiters.length) this.scheduleExpiry();
  }
}
