/**
 * The compression interop peer: librdkafka's mock cluster (`peer.c`, compiled on first use), a
 * bare Kafka connection that speaks our frames, and a minimal record batch v2 reader and writer
 * kept here on purpose, so that the test of the codecs does not lean on the record-batch code
 * (and a bug shared by both could not hide).
 *
 * The tools are Debian packages: gcc, pkg-config, librdkafka-dev, kcat. Without them the
 * interop test fails with a message naming what to install; it never skips silently.
 */
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Api, type ApiDef } from '../../src/api.js';
import { decodeResponse, encodeRequest, FrameDecoder } from '../../src/frame.js';
import type { MessageInput, MessageValue } from '../../src/schema/dsl.js';

const SOURCE = fileURLToPath(new URL('./peer.c', import.meta.url));

/** What is missing to run the peer, as an install hint; undefined when all is there. */
export function missingTools(): string | undefined {
  const missing: string[] = [];
  const works = (cmd: string, args: string[]) => {
    const r = spawnSync(cmd, args, { stdio: 'ignore' });
    return r.error === undefined && r.status === 0;
  };
  if (!works('gcc', ['--version'])) missing.push('gcc');
  if (!works('pkg-config', ['--version'])) missing.push('pkg-config');
  else if (!works('pkg-config', ['--exists', 'rdkafka'])) missing.push('librdkafka-dev');
  if (!works('kcat', ['-V'])) missing.push('kcat');
  return missing.length ? `needs the Debian package(s): apt-get install ${missing.join(' ')}` : undefined;
}

/** Compiles `peer.c` once per source version into the OS temp dir; returns the binary's path. */
async function compilePeer(): Promise<string> {
  const source = readFileSync(SOURCE);
  const hash = createHash('sha256').update(source).digest('hex').slice(0, 16);
  const dir = join(tmpdir(), 'tskafka-compression-peer');
  const binary = join(dir, `peer-${hash}`);
  if (existsSync(binary)) return binary;
  await mkdir(dir, { recursive: true });
  const flags = spawnSync('pkg-config', ['--cflags', '--libs', 'rdkafka'], { encoding: 'utf8' });
  if (flags.status !== 0) throw new Error(`pkg-config rdkafka failed: ${flags.stderr}`);
  const tmp = `${binary}.${process.pid}.tmp`;
  const cc = spawnSync('gcc', ['-O1', '-o', tmp, SOURCE, ...flags.stdout.trim().split(/\s+/)], {
    encoding: 'utf8',
  });
  if (cc.status !== 0) throw new Error(`gcc failed: ${cc.stderr}`);
  await rename(tmp, binary);
  return binary;
}

/** A running mock cluster. */
export interface Peer {
  /** `host:port` of its one broker. */
  readonly bootstrap: string;
  /** Stops the process. */
  close(): Promise<void>;
}

/** Starts the mock cluster with one single-partition topic per name in `topics`. */
export async function startPeer(topics: string[]): Promise<Peer> {
  const binary = await compilePeer();
  const child: ChildProcessWithoutNullStreams = spawn(binary, topics, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const lines = createInterface({ input: child.stdout });
  const bootstrap = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`peer exited with ${code}: ${stderr}`)));
  });
  return {
    bootstrap,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.stdin.end();
      }),
  };
}

/** Runs kcat with `args`, feeding `input`; resolves with its standard output. */
export function kcat(args: string[], input = ''): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('kcat', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d) => {
      out += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d) => {
      err += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`kcat ${args.join(' ')} exited with ${code}: ${err}`));
    });
    child.stdin.end(input);
  });
}

/** One connection to a broker, one request at a time. */
export class Connection {
  private readonly socket: net.Socket;
  private readonly frames = new FrameDecoder();
  private waiting: ((frame: Buffer) => void) | undefined;
  private correlationId = 0;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on('data', (chunk) =>
      this.frames.push(chunk, (frame) => {
        const w = this.waiting;
        this.waiting = undefined;
        w?.(Buffer.from(frame));
      }),
    );
  }

  /** Connects to `host:port`. */
  static connect(address: string): Promise<Connection> {
    const [host, port] = address.split(':');
    return new Promise((resolve, reject) => {
      const socket = net.connect(Number(port), host, () => resolve(new Connection(socket)));
      socket.once('error', reject);
    });
  }

  /** Sends one request and resolves with the decoded response body. */
  request<A extends ApiDef>(
    api: A,
    version: number,
    body: MessageInput<A['request']>,
  ): Promise<MessageValue<A['response']>> {
    const id = ++this.correlationId;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${api.name} v${version}: no response`)), 10_000);
      this.waiting = (frame) => {
        clearTimeout(timer);
        try {
          const r = decodeResponse(api, version, frame);
          if (r.correlationId !== id) throw new Error(`correlation id ${r.correlationId}, expected ${id}`);
          resolve(r.body);
        } catch (err) {
          reject(err);
        }
      };
      this.socket.write(encodeRequest(api, version, id, 'compression-interop', body));
    });
  }

  /** Closes the socket. */
  close(): void {
    this.socket.destroy();
  }
}

/** Produce v7 of one batch to partition 0 of `topic`; resolves with the partition's error code. */
export async function produce(conn: Connection, topic: string, batch: Buffer): Promise<number> {
  const res = await conn.request(Api.Produce, 7, {
    transactionalId: null,
    acks: 1,
    timeoutMs: 5000,
    topicData: [{ name: topic, partitionData: [{ index: 0, records: batch }] }],
  });
  return res.responses[0].partitionResponses[0].errorCode;
}

/** Fetch v11 of partition 0 of `topic` from `offset`: the raw `records` bytes. */
export async function fetchRecords(conn: Connection, topic: string, offset: number): Promise<Buffer> {
  const res = await conn.request(Api.Fetch, 11, {
    replicaId: -1,
    maxWaitMs: 200,
    minBytes: 1,
    maxBytes: 64 * 1024 * 1024,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [
      {
        topic,
        partitions: [
          {
            partition: 0,
            currentLeaderEpoch: -1,
            fetchOffset: offset,
            logStartOffset: -1,
            partitionMaxBytes: 64 * 1024 * 1024,
          },
        ],
      },
    ],
    forgottenTopicsData: [],
    rackId: '',
  });
  const p = res.responses[0].partitions[0];
  if (p.errorCode !== 0) throw new Error(`fetch ${topic}@${offset}: error code ${p.errorCode}`);
  return p.records ?? Buffer.alloc(0);
}

// --- Record batch v2, minimal (KIP-98 layout), independent of src/records ---

const CRC32C_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[i] = c >>> 0;
  }
  return t;
})();

/** CRC-32C (Castagnoli) of `data`. */
export function crc32c(data: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = CRC32C_TABLE[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function zigzagVarint(n: number, out: number[]): void {
  let v = n >= 0 ? n * 2 : -n * 2 - 1;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
}

/** The `records` section of a batch (before compression): null keys, no headers. */
export function encodeRecords(values: Buffer[]): Buffer {
  const parts: Buffer[] = [];
  values.forEach((value, i) => {
    const body: number[] = [0]; // attributes
    zigzagVarint(0, body); // timestampDelta
    zigzagVarint(i, body); // offsetDelta
    zigzagVarint(-1, body); // key: null
    zigzagVarint(value.length, body);
    const tail: number[] = [];
    zigzagVarint(0, tail); // headers
    const len: number[] = [];
    zigzagVarint(body.length + value.length + tail.length, len);
    parts.push(Buffer.from(len), Buffer.from(body), value, Buffer.from(tail));
  });
  return Buffer.concat(parts);
}

/** A whole v2 batch around an already compressed `records` section. */
export function encodeBatch(records: Buffer, count: number, compression: number, timestamp: number): Buffer {
  const h = Buffer.alloc(61);
  h.writeBigInt64BE(0n, 0); // baseOffset
  h.writeInt32BE(61 - 12 + records.length, 8); // batchLength
  h.writeInt32BE(-1, 12); // partitionLeaderEpoch
  h.writeInt8(2, 16); // magic
  h.writeInt16BE(compression, 21); // attributes
  h.writeInt32BE(count - 1, 23); // lastOffsetDelta
  h.writeBigInt64BE(BigInt(timestamp), 27); // baseTimestamp
  h.writeBigInt64BE(BigInt(timestamp), 35); // maxTimestamp
  h.writeBigInt64BE(-1n, 43); // producerId
  h.writeInt16BE(-1, 51); // producerEpoch
  h.writeInt32BE(-1, 53); // baseSequence
  h.writeInt32BE(count, 57); // recordsCount
  const batch = Buffer.concat([h, records]);
  batch.writeUInt32BE(crc32c(batch.subarray(21)), 17);
  return batch;
}

/** A batch as fetched: header fields we check, and the (still compressed) records section. */
export interface FetchedBatch {
  baseOffset: number;
  compression: number;
  count: number;
  records: Buffer;
}

/** Splits fetched bytes into batches, checking each CRC; a trailing partial batch is dropped. */
export function splitBatches(data: Buffer): FetchedBatch[] {
  const batches: FetchedBatch[] = [];
  let p = 0;
  while (p + 61 <= data.length) {
    const size = 12 + data.readInt32BE(p + 8);
    if (p + size > data.length) break;
    const batch = data.subarray(p, p + size);
    if (batch.readInt8(16) !== 2) throw new Error(`magic ${batch.readInt8(16)} at ${p}`);
    if (batch.readUInt32BE(17) !== crc32c(batch.subarray(21)))
      throw new Error(`CRC mismatch in batch at ${p}`);
    batches.push({
      baseOffset: Number(batch.readBigInt64BE(0)),
      compression: batch.readInt16BE(21) & 7,
      count: batch.readInt32BE(57),
      records: batch.subarray(61),
    });
    p += size;
  }
  return batches;
}

function readVarint(b: Buffer, pos: { p: number }): number {
  let v = 0;
  let m = 1;
  while (true) {
    const byte = b[pos.p++];
    v += (byte & 0x7f) * m;
    if (byte < 0x80) break;
    m *= 128;
  }
  return v % 2 === 0 ? v / 2 : -(v + 1) / 2;
}

/** The values of `count` records in a decompressed records section (keys and headers skipped). */
export function decodeRecordValues(records: Buffer, count: number): Buffer[] {
  const values: Buffer[] = [];
  const pos = { p: 0 };
  for (let i = 0; i < count; i++) {
    const length = readVarint(records, pos);
    const end = pos.p + length;
    pos.p += 1; // attributes
    readVarint(records, pos); // timestampDelta
    readVarint(records, pos); // offsetDelta
    const keyLength = readVarint(records, pos);
    if (keyLength > 0) pos.p += keyLength;
    const valueLength = readVarint(records, pos);
    values.push(valueLength < 0 ? Buffer.alloc(0) : records.subarray(pos.p, pos.p + valueLength));
    pos.p = end;
  }
  if (pos.p !== records.length)
    throw new Error(`${records.length - pos.p} bytes left after ${count} records`);
  return values;
}
