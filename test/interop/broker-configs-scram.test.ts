/**
 * SCRAM credentials kept as Kafka keeps them, per user and per mechanism, set with
 * `tskafka configs --alter --entity-type users` (as `kafka-configs.sh`) and used by kcat
 * (librdkafka), a client we did not write: one user with a different password for SCRAM-SHA-256
 * and SCRAM-SHA-512, both surviving a restart on the same data directory. And SASL OAUTHBEARER
 * with librdkafka's unsecured JWT, which the broker validates as Kafka's default
 * `OAuthBearerUnsecuredValidatorCallbackHandler` does.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningBroker, startBroker } from '@tskafka/broker';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli } from '../../packages/cli/test/run-cli.js';
import { runKcat } from './kcat.js';

const dataDir = mkdtempSync(join(tmpdir(), 'tskafka-scram-'));
const adminConfig = join(dataDir, 'admin.properties');
let broker: RunningBroker;
let bootstrap: string;

async function start(): Promise<void> {
  broker = await startBroker({
    dataDir,
    config: {
      'sasl.enabled.mechanisms': 'PLAIN,SCRAM-SHA-256,SCRAM-SHA-512,OAUTHBEARER',
      'num.partitions': 1,
    },
    users: { admin: 'admin-secret' },
    logLevel: 'error',
  });
  bootstrap = broker.bootstrapServers[0];
}

beforeAll(async () => {
  writeFileSync(
    adminConfig,
    [
      'security.protocol=SASL_PLAINTEXT',
      'sasl.mechanism=PLAIN',
      'sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="admin-secret";',
    ].join('\n'),
  );
  await start();
});

afterAll(async () => {
  await broker?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** kcat lists the cluster's metadata as `user` logging in with `mechanism`; resolves to whether it could. */
async function login(mechanism: string, user: string, password: string): Promise<boolean> {
  const sasl = [`security.protocol=SASL_PLAINTEXT`, `sasl.mechanisms=${mechanism}`, `sasl.username=${user}`];
  const args = [
    '-b',
    bootstrap,
    '-L',
    '-m',
    '5',
    ...[...sasl, `sasl.password=${password}`].flatMap((x) => ['-X', x]),
  ];
  return runKcat(args, { timeoutMs: 15_000 }).then(
    (r) => r.stdout.includes('broker'),
    () => false,
  );
}

it('sets a different password per SCRAM mechanism with tskafka configs, and kcat logs in with each', async () => {
  const alter = await runCli([
    'configs',
    ...['--bootstrap-server', bootstrap, '--command-config', adminConfig],
    ...['--alter', '--entity-type', 'users', '--entity-name', 'carol'],
    ...[
      '--add-config',
      'SCRAM-SHA-256=[iterations=8192,password=carol-256],SCRAM-SHA-512=[password=carol-512]',
    ],
  ]);
  expect(alter).toMatchObject({ code: 0, stdout: 'Completed updating config for user carol.\n' });
  const describe = await runCli([
    'configs',
    ...['--bootstrap-server', bootstrap, '--command-config', adminConfig],
    ...['--describe', '--entity-type', 'users', '--entity-name', 'carol'],
  ]);
  expect(describe.stdout).toBe(
    "SCRAM credential configs for user-principal 'carol' are SCRAM-SHA-256=iterations=8192, SCRAM-SHA-512=iterations=4096\n",
  );
  expect(await login('SCRAM-SHA-256', 'carol', 'carol-256')).toBe(true);
  expect(await login('SCRAM-SHA-512', 'carol', 'carol-512')).toBe(true);
  // Each mechanism has its own password: the other one's is refused.
  expect(await login('SCRAM-SHA-256', 'carol', 'carol-512')).toBe(false);
  expect(await login('SCRAM-SHA-512', 'carol', 'carol-256')).toBe(false);
});

it('keeps the credentials across a restart, and removes one mechanism with --delete-config', async () => {
  await broker.close();
  await start();
  expect(await login('SCRAM-SHA-512', 'carol', 'carol-512')).toBe(true);
  const del = await runCli([
    'configs',
    ...['--bootstrap-server', bootstrap, '--command-config', adminConfig],
    ...['--alter', '--entity-type', 'users', '--entity-name', 'carol', '--delete-config', 'SCRAM-SHA-512'],
  ]);
  expect(del.code).toBe(0);
  expect(await login('SCRAM-SHA-512', 'carol', 'carol-512')).toBe(false);
  expect(await login('SCRAM-SHA-256', 'carol', 'carol-256')).toBe(true);
});

it('accepts librdkafka OAUTHBEARER with an unsecured JWT, the principal from its sub claim', async () => {
  const oauth = [
    'security.protocol=SASL_PLAINTEXT',
    'sasl.mechanisms=OAUTHBEARER',
    'enable.sasl.oauthbearer.unsecure.jwt=true',
    'sasl.oauthbearer.config=principal=alice',
  ].flatMap((x) => ['-X', x]);
  await runKcat(['-b', bootstrap, ...oauth, '-P', '-t', 'oauth-topic'], { input: 'one\ntwo\n' });
  const { stdout } = await runKcat([
    '-b',
    bootstrap,
    ...oauth,
    '-C',
    '-t',
    'oauth-topic',
    '-o',
    'beginning',
    '-e',
    '-q',
  ]);
  expect(stdout.split('\n').filter(Boolean)).toEqual(['one', 'two']);
});
