/**
 * The client side of SCRAM (RFC 5802; SHA-256 and SHA-512 per RFC 7677), as Kafka's
 * `ScramSaslClient` speaks it: two round trips, no channel binding (gs2 header `n,,`), user names
 * escaped (`=` as `=3D`, `,` as `=2C`), the password's UTF-8 bytes without SASLprep, and at least
 * 4096 iterations accepted from the server.
 *
 *   Initial ──firstMessage()──▶ ReceiveServerFirst ──finalMessage(serverFirst)──▶ ReceiveServerFinal
 *     ──verifyServerFinal(serverFinal)──▶ Complete      (any failure ──▶ Failed)
 *
 * @module
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { SaslAuthenticationError } from '../errors.js';

/** Hash functions SCRAM is defined with here (SHA-1 only for RFC 5802's own test vector). */
export type ScramHash = 'sha1' | 'sha256' | 'sha512';

/** Where a {@link ScramClient} exchange stands. */
export enum ScramClientState {
  /** Nothing sent yet. */
  Initial = 'Initial',
  /** client-first sent; waiting for server-first. */
  ReceiveServerFirst = 'ReceiveServerFirst',
  /** client-final sent; waiting for server-final. */
  ReceiveServerFinal = 'ReceiveServerFinal',
  /** The server proved it knows the password. */
  Complete = 'Complete',
  /** The exchange failed; it accepts nothing more. */
  Failed = 'Failed',
}

/** Options of a {@link ScramClient}. */
export interface ScramClientOptions {
  /** The hash: `sha256` for SCRAM-SHA-256, `sha512` for SCRAM-SHA-512. */
  hash: ScramHash;
  /** The user name. */
  username: string;
  /** The password. */
  password: string;
  /** The client nonce; random (24 bytes, base64) unless a test needs a known exchange. */
  nonce?: string;
  /** Fewest iterations accepted from the server; default 4096 (Kafka's minimum). */
  minIterations?: number;
}

const KEY_LENGTH: Record<ScramHash, number> = { sha1: 20, sha256: 32, sha512: 64 };
const GS2_HEADER = 'n,,';
const NONCE = /^[\x21-\x2b\x2d-\x7e]+$/;

/** The SCRAM mechanism name of a hash, e.g. `SCRAM-SHA-256`. */
export function scramMechanismName(hash: ScramHash): string {
  return `SCRAM-${hash.toUpperCase().replace('SHA', 'SHA-')}`;
}

/** Escapes a user name for the `n=` attribute (RFC 5802 section 5.1). */
export function scramSaslName(username: string): string {
  return username.replace(/=/g, '=3D').replace(/,/g, '=2C');
}

function hmac(hash: ScramHash, key: Buffer, data: string | Buffer): Buffer {
  return createHmac(hash, key).update(data).digest();
}

function xor(a: Buffer, b: Buffer): Buffer {
  const out = Buffer.allocUnsafe(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] ^ b[i];
  return out;
}

/** Splits `a=1,b=2` into attributes, in order; values may contain `=`. */
function attributes(message: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of message.split(',')) {
    if (!/^[A-Za-z]=/.test(part)) throw new Error(`malformed SCRAM attribute "${part}"`);
    out.set(part[0], part.slice(2));
  }
  return out;
}

/** One SCRAM exchange, client side. Every method throws {@link SaslAuthenticationError} on failure. */
export class ScramClient {
  /** Where the exchange stands. */
  state = ScramClientState.Initial;
  /** The mechanism name, e.g. `SCRAM-SHA-512`. */
  readonly mechanism: string;
  private readonly options: ScramClientOptions;
  private readonly clientNonce: string;
  private clientFirstBare = '';
  private serverSignature: Buffer | null = null;

  /** A fresh exchange. */
  constructor(options: ScramClientOptions) {
    this.options = options;
    this.mechanism = scramMechanismName(options.hash);
    this.clientNonce = options.nonce ?? randomBytes(24).toString('base64');
    if (!NONCE.test(this.clientNonce)) throw new TypeError('a SCRAM nonce is printable ASCII without ","');
  }

  /** client-first-message: `n,,n=user,r=nonce`. */
  firstMessage(): Buffer {
    this.expect(ScramClientState.Initial);
    this.clientFirstBare = `n=${scramSaslName(this.options.username)},r=${this.clientNonce}`;
    this.state = ScramClientState.ReceiveServerFirst;
    return Buffer.from(GS2_HEADER + this.clientFirstBare, 'utf8');
  }

  /** Takes server-first-message (`r=..,s=..,i=..`) and returns client-final-message with the proof. */
  finalMessage(serverFirst: Buffer | string): Buffer {
    this.expect(ScramClientState.ReceiveServerFirst);
    const serverFirstText = typeof serverFirst === 'string' ? serverFirst : serverFirst.toString('utf8');
    let attrs: Map<string, string>;
    try {
      attrs = attributes(serverFirstText);
    } catch (e) {
      return this.fail(`invalid server-first-message: ${(e as Error).message}`);
    }
    if (attrs.has('m')) return this.fail('the server requires an unsupported SCRAM extension');
    if (attrs.has('e')) return this.fail(`the server refused: ${attrs.get('e')}`);
    const nonce = attrs.get('r');
    const salt = attrs.get('s');
    const iterations = Number(attrs.get('i'));
    if (nonce === undefined || salt === undefined || !Number.isInteger(iterations)) {
      return this.fail('server-first-message lacks r, s or i');
    }
    if (
      !nonce.startsWith(this.clientNonce) ||
      nonce.length === this.clientNonce.length ||
      !NONCE.test(nonce)
    ) {
      return this.fail('the server nonce does not extend the client nonce');
    }
    const minIterations = this.options.minIterations ?? 4096;
    if (iterations < minIterations) {
      return this.fail(
        `the server asks for ${iterations} iterations, fewer than the minimum ${minIterations}`,
      );
    }
    const { hash } = this.options;
    const saltedPassword = pbkdf2Sync(
      Buffer.from(this.options.password, 'utf8'),
      Buffer.from(salt, 'base64'),
      iterations,
      KEY_LENGTH[hash],
      hash,
    );
    const clientKey = hmac(hash, saltedPassword, 'Client Key');
    const storedKey = createHash(hash).update(clientKey).digest();
    const withoutProof = `c=${Buffer.from(GS2_HEADER).toString('base64')},r=${nonce}`;
    const authMessage = `${this.clientFirstBare},${serverFirstText},${withoutProof}`;
    const clientSignature = hmac(hash, storedKey, authMessage);
    this.serverSignature = hmac(hash, hmac(hash, saltedPassword, 'Server Key'), authMessage);
    this.state = ScramClientState.ReceiveServerFinal;
    return Buffer.from(`${withoutProof},p=${xor(clientKey, clientSignature).toString('base64')}`, 'utf8');
  }

  /** Checks server-final-message (`v=signature`, or `e=error`). */
  verifyServerFinal(serverFinal: Buffer | string): void {
    this.expect(ScramClientState.ReceiveServerFinal);
    const text = typeof serverFinal === 'string' ? serverFinal : serverFinal.toString('utf8');
    let attrs: Map<string, string>;
    try {
      attrs = attributes(text);
    } catch (e) {
      this.fail(`invalid server-final-message: ${(e as Error).message}`);
    }
    if (attrs.has('e')) this.fail(`the server refused: ${attrs.get('e')}`);
    const v = attrs.get('v');
    const expected = this.serverSignature as Buffer;
    const got = v === undefined ? Buffer.alloc(0) : Buffer.from(v, 'base64');
    if (got.length !== expected.length || !timingSafeEqual(got, expected)) {
      this.fail('the server signature does not verify: the server does not know the password');
    }
    this.state = ScramClientState.Complete;
  }

  private expect(state: ScramClientState): void {
    if (this.state !== state) this.fail(`SCRAM exchange is ${this.state}, not ${state}`);
  }

  private fail(reason: string): never {
    this.state = ScramClientState.Failed;
    throw new SaslAuthenticationError(`${this.mechanism} authentication failed: ${reason}`, this.mechanism);
  }
}
