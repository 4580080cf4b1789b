import { describe, expect, it } from 'vitest';
import { main } from './main.js';

describe('examples/idempotent-producer', () => {
  it('under the same faults, the plain producer stores duplicates and the idempotent one does not; a crash before commit still duplicates', async () => {
    const lines: string[] = [];
    const { plain, idempotent, crash } = await main((line) => lines.push(line));
    const expected = Array.from({ length: 10 }, (_, i) => `payment-${i}`);
    expect(plain.faultsLeft).toBe(0);
    expect(idempotent.faultsLeft).toBe(0);
    // Every payment is there in both topics...
    expect(new Set(plain.values)).toEqual(new Set(expected));
    // ...but the plain producer wrote the two whose responses were lost twice.
    expect(plain.duplicates).toEqual(['payment-4', 'payment-7']);
    expect(idempotent.values).toEqual(expected);
    expect(idempotent.duplicates).toEqual([]);
    expect(lines).toContain('  no duplicates: every payment is stored exactly once, in order');
    // Idempotence does not make a crash between produce and commit safe: the restart writes the
    // invoices of the uncommitted orders again.
    expect(crash.crashed).toBe(true);
    expect(crash.missing).toEqual([]);
    expect(crash.duplicates.length).toBeGreaterThan(0);
    expect(crash.committed.length).toBe(30 + crash.duplicates.length);
  }, 120_000);
});
