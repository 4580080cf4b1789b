/**
 * The smallest Kafka client one broker needs to talk to another: one socket, request frames with
 * the standard header, responses matched by correlation id (a broker answers one connection in
 * order). Built on @tskafka/protocol alone: the broker does not depend on @tskafka/transport. The
 * transaction coordinator sends WriteTxnMarkers through it to partition leaders on other brokers,
 * and replica fetchers their Fetch requests: responses are read straight into frame buffers
 * ({@link FrameReader}), and a response handled by {@link InterBrokerClient.sendAndRead} gives its
 * memory back for the next one, so replication does not allocate per fetch.
 */
import { connect, type Socket } from 'node:net';
import { type ConnectionOptions as TlsConnectionOptions, connect as tlsConnect } from 'node:tls';
import {
  Api,
  type ApiDef,
  decodeResponse,
  encodeRequest,
  FrameReader,
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
  /** Reads the decoded response while its frame's memory is valid; the frame is reused after. */
  read: ((body: unknown) => unknown) | null;
  resolve: (result: unknown) => void;
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
  /** Splits the current socket's bytes into response frames. */
  private reader: FrameReader | null = null;
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
    return this.request(socket, api, Math.min(maxVersion, range.max), body, null);
  }

  /**
   * As {@link InterBrokerClient.send}, but the response is handed to `read` as soon as it is
   * decoded, and its memory (record sets included) is reused for later responses once `read`
   * returns: `read` must copy whatever it keeps. Resolves with what `read` returns, or rejects
   * with what it throws.
   */
  async sendAndRead<A extends ApiDef, T>(
    api: A,
    maxVersion: number,
    body: MessageInput<A['request']>,
    read: (response: MessageValue<A['response']>) => T,
  ): Promise<T> {
    const socket = await this.connection();
    const range = this.apiVersions?.get(api.key);
    if (!range || range.min > maxVersion) {
      throw new InterBrokerConnectionError(
        `broker ${this.address} does not support ${api.name} v0-${maxVersion}`,
      );
    }
    return this.request(
      socket,
      api,
      Math.min(maxVersion, range.max),
      body,
      read as (body: unknown) => unknown,
    ) as Promise<T>;
  }

  private request<A extends ApiDef>(
    socket: Socket,
    api: A,
    version: number,
    body: MessageInput<A['request']>,
    read: ((body: unknown) => unknown) | null,
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
        read,
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
    const reader = new FrameReader((frame) => this.onFrame(reader, frame));
    // Plain TCP reads straight into the frame buffers; a TLS socket's plaintext only comes out
    // in 'data' events, copied in.
    const socket = tls
      ? tlsConnect({ ...tls, host: this.host, port: this.port })
      : connect({
          host: this.host,
          port: this.port,
          onread: { buffer: () => reader.buffer(), callback: (n: number) => this.onRead(reader, n) },
        });
    socket.setNoDelay(true);
    await new Promise<void>((resolve, reject) => {
      socket.once(tls ? 'secureConnect' : 'connect', resolve);
      socket.once('error', reject);
    }).catch((e: Error) => {
      socket.destroy();
      throw new InterBrokerConnectionError(`cannot connect to ${this.address}: ${e.message}`, { cause: e });
    });
    this.from.registry.register(socket, this.from.nodeId);
    registerInterBrokerSocket(socket);
    if (tls) {
      socket.on('data', (chunk: Buffer) => {
        for (let at = 0; at < chunk.length && this.reader === reader; ) {
          const n = chunk.copy(reader.buffer(), 0, at);
          at += n;
          this.onRead(reader, n);
        }
      });
    }
    socket.on('error', (e) =>
      this.fail(new InterBrokerConnectionError(`${this.address}: ${e.message}`, { cause: e })),
    );
    socket.on('close', () =>
      this.fail(new InterBrokerConnectionError(`${this.address} closed the connection`)),
    );
    this.socket = socket;
    this.reader = reader;
    const versions = await this.request(socket, Api.ApiVersions, 0, {}, null);
    this.apiVersions = new Map(
      versions.apiKeys.map((k) => [k.apiKey, { min: k.minVersion, max: k.maxVersion }]),
    );
    const plain = this.security.plain;
    if (plain) {
      // SaslHandshake v1, then one SaslAuthenticate with PLAIN's `\0user\0password` token.
      const handshake = await this.request(socket, Api.SaslHandshake, 1, { mechanism: 'PLAIN' }, null);
      if (handshake.errorCode !== 0) {
        throw new InterBrokerConnectionError(
          `${this.address} refused SASL PLAIN (error ${handshake.errorCode})`,
        );
      }
      const token = Buffer.from(`\0${plain.username}\0${plain.password}`, 'utf8');
      const auth = await this.request(socket, Api.SaslAuthenticate, 0, { authBytes: token }, null);
      if (auth.errorCode !== 0) {
        throw new InterBrokerConnectionError(
          `${this.address} refused this broker's SASL login as ${plain.username}: ${auth.errorMessage ?? auth.errorCode}`,
        );
      }
    }
    return socket;
  }

  /** `n` bytes were read into `reader`'s buffer; false stops reading (the socket is gone). */
  private onRead(reader: FrameReader, n: number): boolean {
    // Bytes of a socket this client already dropped are not responses to anything in flight.
    if (this.reader !== reader) return false;
    try {
      reader.read(n);
    } catch (e) {
      this.fail(
        new InterBrokerConnectionError(`bad frame from ${this.address}: ${(e as Error).message}`, {
          cause: e,
        }),
      );
      return false;
    }
    return this.reader === reader;
  }

  private onFrame(reader: FrameReader, frame: Buffer): void {
    if (this.reader !== reader) return;
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
    let result: unknown;
    try {
      const body = decodeResponse(req.api, req.version, frame).body;
      result = req.read ? req.read(body) : body;
    } catch (e) {
      req.reject(e as Error);
      return;
    } finally {
      // What `read` saw is copied where it was kept; the decoded body of a plain `send` escapes.
      if (req.read) reader.recycle(frame);
    }
    req.resolve(result);
  }

  /** Drops the connection and fails every request waiting on it. */
  private fail(error: Error): void {
    const socket = this.socket;
    this.socket = null;
    this.reader = null;
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
