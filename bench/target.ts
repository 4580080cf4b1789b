/**
 * The brokers the benchmarks run against: librdkafka's mock cluster (a broker we did not write)
 * or our reference broker in its own process (in memory), with `topics` created up front.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startMockCluster } from '../test/interop/mock-cluster.js';

/** A running benchmark broker. */
export interface BenchTarget {
  /** Comma-separated `host:port` list. */
  bootstrap: string;
  /** Stops the broker. */
  close(): Promise<void>;
}

/** Starts `kind` ('mock' or our broker) with `topics` of `partitions` partitions each. */
export async function startTarget(kind: string, topics: string[], partitions: number): Promise<BenchTarget> {
  if (kind === 'mock') {
    const mock = await startMockCluster({ topics: topics.map((name) => ({ name, partitions })) });
    return { bootstrap: mock.bootstrapServers, close: () => mock.close() };
  }
  const script = fileURLToPath(new URL('./producer/broker.ts', import.meta.url));
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions=source', script, String(partitions), ...topics],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`broker exited with ${code}`)));
  });
  return {
    bootstrap: line.trim(),
    close: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
