// Throughput of the compression codecs on record-like data, by hand (see README.md here):
//
//   npx tsc -p packages/protocol/tsconfig.build.json   # the `tskafka` rows import dist/
//   node bench/compression/codecs.mjs
//   BENCH_ALT_DIR=/tmp/cand node bench/compression/codecs.mjs
//
// Rows for the addons @tskafka/protocol depends on (snappy, lz4-napi, @toondepauw/node-zstd)
// always run; BENCH_ALT_DIR names a folder whose node_modules holds the rejected alternatives
// (`npm i snappyjs lz4js @mongodb-js/zstd@1.2.2 zstd-codec fzstd @bokuweb/zstd-wasm` there), and
// rows whose package is missing are skipped. The `tskafka` rows go through our public API
// (framing, checks and limits included). BENCH_SIZES, BENCH_MS and BENCH_ROUNDS tune the run.
// Numbers are MB of uncompressed bytes (input for compress, output for decompress) per CPU-second.

import { createRequire } from 'node:module';
import path from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import zlib from 'node:zlib';
import { recordLikeData } from './data.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const altDir = process.env.BENCH_ALT_DIR;
const altRequire = altDir ? createRequire(path.join(path.resolve(altDir), 'noop.js')) : undefined;
const localRequire = createRequire(path.join(here, '../../packages/protocol/package.json'));
const sizes = (process.env.BENCH_SIZES ?? '16384,262144,1048576').split(',').map(Number);
const minMs = Number(process.env.BENCH_MS ?? 200);
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);

function load(name) {
  for (const req of [localRequire, altRequire]) {
    if (!req) continue;
    try {
      return req(name);
    } catch {}
  }
  return undefined;
}

async function loadDist(file) {
  try {
    return await import(
      pathToFileURL(path.join(here, '../../packages/protocol/dist/compression', file)).href
    );
  } catch {
    return undefined;
  }
}

/**
 * MB per CPU-second for `bytes` per call of `fn`: the best of `rounds` rounds of at least `minMs`
 * each. CPU time (`process.cpuUsage`, all threads, so the thread pool's work counts) rather than
 * wall time, because this 2-core VM is shared with other jobs; the best round because even CPU
 * time swings with page faults on fresh buffers and cache pressure from neighbours.
 */
async function rate(fn, bytes) {
  for (let i = 0; i < 3; i++) await fn(); // warm up
  let best = 0;
  for (let r = 0; r < rounds; r++) {
    let n = 0;
    const wallStart = process.hrtime.bigint();
    const cpuStart = process.cpuUsage();
    let sinceTurn = 0;
    while (Number(process.hrtime.bigint() - wallStart) / 1e6 < minMs) {
      await fn();
      n++;
      // Let the event loop turn every MiB, as a client does between responses: napi-rs buffers
      // are freed by finalizers that only run then, and a tight loop measures page faults.
      sinceTurn += bytes;
      if (sinceTurn >= 1 << 20) {
        sinceTurn = 0;
        await nextTurn();
      }
    }
    const cpu = process.cpuUsage(cpuStart);
    const seconds = (cpu.user + cpu.system) / 1e6;
    best = Math.max(best, (bytes * n) / seconds / 1e6);
  }
  return best;
}

async function candidates() {
  const rows = [];
  rows.push({
    codec: 'gzip',
    impl: 'node:zlib sync (level 6)',
    c: (d) => zlib.gzipSync(d),
    d: (z) => zlib.gunzipSync(z),
  });
  const snappy = load('snappy');
  if (snappy)
    rows.push({
      codec: 'snappy',
      impl: 'snappy (napi-rs) raw sync',
      c: (d) => snappy.compressSync(d),
      d: (z) => snappy.uncompressSync(z, { asBuffer: true }),
    });
  const snappyjs = load('snappyjs');
  if (snappyjs)
    rows.push({
      codec: 'snappy',
      impl: 'snappyjs raw',
      c: (d) => snappyjs.compress(d),
      d: (z) => snappyjs.uncompress(z),
    });
  const lz4js = load('lz4js');
  if (lz4js)
    rows.push({
      codec: 'lz4',
      impl: 'lz4js frame',
      c: (d) => lz4js.compress(d),
      d: (z) => lz4js.decompress(z),
    });
  const lz4napi = load('lz4-napi');
  if (lz4napi)
    rows.push({
      codec: 'lz4',
      impl: 'lz4-napi frame sync',
      c: (d) => lz4napi.compressFrameSync(d),
      d: (z) => lz4napi.decompressFrameSync(z),
    });
  const nodeZstd = load('@toondepauw/node-zstd');
  if (nodeZstd) {
    const enc = new nodeZstd.Encoder(3);
    const dec = new nodeZstd.Decoder();
    rows.push({
      codec: 'zstd',
      impl: '@toondepauw/node-zstd sync (3)',
      c: (d) => enc.encodeSync(d),
      d: (z) => dec.decodeSync(z),
    });
  }
  // node:zlib has zstd from Node 22.15 / 23.8: run this file with such a Node to get the row.
  if (typeof zlib.zstdCompressSync === 'function') {
    const level = { params: { [zlib.constants.ZSTD_c_compressionLevel]: 3 } };
    rows.push({
      codec: 'zstd',
      impl: 'node:zlib sync (3)',
      c: (d) => zlib.zstdCompressSync(d, level),
      d: (z) => zlib.zstdDecompressSync(z),
    });
  }
  const mongoZstd = load('@mongodb-js/zstd');
  if (mongoZstd)
    rows.push({
      codec: 'zstd',
      impl: '@mongodb-js/zstd async (3)',
      c: (d) => mongoZstd.compress(d, 3),
      d: (z) => mongoZstd.decompress(z),
    });
  const zstdCodec = load('zstd-codec');
  if (zstdCodec) {
    const simple = await new Promise((resolve) => zstdCodec.ZstdCodec.run((z) => resolve(new z.Simple())));
    rows.push({
      codec: 'zstd',
      impl: 'zstd-codec wasm (3)',
      c: (d) => simple.compress(d, 3),
      d: (z) => simple.decompress(z),
    });
  }
  const bokuweb = load('@bokuweb/zstd-wasm');
  if (bokuweb) {
    await bokuweb.init();
    rows.push({
      codec: 'zstd',
      impl: '@bokuweb/zstd-wasm (3)',
      c: (d) => bokuweb.compress(d, 3),
      d: (z) => bokuweb.decompress(z, { defaultHeapSize: 4 << 20 }),
    });
  }
  const fzstd = load('fzstd');
  if (fzstd && nodeZstd) {
    const enc = new nodeZstd.Encoder(3);
    rows.push({
      codec: 'zstd',
      impl: 'fzstd (decode only)',
      c: (d) => enc.encodeSync(d),
      d: (z) => fzstd.decompress(z),
      decodeOnly: true,
    });
  }
  const snappyDist = await loadDist('snappy.js');
  if (snappyDist)
    rows.push({
      codec: 'snappy',
      impl: 'tskafka raw block (librdkafka shape)',
      c: (d) => snappyDist.snappyCompressRaw(d),
      d: (z) => snappyDist.snappyDecompressRaw(z, 1 << 30),
    });
  const tk = await loadDist('index.js');
  if (tk) {
    for (const [codec, type] of [
      ['gzip', tk.CompressionType.Gzip],
      ['snappy', tk.CompressionType.Snappy],
      ['lz4', tk.CompressionType.Lz4],
      ['zstd', tk.CompressionType.Zstd],
    ]) {
      rows.push({
        codec,
        impl: 'tskafka compressSync',
        c: (d) => tk.compressSync(type, d),
        d: (z) => tk.decompressSync(type, z),
      });
      rows.push({
        codec,
        impl: 'tskafka compress (async)',
        c: (d) => tk.compress(type, d),
        d: (z) => tk.decompress(type, z),
      });
    }
    const nativeSwitch = await loadDist('native.js');
    const js = (f) => (x) => {
      nativeSwitch.setNativeCodecs(false);
      try {
        return f(x);
      } finally {
        nativeSwitch.setNativeCodecs(true);
      }
    };
    for (const [codec, type] of [
      ['snappy', tk.CompressionType.Snappy],
      ['lz4', tk.CompressionType.Lz4],
    ]) {
      rows.push({
        codec,
        impl: 'tskafka sync, JavaScript fallback',
        c: js((d) => tk.compressSync(type, d)),
        d: js((z) => tk.decompressSync(type, z)),
      });
    }
  }
  return rows;
}

const rows = await candidates();
rows.sort((a, b) => a.codec.localeCompare(b.codec));
console.log(
  `node ${process.version}; MB of uncompressed bytes per CPU-second; best of ${rounds} rounds of ${minMs} ms`,
);
console.log(['codec', 'implementation', 'size', 'ratio', 'compress', 'decompress'].join('\t'));
for (const row of rows) {
  for (const size of sizes) {
    const data = recordLikeData(size);
    const z = await row.c(data);
    const back = Buffer.from(await row.d(z));
    if (!back.equals(data)) throw new Error(`${row.impl}: round trip failed at ${size}`);
    const c = row.decodeOnly ? NaN : await rate(() => row.c(data), size);
    const d = await rate(() => row.d(z), size);
    console.log(
      [row.codec, row.impl, size, (size / z.length).toFixed(2), c.toFixed(0), d.toFixed(0)].join('\t'),
    );
  }
}
