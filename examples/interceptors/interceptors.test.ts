import { describe, expect, it } from 'vitest';
import { main } from './main.js';

describe('examples/interceptors', () => {
  it('prefixes every stored value with its send time and counts 5 successes and 1 failure on close', async () => {
    const lines: string[] = [];
    const before = Date.now();
    const result = await main((line) => lines.push(line));
    expect(result.successes).toBe(5);
    expect(result.failures).toBe(1);
    expect(lines).toContain('CountInterceptor: 5 sent successfully, 1 failed');
    expect(result.stored.map((v) => v.split(',')[1])).toEqual([
      'first',
      'second',
      'third',
      'fourth',
      'fifth',
    ]);
    for (const v of result.stored) {
      const sentAt = Number(v.split(',')[0]);
      expect(sentAt).toBeGreaterThanOrEqual(before);
      expect(sentAt).toBeLessThanOrEqual(Date.now());
    }
  });
});
