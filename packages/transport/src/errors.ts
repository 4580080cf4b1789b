/**
 * The transport's own errors: what goes wrong between the client and a broker before (or instead
 * of) a Kafka error code. Kafka error codes in responses stay the protocol package's
 * `KafkaError` classes, with the broker and API added as context.
 *
 * Retriability follows Java's split: network failures and timeouts are retriable (the request may
 * succeed on another attempt or connection), everything else is not unless it says so.
 *
 * @module
 */
import { createKafkaError, KafkaClientError, type KafkaError, RetriableError } from '@tskafka/protocol';

/** Where a transport error happened. Every field is optional; whoever raises the error fills in what it knows. */
export interface TransportErrorContext {
  /** The broker, as `nodeId (host:port)` or `host:port` for a bootstrap address. */
  broker?: string;
  /** The broker's node id, when known (negative for bootstrap addresses). */
  nodeId?: number;
  /** The API of the request, in Kafka's words, e.g. `Metadata`. */
  apiName?: string;
  /** The error that led to this one. */
  cause?: unknown;
}

/**
 * The base class of every error raised by the transport itself (not a Kafka error code), a
 * {@link KafkaClientError}. `retriable` says whether sending the request again may succeed;
 * false unless a subclass says so.
 */
export class TransportError extends KafkaClientError {
  /** The broker, as `nodeId (host:port)` or `host:port`, if known. */
  readonly broker?: string;
  /** The broker's node id, if known. */
  readonly nodeId?: number;
  /** The API of the request, if known. */
  readonly apiName?: string;

  /** An error with `message`; `context` adds broker, API and cause, which the message then names. */
  constructor(message: string, context: TransportErrorContext = {}) {
    super(formatMessage(message, context), { cause: context.cause });
    if (context.broker !== undefined) this.broker = context.broker;
    if (context.nodeId !== undefined) this.nodeId = context.nodeId;
    if (context.apiName !== undefined) this.apiName = context.apiName;
  }
}

function formatMessage(message: string, { apiName, broker }: TransportErrorContext): string {
  const parts: string[] = [];
  if (apiName !== undefined) parts.push(apiName);
  if (broker !== undefined) parts.push(apiName === undefined ? `broker ${broker}` : `to broker ${broker}`);
  return parts.length === 0 ? message : `${message} [${parts.join(' ')}]`;
}

/**
 * The connection to a broker failed or was lost: refused, reset, closed by the broker, DNS
 * failure, or closed by this client because the broker broke the protocol. Retriable (Java's
 * `NetworkException`, `DisconnectException`).
 */
export class ConnectionError extends TransportError {
  override readonly retriable: boolean = true;
}

/**
 * A request got no response within `requestTimeoutMs`. As in Java, the connection is closed and
 * every request in flight on it fails with this error. Retriable.
 */
export class RequestTimeoutError extends ConnectionError {
  /** The timeout that expired, in ms. */
  readonly timeoutMs: number;

  /** `message` says which request timed out; `timeoutMs` is the timeout it had. */
  constructor(message: string, timeoutMs: number, context: TransportErrorContext = {}) {
    super(message, context);
    this.timeoutMs = timeoutMs;
  }
}

/**
 * The broker answered out of turn (a correlation id that is not the oldest in flight) or sent a
 * response that cannot be decoded. The connection is closed; retriable on a new one.
 */
export class BrokerProtocolError extends ConnectionError {}

/**
 * The client and the broker share no version of an API: the broker lacks the API, or its range
 * does not meet ours (or the caller's cap). Not retriable. The message names the API and both
 * ranges.
 */
export class UnsupportedApiVersionError extends TransportError {
  /** The API key. */
  readonly apiKey: number;
  /** Lowest version this client can use (after any cap). */
  readonly clientMinVersion: number;
  /** Highest version this client can use (after any cap). */
  readonly clientMaxVersion: number;
  /** Lowest version the broker supports; null when the broker does not list the API at all. */
  readonly brokerMinVersion: number | null;
  /** Highest version the broker supports; null when the broker does not list the API at all. */
  readonly brokerMaxVersion: number | null;

  /** The error for `apiName` (`apiKey`): the client's range and the broker's (null if it lacks the API). */
  constructor(
    apiName: string,
    apiKey: number,
    client: { min: number; max: number },
    broker: { min: number; max: number } | null,
    context: Omit<TransportErrorContext, 'apiName'> = {},
  ) {
    const theirs =
      broker === null ? 'the broker does not support it' : `the broker supports v${broker.min}-${broker.max}`;
    super(
      `no common version of ${apiName} (key ${apiKey}): this client supports v${client.min}-${client.max}, ${theirs}`,
      { ...context, apiName },
    );
    this.apiKey = apiKey;
    this.clientMinVersion = client.min;
    this.clientMaxVersion = client.max;
    this.brokerMinVersion = broker === null ? null : broker.min;
    this.brokerMaxVersion = broker === null ? null : broker.max;
  }
}

/**
 * SASL authentication failed: the broker does not offer the mechanism, refused the credentials,
 * or the exchange itself went wrong (e.g. the SCRAM server signature did not verify). Not
 * retriable. When the broker sent a Kafka error code, `errorCode`/`errorName` carry it and
 * `cause` is the protocol's `KafkaError`.
 */
export class SaslAuthenticationError extends TransportError {
  /** The mechanism that was tried, e.g. `SCRAM-SHA-256`. */
  readonly mechanism: string;
  /** The Kafka error code the broker returned, if any (e.g. 58, SASL_AUTHENTICATION_FAILED). */
  readonly errorCode?: number;
  /** Kafka's name of `errorCode`, if any. */
  readonly errorName?: string;

  /** `message` says what failed; `kafkaError` is the broker's error code as an error, if it sent one. */
  constructor(
    message: string,
    mechanism: string,
    context: TransportErrorContext & { kafkaError?: KafkaError } = {},
  ) {
    const { kafkaError, ...rest } = context;
    super(message, kafkaError === undefined ? rest : { ...rest, cause: kafkaError });
    this.mechanism = mechanism;
    if (kafkaError !== undefined) {
      this.errorCode = kafkaError.code;
      this.errorName = kafkaError.errorName;
    }
  }
}

/**
 * The TLS handshake failed for a reason another attempt will not fix (the broker's certificate
 * did not verify, the broker refused ours). Not retriable, like Java's `SslAuthenticationException`.
 */
export class SslAuthenticationError extends TransportError {}

/**
 * Something did not show up in time: a topic in metadata (`waitForTopic`), a coordinator, or a
 * retried operation that ran out of time. Retriable, like Java's `TimeoutException`.
 */
export class KafkaTimeoutError extends TransportError {
  override readonly retriable: boolean = true;
  /** The time that ran out, in ms. */
  readonly timeoutMs: number;

  /** `message` says what did not happen within `timeoutMs`. */
  constructor(message: string, timeoutMs: number, context: TransportErrorContext = {}) {
    super(message, context);
    this.timeoutMs = timeoutMs;
  }
}

/** The connection or cluster was closed by this client; requests after that fail with this. Not retriable. */
export class ClientClosedError extends TransportError {}

/**
 * Whether an error is worth retrying: one of tskafka's errors (a {@link TransportError}, a
 * protocol `KafkaError`, ...) that says it is retriable, the same test as
 * `error instanceof RetriableError`. Anything else (including plain `Error`s) is not.
 */
export function isRetriableError(error: unknown): boolean {
  return error instanceof RetriableError;
}

/**
 * Whether an error means "refresh metadata before retrying": a Kafka error whose Java exception
 * is an `InvalidMetadataException` (NOT_LEADER_OR_FOLLOWER, UNKNOWN_TOPIC_OR_PARTITION, ...), or a
 * lost connection (the broker may be gone).
 */
export function isStaleMetadataError(error: unknown): boolean {
  if (error instanceof ConnectionError) return true;
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { invalidMetadata?: unknown }).invalidMetadata === true
  );
}

/** Context for {@link kafkaErrorFor}: the broker, API, topic and partition, and the broker's message. */
export interface KafkaErrorSite {
  /** The broker that returned the error. */
  broker?: string;
  /** The API of the request. */
  apiName?: string;
  /** The topic the error is about. */
  topic?: string;
  /** The partition the error is about. */
  partition?: number;
  /** The broker's own error message, if the response has one. */
  message?: string | null;
}

/**
 * The protocol's error class for a Kafka error code from a response, with where it happened; null
 * for 0 (`NONE`). Decode and parse stay apart: responses are decoded as data, and callers turn
 * the codes they care about into errors with this.
 */
export function kafkaErrorFor(code: number, site: KafkaErrorSite = {}): KafkaError | null {
  return code === 0 ? null : createKafkaError(code, site);
}
