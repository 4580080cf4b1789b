/**
 * KafkaJS's `new Kafka(config)`: the factory of producers, consumers and admin clients, here
 * making `tskafka/kafkajs` clients that run on tskafka's own.
 *
 * @module
 */
import type { ConnectionOptions } from 'node:tls';
import { Admin as TsAdmin } from '@tskafka/admin';
import type { Logger, SaslOptions } from '@tskafka/transport';
import type { RequestObserver } from '@tskafka/transport/internals';
import { Admin, type AdminConfig } from './admin.js';
import { Consumer } from './consumer.js';
import type { ConsumerConfig } from './consumer-types.js';
import { KafkaJSNonRetriableError } from './errors.js';
import { Producer, type ProducerConfig } from './producer.js';
import { type logCreator, logLevel, type RetryOptions } from './types.js';

/**
 * SASL as KafkaJS takes it: `plain`, `scram-sha-256` or `scram-sha-512` with a user and password,
 * or `oauthbearer` with an `oauthBearerProvider`.
 */
export type SASLOptions =
  | {
      /** The mechanism, KafkaJS's lower-case names. */
      mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512';
      /** The user name. */
      username: string;
      /** The password. */
      password: string;
    }
  | {
      /** OAUTHBEARER. */
      mechanism: 'oauthbearer';
      /** Returns the token (`{ value }`) for each new connection. */
      oauthBearerProvider: () => Promise<{ value: string }>;
    };

/** KafkaJS's `KafkaConfig`. */
export interface KafkaConfig {
  /** `host:port` of some brokers, or a function (maybe async) that returns them at each connect. */
  brokers: string[] | (() => string[] | Promise<string[]>);
  /** TLS: `true` or Node's `tls.connect` options. */
  ssl?: ConnectionOptions | boolean;
  /** SASL credentials. */
  sasl?: SASLOptions;
  /** Names this application in broker logs. */
  clientId?: string;
  /** How long to wait for a connection, ms. */
  connectionTimeout?: number;
  /** How long to wait for a response, ms (KafkaJS's default: 30000). */
  requestTimeout?: number;
  /** Retry settings: `initialRetryTime` becomes the backoff, `retries` the admin's retries. */
  retry?: RetryOptions;
  /** The least severe level logged; default `logLevel.INFO`. */
  logLevel?: logLevel;
  /** Where log lines go; default KafkaJS's JSON lines on the console. */
  logCreator?: logCreator;
}

const LABELS: Record<number, string> = { 1: 'ERROR', 2: 'WARN', 4: 'INFO', 5: 'DEBUG' };

/** KafkaJS's default logger: one JSON object per line, as KafkaJS's `LoggerConsole` writes. */
const consoleLogCreator: logCreator = () => (entry) => {
  const line = JSON.stringify({ level: entry.label, ...entry.log, logger: 'kafkajs' });
  if (entry.level === logLevel.ERROR) console.error(line);
  else if (entry.level === logLevel.WARN) console.warn(line);
  else console.log(line);
};

/**
 * What every `tskafka/kafkajs` client takes from its {@link Kafka}.
 *
 * @internal
 */
export class KafkaContext {
  /** The config as given. */
  readonly config: KafkaConfig;

  /** The context of `config`. */
  constructor(config: KafkaConfig) {
    this.config = config;
  }

  /** KafkaJS's retry count (`retry.retries`, default 5), which its final errors report. */
  get retries(): number {
    return this.config.retry?.retries ?? 5;
  }

  /** The brokers, calling the config's function if it is one. */
  async bootstrapServers(): Promise<string[]> {
    const { brokers } = this.config;
    const list = typeof brokers === 'function' ? await brokers() : brokers;
    if (!Array.isArray(list) || list.length === 0)
      throw new KafkaJSNonRetriableError(`Failed to connect: expected brokers array and got nothing`);
    return list;
  }

  /** tskafka's options shared by every client; `requestObserver` feeds the client's network events. */
  async clientOptions(
    namespace: string,
    requestObserver?: RequestObserver,
  ): Promise<{
    bootstrapServers: string[];
    clientId?: string;
    sasl?: SaslOptions;
    ssl?: ConnectionOptions | boolean;
    logger: Logger;
    requestTimeoutMs?: number;
    connectionTimeoutMs?: number;
    retryBackoffMs?: number;
    requestObserver?: RequestObserver;
  }> {
    const c = this.config;
    return {
      bootstrapServers: await this.bootstrapServers(),
      clientId: c.clientId ?? 'kafkajs',
      sasl: c.sasl,
      ssl: c.ssl,
      logger: this.logger(namespace),
      requestTimeoutMs: c.requestTimeout,
      connectionTimeoutMs: c.connectionTimeout,
      retryBackoffMs: c.retry?.initialRetryTime,
      ...(requestObserver === undefined ? {} : { requestObserver }),
    };
  }

  /**
   * How long one connect attempt may try the brokers: KafkaJS's `connectionTimeout` (default
   * 1000 ms); its retrier, not tskafka's bootstrap backoff, decides whether to try again.
   */
  get connectAttemptMs(): number {
    return this.config.connectionTimeout ?? 1000;
  }

  /**
   * One connect attempt of a tskafka admin client for `namespace` (the admin, or a consumer's
   * helper for offsets and metadata): bounded by {@link KafkaContext.connectAttemptMs}, and closed
   * again when it fails, so the KafkaJS retrier's next attempt starts from a fresh client.
   */
  async connectAdmin(
    namespace: string,
    retries?: number,
    requestObserver?: RequestObserver,
  ): Promise<TsAdmin> {
    const admin = new TsAdmin({
      ...(await this.clientOptions(namespace, requestObserver)),
      ...(retries === undefined ? {} : { retries }),
    });
    try {
      await admin.connect({ timeoutMs: this.connectAttemptMs });
    } catch (e) {
      await admin.close().catch(() => {});
      throw e;
    }
    return admin;
  }

  /** A tskafka `Logger` writing through the config's `logCreator` at its `logLevel`. */
  logger(namespace: string): Logger {
    const level = this.config.logLevel ?? logLevel.INFO;
    const write = (this.config.logCreator ?? consoleLogCreator)(level);
    const at =
      (l: logLevel) =>
      (message: string, context?: Record<string, unknown>): void => {
        if (l > level || level === logLevel.NOTHING) return;
        const extra: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(context ?? {})) extra[k] = v instanceof Error ? v.message : v;
        write({
          namespace,
          level: l,
          label: LABELS[l],
          log: { ...extra, timestamp: new Date().toISOString(), message },
        });
      };
    return {
      error: at(logLevel.ERROR),
      warn: at(logLevel.WARN),
      info: at(logLevel.INFO),
      debug: at(logLevel.DEBUG),
    };
  }
}

/**
 * KafkaJS's client factory.
 *
 * ```ts
 * const { Kafka } = require('tskafka/kafkajs'); // was require('kafkajs')
 * const kafka = new Kafka({ clientId: 'my-app', brokers: ['localhost:9092'] });
 * const producer = kafka.producer();
 * ```
 */
export class Kafka {
  private readonly context: KafkaContext;

  /** A factory whose clients share `config`. */
  constructor(config: KafkaConfig) {
    this.context = new KafkaContext(config);
  }

  /** A producer. */
  producer(config: ProducerConfig = {}): Producer {
    return new Producer(this.context, config);
  }

  /** A consumer of the group `config.groupId`. */
  consumer(config: ConsumerConfig): Consumer {
    return new Consumer(this.context, config);
  }

  /** An admin client. */
  admin(config: AdminConfig = {}): Admin {
    return new Admin(this.context, config);
  }

  /** A logger writing through the config's `logCreator`. */
  logger(): Logger {
    return this.context.logger('Kafka');
  }
}
