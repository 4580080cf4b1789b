/**
 * Decoding bytes we did not write: LZ4 and zstd frames made by the reference tools (lz4 1.9.4,
 * zstd 1.5.4; see fixtures/compression/generate.sh) in every shape a Kafka peer may send: linked
 * and independent blocks, block and content checksums, content size present or absent, 64 KiB
 * to 4 MiB blocks, several frames in a row, skippable frames.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CompressionType, decompress, decompressSync } from '../src/compression/index.js';
import { xxhash32 } from '../src/compression/xxhash32.js';
import { BACKENDS, useBackend } from './compression-data.js';

const dir = new URL('./fixtures/compression/', import.meta.url);
const read = (name: string) => readFileSync(new URL(name, dir));
const plain = read('plain.txt');
const files = readdirSync(dir);

function skippableFrame(payload: Buffer, nibble = 0): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt32LE(0x184d2a50 + nibble, 0);
  h.writeUInt32LE(payload.length, 4);
  return Buffer.concat([h, payload]);
}

describe.each(BACKENDS)('LZ4 frames from the lz4 tool (%s)', (backend) => {
  useBackend(backend);

  const lz4Files = files.filter((f) => f.endsWith('.lz4'));

  it('has the fixtures', () => {
    expect(lz4Files.sort()).toEqual([
      'lz4-block-checksum-content-size-256k.lz4',
      'lz4-hc.lz4',
      'lz4-independent-64k.lz4',
      'lz4-linked-64k-content-checksum.lz4',
    ]);
  });

  it.each(lz4Files)('%s', async (name) => {
    const z = read(name);
    expect(decompressSync(CompressionType.Lz4, z).equals(plain)).toBe(true);
    expect((await decompress(CompressionType.Lz4, z)).equals(plain)).toBe(true);
  });

  it('linked blocks really refer across blocks (decoding them as independent fails)', () => {
    const z = Buffer.from(read('lz4-linked-64k-content-checksum.lz4'));
    expect(z[4] & 0x20).toBe(0);
    z[4] |= 0x20; // claim independence
    z[6] = (xxhash32(z, 4, 6) >>> 8) & 0xff;
    expect(() => decompressSync(CompressionType.Lz4, z)).toThrow(
      /match offset before the start of the block|OffsetOutOfBounds/,
    );
  });

  it('4 MiB maximum block size (BD 0x70)', () => {
    const z = Buffer.from(read('lz4-independent-64k.lz4'));
    z[5] = 0x70;
    z[6] = (xxhash32(z, 4, 6) >>> 8) & 0xff;
    expect(decompressSync(CompressionType.Lz4, z).equals(plain)).toBe(true);
  });

  it('several frames in a row, with skippable frames between', () => {
    const a = read('lz4-independent-64k.lz4');
    const b = read('lz4-linked-64k-content-checksum.lz4');
    const z = Buffer.concat([skippableFrame(Buffer.from('meta')), a, skippableFrame(Buffer.alloc(0), 15), b]);
    expect(decompressSync(CompressionType.Lz4, z).equals(Buffer.concat([plain, plain]))).toBe(true);
  });
});

describe('zstd frames from the zstd tool', () => {
  const zstdFiles = files.filter((f) => f.endsWith('.zst'));

  it('has the fixtures', () => {
    expect(zstdFiles.sort()).toEqual([
      'zstd-content-size.zst',
      'zstd-level19-long.zst',
      'zstd-no-content-size.zst',
    ]);
  });

  it.each(zstdFiles)('%s', async (name) => {
    const z = read(name);
    expect(decompressSync(CompressionType.Zstd, z).equals(plain)).toBe(true);
    expect((await decompress(CompressionType.Zstd, z)).equals(plain)).toBe(true);
  });

  it('the streaming case really has no content size in the header', () => {
    const fhd = read('zstd-no-content-size.zst')[4];
    expect(fhd >>> 6).toBe(0);
    expect(fhd & 0x20).toBe(0);
  });

  it('several frames in a row, with skippable frames between', async () => {
    const a = read('zstd-no-content-size.zst');
    const b = read('zstd-content-size.zst');
    const z = Buffer.concat([a, skippableFrame(Buffer.from('meta'), 3), b]);
    expect(decompressSync(CompressionType.Zstd, z).equals(Buffer.concat([plain, plain]))).toBe(true);
    expect((await decompress(CompressionType.Zstd, z)).equals(Buffer.concat([plain, plain]))).toBe(true);
  });
});
