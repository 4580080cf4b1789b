/**
 * SASL on the reference broker: PLAIN and SCRAM exchanges driven by a client written here from
 * the RFCs (sharing no code with the broker, so a symmetric bug cannot pass), RFC 7677's
 * SCRAM-SHA-256 test vector, and the SaslHandshake/SaslAuthenticate state machine of one
 * connection (a fake one: these tests need no socket).
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { Api, type ApiDef, decodeResponse, encodeResponse } from '@tskafka/protocol/internals';
import { describe, expect, it } from 'vitest';
import type { BrokerNode } from '../src/broker.js';
import { parseBrokerConfig } from '../src/config.js';
import type { Connection } from '../src/connection.js';
import { type ApiHandler, NO_RESPONSE, type RequestContext } from '../src/handler.js';
import { saslAuthenticateHandler } from '../src/handlers/sasl-authenticate.js';
import { saslHandshakeHandler } from '../src/handlers/sasl-handshake.js';
import {
  SaslAuthenticationError,
  SaslAuthenticator,
  type SaslAuthenticatorOptions,
  type SaslServerSession,
  SaslServerState,
} from '../src/sasl.js';

// ---------------------------------------------------------------------------------------------
// The client side, from RFC 4616 / 5802 / 7677 only.

/** The PLAIN token `authzid NUL user NUL password`. */
function plainToken(user: string, password: string, authzid = ''): Buffer {
  return Buffer.from(`${authzid}\0${user}\0${password}`, 'utf8');
}

const HASHES = {
  'SCRAM-SHA-256': { hash: 'sha256', length: 32 },
  'SCRAM-SHA-512': { hash: 'sha512', length: 64 },
} as const;
type Scram = keyof typeof HASHES;

/** The client of one SCRAM exchange, step by step. */
class ScramClient {
  /** The client nonce sent in client-first. */
  readonly nonce: string;
  /** The proof sent in client-final, base64 (known once clientFinal ran). */
  proof = '';
  private readonly hash: string;
  private readonly length: number;
  private readonly gs2Header: string;
  private readonly clientFirstBare: string;
  private expectedServerSignature = '';

  constructor(
    mechanism: Scram,
    user: string,
    private readonly password: string,
    opts: { nonce?: string; authzid?: string } = {},
  ) {
    this.hash = HASHES[mechanism].hash;
    this.length = HASHES[mechanism].length;
    this.nonce = opts.nonce ?? randomBytes(18).toString('base64');
    this.gs2Header = `n,${opts.authzid !== undefined ? `a=${opts.authzid}` : ''},`;
    const saslName = user.replace(/=/g, '=3D').replace(/,/g, '=2C');
    this.clientFirstBare = `n=${saslName},r=${this.nonce}`;
  }

  clientFirst(): Buffer {
    return Buffer.from(this.gs2Header + this.clientFirstBare);
  }

  /** client-final-message for `serverFirst`; `tamper` lets a test change its parts. */
  clientFinal(serverFirst: string, tamper: { nonce?: string; channelBinding?: string } = {}): Buffer {
    const attrs = new Map(serverFirst.split(',').map((kv) => [kv[0], kv.slice(2)] as [string, string]));
    const combinedNonce = attrs.get('r') as string;
    if (!combinedNonce.startsWith(this.nonce)) throw new Error('server nonce does not extend ours');
    const salt = Buffer.from(attrs.get('s') as string, 'base64');
    const salted = pbkdf2Sync(this.password, salt, Number(attrs.get('i')), this.length, this.hash);
    const hmac = (key: Buffer, text: string) => createHmac(this.hash, key).update(text).digest();
    const clientKey = hmac(salted, 'Client Key');
    const storedKey = createHash(this.hash).update(clientKey).digest();
    const cbind = tamper.channelBinding ?? Buffer.from(this.gs2Header).toString('base64');
    const withoutProof = `c=${cbind},r=${tamper.nonce ?? combinedNonce}`;
    const authMessage = `${this.clientFirstBare},${serverFirst},${withoutProof}`;
    const signature = hmac(storedKey, authMessage);
    this.proof = Buffer.from(clientKey.map((b, i) => b ^ signature[i])).toString('base64');
    this.expectedServerSignature = hmac(hmac(salted, 'Server Key'), authMessage).toString('base64');
    return Buffer.from(`${withoutProof},p=${this.proof}`);
  }

  /** Whether server-final proves the server knows our password. */
  verifyServerFinal(serverFinal: Buffer | string): boolean {
    return serverFinal.toString() === `v=${this.expectedServerSignature}`;
  }
}

// ---------------------------------------------------------------------------------------------
// Fixtures.

const USERS = { alice: 'alice-secret', 'we,ird=name': 'pässwörd' };
const ALL = 'PLAIN,SCRAM-SHA-256,SCRAM-SHA-512';

function authenticator(
  mechanisms = ALL,
  options: SaslAuthenticatorOptions = {},
  users: Record<string, string> = USERS,
) {
  const config = parseBrokerConfig(mechanisms ? { 'sasl.enabled.mechanisms': mechanisms } : {}, users);
  return new SaslAuthenticator(config, options);
}

/** Expects `fn` to throw a SaslAuthenticationError; returns it. */
function refusal(fn: () => unknown): SaslAuthenticationError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(SaslAuthenticationError);
    return e as SaslAuthenticationError;
  }
  throw new Error('expected the exchange to be refused');
}

const GENERIC = (m: string) =>
  `Authentication failed during authentication due to invalid credentials with SASL mechanism ${m}`;

// ---------------------------------------------------------------------------------------------

describe('SASL/PLAIN', () => {
  const sasl = authenticator('PLAIN');

  it('accepts the right password and answers with an empty token', () => {
    const s = sasl.newSession('PLAIN');
    expect(s.evaluate(plainToken('alice', 'alice-secret'))).toEqual(Buffer.alloc(0));
    expect(s.state).toBe(SaslServerState.Complete);
    expect(s.authorizationId).toBe('alice');
  });

  it('accepts an authzid equal to the user, and UTF-8 names and passwords', () => {
    expect(sasl.newSession('PLAIN').evaluate(plainToken('alice', 'alice-secret', 'alice'))).toHaveLength(0);
    const s = sasl.newSession('PLAIN');
    s.evaluate(plainToken('we,ird=name', 'pässwörd'));
    expect(s.authorizationId).toBe('we,ird=name');
  });

  it.each([
    ['a wrong password', plainToken('alice', 'nope'), 'Authentication failed: Invalid username or password'],
    ['an unknown user', plainToken('mallory', 'x'), 'Authentication failed: Invalid username or password'],
    [
      'another authzid',
      plainToken('alice', 'alice-secret', 'bob'),
      'Authentication failed: Client requested an authorization id that is different from username',
    ],
    [
      'two tokens',
      Buffer.from('alice\0alice-secret'),
      'Invalid SASL/PLAIN response: expected 3 tokens, got 2',
    ],
    ['five tokens', Buffer.from('a\0b\0c\0d\0e'), 'Invalid SASL/PLAIN response: expected 3 tokens, got 4'],
    ['no user', plainToken('', 'x'), 'Authentication failed: username not specified'],
    ['no password', plainToken('alice', ''), 'Authentication failed: password not specified'],
  ])('refuses %s with Kafka message', (_, token, message) => {
    const s = sasl.newSession('PLAIN');
    const e = refusal(() => s.evaluate(token));
    expect(e.code).toBe(58);
    expect(e.message).toBe(message);
    expect(s.state).toBe(SaslServerState.Failed);
    expect(s.authorizationId).toBeNull();
  });

  it('keeps whether the user exists out of the message but not out of the log', () => {
    const unknown = refusal(() => sasl.newSession('PLAIN').evaluate(plainToken('mallory', 'x')));
    const wrong = refusal(() => sasl.newSession('PLAIN').evaluate(plainToken('alice', 'x')));
    expect(unknown.message).toBe(wrong.message);
    expect(unknown.reason).toContain('unknown');
    expect(wrong.reason).toContain('wrong password');
  });

  it('accepts nothing after the exchange', () => {
    const s = sasl.newSession('PLAIN');
    s.evaluate(plainToken('alice', 'alice-secret'));
    expect(refusal(() => s.evaluate(plainToken('alice', 'alice-secret'))).code).toBe(34);
  });
});

describe('SASL/SCRAM', () => {
  it('matches the RFC 7677 SCRAM-SHA-256 test vector', () => {
    const sasl = authenticator(
      'SCRAM-SHA-256',
      {
        serverNonce: () => '%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0',
        scramSalt: () => Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64'),
      },
      { user: 'pencil' },
    );
    const client = new ScramClient('SCRAM-SHA-256', 'user', 'pencil', { nonce: 'rOprNGfwEbeRWgbNEkqO' });
    expect(client.clientFirst().toString()).toBe('n,,n=user,r=rOprNGfwEbeRWgbNEkqO');
    const s = sasl.newSession('SCRAM-SHA-256');
    const serverFirst = s.evaluate(client.clientFirst()).toString();
    expect(serverFirst).toBe(
      'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096',
    );
    const clientFinal = client.clientFinal(serverFirst).toString();
    expect(clientFinal).toBe(
      'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=',
    );
    const serverFinal = s.evaluate(Buffer.from(clientFinal)).toString();
    expect(serverFinal).toBe('v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=');
    expect(client.verifyServerFinal(serverFinal)).toBe(true);
    expect(s.state).toBe(SaslServerState.Complete);
    expect(s.authorizationId).toBe('user');
  });

  const sasl = authenticator('SCRAM-SHA-256,SCRAM-SHA-512');

  /** Runs client-first → server-first; returns the session and server-first. */
  function start(mechanism: Scram, client: ScramClient): [SaslServerSession, string] {
    const s = sasl.newSession(mechanism);
    return [s, s.evaluate(client.clientFirst()).toString()];
  }

  describe.each(['SCRAM-SHA-256', 'SCRAM-SHA-512'] as const)('%s', (mechanism) => {
    it('authenticates, and the server proves it knows the password', () => {
      for (const [user, password] of Object.entries(USERS)) {
        const client = new ScramClient(mechanism, user, password);
        const [s, serverFirst] = start(mechanism, client);
        expect(serverFirst).toMatch(
          new RegExp(`^r=${escapeRegExp(client.nonce)}[^,]+,s=[A-Za-z0-9+/=]+,i=4096$`),
        );
        expect(client.verifyServerFinal(s.evaluate(client.clientFinal(serverFirst)))).toBe(true);
        expect(s.state).toBe(SaslServerState.Complete);
        expect(s.authorizationId).toBe(user);
      }
    });

    it('accepts an authzid equal to the user (channel binding then carries it)', () => {
      const client = new ScramClient(mechanism, 'alice', 'alice-secret', { authzid: 'alice' });
      const [s, serverFirst] = start(mechanism, client);
      expect(client.verifyServerFinal(s.evaluate(client.clientFinal(serverFirst)))).toBe(true);
    });

    it('refuses a wrong password with the generic message, the cause only in the log', () => {
      const client = new ScramClient(mechanism, 'alice', 'wrong');
      const [s, serverFirst] = start(mechanism, client);
      const e = refusal(() => s.evaluate(client.clientFinal(serverFirst)));
      expect(e.code).toBe(58);
      expect(e.message).toBe(GENERIC(mechanism));
      expect(e.reason).toContain('invalid SCRAM client proof');
      expect(s.state).toBe(SaslServerState.Failed);
      expect(s.authorizationId).toBeNull();
    });

    it('refuses an unknown user at client-first, with the same message', () => {
      const s = sasl.newSession(mechanism);
      const e = refusal(() => s.evaluate(new ScramClient(mechanism, 'mallory', 'x').clientFirst()));
      expect(e.message).toBe(GENERIC(mechanism));
      expect(e.reason).toContain('unknown SCRAM user');
    });

    it.each([
      ['a changed nonce', { nonce: 'forged-nonce' }, 'invalid client nonce'],
      ['a channel binding that is not the gs2 header', { channelBinding: 'eSws' }, 'channel binding'],
    ])('refuses %s in client-final', (_, tamper, reason) => {
      const client = new ScramClient(mechanism, 'alice', 'alice-secret');
      const [s, serverFirst] = start(mechanism, client);
      const e = refusal(() => s.evaluate(client.clientFinal(serverFirst, tamper)));
      expect(e.message).toBe(GENERIC(mechanism));
      expect(e.reason).toContain(reason);
    });
  });

  it('accepts the client-final nonce librdkafka sends (its nonce, then the combined one), as Kafka does', () => {
    const client = new ScramClient('SCRAM-SHA-256', 'alice', 'alice-secret');
    const [s, serverFirst] = start('SCRAM-SHA-256', client);
    const combined = /^r=([^,]+)/.exec(serverFirst)?.[1] as string;
    const serverFinal = s.evaluate(client.clientFinal(serverFirst, { nonce: client.nonce + combined }));
    expect(client.verifyServerFinal(serverFinal)).toBe(true);
  });

  it('refuses another authzid with Kafka message', () => {
    const client = new ScramClient('SCRAM-SHA-256', 'alice', 'alice-secret', { authzid: 'bob' });
    const e = refusal(() => sasl.newSession('SCRAM-SHA-256').evaluate(client.clientFirst()));
    expect(e.message).toBe(
      'Authentication failed: Client requested an authorization id that is different from username',
    );
  });

  it.each([
    ['channel binding (p=)', 'p=tls-unique,,n=alice,r=abc'],
    ['a mandatory extension (m=)', 'n,,m=x,n=alice,r=abc'],
    ['delegation-token auth', 'n,,n=alice,r=abc,tokenauth=true'],
    ['a bad escape in the name', 'n,,n=al=3Xice,r=abc'],
    ['no nonce', 'n,,n=alice'],
    ['garbage', '\u0000\u00ff'],
  ])('refuses a client-first with %s', (_, message) => {
    const s = sasl.newSession('SCRAM-SHA-256');
    const e = refusal(() => s.evaluate(Buffer.from(message, 'latin1')));
    expect(e.code).toBe(58);
    expect(e.message).toBe(GENERIC('SCRAM-SHA-256'));
  });

  it('ignores extensions it does not know, as Kafka does', () => {
    const s = sasl.newSession('SCRAM-SHA-256');
    expect(s.evaluate(Buffer.from('n,,n=alice,r=abc,foo=bar')).toString()).toMatch(/^r=abc/);
  });

  it('refuses a malformed client-final and accepts nothing after a failure', () => {
    const client = new ScramClient('SCRAM-SHA-256', 'alice', 'alice-secret');
    const [s, serverFirst] = start('SCRAM-SHA-256', client);
    expect(refusal(() => s.evaluate(Buffer.from('c=biws,p=AAAA'))).code).toBe(58);
    expect(refusal(() => s.evaluate(client.clientFinal(serverFirst))).code).toBe(34);
  });

  it('salts every credential differently', () => {
    const salts = new Set<string>();
    for (const mechanism of ['SCRAM-SHA-256', 'SCRAM-SHA-512'] as const) {
      for (const user of Object.keys(USERS)) {
        const serverFirst = sasl
          .newSession(mechanism)
          .evaluate(new ScramClient(mechanism, user, '').clientFirst());
        salts.add(/,s=([^,]+),/.exec(serverFirst.toString())?.[1] as string);
      }
    }
    expect(salts.size).toBe(4);
  });

  it('will not derive credentials below Kafka minimum of 4096 iterations', () => {
    expect(() => authenticator('SCRAM-SHA-512', { scramIterations: 1000 })).toThrow(/minimum 4096/);
  });
});

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// ---------------------------------------------------------------------------------------------
// The state machine of one connection, through the handlers.

/** The connection fields SASL touches, and a record of what it was told to do, in order. */
class FakeConnection {
  authenticated: boolean;
  saslMechanism: string | null = null;
  saslSession: SaslServerSession | null = null;
  rawSaslTokenExpected = false;
  principal: string | null = null;
  readonly events: ({ sent: Buffer } | { closed: string })[] = [];

  constructor(sasl: SaslAuthenticator) {
    // As Connection does: without SASL a connection starts authenticated.
    this.authenticated = !sasl.enabled;
  }
  send(frame: Buffer): void {
    this.events.push({ sent: frame });
  }
  fail(reason: string): void {
    this.events.push({ closed: reason });
  }
  get closed(): boolean {
    return this.events.some((e) => 'closed' in e);
  }
}

let correlationId = 100;

/**
 * Runs `handler` as the connection would and returns the response as a client decodes it: either
 * the body the handler returned (encoded and decoded at `version`), or the frame it sent itself
 * before closing.
 */
async function call<A extends ApiDef>(
  handler: ApiHandler<A>,
  sasl: SaslAuthenticator,
  conn: FakeConnection,
  version: number,
  request: unknown,
) {
  const id = correlationId++;
  const ctx: RequestContext = {
    node: {} as unknown as BrokerNode,
    // As Connection does: the handlers use the SASL of the listener the client came in on.
    connection: Object.assign(conn, { sasl }) as unknown as Connection,
    header: {
      requestApiKey: handler.api.key,
      requestApiVersion: version,
      correlationId: id,
      clientId: 'test',
    },
    apiVersion: version,
    now: 0,
  };
  const sentBefore = conn.events.length;
  const result = await handler.handle(ctx, request as never);
  let frame: Buffer;
  if (result === NO_RESPONSE) {
    const sent = conn.events.slice(sentBefore);
    // A refusal is written first, then the connection closes: never the other way round.
    expect(sent.map((e) => Object.keys(e)[0])).toEqual(['sent', 'closed']);
    frame = (sent[0] as { sent: Buffer }).sent;
  } else {
    frame = encodeResponse(handler.api, version, id, result as never);
  }
  const decoded = decodeResponse(handler.api, version, frame.subarray(4));
  expect(decoded.correlationId).toBe(id);
  return decoded.body as Record<string, unknown>;
}

const handshake = (sasl: SaslAuthenticator, conn: FakeConnection, mechanism: string, version = 1) =>
  call(saslHandshakeHandler, sasl, conn, version, { mechanism });
const authenticate = (sasl: SaslAuthenticator, conn: FakeConnection, token: Buffer, version = 2) =>
  call(saslAuthenticateHandler, sasl, conn, version, { authBytes: token });

describe('SaslHandshake and SaslAuthenticate', () => {
  const sasl = authenticator();

  it.each([0, 1, 2])('handshake v1 → SaslAuthenticate v%i (PLAIN) → authenticated', async (version) => {
    const conn = new FakeConnection(sasl);
    expect(await handshake(sasl, conn, 'PLAIN')).toEqual({
      errorCode: 0,
      mechanisms: ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'],
    });
    expect(conn.saslMechanism).toBe('PLAIN');
    expect(conn.rawSaslTokenExpected).toBe(false);
    const body = await authenticate(sasl, conn, plainToken('alice', 'alice-secret'), version);
    expect(body).toMatchObject({ errorCode: 0, errorMessage: null, authBytes: Buffer.alloc(0) });
    if (version >= 1) expect(body.sessionLifetimeMs).toBe(0);
    expect(conn).toMatchObject({
      authenticated: true,
      principal: 'User:alice',
      saslSession: null,
      closed: false,
    });
  });

  it.each(['SCRAM-SHA-256', 'SCRAM-SHA-512'] as const)(
    'runs %s over two SaslAuthenticate requests',
    async (m) => {
      const conn = new FakeConnection(sasl);
      await handshake(sasl, conn, m);
      const client = new ScramClient(m, 'alice', 'alice-secret');
      const first = await authenticate(sasl, conn, client.clientFirst(), 1);
      expect(first.errorCode).toBe(0);
      expect(conn.authenticated).toBe(false);
      const final = await authenticate(sasl, conn, client.clientFinal(String(first.authBytes)), 1);
      expect(final.errorCode).toBe(0);
      expect(client.verifyServerFinal(final.authBytes as Buffer)).toBe(true);
      expect(conn).toMatchObject({ authenticated: true, principal: 'User:alice', closed: false });
    },
  );

  it('answers a wrong PLAIN password with SASL_AUTHENTICATION_FAILED, then closes', async () => {
    const conn = new FakeConnection(sasl);
    await handshake(sasl, conn, 'PLAIN');
    const body = await authenticate(sasl, conn, plainToken('alice', 'guess'), 1);
    expect(body).toEqual({
      errorCode: 58,
      errorMessage: 'Authentication failed: Invalid username or password',
      authBytes: Buffer.alloc(0),
      sessionLifetimeMs: 0,
    });
    expect(conn.authenticated).toBe(false);
    expect(conn.closed).toBe(true);
  });

  it('answers a wrong SCRAM password with Kafka generic message, then closes', async () => {
    const conn = new FakeConnection(sasl);
    await handshake(sasl, conn, 'SCRAM-SHA-256');
    const client = new ScramClient('SCRAM-SHA-256', 'alice', 'guess');
    const first = await authenticate(sasl, conn, client.clientFirst(), 2);
    const body = await authenticate(sasl, conn, client.clientFinal(String(first.authBytes)), 2);
    expect(body.errorCode).toBe(58);
    expect(body.errorMessage).toBe(GENERIC('SCRAM-SHA-256'));
    expect(conn.closed).toBe(true);
    expect(conn.authenticated).toBe(false);
  });

  it('answers SaslAuthenticate without a handshake with ILLEGAL_SASL_STATE, then closes', async () => {
    const conn = new FakeConnection(sasl);
    const body = await authenticate(sasl, conn, plainToken('alice', 'alice-secret'));
    expect(body.errorCode).toBe(34);
    expect(conn.closed).toBe(true);
    expect(conn.authenticated).toBe(false);
  });

  it('answers an unsupported mechanism with the enabled list, then closes', async () => {
    const only = authenticator('SCRAM-SHA-512');
    const conn = new FakeConnection(only);
    expect(await handshake(only, conn, 'PLAIN')).toEqual({ errorCode: 33, mechanisms: ['SCRAM-SHA-512'] });
    expect(conn.closed).toBe(true);
    expect(conn.saslSession).toBeNull();
  });

  it('answers a second handshake during the exchange with ILLEGAL_SASL_STATE, then closes', async () => {
    const conn = new FakeConnection(sasl);
    await handshake(sasl, conn, 'SCRAM-SHA-256');
    expect(await handshake(sasl, conn, 'PLAIN')).toEqual({ errorCode: 34, mechanisms: [] });
    expect(conn.closed).toBe(true);
  });

  it('answers SASL requests after authentication with ILLEGAL_SASL_STATE and keeps the connection', async () => {
    const conn = new FakeConnection(sasl);
    await handshake(sasl, conn, 'PLAIN');
    await authenticate(sasl, conn, plainToken('alice', 'alice-secret'));
    expect(await handshake(sasl, conn, 'PLAIN')).toEqual({ errorCode: 34, mechanisms: [] });
    const again = await authenticate(sasl, conn, plainToken('alice', 'alice-secret'), 0);
    expect(again).toMatchObject({
      errorCode: 34,
      errorMessage: 'SaslAuthenticate request received after successful authentication',
      authBytes: Buffer.alloc(0),
    });
    expect(conn).toMatchObject({ authenticated: true, principal: 'User:alice', closed: false });
  });

  it('answers a handshake on a listener without SASL with an empty UNSUPPORTED_SASL_MECHANISM', async () => {
    const plaintext = authenticator('');
    const conn = new FakeConnection(plaintext);
    expect(conn.authenticated).toBe(true);
    expect(await handshake(plaintext, conn, 'PLAIN', 0)).toEqual({ errorCode: 33, mechanisms: [] });
    expect(conn.closed).toBe(false);
    expect(conn.rawSaslTokenExpected).toBe(false);
  });

  it('builds error responses for every version', () => {
    for (const v of [0, 1]) {
      const body = saslHandshakeHandler.errorResponse({ mechanism: 'PLAIN' }, 35, {} as RequestContext);
      expect(
        decodeResponse(Api.SaslHandshake, v, encodeResponse(Api.SaslHandshake, v, 1, body).subarray(4)).body,
      ).toEqual({ errorCode: 35, mechanisms: [] });
    }
    for (const v of [0, 1, 2]) {
      const body = saslAuthenticateHandler.errorResponse(
        { authBytes: Buffer.alloc(0) },
        -1,
        {} as RequestContext,
      );
      const back = decodeResponse(
        Api.SaslAuthenticate,
        v,
        encodeResponse(Api.SaslAuthenticate, v, 1, body).subarray(4),
      );
      expect(back.body).toMatchObject({ errorCode: -1, errorMessage: null, authBytes: Buffer.alloc(0) });
    }
  });
});

describe('SaslHandshake v0: raw SASL tokens', () => {
  const sasl = authenticator();
  /** A raw token frame's payload, checked for its 4-byte size. */
  const payload = (frame: { sent: Buffer } | { closed: string }) => {
    const buf = (frame as { sent: Buffer }).sent;
    expect(buf.readInt32BE(0)).toBe(buf.length - 4);
    return buf.subarray(4);
  };

  it('PLAIN: one token in, an empty frame out, then Kafka requests again', async () => {
    const conn = new FakeConnection(sasl);
    expect((await handshake(sasl, conn, 'PLAIN', 0)).errorCode).toBe(0);
    expect(conn.rawSaslTokenExpected).toBe(true);
    await sasl.handleRawToken(conn, plainToken('alice', 'alice-secret'));
    expect(conn.events).toEqual([{ sent: Buffer.alloc(4) }]);
    expect(conn).toMatchObject({ authenticated: true, principal: 'User:alice', rawSaslTokenExpected: false });
  });

  it('SCRAM-SHA-512: two tokens each way', async () => {
    const conn = new FakeConnection(sasl);
    await handshake(sasl, conn, 'SCRAM-SHA-512', 0);
    const client = new ScramClient('SCRAM-SHA-512', 'we,ird=name', 'pässwörd');
    await sasl.handleRawToken(conn, client.clientFirst());
    expect(conn.rawSaslTokenExpected).toBe(true);
    await sasl.handleRawToken(conn, client.clientFinal(payload(conn.events[0]).toString()));
    expect(client.verifyServerFinal(payload(conn.events[1]))).toBe(true);
    expect(conn).toMatchObject({
      authenticated: true,
      principal: 'User:we,ird=name',
      rawSaslTokenExpected: false,
    });
  });

  it('closes without an answer on a wrong password (the raw framing has no error)', async () => {
    const conn = new FakeConnection(sasl);
    await handshake(sasl, conn, 'PLAIN', 0);
    await sasl.handleRawToken(conn, plainToken('alice', 'guess'));
    expect(conn.events).toHaveLength(1);
    expect((conn.events[0] as { closed: string }).closed).toMatch(
      /PLAIN authentication failed: wrong password/,
    );
    expect(conn.authenticated).toBe(false);
  });

  it('closes on a raw token with no exchange in progress', async () => {
    const conn = new FakeConnection(sasl);
    conn.rawSaslTokenExpected = true;
    await sasl.handleRawToken(conn, plainToken('alice', 'alice-secret'));
    expect(conn.closed).toBe(true);
    expect(conn.authenticated).toBe(false);
  });
});
