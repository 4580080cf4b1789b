/**
 * Runs the reference broker in its own process for the benchmark (in memory), with the topics
 * named on the command line already created, and prints its bootstrap address on one line.
 *
 *   tsx --conditions=source bench/producer/broker.ts <partitions> <topic>...
 */
import { startBroker } from '@tskafka/broker';

const [partitions, ...topics] = process.argv.slice(2);
const broker = await startBroker({ logLevel: 'error' });
for (const t of topics) {
  broker.cluster.metadata.createTopic(t, { numPartitions: Number(partitions), replicationFactor: 1 });
}
console.log(broker.bootstrapServers.join(','));
const stop = () => void broker.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
