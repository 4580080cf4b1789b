/**
 * A bare Kafka wire connection for tests that need to send exactly the bytes they choose (bad
 * frames, unsupported versions, requests before SASL) and see exactly what comes back, including
 * the connection being closed. Encoding and decoding use `@tskafka/protocol`.
 */
import { connect, type Socket } from 'node:net';
import {
  type ApiDef,
  decodeResponse,
  encodeRequest,
  FrameDecoder,
  type MessageInput,
  type MessageValue,
} from '@tskafka/protocol/internals';

/** One TCP connection to a broker. */
export class WireClient {
  /** Resolves when the connection is closed, by either side. */
  readonly closed: Promise<void>;
  private readonly socket: Socket;
  private readonly frames: Buffer[] = [];
  private waiter: (() => void) | null = null;
  private isClosed = false;
  private nextCorrelationId = 1;

  private constructor(socket: Socket) {
    this.socket = socket;
    const decoder = new FrameDecoder(64 * 1024 * 1024);
    socket.on('data', (chunk) => {
      decoder.push(chunk, (frame) => this.frames.push(Buffer.from(frame)));
      this.wake();
    });
    socket.on('error', () => {});
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        this.isClosed = true;
        this.wake();
        resolve();
      }),
    );
  }

  /** Connects to `host:port`. */
  static connect(address: string): Promise<WireClient> {
    const i = address.lastIndexOf(':');
    const socket = connect({ host: address.slice(0, i), port: Number(address.slice(i + 1)) });
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new WireClient(socket));
      });
    });
  }

  /** Whether the connection has closed. */
  get isOpen(): boolean {
    return !this.isClosed;
  }

  /** Writes raw bytes (a whole frame, part of one, or garbage). */
  write(bytes: Buffer): void {
    if (!this.isClosed) this.socket.write(bytes);
  }

  /** Encodes and writes a request; returns its correlation id. */
  send<A extends ApiDef>(api: A, version: number, body: MessageInput<A['request']>): number {
    const correlationId = this.nextCorrelationId++;
    this.write(encodeRequest(api, version, correlationId, 'wire-client', body));
    return correlationId;
  }

  /** The next response frame (size prefix removed), or null once the connection closed. */
  async nextFrame(): Promise<Buffer | null> {
    while (this.frames.length === 0) {
      if (this.isClosed) return null;
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
      });
    }
    return this.frames.shift() as Buffer;
  }

  /**
   * Sends a request and decodes its response; rejects if the broker closes the connection
   * instead of answering, or answers another request.
   */
  async request<A extends ApiDef>(
    api: A,
    version: number,
    body: MessageInput<A['request']>,
  ): Promise<MessageValue<A['response']>> {
    const correlationId = this.send(api, version, body);
    const frame = await this.nextFrame();
    if (frame === null) throw new Error(`connection closed instead of answering ${api.name} v${version}`);
    const decoded = decodeResponse(api, version, frame);
    if (decoded.correlationId !== correlationId) {
      throw new Error(
        `${api.name} answered with correlation id ${decoded.correlationId}, sent ${correlationId}`,
      );
    }
    return decoded.body;
  }

  /** Half-closes: tells the broker nothing more is coming (it closes its side in turn). */
  end(): void {
    this.socket.end();
  }

  /** Closes the connection. */
  close(): void {
    this.socket.destroy();
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }
}
