/**
 * One producer benchmark run in its own process, so each client's RSS is its own. Prints one JSON
 * line: `{ client, records, bytes, seconds, cpuSeconds, rssMb, gcCount, gcMs }`.
 *
 *   tsx --conditions=source bench/producer/client.ts <client> <bootstrap> <topic> <records> <size> <acks> <shape>
 *
 * Shapes, each client with its own defaults (batch size, linger), idempotence off with acks=1:
 * - `chunks`: every send observed, chunks of {@link CHUNK} records, {@link CONCURRENCY} chunks in
 *   flight: KafkaJS and @platformatic/kafka `send()` an array per chunk, tskafka `sendBatch()`;
 * - `chunks-send` (tskafka only): the same with one `send()` per record, the chunk awaited with
 *   `Promise.all`;
 * - `burst10000`, `burst50000`: N records sent, all awaited, repeated: tskafka one `send()` per
 *   record (each observed, with `Promise.all`), the peers `send()` of arrays of at most
 *   {@link PEER_CALL_BYTES} of values, all N in flight at once (a `send()` per message runs them
 *   at 1-2k records/s);
 * - `sampled` (tskafka only): one `send()` per record, only one in 1024 observed, at most 4 MiB of
 *   values outstanding (the shape of the tables before 2026-12).
 * Values are random bytes from a pool made before timing starts; records are keyless.
 */
import { randomBytes } from 'node:crypto';
import { PerformanceObserver } from 'node:perf_hooks';

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
/** Bursts: values per call of a peer's `send()` at most. */
const PEER_CALL_BYTES = 512 * 1024;
/** `sampled`: values outstanding at most (an eighth of `buffer.memory`). */
const WINDOW_BYTES = 4 * 1024 * 1024;

const [client, bootstrap, topic, recordsArg, sizeArg, acksArg, shape = 'chunks'] = process.argv.slice(2);
const records = Number(recordsArg);
const size = Number(sizeArg);
const acks = acksArg === 'all' ? -1 : Number(acksArg);
const pool = Array.from({ length: 1024 }, () => randomBytes(size));

/** How a client sends: `many` for an array (one call), `one` for a single record. */
interface Sends {
  many?: (values: Buffer[]) => Promise<unknown>;
  one?: (value: Buffer) => Promise<unknown>;
  sampled?: () => Promise<void>;
  close: () => Promise<void>;
}

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

async function bursts(n: number, sends: Sends): Promise<void> {
  for (let done = 0; done < records; done += n) {
    const end = Math.min(records, done + n);
    const values: Buffer[] = [];
    for (let i = done; i < end; i++) values.push(pool[i & 1023]);
    if (sends.one) await Promise.all(values.map(sends.one));
    else {
      // One call per ≤ 512 KiB of values, all in flight at once: a single call of 50,000 (or of
      // 10,000 at 1 KiB) asks for produce requests over the broker's 1 MiB message limit.
      const many = sends.many as (values: Buffer[]) => Promise<unknown>;
      const perCall = Math.max(1, Math.floor(PEER_CALL_BYTES / size));
      const calls: Promise<unknown>[] = [];
      for (let i = 0; i < values.length; i += perCall) calls.push(many(values.slice(i, i + perCall)));
      await Promise.all(calls);
    }
  }
}

async function runKafkaJs(): Promise<Sends> {
  const { Kafka, logLevel } = await import('kafkajs');
  const kafka = new Kafka({ clientId: 'bench', brokers: bootstrap.split(','), logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  return {
    many: (values) => producer.send({ topic, acks, messages: values.map((value) => ({ value })) }),
    close: () => producer.disconnect(),
  };
}

async function runPlatformatic(): Promise<Sends> {
  const { Producer } = await import('@platformatic/kafka');
  const producer = new Producer({
    clientId: 'bench',
    bootstrapBrokers: bootstrap.split(','),
    acks,
    idempotent: false,
    autocreateTopics: false,
  });
  await producer.metadata({ topics: [topic] });
  return {
    many: (values) => producer.send({ messages: values.map((value) => ({ topic, value })) }),
    close: () => producer.close(),
  };
}

async function runTskafka(): Promise<Sends> {
  const { Kafka } = await import('tskafka');
  const kafka = new Kafka({ bootstrapServers: bootstrap.split(','), clientId: 'bench' });
  const producer = kafka.producer({
    acks: acks === -1 ? 'all' : (acks as 0 | 1),
    idempotent: acks === -1,
    // Labelled rows only: BENCH_BATCH_SIZE / BENCH_LINGER_MS override tskafka's defaults.
    ...(process.env.BENCH_BATCH_SIZE ? { batchSize: Number(process.env.BENCH_BATCH_SIZE) } : {}),
    ...(process.env.BENCH_LINGER_MS ? { lingerMs: Number(process.env.BENCH_LINGER_MS) } : {}),
  });
  await producer.connect();
  // As for platformatic (its `metadata()` above): the topic's metadata is fetched before timing.
  await producer.partitionsFor(topic);
  return {
    many: (values) => producer.sendBatch(values.map((value) => ({ topic, value }))),
    one: (value) => producer.send({ topic, value }),
    sampled: async () => {
      let failed: unknown = null;
      const onError = (e: unknown) => {
        failed = e;
      };
      const window: Promise<unknown>[] = [];
      for (let i = 0; i < records; i++) {
        const p = producer.send({ topic, value: pool[i & 1023] });
        if ((i & 1023) === 1023) {
          p.catch(onError);
          window.push(p);
          if (window.length * 1024 * size > WINDOW_BYTES) await window.shift();
        }
      }
      await producer.flush();
      if (failed) throw failed;
    },
    close: () => producer.close(),
  };
}

async function drive(sends: Sends): Promise<void> {
  if (shape === 'chunks') await chunked(sends.many as (values: Buffer[]) => Promise<unknown>);
  else if (shape === 'chunks-send' && sends.one) {
    const one = sends.one;
    await chunked((values) => Promise.all(values.map(one)));
  } else if (shape.startsWith('burst')) await bursts(Number(shape.slice(5)), sends);
  else if (shape === 'sampled' && sends.sampled) await sends.sampled();
  else throw new Error(`shape ${shape} is not defined for ${client}`);
  await sends.close();
}

const runners: Record<string, () => Promise<Sends>> = {
  tskafka: runTskafka,
  kafkajs: runKafkaJs,
  platformatic: runPlatformatic,
};
const setup = runners[client];
if (!setup) throw new Error(`unknown client ${client}; one of ${Object.keys(runners).join(', ')}`);
const sends = await setup();
let gcCount = 0;
let gcMs = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    gcCount++;
    gcMs += e.duration;
  }
}).observe({ entryTypes: ['gc'] });
let peakRss = process.memoryUsage.rss();
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
}, 100);
const cpu0 = process.cpuUsage();
const t0 = process.hrtime.bigint();
await drive(sends);
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
    gcCount,
    gcMs: Math.round(gcMs),
  }),
);
process.exit(0);
