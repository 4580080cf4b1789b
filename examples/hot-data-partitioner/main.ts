/**
 * Hot-data partitioning, the seeds' `HotDataPartitioner`: records whose key contains `hot_data`
 * get the last partition to themselves, every other key is hashed over the remaining partitions,
 * so a burst of hot records cannot hold up the rest. Shown twice: with the built-in `hotData()`
 * and with a hand-written {@link Partitioner}, which is how you would write your own rule.
 *
 * Run: `npx tsx --conditions=source examples/hot-data-partitioner/main.ts`
 */
import { pathToFileURL } from 'node:url';
import { startBroker } from '@tskafka/broker';
import { hotData, Kafka, type Partitioner, partitionForKey } from 'tskafka';

const PARTITIONS = 4;

/**
 * The seeds' rule written by hand: a hot key goes to the last partition; another key to
 * `murmur2(key) % (n - 1)`, the hash Kafka's default partitioner uses, over the others.
 */
export const handWrittenHotData: Partitioner<string, string> = {
  partition(topic, key, keyBytes, _value, cluster) {
    const last = cluster.partitionCountFor(topic) - 1;
    if (key?.includes('hot_data') === true || last === 0) return last;
    if (keyBytes === null) return Math.floor(Math.random() * last); // no key: any cold partition
    return partitionForKey(keyBytes, last);
  },
};

/** Records per partition, and where each key went. */
export interface Distribution {
  counts: number[];
  partitionOf: Record<string, number>;
}

export interface HotDataResult {
  builtIn: Distribution;
  handWritten: Distribution;
}

/** 20 ordinary keys and 10 hot ones, one record each. */
export const KEYS = [
  ...Array.from({ length: 20 }, (_, i) => `user-${i}`),
  ...Array.from({ length: 10 }, (_, i) => `hot_data-${i}`),
];

export async function main(log: (line: string) => void = console.log): Promise<HotDataResult> {
  const broker = await startBroker({ logLevel: 'error' });
  try {
    const kafka = new Kafka({ bootstrapServers: broker.bootstrapServers, clientId: 'hot-data' });
    const run = async (topic: string, partitioner: Partitioner<string, string>): Promise<Distribution> => {
      broker.cluster.metadata.createTopic(topic, { numPartitions: PARTITIONS, replicationFactor: 1 });
      const producer = kafka.producer<string, string>({ partitioner });
      await producer.connect();
      const partitionOf: Record<string, number> = {};
      const metas = await Promise.all(KEYS.map((key) => producer.send({ topic, key, value: `v-${key}` })));
      metas.forEach((m, i) => {
        partitionOf[KEYS[i]] = m.partition;
      });
      await producer.close();
      const counts = new Array<number>(PARTITIONS).fill(0);
      for (const p of Object.values(partitionOf)) counts[p]++;
      log(`${topic}: ${KEYS.length} records over ${PARTITIONS} partitions`);
      for (let p = 0; p < PARTITIONS; p++) {
        const hot = KEYS.filter((k) => partitionOf[k] === p && k.includes('hot_data')).length;
        log(
          `  partition ${p}: ${String(counts[p]).padStart(2)} records (${hot} hot_data) ${'#'.repeat(counts[p])}`,
        );
      }
      return { counts, partitionOf };
    };
    const builtIn = await run('with-built-in', hotData<string, string>());
    const handWritten = await run('with-hand-written', handWrittenHotData);
    return { builtIn, handWritten };
  } finally {
    await broker.close();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
