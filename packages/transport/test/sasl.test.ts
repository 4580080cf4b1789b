import { type RunningBroker, startBroker } from '@tskafka/broker';
import { Api } from '@tskafka/protocol/internals';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Cluster,
  Connection,
  plainAuthBytes,
  SaslAuthenticationError,
  type SaslOptions,
  ScramClient,
  ScramClientState,
  scramSaslName,
  silentLogger,
} from '../src/internals.js';

describe('ScramClient', () => {
  it('reproduces the exchange of RFC 5802 section 5 (SCRAM-SHA-1)', () => {
    const c = new ScramClient({
      hash: 'sha1',
      username: 'user',
      password: 'pencil',
      nonce: 'fyko+d2lbbFgONRv9qkxdawL',
    });
    expect(c.firstMessage().toString()).toBe('n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL');
    const final = c.finalMessage('r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096');
    expect(final.toString()).toBe(
      'c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=',
    );
    c.verifyServerFinal('v=rmF9pqV8S7suAoZWja4dJRkFsKQ=');
    expect(c.state).toBe(ScramClientState.Complete);
  });

  it('reproduces the exchange of RFC 7677 section 3 (SCRAM-SHA-256)', () => {
    const c = new ScramClient({
      hash: 'sha256',
      username: 'user',
      password: 'pencil',
      nonce: 'rOprNGfwEbeRWgbNEkqO',
    });
    expect(c.mechanism).toBe('SCRAM-SHA-256');
    expect(c.firstMessage().toString()).toBe('n,,n=user,r=rOprNGfwEbeRWgbNEkqO');
    const final = c.finalMessage(
      'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096',
    );
    expect(final.toString()).toBe(
      'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=',
    );
    c.verifyServerFinal('v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=');
    expect(c.state).toBe(ScramClientState.Complete);
  });

  it('refuses a server that does not know the password, a foreign nonce, or too few iterations', () => {
    const server = 'r=abc123XYZ,s=QSXCR+Q6sek8bf92,i=4096';
    const wrongSig = new ScramClient({ hash: 'sha256', username: 'u', password: 'p', nonce: 'abc' });
    wrongSig.firstMessage();
    wrongSig.finalMessage(server);
    expect(() => wrongSig.verifyServerFinal('v=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=')).toThrow(
      SaslAuthenticationError,
    );
    expect(wrongSig.state).toBe(ScramClientState.Failed);

    const foreign = new ScramClient({ hash: 'sha256', username: 'u', password: 'p', nonce: 'zzz' });
    foreign.firstMessage();
    expect(() => foreign.finalMessage(server)).toThrow(/does not extend the client nonce/);

    const weak = new ScramClient({ hash: 'sha512', username: 'u', password: 'p', nonce: 'abc' });
    weak.firstMessage();
    expect(() => weak.finalMessage('r=abc123,s=QSXCR+Q6sek8bf92,i=1000')).toThrow(
      /fewer than the minimum 4096/,
    );

    const refused = new ScramClient({ hash: 'sha256', username: 'u', password: 'p', nonce: 'abc' });
    refused.firstMessage();
    refused.finalMessage(server);
    expect(() => refused.verifyServerFinal('e=invalid-proof')).toThrow(/invalid-proof/);
  });

  it('escapes user names and builds PLAIN messages as Kafka expects', () => {
    expect(scramSaslName('a=b,c')).toBe('a=3Db=2Cc');
    expect(plainAuthBytes('alice', 's3cr=t').toString()).toBe('\0alice\0s3cr=t');
    expect(() => plainAuthBytes('a\0b', 'x')).toThrow(TypeError);
  });
});

describe('SASL against the reference broker', () => {
  let broker: RunningBroker;
  beforeAll(async () => {
    broker = await startBroker({
      logLevel: 'silent',
      config: { 'sasl.enabled.mechanisms': 'PLAIN,SCRAM-SHA-256,SCRAM-SHA-512' },
      users: { alice: 'alice-secret', 'b=o,b': 'pa,ss=word' },
    });
  });
  afterAll(async () => {
    await broker.close();
  });

  const connect = (sasl: SaslOptions) =>
    new Connection({
      host: '127.0.0.1',
      port: broker.node.port,
      nodeId: 1,
      sasl,
      logger: silentLogger,
    }).connect();

  for (const mechanism of ['plain', 'scram-sha-256', 'SCRAM-SHA-512'] as const) {
    it(`authenticates with ${mechanism}, then serves requests`, async () => {
      const conn = await connect({ mechanism, username: 'alice', password: 'alice-secret' });
      const md = await conn.request(Api.Metadata, { topics: [] });
      expect(md.brokers.map((b) => b.nodeId)).toEqual([1]);
      conn.close();
    });

    it(`refuses a wrong password with ${mechanism} as a SaslAuthenticationError`, async () => {
      const error = await connect({ mechanism, username: 'alice', password: 'wrong' }).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(SaslAuthenticationError);
      const e = error as SaslAuthenticationError;
      expect(e.retriable).toBe(false);
      expect(e.mechanism).toBe(mechanism.toUpperCase());
      expect(e.errorName).toBe('SASL_AUTHENTICATION_FAILED');
      expect(e.errorCode).toBe(58);
      expect(e.broker).toBe(`1 (127.0.0.1:${broker.node.port})`);
      expect(e.message).toContain('alice');
    });
  }

  it('authenticates a user whose name needs SCRAM escaping', async () => {
    const conn = await connect({ mechanism: 'scram-sha-256', username: 'b=o,b', password: 'pa,ss=word' });
    expect(conn.isReady).toBe(true);
    conn.close();
  });

  it('names the mechanisms the broker offers when it lacks the one asked for', async () => {
    const plainOnly = await startBroker({
      logLevel: 'silent',
      config: { 'sasl.enabled.mechanisms': 'PLAIN' },
      users: { alice: 'alice-secret' },
    });
    try {
      const conn = new Connection({
        host: '127.0.0.1',
        port: plainOnly.node.port,
        sasl: { mechanism: 'scram-sha-512', username: 'alice', password: 'alice-secret' },
        logger: silentLogger,
      });
      const error = await conn.connect().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SaslAuthenticationError);
      expect((error as Error).message).toContain('it offers: PLAIN');
      expect((error as SaslAuthenticationError).errorName).toBe('UNSUPPORTED_SASL_MECHANISM');
    } finally {
      await plainOnly.close();
    }
  });

  it('authenticates every connection of a Cluster, and fails bootstrap clearly on a wrong password', async () => {
    const good = new Cluster({
      bootstrapServers: broker.bootstrapServers,
      sasl: { mechanism: 'SCRAM-SHA-256', username: 'alice', password: 'alice-secret' },
      logger: silentLogger,
    });
    try {
      await good.connect();
      await good.waitForTopic('sasl-topic', 5000);
      expect(good.leaderFor('sasl-topic', 0)).toBe(1);
    } finally {
      await good.close();
    }
    const bad = new Cluster({
      bootstrapServers: broker.bootstrapServers,
      sasl: { mechanism: 'plain', username: 'alice', password: 'nope' },
      logger: silentLogger,
    });
    try {
      await expect(bad.connect()).rejects.toBeInstanceOf(SaslAuthenticationError);
    } finally {
      await bad.close();
    }
  });
});
