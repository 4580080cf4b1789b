/**
 * The quickstart: the walk the Kafka docs do with their shell tools, in one program. It starts a
 * Kafka broker inside this process, creates topic `first` with 3 partitions, writes a handful of
 * records with keys, reads them with two consumers that share one consumer group, shows which
 * partitions each consumer got and how far behind the group is (its lag), then stops everything.
 *
 * Run: `npx -y pnpm@10 run quickstart`, or `npx tsx --conditions=source examples/quickstart/main.ts`.
 */
import { pathToFileURL } from 'node:url';
import { startBroker } from '@tskafka/broker';
import { type Consumer, type ConsumerRecord, Kafka, type TopicPartition } from 'tskafka';

const TOPIC = 'first';
const PARTITIONS = 3;
const GROUP = 'quickstart-group';

/** What the quickstart did, for a test to check. */
export interface QuickstartResult {
  /** Where each record was written, in the order sent. */
  produced: { key: string; value: string; partition: number; offset: number }[];
  /** Per consumer: the partitions it was assigned and the values it read. */
  consumers: { name: string; partitions: number[]; values: string[] }[];
  /** The group's lag per partition before the consumers started, and after they committed. */
  lagBefore: number[];
  lagAfter: number[];
}

/** Runs the quickstart; `log` receives each line it prints. */
export async function main(log: (line: string) => void = console.log): Promise<QuickstartResult> {
  log('1. Starting a Kafka broker inside this process (the tskafka reference broker)...');
  const broker = await startBroker({
    // Let both consumers join before the group hands out partitions, instead of Kafka's 3 s wait.
    config: { 'group.initial.rebalance.delay.ms': 500 },
    logLevel: 'error',
  });
  const kafka = new Kafka({ bootstrapServers: broker.bootstrapServers, clientId: 'quickstart' });
  log(`   It listens on ${broker.bootstrapServers.join(', ')}; clients connect there like to any Kafka.`);

  const consumers: Consumer<string | null, string | null>[] = [];
  try {
    log(`\n2. Creating topic "${TOPIC}" with ${PARTITIONS} partitions.`);
    broker.cluster.metadata.createTopic(TOPIC, { numPartitions: PARTITIONS, replicationFactor: 1 });
    log('   A topic is a named log; its partitions are what lets several consumers share the reading.');

    log('\n3. Producing 9 records. Each has a key; records with the same key go to the same partition.');
    const producer = kafka.producer({ acks: 'all' });
    await producer.connect();
    const produced: QuickstartResult['produced'] = [];
    const orders = [
      ['alice', 'coffee'],
      ['bob', 'tea'],
      ['carol', 'juice'],
      ['alice', 'croissant'],
      ['dave', 'water'],
      ['bob', 'scone'],
      ['erin', 'espresso'],
      ['carol', 'bagel'],
      ['alice', 'muffin'],
    ];
    for (const [key, value] of orders) {
      const meta = await producer.send({ topic: TOPIC, key, value });
      produced.push({ key, value, partition: meta.partition, offset: meta.offset });
      log(
        `   sent key=${key.padEnd(5)} value=${value.padEnd(9)} -> partition ${meta.partition}, offset ${meta.offset}`,
      );
    }
    await producer.close();
    log('   Producer closed.');

    const lagBefore = await groupLag(kafka);
    log(
      `\n4. The group "${GROUP}" has read nothing yet, so its lag is everything: ${describeLag(lagBefore)}.`,
    );

    log(`\n5. Starting two consumers, "one" and "two", in group "${GROUP}".`);
    log('   The group splits the 3 partitions between them; each record is read by exactly one of them.');
    const names = ['one', 'two'];
    const assigned = new Map<string, number[]>();
    const read = new Map<string, ConsumerRecord<string | null, string | null>[]>();
    for (const name of names) {
      const consumer = kafka.consumer<string | null, string | null>({
        clientId: `quickstart-${name}`,
        groupId: GROUP,
        autoOffsetReset: 'earliest', // a new group starts at the beginning of each partition
        enableAutoCommit: false, // we commit ourselves, after processing
        keyDeserializer: 'string',
        valueDeserializer: 'string',
      });
      await consumer.connect();
      await consumer.subscribe([TOPIC], {
        onPartitionsAssigned: (ps: TopicPartition[]) => {
          assigned.set(name, ps.map((p) => p.partition).sort());
        },
      });
      consumers.push(consumer);
      read.set(name, []);
    }
    // Each consumer polls in its own loop, so both are in the group when it assigns partitions
    // (and a rebalance, should one happen, never waits on a consumer that is not polling).
    const deadline = Date.now() + 20_000;
    const done = (): boolean => countAll(read) >= orders.length && assigned.size === names.length;
    await Promise.all(
      consumers.map(async (consumer, i) => {
        while (!done()) {
          if (Date.now() > deadline) throw new Error('the consumers did not read every record within 20 s');
          const records = await consumer.poll(200);
          read.get(names[i])!.push(...records);
          if (records.length > 0) await consumer.commitSync(); // "done up to here", stored in the group
        }
      }),
    );
    const result: QuickstartResult['consumers'] = [];
    for (const name of names) {
      const partitions = assigned.get(name) ?? [];
      const records = read.get(name)!;
      result.push({ name, partitions, values: records.map((r) => r.value ?? '') });
      log(
        `   consumer "${name}" got partition(s) ${partitions.join(', ')} and read ${records.length} record(s):`,
      );
      for (const r of records)
        log(`     partition ${r.partition}, offset ${r.offset}: ${r.key} -> ${r.value}`);
    }

    const lagAfter = await groupLag(kafka);
    log(`\n6. Both consumers committed what they read; the group's lag now: ${describeLag(lagAfter)}.`);
    log("   Lag = the partition's end offset minus the group's committed offset: records not read yet.");

    log('\n7. Stopping: the consumers leave the group, then the broker shuts down.');
    for (const consumer of consumers.splice(0)) await consumer.close();
    return { produced, consumers: result, lagBefore, lagAfter };
  } finally {
    for (const consumer of consumers) await consumer.close().catch(() => undefined);
    await broker.close();
    log('   Done. Nothing is left running.');
  }
}

/**
 * The group's lag per partition: end offset minus committed offset (0 where nothing is
 * committed, as the group starts from the earliest offset). A consumer of the group that is
 * assigned partitions directly reads both without joining the group or committing.
 */
async function groupLag(kafka: Kafka): Promise<number[]> {
  const checker = kafka.consumer({ groupId: GROUP, enableAutoCommit: false });
  await checker.connect();
  try {
    const partitions = Array.from({ length: PARTITIONS }, (_, partition) => ({ topic: TOPIC, partition }));
    await checker.assign(partitions);
    const committed = await checker.committed(partitions);
    checker.seekToEnd(partitions);
    const lag: number[] = [];
    for (const tp of partitions) lag.push((await checker.position(tp)) - (committed.get(tp)?.offset ?? 0));
    return lag;
  } finally {
    await checker.close();
  }
}

function describeLag(lag: number[]): string {
  const total = lag.reduce((a, b) => a + b, 0);
  return `${lag.map((l, p) => `partition ${p}: ${l}`).join(', ')} (total ${total})`;
}

function countAll(read: Map<string, unknown[]>): number {
  let n = 0;
  for (const records of read.values()) n += records.length;
  return n;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
