/**
 * `tskafka` client commands configured as Kafka's tools are: `--command-config FILE` (a client
 * `.properties` file) for console-producer, console-consumer, topics and consumer-groups, SASL
 * (SCRAM) credentials from such a file against a broker that requires them, and
 * console-consumer's random `console-consumer-N` group when no `--group` is given.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type RunningBroker, startBroker } from '@tskafka/broker';
import { Kafka } from 'tskafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliResult, runCli } from '../packages/cli/test/run-cli.js';

const dir = mkdtempSync(path.join(tmpdir(), 'tskafka-cli-config-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Writes a `.properties` file of `lines` and returns its path. */
function propertiesFile(name: string, lines: string[]): string {
  const file = path.join(dir, name);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

function expectOneLineError(r: CliResult, command: string, pattern: RegExp): void {
  expect(r.code).not.toBe(0);
  expect(r.code).not.toBeNull();
  const lines = r.stderr.split('\n').filter((l) => l.length > 0);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(new RegExp(`^tskafka ${command}: `));
  expect(lines[0]).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

/** Retries `fn` every 200 ms until it returns a value or `ms` pass. */
async function eventually<T>(fn: () => Promise<T | undefined>, ms = 10_000): Promise<T | undefined> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('--command-config', () => {
  let broker: RunningBroker;
  let bootstrap: string;
  let config: string;

  beforeAll(async () => {
    broker = await startBroker({ config: { 'auto.create.topics.enable': false } });
    bootstrap = broker.bootstrapServers[0] ?? '';
    config = propertiesFile('client.properties', [
      '# a client config as Kafka tools take it',
      `bootstrap.servers=${bootstrap}`,
      'client.id=cfg-client',
      'acks=all',
      'linger.ms=5',
    ]);
  });
  afterAll(async () => {
    await broker?.close();
  });

  it('configures topics, console-producer, console-consumer and consumer-groups', async () => {
    // bootstrap.servers comes from the file: no --bootstrap-server anywhere.
    const created = await runCli([
      'topics',
      '--command-config',
      config,
      '--create',
      '--topic',
      'cfg',
      '--partitions',
      '1',
      '--replication-factor',
      '1',
    ]);
    expect(created).toEqual({ stdout: 'Created topic cfg.\n', stderr: '', code: 0 });
    expect((await runCli(['topics', '--command-config', config, '--list'])).stdout.split('\n')).toContain(
      'cfg',
    );

    const produced = await runCli(
      ['console-producer', '--command-config', config, '--topic', 'cfg'],
      'one\ntwo\nthree\n',
    );
    expect(produced).toEqual({ stdout: '', stderr: '', code: 0 });

    const consumed = await runCli([
      'console-consumer',
      '--command-config',
      config,
      '--topic',
      'cfg',
      '--group',
      'cfg-group',
      '--from-beginning',
      '--max-messages',
      '2',
    ]);
    expect(consumed).toEqual({ stdout: 'one\ntwo\n', stderr: 'Processed a total of 2 messages\n', code: 0 });

    // While a member of the group runs, consumer-groups shows it with the file's client.id.
    const running = runCli([
      'console-consumer',
      '--command-config',
      config,
      '--topic',
      'cfg',
      '--group',
      'cfg-group',
      '--timeout-ms',
      '4000',
    ]);
    const row = await eventually(async () => {
      const d = await runCli([
        'consumer-groups',
        '--command-config',
        config,
        '--describe',
        '--group',
        'cfg-group',
      ]);
      return d.stdout.split('\n').find((l) => /^cfg-group\s+cfg\s+0\s/.test(l) && l.includes('cfg-client'));
    });
    expect(row?.trim().split(/\s+/).slice(0, 6)).toEqual(['cfg-group', 'cfg', '0', '2', '3', '1']);
    expect(row?.trim().split(/\s+/)[8]).toBe('cfg-client');
    // It read the third record, and committed it on exit.
    expect(await running).toEqual({
      stdout: 'three\n',
      stderr: 'Processed a total of 1 messages\n',
      code: 0,
    });
    const after = await runCli([
      'consumer-groups',
      '--command-config',
      config,
      '--describe',
      '--group',
      'cfg-group',
    ]);
    expect(after.stdout).toMatch(/cfg-group\s+cfg\s+0\s+3\s+3\s+0/);
  });

  it('a bad or missing file is one line and a non-zero exit', async () => {
    const typo = propertiesFile('typo.properties', [`bootstrap.servers=${bootstrap}`, 'linger.mss=5']);
    expectOneLineError(
      await runCli(['console-producer', '--command-config', typo, '--topic', 'cfg'], 'x\n'),
      'console-producer',
      /linger\.mss/,
    );
    expectOneLineError(
      await runCli(['topics', '--command-config', path.join(dir, 'nope.properties'), '--list']),
      'topics',
      /--command-config: cannot read .*nope\.properties.*ENOENT/,
    );
  });
});

describe('console-consumer without --group', () => {
  let broker: RunningBroker;
  let bootstrap: string;

  beforeAll(async () => {
    // No initial rebalance delay: the group forms before --timeout-ms ends.
    broker = await startBroker({ config: { 'num.partitions': 2, 'group.initial.rebalance.delay.ms': 0 } });
    bootstrap = broker.bootstrapServers[0] ?? '';
  });
  afterAll(async () => {
    await broker?.close();
  });

  it('subscribes in a random console-consumer-N group, as Kafka, and commits nothing', async () => {
    const kafka = new Kafka({ bootstrapServers: bootstrap });
    const admin = kafka.admin();
    await admin.createTopics([{ topic: 'anon', numPartitions: 2, replicationFactor: 1 }]);
    const producer = kafka.producer();
    await producer.connect();
    for (let i = 0; i < 4; i++) await producer.send({ topic: 'anon', partition: i % 2, value: `v${i}` });
    await producer.close();

    const running = runCli([
      'console-consumer',
      '--bootstrap-server',
      bootstrap,
      '--topic',
      'anon',
      '--from-beginning',
      '--timeout-ms',
      '3000',
    ]);
    try {
      // The group is a consumer group that owns both partitions while the command runs.
      const group = await eventually(async () => {
        const listed = await admin.listGroups();
        const ids = listed.map((g) => g.groupId).filter((id) => /^console-consumer-\d{1,5}$/.test(id));
        if (ids.length === 0) return undefined;
        const [d] = await admin.describeGroups(ids);
        const owned = d?.members.flatMap((m) => m.assignment.map((tp) => `${tp.topic}-${tp.partition}`));
        return owned?.sort().join(',') === 'anon-0,anon-1' ? d : undefined;
      });
      expect(group?.protocolType).toBe('consumer');
      const r = await running;
      expect(r.code).toBe(0);
      expect(r.stdout.split('\n').filter(Boolean).sort()).toEqual(['v0', 'v1', 'v2', 'v3']);
      expect(r.stderr).toBe('Processed a total of 4 messages\n');
      // Nothing committed: the group is not meant to be used again.
      expect(await admin.listConsumerGroupOffsets(group?.groupId ?? '')).toEqual([]);
    } finally {
      await running;
      await admin.close();
    }
  });

  it('--partition/--offset still reads one partition without a group', async () => {
    const kafka = new Kafka({ bootstrapServers: bootstrap });
    const producer = kafka.producer();
    await producer.connect();
    for (let i = 0; i < 4; i++) await producer.send({ topic: 'assigned', partition: i % 2, value: `v${i}` });
    await producer.close();
    const r = await runCli([
      'console-consumer',
      '--bootstrap-server',
      bootstrap,
      '--topic',
      'assigned',
      '--partition',
      '1',
      '--offset',
      '1',
      '--max-messages',
      '1',
    ]);
    expect(r).toEqual({ stdout: 'v3\n', stderr: 'Processed a total of 1 messages\n', code: 0 });
    expectOneLineError(
      await runCli([
        'console-consumer',
        '--bootstrap-server',
        bootstrap,
        '--topic',
        'anon',
        '--partition',
        '0',
        '--consumer-property',
        'group.id=g',
      ]),
      'console-consumer',
      /--partition and --group cannot be used together/,
    );
  });
});

describe('SASL/SCRAM from --command-config', () => {
  let broker: RunningBroker;
  let bootstrap: string;
  let good: string;
  let bad: string;
  const sasl = (password: string) => [
    'security.protocol=SASL_PLAINTEXT',
    'sasl.mechanism=SCRAM-SHA-256',
    `sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="${password}";`,
  ];

  beforeAll(async () => {
    broker = await startBroker({
      config: { 'sasl.enabled.mechanisms': 'SCRAM-SHA-256' },
      users: { alice: 'alice-secret' },
    });
    bootstrap = broker.bootstrapServers[0] ?? '';
    good = propertiesFile('alice.properties', sasl('alice-secret'));
    bad = propertiesFile('wrong.properties', sasl('not-her-secret'));
  });
  afterAll(async () => {
    await broker?.close();
  });

  it('creates a topic, produces and consumes as alice', async () => {
    const created = await runCli([
      'topics',
      '--bootstrap-server',
      bootstrap,
      '--command-config',
      good,
      '--create',
      '--topic',
      'secure',
      '--partitions',
      '1',
      '--replication-factor',
      '1',
    ]);
    expect(created).toEqual({ stdout: 'Created topic secure.\n', stderr: '', code: 0 });
    const produced = await runCli(
      ['console-producer', '--bootstrap-server', bootstrap, '--command-config', good, '--topic', 'secure'],
      'hello\nworld\n',
    );
    expect(produced).toEqual({ stdout: '', stderr: '', code: 0 });
    const consumed = await runCli([
      'console-consumer',
      '--bootstrap-server',
      bootstrap,
      '--command-config',
      good,
      '--topic',
      'secure',
      '--from-beginning',
      '--max-messages',
      '2',
    ]);
    expect(consumed).toEqual({
      stdout: 'hello\nworld\n',
      stderr: 'Processed a total of 2 messages\n',
      code: 0,
    });
  });

  it('a wrong password is one line saying authentication failed, and a non-zero exit', async () => {
    for (const [command, ...args] of [
      ['topics', '--list'],
      ['topics', '--create', '--topic', 'never', '--partitions', '1'],
      ['consumer-groups', '--list'],
      ['console-consumer', '--topic', 'secure', '--max-messages', '1'],
      ['console-producer', '--topic', 'secure'],
    ] as [string, ...string[]][]) {
      const started = Date.now();
      const r = await runCli(
        [command, '--bootstrap-server', bootstrap, '--command-config', bad, ...args],
        'x\n',
      );
      expect(Date.now() - started).toBeLessThan(10_000);
      expectOneLineError(r, command, /authentication failed/i);
    }
  });
});
