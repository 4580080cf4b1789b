/**
 * One consumer benchmark run in its own process: reads `records` pre-produced records of a topic
 * from the beginning in a fresh consumer group, and prints one JSON line:
 * `{ client, records, bytes, seconds, cpuSeconds, rssMb }`. Time runs from the first record
 * handed to the application to the last, so the group join (which brokers delay on purpose) is
 * not counted for anyone.
 *
 *   tsx --conditions=source bench/consumer/client.ts <client> <bootstrap> <topic> <records> <size>
 */

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

const [client, bootstrap, topic, recordsArg, sizeArg] = process.argv.slice(2);
const records = Number(recordsArg);
const size = Number(sizeArg);
const group = `bench-${client}-${process.pid}`;

let seen = 0;
let bytes = 0;
let started = 0n;
let cpu0: NodeJS.CpuUsage = process.cpuUsage();
let done!: () => void;
const finished = new Promise<void>((resolve) => {
  done = resolve;
});
function count(n: number, valueBytes: number): void {
  if (seen === 0) {
    started = process.hrtime.bigint();
    cpu0 = process.cpuUsage();
  }
  seen += n;
  bytes += valueBytes;
  if (seen >= records) done();
}

async function runTskafka(): Promise<() => Promise<void>> {
  const { Kafka } = await import('tskafka');
  const consumer = new Kafka({ bootstrapServers: bootstrap.split(','), clientId: 'bench' }).consumer({
    groupId: group,
    autoOffsetReset: 'earliest',
    enableAutoCommit: false,
  });
  await consumer.connect();
  await consumer.subscribe([topic]);
  let stop = false;
  const loop = (async () => {
    while (!stop) {
      const batch = await consumer.poll(100);
      let b = 0;
      for (const r of batch) b += r.value?.length ?? 0;
      if (batch.length > 0) count(batch.length, b);
    }
  })();
  return async () => {
    await finished;
    stop = true;
    await loop;
    await consumer.close();
  };
}

async function runKafkaJs(): Promise<() => Promise<void>> {
  const { Kafka, logLevel } = await import('kafkajs');
  const consumer = new Kafka({
    clientId: 'bench',
    brokers: bootstrap.split(','),
    logLevel: logLevel.NOTHING,
  }).consumer({
    groupId: group,
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch }) => {
      let b = 0;
      for (const m of batch.messages) b += m.value?.length ?? 0;
      count(batch.messages.length, b);
    },
  });
  return async () => {
    await finished;
    await consumer.disconnect();
  };
}

async function runPlatformatic(): Promise<() => Promise<void>> {
  const { Consumer } = await import('@platformatic/kafka');
  const consumer = new Consumer({
    clientId: 'bench',
    groupId: group,
    bootstrapBrokers: bootstrap.split(','),
  });
  const stream = await consumer.consume({ topics: [topic], mode: 'earliest', autocommit: false });
  stream.on('data', (m: { value?: Buffer }) => count(1, m.value?.length ?? 0));
  return async () => {
    await finished;
    await stream.close();
    await consumer.close(true);
  };
}

const runners: Record<string, () => Promise<() => Promise<void>>> = {
  tskafka: runTskafka,
  kafkajs: runKafkaJs,
  platformatic: runPlatformatic,
};
const setup = runners[client];
if (!setup) throw new Error(`unknown client ${client}; one of ${Object.keys(runners).join(', ')}`);
let peakRss = process.memoryUsage.rss();
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
}, 100);
const timeout = setTimeout(() => {
  console.error(`${client}: read only ${seen} of ${records} records in 120 s`);
  process.exit(1);
}, 120_000);
const finish = await setup();
await finished;
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const cpu = process.cpuUsage(cpu0);
clearInterval(sampler);
clearTimeout(timeout);
console.log(
  JSON.stringify({
    client,
    records: seen,
    bytes,
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    rssMb: Math.round(Math.max(peakRss, process.memoryUsage.rss()) / 1048576),
  }),
);
await Promise.race([finish(), new Promise((r) => setTimeout(r, 5000))]);
process.exit(seen >= records && size > 0 ? 0 : 1);
