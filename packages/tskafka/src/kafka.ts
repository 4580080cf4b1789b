/**
 * `new Kafka(config)`: the entry point users start from, holding the settings every client
 * shares (bootstrap servers, client id, SASL, TLS) and making producers, consumers and admin
 * clients with them.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Admin, type AdminOptions } from '@tskafka/admin';
import { Consumer, type ConsumerOptions } from '@tskafka/consumer';
import { Producer, type ProducerOptions, type RawRecordData } from '@tskafka/producer';
import {
  ConfigError,
  type Deserializer,
  type KafkaProperties,
  type Logger,
  type SaslOptions,
  type SslOption,
} from '@tskafka/transport';
import {
  adminKeys,
  type ConfigKeys,
  consumerKeys,
  parsePropertiesEntries,
  producerKeys,
} from '@tskafka/transport/internals';

/** Settings shared by every client a {@link Kafka} makes. */
export interface KafkaConfig {
  /** `bootstrap.servers`: `host:port` addresses, an array or one comma-separated string. */
  bootstrapServers: string | readonly string[];
  /** `client.id`: names this application in broker logs and quotas. */
  clientId?: string;
  /** SASL credentials. */
  sasl?: SaslOptions;
  /** TLS: `true` or Node's `tls.connect` options. */
  ssl?: SslOption;
  /** Where log lines go; default warnings and errors to stderr. */
  logger?: Logger;
  /** `request.timeout.ms`; default 30000. */
  requestTimeoutMs?: number;
}

/** Producer options a {@link Kafka} fills in from its own config. */
export type KafkaProducerOptions<K, V> = Omit<ProducerOptions<K, V>, 'bootstrapServers'> & {
  /** Overrides the {@link Kafka}'s bootstrap servers. */
  bootstrapServers?: string | readonly string[];
};

/** Admin options a {@link Kafka} fills in from its own config. */
export type KafkaAdminOptions = Omit<AdminOptions, 'bootstrapServers'> & {
  /** Overrides the {@link Kafka}'s bootstrap servers. */
  bootstrapServers?: string | readonly string[];
};

/** Consumer options a {@link Kafka} fills in from its own config. */
export type KafkaConsumerOptions<K, V> = Omit<ConsumerOptions<K, V>, 'bootstrapServers'> & {
  /** Overrides the {@link Kafka}'s bootstrap servers. */
  bootstrapServers?: string | readonly string[];
};

/**
 * What a consumer's key or value deserializer option produces: the type of a
 * `Deserializer<T>` object, `string | null` for `'string'`, `unknown` for `'json'`, and
 * `Buffer | null` for `'buffer'` or no deserializer.
 */
export type DeserializedBy<D> =
  D extends Deserializer<infer T>
    ? T
    : D extends 'string'
      ? string | null
      : D extends 'json'
        ? unknown
        : Buffer | null;

/** The key type of a consumer made with options `O` (see {@link DeserializedBy}). */
export type ConsumerKeyOf<O> = O extends { keyDeserializer: infer D } ? DeserializedBy<D> : Buffer | null;

/** The value type of a consumer made with options `O` (see {@link DeserializedBy}). */
export type ConsumerValueOf<O> = O extends { valueDeserializer: infer D } ? DeserializedBy<D> : Buffer | null;

/**
 * The tskafka client factory.
 *
 * ```ts
 * const kafka = new Kafka({ bootstrapServers: ['localhost:9092'], clientId: 'orders' });
 * const producer = kafka.producer({ acks: 'all', lingerMs: 5, compression: 'lz4' });
 * // or, with Kafka's own property names: Kafka.fromProperties('client.properties')
 * ```
 */
export class Kafka {
  /** The shared settings given to the constructor (empty when made from properties). */
  readonly config: Readonly<Partial<KafkaConfig>>;
  private readonly properties: Readonly<Record<string, string | number | boolean>>;
  private readonly baseDir: string | undefined;
  private readonly source: string | undefined;

  /** A factory whose clients share `config`. */
  constructor(config: KafkaConfig) {
    this.config = { ...config };
    this.properties = {};
  }

  /**
   * A factory configured with Kafka's property names: a `.properties` file (module paths in it,
   * for `partitioner.class`, `interceptor.classes` or serializers, are relative to the file), or
   * an object such as `{ 'bootstrap.servers': 'localhost:9092', 'linger.ms': 10 }`. Each client
   * takes the keys it knows: a file written for Java's producer and consumer loads in both.
   *
   * @throws ConfigError when the file cannot be read or parsed.
   */
  static fromProperties(file: string | KafkaProperties): Kafka {
    const kafka = Object.create(Kafka.prototype) as Kafka;
    let properties: Record<string, string | number | boolean>;
    let baseDir: string | undefined;
    let source: string | undefined;
    if (typeof file === 'string') {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (e) {
        throw new ConfigError(file, `cannot read the properties file: ${(e as Error).message}`);
      }
      properties = {};
      for (const entry of parsePropertiesEntries(text, file)) properties[entry.key] = entry.value;
      baseDir = path.dirname(path.resolve(file));
      source = file;
    } else {
      properties = { ...file };
    }
    Object.assign(kafka, { config: {}, properties, baseDir, source });
    return kafka;
  }

  /**
   * A producer with this factory's settings, overridden by `options`.
   *
   * @typeParam K - what `send` accepts as a key (the key serializer's input).
   * @typeParam V - what `send` accepts as a value.
   */
  producer<K = RawRecordData, V = RawRecordData>(options: KafkaProducerOptions<K, V> = {}): Producer<K, V> {
    const input = { ...pick(this.properties, producerKeys), ...this.config, ...options };
    dropShadowed(input, producerKeys);
    return new Producer<K, V>(input as ProducerOptions<K, V>, { baseDir: this.baseDir, source: this.source });
  }

  /**
   * A consumer with this factory's settings, overridden by `options`.
   *
   * ```ts
   * const consumer = kafka.consumer({ groupId: 'billing', autoOffsetReset: 'earliest' });
   * // Named deserializers type the records: record.value is `string | null` here.
   * const text = kafka.consumer({ groupId: 'audit', valueDeserializer: 'string' });
   * ```
   *
   * @typeParam O - the options; the record types follow from their deserializers.
   */
  consumer<const O extends KafkaConsumerOptions<unknown, unknown>>(
    options: O,
  ): Consumer<ConsumerKeyOf<O>, ConsumerValueOf<O>>;
  /**
   * A consumer with explicit key and value types (or none: `Buffer | null`).
   *
   * @typeParam K - the key type the key deserializer produces (default `Buffer | null`).
   * @typeParam V - the value type the value deserializer produces.
   */
  consumer<K = Buffer | null, V = Buffer | null>(options?: KafkaConsumerOptions<K, V>): Consumer<K, V>;
  consumer<K = Buffer | null, V = Buffer | null>(options: KafkaConsumerOptions<K, V> = {}): Consumer<K, V> {
    const input = { ...pick(this.properties, consumerKeys), ...this.config, ...options };
    dropShadowed(input, consumerKeys);
    return new Consumer<K, V>(input as ConsumerOptions<K, V>, { baseDir: this.baseDir, source: this.source });
  }

  /**
   * An admin client with this factory's settings, overridden by `options`.
   *
   * ```ts
   * const admin = kafka.admin();
   * await admin.createTopics([{ topic: 'orders', numPartitions: 3, replicationFactor: 3 }]);
   * ```
   */
  admin(options: KafkaAdminOptions = {}): Admin {
    const input = { ...pick(this.properties, adminKeys), ...this.config, ...options };
    dropShadowed(input, adminKeys);
    return new Admin(input as AdminOptions, { baseDir: this.baseDir, source: this.source });
  }
}

/** Every client's keys: a property none of them knows is a mistake (a typo), not another client's. */
const ALL_CLIENT_KEYS: readonly ConfigKeys[] = [producerKeys, consumerKeys, adminKeys];

function namesOf(keys: ConfigKeys): Set<string> {
  const names = new Set<string>();
  for (const k of Object.values(keys)) {
    names.add(k.property);
    for (const a of k.aliases) names.add(a);
  }
  return names;
}

/**
 * The properties a client's schema knows (by property name or alias), so each client takes its
 * own from a shared file; a property no client knows is an error naming the nearest known one.
 */
function pick(properties: Readonly<Record<string, unknown>>, keys: ConfigKeys): Record<string, unknown> {
  const known = namesOf(keys);
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(properties)) {
    if (known.has(name)) {
      out[name] = value;
      continue;
    }
    const everywhere = new Set(ALL_CLIENT_KEYS.flatMap((k) => [...namesOf(k)]));
    if (!everywhere.has(name)) out[name] = value; // the client's loader rejects it with a suggestion
  }
  return out;
}

/** Where an option is given in camelCase, its property-name spellings from a file give way. */
function dropShadowed(input: Record<string, unknown>, keys: ConfigKeys): void {
  for (const [option, k] of Object.entries(keys)) {
    if (input[option] === undefined) continue;
    // Some options are spelled the same both ways (`acks`, `retries`): those stay.
    for (const name of [k.property, ...k.aliases]) if (name !== option) delete input[name];
  }
}
