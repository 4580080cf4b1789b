/**
 * Memory for the bytes a Fetch reads from segment files, taken back once they are on the socket.
 *
 * Kafka sends a fetch's record bytes from the page cache to the socket with sendfile(2); Node
 * has no such call, so an on-disk read copies them into a buffer first. Reading into fresh memory
 * each time costs twice over: the kernel faults in new pages for every read, and V8 counts the
 * array buffers against its old generation once a scavenge promotes them, so a consumer or a
 * follower reading tens of MB starts a full mark-compact every few MB (a third of the broker's CPU
 * reading 1 KiB records, in a profile). A {@link ReadBufferPool} hands each Fetch a
 * {@link ReadBufferLease}; the log reads into buffers of the lease, and the connection releases
 * the lease once the response's last byte was handed to the kernel, so the next fetch reads into
 * the same memory.
 *
 * @module
 */

/** Where a read from a file puts its bytes (the log's reads take one; in-memory logs ignore it). */
export interface ReadBuffers {
  /** A buffer of exactly `size` bytes that nothing else reads or writes until it is given back. */
  alloc(size: number): Buffer;
}

/** Smallest pooled buffer; reads are rounded up to a power of two from here. */
const MIN_POOLED = 64 * 1024;
/** Largest pooled buffer: reads above it get fresh memory. */
const MAX_POOLED = 8 * 1024 * 1024;
/** Size classes: 64 KiB, 128 KiB, ... 8 MiB. */
const CLASSES = Math.log2(MAX_POOLED / MIN_POOLED) + 1;

/** The size class of a read of `size` bytes (`size` ≤ {@link MAX_POOLED}). */
function classOf(size: number): number {
  return size <= MIN_POOLED ? 0 : Math.ceil(Math.log2(size / MIN_POOLED));
}

/**
 * Buffers for the reads of Fetch responses, kept between fetches: free buffers by size class, at
 * most `maxPooledBytes` of them (memory beyond is left to the garbage collector).
 */
export class ReadBufferPool {
  private readonly free: Buffer[][] = Array.from({ length: CLASSES }, () => []);
  private pooledBytes = 0;

  /** A pool keeping at most `maxPooledBytes` (default 32 MiB) of free buffers. */
  constructor(readonly maxPooledBytes = 32 * 1024 * 1024) {}

  /** Bytes of free buffers held now. */
  get pooled(): number {
    return this.pooledBytes;
  }

  /** A lease for the reads of one response; {@link ReadBufferLease.release} gives its buffers back. */
  lease(): ReadBufferLease {
    return new ReadBufferLease(this);
  }

  /** A whole buffer of size class `cls`: a free one, else fresh memory. */
  take(cls: number): Buffer {
    const buf = this.free[cls].pop();
    if (buf === undefined) return Buffer.allocUnsafeSlow(MIN_POOLED << cls);
    this.pooledBytes -= buf.length;
    return buf;
  }

  /** Takes back a whole buffer of size class `cls` that nothing reads or writes any more. */
  give(cls: number, buf: Buffer): void {
    if (this.pooledBytes + buf.length > this.maxPooledBytes) return;
    this.free[cls].push(buf);
    this.pooledBytes += buf.length;
  }
}

/**
 * The buffers one response's reads were made into. Release it once nothing reads them any more:
 * after the response is written out, or dropped. A lease that is never released only leaves its
 * buffers to the garbage collector.
 */
export class ReadBufferLease implements ReadBuffers {
  /** Whole buffers handed out, and the size class of each. */
  private readonly taken: Buffer[] = [];
  private readonly classes: number[] = [];
  private takenBytes = 0;
  private released = false;

  /** A lease on `pool`. */
  constructor(private readonly pool: ReadBufferPool) {}

  /** @inheritDoc */
  alloc(size: number): Buffer {
    // A fetch waiting in the purgatory reads again on each append; past a bound, its reads are
    // left to the collector rather than keep growing what the lease holds.
    if (this.released || size > MAX_POOLED || this.takenBytes >= MAX_POOLED * 2) {
      return Buffer.allocUnsafe(size);
    }
    const cls = classOf(size);
    const buf = this.pool.take(cls);
    this.taken.push(buf);
    this.classes.push(cls);
    this.takenBytes += buf.length;
    return buf.subarray(0, size);
  }

  /** Gives every buffer back to the pool: nothing may read what was read into them after this. */
  release(): void {
    if (this.released) return;
    this.released = true;
    for (let i = 0; i < this.taken.length; i++) this.pool.give(this.classes[i], this.taken[i]);
    this.taken.length = 0;
    this.classes.length = 0;
  }
}
