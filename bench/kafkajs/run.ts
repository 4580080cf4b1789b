/**
 * KafkaJS's API shapes, three ways: the real KafkaJS 2.2.4, `tskafka/kafkajs` (KafkaJS's API over
 * tskafka) and tskafka's own API, on our reference broker (its own process, 3 partitions):
 *
 * - send: `producer.send({ topic, messages })` with arrays of 1000 messages of 100 B, awaited one
 *   after another (tskafka's own API: `producer.sendBatch` of 1000 records, awaited the same way),
 *   with this process's CPU time per message (user + system; the broker runs in its own process);
 * - eachMessage / eachBatch: reading those messages from the beginning in a fresh group
 *   (tskafka's own API: `poll`).
 *
 *   node --expose-gc --conditions=source --import tsx bench/kafkajs/run.ts [--arrays 50] [--size 100] [--send-only]
 *
 * Prints messages/s per shape and client. Nothing here is a test: figures vary with the machine
 * and all clients share this process; compare the ratios. The time to join the group is not
 * counted (from the first message handed over to the last).
 */
import { randomBytes } from 'node:crypto';
import * as kafkajs from 'kafkajs';
import { Kafka as TsKafka } from 'tskafka';
import * as ours from 'tskafka/kafkajs';
import { startTarget } from '../target.js';

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
}
const arrays = Number(arg('arrays', '50'));
const size = Number(arg('size', '100'));
const total = arrays * 1000;
const value = randomBytes(size);
const sendOnly = process.argv.includes('--send-only');

type Lib = typeof kafkajs;
const LIBS: [string, Lib][] = [
  ['kafkajs', kafkajs],
  ['tskafka/kafkajs', ours as unknown as Lib],
];

const rate = (n: number, ms: number) => Math.round((n / ms) * 1000);

/**
 * Messages/s and this process's CPU µs per message of `run`, which sends `total` messages. The
 * garbage of the client measured before is collected first when `gc` is exposed
 * (`node --expose-gc`), so that it is not charged to this one.
 */
async function measured(run: () => Promise<void>): Promise<string> {
  (globalThis as { gc?: () => void }).gc?.();
  const cpu = process.cpuUsage();
  const start = performance.now();
  await run();
  const ms = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return `${rate(total, ms)} (${((used.user + used.system) / total).toFixed(2)} µs CPU)`;
}

/** A consume figure: messages/s, and the process's CPU time per message (µs), noise-resistant. */
interface ConsumeFigure {
  rate: number;
  cpuUsPerMessage: number;
}
const cpuNow = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};
const showConsume = (f: ConsumeFigure) => `${f.rate} (${f.cpuUsPerMessage.toFixed(2)} µs cpu)`;

async function sendArrays(kafka: kafkajs.Kafka, topic: string): Promise<string> {
  const producer = kafka.producer();
  await producer.connect();
  const messages = Array.from({ length: 1000 }, (_, i) => ({ key: `k${i}`, value }));
  // Warm-up (compiled code, connections, metadata), to a topic nothing reads.
  for (let a = 0; a < 5; a++) await producer.send({ topic: 'warmup', messages, acks: 1 });
  const result = await measured(async () => {
    for (let a = 0; a < arrays; a++) await producer.send({ topic, messages, acks: 1 });
  });
  await producer.disconnect();
  return result;
}

async function consume(
  kafka: kafkajs.Kafka,
  topic: string,
  shape: 'eachMessage' | 'eachBatch',
): Promise<ConsumeFigure> {
  const consumer = kafka.consumer({ groupId: `bench-${shape}-${Math.random()}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  let seen = 0;
  let first = 0;
  let cpuFirst = 0;
  let done!: () => void;
  const finished = new Promise<void>((r) => {
    done = r;
  });
  const count = (n: number) => {
    if (seen === 0) {
      first = performance.now();
      cpuFirst = cpuNow();
    }
    seen += n;
    if (seen >= total) done();
  };
  await consumer.run(
    shape === 'eachMessage'
      ? { eachMessage: async () => count(1) }
      : { eachBatch: async ({ batch }) => count(batch.messages.length) },
  );
  await finished;
  const ms = performance.now() - first;
  const cpu = cpuNow() - cpuFirst;
  await consumer.disconnect();
  return { rate: rate(total, ms), cpuUsPerMessage: cpu / total };
}

async function nativeSend(bootstrap: string[], topic: string): Promise<string> {
  // As tskafka/kafkajs configures its producer: acks=1 here, not idempotent, no linger.
  const producer = new TsKafka({ bootstrapServers: bootstrap, clientId: 'bench' }).producer({
    acks: 1,
    idempotent: false,
    lingerMs: 0,
  });
  await producer.connect();
  const records = Array.from({ length: 1000 }, (_, i) => ({ topic, key: `k${i}`, value }));
  const warmup = records.map((r) => ({ ...r, topic: 'warmup' }));
  for (let a = 0; a < 5; a++) await producer.sendBatch(warmup);
  const result = await measured(async () => {
    for (let a = 0; a < arrays; a++) await producer.sendBatch(records);
  });
  await producer.close();
  return result;
}

async function nativePoll(bootstrap: string[], topic: string): Promise<ConsumeFigure> {
  const consumer = new TsKafka({ bootstrapServers: bootstrap, clientId: 'bench' }).consumer({
    groupId: `bench-poll-${Math.random()}`,
    autoOffsetReset: 'earliest',
    enableAutoCommit: false,
  });
  await consumer.connect();
  await consumer.subscribe([topic]);
  let seen = 0;
  let first = 0;
  let cpuFirst = 0;
  while (seen < total) {
    const records = await consumer.poll(100);
    if (records.length > 0 && seen === 0) {
      first = performance.now();
      cpuFirst = cpuNow();
    }
    seen += records.length;
  }
  const ms = performance.now() - first;
  const cpu = cpuNow() - cpuFirst;
  await consumer.close();
  return { rate: rate(total, ms), cpuUsPerMessage: cpu / total };
}

const topics = ['kafkajs', 'tskafka-kafkajs', 'tskafka', 'warmup'];
const target = await startTarget('tskafka', topics, 3);
const brokers = target.bootstrap.split(',');
const rows: string[][] = [];
try {
  for (const [name, lib] of LIBS) {
    const kafka = new lib.Kafka({ clientId: 'bench', brokers, logLevel: lib.logLevel.NOTHING });
    const topic = name === 'kafkajs' ? 'kafkajs' : 'tskafka-kafkajs';
    const send = await sendArrays(kafka, topic);
    const eachMessage = sendOnly ? '-' : showConsume(await consume(kafka, topic, 'eachMessage'));
    const eachBatch = sendOnly ? '-' : showConsume(await consume(kafka, topic, 'eachBatch'));
    rows.push([name, send, eachMessage, eachBatch]);
  }
  const send = await nativeSend(brokers, 'tskafka');
  const poll = sendOnly ? '-' : `${showConsume(await nativePoll(brokers, 'tskafka'))} (poll)`;
  rows.push(['tskafka (own API, sendBatch)', send, poll, poll]);
} finally {
  await target.close();
}
console.log(`${total} messages of ${size} B, 3 partitions, acks=1; messages/s`);
const header = ['client', 'send(1000[])', 'eachMessage', 'eachBatch'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
for (const r of [header, ...rows]) console.log(r.map((c, i) => c.padEnd(widths[i])).join('  '));
