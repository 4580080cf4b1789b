/**
 * The `tskafka` command's client tools as a user's script runs them (a child process per
 * command) against the reference broker: console-producer and console-consumer round trips with
 * keys and Kafka's print.* format, interop with kcat both ways, and the perf tests' Kafka lines.
 */
import { type RunningBroker, startBroker } from '@tskafka/broker';
import { Kafka } from 'tskafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../packages/cli/test/run-cli.js';
import { readTopicWithKcat, runKcat } from './interop/kcat.js';

let broker: RunningBroker;
let bootstrap: string;

beforeAll(async () => {
  broker = await startBroker({ config: { 'num.partitions': 1 } });
  bootstrap = broker.bootstrapServers[0] ?? '';
});
afterAll(async () => {
  await broker?.close();
});

async function createTopic(topic: string, partitions = 1): Promise<void> {
  const r = await runCli([
    'topics',
    '--bootstrap-server',
    bootstrap,
    '--create',
    '--topic',
    topic,
    '--partitions',
    String(partitions),
    '--replication-factor',
    '1',
  ]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
}

describe('console-producer and console-consumer', () => {
  it('round-trips keyed lines and prints them in Kafka DefaultMessageFormatter layout', async () => {
    await createTopic('console-keys');
    const produced = await runCli(
      [
        'console-producer',
        '--bootstrap-server',
        bootstrap,
        '--topic',
        'console-keys',
        '--property',
        'parse.key=true',
        '--property',
        'key.separator=:',
        '--producer-property',
        'acks=1',
      ],
      'u1:hello\nu2:world\nu1:again\n',
    );
    expect(produced.stderr).toBe('');
    expect(produced.code).toBe(0);

    const plain = await runCli([
      'console-consumer',
      '--bootstrap-server',
      bootstrap,
      '--topic',
      'console-keys',
      '--from-beginning',
      '--max-messages',
      '3',
    ]);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toBe('hello\nworld\nagain\n');
    expect(plain.stderr).toBe('Processed a total of 3 messages\n');

    const full = await runCli([
      'console-consumer',
      '--bootstrap-server',
      bootstrap,
      '--topic',
      'console-keys',
      '--from-beginning',
      '--max-messages',
      '3',
      '--property',
      'print.key=true',
      '--property',
      'print.partition=true',
      '--property',
      'print.offset=true',
      '--property',
      'print.timestamp=true',
    ]);
    expect(full.code).toBe(0);
    const lines = full.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^CreateTime:\d{13}\tPartition:0\tOffset:0\tu1\thello$/);
    expect(lines[2]).toMatch(/^CreateTime:\d{13}\tPartition:0\tOffset:2\tu1\tagain$/);

    const sep = await runCli([
      'console-consumer',
      '--bootstrap-server',
      bootstrap,
      '--topic',
      'console-keys',
      '--partition',
      '0',
      '--offset',
      '1',
      '--max-messages',
      '1',
      '--property',
      'print.key=true',
      '--property',
      'key.separator=|',
    ]);
    expect(sep.stdout).toBe('u2|world\n');
  });

  it('reads through a group, commits, and exits after --timeout-ms with what it got', async () => {
    await createTopic('console-group');
    await runCli(['console-producer', '--bootstrap-server', bootstrap, '--topic', 'console-group'], 'a\nb\n');
    const r = await runCli([
      'console-consumer',
      '--bootstrap-server',
      bootstrap,
      '--topic',
      'console-group',
      '--group',
      'cli-console-group',
      '--from-beginning',
      '--max-messages',
      '2',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('a\nb\n');
    // Committed: the same group starts after them and times out with nothing.
    const again = await runCli([
      'console-consumer',
      '--bootstrap-server',
      bootstrap,
      '--topic',
      'console-group',
      '--group',
      'cli-console-group',
      '--from-beginning',
      '--timeout-ms',
      '1500',
    ]);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe('');
    expect(again.stderr).toBe('Processed a total of 0 messages\n');
  });
});

describe('interop with kcat', () => {
  it('kcat reads what console-producer wrote', async () => {
    await createTopic('console-to-kcat');
    const r = await runCli(
      [
        'console-producer',
        '--bootstrap-server',
        bootstrap,
        '--topic',
        'console-to-kcat',
        '--property',
        'parse.key=true',
      ],
      'k1\tv1\nk2\tv2\n',
    );
    expect(r.code).toBe(0);
    const records = await readTopicWithKcat(bootstrap, 'console-to-kcat');
    expect(records.map((x) => [x.key, x.value])).toEqual([
      ['k1', 'v1'],
      ['k2', 'v2'],
    ]);
  });

  it('console-consumer reads what kcat wrote', async () => {
    await createTopic('kcat-to-console');
    await runKcat(['-b', bootstrap, '-P', '-t', 'kcat-to-console', '-K', ':'], {
      input: 'a:one\nb:two\nc:three\n',
    });
    const r = await runCli([
      'console-consumer',
      '--bootstrap-server',
      bootstrap,
      '--topic',
      'kcat-to-console',
      '--from-beginning',
      '--max-messages',
      '3',
      '--property',
      'print.key=true',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('a\tone\nb\ttwo\nc\tthree\n');
  });
});

describe('perf tests', () => {
  it('producer-perf-test prints Kafka summary line and the topic holds N records', async () => {
    await createTopic('perf-cli', 2);
    const r = await runCli([
      'producer-perf-test',
      '--topic',
      'perf-cli',
      '--num-records',
      '3000',
      '--record-size',
      '100',
      '--throughput',
      '-1',
      '--producer-props',
      `bootstrap.servers=${bootstrap}`,
      'acks=1',
      'linger.ms=1',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^3000 records sent, \d+\.\d{6} records\/sec \(\d+\.\d{2} MB\/sec\), \d+\.\d{2} ms avg latency, \d+\.\d{2} ms max latency, \d+ ms 50th, \d+ ms 95th, \d+ ms 99th, \d+ ms 99\.9th\.\n$/,
    );
    // Not a terminal: no progress lines, only the summary.
    expect(r.stdout.split('\n')).toHaveLength(2);
    const kafka = new Kafka({ bootstrapServers: bootstrap });
    const consumer = kafka.consumer({ autoOffsetReset: 'earliest' });
    await consumer.connect();
    await consumer.assign([
      { topic: 'perf-cli', partition: 0 },
      { topic: 'perf-cli', partition: 1 },
    ]);
    consumer.seekToEnd();
    const ends =
      (await consumer.position({ topic: 'perf-cli', partition: 0 })) +
      (await consumer.position({ topic: 'perf-cli', partition: 1 }));
    await consumer.close();
    expect(ends).toBe(3000);
  });

  it('producer-perf-test throttles to --throughput', async () => {
    const started = Date.now();
    const r = await runCli([
      'producer-perf-test',
      '--topic',
      'perf-throttled',
      '--num-records',
      '100',
      '--record-size',
      '10',
      '--throughput',
      '100',
      '--producer-props',
      `bootstrap.servers=${bootstrap}`,
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^100 records sent, /);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it('consumer-perf-test prints Kafka header and row', async () => {
    const r = await runCli([
      'consumer-perf-test',
      '--bootstrap-server',
      bootstrap,
      '--topic',
      'perf-cli',
      '--messages',
      '3000',
      '--group',
      'cli-perf',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const [header, row] = r.stdout.trimEnd().split('\n');
    expect(header).toBe(
      'start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec',
    );
    expect(row).toMatch(
      /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d:\d{3}, .+, 0\.2861, [\d.]+, 3000, [\d.]+, \d+, \d+, [\d.]+, [\d.]+$/,
    );
  });
});
