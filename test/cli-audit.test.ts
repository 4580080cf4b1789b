/**
 * `tskafka broker --faults schedule.json` runs a fault schedule against the command's cluster and
 * logs each step on stderr as it runs; a schedule that cannot be read is one line naming the step
 * and field. `tskafka audit` checks its flags before starting anything. (The audit itself runs in
 * test/audit.test.ts.)
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../packages/cli/test/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'tskafka-cli-audit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, json: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(json));
  return path;
}

describe('tskafka broker --faults', () => {
  it('runs the schedule against the cluster and logs each step as it runs', async () => {
    const schedule = file('schedule.json', {
      steps: [
        { atMs: 100, action: 'stopBroker', broker: 2 },
        { atMs: 300, action: 'startBroker', broker: 2 },
        { atMs: 400, action: 'injectErrors', broker: 1, api: 'Produce', errors: ['NOT_LEADER_OR_FOLLOWER'] },
      ],
    });
    const r = await runCli(['broker', '--brokers', '3', '--port', '0', '--faults', schedule], '', 3000);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split(',')).toHaveLength(3);
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('[tskafka faults]'));
    expect(lines.map((l) => l.replace(/\+\d+ms/, '+Nms'))).toEqual([
      '[tskafka faults] +Nms applied {"atMs":100,"action":"stopBroker","broker":2}',
      '[tskafka faults] +Nms applied {"atMs":300,"action":"startBroker","broker":2}',
      '[tskafka faults] +Nms applied {"atMs":400,"action":"injectErrors","broker":1,"api":"Produce","errors":["NOT_LEADER_OR_FOLLOWER"]}',
    ]);
  });

  it('draws the schedule from a seed for the command brokers', async () => {
    const schedule = file('seeded.json', { seed: 3, durationMs: 300, actions: ['latency'] });
    const r = await runCli(['broker', '--brokers', '2', '--port', '0', '--faults', schedule], '', 2000);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(
      /\[tskafka faults\] \+\d+ms applied \{"atMs":\d+,"action":"latency","broker":[12],"ms":\d+\}/,
    );
    expect(r.stderr).toMatch(/applied \{"atMs":300,"action":"heal"\}/);
  });

  it('names the step and field of a schedule it cannot read, and starts nothing', async () => {
    const bad = file('bad.json', {
      steps: [{ atMs: 0, action: 'dropRequests', broker: 1, api: 'Produse', count: 1 }],
    });
    const r = await runCli(['broker', '--port', '0', '--faults', bad]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      /^tskafka broker: --faults .*bad\.json: fault schedule step 0 \(dropRequests\): "api" must be an API name/,
    );
    const missing = await runCli(['broker', '--port', '0', '--faults', join(dir, 'nope.json')]);
    expect(missing.stderr).toMatch(/^tskafka broker: --faults: cannot read .*nope\.json/);
  });
});

describe('tskafka audit', () => {
  it('rejects bad flags with one line before starting anything', async () => {
    const mode = await runCli(['audit', '--mode', 'crash']);
    expect(mode.code).toBe(1);
    expect(mode.stderr).toBe('tskafka audit: --mode: expected cluster or kill9, got "crash"\n');
    const readers = await runCli(['audit', '--readers', 'tskafka,java']);
    expect(readers.stderr).toBe('tskafka audit: --readers: unknown reader "java" (tskafka, kcat)\n');
    const seeds = await runCli(['audit', '--seed-count', '0']);
    expect(seeds.stderr).toBe('tskafka audit: --seed-count: expected a positive integer, got "0"\n');
  });

  it('prints its usage', async () => {
    const r = await runCli(['audit', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: tskafka audit/);
  });
});
