// Kafka's murmur2 on record keys: the `murmurhash` package's v2 against our inlined version
// (packages/producer/src/partitioner/murmur2.ts), by hand (see README.md here):
//
//   npx tsc -p packages/producer/tsconfig.build.json   # the `tskafka` rows import dist/
//   node bench/partitioner/murmur2.mjs
//
// The `inline` rows are a copy of our function kept in this file, so the comparison runs
// without a build; the `tskafka` rows (the real export) join when dist/ is there. Nothing is
// asserted. BENCH_MS and BENCH_ROUNDS tune the run; the figure is the best round's ns per hash.

import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '../../packages/producer/package.json'));
const murmurhash = require('murmurhash');
const minMs = Number(process.env.BENCH_MS ?? 300);
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const SEED = 0x9747b28c;
const M = 0x5bd1e995;

/** The inlined candidate, as in murmur2.ts (`murmur2Bytes`). */
function inlineBytes(data) {
  const length = data.length;
  let h = SEED ^ length;
  const end = length & ~3;
  let i = 0;
  for (; i < end; i += 4) {
    let k = data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    h = Math.imul(h, M) ^ Math.imul(k, M);
  }
  const rest = length & 3;
  if (rest !== 0) {
    if (rest === 3) h ^= data[i + 2] << 16;
    if (rest >= 2) h ^= data[i + 1] << 8;
    h = Math.imul(h ^ data[i], M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  return h ^ (h >>> 15);
}

const scratch = new Uint8Array(4096);
const encoder = new TextEncoder();

async function loadOurs() {
  try {
    return await import(
      pathToFileURL(path.join(here, '../../packages/producer/dist/partitioner/murmur2.js')).href
    );
  } catch {
    return undefined;
  }
}

/** Best-of-rounds ns per call of `fn` over `keys` (cycled), with a checksum so nothing is elided. */
function measure(fn, keys) {
  let best = Number.POSITIVE_INFINITY;
  let sink = 0;
  const mask = keys.length - 1;
  for (let r = 0; r < rounds; r++) {
    let calls = 0;
    const start = process.hrtime.bigint();
    let elapsed = 0;
    do {
      for (let i = 0; i < 100_000; i++) sink ^= fn(keys[i & mask]);
      calls += 100_000;
      elapsed = Number(process.hrtime.bigint() - start) / 1e6;
    } while (elapsed < minMs);
    best = Math.min(best, (elapsed * 1e6) / calls);
  }
  return { ns: best, sink };
}

function keysOf(make) {
  const out = [];
  for (let i = 0; i < 1024; i++) out.push(make(i)); // a power of two, for the index mask
  return out;
}

const ascii16 = keysOf((i) => `user-${String(i * 7919).padStart(11, '0')}`); // 16 chars
const bytes16 = ascii16.map((s) => Buffer.from(s));
const utf16 = keysOf((i) => `clé-€-${String(i).padStart(8, '0')}`); // 14 chars, 18 bytes

const ours = await loadOurs();
const rows = [
  ['16-byte Buffer', 'murmurhash.v2 (package)', (k) => murmurhash.v2(k, SEED), bytes16],
  ['16-byte Buffer', 'inline, Math.imul', inlineBytes, bytes16],
  [
    '16-char string',
    'murmurhash.v2(string) (TextEncoder.encode inside)',
    (k) => murmurhash.v2(k, SEED),
    ascii16,
  ],
  ['16-char string', 'Buffer.from + inline', (k) => inlineBytes(Buffer.from(k)), ascii16],
  [
    '16-char string',
    'encodeInto scratch + inline',
    (k) => inlineBytes(scratch.subarray(0, encoder.encodeInto(k, scratch).written)),
    ascii16,
  ],
  ['18-byte non-ASCII string', 'murmurhash.v2(string)', (k) => murmurhash.v2(k, SEED), utf16],
  ['18-byte non-ASCII string', 'Buffer.from + inline', (k) => inlineBytes(Buffer.from(k)), utf16],
];
if (ours) {
  rows.push(
    ['16-byte Buffer', 'tskafka murmur2 (dist)', ours.murmur2, bytes16],
    ['16-char string', 'tskafka murmur2 (dist, ASCII code units)', ours.murmur2, ascii16],
    ['18-byte non-ASCII string', 'tskafka murmur2 (dist, encodeInto scratch)', ours.murmur2, utf16],
  );
} else {
  console.log('(packages/producer/dist not built: the tskafka rows are skipped)');
}

// The candidates must agree before their speed means anything.
for (const [, name, fn, keys] of rows) {
  for (const k of keys.slice(0, 64)) {
    const want = inlineBytes(Buffer.from(k));
    if ((fn(k) | 0) !== want) throw new Error(`${name} disagrees on ${k}`);
  }
}

console.log(`node ${process.version}, best of ${rounds} rounds of >= ${minMs} ms`);
console.log('| key | implementation | ns/op |');
console.log('| --- | --- | ---: |');
for (const [key, name, fn, keys] of rows) {
  const { ns } = measure(fn, keys);
  console.log(`| ${key} | ${name} | ${ns.toFixed(1)} |`);
}
