/**
 * FrameReader: the frames of a byte stream come out whole and in order however the reads break,
 * a frame once handed out never changes (the slab is not written again under it), large frames
 * come out in a buffer of their own, and size prefixes are checked before anything is allocated.
 */
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { FrameSizeError } from '../src/frame.js';
import { FrameReader } from '../src/frame-reader.js';

/** A frame of `size` body bytes, each byte derived from `seed` and its position. */
function frame(size: number, seed: number): Buffer {
  const f = Buffer.allocUnsafe(4 + size);
  f.writeInt32BE(size);
  const pattern = Buffer.alloc(251);
  for (let i = 0; i < pattern.length; i++) pattern[i] = (seed * 131 + i * 7) & 0xff;
  if (size > 0) f.fill(pattern, 4);
  return f;
}

/**
 * Feeds `stream` to `reader` as a socket would: each read fills at most `step(i)` bytes of the
 * buffer the reader offers; `got` collects the frames the reader hands out.
 */
function feed(reader: FrameReader, got: Buffer[], stream: Buffer, step: (i: number) => number): void {
  let at = 0;
  let handed = 0;
  let counted = 0;
  let wrong = 0;
  for (let i = 0; at < stream.length; i++) {
    const into = reader.buffer();
    if (into.length === 0) wrong++;
    const n = Math.min(into.length, step(i), stream.length - at);
    stream.copy(into, 0, at, at + n);
    at += n;
    reader.read(n);
    for (; counted < got.length; counted++) handed += 4 + got[counted].length;
    // Every byte read is either in a frame handed out or still held.
    if (handed + reader.buffered !== at) wrong++;
  }
  expect(wrong).toBe(0);
}

describe('FrameReader', () => {
  const sizes = [0, 10, 300, 16 * 1024 - 1, 16 * 1024, 70_000, 5, 64 * 1024, 64 * 1024 - 4, 1, 200_000, 3];
  const frames = sizes.map((s, i) => frame(s, i));
  const stream = Buffer.concat(frames);

  it('hands out the same frames, unchanged to the end, whatever the reads', () => {
    for (const step of [1, 3, 4, 5, 1000, 4096, 16 * 1024 + 3, 65_536, 200_004, stream.length]) {
      const got: Buffer[] = [];
      const reader = new FrameReader((f) => got.push(f));
      feed(reader, got, stream, () => step);
      expect(reader.buffered).toBe(0);
      // Compared only now: a view handed out early must not have been overwritten by later reads.
      expect(got.map((f) => f.toString('hex'))).toEqual(frames.map((f) => f.subarray(4).toString('hex')));
    }
  });

  it('keeps to the frames and counts what it holds, for any frame sizes and reads', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 40_000 }), { minLength: 1, maxLength: 30 }),
        fc.array(fc.integer({ min: 1, max: 100_000 }), { minLength: 1, maxLength: 20 }),
        (frameSizes, steps) => {
          const fs = frameSizes.map((s, i) => frame(s, i));
          const all = Buffer.concat(fs);
          const got: Buffer[] = [];
          const reader = new FrameReader((f) => got.push(f));
          let at = 0;
          for (let i = 0; at < all.length; i++) {
            const into = reader.buffer();
            if (into.length === 0) return false;
            const n = Math.min(into.length, steps[i % steps.length], all.length - at);
            all.copy(into, 0, at, at + n);
            at += n;
            reader.read(n);
            const handed = got.reduce((sum, f) => sum + 4 + f.length, 0);
            if (handed + reader.buffered !== at) return false;
          }
          return (
            reader.buffered === 0 &&
            got.length === fs.length &&
            got.every((f, i) => f.equals(fs[i].subarray(4)))
          );
        },
      ),
      { numRuns: 200 },
    );
  });

  it('reads a frame of 16 KiB or more into a buffer of exactly its size', () => {
    const got: Buffer[] = [];
    const reader = new FrameReader((f) => got.push(f));
    // Reads smaller than the large frames, as a socket delivers them.
    feed(reader, got, stream, () => 4096);
    for (const f of got) {
      if (f.length >= 16 * 1024) {
        expect(f.byteOffset).toBe(0);
        expect(f.buffer.byteLength).toBe(f.length);
      } else {
        // Small frames are views of a shared slab.
        expect(f.buffer.byteLength).toBeGreaterThan(f.length);
      }
    }
    // Once the prefix of a large frame is in, the next read goes into the frame itself.
    const r2 = new FrameReader(() => {});
    const big = frame(100_000, 9);
    const first = r2.buffer();
    big.copy(first, 0, 0, 10);
    r2.read(10);
    expect(r2.buffer().length).toBe(100_000 - 6);
    expect(r2.buffered).toBe(10);
  });

  it('grows the buffer of a frame above 1 MiB as its bytes come, ending at exactly its size', () => {
    const big = frame(3_000_000, 4);
    const alloc = vi.spyOn(Buffer, 'allocUnsafe');
    const got: Buffer[] = [];
    try {
      const reader = new FrameReader((f) => got.push(f));
      let largest = 0;
      feed(reader, got, big, (i) => {
        // A prefix claiming 3 MB with 100 KB behind it gets no more than 1 MiB.
        if (i * 65_536 < 100_000) largest = Math.max(0, ...alloc.mock.calls.map(([size]) => size));
        return 65_536;
      });
      expect(largest).toBe(1024 * 1024);
    } catch (e) {
      alloc.mockRestore();
      throw e;
    }
    alloc.mockRestore();
    expect(got).toHaveLength(1);
    expect(got[0].equals(big.subarray(4))).toBe(true);
    expect(got[0].buffer.byteLength).toBe(3_000_000);
  });

  it('rejects negative and oversized size prefixes before allocating them', () => {
    const alloc = vi.spyOn(Buffer, 'allocUnsafe');
    try {
      for (const [size, message] of [
        [-5, /invalid frame size -5/],
        [50 * 1024 * 1024, /frame of 52428800 bytes exceeds the limit of 1024 bytes/],
      ] as const) {
        const reader = new FrameReader(() => {}, 1024);
        const into = reader.buffer();
        into.writeInt32BE(size, 0);
        reader.read(2);
        expect(() => reader.read(2)).toThrow(FrameSizeError);
        const r2 = new FrameReader(() => {}, 1024);
        r2.buffer().writeInt32BE(size, 0);
        expect(() => r2.read(4)).toThrow(message);
      }
      for (const [size] of alloc.mock.calls) expect(size).toBeLessThanOrEqual(64 * 1024);
    } finally {
      alloc.mockRestore();
    }
  });

  describe('recycling', () => {
    /** Reads `frames` through `reader` in 4 KiB reads, recycling none; returns what came out. */
    function readAll(reader: FrameReader, got: Buffer[], ...fs: Buffer[]): Buffer[] {
      const before = got.length;
      const all = Buffer.concat(fs);
      for (let at = 0; at < all.length; ) {
        const into = reader.buffer();
        const n = all.copy(into, 0, at, Math.min(all.length, at + 4096, at + into.length));
        at += n;
        reader.read(n);
      }
      return got.slice(before);
    }

    it('reads the next large frame into the memory of a recycled one', () => {
      const got: Buffer[] = [];
      const reader = new FrameReader((f) => got.push(f));
      const [a] = readAll(reader, got, frame(50_000, 1));
      reader.recycle(a);
      // A smaller frame fits the recycled memory; its bytes are its own.
      const [b] = readAll(reader, got, frame(30_000, 2));
      expect(b.buffer).toBe(a.buffer);
      expect(b.equals(frame(30_000, 2).subarray(4))).toBe(true);
      // Not recycled: the next frame gets fresh memory and b keeps its bytes.
      const [c] = readAll(reader, got, frame(30_000, 3));
      expect(c.buffer).not.toBe(b.buffer);
      expect(b.equals(frame(30_000, 2).subarray(4))).toBe(true);
      // A larger frame than the recycled memory gets fresh memory too.
      reader.recycle(c);
      const [d] = readAll(reader, got, frame(40_000, 4));
      expect(d.buffer).not.toBe(c.buffer);
      expect(d.equals(frame(40_000, 4).subarray(4))).toBe(true);
    });

    it('reads a frame above 1 MiB whole into recycled memory that holds it', () => {
      const got: Buffer[] = [];
      const reader = new FrameReader((f) => got.push(f));
      const [a] = readAll(reader, got, frame(1_500_000, 1));
      reader.recycle(a);
      const second = frame(1_400_000, 2);
      const bytes = Buffer.concat([second]);
      const alloc = vi.spyOn(Buffer, 'allocUnsafe');
      let b: Buffer;
      try {
        for (let at = 0; at < bytes.length; ) {
          const into = reader.buffer();
          const n = bytes.copy(into, 0, at, Math.min(bytes.length, at + 4096, at + into.length));
          at += n;
          reader.read(n);
        }
        b = got[got.length - 1];
        // No fresh buffer to start it in and no growing copy on the way.
        expect(alloc.mock.calls).toEqual([]);
      } finally {
        alloc.mockRestore();
      }
      expect(b.buffer).toBe(a.buffer);
      expect(b.equals(second.subarray(4))).toBe(true);
    });

    it('ignores small frames, frames recycled twice, and memory beyond its pool', () => {
      const got: Buffer[] = [];
      const reader = new FrameReader((f) => got.push(f));
      // Small frames are slab views: recycling them must not let later reads overwrite them.
      const small = readAll(reader, got, frame(100, 1), frame(200, 2));
      for (const f of small) reader.recycle(f);
      const [big] = readAll(reader, got, frame(20_000, 3), frame(300, 4));
      expect(small[0].equals(frame(100, 1).subarray(4))).toBe(true);
      expect(small[1].equals(frame(200, 2).subarray(4))).toBe(true);
      expect(big.buffer).not.toBe(small[0].buffer);
      // Recycled twice, the memory still goes to one frame only.
      reader.recycle(big);
      reader.recycle(big);
      const [x, y] = readAll(reader, got, frame(20_000, 5), frame(20_000, 6));
      expect(x.buffer).toBe(big.buffer);
      expect(y.buffer).not.toBe(x.buffer);
      expect(x.equals(frame(20_000, 5).subarray(4))).toBe(true);
      // Six frames recycled, four kept: the fifth and sixth next frames get fresh memory.
      const six = readAll(reader, got, ...Array.from({ length: 6 }, (_, i) => frame(20_000, 10 + i)));
      for (const f of six) reader.recycle(f);
      const next = readAll(reader, got, ...Array.from({ length: 6 }, (_, i) => frame(20_000, 20 + i)));
      const reused = next.filter((f) => six.some((o) => o.buffer === f.buffer));
      expect(reused).toHaveLength(4);
      expect(next.every((f, i) => f.equals(frame(20_000, 20 + i).subarray(4)))).toBe(true);
    });
  });
});

describe('FrameReader.push', () => {
  it("reads chunks a socket delivered in its own buffers ('data' events), however they break", () => {
    const sizes = [5, 70_000, 0, 16 * 1024, 300];
    const frames = sizes.map((s, i) => frame(s, i + 40));
    const stream = Buffer.concat(frames);
    for (const step of [1, 7, 4096, 65_536, stream.length]) {
      const got: Buffer[] = [];
      const reader = new FrameReader((f) => got.push(f));
      for (let at = 0; at < stream.length; at += step) reader.push(stream.subarray(at, at + step));
      expect(reader.buffered).toBe(0);
      expect(got.map((f) => f.toString('hex'))).toEqual(frames.map((f) => f.subarray(4).toString('hex')));
    }
  });
});
