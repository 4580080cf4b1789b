/**
 * KafkaJS's error classes, by KafkaJS's names and with its fields (`retriable`, `type`, `code`),
 * and the mapping from tskafka's errors to them, so that an application's
 * `e instanceof KafkaJSProtocolError && e.type === 'UNKNOWN_TOPIC_OR_PARTITION'` keeps working.
 *
 * @module
 */
import { KafkaError } from '@tskafka/protocol';
import {
  ConnectionError,
  KafkaTimeoutError,
  RequestTimeoutError,
  SaslAuthenticationError,
  UnsupportedApiVersionError,
} from '@tskafka/transport';

/** What KafkaJS's error constructors take besides the message. */
export interface KafkaJSErrorOptions {
  /** Whether retrying the operation may succeed; default true, as in KafkaJS. */
  retriable?: boolean;
  /** The error this one wraps. */
  cause?: unknown;
}

function messageOf(e: Error | string): string {
  return typeof e === 'string' ? e : e.message;
}

/** KafkaJS's root error: every error the `tskafka/kafkajs` clients throw is one. */
export class KafkaJSError extends Error {
  /** Whether retrying may succeed. */
  readonly retriable: boolean;
  /** A link to KafkaJS's documentation of the error, when it has one. */
  readonly helpUrl?: string;

  /** An error with `e`'s message (or `e` itself as the message). */
  constructor(e: Error | string, options: KafkaJSErrorOptions = {}) {
    super(messageOf(e), options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'KafkaJSError';
    this.retriable = options.retriable ?? true;
  }
}

/** An error retrying cannot fix. */
export class KafkaJSNonRetriableError extends KafkaJSError {
  /** A non-retriable error with `e`'s message. */
  constructor(e: Error | string, options: { cause?: unknown } = {}) {
    super(e, { retriable: false, cause: options.cause });
    this.name = 'KafkaJSNonRetriableError';
  }
}

/** What a {@link KafkaJSProtocolError} is made from: a Kafka error code's name, number and retriability. */
export interface ProtocolErrorInput {
  /** The error message. */
  message: string;
  /** Kafka's name of the code, e.g. `'UNKNOWN_TOPIC_OR_PARTITION'`. */
  type: string;
  /** The Kafka error code. */
  code: number;
  /** Whether retrying may succeed. */
  retriable: boolean;
}

/** An error code a broker answered with. */
export class KafkaJSProtocolError extends KafkaJSError {
  /** Kafka's name of the code, e.g. `'UNKNOWN_TOPIC_OR_PARTITION'`. */
  readonly type: string;
  /** The Kafka error code. */
  readonly code: number;

  /** The error for `e`'s code. */
  constructor(e: ProtocolErrorInput, options: KafkaJSErrorOptions = {}) {
    super(e.message, { retriable: options.retriable ?? e.retriable, cause: options.cause });
    this.name = 'KafkaJSProtocolError';
    this.type = e.type;
    this.code = e.code;
  }
}

/** `OFFSET_OUT_OF_RANGE` for a partition. */
export class KafkaJSOffsetOutOfRange extends KafkaJSProtocolError {
  /** The topic. */
  readonly topic: string;
  /** The partition. */
  readonly partition: number;

  /** The error for `topic`-`partition`. */
  constructor(e: ProtocolErrorInput, where: { topic: string; partition: number }) {
    super(e);
    this.name = 'KafkaJSOffsetOutOfRange';
    this.topic = where.topic;
    this.partition = where.partition;
  }
}

/** An operation failed after its retries. */
export class KafkaJSNumberOfRetriesExceeded extends KafkaJSNonRetriableError {
  /** Retries made. */
  readonly retryCount: number;
  /** The last backoff, ms. */
  readonly retryTime: number;

  /** The error for `e`, the last failure. */
  constructor(e: Error, options: { retryCount: number; retryTime: number }) {
    super(e, { cause: e });
    this.name = 'KafkaJSNumberOfRetriesExceeded';
    this.retryCount = options.retryCount;
    this.retryTime = options.retryTime;
  }
}

/** A connection to a broker failed. */
export class KafkaJSConnectionError extends KafkaJSError {
  /** `host:port` of the broker. */
  readonly broker?: string;
  /** The system error code (`ECONNREFUSED`, ...), when there is one. */
  readonly code?: string;

  /** The error for `e`. */
  constructor(e: Error | string, options: { broker?: string; code?: string; cause?: unknown } = {}) {
    super(e, { cause: options.cause });
    this.name = 'KafkaJSConnectionError';
    this.broker = options.broker;
    this.code = options.code;
  }
}

/** A connection closed while requests were waiting on it. */
export class KafkaJSConnectionClosedError extends KafkaJSConnectionError {
  /** The error for `e`. */
  constructor(e: Error | string, options: { broker?: string; cause?: unknown } = {}) {
    super(e, options);
    this.name = 'KafkaJSConnectionClosedError';
  }
}

/** A request got no response within `requestTimeout`. */
export class KafkaJSRequestTimeoutError extends KafkaJSError {
  /** `host:port` of the broker. */
  readonly broker?: string;

  /** The error for `e`. */
  constructor(e: Error | string, options: { broker?: string; cause?: unknown } = {}) {
    super(e, { cause: options.cause });
    this.name = 'KafkaJSRequestTimeoutError';
    this.broker = options.broker;
  }
}

/** Metadata was needed before it was loaded. */
export class KafkaJSMetadataNotLoaded extends KafkaJSError {
  /** The error for `e`. */
  constructor(e: Error | string, options: { cause?: unknown } = {}) {
    super(e, options);
    this.name = 'KafkaJSMetadataNotLoaded';
  }
}

/** No broker answered. */
export class KafkaJSBrokerNotFound extends KafkaJSError {
  /** The error for `e`. */
  constructor(e: Error | string, options: { cause?: unknown } = {}) {
    super(e, options);
    this.name = 'KafkaJSBrokerNotFound';
  }
}

/** SASL authentication failed. */
export class KafkaJSSASLAuthenticationError extends KafkaJSNonRetriableError {
  /** The error for `e`. */
  constructor(e: Error | string, options: { cause?: unknown } = {}) {
    super(e, options);
    this.name = 'KafkaJSSASLAuthenticationError';
  }
}

/** The group's coordinator could not be found. */
export class KafkaJSGroupCoordinatorNotFound extends KafkaJSNonRetriableError {
  /** The error for `e`. */
  constructor(e: Error | string, options: { cause?: unknown } = {}) {
    super(e, options);
    this.name = 'KafkaJSGroupCoordinatorNotFound';
  }
}

/** A KafkaJS feature `tskafka/kafkajs` does not have (yet). */
export class KafkaJSNotImplemented extends KafkaJSNonRetriableError {
  /** The error for `e`. */
  constructor(e: Error | string, options: { cause?: unknown } = {}) {
    super(e, options);
    this.name = 'KafkaJSNotImplemented';
  }
}

/** An operation did not finish in time. */
export class KafkaJSTimeout extends KafkaJSNonRetriableError {
  /** The error for `e`. */
  constructor(e: Error | string, options: { cause?: unknown } = {}) {
    super(e, options);
    this.name = 'KafkaJSTimeout';
  }
}

/** The broker does not support an API the operation needs. */
export class KafkaJSServerDoesNotSupportApiKey extends KafkaJSNonRetriableError {
  /** The error for `e`. */
  constructor(e: Error | string, options: { cause?: unknown } = {}) {
    super(e, options);
    this.name = 'KafkaJSServerDoesNotSupportApiKey';
  }
}

/** A call broke the client's rules (e.g. `subscribe` while running). */
export class KafkaJSInvariantViolation extends KafkaJSNonRetriableError {
  /** The error for `e`. */
  constructor(e: Error | string, options: { cause?: unknown } = {}) {
    super(e, options);
    this.name = 'KafkaJSInvariantViolation';
  }
}

/** Several errors at once (KafkaJS's `KafkaJSAggregateError`). */
export class KafkaJSAggregateError extends Error {
  /** The errors. */
  readonly errors: (Error | string)[];

  /** An error for `errors`. */
  constructor(message: Error | string, errors: (Error | string)[]) {
    super(messageOf(message));
    this.name = 'KafkaJSAggregateError';
    this.errors = errors;
  }
}

/** A message was cut short in a response. */
export class KafkaJSPartialMessageError extends KafkaJSNonRetriableError {
  /** The error for `e`. */
  constructor(e: Error | string, options: { cause?: unknown } = {}) {
    super(e, options);
    this.name = 'KafkaJSPartialMessageError';
  }
}

/** A topic's metadata was needed before it was loaded. */
export class KafkaJSTopicMetadataNotLoaded extends KafkaJSMetadataNotLoaded {
  /** The error for `e`. */
  constructor(e: Error | string, options: { cause?: unknown } = {}) {
    super(e, options);
    this.name = 'KafkaJSTopicMetadataNotLoaded';
  }
}

/** An assignment named partitions the metadata does not know yet. */
export class KafkaJSStaleTopicMetadataAssignment extends KafkaJSError {
  /** The error for `e`. */
  constructor(e: Error | string, options: { cause?: unknown } = {}) {
    super(e, options);
    this.name = 'KafkaJSStaleTopicMetadataAssignment';
  }
}

/** Waiting for an internal lock timed out. */
export class KafkaJSLockTimeout extends KafkaJSTimeout {
  /** The error for `e`. */
  constructor(e: Error | string, options: { cause?: unknown } = {}) {
    super(e, options);
    this.name = 'KafkaJSLockTimeout';
  }
}

/** A message set in a format older than supported. */
export class KafkaJSUnsupportedMagicByteInMessageSet extends KafkaJSNonRetriableError {
  /** The error for `e`. */
  constructor(e: Error | string, options: { cause?: unknown } = {}) {
    super(e, options);
    this.name = 'KafkaJSUnsupportedMagicByteInMessageSet';
  }
}

/** A malformed varint on the wire. */
export class KafkaJSInvalidVarIntError extends KafkaJSNonRetriableError {
  /** The error for `e`. */
  constructor(e: Error | string, options: { cause?: unknown } = {}) {
    super(e, options);
    this.name = 'KafkaJSInvalidVarIntError';
  }
}

/** A malformed 64-bit integer on the wire. */
export class KafkaJSInvalidLongError extends KafkaJSNonRetriableError {
  /** The error for `e`. */
  constructor(e: Error | string, options: { cause?: unknown } = {}) {
    super(e, options);
    this.name = 'KafkaJSInvalidLongError';
  }
}

/** No broker of the cluster could be reached. */
export class KafkaJSNoBrokerAvailableError extends KafkaJSError {
  /** The error for `e`. */
  constructor(e: Error | string, options: { cause?: unknown } = {}) {
    super(e, options);
    this.name = 'KafkaJSNoBrokerAvailableError';
  }
}

/** `MEMBER_ID_REQUIRED`: the group asks the member to join again with the id it was given. */
export class KafkaJSMemberIdRequired extends KafkaJSProtocolError {
  /** The member id to join with. */
  readonly memberId: string;

  /** The error for `e`. */
  constructor(e: ProtocolErrorInput, options: { memberId: string }) {
    super(e);
    this.name = 'KafkaJSMemberIdRequired';
    this.memberId = options.memberId;
  }
}

/** Some groups could not be deleted; `groups` says which and why. */
export class KafkaJSDeleteGroupsError extends KafkaJSError {
  /** Each group with its error. */
  readonly groups: { groupId: string; errorCode?: number; error?: KafkaJSProtocolError }[];

  /** The error for `groups`. */
  constructor(
    e: Error | string,
    groups: { groupId: string; errorCode?: number; error?: KafkaJSProtocolError }[] = [],
  ) {
    super(e);
    this.name = 'KafkaJSDeleteGroupsError';
    this.groups = groups;
  }
}

/** Records of some partitions could not be deleted. */
export class KafkaJSDeleteTopicRecordsError extends KafkaJSError {
  /** Each partition with its error. */
  readonly partitions: { partition: number; offset: string; error: KafkaJSProtocolError }[];

  /** The error for `topic`'s failed partitions. */
  constructor(options: {
    topic: string;
    partitions: { partition: number; offset: string; error: KafkaJSProtocolError }[];
  }) {
    super(`Error while deleting records from ${options.topic}`, { retriable: false });
    this.name = 'KafkaJSDeleteTopicRecordsError';
    this.partitions = options.partitions;
  }
}

/** A partition reassignment failed. */
export class KafkaJSAlterPartitionReassignmentsError extends KafkaJSProtocolError {
  /** The topic. */
  readonly topic?: string;
  /** The partition. */
  readonly partition?: number;

  /** The error for `topic`-`partition`. */
  constructor(e: ProtocolErrorInput, topic?: string, partition?: number) {
    super(e);
    this.name = 'KafkaJSAlterPartitionReassignmentsError';
    this.topic = topic;
    this.partition = partition;
  }
}

/** KafkaJS's internal signal that a fetch was cut short by a rebalance (a plain `Error`). */
export class KafkaJSFetcherRebalanceError extends Error {}

/** The {@link KafkaJSProtocolError} fields of a tskafka `KafkaError`. */
export function protocolInput(e: KafkaError): ProtocolErrorInput {
  return { message: e.message, type: e.errorName, code: e.code, retriable: e.retriable };
}

/**
 * The KafkaJS error for a tskafka error: Kafka error codes (found on `e` or along its `cause`s)
 * become {@link KafkaJSProtocolError}, connection failures {@link KafkaJSConnectionError}, and
 * so on; a KafkaJS error is returned as it is.
 */
export function toKafkaJSError(e: unknown): KafkaJSError {
  if (e instanceof KafkaJSError) return e;
  if (!(e instanceof Error)) return new KafkaJSNonRetriableError(String(e));
  // Authentication fails with a SASL error or the broker's SASL_AUTHENTICATION_FAILED code:
  // KafkaJS has one class for both.
  const sasl = findCause(e, SaslAuthenticationError);
  const protocol = findCause(e, KafkaError);
  if (sasl !== undefined || protocol?.errorName === 'SASL_AUTHENTICATION_FAILED')
    return new KafkaJSSASLAuthenticationError(e, { cause: e });
  if (protocol !== undefined) {
    const input = protocolInput(protocol);
    const where = protocol as unknown as { topic?: unknown; partition?: unknown };
    if (input.type === 'OFFSET_OUT_OF_RANGE')
      return new KafkaJSOffsetOutOfRange(input, {
        topic: typeof where.topic === 'string' ? where.topic : '',
        partition: typeof where.partition === 'number' ? where.partition : -1,
      });
    return new KafkaJSProtocolError(input, { cause: e });
  }
  const broker = (e as { broker?: unknown }).broker;
  const at = typeof broker === 'string' ? broker : undefined;
  if (e instanceof RequestTimeoutError) return new KafkaJSRequestTimeoutError(e, { broker: at, cause: e });
  if (e instanceof ConnectionError) return new KafkaJSConnectionError(e, { broker: at, cause: e });
  if (e instanceof UnsupportedApiVersionError) return new KafkaJSServerDoesNotSupportApiKey(e, { cause: e });
  if (e instanceof KafkaTimeoutError) return new KafkaJSTimeout(e, { cause: e });
  const retriable = (e as { retriable?: unknown }).retriable === true;
  return retriable ? new KafkaJSError(e, { cause: e }) : new KafkaJSNonRetriableError(e, { cause: e });
}

function findCause<T extends Error>(e: Error, type: abstract new (...args: never[]) => T): T | undefined {
  let at: unknown = e;
  for (let depth = 0; at instanceof Error && depth < 8; depth++) {
    if (at instanceof type) return at;
    at = at.cause;
  }
  return undefined;
}

/**
 * Whether `e` is a broker's error in a Produce response: there KafkaJS's producer bails out of its
 * retrier with the error itself (a failure fetching metadata first is wrapped instead).
 */
export function isProduceError(e: unknown): boolean {
  const protocol = e instanceof Error ? findCause(e, KafkaError) : undefined;
  return protocol?.apiName === 'Produce';
}

/** Runs `fn`, turning what it throws into KafkaJS's errors. */
export async function asKafkaJS<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    // KafkaJS's aggregate is not a KafkaJSError, and reaches applications as it is.
    if (e instanceof KafkaJSAggregateError) throw e;
    throw toKafkaJSError(e);
  }
}

/** A broker's error for one topic in `createTopics` (inside a {@link KafkaJSAggregateError}). */
export class KafkaJSCreateTopicError extends KafkaJSProtocolError {
  /** The topic. */
  readonly topic: string;

  /** The error for `topic`. */
  constructor(e: ProtocolErrorInput, topic: string) {
    super(e);
    this.name = 'KafkaJSCreateTopicError';
    this.topic = topic;
  }
}

/**
 * Runs `fn` as KafkaJS runs an operation under its retrier, whose final error is what the
 * application sees: a retriable failure becomes {@link KafkaJSNumberOfRetriesExceeded}, any other
 * {@link KafkaJSNonRetriableError}, each with the underlying error (e.g. the
 * {@link KafkaJSProtocolError} with its `type`) as `cause`. (tskafka has retried already, within
 * its own timeouts.)
 */
export async function asKafkaJSRetried<T>(
  retries: number,
  fn: () => Promise<T>,
  options: { bail?: boolean | ((e: unknown) => boolean) } = {},
): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof KafkaJSAggregateError) throw e;
    const error = toKafkaJSError(e);
    if (error instanceof KafkaJSNumberOfRetriesExceeded) throw error;
    if (error.retriable)
      throw new KafkaJSNumberOfRetriesExceeded(error, { retryCount: retries, retryTime: 0 });
    // Where KafkaJS's operation bails out of its retrier (the producer's send, connecting), the
    // application sees the error itself, e.g. the KafkaJSProtocolError with its `type`.
    const bail = typeof options.bail === 'function' ? options.bail(e) : options.bail === true;
    if (bail) throw error;
    throw new KafkaJSNonRetriableError(error, { cause: error });
  }
}
