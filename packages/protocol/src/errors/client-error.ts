/**
 * The root of every error tskafka raises, in the SDK and in the reference broker alike, and the
 * {@link RetriableError} test that tells a caller whether trying again may help.
 *
 * @module
 */

/** The options of {@link KafkaClientError}'s constructor. */
export interface KafkaClientErrorOptions {
  /** The error that led to this one, kept as the standard ES2022 `cause`. */
  cause?: unknown;
  /**
   * Whether the same operation may succeed if tried again (after a backoff, a metadata refresh or
   * on another connection), as Java's `RetriableException`. Default false: an error is not
   * retriable unless it says so.
   */
  retriable?: boolean;
}

/**
 * The base class of every error tskafka raises: a broker's error code (`KafkaError` and its
 * subclasses), a failed or lost connection, a producer, consumer, admin, broker or command-line
 * error. Catch it to tell tskafka's failures from the application's own (Java's `KafkaException`).
 *
 * Every error says whether it is {@link KafkaClientError.retriable | retriable}; test that with
 * `error.retriable` or `error instanceof RetriableError`, which always agree. `name` is the
 * class's name, so logs and stack traces say which error it was.
 *
 * @example
 * ```ts
 * try {
 *   await admin.createTopics([{ topic: 'orders', numPartitions: 3, replicationFactor: 3 }]);
 * } catch (err) {
 *   if (!(err instanceof KafkaClientError)) throw err; // not ours: a bug in the application
 *   console.error(`${err.name}: ${err.message}`, err.cause);
 * }
 * ```
 */
export class KafkaClientError extends Error {
  /**
   * Whether the same operation may succeed if tried again (Java's `RetriableException`): network
   * failures, timeouts, a leader or coordinator that moved. False for everything else, e.g. bad
   * configuration, invalid input, a closed client, a fenced producer, a failed authorization.
   */
  readonly retriable: boolean;

  /** An error with `message`; `options` gives its `cause` and whether it is retriable. */
  constructor(message: string, options: KafkaClientErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.retriable = options.retriable ?? false;
  }
}

const ordinaryInstanceOf = Function.prototype[Symbol.hasInstance];

/**
 * The errors that are worth retrying: `err instanceof RetriableError` is exactly
 * `err instanceof KafkaClientError && err.retriable`, whichever class the error has.
 *
 * tskafka's errors form one tree under {@link KafkaClientError}, split by where they come from
 * (broker error codes, transport, producer, consumer, ...), and retriable ones sit on many of its
 * branches (`NotLeaderOrFollowerError`, the transport's `ConnectionError`, the producer's
 * `DeliveryTimeoutError`). A class cannot extend two of them, so this one is a test rather than a
 * parent: its `instanceof` reads the error's `retriable` flag. A class that extends
 * `RetriableError` itself is retriable, and `instanceof` that subclass keeps its ordinary meaning.
 *
 * @example
 * ```ts
 * import { RetriableError } from 'tskafka';
 *
 * try {
 *   await producer.send({ topic: 'orders', value: order });
 * } catch (err) {
 *   if (err instanceof RetriableError) {
 *     // a timeout, a lost connection, a leader election: sending again may succeed
 *     await sendLater(order);
 *   } else {
 *     throw err;
 *   }
 * }
 * ```
 */
export abstract class RetriableError extends KafkaClientError {
  /** Always true. */
  declare readonly retriable: true;

  /**
   * Whether `value` is a retriable tskafka error. On a subclass of `RetriableError`, the ordinary
   * prototype-chain test.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    // `this` is the class on the right of `instanceof`: RetriableError or a subclass of it.
    // biome-ignore lint/complexity/noThisInStatic: a subclass inherits this method and must be told apart
    if (this !== RetriableError) return ordinaryInstanceOf.call(this, value);
    return value instanceof KafkaClientError && value.retriable;
  }

  /** A retriable error with `message` and, optionally, the error that caused it. */
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { ...options, retriable: true });
  }
}
