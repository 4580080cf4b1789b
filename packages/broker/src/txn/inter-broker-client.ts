/**
 * The smallest Kafka client one broker needs to talk to another: one socket, request frames with
 * the standard header, responses matched by correlation id (a broker answers one connection in
 * order). Built on @tskafka/protocol alone: the broker does not depend on @tskafka/transport. The
 * transaction coordinator sends WriteTxnMarkers through it to partition leaders on other brokers.
 */
import { connect, type Socket } from 'node:net';
import { type ConnectionOptions as TlsConnectionOptions, connect as tlsConnect } from 'node:tls';
import {
  Api,
  type ApiDef,
  decodeResponse,
  encodeRequest,
  FrameDecoder,
  KafkaClientError,
  type MessageInput,
  type MessageValue,
  peekCorrelationId,
} from '@tskafka/protocol/internals';
import { registerInterBrokerSocket } from '../auth/request-auth.js';
import type { InterBrokerConnections } from '../inter-broker-connections.js';

/** Raised when the connection fails or closes before a response arrives. Retriable, as a client's `ConnectionError`. */
export class InterBrokerConnectionError extends KafkaClientError {
  /** `message` says what failed; `cause` is the socket's error, if any. */
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { ...options, retriable: true });
  }
}

/** How to reach the other broker's inter-broker listener: TLS, SASL/PLAIN, both or neither. */
export interface InterBrokerSecurity {
  /** TLS options (the broker's truststore as `ca`, its own key and certificate for mutual TLS). */
  tls?: TlsConnectionOptions;
  /** SASL/PLAIN login (the JAAS `username`/`password` of the listener). */
  plain?: { username: string; password: string };
}

interface InFlight {
  api: ApiDef;
  version: number;
  resolve: (body: unknown) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

/** One connection to another broker; reconnects on the next request after a failure. */
export class InterBrokerClient {
  /** `host:port` of the other broker. */
  readonly address: string;
  private readonly host: string;
  private readonly port: number;
  private readonly clientId: string;
  private readonly requestTimeoutMs: number;
  private readonly security: InterBrokerSecurity;
  private readonly from: { nodeId: number; registry: InterBrokerConnections };
  private socket: Socket | null = null;
  private connecting: Promise<Socket> | null = null;
  private readonly inFlight = new Map<number, InFlight>();
  private nextCorrelationId = 0;
  private apiVersions: Map<number, { min: number; max: number }> | null = null;
  private closed = false;

  /**
   * A client for `host:port` of broker `from.nodeId`, whose connections are registered in
   * `from.registry` so that the other broker knows them as a broker's; nothing connects until the
   * first request.
   */
  constructor(
    host: string,
    port: number,
    opts: {
      clientId: string;
      requestTimeoutMs?: number;
      security?: InterBrokerSecurity;
      from: { nodeId: number; registry: InterBrokerConnections };
    },
  ) {
    this.host = host;
    this.port = port;
    this.address = `${host}:${port}`;
    this.clientId = opts.clientId;
    this.requestTimeoutMs = opts.requestTimeoutMs ?? 30_000;
    this.security = opts.security ?? {};
    this.from = opts.from;
  }

  /**
   * Sends `body` as `api` at the highest version both sides support, at most `maxVersion`
   * (ApiVersions is asked once per connection); resolves with the decoded response body.
   */
  async send<A extends ApiDef>(
    api: A,
    maxVersion: number,
    body: MessageInput<A['request']>,
  ): Promise<MessageValue<A['response']>> {
    const socket = await this.connection();
    const range = this.apiVersions?.get(api.key);
    if (!range || range.min > maxVersion) {
      throw new InterBrokerConnectionError(
        `broker ${this.address} does not support ${api.name} v0-${maxVersion}`,
      );
    }
    return this.request(socket, api, Math.min(maxVersion, range.max), body);
  }

  private request<A extends ApiDef>(
    socket: Socket,
    api: A,
    version: number,
    body: MessageInput<A['request']>,
  ): Promise<MessageValue<A['response']>> {
    const correlationId = this.nextCorrelationId;
    this.nextCorrelationId = (this.nextCorrelationId + 1) & 0x7fffffff;
    const frame = encodeRequest(api, version, correlationId, this.clientId, body);
    return new Promise((resolve, reject) => {
      // A real timer, not the broker's clock: it guards a real socket.
      const timer = setTimeout(() => {
        this.fail(new InterBrokerConnectionError(`${api.name} to ${this.address} timed out`));
      }, this.requestTimeoutMs);
      timer.unref();
      this.inFlight.set(correlationId, {
        api,
        version,
        resolve: resolve as (b: unknown) => void,
        reject,
        timer,
      });
      socket.write(frame);
    });
  }

  private connection(): Promise<Socket> {
    if (this.closed) return Promise.reject(new InterBrokerConnectionError('client closed'));
    if (this.socket) return Promise.resolve(this.socket);
    if (!this.connecting) {
      this.connecting = this.open().finally(() => {
        this.connecting = null;
      });
    }
    return this.connecting;
  }

  private async open(): Promise<Socket> {
    const tls = this.security.tls;
    const socket = tls
      ? tlsConnect({ ...tls, host: this.host, port: this.port })
      : connect({ host: this.host, port: this.port });
    socket.setNoDelay(true);
    const decoder = new FrameDecoder();
    await new Promise<void>((resolve, reject) => {
      socket.once(tls ? 'secureConnect' : 'connect', resolve);
      socket.once('error', reject);
    }).catch((e: Error) => {
      socket.destroy();
      throw new InterBrokerConnectionError(`cannot connect to ${this.address}: ${e.message}`, { cause: e });
    });
    this.from.registry.register(socket, this.from.nodeId);
    registerInterBrokerSocket(socket);
    socket.on('data', (chunk) => {
      try {
        decoder.push(chunk, (frame) => this.onFrame(frame));
      } catch (e) {
        this.fail(
          new InterBrokerConnectionError(`bad frame from ${this.address}: ${(e as Error).message}`, {
            cause: e,
          }),
        );
      }
    });
    socket.on('error', (e) =>
      this.fail(new InterBrokerConnectionError(`${this.address}: ${e.message}`, { cause: e })),
    );
    socket.on('close', () =>
      this.fail(new InterBrokerConnectionError(`${this.address} closed the connection`)),
    );
    this.socket = socket;
    const versions = await this.request(socket, Api.ApiVersions, 0, {});
    this.apiVersions = new Map(
      versions.apiKeys.map((k) => [k.apiKey, { min: k.minVersion, max: k.maxVersion }]),
    );
    const plain = this.security.plain;
    if (plain) {
      // SaslHandshake v1, then one SaslAuthenticate with PLAIN's `\0user\0password` token.
      const handshake = await this.request(socket, Api.SaslHandshake, 1, { mechanism: 'PLAIN' });
      if (handshake.errorCode !== 0) {
        throw new InterBrokerConnectionError(
          `${this.address} refused SASL PLAIN (error ${handshake.errorCode})`,
        );
      }
      const token = Buffer.from(`\0${plain.username}\0${plain.password}`, 'utf8');
      const auth = await this.request(socket, Api.SaslAuthenticate, 0, { authBytes: token });
      if (auth.errorCode !== 0) {
        throw new InterBrokerConnectionError(
          `${this.address} refused this broker's SASL login as ${plain.username}: ${auth.errorMessage ?? auth.errorCode}`,
        );
      }
    }
    return socket;
  }

  private onFrame(frame: Buffer): void {
    const correlationId = peekCorrelationId(frame);
    const req = this.inFlight.get(correlationId);
    if (!req) {
      this.fail(
        new InterBrokerConnectionError(`unexpected correlation id ${correlationId} from ${this.address}`),
      );
      return;
    }
    this.inFlight.delete(correlationId);
    clearTimeout(req.timer);
    try {
      req.resolve(decodeResponse(req.api, req.version, frame).body);
    } catch (e) {
      req.reject(e as Error);
    }
  }

  /** Drops the connection and fails every request waiting on it. */
  private fail(error: Error): void {
    const socket = this.socket;
    this.socket = null;
    this.apiVersions = null;
    socket?.destroy();
    const waiting = [...this.inFlight.values()];
    this.inFlight.clear();
    for (const r of waiting) {
      clearTimeout(r.timer);
      r.reject(error);
    }
  }

  /** Closes the connection; later requests fail. */
  close(): void {
    this.closed = true;
    this.fail(new InterBrokerConnectionError('client closed'));
  }
}
