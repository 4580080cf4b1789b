/**
 * What a script can rely on from `tskafka`: a missing topic, an unreachable broker or a bad flag
 * each give one line on stderr naming what was wrong and a non-zero exit, fast, never a stack.
 */
import { createServer } from 'node:net';
import { type RunningBroker, startBroker } from '@tskafka/broker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliResult, runCli } from '../packages/cli/test/run-cli.js';

let broker: RunningBroker;
let bootstrap: string;
/** A port nothing listens on. */
let closedPort: string;

beforeAll(async () => {
  broker = await startBroker({ config: { 'auto.create.topics.enable': false } });
  bootstrap = broker.bootstrapServers[0] ?? '';
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  closedPort = `127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 1}`;
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
afterAll(async () => {
  await broker?.close();
});

function expectOneLineError(r: CliResult, command: string, pattern: RegExp): void {
  expect(r.code).not.toBe(0);
  expect(r.code).not.toBeNull();
  const lines = r.stderr.split('\n').filter((l) => l.length > 0);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(new RegExp(`^tskafka ${command}: `));
  expect(lines[0]).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

describe('error cases', () => {
  it('a missing topic', async () => {
    expectOneLineError(
      await runCli([
        'console-consumer',
        '--bootstrap-server',
        bootstrap,
        '--topic',
        'nope',
        '--max-messages',
        '1',
      ]),
      'console-consumer',
      /topic "nope" does not exist/,
    );
    expectOneLineError(
      await runCli(['console-producer', '--bootstrap-server', bootstrap, '--topic', 'nope'], 'x\n'),
      'console-producer',
      /topic "nope"/,
    );
    expectOneLineError(
      await runCli(['topics', '--bootstrap-server', bootstrap, '--describe', '--topic', 'nope']),
      'topics',
      /topic "nope" does not exist/,
    );
  });

  it('an unreachable broker, within seconds', async () => {
    for (const args of [
      ['topics', '--list'],
      ['console-producer', '--topic', 't'],
      ['console-consumer', '--topic', 't'],
      ['consumer-groups', '--list'],
      [
        'producer-perf-test',
        '--topic',
        't',
        '--num-records',
        '1',
        '--record-size',
        '1',
        '--throughput',
        '-1',
      ],
    ]) {
      const started = Date.now();
      const [command = '', ...rest] = args;
      const r = await runCli([command, '--bootstrap-server', closedPort, ...rest], '');
      expect(Date.now() - started).toBeLessThan(8000);
      expectOneLineError(r, command, new RegExp(`cannot reach the broker at ${closedPort}`));
    }
  });

  it('a bad flag', async () => {
    expectOneLineError(
      await runCli(['topics', '--bootstrap-server', bootstrap, '--bogus']),
      'topics',
      /--bogus/,
    );
    expectOneLineError(
      await runCli(['topics', '--bootstrap-server', bootstrap]),
      'topics',
      /exactly one of --create/,
    );
    expectOneLineError(await runCli(['topics', '--list']), 'topics', /--bootstrap-server/);
    expectOneLineError(
      await runCli([
        'console-consumer',
        '--bootstrap-server',
        bootstrap,
        '--topic',
        't',
        '--max-messages',
        'x',
      ]),
      'console-consumer',
      /--max-messages/,
    );
    expectOneLineError(
      await runCli([
        'producer-perf-test',
        '--topic',
        't',
        '--num-records',
        '1',
        '--record-size',
        '1',
        '--throughput',
        '-1',
        '--producer-props',
        `bootstrap.servers=${bootstrap}`,
        'linger.mss=1',
      ]),
      'producer-perf-test',
      /linger\.mss/,
    );
    expectOneLineError(
      await runCli(['consumer-groups', '--bootstrap-server', bootstrap, '--describe']),
      'consumer-groups',
      /--describe requires --group/,
    );
    const unknown = await runCli(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.split('\n')[0]).toBe('tskafka: unknown command "frobnicate"');
  });
});
