/**
 * The one test of the `tskafka` command as installed: the committed `bin/tskafka.js` shim runs the
 * built dist/ as its own process (the other CLI tests run the command from source, in-process).
 * It prints its usage, and `tskafka broker` prints the address it serves and stops cleanly on
 * SIGTERM.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runBuiltCli } from '../packages/cli/test/run-cli.js';

const BUILT = fileURLToPath(new URL('../packages/cli/dist/bin.js', import.meta.url));

describe('the built tskafka executable', () => {
  it('exists after the install build', () => {
    // `pnpm install` builds dist/ through the workspace's `prepare` script.
    expect(existsSync(BUILT), `${BUILT} is missing: run \`npx tsc -b tsconfig.build.json\``).toBe(true);
  });

  it('prints its usage', async () => {
    const r = await runBuiltCli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: tskafka <command> \[options\]\n/);
    expect(r.stdout).toMatch(/^ {2}broker /m);
    expect(r.stderr).toBe('');
  });

  it('runs a broker that prints its address and stops on SIGTERM', async () => {
    const r = await runBuiltCli(['broker', '--port', '0'], { until: /\n/ });
    expect(r.stdout).toMatch(/^127\.0\.0\.1:\d+\n$/);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
  });
});
