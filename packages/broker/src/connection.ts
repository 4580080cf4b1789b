/**
 * One client connection: splits the byte stream into frames and handles them strictly one at a
 * time, in order, as a Kafka broker does (it mutes a channel while a request is in flight), so
 * responses always go back in request order. A frame that cannot be decoded closes this
 * connection, with a log line naming the problem; nothing else is affected.
 */
import type { Socket } from 'node:net';
import {
  type ApiDef,
  ApiKey,
  apiByKey,
  decodeRequest,
  ErrorCode,
  encodeResponse,
  FrameDecoder,
  peekRequestHeader,
} from '@tskafka/protocol';
import type { BrokerNode } from './broker.js';
import { NO_RESPONSE, type RequestContext } from './handler.js';
import type { SaslServerSession } from './sasl.js';

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
  /** The authenticated user, once known. */
  principal: string | null = null;
  /** The client id of the latest request. */
  clientId: string | null = null;
  private readonly node: BrokerNode;
  private readonly socket: Socket;
  private readonly decoder: FrameDecoder;
  private readonly queue: Buffer[] = [];
  private processing = false;
  private closed = false;

  /** Starts reading `socket` for `node`. */
  constructor(node: BrokerNode, socket: Socket) {
    this.node = node;
    this.socket = socket;
    this.remote = `${socket.remoteAddress}:${socket.remotePort}`;
    this.authenticated = node.config.saslEnabledMechanisms.length === 0;
    this.decoder = new FrameDecoder(node.config.socketRequestMaxBytes);
    socket.setNoDelay(true);
    socket.on('data', (chunk) => this.onData(chunk));
    socket.on('error', () => this.close());
    socket.on('close', () => this.close());
  }

  private onData(chunk: Buffer): void {
    try {
      this.decoder.push(chunk, (frame) => this.queue.push(frame));
    } catch (e) {
      this.fail(`bad frame: ${(e as Error).message}`);
      return;
    }
    if (this.queue.length > MAX_QUEUED_FRAMES) this.socket.pause();
    if (!this.processing) void this.drain();
  }

  private async drain(): Promise<void> {
    this.processing = true;
    try {
      while (this.queue.length && !this.closed) {
        const frame = this.queue.shift() as Buffer;
        if (this.queue.length <= MAX_QUEUED_FRAMES / 2 && this.socket.isPaused()) this.socket.resume();
        await this.handleFrame(frame);
      }
    } finally {
      this.processing = false;
    }
  }

  private async handleFrame(frame: Buffer): Promise<void> {
    if (this.rawSaslTokenExpected) {
      await this.node.sasl.handleRawToken(this, frame);
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
    const ctx: RequestContext = {
      node: this.node,
      connection: this,
      header: decoded.header,
      apiVersion,
      now: Date.now(),
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
        const fault = this.node.faults.next(apiKey);
        if (fault?.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
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
    if (body === NO_RESPONSE || this.closed) return;
    if (dropResponse) {
      this.fail(`fault injection: dropping the ${api.name} response after handling it`, 'info');
      return;
    }
    if (handler.expectsResponse && !handler.expectsResponse(decoded.body)) return;
    try {
      this.send(encodeResponse(api, apiVersion, correlationId, body as never));
    } catch (e) {
      this.node.log('error', `cannot encode ${api.name} v${apiVersion} response: ${(e as Error).message}`);
      this.close();
    }
  }

  /** Writes a whole response frame. */
  send(frame: Buffer): void {
    if (!this.closed) this.socket.write(frame);
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
    this.socket.destroy();
    this.node.connectionClosed(this);
  }
}
