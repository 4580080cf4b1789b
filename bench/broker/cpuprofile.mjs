/**
 * Summarises a `.cpuprofile` (from `node --cpu-prof`, e.g. the broker's with
 * `BENCH_BROKER_NODE_OPTIONS="--cpu-prof --cpu-prof-dir=DIR"`): the functions with the most self
 * time, or with `url` as third argument the files.
 *
 *   node bench/broker/cpuprofile.mjs FILE.cpuprofile [top=40] [fn|url]
 *
 * The profiler's time deltas are wall-clock time between samples: on a loaded machine a system
 * call that wakes another process (a socket write) is charged for the time this one then waits
 * for a CPU. `perf record -g` with `node --perf-basic-prof` counts CPU time only.
 */
import { readFileSync } from 'node:fs';

const [file, topArg = '40', mode = 'fn'] = process.argv.slice(2);
const prof = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const self = new Map();
const dt = prof.timeDeltas;
for (let i = 0; i < prof.samples.length; i++) {
  const id = prof.samples[i];
  self.set(id, (self.get(id) ?? 0) + (dt[i] ?? 0));
}
const total = [...self.values()].reduce((a, b) => a + b, 0);
const agg = new Map();
for (const [id, t] of self) {
  const n = byId.get(id);
  const cf = n.callFrame;
  const url = cf.url.replace(/^.*\/(packages|node_modules)\//, '$1/');
  const key = mode === 'fn' ? `${cf.functionName || '(anon)'} ${url}:${cf.lineNumber + 1}` : url;
  agg.set(key, (agg.get(key) ?? 0) + t);
}
const rows = [...agg].sort((a, b) => b[1] - a[1]).slice(0, Number(topArg));
console.log(`total ${(total / 1000).toFixed(0)} ms`);
for (const [k, t] of rows)
  console.log(`${(t / 1000).toFixed(1).padStart(8)} ms ${((100 * t) / total).toFixed(1).padStart(5)}%  ${k}`);
