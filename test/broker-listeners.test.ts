/**
 * The reference broker's listeners with our SDK: several ports per broker, each with its own
 * security protocol; TLS with certificate verification on by default; mutual TLS with the client
 * certificate's subject as principal; brokers replicating to each other over an SSL inter-broker
 * listener; Metadata answering with the addresses of the listener a request came in on; and the
 * one-line refusals of a TLS client on a plaintext port and of an unauthenticated 100 MiB frame.
 */
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { type BrokerLogger, type Cluster, startBroker, startCluster } from '@tskafka/broker';
import { Kafka, SslAuthenticationError } from 'tskafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestCertificates, type TestCertificates } from './tls-certs.js';
import { until } from './until.js';

let certs: TestCertificates;
let cluster: Cluster;
const lines: string[] = [];
const logger: BrokerLogger = (level, message) => lines.push(`${level}: ${message}`);

beforeAll(async () => {
  certs = makeTestCertificates();
  const mtls = {
    key: certs.server.key,
    cert: certs.server.cert,
    ca: certs.ca.cert,
    clientAuth: 'required' as const,
  };
  // Each broker its own listeners, on any ports; the brokers replicate over mutual TLS.
  cluster = await startCluster({
    brokers: [1, 2].map((nodeId) => ({
      nodeId,
      listeners: [
        { name: 'PLAINTEXT' },
        { name: 'INTERNAL', securityProtocol: 'SSL' as const, ssl: mtls },
        { name: 'SSL', ssl: { key: certs.server.key, cert: certs.server.cert } },
        {
          name: 'SASL_SSL',
          ssl: { key: certs.server.key, cert: certs.server.cert },
          saslMechanisms: ['PLAIN'],
        },
        {
          name: 'REQUESTED',
          securityProtocol: 'SSL' as const,
          ssl: { ...mtls, clientAuth: 'requested' as const },
        },
      ],
    })),
    users: { alice: 'alice-secret' },
    config: {
      'inter.broker.listener.name': 'INTERNAL',
      'num.partitions': 1,
      'default.replication.factor': 2,
    },
    logLevel: 'debug',
    logger,
  });
});

afterAll(async () => {
  await cluster?.close();
  certs?.remove();
});

describe('listeners', () => {
  it('bootstrapServers are the first listener; each listener has its own port', () => {
    expect(cluster.bootstrapServers).toEqual(cluster.bootstrapServersFor('PLAINTEXT'));
    const ports = cluster.brokers.flatMap((b) => b.listeners.map((l) => l.port));
    expect(new Set(ports).size).toBe(10);
  });

  it('SDK over SSL, verifying the broker against the CA: produces acks=all (replicated over INTERNAL) and reads back; Metadata names the SSL ports', async () => {
    const kafka = new Kafka({
      bootstrapServers: cluster.bootstrapServersFor('SSL'),
      ssl: { ca: certs.ca.cert },
    });
    const admin = kafka.admin();
    const producer = kafka.producer({ acks: 'all' });
    const consumer = kafka.consumer({ groupId: 'over-ssl', autoOffsetReset: 'earliest' });
    try {
      await admin.connect();
      const described = await admin.describeCluster();
      expect(described.brokers.map((b) => `${b.host}:${b.port}`).sort()).toEqual(
        cluster.bootstrapServersFor('SSL').sort(),
      );
      await admin.createTopics([{ topic: 'ssl-topic', numPartitions: 1, replicationFactor: 2 }]);
      await producer.connect();
      for (let i = 0; i < 5; i++) await producer.send({ topic: 'ssl-topic', value: `v${i}` });
      await consumer.connect();
      await consumer.subscribe(['ssl-topic']);
      const seen: string[] = [];
      await until('five records are read', async () => {
        for (const r of await consumer.poll(500)) seen.push(String(r.value));
        return seen.length >= 5;
      });
      expect(seen).toEqual(['v0', 'v1', 'v2', 'v3', 'v4']);
      // acks=all needed the follower, which fetched over the INTERNAL (mutual TLS) listener.
      const md = cluster.metadata.topics.get('ssl-topic')?.partitions[0];
      expect(md?.isr.length).toBe(2);
      // ... and presented its certificate there: the brokers' principal is its subject.
      expect(lines.some((l) => /on listener INTERNAL, principal User:CN=localhost$/.test(l))).toBe(true);
    } finally {
      await consumer.close();
      await producer.close();
      await admin.close();
    }
  });

  it('SDK verifies certificates by default: ssl: true (system CAs only) is refused, not retried', async () => {
    const admin = new Kafka({ bootstrapServers: cluster.bootstrapServersFor('SSL'), ssl: true }).admin();
    const error = await admin
      .connect()
      .then(() => admin.describeCluster())
      .catch((e: unknown) => e);
    await admin.close();
    expect(error).toBeInstanceOf(SslAuthenticationError);
  });

  it('SDK over SASL_SSL: logs in with PLAIN inside TLS', async () => {
    const kafka = new Kafka({
      bootstrapServers: cluster.bootstrapServersFor('SASL_SSL'),
      ssl: { ca: certs.ca.cert },
      sasl: { mechanism: 'plain', username: 'alice', password: 'alice-secret' },
    });
    const admin = kafka.admin();
    try {
      await admin.connect();
      const described = await admin.describeCluster();
      expect(described.brokers.map((b) => b.port).sort()).toEqual(
        cluster
          .bootstrapServersFor('SASL_SSL')
          .map((a) => Number(a.split(':')[1]))
          .sort(),
      );
    } finally {
      await admin.close();
    }
  });

  it("SDK from Kafka's client properties: SASL_SSL with ssl.ca.location and sasl.jaas.config", async () => {
    const kafka = Kafka.fromProperties({
      'bootstrap.servers': cluster.bootstrapServersFor('SASL_SSL').join(','),
      'security.protocol': 'SASL_SSL',
      'ssl.ca.location': certs.ca.certFile,
      'sasl.mechanism': 'PLAIN',
      'sasl.jaas.config':
        'org.apache.kafka.common.security.plain.PlainLoginModule required username="alice" password="alice-secret";',
    });
    const admin = kafka.admin();
    try {
      await admin.connect();
      expect((await admin.describeCluster()).brokers).toHaveLength(2);
    } finally {
      await admin.close();
    }
  });

  it('mutual TLS: the client certificate subject is the principal; a client without one is refused', async () => {
    const address = cluster.bootstrapServersFor('INTERNAL')[0].split(':');
    const socket = tlsConnect({
      host: address[0],
      port: Number(address[1]),
      ca: certs.ca.cert,
      cert: certs.client.cert,
      key: certs.client.key,
    });
    await new Promise<void>((resolve, reject) => socket.once('secureConnect', resolve).once('error', reject));
    await until('the principal is logged', () =>
      lines.some((l) => l.includes('principal User:CN=alice-client,O=Acme,C=US')),
    );
    socket.destroy();
    const refused = tlsConnect({ host: address[0], port: Number(address[1]), ca: certs.ca.cert });
    const outcome = await new Promise<string>((resolve) => {
      refused.once('error', (e) => resolve(e.message));
      refused.once('close', () => resolve('closed'));
    });
    expect(outcome).toMatch(/certificate required/);
    refused.destroy();
    await until('the refusal is logged', () =>
      lines.some((l) => /^warn: .* on listener INTERNAL failed: peer did not return a certificate$/.test(l)),
    );
  });

  it('ssl.client.auth=requested: a client without a certificate is User:ANONYMOUS; one with an untrusted certificate is refused', async () => {
    const [host, port] = cluster.bootstrapServersFor('REQUESTED')[0].split(':');
    const before = lines.length;
    const anonymous = tlsConnect({ host, port: Number(port), ca: certs.ca.cert });
    await new Promise<void>((resolve, reject) =>
      anonymous.once('secureConnect', resolve).once('error', reject),
    );
    await until('the anonymous connection is logged', () =>
      lines.slice(before).some((l) => /on listener REQUESTED, principal User:ANONYMOUS$/.test(l)),
    );
    anonymous.destroy();
    const stranger = tlsConnect({
      host,
      port: Number(port),
      ca: certs.ca.cert,
      cert: certs.stranger.cert,
      key: certs.stranger.key,
    });
    await new Promise<void>((resolve) => {
      stranger.once('close', () => resolve());
      stranger.once('error', () => {});
    });
    const refusal = lines.slice(before).filter((l) => l.startsWith('warn'));
    expect(refusal).toHaveLength(1);
    expect(refusal[0]).toMatch(/client certificate CN=stranger not trusted/);
  });

  it('a plaintext client on a TLS port gets one line naming the mistake', async () => {
    const before = lines.length;
    const [host, port] = cluster.bootstrapServersFor('SSL')[0].split(':');
    const socket = netConnect(Number(port), host);
    // An ApiVersions v0 request, as a client configured for PLAINTEXT sends first.
    const body = Buffer.from([0, 18, 0, 0, 0, 0, 0, 1, 0, 0]);
    const frame = Buffer.alloc(4 + body.length);
    frame.writeInt32BE(body.length);
    body.copy(frame, 4);
    socket.write(frame);
    await new Promise<void>((resolve) => socket.once('close', () => resolve()).once('error', () => {}));
    await until('the refusal is logged', () => lines.slice(before).some((l) => l.startsWith('warn')));
    const said = lines.slice(before).filter((l) => l.startsWith('warn'));
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(
      /on listener SSL failed: .*\(a plaintext client on a TLS listener\? is the client configured for SSL\?\)/,
    );
  });

  it('refuses a TLS client on a plaintext port with one line naming the mistake', async () => {
    const before = lines.length;
    const address = cluster.bootstrapServers[0].split(':');
    const socket = tlsConnect({ host: address[0], port: Number(address[1]), rejectUnauthorized: false });
    await new Promise<void>((resolve) => {
      socket.once('error', () => resolve());
      socket.once('close', () => resolve());
    });
    const said = () => lines.slice(before).filter((l) => l.startsWith('warn'));
    await until('the refusal is logged', () => said().length > 0);
    expect(said()).toHaveLength(1);
    expect(said()[0]).toMatch(
      /TLS handshake on PLAINTEXT, a PLAINTEXT listener \(is the client configured for SSL\?/,
    );
    expect(said()[0]).not.toMatch(/369295617/);
  });
});

describe('listeners of a cluster', () => {
  it('a restarted broker comes back on the same ports of every listener', async () => {
    const before = cluster.broker(2).listeners.map((l) => `${l.name}@${l.port}`);
    await cluster.stopBroker(2);
    await cluster.startBroker(2);
    expect(cluster.broker(2).listeners.map((l) => `${l.name}@${l.port}`)).toEqual(before);
  });

  it('brokers replicate over a SASL_PLAINTEXT inter-broker listener, logging in with the JAAS username/password', async () => {
    const sasl = await startCluster({
      brokers: 2,
      listeners: 'SASL_PLAINTEXT://:0',
      config: {
        'listener.name.sasl_plaintext.plain.sasl.jaas.config':
          'org.apache.kafka.common.security.plain.PlainLoginModule required username="broker" password="broker-secret" user_broker="broker-secret" user_alice="alice-secret";',
        'default.replication.factor': 2,
        'num.partitions': 1,
      },
      logLevel: 'error',
    });
    const kafka = new Kafka({
      bootstrapServers: sasl.bootstrapServers,
      sasl: { mechanism: 'plain', username: 'alice', password: 'alice-secret' },
    });
    const producer = kafka.producer({ acks: 'all' });
    try {
      await producer.connect();
      await producer.send({ topic: 'replicated-over-sasl', value: 'v' });
      // acks=all came back: the follower fetched, which it could only do once logged in.
      const p0 = sasl.metadata.topics.get('replicated-over-sasl')?.partitions[0];
      expect(p0?.isr).toHaveLength(2);
      const follower = sasl.broker(p0?.replicas.find((r) => r !== p0.leader) ?? -1);
      expect(follower.replicaManager.getPartition('replicated-over-sasl', 0)?.logEndOffset).toBe(1);
    } finally {
      await producer.close();
      await sasl.close();
    }
  });
});

describe('unauthenticated clients', () => {
  it('a 100 MiB frame before SASL is refused by its size prefix, before it is buffered', async () => {
    const captured: string[] = [];
    const broker = await startBroker({
      config: { 'sasl.enabled.mechanisms': 'PLAIN' },
      users: { alice: 'alice-secret' },
      logger: (level, message) => captured.push(`${level}: ${message}`),
    });
    try {
      const [host, port] = broker.bootstrapServers[0].split(':');
      const socket = netConnect(Number(port), host);
      const prefix = Buffer.alloc(4);
      prefix.writeInt32BE(100 * 1024 * 1024);
      // The prefix and a few bytes: the broker must not wait for the other 100 MiB to refuse it.
      socket.write(Buffer.concat([prefix, Buffer.alloc(64)]));
      await new Promise<void>((resolve) => socket.once('close', () => resolve()).once('error', () => {}));
      expect(captured).toHaveLength(1);
      expect(captured[0]).toMatch(
        /^warn: closing connection \d+ from .*: frame of 104857600 bytes before authentication, above sasl\.server\.max\.receive\.size \(524288\)$/,
      );
    } finally {
      await broker.close();
    }
  });
});

describe('stopping', () => {
  it('a client stalled in its TLS handshake does not keep a broker from stopping', async () => {
    const broker = await startBroker({
      listeners: [{ name: 'SSL', ssl: { key: certs.server.key, cert: certs.server.cert } }],
      logLevel: 'silent',
    });
    const [host, port] = broker.bootstrapServers[0].split(':');
    // Connected, and silent: no ClientHello ever comes.
    const stalled = netConnect(Number(port), host);
    await new Promise<void>((resolve) => stalled.once('connect', () => resolve()));
    const closedByBroker = new Promise<void>((resolve) => stalled.once('close', () => resolve()));
    stalled.on('error', () => {});
    await broker.close();
    await closedByBroker;
  });
});
