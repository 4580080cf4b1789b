/**
 * One client connection: splits the byte stream into frames and handles them strictly one at a
 * time, in order, as a Kafka broker does (it mutes a channel while a request is in flight), so
 * responses always go back in request order. A frame that cannot be decoded closes this
 * connection, with a log line naming the problem; nothing else is affected.
 */
import { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import { ApiKey, ErrorCode } from '@tskafka/protocol';
import {
  type ApiDef,
  apiByKey,
  decodeRequest,
  encodeResponse,
  encodeResponseParts,
  FrameReader,
  FrameSizeError,
  peekRequestHeader,
} from '@tskafka/protocol/internals';
import type { BrokerListener, BrokerNode } from './broker.js';
import { NO_RESPONSE, type RequestContext } from './handler.js';
import { certificatePrincipal } from './listeners.js';
import type { ReadBufferLease } from './log/read-buffers.js';
import type { SaslAuthenticator, SaslServerSession } from './sasl.js';

let nextConnectionId = 1;
/** Pause reading from a client that pipelines more than this many unanswered requests. */
const MAX_QUEUED_FRAMES = 64;

/** A client connection to one broker. */
export class Connection {
  /** A number unique within the process, for logs. */
  readonly id = nextConnectionId++;
  /** `host:port` of the client. */
  readonly remote: string;
  /** Whether SASL authentication completed (always true without SASL). */
  authenticated: boolean;
  /** The SASL mechanism chosen in SaslHandshake. */
  saslMechanism: string | null = null;
  /** The SASL exchange in progress. */
  saslSession: SaslServerSession | null = null;
  /** Set by SaslHandshake v0: the next frame is a raw SASL token, not a Kafka request. */
  rawSaslTokenExpected = false;
  /**
   * Who the client is, in Kafka's form: `User:alice` after SASL, `User:CN=...,O=...` (the
   * subject of a verified client certificate) on TLS, else `User:ANONYMOUS`; null while a SASL
   * login is pending.
   */
  principal: string | null = null;
  /** The name of the listener the client came in on, e.g. `SSL`. */
  readonly listenerName: string;
  /** SASL on that listener. */
  readonly sasl: SaslAuthenticator;
  /** The client id of the latest request. */
  clientId: string | null = null;
  /** When bytes last came in or went out, on the broker's clock (for `connections.max.idle.ms`). */
  private lastActivityMs: number;
  private readonly node: BrokerNode;
  private readonly socket: Socket;
  private readonly reader: FrameReader;
  private readonly queue: Buffer[] = [];
  private processing = false;
  private closed = false;
  /** Responses are held (the socket corked) until this turn of the event loop ends. */
  private coalescing = false;

  /**
   * Starts reading `accepted` (a socket of a server created with `pauseOnConnect`) for `node`.
   * The socket's handle is taken over by a socket reading straight into the frame buffers
   * ({@link FrameReader}), so a produce request is read into the buffer the log keeps, with no
   * socket buffer in between and no copy.
   */
  constructor(node: BrokerNode, accepted: Socket, listener: BrokerListener) {
    this.node = node;
    this.remote = `${accepted.remoteAddress}:${accepted.remotePort}`;
    this.listenerName = listener.name;
    this.sasl = listener.sasl;
    this.authenticated = !listener.sasl.enabled;
    this.lastActivityMs = node.clock.now();
    // Kafka's sasl.server.max.receive.size: until the client has logged in, a size prefix above
    // it closes the connection before a byte of the frame is buffered.
    const maxFrame = this.authenticated
      ? node.config.socketRequestMaxBytes
      : Math.min(node.config.saslServerMaxReceiveSize, node.config.socketRequestMaxBytes);
    this.reader = new FrameReader((frame) => this.queue.push(frame), maxFrame);
    if (accepted instanceof TLSSocket) this.principal = this.tlsPrincipal(accepted, listener);
    else if (this.authenticated) this.principal = 'User:ANONYMOUS';
    node.log(
      'debug',
      `connection ${this.id} from ${this.remote} on listener ${listener.name}, principal ${this.principal ?? '(SASL login pending)'}`,
    );
    const socket = readingIntoFrames(accepted, this.reader, (n) => this.onRead(n));
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on('error', () => this.close());
    socket.on('close', () => this.close());
  }

  /**
   * The principal of a TLS client: its certificate's subject once verified (`ssl.client.auth`
   * required or requested); a certificate that did not verify on a `requested` listener closes
   * the connection, as Java's handshake would fail it. SASL_SSL replaces it at login.
   */
  private tlsPrincipal(socket: TLSSocket, listener: BrokerListener): string | null {
    const cert = listener.clientAuth === 'none' ? undefined : socket.getPeerX509Certificate();
    if (cert && !socket.authorized) {
      queueMicrotask(() =>
        this.fail(
          `client certificate ${cert.subject.replace(/\n/g, ',')} not trusted: ${socket.authorizationError}`,
        ),
      );
      return null;
    }
    if (!this.authenticated) return null;
    return cert ? certificatePrincipal(cert.subject) : 'User:ANONYMOUS';
  }

  /** `n` bytes were read into the reader's buffer; false pauses reading. */
  private onRead(n: number): boolean {
    this.lastActivityMs = this.node.clock.now();
    try {
      this.reader.read(n);
    } catch (e) {
      this.fail(this.badFrameReason(e as Error));
      return false;
    }
    if (!this.processing) void this.drain();
    return this.queue.length <= MAX_QUEUED_FRAMES;
  }

  /** Why a size prefix was refused, in words an operator can act on. */
  private badFrameReason(e: Error): string {
    if (!(e instanceof FrameSizeError)) return `bad frame: ${e.message}`;
    // A TLS record header (0x16 0x03 ...) read as a size: a TLS client on a plaintext port.
    if (e.size >>> 24 === 0x16 && ((e.size >>> 16) & 0xff) === 0x03) {
      return `TLS handshake on ${this.listenerName}, a ${this.sasl.enabled ? 'SASL_PLAINTEXT' : 'PLAINTEXT'} listener (is the client configured for SSL? this broker's listeners: ${this.node.listeners.map((l) => `${l.name} ${l.port}`).join(', ')})`;
    }
    if (!this.authenticated && e.size >= 0) {
      return `frame of ${e.size} bytes before authentication, above sasl.server.max.receive.size (${e.maxSize})`;
    }
    return `bad frame: ${e.message}`;
  }

  private async drain(): Promise<void> {
    this.processing = true;
    try {
      while (this.queue.length && !this.closed) {
        const frame = this.queue.shift() as Buffer;
        if (this.queue.length <= MAX_QUEUED_FRAMES / 2 && this.socket.isPaused()) this.socket.resume();
        await this.handleFrame(frame);
        // Logged in: from the next frame on, socket.request.max.bytes is the limit.
        if (this.authenticated) this.reader.maxFrameSize = this.node.config.socketRequestMaxBytes;
      }
    } finally {
      this.processing = false;
    }
  }

  private async handleFrame(frame: Buffer): Promise<void> {
    if (this.rawSaslTokenExpected) {
      await this.sasl.handleRawToken(this, frame);
      return;
    }
    let prefix: ReturnType<typeof peekRequestHeader>;
    try {
      prefix = peekRequestHeader(frame);
    } catch (e) {
      this.fail((e as Error).message);
      return;
    }
    const { apiKey, apiVersion, correlationId } = prefix;
    const api = apiByKey(apiKey);
    const handler = this.node.handlers.get(apiKey);
    if (
      apiKey === ApiKey.ApiVersions &&
      api &&
      (apiVersion > api.maxVersion || apiVersion < api.minVersion)
    ) {
      // KIP-511: a version we cannot parse (Kafka's isUnsupportedApiVersionsRequest, negative
      // ones included) still gets a v0 answer with the ApiVersions range we support.
      this.send(
        encodeResponse(api, 0, correlationId, this.node.apiVersionsError(ErrorCode.UNSUPPORTED_VERSION)),
      );
      return;
    }
    if (!api || !handler || apiVersion < api.minVersion || apiVersion > api.maxVersion) {
      this.fail(`unsupported request: API key ${apiKey}${api ? ` (${api.name})` : ''} version ${apiVersion}`);
      return;
    }
    let decoded: ReturnType<typeof decodeRequest<ApiDef>>;
    try {
      decoded = decodeRequest(api, frame);
    } catch (e) {
      this.fail(`malformed ${api.name} v${apiVersion} request: ${(e as Error).message}`);
      return;
    }
    this.clientId = decoded.header.clientId;
    const counts = this.node.requestCounts;
    counts.set(api.name, (counts.get(api.name) ?? 0) + 1);
    const ctx: RequestContext = {
      node: this.node,
      connection: this,
      header: decoded.header,
      apiVersion,
      now: this.node.clock.now(),
      readBuffers: apiKey === ApiKey.Fetch ? this.node.replicaManager.readBuffers.lease() : undefined,
    };
    if (!this.authenticated && !handler.beforeAuthentication) {
      this.fail(`${api.name} request before SASL authentication completed`);
      return;
    }
    let body: unknown;
    let dropResponse = false;
    try {
      if (apiVersion < handler.minVersion || apiVersion > handler.maxVersion) {
        body = handler.errorResponse(decoded.body, ErrorCode.UNSUPPORTED_VERSION, ctx);
      } else {
        const fault = this.node.faults.next(apiKey, fetchReplicaId(apiKey, decoded.body));
        // Injected latency runs on the broker's clock: with a manual clock the request is held
        // until the test moves time past it.
        if (fault?.delayMs) await new Promise<void>((r) => this.node.clock.setTimeout(r, fault.delayMs ?? 0));
        dropResponse = fault?.dropResponse === true;
        if (fault?.drop) {
          this.fail(`fault injection: dropping the connection on ${api.name}`, 'info');
          return;
        }
        body =
          fault?.errorCode !== undefined
            ? handler.errorResponse(decoded.body, fault.errorCode, ctx)
            : await handler.handle(ctx, decoded.body);
      }
    } catch (e) {
      this.node.log(
        'error',
        `error handling ${api.name} v${apiVersion} from ${this.remote}: ${(e as Error).stack}`,
      );
      body = handler.errorResponse(decoded.body, ErrorCode.UNKNOWN_SERVER_ERROR, ctx);
    }
    if (ctx.requestBytesReleased) this.reader.recycle(frame);
    const lease = ctx.readBuffers;
    const answered =
      body !== NO_RESPONSE &&
      !this.closed &&
      !dropResponse &&
      (!handler.expectsResponse || handler.expectsResponse(decoded.body));
    // Nothing will write what the handler read: its memory can take the next fetch at once.
    if (!answered) lease?.release();
    if (body === NO_RESPONSE || this.closed) return;
    if (dropResponse) {
      this.fail(`fault injection: dropping the ${api.name} response after handling it`, 'info');
      return;
    }
    if (!answered) return;
    try {
      // Record sets of 16 KiB or more go out as they are (views of the log, or of what was read
      // from disk), not copied into the frame: one writev of the parts. What was read from disk
      // is reused once the kernel has it.
      this.sendParts(encodeResponseParts(api, apiVersion, correlationId, body as never), lease);
    } catch (e) {
      lease?.release();
      this.node.log('error', `cannot encode ${api.name} v${apiVersion} response: ${(e as Error).message}`);
      this.close();
    }
  }

  /**
   * Closes the connection when nothing came in or went out for `maxIdleMs` and no request is
   * being handled (Kafka's `connections.max.idle.ms`): a client that went quiet, or stopped
   * half-way through a size prefix, does not hold the connection forever. True if it closed.
   */
  closeIfIdle(now: number, maxIdleMs: number): boolean {
    if (this.closed || this.processing || now - this.lastActivityMs < maxIdleMs) return false;
    this.fail(`idle for ${now - this.lastActivityMs} ms (connections.max.idle.ms=${maxIdleMs})`, 'info');
    return true;
  }

  /** Writes a whole response frame. */
  send(frame: Buffer): void {
    if (this.closed) return;
    this.lastActivityMs = this.node.clock.now();
    this.coalesceWrites();
    this.socket.write(frame);
  }

  /**
   * Holds this turn of the event loop's responses until it ends, then writes them together: a
   * client with several requests in flight (a producer's `max.in.flight`) often has them all
   * read and answered in one turn, and one writev then replaces a write(2) per response. The
   * check phase (`setImmediate`) comes right after the I/O callbacks of the turn.
   */
  private coalesceWrites(): void {
    if (this.coalescing) return;
    this.coalescing = true;
    this.socket.cork();
    setImmediate(() => this.flushWrites());
  }

  /** Writes what {@link Connection.coalesceWrites} held. */
  private flushWrites(): void {
    if (!this.coalescing) return;
    this.coalescing = false;
    this.socket.uncork();
  }

  /**
   * Writes a response frame given as parts, in one write; `lease` (the memory some parts are
   * views of) is released once the kernel has taken the last part, or at once if nothing is
   * written.
   */
  sendParts(parts: Buffer[], lease?: ReadBufferLease): void {
    if (this.closed) {
      lease?.release();
      return;
    }
    this.lastActivityMs = this.node.clock.now();
    // Called once the write is done or failed (the socket destroyed): either way nothing reads
    // the parts any more.
    const written = lease ? () => lease.release() : undefined;
    this.coalesceWrites();
    if (parts.length === 1) {
      this.socket.write(parts[0], written);
      return;
    }
    this.socket.cork();
    const last = parts.length - 1;
    for (let i = 0; i < last; i++) this.socket.write(parts[i]);
    this.socket.write(parts[last], written);
    this.socket.uncork();
  }

  /** Logs why, then closes this connection (and only this one). */
  fail(reason: string, level: 'warn' | 'info' = 'warn'): void {
    this.node.log(level, `closing connection ${this.id} from ${this.remote}: ${reason}`);
    this.close();
  }

  /** Closes the connection. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue.length = 0;
    // A response written just before (an authentication failure's) goes out before the close,
    // as it did when every response was written at once.
    this.flushWrites();
    this.socket.destroy();
    this.node.connectionClosed(this);
  }
}

/** The replica id of a follower's Fetch (v15+ carries it in `replicaState`); -1 otherwise. */
function fetchReplicaId(apiKey: number, body: unknown): number {
  if (apiKey !== ApiKey.Fetch) return -1;
  const b = body as { replicaId?: number; replicaState?: { replicaId?: number } | null };
  return Math.max(b.replicaId ?? -1, b.replicaState?.replicaId ?? -1);
}

/** What Node keeps of an accepted socket's handle; not part of its typed API. */
interface SocketInternals {
  _handle?: { useUserBuffer?: unknown } | null;
  _server?: unknown;
  server?: unknown;
}

/**
 * A socket on `accepted`'s handle whose reads go where `reader` says (Node's `onread`, offered
 * only for sockets built around a handle); `onRead(n)` is told of each read of `n` bytes into
 * `reader.buffer()`, passes them on to `reader.read`, and returns false to pause the socket
 * (`resume()` goes on). The server counts the accepted socket as its
 * connection, so the new one takes over that bookkeeping. Falls back to `accepted` itself, read
 * with 'data' events, where the handle is not a plain TCP one.
 */
export function readingIntoFrames(
  accepted: Socket,
  reader: FrameReader,
  onRead: (n: number) => boolean,
): Socket {
  const internals = accepted as unknown as SocketInternals;
  const handle = internals._handle;
  // A TLS socket's handle carries ciphertext; its plaintext only comes out in 'data' events.
  if (!handle || typeof handle.useUserBuffer !== 'function' || accepted instanceof TLSSocket) {
    accepted.on('data', (chunk: Buffer) => {
      for (let at = 0; at < chunk.length && !accepted.destroyed; ) {
        const into = reader.buffer();
        const n = chunk.copy(into, 0, at, at + into.length);
        at += n;
        if (!onRead(n)) accepted.pause();
      }
    });
    accepted.resume();
    return accepted;
  }
  const socket = new Socket({
    handle,
    readable: true,
    writable: true,
    onread: {
      buffer: () => reader.buffer(),
      callback: (n: number) => {
        if (onRead(n)) return true;
        // Marks the socket paused too (Node only stops the handle), so `resume()` restarts it.
        socket.pause();
        return false;
      },
    },
  } as ConstructorParameters<typeof Socket>[0]);
  const taken = socket as unknown as SocketInternals;
  taken._server = internals._server;
  taken.server = internals.server;
  internals._server = null;
  return socket;
}
