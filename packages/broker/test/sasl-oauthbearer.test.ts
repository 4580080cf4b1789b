/**
 * The broker's OAUTHBEARER server with Kafka's unsecured JWS validation, driven with a manual
 * clock: what it accepts (the principal from `sub`), what it refuses with the JSON status (bad
 * tokens, which the client then acknowledges with \x01), and what fails at once (a malformed
 * message, an authorization id that is not the token's principal).
 */
import { describe, expect, it } from 'vitest';
import { OAuthBearerSaslServer, validateUnsecuredJws } from '../src/sasl/oauthbearer.js';
import { SaslAuthenticationError, SaslServerState } from '../src/sasl/session.js';

const NOW = 1_800_000_000_000;
const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
const jws = (claims: object, header: object = { alg: 'none' }) => `${part(header)}.${part(claims)}.`;
const first = (token: string, authzid = '', extras = '') =>
  Buffer.from(`n,${authzid ? `a=${authzid}` : ''},\x01auth=Bearer ${token}\x01${extras}\x01`);
const valid = { sub: 'alice', exp: NOW / 1000 + 60, iat: NOW / 1000 - 1 };

describe('OAUTHBEARER server', () => {
  it('accepts a valid unsecured token, with SASL extensions, and takes sub as the principal', () => {
    const server = new OAuthBearerSaslServer(() => NOW);
    expect(
      server.evaluate(first(jws({ ...valid, scope: 'a b' }), '', 'logicalCluster=lkc-1\x01')),
    ).toHaveLength(0);
    expect(server.state).toBe(SaslServerState.Complete);
    expect(server.authorizationId).toBe('alice');
  });

  it.each([
    ['expired', jws({ ...valid, exp: NOW / 1000 })],
    ['without exp', jws({ sub: 'alice' })],
    ['without sub', jws({ exp: valid.exp })],
    ['signed', `${jws(valid)}c2ln`],
    ['with alg HS256', jws(valid, { alg: 'HS256' })],
    ['issued in the future', jws({ ...valid, iat: NOW / 1000 + 30 })],
    ['not JSON', 'e30.bm90LWpzb24.'],
  ])('answers a token %s with {"status":"invalid_token"}, then fails on the \\x01', (_why, token) => {
    const server = new OAuthBearerSaslServer(() => NOW);
    expect(server.evaluate(first(token)).toString()).toBe('{"status":"invalid_token"}');
    expect(() => server.evaluate(Buffer.from([0x01]))).toThrow(SaslAuthenticationError);
    expect(server.state).toBe(SaslServerState.Failed);
  });

  it('fails at once on a malformed message or a foreign authorization id', () => {
    for (const message of [
      Buffer.from('y,,\x01auth=Bearer x\x01\x01'),
      Buffer.from(`n,,\x01auth=Basic abc\x01\x01`),
    ]) {
      expect(() => new OAuthBearerSaslServer(() => NOW).evaluate(message)).toThrow(SaslAuthenticationError);
    }
    const server = new OAuthBearerSaslServer(() => NOW);
    expect(() => server.evaluate(first(jws(valid), 'bob'))).toThrow(/different from the token's principal/);
  });

  it('reads scope as a space-separated string or a list', () => {
    expect(validateUnsecuredJws(jws({ ...valid, scope: 'read write' }), NOW).scope).toEqual([
      'read',
      'write',
    ]);
    expect(validateUnsecuredJws(jws({ ...valid, scope: ['read'] }), NOW).scope).toEqual(['read']);
  });
});
