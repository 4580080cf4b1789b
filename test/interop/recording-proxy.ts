/**
 * A recording TCP proxy for Kafka connections: one listener per upstream broker, every frame in
 * both directions recorded as it arrived, responses matched to their requests by correlation id.
 *
 * So that a client keeps talking through the proxies after bootstrap, Metadata, FindCoordinator
 * and DescribeCluster responses are decoded, broker addresses that belong to an upstream are
 * replaced by that upstream's proxy, and the response is re-encoded before it is forwarded. The
 * recording always holds the original bytes from the broker, never the rewritten ones.
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
} from '../../packages/protocol/src/internals.js';

/** One frame as it crossed the proxy. */
export interface RecordedFrame {
  /** Client to broker (`request`) or broker to client (`response`). */
  direction: 'request' | 'response';
  /** API key from the request header (for a response, from its matched request; -1 if none). */
  apiKey: number;
  /** API name when this package has a schema for the key, else `ApiKey<n>`. */
  apiName: string;
  /** API version from the request header (for a response, from its matched request). */
  apiVersion: number;
  /** Correlation id from the header. */
  correlationId: number;
  /** Sequence number of the client connection, from 1, in the order they were accepted. */
  connection: number;
  /** `host:port` of the upstream broker. */
  upstream: string;
  /** The frame without its int32 size prefix, exactly as received (copied). */
  bytes: Buffer;
}

/** Options of {@link startRecordingProxy}. */
export interface RecordingProxyOptions {
  /** `host:port` of each broker to put a proxy in front of, e.g. a mock's bootstrap servers. */
  upstreams: string[];
  /** Address the proxies listen on and advertise; default `127.0.0.1`. */
  host?: string;
  /** Rewrite broker addresses in Metadata, FindCoordinator and DescribeCluster; default true. */
  rewriteAddresses?: boolean;
  /** Called with each frame as it is recorded. */
  onFrame?: (frame: RecordedFrame) => void;
}

/** A running set of proxies. */
export interface RecordingProxy {
  /** The proxies' `host:port`, comma-separated, in the order of `upstreams`. */
  readonly bootstrapServers: string;
  /** The proxy address in front of an upstream `host:port`. */
  addressOf(upstream: string): string;
  /** Every frame recorded since start or the last {@link RecordingProxy.take}, in arrival order. */
  readonly frames: RecordedFrame[];
  /** Problems met while proxying (an undecodable response, an unmatched correlation id). */
  readonly problems: string[];
  /** Returns the frames recorded so far and starts a new recording. */
  take(): RecordedFrame[];
  /** Stops listening and drops every open connection. */
  close(): Promise<void>;
}

interface Endpoint {
  host: string;
  port: number;
}

function parseAddress(address: string): Endpoint {
  const i = address.lastIndexOf(':');
  if (i < 0) throw new Error(`expected host:port, got ${address}`);
  return { host: address.slice(0, i), port: Number(address.slice(i + 1)) };
}

function apiName(key: number): string {
  return apiByKey(key)?.name ?? `ApiKey${key}`;
}

function withSizePrefix(frame: Buffer): Buffer {
  const out = Buffer.allocUnsafe(4 + frame.length);
  out.writeInt32BE(frame.length, 0);
  frame.copy(out, 4);
  return out;
}

/** Starts one proxy per upstream broker; resolves once all listen. */
export async function startRecordingProxy(options: RecordingProxyOptions): Promise<RecordingProxy> {
  const host = options.host ?? '127.0.0.1';
  const rewrite = options.rewriteAddresses ?? true;
  let frames: RecordedFrame[] = [];
  const problems: string[] = [];
  const sockets = new Set<Socket>();
  const servers: Server[] = [];
  /** Upstream `host:port` → proxy endpoint. */
  const proxyFor = new Map<string, Endpoint>();
  let connections = 0;

  const record = (f: RecordedFrame) => {
    frames.push(f);
    options.onFrame?.(f);
  };

  /** The proxy in front of a broker address, matching on host and port, else on port alone. */
  const lookup = (h: string, p: number): Endpoint | undefined => {
    const exact = proxyFor.get(`${h}:${p}`);
    if (exact) return exact;
    const byPort = [...proxyFor.entries()].filter(([k]) => parseAddress(k).port === p);
    return byPort.length === 1 ? byPort[0][1] : undefined;
  };

  const rewriteBody = (api: ApiDef, body: Record<string, unknown>): boolean => {
    let changed = false;
    const swap = (o: { host: string; port: number }) => {
      const to = lookup(o.host, o.port);
      if (!to) {
        problems.push(
          `${api.name}: no proxy for broker ${o.host}:${o.port}; the client will bypass the proxy`,
        );
        return;
      }
      if (o.host !== to.host || o.port !== to.port) {
        o.host = to.host;
        o.port = to.port;
        changed = true;
      }
    };
    if (api === Api.Metadata || api === Api.DescribeCluster) {
      for (const b of body.brokers as { host: string; port: number }[]) swap(b);
    } else if (api === Api.FindCoordinator) {
      // v0-3 carry one coordinator at the top level, v4+ a list; an error leaves host empty.
      if (typeof body.host === 'string' && body.host !== '') swap(body as { host: string; port: number });
      for (const c of body.coordinators as { host: string; port: number }[]) if (c.host !== '') swap(c);
    }
    return changed;
  };

  const forwardResponse = (frame: Buffer, api: ApiDef | undefined, version: number): Buffer => {
    if (
      !rewrite ||
      !api ||
      (api !== Api.Metadata && api !== Api.FindCoordinator && api !== Api.DescribeCluster)
    ) {
      return withSizePrefix(frame);
    }
    try {
      const { correlationId, body } = decodeResponse(api, version, frame);
      if (!rewriteBody(api, body as Record<string, unknown>)) return withSizePrefix(frame);
      return encodeResponse(api, version, correlationId, body as never);
    } catch (e) {
      problems.push(`${api.name} v${version}: cannot rewrite addresses: ${(e as Error).message}`);
      return withSizePrefix(frame);
    }
  };

  const onConnection = (upstreamAddress: string, client: Socket) => {
    const connection = ++connections;
    const { host: uh, port: up } = parseAddress(upstreamAddress);
    const upstream = tcpConnect({ host: uh, port: up });
    sockets.add(client);
    sockets.add(upstream);
    const inFlight = new Map<number, { apiKey: number; apiVersion: number }>();
    const fromClient = new FrameDecoder();
    const fromBroker = new FrameDecoder();

    const fail = (side: string, e: unknown) => {
      problems.push(`connection ${connection} (${upstreamAddress}) ${side}: ${(e as Error).message}`);
      client.destroy();
      upstream.destroy();
    };

    client.on('data', (chunk) => {
      try {
        fromClient.push(chunk, (frame) => {
          const h = peekRequestHeader(frame);
          inFlight.set(h.correlationId, { apiKey: h.apiKey, apiVersion: h.apiVersion });
          record({
            direction: 'request',
            apiKey: h.apiKey,
            apiName: apiName(h.apiKey),
            apiVersion: h.apiVersion,
            correlationId: h.correlationId,
            connection,
            upstream: upstreamAddress,
            bytes: Buffer.from(frame),
          });
          upstream.write(withSizePrefix(frame));
        });
      } catch (e) {
        fail('request stream', e);
      }
    });

    upstream.on('data', (chunk) => {
      try {
        fromBroker.push(chunk, (frame) => {
          const correlationId = peekCorrelationId(frame);
          const req = inFlight.get(correlationId);
          if (req) inFlight.delete(correlationId);
          else problems.push(`connection ${connection}: response ${correlationId} matches no request`);
          const apiKey = req?.apiKey ?? -1;
          const apiVersion = req?.apiVersion ?? -1;
          record({
            direction: 'response',
            apiKey,
            apiName: apiName(apiKey),
            apiVersion,
            correlationId,
            connection,
            upstream: upstreamAddress,
            bytes: Buffer.from(frame),
          });
          client.write(forwardResponse(frame, req ? apiByKey(apiKey) : undefined, apiVersion));
        });
      } catch (e) {
        fail('response stream', e);
      }
    });

    const closeBoth = () => {
      client.end();
      upstream.end();
    };
    client.on('end', closeBoth);
    upstream.on('end', closeBoth);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => sockets.delete(client));
    upstream.on('close', () => sockets.delete(upstream));
  };

  for (const upstream of options.upstreams) {
    const server = createServer((socket) => onConnection(upstream, socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, host, () => resolve());
    });
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('proxy has no TCP address');
    proxyFor.set(upstream, { host, port: address.port });
    servers.push(server);
  }

  const addressOf = (upstream: string) => {
    const p = proxyFor.get(upstream);
    if (!p) throw new Error(`no proxy in front of ${upstream}`);
    return `${p.host}:${p.port}`;
  };

  return {
    bootstrapServers: options.upstreams.map(addressOf).join(','),
    addressOf,
    get frames() {
      return frames;
    },
    problems,
    take() {
      const out = frames;
      frames = [];
      return out;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    },
  };
}
