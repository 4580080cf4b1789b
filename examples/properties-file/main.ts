/**
 * A producer and a consumer configured from `.properties` files with Kafka's property names
 * (`bootstrap.servers`, `key.serializer=org.apache.kafka.common.serialization.StringSerializer`,
 * `linger.ms`, `group.id`, `auto.offset.reset`, ...), as the seeds' Java code configures its
 * clients: `Kafka.fromProperties(file)` reads a file, and each client takes the keys it knows.
 *
 * Run: `npx tsx --conditions=source examples/properties-file/main.ts`
 */
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startBroker } from '@tskafka/broker';
import { Kafka } from 'tskafka';

const here = path.dirname(fileURLToPath(import.meta.url));

export interface PropertiesFileResult {
  /** Settings the producer and consumer took from their files. */
  producerConfig: {
    clientId?: string;
    acks: unknown;
    lingerMs: number;
    compression: string;
    idempotent: boolean;
  };
  consumerConfig: {
    groupId?: string;
    autoOffsetReset: string;
    enableAutoCommit: boolean;
    maxPollRecords: number;
  };
  /** What the consumer read: `key=value`. */
  read: string[];
}

export async function main(log: (line: string) => void = console.log): Promise<PropertiesFileResult> {
  const broker = await startBroker({ config: { 'group.initial.rebalance.delay.ms': 0 }, logLevel: 'error' });
  try {
    const topic = 'orders';
    broker.cluster.metadata.createTopic(topic, { numPartitions: 1, replicationFactor: 1 });
    // The files say localhost:9092; this example's broker listens on a free port instead, so
    // bootstrap.servers is overridden here. Every other setting comes from the files.
    const bootstrapServers = broker.bootstrapServers;

    const producerFile = path.join(here, 'producer.properties');
    const producer = Kafka.fromProperties(producerFile).producer<string, string>({ bootstrapServers });
    const pc = producer.config;
    log(
      `producer from ${path.basename(producerFile)}: client.id=${pc.clientId} acks=${pc.acks} ` +
        `linger.ms=${pc.lingerMs} compression.type=${pc.compression} enable.idempotence=${pc.idempotent}`,
    );
    await producer.connect();
    for (let i = 1; i <= 3; i++) {
      const meta = await producer.send({ topic, key: `order-${i}`, value: `${i * 10} EUR` });
      log(`  sent order-${i} -> partition ${meta.partition}, offset ${meta.offset}`);
    }
    await producer.close();

    const consumerFile = path.join(here, 'consumer.properties');
    const consumer = Kafka.fromProperties(consumerFile).consumer<string | null, string | null>({
      bootstrapServers,
    });
    const cc = consumer.config;
    log(
      `consumer from ${path.basename(consumerFile)}: group.id=${cc.groupId} auto.offset.reset=${cc.autoOffsetReset} ` +
        `enable.auto.commit=${cc.enableAutoCommit} max.poll.records=${cc.maxPollRecords}`,
    );
    await consumer.connect();
    await consumer.subscribe([topic]);
    const read: string[] = [];
    const deadline = Date.now() + 15_000;
    while (read.length < 3 && Date.now() < deadline) {
      // The file's StringDeserializer makes key and value strings.
      for (const r of await consumer.poll(200)) read.push(`${r.key}=${r.value}`);
    }
    await consumer.commitSync();
    await consumer.close();
    for (const r of read) log(`  read ${r}`);
    return {
      producerConfig: {
        clientId: pc.clientId,
        acks: pc.acks,
        lingerMs: pc.lingerMs,
        compression: pc.compression,
        idempotent: pc.idempotent,
      },
      consumerConfig: {
        groupId: cc.groupId,
        autoOffsetReset: cc.autoOffsetReset,
        enableAutoCommit: cc.enableAutoCommit,
        maxPollRecords: cc.maxPollRecords,
      },
      read,
    };
  } finally {
    await broker.close();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
