/**
 * Runs the reference broker in its own process for the benchmark, with the topics named on the
 * command line already created, and prints its bootstrap address on one line. In memory, or on
 * disk in Kafka's layout under `BENCH_BROKER_DATA_DIR` when it is set (emptied first).
 *
 *   tsx --conditions=source bench/producer/broker.ts <partitions> <topic>...
 */
import { rmSync } from 'node:fs';
import { startBroker } from '@tskafka/broker';

const [partitions, ...topics] = process.argv.slice(2);
const dataDir = process.env.BENCH_BROKER_DATA_DIR || undefined;
if (dataDir) rmSync(dataDir, { recursive: true, force: true });
const broker = await startBroker({ logLevel: 'error', dataDir });
for (const t of topics) {
  broker.cluster.metadata.createTopic(t, { numPartitions: Number(partitions), replicationFactor: 1 });
}
console.log(broker.bootstrapServers.join(','));
const stop = () => void broker.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
