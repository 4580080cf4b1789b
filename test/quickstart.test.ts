/**
 * The README's first command: `pnpm run quickstart` runs scripts/quickstart.ts, which starts an
 * embedded broker, produces to topic `first`, consumes with a group of two and stops. Run here as
 * a child process, as a user runs it: it must exit 0 within seconds and say what it did.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

describe('quickstart', () => {
  it('runs to the end, splits the partitions between two consumers, and ends with zero lag', () => {
    const started = Date.now();
    const run = spawnSync(
      process.execPath,
      [path.join(root, 'node_modules/tsx/dist/cli.mjs'), '--conditions=source', 'scripts/quickstart.ts'],
      { cwd: root, encoding: 'utf8', timeout: 25_000 },
    );
    const out = run.stdout;
    expect(run.error).toBeUndefined();
    expect(run.status, run.stderr).toBe(0);
    expect(Date.now() - started).toBeLessThan(25_000);
    expect(out).toContain('Creating topic "first" with 3 partitions');
    expect(out.match(/ {3}sent key=/g)).toHaveLength(9);
    // Two consumers, each with its own partitions, together all three, every record read once.
    const got = [...out.matchAll(/consumer "(one|two)" got partition\(s\) ([\d, ]+) and read (\d+) record/g)];
    expect(got.map((m) => m[1])).toEqual(['one', 'two']);
    const partitions = got.flatMap((m) => m[2].split(', ').map(Number));
    expect(partitions.sort()).toEqual([0, 1, 2]);
    expect(got.reduce((n, m) => n + Number(m[3]), 0)).toBe(9);
    expect(out).toMatch(/lag is everything: .*\(total 9\)/);
    expect(out).toMatch(/the group's lag now: .*\(total 0\)/);
    expect(out).toContain('Nothing is left running.');
  });
});
