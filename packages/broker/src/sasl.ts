/**
 * SASL authentication on the broker, modelled on Apache Kafka's `SaslServerAuthenticator`: the
 * SaslHandshake → SaslAuthenticate state machine of one connection, the raw-token framing of a
 * v0 handshake, and the credentials of PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512. The handlers
 * (handlers/sasl-*.ts) and the connection only translate what it decides to and from the wire.
 *
 * Connection states, as Kafka walks them:
 *
 *   not authenticated ──SaslHandshake(mech)──▶ exchange (connection.saslSession)
 *     v1: each SaslAuthenticate request feeds one token; v0: raw length-prefixed tokens instead
 *   exchange ──mechanism complete──▶ authenticated (saslSession cleared, principal set)
 *   exchange ──refused──▶ error response, then the connection closes
 *   authenticated ──SaslHandshake / SaslAuthenticate──▶ ILLEGAL_SASL_STATE, connection stays open
 */
import { randomBytes } from 'node:crypto';
import { ErrorCode } from '@tskafka/protocol';
import { type ApiDef, encodeResponse, type MessageInput } from '@tskafka/protocol/internals';
import type { BrokerConfig } from './config.js';
import type { Connection } from './connection.js';
import { NO_RESPONSE, type RequestContext } from './handler.js';
import { ScramCredentialStore } from './sasl/credentials.js';
import { OAuthBearerSaslServer } from './sasl/oauthbearer.js';
import { PlainSaslServer } from './sasl/plain.js';
import { isScramMechanism, SCRAM_MECHANISMS, ScramSaslServer, scramCredential } from './sasl/scram.js';
import { SaslAuthenticationError, type SaslServerSession, SaslServerState } from './sasl/session.js';

export { SCRAM_MECHANISM_IDS, ScramCredentialError, ScramCredentialStore } from './sasl/credentials.js';
export { OAuthBearerSaslServer, validateUnsecuredJws } from './sasl/oauthbearer.js';
export { PlainSaslServer } from './sasl/plain.js';
export {
  SCRAM_MECHANISMS,
  type ScramCredential,
  type ScramMechanism,
  ScramSaslServer,
  type ScramServerOptions,
  scramCredential,
} from './sasl/scram.js';
export {
  genericSaslFailureMessage,
  SaslAuthenticationError,
  type SaslServerSession,
  SaslServerState,
} from './sasl/session.js';

/** The mechanisms this broker implements, in the order Kafka lists them. */
export const SUPPORTED_SASL_MECHANISMS: readonly string[] = [
  'PLAIN',
  'SCRAM-SHA-256',
  'SCRAM-SHA-512',
  'OAUTHBEARER',
];

/** Kafka's default (and minimum) SCRAM iteration count, what `kafka-configs` uses unless told otherwise. */
export const DEFAULT_SCRAM_ITERATIONS = 4096;

/** The part of a {@link Connection} SASL reads and changes; tests pass a plain object. */
export type SaslConnection = Pick<
  Connection,
  'authenticated' | 'saslMechanism' | 'saslSession' | 'rawSaslTokenExpected' | 'principal' | 'fail' | 'send'
>;

/** Knobs for tests that need a known exchange (RFC 7677's test vector); production leaves them out. */
export interface SaslAuthenticatorOptions {
  /** The server's part of every SCRAM nonce (default: 24 random bytes in base64). */
  serverNonce?: () => string;
  /** The salt of each derived SCRAM credential (default: 16 random bytes). */
  scramSalt?: () => Buffer;
  /** PBKDF2 iterations of each derived SCRAM credential (default 4096, Kafka's minimum). */
  scramIterations?: number;
  /**
   * Where SCRAM credentials live: the cluster's (shared by its brokers, changed by
   * AlterUserScramCredentials, persisted with the metadata). Default: a store of this authenticator's own.
   */
  credentials?: ScramCredentialStore;
  /** The clock OAUTHBEARER checks token expiry against, ms (default `Date.now`). */
  now?: () => number;
}

/** What to answer a SaslHandshake with, and whether to close the connection after. */
export interface SaslHandshakeOutcome {
  /** The response's error code. */
  errorCode: number;
  /** The mechanisms to list in the response. */
  mechanisms: string[];
  /** Why to close the connection once the response is sent; null keeps it open. */
  closeReason: string | null;
}

/** What to answer a SaslAuthenticate with, and whether to close the connection after. */
export interface SaslAuthenticateOutcome {
  /** The response's error code. */
  errorCode: number;
  /** The response's error message (null on success). */
  errorMessage: string | null;
  /** The mechanism's answer token (empty on error, as Kafka sends it). */
  authBytes: Buffer;
  /** Why to close the connection once the response is sent; null keeps it open. */
  closeReason: string | null;
}

/**
 * The broker's SASL authenticator: holds the enabled mechanisms and every user's credentials
 * (SCRAM ones derived once, at startup, with a random salt each, as `kafka-configs --alter
 * --add-config 'SCRAM-SHA-256=[password=...]'` would store them), and runs each connection's
 * exchange.
 */
export class SaslAuthenticator {
  /** `sasl.enabled.mechanisms`; empty when the listener is PLAINTEXT. */
  readonly enabledMechanisms: readonly string[];
  private readonly users: Readonly<Record<string, string>>;
  /** SCRAM credentials by user and mechanism. */
  readonly scramCredentials: ScramCredentialStore;
  private readonly serverNonce: (() => string) | undefined;
  private readonly now: () => number;

  /** Derives the credentials of `config.saslUsers` for every enabled mechanism. */
  constructor(config: BrokerConfig, options: SaslAuthenticatorOptions = {}) {
    const unsupported = config.saslEnabledMechanisms.filter((m) => !SUPPORTED_SASL_MECHANISMS.includes(m));
    if (unsupported.length) {
      throw new Error(`sasl.enabled.mechanisms: unsupported mechanism(s) ${unsupported.join(', ')}`);
    }
    this.enabledMechanisms = [...new Set(config.saslEnabledMechanisms)];
    this.users = { ...config.saslUsers };
    this.serverNonce = options.serverNonce;
    this.now = options.now ?? Date.now;
    this.scramCredentials = options.credentials ?? new ScramCredentialStore(() => {});
    const iterations = options.scramIterations ?? DEFAULT_SCRAM_ITERATIONS;
    const salt = options.scramSalt ?? (() => randomBytes(16));
    for (const mechanism of this.enabledMechanisms) {
      if (!isScramMechanism(mechanism)) continue;
      // Refused here rather than at login: Kafka will not store a credential below the minimum.
      if (iterations < SCRAM_MECHANISMS[mechanism].minIterations) {
        throw new Error(
          `SCRAM iterations ${iterations} is below the minimum ${SCRAM_MECHANISMS[mechanism].minIterations} for ${mechanism}`,
        );
      }
      // The users given at start are the initial credentials (as `kafka-storage format
      // --add-scram`); once the cluster has a credential for a user, that one stands, so a
      // password changed through AlterUserScramCredentials survives a restart.
      for (const [user, password] of Object.entries(this.users)) {
        if (this.scramCredentials.get(user, mechanism)) continue;
        this.scramCredentials.seed(user, mechanism, scramCredential(mechanism, password, salt(), iterations));
      }
    }
  }

  /** Whether the listener requires SASL at all. */
  get enabled(): boolean {
    return this.enabledMechanisms.length > 0;
  }

  /** A new exchange for an enabled `mechanism`. */
  newSession(mechanism: string): SaslServerSession {
    if (mechanism === 'PLAIN') return new PlainSaslServer(this.users);
    if (isScramMechanism(mechanism)) {
      return new ScramSaslServer(mechanism, {
        credential: (user) => this.scramCredentials.get(user, mechanism),
        serverNonce: this.serverNonce,
      });
    }
    if (mechanism === 'OAUTHBEARER') return new OAuthBearerSaslServer(this.now);
    throw new Error(`SASL mechanism ${mechanism} is not implemented`);
  }

  /**
   * Decides a SaslHandshake. Starts the exchange for an enabled mechanism; a v0 handshake also
   * switches the connection to raw tokens (the next frames are SASL tokens, not Kafka requests).
   */
  handshake(connection: SaslConnection, mechanism: string, apiVersion: number): SaslHandshakeOutcome {
    if (!this.enabled) {
      // Kafka answers this on a PLAINTEXT listener from KafkaApis with ILLEGAL_SASL_STATE; an
      // empty UNSUPPORTED_SASL_MECHANISM list tells the client more plainly that SASL is off here.
      return { errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM, mechanisms: [], closeReason: null };
    }
    if (connection.authenticated) {
      // Kafka's KafkaApis.handleSaslHandshakeRequest: an authenticated connection just gets the error.
      return { errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms: [], closeReason: null };
    }
    if (connection.saslSession) {
      return {
        errorCode: ErrorCode.ILLEGAL_SASL_STATE,
        mechanisms: [],
        closeReason: `second SaslHandshake during a ${connection.saslSession.mechanism} exchange`,
      };
    }
    const mechanisms = [...this.enabledMechanisms];
    if (!this.enabledMechanisms.includes(mechanism)) {
      // Kafka lists what is enabled, then closes (UnsupportedSaslMechanismException).
      return {
        errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM,
        mechanisms,
        closeReason: `unsupported SASL mechanism ${JSON.stringify(mechanism)} (enabled: ${mechanisms.join(', ')})`,
      };
    }
    connection.saslMechanism = mechanism;
    connection.saslSession = this.newSession(mechanism);
    connection.rawSaslTokenExpected = apiVersion === 0;
    return { errorCode: ErrorCode.NONE, mechanisms, closeReason: null };
  }

  /** Decides a SaslAuthenticate: feeds its token to the connection's exchange. */
  authenticate(connection: SaslConnection, token: Buffer): SaslAuthenticateOutcome {
    const empty = Buffer.alloc(0);
    if (!this.enabled || connection.authenticated) {
      // Kafka's KafkaApis.handleSaslAuthenticateRequest, word for word; the connection stays usable.
      return {
        errorCode: ErrorCode.ILLEGAL_SASL_STATE,
        errorMessage: 'SaslAuthenticate request received after successful authentication',
        authBytes: empty,
        closeReason: null,
      };
    }
    const session = connection.saslSession;
    if (!session || session.state === SaslServerState.Failed) {
      return {
        errorCode: ErrorCode.ILLEGAL_SASL_STATE,
        errorMessage: 'Unexpected Kafka request of type SASL_AUTHENTICATE during SASL handshake.',
        authBytes: empty,
        closeReason: 'SaslAuthenticate without a SaslHandshake',
      };
    }
    let authBytes: Buffer;
    try {
      authBytes = session.evaluate(token);
    } catch (e) {
      if (!(e instanceof SaslAuthenticationError)) throw e;
      return {
        errorCode: e.code,
        errorMessage: e.message,
        authBytes: empty,
        closeReason: `SASL ${session.mechanism} authentication failed: ${e.reason}`,
      };
    }
    if (session.state === SaslServerState.Complete) this.complete(connection, session);
    return { errorCode: ErrorCode.NONE, errorMessage: null, authBytes, closeReason: null };
  }

  /**
   * After a v0 SaslHandshake: `frame` is a raw SASL token (without its 4-byte size). Answers with
   * the mechanism's token, size-prefixed, as Kafka does (PLAIN's empty answer is four zero bytes,
   * which clients wait for). A refusal cannot be expressed in this framing, so the connection
   * closes, which is what Kafka does too.
   */
  async handleRawToken(connection: SaslConnection, frame: Buffer): Promise<void> {
    const session = connection.saslSession;
    if (!session || session.state === SaslServerState.Complete || session.state === SaslServerState.Failed) {
      connection.rawSaslTokenExpected = false;
      connection.fail('raw SASL token without a SASL exchange in progress', 'info');
      return;
    }
    let reply: Buffer;
    try {
      reply = session.evaluate(frame);
    } catch (e) {
      const reason = e instanceof SaslAuthenticationError ? e.reason : (e as Error).message;
      connection.fail(`SASL ${session.mechanism} authentication failed: ${reason}`, 'info');
      return;
    }
    const out = Buffer.allocUnsafe(4 + reply.length);
    out.writeInt32BE(reply.length, 0);
    reply.copy(out, 4);
    connection.send(out);
    // The cast undoes TypeScript's narrowing from the check above: evaluate() moved the state.
    if ((session.state as SaslServerState) === SaslServerState.Complete) this.complete(connection, session);
  }

  private complete(connection: SaslConnection, session: SaslServerSession): void {
    connection.authenticated = true;
    // Kafka's principal for a SASL login: the user name, of type User (KafkaPrincipal.USER_TYPE).
    connection.principal = `User:${session.authorizationId}`;
    connection.saslSession = null;
    // Back to Kafka requests: after a v0 exchange the next frame is a request again.
    connection.rawSaslTokenExpected = false;
  }
}

/**
 * Sends `body` as the response to the request in `ctx`, then closes the connection. The
 * connection writes a handler's answer only after `handle` returns, so a handler that must close
 * (a refused SASL exchange, which Kafka answers and then disconnects) writes it itself.
 */
export function respondThenClose<A extends ApiDef>(
  ctx: RequestContext,
  api: A,
  body: MessageInput<A['response']>,
  reason: string,
): typeof NO_RESPONSE {
  ctx.connection.send(encodeResponse(api, ctx.apiVersion, ctx.header.correlationId, body));
  ctx.connection.fail(reason, 'info');
  return NO_RESPONSE;
}
