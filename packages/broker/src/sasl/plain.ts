/**
 * SASL/PLAIN (RFC 4616) on the server side, as Apache Kafka's `PlainSaslServer` does it: one
 * token `[authzid] NUL authcid NUL passwd`, checked against the configured users, answered with
 * an empty token. The messages are Kafka's, word for word, since clients show them to users.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { ErrorCode } from '@tskafka/protocol';
import { SaslAuthenticationError, type SaslServerSession, SaslServerState } from './session.js';

/** One PLAIN exchange. */
export class PlainSaslServer implements SaslServerSession {
  /** Always PLAIN. */
  readonly mechanism = 'PLAIN';
  /** Where the exchange stands. */
  state: SaslServerState = SaslServerState.ReceiveClientFirstMessage;
  /** The authenticated user, once the password checked out. */
  authorizationId: string | null = null;
  private readonly users: Readonly<Record<string, string>>;

  /** An exchange checking passwords against `users` (user → password). */
  constructor(users: Readonly<Record<string, string>>) {
    this.users = users;
  }

  /** Checks the client's single token; returns the empty token or throws {@link SaslAuthenticationError}. */
  evaluate(token: Buffer): Buffer {
    if (this.state !== SaslServerState.ReceiveClientFirstMessage) {
      const state = this.state;
      this.state = SaslServerState.Failed;
      throw new SaslAuthenticationError(
        ErrorCode.ILLEGAL_SASL_STATE,
        `Unexpected SASL request in state ${state}`,
      );
    }
    try {
      const username = this.check(token.toString('utf8'));
      this.authorizationId = username;
      this.state = SaslServerState.Complete;
      return Buffer.alloc(0);
    } catch (e) {
      this.state = SaslServerState.Failed;
      throw e;
    }
  }

  private check(message: string): string {
    const tokens = message.split('\0');
    if (tokens.length !== 3) {
      // Kafka's extractTokens splits at most 4 ways, so "more than 3" reads as 4.
      throw fail(`Invalid SASL/PLAIN response: expected 3 tokens, got ${Math.min(tokens.length, 4)}`);
    }
    const [authzid, username, password] = tokens;
    if (username === '') throw fail('Authentication failed: username not specified');
    if (password === '') throw fail('Authentication failed: password not specified');
    const expected = Object.hasOwn(this.users, username) ? this.users[username] : undefined;
    // An unknown user and a wrong password get the same answer, and take the same time to get it.
    if (!passwordsEqual(password, expected ?? '') || expected === undefined) {
      throw new SaslAuthenticationError(
        ErrorCode.SASL_AUTHENTICATION_FAILED,
        'Authentication failed: Invalid username or password',
        expected === undefined
          ? `unknown PLAIN user ${JSON.stringify(username)}`
          : `wrong password for PLAIN user ${JSON.stringify(username)}`,
      );
    }
    if (authzid !== '' && authzid !== username) {
      throw fail(
        'Authentication failed: Client requested an authorization id that is different from username',
      );
    }
    return username;
  }
}

function fail(message: string): SaslAuthenticationError {
  return new SaslAuthenticationError(ErrorCode.SASL_AUTHENTICATION_FAILED, message);
}

/** Constant-time comparison; hashing first makes inputs of different lengths comparable. */
function passwordsEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a, 'utf8').digest();
  const hb = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(ha, hb);
}
