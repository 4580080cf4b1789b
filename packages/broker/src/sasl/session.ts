/**
 * What every SASL mechanism server shares: its states, the interface the connection holds while
 * an exchange runs, and the error that says what the client is told (and what only the log sees).
 */
import { KafkaClientError } from '@tskafka/protocol';

/**
 * Where a mechanism's exchange stands, in the names of Kafka's `ScramSaslServer.State`. PLAIN
 * has one round trip, so it goes from the first message straight to Complete or Failed.
 */
export const SaslServerState = {
  /** Waiting for the client's first token. */
  ReceiveClientFirstMessage: 'ReceiveClientFirstMessage',
  /** SCRAM: server-first sent, waiting for client-final. */
  ReceiveClientFinalMessage: 'ReceiveClientFinalMessage',
  /** Authenticated. */
  Complete: 'Complete',
  /** Refused; the exchange accepts nothing more. */
  Failed: 'Failed',
} as const;
/** One of {@link SaslServerState}. */
export type SaslServerState = (typeof SaslServerState)[keyof typeof SaslServerState];

/**
 * The server side of one SASL exchange on one connection (Java's `javax.security.sasl.SaslServer`):
 * created by SaslHandshake for the chosen mechanism, fed one client token per SaslAuthenticate
 * request (or raw frame after a v0 handshake), kept in `connection.saslSession`.
 */
export interface SaslServerSession {
  /** The mechanism, as named in SaslHandshake. */
  readonly mechanism: string;
  /** Where the exchange stands. */
  readonly state: SaslServerState;
  /** The authenticated user once {@link SaslServerState.Complete}, else null. */
  readonly authorizationId: string | null;
  /**
   * Consumes the client's token and returns the server's answer (empty when the mechanism has
   * nothing to say, as PLAIN). Throws {@link SaslAuthenticationError} when the client is refused.
   */
  evaluate(token: Buffer): Buffer;
}

/**
 * A refused exchange. `message` is what the client is told (Kafka's SaslAuthenticate
 * `errorMessage`); `reason` is the detail for the broker log, which may name things (an unknown
 * user) that the client must not learn. Not retriable.
 */
export class SaslAuthenticationError extends KafkaClientError {
  /** The Kafka error code to answer with (SASL_AUTHENTICATION_FAILED or ILLEGAL_SASL_STATE). */
  readonly code: number;
  /** Why, for the broker log. */
  readonly reason: string;

  /** `message` goes to the client; `reason` (default: the message) only to the log. */
  constructor(code: number, message: string, reason: string = message) {
    super(message);
    this.code = code;
    this.reason = reason;
  }
}

/**
 * The message Kafka's `SaslServerAuthenticator` sends for a mechanism's `SaslException`: it names
 * only the mechanism, never the cause, since the cause may reveal whether a user exists.
 */
export function genericSaslFailureMessage(mechanism: string): string {
  return `Authentication failed during authentication due to invalid credentials with SASL mechanism ${mechanism}`;
}
