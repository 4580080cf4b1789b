/**
 * One connection to one broker: a TCP or TLS socket, Kafka's 4-byte length framing, correlation
 * ids, and pipelined requests whose responses are matched in order. On connect it negotiates API
 * versions (ApiVersions, with the KIP-511 fallback) and authenticates (SASL) before it is ready.
 *
 *   Connecting ──socket (and TLS) up──▶ CheckingApiVersions ──▶ [Authenticating] ──▶ Ready
 *        └─────────────── any failure, close(), timeout, protocol violation ──────────▶ Closed
 *
 * A connection is used once: when it closes, every request in flight fails with the reason, a
 * `close` event fires, and whoever owns it (the {@link Cluster}) opens a new one.
 *
 * @module
 */
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { createKafkaError } from '@tskafka/protocol';
import {
  Api,
  type ApiDef,
  encodeRequest,
  FrameReader,
  type MessageInput,
  type MessageValue,
} from '@tskafka/protocol/internals';
import { type Clock, systemClock } from './clock.js';
import {
  BrokerProtocolError,
  ClientClosedError,
  ConnectionError,
  RequestTimeoutError,
  TransportError,
  UnsupportedApiVersionError,
} from './errors.js';
import { InFlightQueue, type Rejecter, type Resolver } from './inflight.js';
import { type Logger, stderrLogger } from './logger.js';
import type { RequestTrace } from './metrics.js';
import { type CommonTransportOptions, DEFAULTS, formatBrokerAddress } from './options.js';
import { authenticateSasl, type SaslTransport } from './sasl/authenticate.js';
import { openSocket, socketError } from './socket.js';
import { ApiVersionTable, apiVersionsRetryVersion, decodeResponseBody } from './versions.js';

/** The body a request of `A` takes. */
export type RequestOf<A extends ApiDef> = MessageInput<A['request']>;

/**
 * What a request of `A` resolves with: the decoded response body; for Produce also `null`, which
 * is what a Produce with `acks: 0` resolves with (the broker sends no response).
 */
export type ResponseOf<A extends ApiDef> = A extends typeof Api.Produce
  ? MessageValue<A['response']> | null
  : MessageValue<A['response']>;

/** Per-request options. */
export interface RequestOptions {
  /** This request's timeout; default the connection's `requestTimeoutMs`. */
  timeoutMs?: number;
  /** Use at most this version (e.g. to keep the semantics of an older one). */
  maxVersion?: number;
  /** Use at least this version; a broker without it gives {@link UnsupportedApiVersionError}. */
  minVersion?: number;
}

/** Options of a single {@link Connection}. */
export interface ConnectionOptions extends CommonTransportOptions {
  /** The broker's host. */
  host: string;
  /** The broker's port. */
  port: number;
  /** The broker's node id, if known (for errors and logs); negative for bootstrap addresses. */
  nodeId?: number;
}

/** Where a {@link Connection} stands. */
export enum ConnectionPhase {
  /** Created; `connect()` not called yet. */
  Initial = 'Initial',
  /** Opening the TCP connection (and the TLS session). */
  Connecting = 'Connecting',
  /** Asking the broker which API versions it supports. */
  CheckingApiVersions = 'CheckingApiVersions',
  /** SASL handshake and authentication. */
  Authenticating = 'Authenticating',
  /** Requests may be sent. */
  Ready = 'Ready',
  /** Closed for good. */
  Closed = 'Closed',
}

/** The events of a {@link Connection}. */
export interface ConnectionEvents {
  /** The connection closed: `error` says why, or is null when this client closed it on purpose. */
  close: [error: Error | null];
  /** The socket's write buffer drained (after `bufferedBytes` grew past its high-water mark). */
  drain: [];
}

/** The software name and version sent in ApiVersions v3+ (KIP-511). */
export const CLIENT_SOFTWARE_NAME = 'tskafka';
/** The software version sent in ApiVersions v3+. */
export const CLIENT_SOFTWARE_VERSION = '0.1.0';

const UNSUPPORTED_VERSION = 35;
const PRODUCE_KEY = 0;
const MAX_TIMER_MS = 2 ** 31 - 1;

/** A connection to one broker. Create it, `await connect()`, then send requests. */
export class Connection extends EventEmitter<ConnectionEvents> {
  /** The broker's host. */
  readonly host: string;
  /** The broker's port. */
  readonly port: number;
  /** The broker's node id (negative for a bootstrap address). */
  readonly nodeId: number;
  /** The broker as errors and logs name it: `nodeId (host:port)`, or `host:port` for bootstrap addresses. */
  readonly broker: string;
  /** The `client.id` sent in request headers. */
  readonly clientId: string;
  /** The default request timeout, ms. */
  readonly requestTimeoutMs: number;
  private state: ConnectionPhase = ConnectionPhase.Initial;
  private versions: ApiVersionTable | null = null;
  private lastSendMs: number;
  private readonly options: ConnectionOptions;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly reader: FrameReader;
  private readonly inFlight = new InFlightQueue();
  private readonly writeResolves: Resolver[] = [];
  private readonly writeRejects: Rejecter[] = [];
  private socket: Socket | null = null;
  private correlationId = 0;
  private timer: NodeJS.Timeout | null = null;
  private timerAt = Number.POSITIVE_INFINITY;

  /** A connection to `options.host:options.port`; nothing happens until {@link Connection.connect}. */
  constructor(options: ConnectionOptions) {
    super();
    this.options = options;
    this.host = options.host;
    this.port = options.port;
    this.nodeId = options.nodeId ?? -1;
    const address = formatBrokerAddress(options);
    this.broker = this.nodeId >= 0 ? `${this.nodeId} (${address})` : address;
    this.clientId = options.clientId ?? DEFAULTS.clientId;
    this.requestTimeoutMs = options.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs;
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? stderrLogger('warn');
    this.reader = new FrameReader(this.onFrame, options.maxResponseSize ?? DEFAULTS.maxResponseSize);
    this.lastSendMs = this.clock.now();
  }

  /** Where the connection stands. */
  get phase(): ConnectionPhase {
    return this.state;
  }

  /** The broker's API versions, once negotiated. */
  get apiVersions(): ApiVersionTable | null {
    return this.versions;
  }

  /** When a request was last sent, on the connection's clock. */
  get lastActivityMs(): number {
    return this.lastSendMs;
  }

  /** Whether requests may be sent. */
  get isReady(): boolean {
    return this.state === ConnectionPhase.Ready;
  }

  /** Whether the connection is closed. */
  get isClosed(): boolean {
    return this.state === ConnectionPhase.Closed;
  }

  /**
   * Requests sent and not yet answered, plus requests without a response (Produce with acks=0)
   * not yet written to the socket: what `max.in.flight.requests.per.connection` bounds.
   */
  get inFlightCount(): number {
    return this.inFlight.size + this.writeResolves.length;
  }

  /** Bytes queued in the socket's write buffer, not yet handed to the kernel. */
  get bufferedBytes(): number {
    return this.socket?.writableLength ?? 0;
  }

  /**
   * Opens the socket, negotiates API versions and authenticates. Resolves with this connection
   * when it is ready; on failure the connection is closed and the promise rejects with a
   * {@link ConnectionError}, {@link SslAuthenticationError}, {@link SaslAuthenticationError} or
   * {@link UnsupportedApiVersionError}.
   */
  async connect(): Promise<this> {
    if (this.state !== ConnectionPhase.Initial) {
      throw new ConnectionError(`connect() called on a connection that is ${this.state}`, this.context());
    }
    this.state = ConnectionPhase.Connecting;
    try {
      await this.openSocket();
      this.state = ConnectionPhase.CheckingApiVersions;
      await this.negotiateApiVersions();
      if (this.options.sasl !== undefined) {
        this.state = ConnectionPhase.Authenticating;
        await authenticateSasl(this.saslTransport(), this.options.sasl);
      }
    } catch (e) {
      const error = this.wrapSetupError(e);
      this.close(error);
      throw error;
    }
    // close() may have run while the last step was settling.
    if ((this.state as ConnectionPhase) === ConnectionPhase.Closed) {
      throw new ClientClosedError('connection closed while connecting', this.context());
    }
    this.state = ConnectionPhase.Ready;
    this.logger.debug('connected', { broker: this.broker });
    return this;
  }

  /** Whether the broker supports some version of `api` that this client has. */
  supports(api: ApiDef): boolean {
    return this.apiVersions?.supports(api) ?? false;
  }

  /**
   * The version this connection uses for `api`: the highest both sides support, within the
   * optional bounds. Throws {@link UnsupportedApiVersionError} when there is none.
   */
  versionFor(api: ApiDef, maxVersion?: number, minVersion?: number): number {
    if (this.apiVersions === null) {
      throw new ConnectionError('API versions are not negotiated yet', {
        ...this.context(),
        apiName: api.name,
      });
    }
    return this.apiVersions.versionFor(api, maxVersion, minVersion);
  }

  /**
   * Sends a request at the negotiated version and resolves with the decoded response body.
   * Kafka error codes inside the body are data: check them (see `kafkaErrorFor`). A Produce with
   * `acks: 0` resolves with null once written. Rejects with {@link ConnectionError} (or its
   * {@link RequestTimeoutError} subclass) when the connection fails first.
   */
  request<A extends ApiDef>(api: A, body: RequestOf<A>, options?: RequestOptions): Promise<ResponseOf<A>> {
    if (this.state !== ConnectionPhase.Ready) return Promise.reject(this.notReadyError(api));
    let version: number;
    let frame: Buffer;
    const correlationId = this.nextCorrelationId();
    try {
      version =
        options === undefined
          ? (this.versions as ApiVersionTable).versionFor(api)
          : (this.versions as ApiVersionTable).versionFor(api, options.maxVersion, options.minVersion);
      frame = encodeRequest(api, version, correlationId, this.clientId, body);
    } catch (e) {
      return Promise.reject(e instanceof TransportError ? e : this.encodeError(api, e));
    }
    const expectResponse = api.key !== PRODUCE_KEY || (body as { acks?: number }).acks !== 0;
    return this.enqueue(
      api,
      version,
      correlationId,
      frame,
      expectResponse,
      options?.timeoutMs ?? this.requestTimeoutMs,
    ) as Promise<ResponseOf<A>>;
  }

  /**
   * The hot path: sends a request frame the caller encoded (size prefix, request header, body;
   * e.g. with `encodeRequest(api, connection.versionFor(api), 0, connection.clientId, body)`, or
   * written straight into the caller's own buffers). `frame` may be one buffer or several parts
   * written together with one `writev` (header first, then record batches, without joining
   * them). The connection writes its correlation id into bytes 8-11 of the first part and sends
   * the buffers themselves: do not change them until the promise settles.
   *
   * Resolves with the decoded response body, or with null when `expectResponse` is false (Produce
   * with acks=0), once the frame is written.
   */
  sendEncoded<A extends ApiDef>(
    api: A,
    frame: Buffer | readonly Buffer[],
    expectResponse = true,
    timeoutMs = this.requestTimeoutMs,
  ): Promise<MessageValue<A['response']> | null> {
    if (this.state !== ConnectionPhase.Ready) return Promise.reject(this.notReadyError(api));
    const first = Array.isArray(frame) ? (frame as readonly Buffer[])[0] : (frame as Buffer);
    if (first === undefined || first.length < 12 || first.readInt16BE(4) !== api.key) {
      return Promise.reject(
        new TypeError(`sendEncoded: the frame does not start with a ${api.name} request header`),
      );
    }
    const correlationId = this.nextCorrelationId();
    first.writeInt32BE(correlationId, 8);
    return this.enqueue(
      api,
      first.readInt16BE(6),
      correlationId,
      frame,
      expectResponse,
      timeoutMs,
    ) as Promise<MessageValue<A['response']> | null>;
  }

  /**
   * Closes the connection: every request in flight fails with `error` (default a
   * {@link ClientClosedError}), then `close` fires with `error` (null when not given). Idempotent.
   */
  close(error?: Error): void {
    if (this.state === ConnectionPhase.Closed) return;
    this.state = ConnectionPhase.Closed;
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const socket = this.socket;
    this.socket = null;
    socket?.destroy();
    const reason = error ?? new ClientClosedError('connection closed by the client', this.context());
    this.inFlight.rejectAll(reason);
    const rejects = this.writeRejects.splice(0);
    this.writeResolves.length = 0;
    for (const reject of rejects) reject(reason);
    if (error !== undefined) this.logger.debug('connection closed', { broker: this.broker, error });
    this.emit('close', error ?? null);
  }

  private context(): { broker: string; nodeId: number } {
    return { broker: this.broker, nodeId: this.nodeId };
  }

  private nextCorrelationId(): number {
    const id = this.correlationId;
    this.correlationId = id === 0x7fffffff ? 0 : id + 1;
    return id;
  }

  private notReadyError(api: ApiDef): Error {
    const ctx = { ...this.context(), apiName: api.name };
    return this.state === ConnectionPhase.Closed
      ? new ConnectionError('connection is closed', ctx)
      : new ConnectionError(`connection is not ready (${this.state})`, ctx);
  }

  private encodeError(api: ApiDef, e: unknown): Error {
    return e instanceof Error
      ? new TypeError(`cannot encode ${api.name} request: ${e.message}`, { cause: e })
      : new TypeError(`cannot encode ${api.name} request: ${String(e)}`);
  }

  private enqueue(
    api: ApiDef,
    version: number,
    correlationId: number,
    frame: Buffer | readonly Buffer[],
    expectResponse: boolean,
    timeoutMs: number,
  ): Promise<unknown> {
    if (this.socket === null) return Promise.reject(this.notReadyError(api));
    const now = this.clock.now();
    this.lastSendMs = now;
    const metrics = this.options.networkMetrics;
    if (metrics !== undefined) metrics.onRequest(api.key, frameBytes(frame));
    return new Promise<unknown>((resolve, reject) => {
      if (expectResponse) {
        const deadline = now + timeoutMs;
        this.inFlight.push(correlationId, api, version, deadline, timeoutMs, resolve, reject);
        if (deadline < this.timerAt) this.armTimer(deadline, now);
      } else {
        this.writeResolves.push(resolve);
        this.writeRejects.push(reject);
      }
      this.write(frame, expectResponse);
    });
  }

  private write(frame: Buffer | readonly Buffer[], expectResponse: boolean): void {
    const socket = this.socket as Socket;
    const cb = expectResponse ? undefined : this.onWritten;
    if (!Array.isArray(frame)) {
      socket.write(frame as Buffer, cb);
      return;
    }
    const parts = frame as readonly Buffer[];
    socket.cork();
    const last = parts.length - 1;
    for (let i = 0; i < last; i++) socket.write(parts[i]);
    socket.write(parts[last], cb);
    socket.uncork();
  }

  /** Write callback of requests without a response; write callbacks run in write order. */
  private readonly onWritten = (error?: Error | null): void => {
    if (this.writeResolves.length === 0) return;
    const resolve = this.writeResolves.shift() as Resolver;
    const reject = this.writeRejects.shift() as Rejecter;
    if (error)
      reject(new ConnectionError(`write failed: ${error.message}`, { ...this.context(), cause: error }));
    else resolve(null);
  };

  private armTimer(deadline: number, now: number): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timerAt = deadline;
    this.timer = setTimeout(this.onTimer, Math.min(MAX_TIMER_MS, Math.max(1, deadline - now)));
    this.timer.unref();
  }

  private readonly onTimer = (): void => {
    this.timer = null;
    this.timerAt = Number.POSITIVE_INFINITY;
    if (this.state === ConnectionPhase.Closed || this.inFlight.size === 0) return;
    const now = this.clock.now();
    const q = this.inFlight;
    let earliest = Number.POSITIVE_INFINITY;
    for (let n = 0; n < q.size; n++) {
      const i = q.index(n);
      const deadline = q.deadlines[i];
      if (deadline <= now) {
        const api = q.apis[i] as ApiDef;
        const timeout = q.timeouts[i];
        this.options.requestObserver?.onTimeout?.(
          this.trace(api, q.versions[i], q.correlationIds[i], deadline - timeout, 0),
        );
        this.logger.warn('request timed out; closing the connection', {
          broker: this.broker,
          api: api.name,
          timeoutMs: timeout,
        });
        this.close(
          new RequestTimeoutError(
            `${api.name} request (correlation id ${q.correlationIds[i]}) got no response within ${timeout} ms; ` +
              `the connection was closed and the ${q.size} request(s) in flight on it failed`,
            timeout,
            { ...this.context(), apiName: api.name },
          ),
        );
        return;
      }
      if (deadline < earliest) earliest = deadline;
    }
    this.armTimer(earliest, now);
  };

  /** A request's timing for the {@link RequestObserver} (written at once: created is sent). */
  private trace(
    api: ApiDef,
    version: number,
    correlationId: number,
    sentAt: number,
    size: number,
  ): RequestTrace {
    return {
      broker: formatBrokerAddress(this.options),
      nodeId: this.nodeId,
      clientId: this.clientId,
      correlationId,
      apiKey: api.key,
      apiName: api.name,
      apiVersion: version,
      createdAt: sentAt,
      sentAt,
      pendingDuration: 0,
      duration: this.clock.now() - sentAt,
      size,
    };
  }

  /** TLS: bytes in the socket's own buffers, copied into the reader's. */
  private readonly onData = (chunk: Buffer): void => {
    try {
      this.reader.push(chunk);
    } catch (e) {
      this.badFrame(e);
    }
  };

  /** TCP: `n` bytes were read straight into the reader's buffer (Node's `onread`). */
  private readonly onRead = (n: number): boolean => {
    try {
      this.reader.read(n);
      return true;
    } catch (e) {
      this.badFrame(e);
      return false;
    }
  };

  private badFrame(e: unknown): void {
    this.close(
      new BrokerProtocolError(`invalid response frame: ${(e as Error).message}`, {
        ...this.context(),
        cause: e,
      }),
    );
  }

  private readonly onFrame = (frame: Buffer): void => {
    if (this.state === ConnectionPhase.Closed) return;
    const q = this.inFlight;
    const correlationId = frame.length >= 4 ? frame.readInt32BE(0) : -1;
    if (q.size === 0) {
      this.close(
        new BrokerProtocolError(
          `response with correlation id ${correlationId} arrived with no request in flight`,
          this.context(),
        ),
      );
      return;
    }
    const i = q.head;
    const api = q.apis[i] as ApiDef;
    if (q.correlationIds[i] !== correlationId) {
      this.close(
        new BrokerProtocolError(
          `response with correlation id ${correlationId} does not match the oldest request in flight ` +
            `(${api.name}, correlation id ${q.correlationIds[i]}): responses must come in request order`,
          { ...this.context(), apiName: api.name },
        ),
      );
      return;
    }
    const version = q.versions[i];
    const resolve = q.resolves[i] as Resolver;
    const reject = q.rejects[i] as Rejecter;
    const sentAt = (q.deadlines[i] ?? 0) - (q.timeouts[i] ?? 0);
    q.shift();
    let body: unknown;
    try {
      body = decodeResponseBody(api, version, frame);
    } catch (e) {
      const error = new BrokerProtocolError(
        `cannot decode ${api.name} v${version} response: ${(e as Error).message}`,
        { ...this.context(), apiName: api.name, cause: e },
      );
      reject(error);
      this.close(error);
      return;
    }
    const observer = this.options.requestObserver;
    if (observer?.onResponse !== undefined)
      observer.onResponse(this.trace(api, version, correlationId, sentAt, frame.length), body);
    const metrics = this.options.networkMetrics;
    if (metrics !== undefined) {
      const throttle = (body as { throttleTimeMs?: unknown }).throttleTimeMs;
      metrics.onResponse(
        api.key,
        api.name,
        frame.length,
        this.clock.now() - sentAt,
        typeof throttle === 'number' ? throttle : -1,
        this.broker,
      );
    }
    resolve(body);
  };

  private async openSocket(): Promise<void> {
    const { socket, ready } = openSocket({
      host: this.host,
      port: this.port,
      ssl: this.options.ssl,
      timeoutMs: this.options.connectionTimeoutMs ?? DEFAULTS.connectionTimeoutMs,
      context: this.context(),
      closedError: () =>
        this.state === ConnectionPhase.Closed
          ? new ClientClosedError('connection closed while connecting', this.context())
          : new ConnectionError('the connection closed while connecting', this.context()),
      // Responses are read straight into their frame buffers: a Fetch response lands in a buffer
      // of its own size, with no socket buffers in between and no join.
      onread: { buffer: () => this.reader.buffer(), callback: this.onRead },
    });
    this.socket = socket;
    await ready;
    if (this.options.ssl) socket.on('data', this.onData);
    socket.on('error', (e: Error) => this.close(socketError(e, false, this.context())));
    socket.on('close', () =>
      this.close(new ConnectionError('the broker closed the connection', this.context())),
    );
    socket.on('drain', () => this.emit('drain'));
  }

  private wrapSetupError(e: unknown): Error {
    if (e instanceof TransportError) return e;
    if (e instanceof Error && 'code' in e && typeof (e as { errorName?: unknown }).errorName === 'string') {
      return e; // a KafkaError
    }
    return new ConnectionError(`connection setup failed: ${e instanceof Error ? e.message : String(e)}`, {
      ...this.context(),
      cause: e,
    });
  }

  private async negotiateApiVersions(): Promise<void> {
    const api = Api.ApiVersions;
    let version = api.maxVersion;
    for (;;) {
      const correlationId = this.nextCorrelationId();
      const frame = encodeRequest(api, version, correlationId, this.clientId, {
        clientSoftwareName: CLIENT_SOFTWARE_NAME,
        clientSoftwareVersion: CLIENT_SOFTWARE_VERSION,
      });
      const res = (await this.enqueue(
        api,
        version,
        correlationId,
        frame,
        true,
        this.requestTimeoutMs,
      )) as MessageValue<typeof api.response>;
      if (res.errorCode === UNSUPPORTED_VERSION) {
        // KIP-511: the broker could not parse our version; it lists what it supports in a v0 answer.
        const next = apiVersionsRetryVersion(res.apiKeys, version, api.minVersion);
        if (next === null) {
          throw new UnsupportedApiVersionError(
            api.name,
            api.key,
            { min: api.minVersion, max: api.maxVersion },
            null,
            this.context(),
          );
        }
        this.logger.debug('retrying ApiVersions at a lower version', {
          broker: this.broker,
          from: version,
          to: next,
        });
        version = next;
        continue;
      }
      if (res.errorCode !== 0) {
        throw createKafkaError(res.errorCode, { broker: this.broker, apiName: api.name });
      }
      this.versions = new ApiVersionTable(res.apiKeys, this.broker);
      return;
    }
  }

  private saslTransport(): SaslTransport {
    return {
      broker: this.broker,
      setupRequest: <A extends ApiDef>(api: A, body: RequestOf<A>, minVersion: number) => {
        const version = this.versionFor(api, undefined, minVersion);
        const correlationId = this.nextCorrelationId();
        const frame = encodeRequest(api, version, correlationId, this.clientId, body);
        return this.enqueue(api, version, correlationId, frame, true, this.requestTimeoutMs) as Promise<
          MessageValue<A['response']>
        >;
      },
    };
  }
}

/** The bytes of a frame given as one buffer or as parts. */
function frameBytes(frame: Buffer | readonly Buffer[]): number {
  if (!Array.isArray(frame)) return (frame as Buffer).length;
  let n = 0;
  for (const part of frame as readonly Buffer[]) n += part.length;
  return n;
}
