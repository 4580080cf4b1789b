/**
 * `tskafka console` and `tskafka broker --console`: the command prints the console's URL, serves
 * the JSON API against the cluster until stopped, and refuses bad flags and unreachable clusters
 * with one line.
 */
import { Writable } from 'node:stream';
import { type RunningBroker, startBroker } from '@tskafka/broker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../packages/cli/src/main.js';
import { runCli } from '../packages/cli/test/run-cli.js';
import { until } from './until.js';

let broker: RunningBroker;

beforeAll(async () => {
  broker = await startBroker({ port: 0 });
});
afterAll(async () => {
  await broker?.close();
});

/** Runs a long-running command in-process; returns what it printed so far and a stop function. */
function start(args: string[]): { out: () => string; stop: () => Promise<number> } {
  let text = '';
  const stdout = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      text += chunk.toString();
      callback();
    },
  });
  const abort = new AbortController();
  const run = main(args, { stdout, stderr: stdout, signal: abort.signal });
  return {
    out: () => text,
    stop: async () => {
      abort.abort();
      return run;
    },
  };
}

describe('tskafka console', () => {
  it('serves the console for a cluster and prints its URL', async () => {
    const c = start(['console', '--bootstrap-server', broker.bootstrapServers.join(','), '--port', '0']);
    await until('the URL is printed', () =>
      /console at http:\/\/127\.0\.0\.1:\d+ \(read-only\)/.test(c.out()),
    );
    const url = /console at (\S+)/.exec(c.out())?.[1];
    const res = await fetch(`${url}/api/cluster`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { brokers: { port: number }[] };
    expect(body.brokers.map((b) => b.port)).toEqual([Number(broker.bootstrapServers[0]?.split(':')[1])]);
    const write = await fetch(`${url}/api/topics`, { method: 'POST', body: '{"topic":"x"}' });
    expect(write.status).toBe(403);
    expect(await c.stop()).toBe(0);
  });

  it('with --read-write, prints the token writes need', async () => {
    const c = start([
      'console',
      '--bootstrap-server',
      broker.bootstrapServers.join(','),
      '--port',
      '0',
      '--read-write',
      '--auth-token',
      'tok',
    ]);
    await until('the URL is printed', () => /read-write; token tok/.test(c.out()));
    const url = /console at (\S+)/.exec(c.out())?.[1];
    const write = await fetch(`${url}/api/topics`, {
      method: 'POST',
      headers: { authorization: 'Bearer tok' },
      body: '{"topic":"made-by-cli-console"}',
    });
    expect(write.status).toBe(200);
    expect(broker.cluster.metadata.topics.has('made-by-cli-console')).toBe(true);
    expect(await c.stop()).toBe(0);
  });

  it('refuses --auth-token without --read-write, and an unreachable cluster, with one line', async () => {
    const flags = await runCli(['console', '--bootstrap-server', 'x:1', '--auth-token', 't']);
    expect(flags.code).toBe(2);
    expect(flags.stderr).toBe('tskafka console: --auth-token needs --read-write\n');
    const down = await runCli(['console', '--bootstrap-server', '127.0.0.1:1', '--port', '0']);
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/^tskafka console: cannot reach the broker at 127\.0\.0\.1:1: .+\n$/);
  });

  it('tskafka broker --console prints the bootstrap address, then the console URL', async () => {
    const c = start(['broker', '--port', '0', '--console', '--console-port', '0']);
    await until('both lines are printed', () => /console at http/.test(c.out()));
    const [bootstrap, consoleLine] = c.out().trim().split('\n');
    expect(bootstrap).toMatch(/^127\.0\.0\.1:\d+$/);
    const url = /console at (\S+)/.exec(consoleLine ?? '')?.[1];
    const body = (await (await fetch(`${url}/api/cluster`)).json()) as { brokers: { port: number }[] };
    expect(body.brokers.map((b) => b.port)).toEqual([Number(bootstrap?.split(':')[1])]);
    expect(await c.stop()).toBe(0);
  });
});
