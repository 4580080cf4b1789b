import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from './main.js';

const dir = mkdtempSync(path.join(tmpdir(), 'ledger-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('examples/manual-commit-rebalance', () => {
  it('across a rebalance and a restart, the ledger holds every payment exactly once', async () => {
    const lines: string[] = [];
    const dbFile = path.join(dir, 'ledger.sqlite');
    const result = await main((line) => lines.push(line), { dbFile });
    expect(result.processedRows).toBe(60);
    expect(result.duplicates).toBe(0);
    expect(result.balanceSum).toBe(result.producedSum);
    expect(result.offsets).toEqual([15, 15, 15, 15]);
    // A worked alone, then A and B shared the partitions, then C, after the restart, did only the new 20.
    expect(result.perConsumer.A).toBeGreaterThanOrEqual(10);
    expect(result.perConsumer.B).toBeGreaterThan(0);
    expect(result.perConsumer.A + result.perConsumer.B).toBe(40);
    expect(result.perConsumer.C).toBe(20);
    // The rebalance: B joined and seeked its partitions to the ledger's offsets.
    expect(lines.some((l) => /^ {2}B: assigned partitions \d(,\d)*; seek/.test(l))).toBe(true);
    expect(lines).toContain(
      "  C: assigned partitions 0,1,2,3; seek to the ledger's offsets 0@10 1@10 2@10 3@10",
    );
    // A real SQLite file, reopened after the restart.
    expect(readFileSync(dbFile).subarray(0, 15).toString()).toBe('SQLite format 3');
  });
});
