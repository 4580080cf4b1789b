import { KafkaClientError } from '../errors/client-error.js';

/**
 * Raised when bytes cannot be decoded as the message they are meant to be: a truncated buffer,
 * a length prefix that points past the end, an invalid varint, a value out of range.
 *
 * The message names the API, the version and the path of the field that failed, e.g.
 * `FetchResponse v12: responses[0].partitions[3].records: needs 4096 bytes at offset 812, 40 left`.
 * Not retriable: the same bytes fail the same way (the transport closes a connection whose
 * response does not decode and raises its own retriable `BrokerProtocolError`, with this as cause).
 */
export class ProtocolDecodeError extends KafkaClientError {
  /** What was being decoded, e.g. `FetchResponse v12` or `RecordBatch`; empty until known. */
  context: string;
  /** Path of the failing field from the top of the message, e.g. `['topics', 0, 'name']`. */
  readonly path: (string | number)[];
  /** Byte offset within the input where decoding failed. */
  readonly offset: number;
  /** What went wrong, without the context and path. */
  readonly reason: string;

  /** `reason` at byte `offset`; `context` and `path` are usually filled in as the error unwinds. */
  constructor(reason: string, offset: number, context = '', path: (string | number)[] = []) {
    super(reason);
    this.reason = reason;
    this.offset = offset;
    this.context = context;
    this.path = path;
    this.message = this.describe();
  }

  /** Adds an outer path element (called while the error unwinds through nested structs). */
  at(element: string | number): this {
    this.path.unshift(element);
    this.message = this.describe();
    return this;
  }

  /** Sets the message being decoded, once, at the outermost level. */
  in(context: string): this {
    if (!this.context) this.context = context;
    this.message = this.describe();
    return this;
  }

  private describe(): string {
    const path = formatPath(this.path);
    return `${this.context ? `${this.context}: ` : ''}${path ? `${path}: ` : ''}${this.reason}`;
  }
}

/**
 * Raised when a value cannot be encoded: it does not fit its wire type, a required field is
 * missing, or a field that the chosen version lacks was given a non-default value (Java's
 * `UnsupportedVersionException` for non-ignorable fields). Not retriable: the same value fails again.
 */
export class ProtocolEncodeError extends KafkaClientError {
  /** What was being encoded, e.g. `ProduceRequest v9`. */
  context: string;
  /** Path of the failing field from the top of the message. */
  readonly path: (string | number)[];
  /** What went wrong, without the context and path. */
  readonly reason: string;

  /** `reason`; `context` and `path` are usually filled in as the error unwinds. */
  constructor(reason: string, context = '', path: (string | number)[] = []) {
    super(reason);
    this.reason = reason;
    this.context = context;
    this.path = path;
    this.message = this.describe();
  }

  /** Adds an outer path element. */
  at(element: string | number): this {
    this.path.unshift(element);
    this.message = this.describe();
    return this;
  }

  /** Sets the message being encoded, once, at the outermost level. */
  in(context: string): this {
    if (!this.context) this.context = context;
    this.message = this.describe();
    return this;
  }

  private describe(): string {
    const path = formatPath(this.path);
    return `${this.context ? `${this.context}: ` : ''}${path ? `${path}: ` : ''}${this.reason}`;
  }
}

function formatPath(path: (string | number)[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${p}` : p;
  return out;
}
