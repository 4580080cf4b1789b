/**
 * SASL OAUTHBEARER (RFC 7628) on the server side, with the token validation Apache Kafka runs by
 * default (`OAuthBearerUnsecuredValidatorCallbackHandler`): an unsigned JWS (`alg: none`) whose
 * `sub` claim is the principal, `exp` required and checked, `iat` checked when present, `scope`
 * optional. For development and tests, as in Kafka: there is no signature to trust.
 *
 * The exchange, as Kafka's `OAuthBearerSaslServer` runs it: the client-first message
 * `n,[a=authzid],\x01auth=Bearer <token>\x01[key=value\x01]*\x01` is answered with nothing on
 * success; on an invalid token, with the JSON error `{"status":"invalid_token"}`, after which the
 * client sends a lone `\x01` and the exchange fails.
 */
import { ErrorCode, KafkaClientError } from '@tskafka/protocol';
import { SaslAuthenticationError, type SaslServerSession, SaslServerState } from './session.js';

/** Why a token was refused (what Kafka's validator logs; the client gets the JSON status only). Not retriable. */
export class OAuthBearerTokenError extends KafkaClientError {}

/** The claims of an accepted unsecured token. */
export interface OAuthBearerToken {
  /** The principal: the `sub` claim. */
  readonly principal: string;
  /** Expiry, ms since the epoch (the `exp` claim is in seconds). */
  readonly lifetimeMs: number;
  /** The `scope` claim as a list (a space-separated string or an array), empty when absent. */
  readonly scope: readonly string[];
}

/**
 * Validates an unsecured JWS as Kafka's `OAuthBearerUnsecuredJws` and
 * `OAuthBearerValidationUtils` do, at time `nowMs`; throws {@link OAuthBearerTokenError}.
 */
export function validateUnsecuredJws(token: string, nowMs: number): OAuthBearerToken {
  const parts = token.split('.');
  if (parts.length !== 3) {
    throw new OAuthBearerTokenError(
      'Unsecured JWS compact serializations must have 3 dot-separated Base64URL-encoded values',
    );
  }
  if (parts[2] !== '') throw new OAuthBearerTokenError('Unsecured JWS must not contain a digital signature');
  const header = decodeJson(parts[0], 'header');
  if (header.alg !== 'none') throw new OAuthBearerTokenError('Unsecured JWS must have alg=none');
  const claims = decodeJson(parts[1], 'claims');
  const sub = claims.sub;
  if (typeof sub !== 'string' || sub.trim() === '') {
    throw new OAuthBearerTokenError('Required claim missing or not a non-empty string: sub');
  }
  const exp = claims.exp;
  if (typeof exp !== 'number') throw new OAuthBearerTokenError('No expiration time in JWT');
  const expMs = exp * 1000;
  if (nowMs >= expMs) throw new OAuthBearerTokenError(`The indicated time (${expMs}) is already expired`);
  const iat = claims.iat;
  if (iat !== undefined) {
    if (typeof iat !== 'number') throw new OAuthBearerTokenError('Claim is not a number: iat');
    if (iat * 1000 > nowMs)
      throw new OAuthBearerTokenError(`The indicated time (${iat * 1000}) is in the future`);
    if (iat >= exp) throw new OAuthBearerTokenError('The token was issued at or after its expiration time');
  }
  const scopeClaim = claims.scope;
  let scope: string[] = [];
  if (typeof scopeClaim === 'string') scope = scopeClaim.split(' ').filter(Boolean);
  else if (Array.isArray(scopeClaim) && scopeClaim.every((s) => typeof s === 'string')) scope = scopeClaim;
  else if (scopeClaim !== undefined)
    throw new OAuthBearerTokenError('Claim is not a string or a list: scope');
  return { principal: sub, lifetimeMs: expMs, scope };
}

function decodeJson(part: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch (e) {
    throw new OAuthBearerTokenError(
      `Unsecured JWS ${what} is not Base64URL-encoded JSON: ${(e as Error).message}`,
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new OAuthBearerTokenError(`Unsecured JWS ${what} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}

const AUTH = /^([\w]+) +([-_.a-zA-Z0-9]+)$/;
const KEY = /^[A-Za-z]+$/;

/** One OAUTHBEARER exchange; `now` is the broker clock (ms) for `exp`. */
export class OAuthBearerSaslServer implements SaslServerSession {
  /** Always OAUTHBEARER. */
  readonly mechanism = 'OAUTHBEARER';
  /** Where the exchange stands. */
  state: SaslServerState = SaslServerState.ReceiveClientFirstMessage;
  /** The token's principal, once accepted. */
  authorizationId: string | null = null;
  private readonly now: () => number;
  private errorMessage: string | null = null;

  /** A fresh exchange. */
  constructor(now: () => number) {
    this.now = now;
  }

  /** Consumes the client's message and returns the server's; throws {@link SaslAuthenticationError}. */
  evaluate(token: Buffer): Buffer {
    if (this.state === SaslServerState.Complete || this.state === SaslServerState.Failed) {
      throw new SaslAuthenticationError(
        ErrorCode.ILLEGAL_SASL_STATE,
        `Unexpected SASL request in state ${this.state}`,
      );
    }
    if (token.length === 1 && token[0] === 0x01 && this.errorMessage !== null) {
      // The client acknowledged our error response (RFC 7628 section 3.2.3); now it fails.
      this.state = SaslServerState.Failed;
      throw new SaslAuthenticationError(
        ErrorCode.SASL_AUTHENTICATION_FAILED,
        `Authentication failed: ${this.errorMessage}`,
      );
    }
    this.errorMessage = null;
    const fail = (reason: string): never => {
      this.state = SaslServerState.Failed;
      throw new SaslAuthenticationError(
        ErrorCode.SASL_AUTHENTICATION_FAILED,
        `Authentication failed: ${reason}`,
        reason,
      );
    };
    // gs2 header "n,[a=authzid]," (no channel binding), then the key-value pairs.
    const text = token.toString('utf8');
    const comma = text.indexOf(',', 2);
    const authzPart = comma === -1 ? '' : text.slice(2, comma);
    if (!text.startsWith('n,') || comma === -1 || (authzPart !== '' && !authzPart.startsWith('a='))) {
      return fail('Invalid OAUTHBEARER client first message');
    }
    const authzid = authzPart.slice(2);
    const kvpairs = text.slice(comma + 1);
    // kvpairs: \x01 (key=value \x01)* \x01
    const parts = kvpairs.split('\x01');
    if (parts.length < 3 || parts[0] !== '' || parts.at(-1) !== '' || parts.at(-2) !== '') {
      return fail('Invalid OAUTHBEARER client first message');
    }
    const pairs = new Map<string, string>();
    for (const kv of parts.slice(1, -2)) {
      const eq = kv.indexOf('=');
      if (eq <= 0 || !KEY.test(kv.slice(0, eq)))
        return fail(`Invalid key-value pair in OAUTHBEARER message: ${kv}`);
      pairs.set(kv.slice(0, eq), kv.slice(eq + 1));
    }
    const auth = AUTH.exec(pairs.get('auth') ?? '');
    const scheme = auth?.[1].toLowerCase();
    if (!auth || scheme !== 'bearer')
      return fail('Invalid OAUTHBEARER auth value (expected "Bearer <token>")');
    let accepted: OAuthBearerToken;
    try {
      accepted = validateUnsecuredJws(auth[2], this.now());
    } catch (e) {
      if (!(e instanceof OAuthBearerTokenError)) throw e;
      // Kafka answers an invalid token with the JSON status as a challenge, not an error code.
      this.errorMessage = JSON.stringify({ status: 'invalid_token' });
      return Buffer.from(this.errorMessage, 'utf8');
    }
    if (authzid !== '' && authzid !== accepted.principal) {
      return fail(
        `Client requested an authorization id (${authzid}) that is different from the token's principal name (${accepted.principal})`,
      );
    }
    this.authorizationId = accepted.principal;
    this.state = SaslServerState.Complete;
    return Buffer.alloc(0);
  }
}
