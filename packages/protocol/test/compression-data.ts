/** Test data and helpers for the compression codec tests. */

import { afterAll, beforeAll } from 'vitest';
import { setNativeCodecs } from '../src/compression/native.js';

/** Deterministic record-like text: compresses like real batches (repeats at short distances). */
export function recordLike(size: number, seed = 1): Buffer {
  let s = seed >>> 0 || 1;
  const rnd = () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
  const out = Buffer.alloc(size);
  let off = 0;
  while (off < size) {
    const line = `{"id":${rnd() % 100000},"user":"user-${rnd() % 700}","event":"${['view', 'click', 'buy'][rnd() % 3]}","token":"${rnd().toString(36)}"}\n`;
    off += out.write(line, off);
  }
  return out;
}

/** The two implementations of snappy and LZ4 blocks: the native addons, and the JavaScript fallbacks. */
export const BACKENDS = ['native', 'javascript'] as const;
/** One of {@link BACKENDS}. */
export type Backend = (typeof BACKENDS)[number];

/** Within the calling `describe`, runs snappy and LZ4 on `backend`. */
export function useBackend(backend: Backend): void {
  let was = true;
  beforeAll(() => {
    was = setNativeCodecs(backend === 'native');
  });
  afterAll(() => {
    setNativeCodecs(was);
  });
}
