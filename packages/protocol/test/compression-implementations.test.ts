/**
 * Where the codecs come from when the optional native addons are not there: an addon that is not
 * installed is passed over quietly, one that is installed but cannot load is warned about with
 * its cause, and zstd without the addon uses `node:zlib` (Node 22.15+ / 23.8+) or fails with an
 * `Unavailable` error that says what to install and why the addon did not load. (The snappy and
 * LZ4 JavaScript fallbacks are held to the same fixtures and peers as the addons in the other
 * compression tests, through `setNativeCodecs(false)`.)
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  CompressionError,
  CompressionErrorKind,
  CompressionType,
  compress,
  compressSync,
  decompress,
  decompressSync,
} from '../src/compression/index.js';
import { loadAddon, nativeAddonStatus } from '../src/compression/native.js';
import { setZstdImplementations, zstdImplementation } from '../src/compression/zstd.js';
import { recordLike } from './compression-data.js';

const ADDON = '@toondepauw/node-zstd';
const dir = new URL('./fixtures/compression/', import.meta.url);
const read = (name: string) => readFileSync(new URL(name, dir));
const plain = read('plain.txt');
const zstdFixtures = ['zstd-content-size.zst', 'zstd-level19-long.zst', 'zstd-no-content-size.zst'];
/** Whether this Node's `node:zlib` has zstd (22.15+, 23.8+). */
const zlibHasZstd = typeof (zlib as { zstdCompressSync?: unknown }).zstdCompressSync === 'function';

let root = '';
/** A `require` from `root/<name>`, which has its own `node_modules`. */
const requireIn = (name: string) => createRequire(path.join(root, name, 'app.js'));

/**
 * A `require` that finds no package at all, failing as Node does. (A real one from an empty
 * directory would still search NODE_PATH, which pnpm's shims point at the whole workspace store.)
 */
function requireNothing(): NodeJS.Require {
  const notFound = (id: string) =>
    Object.assign(new Error(`Cannot find module '${id}'`), { code: 'MODULE_NOT_FOUND' });
  const require = ((id: string) => {
    throw notFound(id);
  }) as unknown as NodeJS.Require;
  require.resolve = ((id: string) => {
    throw notFound(id);
  }) as unknown as NodeJS.RequireResolve;
  return require;
}

beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'tskafka-addons-'));
  mkdirSync(path.join(root, 'empty'));
  // An addon that is installed but whose binary does not load, as napi-rs loaders fail.
  for (const [pkg, dirName] of [
    [ADDON, 'broken'],
    ['broken-addon', 'broken'],
  ]) {
    const home = path.join(root, dirName, 'node_modules', pkg);
    mkdirSync(home, { recursive: true });
    writeFileSync(path.join(home, 'package.json'), JSON.stringify({ name: pkg, main: 'index.js' }));
    writeFileSync(
      path.join(home, 'index.js'),
      "throw new Error('Cannot find native binding: no prebuilt binary for this platform');\n",
    );
  }
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

afterEach(() => {
  setZstdImplementations(['addon', 'node:zlib']);
  vi.restoreAllMocks();
});

function errorOf(f: () => unknown): CompressionError {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(CompressionError);
    return err as CompressionError;
  }
  throw new Error('expected a CompressionError');
}

describe('optional native addons', () => {
  it('one that is not installed is passed over without a warning', () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const require = requireIn('empty');
    expect(loadAddon('tskafka-no-such-addon', require)).toBeUndefined();
    expect(nativeAddonStatus('tskafka-no-such-addon', require)).toEqual({ state: 'not-installed' });
    expect(warn).not.toHaveBeenCalled();
  });

  it('one that is installed but cannot load is warned about once, with the cause', () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const require = requireIn('broken');
    expect(loadAddon('broken-addon', require)).toBeUndefined();
    expect(loadAddon('broken-addon', require)).toBeUndefined();
    expect(warn).toHaveBeenCalledTimes(1);
    const [message, options] = warn.mock.calls[0] as [string, { type: string; code: string }];
    expect(message).toContain('broken-addon is installed but cannot load');
    expect(message).toContain('no prebuilt binary for this platform');
    expect(options).toMatchObject({ type: 'TskafkaNativeAddonWarning', code: 'TSKAFKA_NATIVE_ADDON_FAILED' });
    const status = nativeAddonStatus('broken-addon', require);
    expect(status?.state).toBe('failed');
    expect(((status as { cause: Error }).cause as Error).message).toContain('Cannot find native binding');
  });

  it('the addons this package lists load here (the optional dependencies installed)', () => {
    for (const name of ['snappy', 'lz4-napi', ADDON, '@node-rs/crc32']) {
      expect(loadAddon(name), name).toBeDefined();
      expect(nativeAddonStatus(name), name).toEqual({ state: 'loaded' });
    }
    expect(zstdImplementation()).toBe('addon');
  });
});

describe('zstd on node:zlib', () => {
  if (zlibHasZstd) {
    it.each(zstdFixtures)("decodes the zstd tool's %s", async (name) => {
      setZstdImplementations(['node:zlib']);
      expect(zstdImplementation()).toBe('node:zlib');
      expect(decompressSync(CompressionType.Zstd, read(name)).equals(plain)).toBe(true);
      expect((await decompress(CompressionType.Zstd, read(name))).equals(plain)).toBe(true);
    });

    it('decodes several frames in a row (zlib alone stops after the first)', async () => {
      setZstdImplementations(['node:zlib']);
      const z = Buffer.concat([read('zstd-no-content-size.zst'), read('zstd-content-size.zst')]);
      const both = Buffer.concat([plain, plain]);
      expect(decompressSync(CompressionType.Zstd, z).equals(both)).toBe(true);
      expect((await decompress(CompressionType.Zstd, z)).equals(both)).toBe(true);
      const err = errorOf(() => decompressSync(CompressionType.Zstd, z, { maxOutputBytes: both.length - 1 }));
      expect(err.kind).toBe(CompressionErrorKind.TooLarge);
    });

    it('writes frames the addon reads and reads what the addon writes, stopping at the limit', async () => {
      const data = recordLike(300_000);
      setZstdImplementations(['node:zlib']);
      const byZlib = compressSync(CompressionType.Zstd, data);
      const byZlibAsync = await compress(CompressionType.Zstd, data);
      const tooLarge = errorOf(() =>
        decompressSync(CompressionType.Zstd, byZlib, { maxOutputBytes: data.length - 1 }),
      );
      expect(tooLarge.kind).toBe(CompressionErrorKind.TooLarge);
      setZstdImplementations(['addon']);
      const byAddon = compressSync(CompressionType.Zstd, data);
      expect(decompressSync(CompressionType.Zstd, byZlib).equals(data)).toBe(true);
      expect(decompressSync(CompressionType.Zstd, byZlibAsync).equals(data)).toBe(true);
      setZstdImplementations(['node:zlib']);
      expect(decompressSync(CompressionType.Zstd, byAddon).equals(data)).toBe(true);
    });
  } else {
    it(`is not in Node ${process.version}: Unavailable, naming the Node versions that have it and the addon`, () => {
      setZstdImplementations(['node:zlib']);
      expect(zstdImplementation()).toBeUndefined();
      const err = errorOf(() => compressSync(CompressionType.Zstd, plain));
      expect(err.kind).toBe(CompressionErrorKind.Unavailable);
      expect(err.message).toContain('node:zlib has zstd from Node 22.15 and 23.8');
      expect(err.message).toContain(`npm install ${ADDON}`);
    });
  }
});

describe('zstd with no implementation', () => {
  it('the addon not installed: Unavailable, saying what to install', async () => {
    setZstdImplementations(['addon'], requireNothing());
    const err = errorOf(() => decompressSync(CompressionType.Zstd, read('zstd-content-size.zst')));
    expect(err.kind).toBe(CompressionErrorKind.Unavailable);
    expect(err.codec).toBe('zstd');
    expect(err.message).toContain(`${ADDON} is not installed`);
    expect(err.message).toContain(`install ${ADDON} (npm install ${ADDON}) or run on Node 22.15+`);
    await expect(compress(CompressionType.Zstd, recordLike(100_000))).rejects.toMatchObject({
      kind: CompressionErrorKind.Unavailable,
    });
  });

  it('the addon installed but broken: the error gives why it did not load, as its cause', () => {
    vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    setZstdImplementations(['addon'], requireIn('broken'));
    const err = errorOf(() => compressSync(CompressionType.Zstd, plain));
    expect(err.kind).toBe(CompressionErrorKind.Unavailable);
    expect(err.message).toContain(`${ADDON} is installed but cannot load: Cannot find native binding`);
    expect((err.cause as Error).message).toContain('no prebuilt binary for this platform');
  });
});
