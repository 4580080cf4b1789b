/**
 * One producer benchmark run in its own process, so each client's RSS is its own. Prints one JSON
 * line: `{ client, records, bytes, seconds, rssMb }`.
 *
 *   tsx --conditions=source bench/producer/client.ts <client> <bootstrap> <topic> <records> <size> <acks>
 *
 * Each client is driven the way its own documentation recommends for throughput:
 * - tskafka: one `send()` per record, not awaited one by one (the accumulator batches), at most
 *   4 MiB outstanding, `batch.size` 256 KiB, then `flush()`;
 * - KafkaJS and @platformatic/kafka: `send()` of arrays of {@link CHUNK} messages (they batch per
 *   call), with {@link CONCURRENCY} calls in flight.
 * Values are random bytes from a pool made before timing starts; records are keyless.
 */
import { randomBytes } from 'node:crypto';

// @platformatic/kafka 2.x calls Promise.withResolvers, which Node 20 lacks.
const P = Promise as unknown as { withResolvers?: unknown };
if (!P.withResolvers) {
  P.withResolvers = <T>() => {
    let resolve!: (v: T) => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}

const CHUNK = 1000;
const CONCURRENCY = 4;
/**
 * tskafka: sends outstanding at most (its batching needs no chunking by the caller): 4 MiB of
 * values (an eighth of `buffer.memory`), as an application honouring backpressure would keep.
 */
const WINDOW_BYTES = Number(process.env.BENCH_WINDOW_BYTES ?? 4 * 1024 * 1024);

const [client, bootstrap, topic, recordsArg, sizeArg, acksArg] = process.argv.slice(2);
const records = Number(recordsArg);
const size = Number(sizeArg);
const acks = acksArg === 'all' ? -1 : Number(acksArg);
const pool = Array.from({ length: 1024 }, () => randomBytes(size));

async function chunked(sendChunk: (values: Buffer[]) => Promise<unknown>): Promise<void> {
  let next = 0;
  async function worker(): Promise<void> {
    while (next < records) {
      const start = next;
      const end = Math.min(records, start + CHUNK);
      next = end;
      const values: Buffer[] = [];
      for (let i = start; i < end; i++) values.push(pool[i & 1023]);
      await sendChunk(values);
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

async function runKafkaJs(): Promise<() => Promise<void>> {
  const { Kafka, logLevel } = await import('kafkajs');
  const kafka = new Kafka({ clientId: 'bench', brokers: bootstrap.split(','), logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  return async () => {
    await chunked((values) => producer.send({ topic, acks, messages: values.map((value) => ({ value })) }));
    await producer.disconnect();
  };
}

async function runPlatformatic(): Promise<() => Promise<void>> {
  const { Producer } = await import('@platformatic/kafka');
  const producer = new Producer({
    clientId: 'bench',
    bootstrapBrokers: bootstrap.split(','),
    acks,
    idempotent: false,
    autocreateTopics: false,
  });
  await producer.metadata({ topics: [topic] });
  return async () => {
    await chunked((values) => producer.send({ messages: values.map((value) => ({ topic, value })) }));
    await producer.close();
  };
}

async function runTskafka(): Promise<() => Promise<void>> {
  const { Kafka } = await import('tskafka');
  const kafka = new Kafka({ bootstrapServers: bootstrap.split(','), clientId: 'bench' });
  const producer = kafka.producer({
    acks: acks === -1 ? 'all' : (acks as 0 | 1),
    idempotent: acks === -1,
    ...(process.env.BENCH_BUFFER_MEMORY ? { bufferMemory: Number(process.env.BENCH_BUFFER_MEMORY) } : {}),
    // Peers get 1000 records per call; tskafka batches by itself, with batch.size raised for
    // throughput as Kafka's tuning guides advise (Java's default is 16 KiB).
    batchSize: Number(process.env.BENCH_BATCH_SIZE ?? 262144),
  });
  await producer.connect();
  // As for platformatic (its `metadata()` above): the topic's metadata is fetched before timing.
  await producer.partitionsFor(topic);
  return async () => {
    let failed: unknown = null;
    const onError = (e: unknown) => {
      failed = e;
    };
    // Like the peers' bounded concurrency: at most WINDOW sends outstanding (await an older one).
    const window: Promise<unknown>[] = [];
    for (let i = 0; i < records; i++) {
      const p = producer.send({ topic, value: pool[i & 1023] });
      // Collect failures without one closure per record on the happy path.
      if ((i & 1023) === 1023) {
        p.catch(onError);
        window.push(p);
        if (window.length * 1024 * size > WINDOW_BYTES) await window.shift();
      }
    }
    await producer.flush();
    await producer.close();
    if (failed) throw failed;
  };
}

const runners: Record<string, () => Promise<() => Promise<void>>> = {
  tskafka: runTskafka,
  kafkajs: runKafkaJs,
  platformatic: runPlatformatic,
};
const setup = runners[client];
if (!setup) throw new Error(`unknown client ${client}; one of ${Object.keys(runners).join(', ')}`);
const run = await setup();
let peakRss = process.memoryUsage.rss();
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
}, 100);
const cpu0 = process.cpuUsage();
const t0 = process.hrtime.bigint();
await run();
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
const cpu = process.cpuUsage(cpu0);
clearInterval(sampler);
peakRss = Math.max(peakRss, process.memoryUsage.rss());
console.log(
  JSON.stringify({
    client,
    records,
    bytes: records * size,
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    rssMb: Math.round(peakRss / 1048576),
  }),
);
process.exit(0);
