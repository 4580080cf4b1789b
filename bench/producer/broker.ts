/**
 * Runs the reference broker in its own process for the benchmark, with the topics named on the
 * command line already created, and prints its bootstrap address on one line.
 *
 * The broker keeps its logs on disk in Kafka's layout, as a Kafka broker does, under
 * `BENCH_BROKER_DATA_DIR` (emptied first, removed at the end); by default a fresh directory on
 * tmpfs (`/dev/shm`), else in the system's temporary directory. On tmpfs the written bytes stay in
 * the kernel's page cache, as a Kafka broker's recent segments do, and no disk writeback competes
 * with the clients for the CPU. `BENCH_BROKER_DATA_DIR=memory` runs the broker with in-memory logs
 * instead, which keep every byte in fresh JavaScript memory: at 1 KiB its page faults and garbage
 * collections then set the pace.
 *
 * `--replicas N` starts N brokers in this one process (an in-process cluster) and creates every
 * topic with replication factor N, so the process's CPU is the whole cluster's: the leaders'
 * produce and fetch handling and the followers' replica fetches.
 *
 *   tsx --conditions=source bench/producer/broker.ts [--replicas N] <partitions> <topic>[:<partitions>]...
 */
import { existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCluster } from '@tskafka/broker';

const argv = process.argv.slice(2);
const replicasAt = argv.indexOf('--replicas');
const replicas = replicasAt >= 0 ? Number(argv.splice(replicasAt, 2)[1]) : 1;
const [partitions, ...topics] = argv;
const requested = process.env.BENCH_BROKER_DATA_DIR || undefined;
const dataDir =
  requested === 'memory'
    ? undefined
    : (requested ?? join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), `tskafka-bench-${process.pid}`));
if (dataDir) rmSync(dataDir, { recursive: true, force: true });
const cluster = await startCluster({ brokers: replicas, logLevel: 'error', dataDir });
for (const t of topics) {
  const [name, n] = t.split(':');
  cluster.metadata.createTopic(name, { numPartitions: Number(n ?? partitions), replicationFactor: replicas });
}
console.log(cluster.bootstrapServers.join(','));
const stop = () => {
  // The requests each broker handled, by API: how many requests and replica fetches a run took.
  if (process.env.BENCH_VERBOSE) console.error(JSON.stringify(cluster.requestCounts()));
  void cluster.close().then(() => {
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    process.exit(0);
  });
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
