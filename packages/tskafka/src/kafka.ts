/**
 * `new Kafka(config)`: the entry point users start from, holding the settings every client
 * shares (bootstrap servers, client id, SASL, TLS) and making producers with them.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Producer, type ProducerOptions, type RawRecordData } from '@tskafka/producer';
import {
  ConfigError,
  type ConfigKeys,
  type KafkaProperties,
  type Logger,
  parsePropertiesEntries,
  producerKeys,
  type SaslOptions,
  type SslOption,
} from '@tskafka/transport';

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
}

/** The properties a schema knows (by property name or alias), so each client takes its own. */
function pick(properties: Readonly<Record<string, unknown>>, keys: ConfigKeys): Record<string, unknown> {
  const known = new Set<string>();
  for (const k of Object.values(keys)) {
    known.add(k.property);
    for (const a of k.aliases) known.add(a);
  }
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(properties)) if (known.has(name)) out[name] = value;
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
