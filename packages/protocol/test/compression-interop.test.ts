/**
 * Interop of the codecs with librdkafka (2.x, through kcat) over a real Kafka connection to
 * librdkafka's mock cluster:
 *
 * - librdkafka writes, we read: kcat produces known values with `-z <codec>`; we Fetch the raw
 *   batches, check the codec in their attributes, decompress the records section with our codec
 *   and compare the values.
 * - we write, librdkafka reads: we Produce a batch whose records section our codec compressed;
 *   kcat consumes it (`check.crcs=true`) and prints the values.
 *
 * Snappy and LZ4 go both ways on the native addons and on the JavaScript fallbacks.
 *
 * The record batch framing here is the minimal one in `compression-peer/peer.ts`, not
 * `src/records`, so this tests the codecs alone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CompressionType,
  compressionTypeName,
  compressSync,
  decompress,
  decompressSync,
} from '../src/compression/index.js';
import { setNativeCodecs } from '../src/compression/native.js';
import { isXerialFramed } from '../src/compression/snappy.js';
import {
  Connection,
  decodeRecordValues,
  encodeBatch,
  encodeRecords,
  fetchRecords,
  kcat,
  missingTools,
  type Peer,
  produce,
  splitBatches,
  startPeer,
} from './compression-peer/peer.js';

const CODECS = [
  CompressionType.Gzip,
  CompressionType.Snappy,
  CompressionType.Lz4,
  CompressionType.Zstd,
] as const;

/** Record-like values, no newlines (kcat splits on them); one long one spans many codec blocks. */
function values(codec: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < 300; i++) {
    out.push(
      JSON.stringify({
        i,
        codec,
        user: `user-${(i * 7919) % 1000}`,
        event: ['view', 'click', 'buy'][i % 3],
        pad: 'x'.repeat(i % 97),
      }),
    );
  }
  // 300 KB: several 64 KiB LZ4 blocks and 128 KiB zstd blocks, with repeats to match across them.
  let long = '';
  for (let i = 0; long.length < 300_000; i++) long += `${codec}:${i % 1000}:${(i * 2654435761) % 4096};`;
  out.push(long);
  return out;
}

/**
 * What librdkafka 2.x writes, which the decoders must take: raw snappy (no xerial framing); LZ4
 * frames of independent 64 KiB blocks without checksums or content size (FLG 0x60, BD 0x40);
 * zstd frames without the content size in the header (so decoding has to stream).
 */
function expectLibrdkafkaShape(codec: CompressionType, records: Buffer): void {
  if (codec === CompressionType.Snappy) expect(isXerialFramed(records)).toBe(false);
  if (codec === CompressionType.Lz4) expect([records[4], records[5]]).toEqual([0x60, 0x40]);
  if (codec === CompressionType.Zstd) {
    const fhd = records[4];
    expect(fhd >>> 6).toBe(0); // Frame_Content_Size_flag 0...
    expect(fhd & 0x20).toBe(0); // ...and not single-segment: no content size field at all
  }
}

const hasFallback = (codec: CompressionType) =>
  codec === CompressionType.Snappy || codec === CompressionType.Lz4;

function withNative<T>(on: boolean, f: () => T): T {
  const was = setNativeCodecs(on);
  try {
    return f();
  } finally {
    setNativeCodecs(was);
  }
}

const tools = missingTools();

describe('codecs against librdkafka (kcat + mock cluster)', () => {
  let peer: Peer;
  let conn: Connection;

  beforeAll(async () => {
    // Fails, never skips: CI installs the tools.
    if (tools !== undefined) throw new Error(`the compression interop test ${tools}`);
    const topics = CODECS.flatMap((c) => [
      `from-kcat-${compressionTypeName(c)}`,
      `from-us-${compressionTypeName(c)}`,
    ]);
    peer = await startPeer(topics);
    conn = await Connection.connect(peer.bootstrap);
  }, 60_000);

  afterAll(async () => {
    conn?.close();
    await peer?.close();
  });

  for (const codec of CODECS) {
    const name = compressionTypeName(codec);

    it(`reads ${name} batches librdkafka wrote`, async () => {
      const topic = `from-kcat-${name}`;
      const sent = values(name);
      await kcat(
        [
          '-P',
          '-b',
          peer.bootstrap,
          '-t',
          topic,
          '-p',
          '0',
          '-z',
          name,
          '-X',
          'linger.ms=200',
          '-X',
          'batch.num.messages=10000',
        ],
        `${sent.join('\n')}\n`,
      );
      const got: string[] = [];
      const codecsSeen = new Set<number>();
      let offset = 0;
      for (let tries = 0; got.length < sent.length && tries < 50; tries++) {
        for (const batch of splitBatches(await fetchRecords(conn, topic, offset))) {
          codecsSeen.add(batch.compression);
          expectLibrdkafkaShape(codec, batch.records);
          const sync = decompressSync(batch.compression as CompressionType, batch.records);
          const async = await decompress(batch.compression as CompressionType, batch.records);
          expect(async.equals(sync)).toBe(true);
          if (hasFallback(codec)) {
            const js = withNative(false, () => decompressSync(codec, batch.records));
            expect(js.equals(sync)).toBe(true);
          }
          for (const v of decodeRecordValues(sync, batch.count)) got.push(v.toString());
          offset = batch.baseOffset + batch.count;
        }
      }
      expect([...codecsSeen]).toEqual([codec]);
      expect(got).toEqual(sent);
    });

    it(`writes ${name} batches librdkafka reads`, async () => {
      const topic = `from-us-${name}`;
      const sent = values(`ours-${name}`);
      // A batch from the native addon, and for snappy and LZ4 one from the JavaScript fallback.
      const plain = encodeRecords(sent.map((v) => Buffer.from(v)));
      const batches = [compressSync(codec, plain)];
      if (hasFallback(codec)) batches.push(withNative(false, () => compressSync(codec, plain)));
      for (const records of batches) {
        expect(await produce(conn, topic, encodeBatch(records, sent.length, codec, Date.now()))).toBe(0);
      }
      const out = await kcat([
        '-C',
        '-b',
        peer.bootstrap,
        '-t',
        topic,
        '-p',
        '0',
        '-o',
        'beginning',
        '-e',
        '-q',
        '-f',
        '%s\\n',
        '-X',
        'check.crcs=true',
      ]);
      expect(out.split('\n').slice(0, -1)).toEqual(batches.flatMap(() => sent));
    });
  }
});
