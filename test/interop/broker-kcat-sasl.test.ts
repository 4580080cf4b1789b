/**
 * SASL against the reference broker with kcat (librdkafka 2.0.2) as the client: PLAIN,
 * SCRAM-SHA-256 and SCRAM-SHA-512 logins produce and consume; a wrong password is refused with an
 * authentication error; and a connection that has not authenticated gets answers to ApiVersions
 * and SaslHandshake only; anything else closes it unanswered, as Kafka's SaslServerAuthenticator
 * does.
 */
import { type RunningBroker, startBroker } from '@tskafka/broker';
import { ErrorCode } from '@tskafka/protocol';
import { Api } from '@tskafka/protocol/internals';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runKcat } from './kcat.js';
import { WireClient } from './wire-client.js';

const MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;
const USER = 'alice';
const PASSWORD = 'alice-secret';

let broker: RunningBroker;
let bootstrap: string;

beforeAll(async () => {
  broker = await startBroker({
    config: { 'sasl.enabled.mechanisms': MECHANISMS.join(','), 'num.partitions': 1 },
    users: { [USER]: PASSWORD, bob: 'bob-secret' },
    logLevel: 'error',
  });
  bootstrap = broker.bootstrapServers[0];
});

afterAll(async () => {
  await broker?.close();
});

/** kcat's `-X` options for a SASL_PLAINTEXT login. */
function sasl(mechanism: string, password = PASSWORD, user = USER): string[] {
  return [
    '-X',
    'security.protocol=SASL_PLAINTEXT',
    '-X',
    `sasl.mechanisms=${mechanism}`,
    '-X',
    `sasl.username=${user}`,
    '-X',
    `sasl.password=${password}`,
  ];
}

describe('kcat with SASL against the reference broker', () => {
  for (const mechanism of MECHANISMS) {
    it(`${mechanism}: produces and consumes after logging in`, async () => {
      const topic = `sasl-${mechanism.toLowerCase()}`;
      const lines = Array.from({ length: 50 }, (_, i) => `k${i}:${mechanism}-${i}`);
      await runKcat(['-b', bootstrap, ...sasl(mechanism), '-P', '-t', topic, '-K:'], {
        input: `${lines.join('\n')}\n`,
      });
      const { stdout } = await runKcat([
        '-b',
        bootstrap,
        ...sasl(mechanism),
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
    });
  }

  it('refuses a wrong password or an unknown user with an authentication error, and a client without SASL', async () => {
    const attempts = [
      ...MECHANISMS.map((m) => sasl(m, 'not-the-password')),
      sasl('SCRAM-SHA-256', PASSWORD, 'mallory'),
      sasl('PLAIN', 'bob-secret'), // bob's password is not alice's
      [], // no SASL at all
    ];
    // In parallel: each waits out kcat's metadata timeout before it gives up.
    const results = await Promise.all(
      attempts.map((x) =>
        runKcat(['-b', bootstrap, ...x, '-L']).then(
          () => new Error(`kcat -L ${x.join(' ')} succeeded`),
          (e: Error) => e,
        ),
      ),
    );
    for (const e of results) {
      expect(e.message).toMatch(/exited with 1/);
      expect(e.message).toMatch(/Failed to acquire metadata/);
    }
    for (const e of results.slice(0, -1)) {
      expect(e.message).toMatch(/SASL authentication error: Authentication failed/);
    }
    // Without SASL, librdkafka sees the broker hang up on its first request after ApiVersions.
    expect(results[results.length - 1].message).toMatch(/Disconnected: verify that security.protocol/);
    // Nothing was created by the refused clients.
    expect([...broker.node.metadata.topics.keys()].filter((t) => !t.startsWith('sasl-'))).toEqual([]);
  });
});

describe('a connection that has not authenticated', () => {
  it('is answered for ApiVersions and SaslHandshake', async () => {
    const c = await WireClient.connect(bootstrap);
    try {
      const versions = await c.request(Api.ApiVersions, 3, {
        clientSoftwareName: 'wire-client',
        clientSoftwareVersion: '1',
      });
      expect(versions.errorCode).toBe(ErrorCode.NONE);
      expect(versions.apiKeys.map((k) => k.apiKey)).toEqual(
        expect.arrayContaining([Api.SaslHandshake.key, Api.SaslAuthenticate.key, Api.Metadata.key]),
      );
      const handshake = await c.request(Api.SaslHandshake, 1, { mechanism: 'SCRAM-SHA-512' });
      expect(handshake.errorCode).toBe(ErrorCode.NONE);
      expect(handshake.mechanisms).toEqual([...MECHANISMS]);
      expect(c.isOpen).toBe(true);
    } finally {
      c.close();
    }
  });

  const requests: [string, (c: WireClient) => number][] = [
    ['Metadata', (c) => c.send(Api.Metadata, 12, { topics: null })],
    [
      'Produce',
      (c) => c.send(Api.Produce, 9, { transactionalId: null, acks: -1, timeoutMs: 1000, topicData: [] }),
    ],
    [
      'Fetch',
      (c) =>
        c.send(Api.Fetch, 12, {
          replicaId: -1,
          maxWaitMs: 0,
          minBytes: 1,
          maxBytes: 1024,
          isolationLevel: 0,
          sessionId: 0,
          sessionEpoch: -1,
          topics: [],
          forgottenTopicsData: [],
          rackId: '',
        }),
    ],
    ['ListOffsets', (c) => c.send(Api.ListOffsets, 7, { replicaId: -1, isolationLevel: 0, topics: [] })],
    [
      'CreateTopics',
      (c) =>
        c.send(Api.CreateTopics, 7, {
          topics: [
            { name: 'not-allowed', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] },
          ],
          timeoutMs: 1000,
          validateOnly: false,
        }),
    ],
    ['FindCoordinator', (c) => c.send(Api.FindCoordinator, 3, { key: 'g', keyType: 0 })],
    [
      'InitProducerId',
      (c) => c.send(Api.InitProducerId, 4, { transactionalId: null, transactionTimeoutMs: 60_000 }),
    ],
    ['DescribeCluster', (c) => c.send(Api.DescribeCluster, 0, { includeClusterAuthorizedOperations: false })],
  ];
  for (const [name, send] of requests) {
    it(`is closed unanswered when it sends ${name}`, async () => {
      const c = await WireClient.connect(bootstrap);
      send(c);
      expect(await c.nextFrame()).toBeNull();
      await c.closed;
    });
  }

  it('is also closed for a request sent after the handshake but before SaslAuthenticate', async () => {
    const c = await WireClient.connect(bootstrap);
    expect((await c.request(Api.SaslHandshake, 1, { mechanism: 'PLAIN' })).errorCode).toBe(0);
    c.send(Api.Metadata, 12, { topics: null });
    expect(await c.nextFrame()).toBeNull();
    expect(broker.node.metadata.topics.has('not-allowed')).toBe(false);
  });

  it('may send anything once SaslAuthenticate succeeded', async () => {
    const c = await WireClient.connect(bootstrap);
    try {
      expect((await c.request(Api.SaslHandshake, 1, { mechanism: 'PLAIN' })).errorCode).toBe(0);
      const auth = await c.request(Api.SaslAuthenticate, 2, {
        authBytes: Buffer.from(`\0${USER}\0${PASSWORD}`),
      });
      expect(auth.errorCode).toBe(ErrorCode.NONE);
      const md = await c.request(Api.Metadata, 12, { topics: null });
      expect(md.brokers.map((b) => `${b.host}:${b.port}`)).toEqual([bootstrap]);
    } finally {
      c.close();
    }
  });
});
