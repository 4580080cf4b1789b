/**
 * A hostile broker for the client tests: a proxy in front of a real reference broker that passes
 * everything through (broker addresses in Metadata and FindCoordinator rewritten to itself, so the
 * client stays on it) except the responses of one API, which it spoils in one chosen way:
 * garbage, a body of 0x7f bytes (every length and count about 2^31), cut short then silent, cut
 * short then closed, a size prefix of 1.9 GiB, another request's correlation id, or no answer at
 * all. For Fetch also a compressed bomb: every partition's records replaced by one batch that
 * inflates (gzip, snappy, lz4 or zstd) far beyond what the consumer asked for. What a client must
 * do with each: fail the call with a typed error within its own timeouts, without crashing or
 * holding on to memory.
 */
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';
import {
  Api,
  type ApiDef,
  apiByKey,
  CompressionType,
  compressSync,
  decodeResponse,
  encodeResponse,
  FrameDecoder,
  peekCorrelationId,
  peekRequestHeader,
  updateRecordBatchCrc,
} from '../packages/protocol/src/internals.js';

/** How the chosen API's responses are spoiled. */
export type Hostility =
  | 'garbage'
  | 'huge-counts'
  | 'truncated'
  | 'truncated-then-close'
  | 'oversized'
  | 'wrong-correlation'
  | 'silent'
  | CompressedBomb;

/** Fetch only: every partition's records are one batch of this codec that inflates to {@link BOMB_BYTES}. */
export type CompressedBomb = 'gzip-bomb' | 'snappy-bomb' | 'lz4-bomb' | 'zstd-bomb';

/**
 * What a bomb inflates to: 64 MiB, 64 times the 1 MiB a consumer of the tests asks for, built
 * cheaply: gzip as 64 members of 1 MiB of zeros (a reader must take several members), zstd and
 * lz4 as one frame (about 2 KiB and 270 KiB). Snappy cannot compress better than about 21:1, so
 * its bomb is 48 MiB in 2.3 MiB.
 */
export const BOMB_BYTES: Record<CompressedBomb, number> = {
  'gzip-bomb': 64 << 20,
  'snappy-bomb': 48 << 20,
  'lz4-bomb': 64 << 20,
  'zstd-bomb': 64 << 20,
};

const BOMB_CODEC: Record<CompressedBomb, CompressionType> = {
  'gzip-bomb': CompressionType.Gzip,
  'snappy-bomb': CompressionType.Snappy,
  'lz4-bomb': CompressionType.Lz4,
  'zstd-bomb': CompressionType.Zstd,
};

const bombs = new Map<CompressedBomb, Buffer>();

/**
 * A valid record batch v2 at offset 0 (CRC and all, so that only its size gives it away) whose
 * one record's compressed section inflates to {@link BOMB_BYTES} of zeros.
 */
function bombBatch(kind: CompressedBomb): Buffer {
  const cached = bombs.get(kind);
  if (cached) return cached;
  const codec = BOMB_CODEC[kind];
  const compressed =
    codec === CompressionType.Gzip
      ? Buffer.concat(Array(BOMB_BYTES[kind] >> 20).fill(compressSync(codec, Buffer.alloc(1 << 20))))
      : compressSync(codec, Buffer.alloc(BOMB_BYTES[kind]));
  // The v2 header (61 bytes), then the compressed records.
  const b = Buffer.alloc(61 + compressed.length);
  b.writeBigInt64BE(0n, 0); // baseOffset
  b.writeInt32BE(b.length - 12, 8); // batchLength: what follows it
  b.writeInt32BE(0, 12); // partitionLeaderEpoch
  b.writeInt8(2, 16); // magic; the CRC (17-20) is filled in last
  b.writeInt16BE(codec, 21); // attributes: the codec, create time
  b.writeInt32BE(0, 23); // lastOffsetDelta
  b.writeBigInt64BE(0n, 27); // baseTimestamp
  b.writeBigInt64BE(0n, 35); // maxTimestamp
  b.writeBigInt64BE(-1n, 43); // producerId
  b.writeInt16BE(-1, 51); // producerEpoch
  b.writeInt32BE(-1, 53); // baseSequence
  b.writeInt32BE(1, 57); // records
  compressed.copy(b, 61);
  updateRecordBatchCrc(b);
  bombs.set(kind, b);
  return b;
}

/** The Fetch response `frame` (size prefix added) with the records of every partition without an error replaced by `bomb`. */
function withBombs(frame: Buffer, version: number, bomb: Buffer): Buffer {
  const { correlationId, body } = decodeResponse(Api.Fetch, version, frame);
  for (const t of body.responses) {
    for (const p of t.partitions) {
      if (p.errorCode !== 0) continue;
      p.records = bomb;
      p.highWatermark = Math.max(p.highWatermark, 1);
      p.lastStableOffset = Math.max(p.lastStableOffset, 1);
    }
  }
  return encodeResponse(Api.Fetch, version, correlationId, body);
}

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
  if (hostility.endsWith('-bomb')) {
    if (apiKey !== Api.Fetch.key) throw new Error(`${hostility} spoils Fetch responses only`);
    bombBatch(hostility as CompressedBomb); // built before any client measures its memory
  }
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
          spoil(client, frame, req.apiVersion);
          return;
        }
        client.write(rewriteAddresses(frame, req ? apiByKey(req.apiKey) : undefined, req?.apiVersion ?? -1));
      }),
    );
  });

  const spoil = (client: Socket, frame: Buffer, apiVersion: number) => {
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
      case 'gzip-bomb':
      case 'snappy-bomb':
      case 'lz4-bomb':
      case 'zstd-bomb':
        client.write(withBombs(frame, apiVersion, bombBatch(hostility)));
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
