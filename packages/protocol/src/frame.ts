/**
 * Request and response framing: the int32 size prefix, the request/response headers (with
 * Kafka's header-version rules) and the body, encoded into one buffer in two passes.
 */
import type { ApiDef } from './api.js';
import { RequestHeader } from './messages/request-header.js';
import { ResponseHeader } from './messages/response-header.js';
import { ProtocolDecodeError, ProtocolEncodeError } from './primitives/errors.js';
import { Reader } from './primitives/reader.js';
import { Writer } from './primitives/writer.js';
import { codecFor, type SizeScratch } from './schema/codec.js';
import type { MessageInput, MessageValue } from './schema/dsl.js';
import { inVersions } from './schema/versions.js';

const API_VERSIONS_KEY = 18;
const CONTROLLED_SHUTDOWN_KEY = 7;

/** Request header version for an API version: 2 when flexible, else 1 (0 for ControlledShutdown v0). */
export function requestHeaderVersion(api: ApiDef, apiVersion: number): number {
  if (api.key === CONTROLLED_SHUTDOWN_KEY && apiVersion === 0) return 0;
  return inVersions(api.request.flexibleVersions, apiVersion) ? 2 : 1;
}

/**
 * Response header version: 1 when flexible, else 0; ApiVersions responses always use v0 so that
 * a client can read the error whatever version it asked for (KIP-511).
 */
export function responseHeaderVersion(api: ApiDef, apiVersion: number): number {
  if (api.key === API_VERSIONS_KEY) return 0;
  return inVersions(api.response.flexibleVersions, apiVersion) ? 1 : 0;
}

/** Encodes a whole request frame: size prefix, header, body. */
export function encodeRequest<A extends ApiDef>(
  api: A,
  apiVersion: number,
  correlationId: number,
  clientId: string | null,
  body: MessageInput<A['request']>,
): Buffer {
  const hv = requestHeaderVersion(api, apiVersion);
  const hc = codecFor(RequestHeader, hv);
  const bc = codecFor(api.request, apiVersion);
  const header = { requestApiKey: api.key, requestApiVersion: apiVersion, correlationId, clientId };
  const lengths: number[] = [];
  const size = hc.size(header, lengths) + bc.size(body as never, lengths);
  const w = Writer.alloc(4 + size);
  w.lengths = lengths;
  w.int32(size);
  hc.write(w, header);
  bc.write(w, body as never);
  return w.buf;
}

/** Encodes a whole response frame: size prefix, header, body. */
export function encodeResponse<A extends ApiDef>(
  api: A,
  apiVersion: number,
  correlationId: number,
  body: MessageInput<A['response']>,
): Buffer {
  // Nothing spliced: one part, the whole frame.
  return encodeResponseParts(api, apiVersion, correlationId, body, 0)[0] as Buffer;
}

/**
 * Encodes a whole response frame as the parts of one write: bytes fields of `spliceMin` bytes or
 * more (the record sets of a Fetch response) are not copied into the frame but handed back as
 * parts of their own, between views of one buffer holding everything else. Written in order
 * (one `writev`), the parts are the bytes {@link encodeResponse} gives; a `spliceMin` of 0 splices
 * nothing. The spliced buffers are the caller's own: they must not change until the parts are
 * written.
 */
export function encodeResponseParts<A extends ApiDef>(
  api: A,
  apiVersion: number,
  correlationId: number,
  body: MessageInput<A['response']>,
  spliceMin = 16 * 1024,
): Buffer[] {
  const hv = responseHeaderVersion(api, apiVersion);
  const hc = codecFor(ResponseHeader, hv);
  const bc = codecFor(api.response, apiVersion);
  const header = { correlationId };
  const lengths: SizeScratch = [];
  if (spliceMin > 0) {
    lengths.spliceMin = spliceMin;
    lengths.spliced = 0;
  }
  const size = hc.size(header, lengths) + bc.size(body as never, lengths);
  const w = Writer.alloc(4 + size - (lengths.spliced ?? 0));
  w.lengths = lengths;
  w.spliceMin = spliceMin;
  w.int32(size);
  hc.write(w, header);
  bc.write(w, body as never);
  if (w.pos !== w.buf.length) {
    throw new ProtocolEncodeError(
      `${api.response.name} v${apiVersion}: wrote ${w.pos} of ${w.buf.length} bytes around spliced fields`,
    );
  }
  const splices = w.splices;
  if (splices.length === 0) return [w.buf];
  const parts: Buffer[] = [];
  let from = 0;
  for (let i = 0; i < splices.length; i += 2) {
    const at = splices[i] as number;
    const bytes = splices[i + 1] as Uint8Array;
    if (at > from) parts.push(w.buf.subarray(from, at));
    parts.push(Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length));
    from = at;
  }
  if (w.pos > from) parts.push(w.buf.subarray(from, w.pos));
  return parts;
}

/** The first three header fields, which every request header version starts with. */
export interface RequestHeaderPrefix {
  /** The API key. */
  apiKey: number;
  /** The API version. */
  apiVersion: number;
  /** The correlation id to echo. */
  correlationId: number;
}

/**
 * Reads the API key, version and correlation id of a request frame (without its size prefix),
 * which is all a broker needs to answer even a request it cannot decode.
 */
export function peekRequestHeader(frame: Buffer): RequestHeaderPrefix {
  if (frame.length < 8) {
    throw new ProtocolDecodeError(
      `request of ${frame.length} bytes is too short for a header`,
      0,
      'RequestHeader',
    );
  }
  return {
    apiKey: frame.readInt16BE(0),
    apiVersion: frame.readInt16BE(2),
    correlationId: frame.readInt32BE(4),
  };
}

/** A decoded request: header and body. */
export interface DecodedRequest<A extends ApiDef = ApiDef> {
  /** The request header. */
  header: RequestHeader;
  /** The request body. */
  body: MessageValue<A['request']>;
}

/** Decodes a request frame (without its size prefix) of a known API. */
export function decodeRequest<A extends ApiDef>(api: A, frame: Buffer): DecodedRequest<A> {
  const { apiVersion } = peekRequestHeader(frame);
  const r = new Reader(frame);
  const header = codecFor(RequestHeader, requestHeaderVersion(api, apiVersion)).read(r);
  const body = codecFor(api.request, apiVersion).read(r) as MessageValue<A['request']>;
  if (r.pos !== r.end) {
    throw new ProtocolDecodeError(
      `${r.end - r.pos} unexpected bytes after the body`,
      r.pos,
      `${api.request.name} v${apiVersion}`,
    );
  }
  return { header, body };
}

/** A decoded response: correlation id and body. */
export interface DecodedResponse<A extends ApiDef = ApiDef> {
  /** The correlation id the broker echoed. */
  correlationId: number;
  /** The response body. */
  body: MessageValue<A['response']>;
}

/** Reads the correlation id of a response frame (without its size prefix). */
export function peekCorrelationId(frame: Buffer): number {
  if (frame.length < 4) {
    throw new ProtocolDecodeError(
      `response of ${frame.length} bytes is too short for a header`,
      0,
      'ResponseHeader',
    );
  }
  return frame.readInt32BE(0);
}

/** Decodes a response frame (without its size prefix) for the API and version that was sent. */
export function decodeResponse<A extends ApiDef>(
  api: A,
  apiVersion: number,
  frame: Buffer,
): DecodedResponse<A> {
  const r = new Reader(frame);
  const header = codecFor(ResponseHeader, responseHeaderVersion(api, apiVersion)).read(r);
  const body = codecFor(api.response, apiVersion).read(r) as MessageValue<A['response']>;
  if (r.pos !== r.end) {
    throw new ProtocolDecodeError(
      `${r.end - r.pos} unexpected bytes after the body`,
      r.pos,
      `${api.response.name} v${apiVersion}`,
    );
  }
  return { correlationId: header.correlationId, body };
}

/** Raised by {@link FrameDecoder} for a size prefix that is negative or above the limit. */
export class FrameSizeError extends ProtocolDecodeError {
  /** The size the prefix claimed. */
  readonly size: number;
  /** The largest size accepted. */
  readonly maxSize: number;

  /** A frame claimed `size` bytes; at most `maxSize` are accepted. */
  constructor(size: number, maxSize: number) {
    super(
      size < 0
        ? `invalid frame size ${size}`
        : `frame of ${size} bytes exceeds the limit of ${maxSize} bytes`,
      0,
      'frame',
    );
    this.size = size;
    this.maxSize = maxSize;
  }
}

/**
 * Splits a TCP byte stream into frames. Keeps at most one partial frame between chunks; a frame
 * that arrives whole inside a chunk is handed out as a view, without copying. Never allocates
 * more than the limit, whatever a size prefix claims.
 */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private pendingLength = 0;
  /** Total bytes (prefix included) of the partial frame, once its prefix is known; else -1. */
  private needed = -1;
  private readonly maxFrameSize: number;

  /** Frames above `maxFrameSize` bytes (default 100 MiB) are rejected with {@link FrameSizeError}. */
  constructor(maxFrameSize = 100 * 1024 * 1024) {
    this.maxFrameSize = maxFrameSize;
  }

  /** Bytes held back waiting for the rest of a frame. */
  get buffered(): number {
    return this.pendingLength;
  }

  /** Feeds a chunk; calls `onFrame` with each complete frame (size prefix removed), in order. */
  push(chunk: Buffer, onFrame: (frame: Buffer) => void): void {
    let buf = chunk;
    if (this.pendingLength > 0) {
      this.chunks.push(chunk);
      this.pendingLength += chunk.length;
      if (this.needed < 0 && this.pendingLength >= 4) {
        this.needed = 4 + this.sizeOf(Buffer.concat(this.chunks, 4));
      }
      // Wait for the whole frame, then join its pieces once (not once per chunk).
      if (this.needed < 0 || this.pendingLength < this.needed) return;
      buf = Buffer.concat(this.chunks, this.pendingLength);
      this.chunks = [];
      this.pendingLength = 0;
      this.needed = -1;
    }
    let pos = 0;
    const len = buf.length;
    while (len - pos >= 4) {
      const size = this.sizeOf(buf, pos);
      if (len - pos - 4 < size) break;
      onFrame(buf.subarray(pos + 4, pos + 4 + size));
      pos += 4 + size;
    }
    if (pos < len) {
      const rest = buf.subarray(pos);
      this.chunks = [rest];
      this.pendingLength = rest.length;
      this.needed = rest.length >= 4 ? 4 + this.sizeOf(rest) : -1;
    }
  }

  private sizeOf(buf: Buffer, pos = 0): number {
    const size = buf.readInt32BE(pos);
    if (size < 0 || size > this.maxFrameSize) throw new FrameSizeError(size, this.maxFrameSize);
    return size;
  }
}
