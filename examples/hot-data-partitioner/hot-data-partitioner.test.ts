import { describe, expect, it } from 'vitest';
import { KEYS, main } from './main.js';

describe('examples/hot-data-partitioner', () => {
  it('puts every hot_data key on the last partition and spreads the rest over the others', async () => {
    const lines: string[] = [];
    const { builtIn, handWritten } = await main((line) => lines.push(line));
    for (const d of [builtIn, handWritten]) {
      for (const key of KEYS) {
        if (key.includes('hot_data')) expect(d.partitionOf[key], key).toBe(3);
        else expect(d.partitionOf[key], key).toBeLessThan(3);
      }
      expect(d.counts[3]).toBe(10);
      // The 20 ordinary keys use every one of the other partitions.
      expect(d.counts.slice(0, 3).every((n) => n > 0)).toBe(true);
    }
    // The hand-written partitioner is the built-in's rule: same key, same partition.
    expect(handWritten.partitionOf).toEqual(builtIn.partitionOf);
    expect(lines).toContain('  partition 3: 10 records (10 hot_data) ##########');
  });
});
