/**
 * Frames read straight into their final buffers: the socket is told where its next bytes go, so a
 * large frame (a produce request, a fetch response) lands in a buffer of its own size with no
 * intermediate socket buffer and no copy, and small frames share a slab and come out as views.
 */
import { FrameSizeError } from './frame.js';

/** Frames at least this large (size prefix excluded) are read into a buffer of their own. */
const DEDICATED_MIN = 16 * 1024;
/**
 * A frame's own buffer starts at most this large and doubles as bytes arrive, so a size prefix
 * claiming far more than is sent never gets its claim allocated.
 */
const DEDICATED_FIRST = 1024 * 1024;
/** Buffers of recycled frames kept for the next large frames. */
const POOL_MAX = 4;
/** A recycled buffer larger than this is left to the garbage collector. */
const POOLED_MAX_BYTES = 4 * 1024 * 1024;
/** Slab small frames and the size prefixes are read into. */
const SLAB_SIZE = 64 * 1024;
/** A slab with less room than this is replaced rather than read into. */
const MIN_READ = 4 * 1024;

/**
 * Splits a byte stream into frames, choosing the buffer each read fills: Node's `onread` option
 * of `net.Socket` (`buffer` returns {@link FrameReader.buffer}, `callback` calls
 * {@link FrameReader.read}). Reads go into a shared slab until a frame's size prefix shows a frame
 * of 16 KiB or more; the frame's bytes then go into a buffer of exactly its size (up to 1 MiB; a
 * larger frame's buffer starts at 1 MiB and doubles as its bytes come), handed out whole once
 * full. Small frames are views of the slab, which is never written again where a view was handed
 * out. Never allocates more than twice what was received plus 1 MiB, whatever a prefix claims.
 */
export class FrameReader {
  private slab = Buffer.allocUnsafe(SLAB_SIZE);
  /** First byte of the slab not yet handed out in a frame. */
  private start = 0;
  /** End of the bytes read into the slab. */
  private end = 0;
  /** The frame being read into a buffer of its own, and how much of it is filled. */
  private dedicated: Buffer | null = null;
  private filled = 0;
  /** Body size of the frame being read into its own buffer. */
  private frameSize = 0;
  /**
   * Frames above this many bytes are rejected by their size prefix. A broker lowers it for a
   * connection that has not authenticated yet (Kafka's `sasl.server.max.receive.size`) and raises
   * it after; a change applies to the next size prefix read.
   */
  maxFrameSize: number;
  private readonly onFrame: (frame: Buffer) => void;
  /** Buffers of recycled frames, for the next large frames. */
  private readonly pool: Buffer[] = [];
  /** Memory under the large frames handed out and not recycled since. */
  private readonly handedOut = new WeakSet<ArrayBufferLike>();

  /**
   * Calls `onFrame` with each complete frame (size prefix removed), in order; frames above
   * `maxFrameSize` bytes (default 100 MiB) are rejected with {@link FrameSizeError}.
   */
  constructor(onFrame: (frame: Buffer) => void, maxFrameSize = 100 * 1024 * 1024) {
    this.onFrame = onFrame;
    this.maxFrameSize = maxFrameSize;
  }

  /** Bytes read but not yet handed out in a frame. */
  get buffered(): number {
    return this.dedicated ? 4 + this.filled : this.end - this.start;
  }

  /** Where the next read should put its bytes (never empty). */
  buffer(): Buffer {
    return this.dedicated ? this.dedicated.subarray(this.filled) : this.slab.subarray(this.end);
  }

  /**
   * `n` bytes were read into the buffer {@link FrameReader.buffer} last returned: hands out the
   * frames they complete. Throws {@link FrameSizeError} for a bad size prefix.
   */
  read(n: number): void {
    const dedicated = this.dedicated;
    if (dedicated) {
      this.filled += n;
      if (this.filled < dedicated.length) return;
      if (this.filled < this.frameSize) {
        const grown = this.frameBuffer(this.frameSize, 2 * dedicated.length);
        dedicated.copy(grown);
        this.dedicated = grown;
        return;
      }
      this.dedicated = null;
      this.ensureRoom(4);
      this.handedOut.add(dedicated.buffer);
      this.onFrame(dedicated);
      return;
    }
    this.end += n;
    const slab = this.slab;
    let pos = this.start;
    let need = 4;
    while (this.end - pos >= 4) {
      const size = slab.readInt32BE(pos);
      if (size < 0 || size > this.maxFrameSize) throw new FrameSizeError(size, this.maxFrameSize);
      if (this.end - pos - 4 < size) {
        need = 4 + size;
        break;
      }
      this.onFrame(slab.subarray(pos + 4, pos + 4 + size));
      pos += 4 + size;
    }
    this.start = pos;
    if (need - 4 >= DEDICATED_MIN) {
      // The prefix is in: the rest of this frame goes into a buffer of its own. What the slab
      // already holds of it is copied there, and the slab reads on from the frame's start.
      this.frameSize = need - 4;
      const frame = this.frameBuffer(this.frameSize, DEDICATED_FIRST);
      slab.copy(frame, 0, pos + 4, this.end);
      this.dedicated = frame;
      this.filled = this.end - pos - 4;
      this.end = pos;
      return;
    }
    this.ensureRoom(need);
  }

  /**
   * Feeds bytes a socket delivered in its own buffer ('data' events, as TLS sockets give them):
   * copies them into {@link FrameReader.buffer} and reads them, as many times as it takes.
   */
  push(chunk: Buffer): void {
    for (let at = 0; at < chunk.length; ) {
      const n = chunk.copy(this.buffer(), 0, at);
      at += n;
      this.read(n);
    }
  }

  /**
   * Takes back a frame of 16 KiB or more that nothing reads any more (the request it carried is
   * handled and nothing kept a view of it), so a later frame is read into the same memory: no
   * fresh pages to fault in, no garbage for the collector. Other frames are ignored. A frame must
   * be recycled once at most, and never read again after.
   */
  recycle(frame: Buffer): void {
    const memory = frame.buffer;
    if (frame.byteOffset !== 0 || !this.handedOut.has(memory)) return;
    this.handedOut.delete(memory);
    if (this.pool.length < POOL_MAX && memory.byteLength <= POOLED_MAX_BYTES) {
      this.pool.push(Buffer.from(memory as ArrayBuffer));
    }
  }

  /**
   * A buffer for a large frame of `frameSize` bytes: recycled memory that holds the whole frame if
   * there is some (it is allocated already), else fresh memory of at most `fresh` bytes.
   */
  private frameBuffer(frameSize: number, fresh: number): Buffer {
    for (let i = this.pool.length - 1; i >= 0; i--) {
      const pooled = this.pool[i];
      if (pooled.length < frameSize) continue;
      this.pool.splice(i, 1);
      return pooled.subarray(0, frameSize);
    }
    return Buffer.allocUnsafe(Math.min(frameSize, fresh));
  }

  /** Moves the partial frame to a new slab if this one cannot take it whole, or has little room left. */
  private ensureRoom(need: number): void {
    const slab = this.slab;
    if (slab.length - this.end >= MIN_READ && slab.length - this.start >= need) return;
    const next = Buffer.allocUnsafe(SLAB_SIZE);
    slab.copy(next, 0, this.start, this.end);
    this.slab = next;
    this.end -= this.start;
    this.start = 0;
  }
}
