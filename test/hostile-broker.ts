/**
 * A hostile broker for the client tests: a proxy in front of a real reference broker that passes
 * everything through (broker addresses in Metadata and FindCoordinator rewritten to itself, so the
 * client stays on it) except the responses of one API, which it spoils in one chosen way:
 * garbage, a body of 0x7f bytes (every length and count about 2^31), cut short then silent, cut
 * short then closed, a size prefix of 1.9 GiB, another request's correlation id, or no answer at
 * all. What a client must do with each: fail the call with a typed error within its own timeouts,
 * without crashing or holding on to memory.
 */
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';
import {
  Api,
  type ApiDef,
  apiByKey,
  decodeResponse,
  encodeResponse,
  FrameDecoder,
  peekCorrelationId,
  peekRequestHeader,
} from '../packages/protocol/src/internals.js';

/** How the chosen API's responses are spoiled. */
export type Hostility =
  | 'garbage'
  | 'huge-counts'
  | 'truncated'
  | 'truncated-then-close'
  | 'oversized'
  | 'wrong-correlation'
  | 'silent';

/** A running hostile broker. */
export interface HostileBroker {
  /** Its address, for `bootstrap.servers`. */
  readonly bootstrap: string;
  /** Responses of the target API spoiled so far. */
  readonly spoiled: number;
  /** Stops listening and drops every connection. */
  close(): Promise<void>;
}

const withSizePrefix = (frame: Buffer): Buffer => {
  const out = Buffer.allocUnsafe(4 + frame.length);
  out.writeInt32BE(frame.length, 0);
  frame.copy(out, 4);
  return out;
};

/** A pseudo-random byte stream (fixed seed: the same garbage every run). */
function garbage(n: number): Buffer {
  const out = Buffer.allocUnsafe(n);
  let x = 0x9e3779b9;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/**
 * Starts a hostile proxy in front of `upstream` (`host:port` of a single broker) that spoils every
 * response to `apiKey` as `hostility` says.
 */
export async function startHostileBroker(
  upstream: string,
  apiKey: number,
  hostility: Hostility,
): Promise<HostileBroker> {
  const [uh, up] = [
    upstream.slice(0, upstream.lastIndexOf(':')),
    Number(upstream.slice(upstream.lastIndexOf(':') + 1)),
  ];
  const sockets = new Set<Socket>();
  let spoiled = 0;
  const server: Server = createServer((client) => {
    const broker = tcpConnect({ host: uh, port: up });
    sockets.add(client);
    sockets.add(broker);
    const inFlight = new Map<number, { apiKey: number; apiVersion: number }>();
    const fromClient = new FrameDecoder();
    const fromBroker = new FrameDecoder();
    const drop = () => {
      client.destroy();
      broker.destroy();
    };
    client.on('error', drop).on('close', drop);
    broker.on('error', drop).on('close', drop);
    client.on('data', (chunk) =>
      fromClient.push(chunk, (frame) => {
        const h = peekRequestHeader(frame);
        inFlight.set(h.correlationId, { apiKey: h.apiKey, apiVersion: h.apiVersion });
        broker.write(withSizePrefix(frame));
      }),
    );
    broker.on('data', (chunk) =>
      fromBroker.push(chunk, (frame) => {
        const correlationId = peekCorrelationId(frame);
        const req = inFlight.get(correlationId);
        inFlight.delete(correlationId);
        if (req?.apiKey === apiKey) {
          spoiled++;
          spoil(client, frame);
          return;
        }
        client.write(rewriteAddresses(frame, req ? apiByKey(req.apiKey) : undefined, req?.apiVersion ?? -1));
      }),
    );
  });

  const spoil = (client: Socket, frame: Buffer) => {
    // The header is the correlation id (4 bytes), plus a tagged-field byte in flexible versions;
    // keeping the first 4 bytes keeps the response matched to its request.
    const body = frame.length - 4;
    switch (hostility) {
      case 'garbage':
        client.write(withSizePrefix(Buffer.concat([frame.subarray(0, 4), garbage(Math.max(body, 16))])));
        return;
      case 'huge-counts':
        client.write(
          withSizePrefix(Buffer.concat([frame.subarray(0, 4), Buffer.alloc(Math.max(body, 16), 0x7f)])),
        );
        return;
      case 'truncated':
        client.write(withSizePrefix(frame).subarray(0, 4 + Math.floor(frame.length / 2)));
        return;
      case 'truncated-then-close':
        client.end(withSizePrefix(frame).subarray(0, 4 + Math.floor(frame.length / 2)));
        return;
      case 'oversized': {
        const head = Buffer.alloc(8);
        head.writeInt32BE(0x7800_0000, 0);
        frame.copy(head, 4, 0, 4);
        client.write(head);
        return;
      }
      case 'wrong-correlation': {
        const copy = Buffer.from(frame);
        copy.writeInt32BE(copy.readInt32BE(0) + 1_000_000, 0);
        client.write(withSizePrefix(copy));
        return;
      }
      case 'silent':
        return;
    }
  };

  const rewriteAddresses = (frame: Buffer, api: ApiDef | undefined, version: number): Buffer => {
    if (api !== Api.Metadata && api !== Api.FindCoordinator) return withSizePrefix(frame);
    const { correlationId, body } = decodeResponse(api, version, frame);
    const me = server.address() as { port: number };
    const swap = (o: { host: string; port: number }) => {
      if (o.port === up) {
        o.host = '127.0.0.1';
        o.port = me.port;
      }
    };
    const b = body as {
      brokers?: { host: string; port: number }[];
      coordinators?: { host: string; port: number }[];
    } & {
      host?: string;
      port?: number;
    };
    for (const x of b.brokers ?? []) swap(x);
    for (const x of b.coordinators ?? []) swap(x);
    if (typeof b.host === 'string' && typeof b.port === 'number') swap(b as { host: string; port: number });
    return encodeResponse(api, version, correlationId, body as never);
  };

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    bootstrap: `127.0.0.1:${port}`,
    get spoiled() {
      return spoiled;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
