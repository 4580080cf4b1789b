/** The in-memory segment file: copied and adopted appends read back as one file. */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemorySegmentFile } from '../src/log/index.js';
import { MIN_ADOPTED_APPEND } from '../src/log/storage.js';

describe('MemorySegmentFile', () => {
  it('keeps a large adopted append uncopied and copies a small one', () => {
    const file = new MemorySegmentFile();
    const big = Buffer.alloc(MIN_ADOPTED_APPEND, 7);
    const small = Buffer.alloc(MIN_ADOPTED_APPEND - 1, 8);
    file.append(small, true);
    file.append(big, true);
    expect(file.size).toBe(big.length + small.length);
    const readSmall = file.read(0, small.length);
    const readBig = file.read(small.length, big.length);
    expect(readBig.buffer).toBe(big.buffer);
    expect(readSmall.buffer).not.toBe(small.buffer);
    // Without adopt, the caller keeps its buffer: later writes to it do not reach the file.
    const copied = Buffer.alloc(MIN_ADOPTED_APPEND * 2, 1);
    file.append(copied);
    copied.fill(2);
    expect(file.read(small.length + big.length, copied.length).every((b) => b === 1)).toBe(true);
  });

  it('reads, across chunks, what a plain concatenation holds, after any mix of appends and truncations (property)', () => {
    const step = fc.oneof(
      fc.record({
        kind: fc.constant('append' as const),
        size: fc.oneof(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 4000, max: 20_000 })),
        adopt: fc.boolean(),
      }),
      fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 30 }), fc.nat(), fc.nat(), (steps, p, l) => {
        const file = new MemorySegmentFile();
        let expected = Buffer.alloc(0);
        let fill = 0;
        for (const s of steps) {
          if (s.kind === 'append') {
            const data = Buffer.alloc(s.size);
            data.fill(fill++ & 0xff);
            data[0] = s.size & 0xff;
            file.append(data, s.adopt);
            expected = Buffer.concat([expected, data]);
          } else {
            const size = expected.length === 0 ? 0 : s.at % (expected.length + 1);
            file.truncate(size);
            expected = expected.subarray(0, size);
          }
        }
        expect(file.size).toBe(expected.length);
        const position = expected.length === 0 ? 0 : p % expected.length;
        const length = l % (expected.length + 1);
        // Buffer.equals: toEqual walks the bytes one by one, far too slowly for a property.
        const window = expected.subarray(position, Math.min(expected.length, position + length));
        expect(file.read(position, length).equals(window)).toBe(true);
        expect(file.read(0, expected.length).equals(expected)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
