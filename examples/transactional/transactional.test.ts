import { describe, expect, it } from 'vitest';
import { runPipeline } from './main.js';

describe('examples/transactional', () => {
  it('a processor killed mid-transaction and restarted invoices every order exactly once', async () => {
    const lines: string[] = [];
    const r = await runPipeline('transactional', { orders: 30, crashAfter: 15, log: (l) => lines.push(l) });
    expect(r.crashed).toBe(true);
    expect(lines).toContain('  [processor] crash after 15 invoices');
    const expected = Array.from({ length: 30 }, (_, i) => `order-${String(i).padStart(2, '0')}`);
    expect([...r.committed].sort()).toEqual(expected);
    expect(r.duplicates).toEqual([]);
    expect(r.missing).toEqual([]);
    // The dead processor's open transaction was written, then aborted: in the log, never read
    // by read_committed.
    expect(r.uncommitted.length).toBeGreaterThan(r.committed.length);
    expect(new Set(r.uncommitted)).toEqual(new Set(expected));
  }, 120_000);
});
