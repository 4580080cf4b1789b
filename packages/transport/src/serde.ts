/**
 * Serializers and deserializers: how record keys and values become bytes and back. Shared by
 * the producer (serializers) and the consumer (deserializers), like Java's
 * `org.apache.kafka.common.serialization`.
 *
 * A serializer may return a string instead of bytes: the record writer writes it as UTF-8
 * straight into the batch buffer, so a string key or value is never copied into a `Buffer`
 * first. `null` stays `null` throughout, so a `null` value is a tombstone whatever the serializer.
 *
 * @module
 */

import { KafkaClientError, type RecordHeader } from '@tskafka/protocol';

/**
 * Headers of a record to send: name to value (a string is written as UTF-8). An array writes
 * the header once per element, in order (Kafka allows a key to repeat, as Java's `Headers.add`).
 */
export type RecordHeaders = Record<string, string | Buffer | readonly (string | Buffer)[]>;

/** Headers of a consumed record, in wire order (keys may repeat), as deserializers see them. */
export type ConsumedHeaders = readonly RecordHeader[];

/** What a serializer produces: bytes, a string to write as UTF-8, or null. */
export type SerializedBytes = Uint8Array | string | null;

/**
 * Turns keys or values of type `T` into bytes. `serialize` runs on the producer's main path once
 * per record: keep it synchronous and cheap.
 *
 * @typeParam T - what the producer accepts as key or value with this serializer; include
 *   `null` (and it should return null for it) to allow tombstones and keyless records.
 */
export interface Serializer<T> {
  /**
   * @param topic - the record's topic.
   * @param data - the key or value; `undefined` is passed as `null`.
   * @param headers - the record's headers; a serializer may add to them.
   * @returns bytes, a string to write as UTF-8, or null.
   */
  serialize(topic: string, data: T, headers?: RecordHeaders): SerializedBytes;
}

/**
 * Turns the bytes of a consumed key or value into a `T`.
 *
 * @typeParam T - what the consumer hands out.
 */
export interface Deserializer<T> {
  /**
   * @param topic - the record's topic.
   * @param data - the key or value bytes (a view into the fetched batch: copy it to keep it
   *   beyond the record's life), or null.
   * @param headers - the record's headers.
   */
  deserialize(topic: string, data: Buffer | null, headers?: ConsumedHeaders): T;
}

/** The type a serializer accepts: `SerializedType<typeof stringSerializer>` is `string | null`. */
export type SerializedType<S> = S extends Serializer<infer T> ? T : never;

/** The type a deserializer produces: `DeserializedType<typeof stringDeserializer>` is `string | null`. */
export type DeserializedType<D> = D extends Deserializer<infer T> ? T : never;

/**
 * A serializer or deserializer failed on a record (Java's `SerializationException`); `cause`
 * holds the underlying error. Not retriable: the same record fails the same way.
 */
export class SerializationError extends KafkaClientError {
  /**
   * @param message - what failed.
   * @param topic - the record's topic.
   * @param options.cause - the underlying error.
   */
  constructor(
    message: string,
    readonly topic: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Strings as UTF-8 (Java's `StringSerializer`); null stays null. */
export const stringSerializer: Serializer<string | null> = Object.freeze({
  serialize(topic: string, data: string | null): SerializedBytes {
    if (data === null || data === undefined) return null;
    if (typeof data !== 'string')
      throw new SerializationError(`stringSerializer: expected a string, got ${typeName(data)}`, topic);
    return data;
  },
});

/** Bytes as they are (Java's `ByteArraySerializer`): a `Buffer` or any `Uint8Array`; null stays null. */
export const bufferSerializer: Serializer<Uint8Array | null> = Object.freeze({
  serialize(topic: string, data: Uint8Array | null): SerializedBytes {
    if (data === null || data === undefined) return null;
    if (!(data instanceof Uint8Array)) {
      throw new SerializationError(
        `bufferSerializer: expected a Buffer or Uint8Array, got ${typeName(data)}`,
        topic,
      );
    }
    return data;
  },
});

/**
 * The serializer used when none is configured: a string (as UTF-8), a `Buffer`/`Uint8Array` (as
 * is) or null. Anything else is an error that says to configure a serializer, rather than a
 * silent `String(value)`.
 */
export const defaultSerializer: Serializer<string | Uint8Array | null> = Object.freeze({
  serialize(topic: string, data: string | Uint8Array | null): SerializedBytes {
    if (data === null || data === undefined || typeof data === 'string' || data instanceof Uint8Array) {
      return data ?? null;
    }
    throw new SerializationError(
      `expected a string, Buffer, Uint8Array or null, got ${typeName(data)}; configure a serializer (e.g. jsonSerializer())`,
      topic,
    );
  },
});

/** Options of {@link jsonSerializer}. */
export interface JsonSerializerOptions {
  /** Passed to `JSON.stringify`. */
  replacer?: (this: unknown, key: string, value: unknown) => unknown;
}

/**
 * Values as JSON text, written as UTF-8; null stays null (a tombstone, not the JSON `null`).
 * A value `JSON.stringify` cannot write (a `bigint`, a cycle, `undefined`) is a
 * {@link SerializationError}.
 *
 * @typeParam T - the value type the producer accepts (besides null).
 */
export function jsonSerializer<T>(options: JsonSerializerOptions = {}): Serializer<T | null> {
  const replacer = options.replacer;
  return {
    serialize(topic: string, data: T | null): SerializedBytes {
      if (data === null || data === undefined) return null;
      let text: string | undefined;
      try {
        text = JSON.stringify(data, replacer);
      } catch (e) {
        throw new SerializationError(`jsonSerializer: ${e instanceof Error ? e.message : String(e)}`, topic, {
          cause: e,
        });
      }
      if (text === undefined)
        throw new SerializationError(`jsonSerializer: ${typeName(data)} has no JSON form`, topic);
      return text;
    },
  };
}

/** Bytes as UTF-8 text (Java's `StringDeserializer`); null stays null. */
export const stringDeserializer: Deserializer<string | null> = Object.freeze({
  deserialize(_topic: string, data: Buffer | null): string | null {
    return data === null ? null : data.toString('utf8');
  },
});

/**
 * The bytes as they are (Java's `ByteArrayDeserializer`), and the consumer's default: a view
 * into the fetched data, not a copy.
 */
export const bufferDeserializer: Deserializer<Buffer | null> = Object.freeze({
  deserialize(_topic: string, data: Buffer | null): Buffer | null {
    return data;
  },
});

/** Options of {@link jsonDeserializer}. */
export interface JsonDeserializerOptions {
  /** Passed to `JSON.parse`. */
  reviver?: (this: unknown, key: string, value: unknown) => unknown;
}

/**
 * JSON text (UTF-8) to a value; null stays null. Malformed JSON is a {@link SerializationError}.
 * The parsed value is not checked against `T`: validate it where that matters.
 *
 * @typeParam T - the value type the consumer hands out (besides null).
 */
export function jsonDeserializer<T>(options: JsonDeserializerOptions = {}): Deserializer<T | null> {
  const reviver = options.reviver;
  return {
    deserialize(topic: string, data: Buffer | null): T | null {
      if (data === null) return null;
      try {
        return JSON.parse(data.toString('utf8'), reviver) as T;
      } catch (e) {
        throw new SerializationError(
          `jsonDeserializer: ${e instanceof Error ? e.message : String(e)}`,
          topic,
          { cause: e },
        );
      }
    },
  };
}

/** The built-in serializers and deserializers by name (the `key.serializer` values `string`, `json`, `buffer`). */
export type SerdeName = 'string' | 'json' | 'buffer';

/**
 * The serializer a `keySerializer`/`valueSerializer` option stands for: the built-in called
 * `name`, the given serializer itself, or {@link defaultSerializer} when none is given.
 */
export function serializerFor(name: SerdeName | Serializer<unknown> | undefined): Serializer<unknown> {
  if (name === undefined) return defaultSerializer as Serializer<unknown>;
  if (typeof name !== 'string') return name;
  switch (name) {
    case 'string':
      return stringSerializer as Serializer<unknown>;
    case 'json':
      return jsonSerializer<unknown>();
    case 'buffer':
      return bufferSerializer as Serializer<unknown>;
    default:
      throw new TypeError(`unknown serializer "${String(name)}": expected string, json or buffer`);
  }
}

/**
 * The deserializer a `keyDeserializer`/`valueDeserializer` option stands for: the built-in
 * called `name`, the given deserializer itself, or {@link bufferDeserializer} when none is given.
 */
export function deserializerFor(name: SerdeName | Deserializer<unknown> | undefined): Deserializer<unknown> {
  if (name === undefined) return bufferDeserializer;
  if (typeof name !== 'string') return name;
  switch (name) {
    case 'string':
      return stringDeserializer;
    case 'json':
      return jsonDeserializer<unknown>();
    case 'buffer':
      return bufferDeserializer;
    default:
      throw new TypeError(`unknown deserializer "${String(name)}": expected string, json or buffer`);
  }
}

/** Whether `value` is a serializer: an object with a `serialize` method. */
export function isSerializer(value: unknown): value is Serializer<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Serializer<unknown>).serialize === 'function'
  );
}

/** Whether `value` is a deserializer: an object with a `deserialize` method. */
export function isDeserializer(value: unknown): value is Deserializer<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Deserializer<unknown>).deserialize === 'function'
  );
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return `an object (${(v as object).constructor?.name ?? 'Object'})`;
  return `a ${typeof v}`;
}
