/**
 * TLS and SASL_SSL listeners of the reference broker with clients we did not write: kcat and
 * confluent-kafka-python (librdkafka, which checks the broker's certificate against the CA it is
 * given). A two-broker cluster, each broker with PLAINTEXT, SSL (mutual TLS) and SASL_SSL
 * listeners on ports of its own; Metadata over a listener names that listener's ports.
 */
import { type Cluster, startCluster } from '@tskafka/broker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestCertificates, type TestCertificates } from '../tls-certs.js';
import { runKcat } from './kcat.js';
import { requirePythonClient, runPython } from './python.js';

let certs: TestCertificates;
let cluster: Cluster;

beforeAll(async () => {
  certs = makeTestCertificates();
  cluster = await startCluster({
    brokers: 2,
    listeners: 'PLAINTEXT://:0,SSL://:0,SASL_SSL://:0',
    ssl: { key: certs.server.key, cert: certs.server.cert, ca: certs.ca.cert },
    config: {
      'listener.name.ssl.ssl.client.auth': 'required',
      'listener.name.sasl_ssl.plain.sasl.jaas.config':
        'org.apache.kafka.common.security.plain.PlainLoginModule required user_alice="alice-secret";',
      'sasl.enabled.mechanisms': 'PLAIN,SCRAM-SHA-256',
      'num.partitions': 1,
      'default.replication.factor': 2,
    },
    logLevel: 'error',
  });
});

afterAll(async () => {
  await cluster?.close();
  certs?.remove();
});

/** `host:port` pairs of a listener, as kcat -L prints brokers (`broker 1 at 127.0.0.1:PORT`). */
const listenerAddresses = (name: string) =>
  cluster.brokers.map((b) => `broker ${b.nodeId} at ${b.addressOf(name)}`).sort();

const kcatSsl = () => [
  '-X',
  'security.protocol=SSL',
  '-X',
  `ssl.ca.location=${certs.ca.certFile}`,
  '-X',
  `ssl.certificate.location=${certs.client.certFile}`,
  '-X',
  `ssl.key.location=${certs.client.keyFile}`,
];
const kcatSaslSsl = (mechanism: string) => [
  '-X',
  'security.protocol=SASL_SSL',
  '-X',
  `ssl.ca.location=${certs.ca.certFile}`,
  '-X',
  `sasl.mechanisms=${mechanism}`,
  '-X',
  'sasl.username=alice',
  '-X',
  'sasl.password=alice-secret',
];

async function kcatRoundTrip(listener: string, security: string[], topic: string): Promise<void> {
  const bootstrap = cluster.bootstrapServersFor(listener)[0];
  const lines = Array.from({ length: 20 }, (_, i) => `k${i}:${listener}-${i}`);
  await runKcat(['-b', bootstrap, ...security, '-P', '-t', topic, '-K:', '-X', 'acks=all'], {
    input: `${lines.join('\n')}\n`,
  });
  const { stdout } = await runKcat([
    '-b',
    bootstrap,
    ...security,
    '-C',
    '-t',
    topic,
    '-o',
    'beginning',
    '-e',
    '-q',
    '-f',
    '%k:%s\n',
  ]);
  expect(stdout.split('\n').filter(Boolean)).toEqual(lines);
  const listing = await runKcat(['-b', bootstrap, ...security, '-L']);
  const brokers = listing.stdout.match(/broker \d+ at [^\s]+/g)?.sort();
  expect(brokers).toEqual(listenerAddresses(listener));
}

describe('kcat over TLS', () => {
  it('SSL with a client certificate: produces, consumes, and lists the SSL ports of both brokers', async () => {
    await kcatRoundTrip('SSL', kcatSsl(), 'kcat-ssl');
  });

  it('SASL_SSL with PLAIN and SCRAM-SHA-256: lists the SASL_SSL ports', async () => {
    await kcatRoundTrip('SASL_SSL', kcatSaslSsl('PLAIN'), 'kcat-sasl-ssl-plain');
    await kcatRoundTrip('SASL_SSL', kcatSaslSsl('SCRAM-SHA-256'), 'kcat-sasl-ssl-scram');
  });

  it('refuses a client without a certificate on the mutual-TLS listener, and one that does not trust the broker', async () => {
    const bootstrap = cluster.bootstrapServersFor('SSL')[0];
    const noCert = runKcat(
      [
        '-b',
        bootstrap,
        '-X',
        'security.protocol=SSL',
        '-X',
        `ssl.ca.location=${certs.ca.certFile}`,
        '-L',
        '-m',
        '3',
      ],
      { timeoutMs: 15_000 },
    );
    await expect(noCert).rejects.toThrow(/alert certificate required/);
    // librdkafka checks the broker's certificate: without our CA it does not trust it.
    const otherCa = runKcat(
      [
        '-b',
        bootstrap,
        ...kcatSsl().slice(0, 2),
        '-X',
        `ssl.ca.location=${certs.stranger.certFile}`,
        '-X',
        `ssl.certificate.location=${certs.client.certFile}`,
        '-X',
        `ssl.key.location=${certs.client.keyFile}`,
        '-L',
        '-m',
        '3',
      ],
      { timeoutMs: 15_000 },
    );
    await expect(otherCa).rejects.toThrow(/certificate verify failed|SSL handshake failed/i);
  });
});

describe('confluent-kafka-python over TLS', () => {
  it('SSL and SASL_SSL: produces, reads back, and sees the brokers at the listener it came in on', async () => {
    requirePythonClient();
    const ssl = {
      'security.protocol': 'SSL',
      'ssl.ca.location': certs.ca.certFile,
      'ssl.certificate.location': certs.client.certFile,
      'ssl.key.location': certs.client.keyFile,
    };
    const saslSsl = {
      'security.protocol': 'SASL_SSL',
      'ssl.ca.location': certs.ca.certFile,
      'sasl.mechanism': 'PLAIN',
      'sasl.username': 'alice',
      'sasl.password': 'alice-secret',
    };
    for (const [listener, settings] of [
      ['SSL', ssl],
      ['SASL_SSL', saslSsl],
    ] as const) {
      const topic = `python-${listener.toLowerCase()}`;
      const [out] = (await runPython('secure_client.py', [
        cluster.bootstrapServersFor(listener).join(','),
        topic,
        '25',
        JSON.stringify(settings),
      ])) as { brokers: [number, string, number][]; values: string[] }[];
      expect(out.values).toEqual(Array.from({ length: 25 }, (_, i) => `v${i}`));
      expect(out.brokers).toEqual(
        cluster.brokers.map((b) => [b.nodeId, '127.0.0.1', Number(b.addressOf(listener).split(':')[1])]),
      );
    }
  });
});
