/**
 * `tskafka broker` with listeners and TLS from a `server.properties` file, as Kafka's
 * `kafka-server-start.sh` takes one, and SASL users from a JAAS file or the environment instead of
 * the command line (where every local user could read them in the process list).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brokerCommand } from '../packages/cli/src/commands/broker.js';
import { runCli } from '../packages/cli/test/run-cli.js';
import { runKcat } from './interop/kcat.js';
import { makeTestCertificates, type TestCertificates } from './tls-certs.js';

let certs: TestCertificates;

beforeAll(() => {
  certs = makeTestCertificates();
});
afterAll(() => certs?.remove());

/** A stream that keeps its text and tells when it holds a line matching `until`. */
function capture(): { stream: Writable; text: () => string; line: (until: RegExp) => Promise<string> } {
  let text = '';
  const waiting: (() => void)[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      text += chunk.toString('utf8');
      for (const w of waiting.splice(0)) w();
      callback();
    },
  });
  const line = async (until: RegExp): Promise<string> => {
    for (;;) {
      const m = until.exec(text);
      if (m) return m[0];
      await new Promise<void>((resolve) => waiting.push(resolve));
    }
  };
  return { stream, text: () => text, line };
}

/** Runs `tskafka broker argv` until `use` is done with its listeners' addresses, then stops it. */
async function withBroker(
  argv: string[],
  env: NodeJS.ProcessEnv,
  use: (addresses: Record<string, string>, stderr: string) => Promise<void>,
): Promise<void> {
  const out = capture();
  const err = capture();
  const stop = new AbortController();
  const run = brokerCommand(argv, out.stream, stop.signal, err.stream, env);
  try {
    await Promise.race([out.line(/\n/), run]);
    const addresses: Record<string, string> = {};
    for (const m of err.text().matchAll(/^listener (\S+) \(\S+\): (\S+)$/gm)) addresses[m[1]] = m[2];
    await use(addresses, err.text());
  } finally {
    stop.abort();
    await run;
  }
}

describe('tskafka broker with listeners', () => {
  it('takes listeners and PEM stores from server.properties, and users from a JAAS file', async () => {
    const keystore = join(certs.dir, 'broker-keystore.pem');
    writeFileSync(keystore, certs.server.key + certs.server.cert);
    const properties = join(certs.dir, 'server.properties');
    writeFileSync(
      properties,
      [
        '# as in a Kafka config/server.properties',
        'listeners=PLAINTEXT://:0,SSL://:0,SASL_SSL://:0',
        'ssl.keystore.type=PEM',
        `ssl.keystore.location=${keystore}`,
        `ssl.truststore.location=${certs.ca.certFile}`,
        'sasl.enabled.mechanisms=PLAIN',
        'num.partitions=1',
      ].join('\n'),
    );
    const jaas = join(certs.dir, 'kafka_server_jaas.conf');
    writeFileSync(
      jaas,
      `KafkaServer {\n  org.apache.kafka.common.security.plain.PlainLoginModule required\n  user_alice="alice-secret";\n};\n`,
    );
    await withBroker([properties, '--users-file', jaas, '--log-level', 'error'], {}, async (addresses) => {
      expect(Object.keys(addresses)).toEqual(['PLAINTEXT', 'SSL', 'SASL_SSL']);
      const tls = ['-X', 'security.protocol=SSL', '-X', `ssl.ca.location=${certs.ca.certFile}`];
      const ssl = await runKcat(['-b', addresses.SSL, ...tls, '-L']);
      expect(ssl.stdout).toContain(`broker 1 at ${addresses.SSL}`);
      const saslSsl = [
        '-X',
        'security.protocol=SASL_SSL',
        '-X',
        `ssl.ca.location=${certs.ca.certFile}`,
        '-X',
        'sasl.mechanisms=PLAIN',
        '-X',
        'sasl.username=alice',
        '-X',
        'sasl.password=alice-secret',
      ];
      await runKcat(['-b', addresses.SASL_SSL, ...saslSsl, '-P', '-t', 'cli-tls'], { input: 'one\ntwo\n' });
      const read = await runKcat(['-b', addresses.SASL_SSL, ...saslSsl, '-C', '-t', 'cli-tls', '-e', '-q']);
      expect(read.stdout).toBe('one\ntwo\n');
    });
  });

  it('takes users from TSKAFKA_BROKER_USERS and the JAAS file of KAFKA_OPTS, and warns that --user shows passwords in the process list', async () => {
    // Kafka's scripts name the JAAS file in KAFKA_OPTS; it is read as --users-file.
    const jaas = join(certs.dir, 'carol_jaas.conf');
    writeFileSync(
      jaas,
      'KafkaServer { org.apache.kafka.common.security.plain.PlainLoginModule required user_carol="carol-secret"; };',
    );
    const env = {
      TSKAFKA_BROKER_USERS: 'alice=alice-secret',
      KAFKA_OPTS: `-Xmx1G -Djava.security.auth.login.config=${jaas}`,
    };
    const argv = ['--port', '0', '--override', 'sasl.enabled.mechanisms=PLAIN', '--user', 'bob=bob-secret'];
    const out = capture();
    const err = capture();
    const stop = new AbortController();
    const run = brokerCommand(argv, out.stream, stop.signal, err.stream, env);
    try {
      const address = (await out.line(/^\S+\n/)).trim();
      for (const [user, password] of [
        ['alice', 'alice-secret'],
        ['bob', 'bob-secret'],
        ['carol', 'carol-secret'],
      ]) {
        const login = ['-X', 'security.protocol=SASL_PLAINTEXT', '-X', 'sasl.mechanisms=PLAIN'];
        const r = await runKcat([
          '-b',
          address,
          ...login,
          '-X',
          `sasl.username=${user}`,
          '-X',
          `sasl.password=${password}`,
          '-L',
        ]);
        expect(r.stdout).toContain(`broker 1 at ${address}`);
      }
      expect(err.text()).toMatch(/--user puts passwords in the process list/);
      expect(err.text()).not.toMatch(/secret/);
    } finally {
      stop.abort();
      await run;
    }
  });

  it('says where users come from in --help, and refuses --port with listeners', async () => {
    const help = await runCli(['broker', '--help']);
    expect(help.stdout).toMatch(/--users-file/);
    expect(help.stdout).toMatch(/TSKAFKA_BROKER_USERS/);
    expect(help.stdout).toMatch(/--user +DEPRECATED/);
    const both = await runCli(['broker', '--port', '9092', '--override', 'listeners=PLAINTEXT://:0']);
    expect(both.code).toBe(1);
    expect(both.stderr).toMatch(/--port and listeners both set/);
  });
});
