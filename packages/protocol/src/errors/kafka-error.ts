/**
 * The base classes of the Kafka error classes: {@link KafkaError} carries the code and Kafka's
 * name; {@link RetriableKafkaError} and {@link InvalidMetadataError} are the two levels of Java's
 * hierarchy (`RetriableException`, `InvalidMetadataException`) that decide what a client does
 * next. The class for each code is in `classes.ts`.
 *
 * @module
 */
import { KafkaClientError } from './client-error.js';
import { errorByCode, isKnownErrorCode, type KafkaErrorInfo } from './table.js';

/** Where an error happened. Every field is optional; whoever raises the error fills in what it knows. */
export interface KafkaErrorContext {
  /** The broker that returned the error: its node id or `host:port`. */
  broker?: string;
  /** The API of the request, in Kafka's words, e.g. `Produce`. */
  apiName?: string;
  /** The topic the error is about. */
  topic?: string;
  /** The partition the error is about. */
  partition?: number;
}

/** The optional argument of {@link createKafkaError} and of every Kafka error class's constructor. */
export interface KafkaErrorDetails extends KafkaErrorContext {
  /**
   * The broker's own text for the error (many responses carry a nullable `ErrorMessage`). It
   * replaces Kafka's default description, as in Java's `Errors.exception(message)`; null or empty
   * means the broker sent none.
   */
  message?: string | null;
  /** The error that led to this one, kept as the standard `cause`. */
  cause?: unknown;
}

// The code of each concrete class. The classes are declared with empty bodies (one line each) and
// registered here by classes.ts; the constructor looks its class up to find its table entry.
const codeOfClass = new WeakMap<abstract new (...args: never[]) => KafkaError, number>();

/**
 * Binds a concrete error class to its code. Called once per class by `classes.ts`.
 *
 * @internal
 */
export function registerKafkaErrorClass(
  cls: abstract new (...args: never[]) => KafkaError,
  code: number,
): void {
  codeOfClass.set(cls, code);
}

// Lets UnknownErrorCodeError hand its code to the base constructor without a public parameter.
const UNKNOWN_CODE: unique symbol = Symbol('UnknownErrorCodeError.code');
interface UnknownCodeDetails extends KafkaErrorDetails {
  readonly [UNKNOWN_CODE]?: number;
}

/**
 * An error code returned by a broker, as an `Error`. Each code has its own subclass (e.g.
 * {@link NotLeaderOrFollowerError}); codes this client does not know are
 * {@link UnknownErrorCodeError}. Retriable codes are {@link RetriableKafkaError}s, and those
 * that mean "refresh metadata, then retry" are {@link InvalidMetadataError}s. Not retriable is
 * the default. A {@link KafkaClientError}, like every error of tskafka.
 *
 * The message reads `NAME (code): description [context]`, e.g.
 * `NOT_LEADER_OR_FOLLOWER (6): For requests intended only for the leader, ... [Produce to broker 1 for orders-0]`.
 *
 * @typeParam N - Kafka's name of the code, a literal type on each concrete class.
 */
export abstract class KafkaError<N extends string = string> extends KafkaClientError {
  /** The error code on the wire. */
  readonly code: number;
  /** Kafka's name of the code, e.g. `NOT_LEADER_OR_FOLLOWER`. */
  readonly errorName: N;
  /** Whether Kafka's exception for this code is a `RetriableException`: the request may succeed if sent again. */
  declare readonly retriable: boolean;
  /** Whether Kafka's exception for this code is an `InvalidMetadataException`: refresh metadata before retrying. */
  readonly invalidMetadata: boolean;
  /** The broker's message for this error if it sent one, else Kafka's default description of the code. */
  readonly description: string;
  /** The broker that returned the error, if known. */
  declare broker?: string;
  /** The API of the request, if known. */
  declare apiName?: string;
  /** The topic the error is about, if known. */
  declare topic?: string;
  /** The partition the error is about, if known. */
  declare partition?: number;

  /** The error of this class's code; `details` adds the broker's message, the context and a cause. */
  constructor(details: KafkaErrorDetails = {}) {
    const code = codeOfClass.get(new.target) ?? (details as UnknownCodeDetails)[UNKNOWN_CODE];
    if (code === undefined) {
      throw new TypeError(`${new.target.name} has no Kafka error code; use createKafkaError(code)`);
    }
    const info: KafkaErrorInfo = errorByCode(code);
    const description = details.message || info.message;
    super(formatMessage(info.name, info.code, description, details), {
      cause: details.cause,
      retriable: info.retriable,
    });
    this.code = info.code;
    this.errorName = info.name as N;
    this.invalidMetadata = info.invalidMetadata;
    this.description = description;
    this.fillContext(details);
  }

  /**
   * Adds context known only further up (e.g. the broker, once the response is matched to its
   * connection) and rewrites the message. Fields already set are kept: whoever raised the error
   * knew best.
   */
  withContext(context: KafkaErrorContext): this {
    this.fillContext(context);
    this.message = formatMessage(this.errorName, this.code, this.description, this);
    return this;
  }

  private fillContext(context: KafkaErrorContext): void {
    // Only defined values become own properties, so errors compare and print without `undefined`s.
    if (this.broker === undefined && context.broker !== undefined) this.broker = context.broker;
    if (this.apiName === undefined && context.apiName !== undefined) this.apiName = context.apiName;
    if (this.topic === undefined && context.topic !== undefined) this.topic = context.topic;
    if (this.partition === undefined && context.partition !== undefined) this.partition = context.partition;
  }
}

/** A Kafka error whose Java exception extends `RetriableException`: sending the request again may succeed. */
export abstract class RetriableKafkaError<N extends string = string> extends KafkaError<N> {
  /** Always true. */
  declare readonly retriable: true;
}

/**
 * A Kafka error whose Java exception extends `InvalidMetadataException`: the client's metadata is
 * probably stale (leader moved, topic created or deleted), so refresh it before retrying.
 */
export abstract class InvalidMetadataError<N extends string = string> extends RetriableKafkaError<N> {
  /** Always true. */
  declare readonly invalidMetadata: true;
}

/**
 * An error code missing from this client's table, typically added by a newer Kafka. Its name is
 * `UNKNOWN_ERROR_CODE_<code>` and it is not retriable.
 */
export class UnknownErrorCodeError extends KafkaError {
  /** The error for `code`, which must not be in the table (use {@link createKafkaError} for any code). */
  constructor(code: number, details: KafkaErrorDetails = {}) {
    if (isKnownErrorCode(code)) {
      throw new TypeError(`error code ${code} is ${errorByCode(code).name}; use createKafkaError(${code})`);
    }
    super({ ...details, [UNKNOWN_CODE]: code } as UnknownCodeDetails);
  }
}

function formatMessage(name: string, code: number, description: string, context: KafkaErrorContext): string {
  const where = formatContext(context);
  return `${name} (${code}): ${description}${where === '' ? '' : ` [${where}]`}`;
}

// `Produce to broker 1 for orders-0`, or whichever parts are known.
function formatContext({ apiName, broker, topic, partition }: KafkaErrorContext): string {
  const parts: string[] = [];
  if (apiName !== undefined) parts.push(apiName);
  if (broker !== undefined) parts.push(apiName === undefined ? `broker ${broker}` : `to broker ${broker}`);
  if (topic !== undefined) parts.push(partition === undefined ? `for ${topic}` : `for ${topic}-${partition}`);
  else if (partition !== undefined) parts.push(`for partition ${partition}`);
  return parts.join(' ');
}
