// Microbenchmark of the producer's RecordAccumulator, by hand (no broker, no sockets, no
// thresholds):
//
//   npx tsc -b packages/producer/tsconfig.build.json   # this imports packages/producer/dist
//   node bench/producer/accumulator.mjs
//
// Appends BENCH_RECORDS (default 1,000,000) records of BENCH_VALUE bytes (default 100, no key,
// no headers) to BENCH_PARTITIONS partitions (default 1) with batch.size 16384, and reports
// records/s and ns/record for each phase:
//   append    records written into batch buffers (one promise each), buffer.memory large
//             enough that nothing blocks;
//   drain     ready() + drain(): every batch built (header, CRC32C), as the sender does;
//   complete  every batch acknowledged: each record's promise resolved with its metadata, and
//             the promise callbacks run;
//   pipeline  all three interleaved as a producer runs them (drain every 64 KiB of records and
//             let the acknowledged promises' callbacks run), default buffer.memory (32 MiB);
//   callback  the pipeline with a callback per record (one shared function) instead of promises.
// Also the cost of a 16 KiB Buffer.allocUnsafe, to judge reusing batch buffers. BENCH_ROUNDS
// (default 5) rounds per phase; the best is printed.

import { performance } from 'node:perf_hooks';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { RecordAccumulator } from '../../packages/producer/dist/accumulator.js';

const N = Number(process.env.BENCH_RECORDS ?? 1_000_000);
const VALUE = Number(process.env.BENCH_VALUE ?? 100);
const PARTITIONS = Number(process.env.BENCH_PARTITIONS ?? 1);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const value = Buffer.alloc(VALUE, 0x61);
const metadata = { leaderFor: (_topic, partition) => partition % 3 };

function drainAll(acc, now) {
  const drained = [];
  acc.beginFlush();
  for (;;) {
    const { readyNodes } = acc.ready(metadata, now);
    if (readyNodes.length === 0) break;
    for (const batches of acc.drain(readyNodes, 1 << 30, now).values()) drained.push(...batches);
  }
  void acc.awaitFlushCompletion().catch(() => {});
  return drained;
}

function complete(acc, batches) {
  let offset = 0;
  for (const b of batches) {
    b.queue.onWire--;
    b.complete(offset, -1);
    offset += b.recordCount;
    acc.deallocate(b);
  }
}

async function phases() {
  const acc = new RecordAccumulator({
    batchSize: 16384,
    lingerMs: 0,
    bufferMemory: 2 ** 31 - 1,
    maxRequestSize: 1 << 30,
  });
  const promises = new Array(N);
  const now = Date.now();
  let t = performance.now();
  for (let i = 0; i < N; i++) promises[i] = acc.append('bench', i % PARTITIONS, now, null, value, null, now);
  const append = performance.now() - t;
  t = performance.now();
  const batches = drainAll(acc, now);
  const drain = performance.now() - t;
  let resolved = 0;
  t = performance.now();
  for (const p of promises) p.then(() => resolved++);
  complete(acc, batches);
  await Promise.resolve();
  while (resolved < N) await nextTurn();
  const done = performance.now() - t;
  return { append, drain, complete: done, batches: batches.length };
}

async function pipeline(useCallback) {
  const acc = new RecordAccumulator({ batchSize: 16384, lingerMs: 0, maxRequestSize: 1 << 30 });
  const now = Date.now();
  let resolved = 0;
  const onDone = () => resolved++;
  const callback = (error) => {
    if (error === null) resolved++;
  };
  const every = Math.max(1, Math.floor(65536 / (VALUE + 8)));
  const t = performance.now();
  for (let i = 0; i < N; i++) {
    if (useCallback) acc.appendWithCallback('bench', i % PARTITIONS, now, null, value, null, now, callback);
    else acc.append('bench', i % PARTITIONS, now, null, value, null, now).then(onDone);
    if (i % every === every - 1) {
      complete(acc, drainAll(acc, now));
      // As between responses: the acknowledged records' callbacks run before more sends.
      await undefined;
    }
  }
  complete(acc, drainAll(acc, now));
  while (resolved < N) await nextTurn();
  return performance.now() - t;
}

function allocCost() {
  const n = 20_000;
  const keep = new Array(64);
  const t = performance.now();
  for (let i = 0; i < n; i++) keep[i & 63] = Buffer.allocUnsafe(16384);
  return ((performance.now() - t) * 1e6) / n;
}

const fmt = (ms) =>
  `${Math.round(N / (ms / 1000))
    .toLocaleString('en-US')
    .padStart(11)} records/s  ${((ms * 1e6) / N).toFixed(0).padStart(5)} ns/record`;

const best = {
  append: Infinity,
  drain: Infinity,
  complete: Infinity,
  pipeline: Infinity,
  callback: Infinity,
};
let batchCount = 0;
for (let r = 0; r < ROUNDS; r++) {
  const p = await phases();
  best.append = Math.min(best.append, p.append);
  best.drain = Math.min(best.drain, p.drain);
  best.complete = Math.min(best.complete, p.complete);
  batchCount = p.batches;
  best.pipeline = Math.min(best.pipeline, await pipeline(false));
  best.callback = Math.min(best.callback, await pipeline(true));
  await nextTurn();
}
console.log(
  `RecordAccumulator, ${N.toLocaleString('en-US')} records of ${VALUE} B, ${PARTITIONS} partition(s), ` +
    `${batchCount} batches of 16 KiB, Node ${process.version}, best of ${ROUNDS}`,
);
console.log(`append    ${fmt(best.append)}`);
console.log(`drain     ${fmt(best.drain)}`);
console.log(`complete  ${fmt(best.complete)}`);
console.log(`pipeline  ${fmt(best.pipeline)}   (append + drain + complete, promises)`);
console.log(`callback  ${fmt(best.callback)}   (append + drain + complete, callbacks)`);
console.log(`Buffer.allocUnsafe(16384): ${allocCost().toFixed(0)} ns per batch buffer`);
