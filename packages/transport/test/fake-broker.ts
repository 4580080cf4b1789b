/**
 * A scriptable broker for wire-level tests: it decodes each request frame and lets the test
 * decide what bytes go back (out of order, split at every byte, never, ...). The real behaviour
 * lives in the reference broker; this one exists to misbehave on purpose.
 */
import { createServer, type Server, type Socket } from 'node:net';
import {
  Api,
  type ApiDef,
  apiByKey,
  decodeRequest,
  encodeResponse,
  FrameDecoder,
  type MessageInput,
  peekRequestHeader,
} from '@tskafka/protocol/internals';

/** One request as the fake broker saw it. */
export interface FakeRequest {
  /** The API. */
  api: ApiDef;
  /** The request's version. */
  apiVersion: number;
  /** The correlation id. */
  correlationId: number;
  /** The decoded body. */
  body: unknown;
  /** The socket, to write replies with. */
  socket: Socket;
}

/** What every fake broker advertises unless the test says otherwise. */
export function allApiVersions(): { apiKey: number; minVersion: number; maxVersion: number }[] {
  return Object.values(Api).map((a) => ({
    apiKey: a.key,
    minVersion: a.minVersion,
    maxVersion: a.maxVersion,
  }));
}

/** Encodes a response frame for `req`. */
export function responseFor<A extends ApiDef>(
  req: FakeRequest,
  api: A,
  body: MessageInput<A['response']>,
): Buffer {
  return encodeResponse(api, req.apiVersion, req.correlationId, body);
}

/** A running fake broker. */
export interface FakeBroker {
  /** Its port on 127.0.0.1. */
  port: number;
  /** Every request received, in order. */
  requests: FakeRequest[];
  /** Stops listening and drops every connection. */
  close(): Promise<void>;
}

/**
 * Starts a fake broker. ApiVersions is answered with `allApiVersions()` unless `onRequest`
 * returns true for it (meaning: handled); every other request goes to `onRequest`.
 */
export async function startFakeBroker(
  onRequest: (req: FakeRequest) => boolean | undefined,
): Promise<FakeBroker> {
  const sockets = new Set<Socket>();
  const requests: FakeRequest[] = [];
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    const decoder = new FrameDecoder();
    socket.on('data', (chunk) => {
      decoder.push(chunk, (frame) => {
        const { apiKey, apiVersion, correlationId } = peekRequestHeader(frame);
        const api = apiByKey(apiKey) as ApiDef;
        const { body } = decodeRequest(api, frame);
        const req: FakeRequest = { api, apiVersion, correlationId, body, socket };
        requests.push(req);
        if (onRequest(req)) return;
        if (apiKey === Api.ApiVersions.key) {
          socket.write(
            responseFor(req, Api.ApiVersions, { errorCode: 0, apiKeys: allApiVersions(), throttleTimeMs: 0 }),
          );
        }
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    port,
    requests,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A Metadata response body naming the brokers and no topics. */
export function emptyMetadata(port: number): MessageInput<typeof Api.Metadata.response> {
  return {
    throttleTimeMs: 0,
    brokers: [{ nodeId: 1, host: '127.0.0.1', port, rack: null }],
    clusterId: 'fake',
    controllerId: 1,
    topics: [],
  };
}
