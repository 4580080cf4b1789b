/**
 * Two producer interceptors, chained, as in the Kafka seeds: `TimeInterceptor` prefixes each
 * value with the time it was sent, `CountInterceptor` counts acknowledged and failed sends and
 * prints the counts when the producer closes. A consumer reads the records back to show the prefix.
 *
 * Run: `npx tsx --conditions=source examples/interceptors/main.ts`
 */
import { pathToFileURL } from 'node:url';
import { startBroker } from '@tskafka/broker';
import { Kafka, type ProducerInterceptor, type ProducerRecord, type RecordMetadata } from 'tskafka';

/** Prefixes the value with the send time in ms: `"1718000000000,hello"` (Java's `TimeInterceptor`). */
export class TimeInterceptor implements ProducerInterceptor<string, string> {
  onSend(record: ProducerRecord<string, string>): ProducerRecord<string, string> {
    return { ...record, value: `${Date.now()},${record.value}` };
  }
}

/** Counts sends that succeeded and failed, and prints both on close (Java's `CountInterceptor`). */
export class CountInterceptor implements ProducerInterceptor<string, string> {
  successes = 0;
  failures = 0;

  constructor(private readonly log: (line: string) => void = console.log) {}

  onAcknowledgement(_metadata: RecordMetadata | null, error: Error | null): void {
    if (error === null) this.successes++;
    else this.failures++;
  }

  close(): void {
    this.log(`CountInterceptor: ${this.successes} sent successfully, ${this.failures} failed`);
  }
}

/** What the example did. */
export interface InterceptorsResult {
  successes: number;
  failures: number;
  /** The values as stored in the topic, prefix included. */
  stored: string[];
}

export async function main(log: (line: string) => void = console.log): Promise<InterceptorsResult> {
  const broker = await startBroker({ logLevel: 'error' });
  try {
    const topic = 'intercepted';
    broker.cluster.metadata.createTopic(topic, { numPartitions: 1, replicationFactor: 1 });
    const kafka = new Kafka({ bootstrapServers: broker.bootstrapServers, clientId: 'interceptors' });

    const counter = new CountInterceptor(log);
    // Run in the order given: TimeInterceptor changes the record, then CountInterceptor sees it.
    const producer = kafka.producer<string, string>({ interceptors: [new TimeInterceptor(), counter] });
    await producer.connect();
    for (const value of ['first', 'second', 'third', 'fourth', 'fifth']) {
      await producer.send({ topic, key: 'k', value });
    }
    // A send that fails: the topic has no partition 7. Interceptors hear of failures too.
    await producer.send({ topic, value: 'nowhere', partition: 7 }).catch((e: Error) => {
      log(`send to partition 7 failed as expected: ${e.message}`);
    });
    await producer.close(); // calls close() on each interceptor: CountInterceptor prints its counts

    const consumer = kafka.consumer<Buffer | null, string | null>({ valueDeserializer: 'string' });
    await consumer.connect();
    await consumer.assign([{ topic, partition: 0 }]);
    consumer.seekToBeginning();
    const stored: string[] = [];
    const deadline = Date.now() + 10_000;
    while (stored.length < 5 && Date.now() < deadline) {
      for (const r of await consumer.poll(200)) stored.push(r.value ?? '');
    }
    await consumer.close();
    log('What the topic holds (send time in ms, then the value):');
    for (const v of stored) log(`  ${v}`);
    return { successes: counter.successes, failures: counter.failures, stored };
  } finally {
    await broker.close();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
