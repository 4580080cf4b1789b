/**
 * Configs through the SDK and `tskafka configs` against the reference broker: dynamic broker
 * configs per broker and as the cluster-wide default, in Kafka's precedence and with its
 * synonyms; the full topic config list; group configs; SCRAM credentials through the admin API;
 * and all of them kept across a restart on the same data directory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Admin, type ConfigEntry } from '@tskafka/admin';
import { type Cluster, startCluster } from '@tskafka/broker';
import { InvalidConfigError, ResourceNotFoundError, UnacceptableCredentialError } from '@tskafka/protocol';
import { silentLogger } from '@tskafka/transport';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../packages/cli/test/run-cli.js';

const dataDir = mkdtempSync(join(tmpdir(), 'tskafka-configs-'));
let cluster: Cluster;
let admin: Admin;

async function start(): Promise<void> {
  cluster = await startCluster({
    brokers: 2,
    dataDir,
    config: { 'log.retention.hours': 2 },
    logLevel: 'error',
  });
  admin = new Admin({ bootstrapServers: cluster.bootstrapServers, logger: silentLogger });
}

async function stop(): Promise<void> {
  await admin?.close();
  await cluster?.close();
}

async function entry(type: 'broker' | 'topic' | 'group', name: string, config: string): Promise<ConfigEntry> {
  const [d] = await admin.describeConfigs([{ type, name, configNames: [config] }], { includeSynonyms: true });
  const e = d?.configs[0];
  if (!e) throw new Error(`no ${config} on ${type} ${name}`);
  return e;
}

beforeAll(start);
afterAll(async () => {
  await stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('dynamic broker configs', () => {
  it('applies the cluster default and a per-broker override in Kafka precedence', async () => {
    await admin.createTopics([{ topic: 'before', numPartitions: 1, replicationFactor: 2 }]);
    await admin.incrementalAlterConfigs([
      { type: 'broker', name: '', configs: [{ name: 'log.retention.ms', value: '60000' }] },
    ]);
    await admin.incrementalAlterConfigs([
      { type: 'broker', name: '2', configs: [{ name: 'log.retention.ms', value: '120000' }] },
    ]);
    expect(await entry('broker', '1', 'log.retention.ms')).toMatchObject({
      value: '60000',
      source: 'dynamic-default-broker',
      readOnly: false,
    });
    expect((await entry('broker', '2', 'log.retention.ms')).synonyms).toEqual([
      { name: 'log.retention.ms', value: '120000', source: 'dynamic-broker' },
      { name: 'log.retention.ms', value: '60000', source: 'dynamic-default-broker' },
      { name: 'log.retention.hours', value: '2', source: 'static-broker' },
      { name: 'log.retention.hours', value: '168', source: 'default' },
    ]);
    // The brokers act on them: each one's retention is its own.
    expect(cluster.broker(1).config.logRetentionMs).toBe(60000);
    expect(cluster.broker(2).config.logRetentionMs).toBe(120000);
    // Logs that existed before follow too, each replica with its broker's value.
    const retentionOn = (id: number) =>
      cluster.broker(id).replicaManager.getPartition('before', 0)?.log.config.retentionMs;
    expect([retentionOn(1), retentionOn(2)]).toEqual([60000, 120000]);
  });

  it('refuses configs Kafka does not update dynamically, and ill-typed values', async () => {
    const alter = (name: string, value: string) =>
      admin.incrementalAlterConfigs([{ type: 'broker', name: '1', configs: [{ name, value }] }]);
    await expect(alter('num.partitions', '3')).rejects.toThrow(/Cannot update these configs dynamically/);
    await expect(alter('log.retention.ms', 'soon')).rejects.toBeInstanceOf(InvalidConfigError);
  });
});

describe('topic configs', () => {
  it('lists every Kafka topic config, defaults from the broker synonyms', async () => {
    await admin.createTopics([{ topic: 'cfg', numPartitions: 1, replicationFactor: 2 }]);
    const [d] = await admin.describeConfigs([{ type: 'topic', name: 'cfg' }]);
    const names = d?.configs.map((c) => c.name) ?? [];
    for (const n of [
      'cleanup.policy',
      'compression.type',
      'local.retention.ms',
      'message.timestamp.after.max.ms',
      'segment.ms',
    ])
      expect(names).toContain(n);
    expect(d?.configs.find((c) => c.name === 'segment.ms')).toMatchObject({
      value: '604800000',
      source: 'default',
    });
    // Described by broker 1 (any broker answers topic resources): its cluster default applies.
    const retention = await entry('topic', 'cfg', 'retention.ms');
    expect(retention.source === 'dynamic-default-broker' || retention.source === 'dynamic-broker').toBe(true);
  });
});

describe('group configs and SCRAM credentials', () => {
  it('sets a group config and a user credential per mechanism', async () => {
    await admin.incrementalAlterConfigs([
      { type: 'group', name: 'billing', configs: [{ name: 'consumer.session.timeout.ms', value: '50000' }] },
    ]);
    expect(await entry('group', 'billing', 'consumer.session.timeout.ms')).toMatchObject({
      value: '50000',
      source: 'group',
    });
    await admin.alterUserScramCredentials([
      { type: 'upsert', user: 'dora', mechanism: 'SCRAM-SHA-512', password: 'p512', iterations: 8192 },
      { type: 'upsert', user: 'dora', mechanism: 'SCRAM-SHA-256', password: 'p256' },
    ]);
    expect(await admin.describeUserScramCredentials(['dora'])).toEqual([
      {
        user: 'dora',
        credentialInfos: expect.arrayContaining([
          { mechanism: 'SCRAM-SHA-256', iterations: 4096 },
          { mechanism: 'SCRAM-SHA-512', iterations: 8192 },
        ]),
      },
    ]);
    await expect(admin.describeUserScramCredentials(['nobody'])).rejects.toBeInstanceOf(
      ResourceNotFoundError,
    );
    await expect(
      admin.alterUserScramCredentials([
        { type: 'upsert', user: 'x', mechanism: 'SCRAM-SHA-256', password: 'p', iterations: 100 },
      ]),
    ).rejects.toBeInstanceOf(UnacceptableCredentialError);
  });
});

describe('tskafka configs', () => {
  const cli = (...args: string[]) =>
    runCli(['configs', '--bootstrap-server', cluster.bootstrapServers[0], ...args]);

  it('prints dynamic configs with their synonyms as kafka-configs.sh', async () => {
    const alter = await cli(
      '--alter',
      '--entity-type',
      'topics',
      '--entity-name',
      'cfg',
      '--add-config',
      'retention.ms=1000,cleanup.policy=[compact,delete]',
    );
    expect(alter).toMatchObject({ code: 0, stdout: 'Completed updating config for topic cfg.\n' });
    const topic = await cli('--describe', '--entity-type', 'topics', '--entity-name', 'cfg');
    const lines = topic.stdout.split('\n');
    expect(lines.slice(0, 2)).toEqual([
      'Dynamic configs for topic cfg are:',
      '  cleanup.policy=compact,delete sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:cleanup.policy=compact,delete, DEFAULT_CONFIG:log.cleanup.policy=delete}',
    ]);
    // Any broker answers for a topic; broker 2 lists its own override of log.retention.ms too.
    expect(lines[2]).toMatch(
      /^ {2}retention\.ms=1000 sensitive=false synonyms=\{DYNAMIC_TOPIC_CONFIG:retention\.ms=1000, (DYNAMIC_BROKER_CONFIG:log\.retention\.ms=120000, )?DYNAMIC_DEFAULT_BROKER_CONFIG:log\.retention\.ms=60000, STATIC_BROKER_CONFIG:log\.retention\.hours=2, DEFAULT_CONFIG:log\.retention\.hours=168\}$/,
    );
    expect(lines.slice(3)).toEqual(['']);
    const defaults = await cli('--describe', '--entity-type', 'brokers', '--entity-default');
    expect(defaults.stdout).toBe(
      [
        'Default configs for brokers in the cluster are:',
        '  log.retention.ms=60000 sensitive=false synonyms={DYNAMIC_DEFAULT_BROKER_CONFIG:log.retention.ms=60000, STATIC_BROKER_CONFIG:log.retention.hours=2, DEFAULT_CONFIG:log.retention.hours=168}',
        '',
      ].join('\n'),
    );
    const all = await cli('--describe', '--all', '--entity-type', 'brokers', '--entity-name', '1');
    expect(all.stdout).toMatch(/^All configs for broker 1 are:\n/);
    expect(all.stdout).toContain(
      '  num.partitions=1 sensitive=false synonyms={DEFAULT_CONFIG:num.partitions=1}\n',
    );
  });

  it('deletes a config, and refuses to delete one that is not set', async () => {
    expect(
      (
        await cli(
          '--alter',
          '--entity-type',
          'topics',
          '--entity-name',
          'cfg',
          '--delete-config',
          'retention.ms',
        )
      ).code,
    ).toBe(0);
    expect((await entry('topic', 'cfg', 'retention.ms')).source).not.toBe('topic');
    const bad = await cli(
      '--alter',
      '--entity-type',
      'topics',
      '--entity-name',
      'cfg',
      '--delete-config',
      'segment.ms',
    );
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('Invalid config(s): segment.ms');
  });
});

it('keeps dynamic configs, group configs and credentials across a restart', async () => {
  await stop();
  await start();
  expect(await entry('broker', '2', 'log.retention.ms')).toMatchObject({
    value: '120000',
    source: 'dynamic-broker',
  });
  expect(cluster.broker(2).config.logRetentionMs).toBe(120000);
  expect(await entry('group', 'billing', 'consumer.session.timeout.ms')).toMatchObject({ value: '50000' });
  expect((await admin.describeUserScramCredentials(['dora']))[0]?.credentialInfos).toHaveLength(2);
});
