/**
 * The brokers the benchmarks run against: librdkafka's mock cluster (a broker we did not write)
 * or our reference broker in its own process, with `topics` created up front: `tskafka` one
 * broker, `tskafka-rf3` three brokers in that one process with every topic on all three
 * (replication factor 3), so follower fetches cost the process too.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startMockCluster } from '../test/interop/mock-cluster.js';

/** A running benchmark broker. */
export interface BenchTarget {
  /** Comma-separated `host:port` list. */
  bootstrap: string;
  /**
   * CPU time (user + system, seconds) the broker has used so far: our broker's process, read from
   * `/proc` (Linux); `null` for the mock, which runs inside the benchmark's own process.
   */
  cpuSeconds(): number | null;
  /** Stops the broker. */
  close(): Promise<void>;
}

/** utime + stime of process `pid` in seconds, from `/proc/<pid>/stat` (clock ticks of 1/100 s). */
function processCpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at field 3; utime is 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

/** Title of a benchmark table for `kind`. */
export function targetTitle(kind: string): string {
  if (kind === 'mock') return 'librdkafka 2.0.2 mock cluster';
  const replicas = replicasOf(kind);
  return replicas === 1
    ? 'tskafka reference broker'
    : `tskafka reference broker, ${replicas} brokers in one process, replication factor ${replicas}`;
}

/** Brokers (and replication factor) of one of our targets: `tskafka` 1, `tskafka-rfN` N. */
function replicasOf(kind: string): number {
  const m = /^tskafka(?:-rf(\d+))?$/.exec(kind);
  if (!m) throw new Error(`unknown broker ${kind}: mock, tskafka or tskafka-rfN`);
  return Number(m[1] ?? 1);
}

/**
 * Starts `kind` ('mock', 'tskafka' or 'tskafka-rfN') with `topics` of `partitions` partitions
 * each; a topic given as `name:N` has N partitions.
 */
export async function startTarget(kind: string, topics: string[], partitions: number): Promise<BenchTarget> {
  if (kind === 'mock') {
    const mock = await startMockCluster({
      topics: topics.map((t) => {
        const [name, n] = t.split(':');
        return { name, partitions: n === undefined ? partitions : Number(n) };
      }),
    });
    return { bootstrap: mock.bootstrapServers, cpuSeconds: () => null, close: () => mock.close() };
  }
  const replicas = replicasOf(kind);
  const script = fileURLToPath(new URL('./producer/broker.ts', import.meta.url));
  const child = spawn(
    process.execPath,
    // BENCH_BROKER_NODE_OPTIONS passes flags to the broker's node, e.g. `--cpu-prof --cpu-prof-dir=prof`.
    [
      ...(process.env.BENCH_BROKER_NODE_OPTIONS?.split(' ').filter(Boolean) ?? []),
      '--import',
      'tsx',
      '--conditions=source',
      script,
      '--replicas',
      String(replicas),
      String(partitions),
      ...topics,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`broker exited with ${code}`)));
  });
  return {
    bootstrap: line.trim(),
    cpuSeconds: () => (child.pid === undefined ? null : processCpuSeconds(child.pid)),
    close: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
