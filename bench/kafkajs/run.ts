/**
 * KafkaJS's API shapes, three ways: the real KafkaJS 2.2.4, `tskafka/kafkajs` (KafkaJS's API over
 * tskafka) and tskafka's own API, on our reference broker (its own process, 3 partitions):
 *
 * - send: `producer.send({ topic, messages })` with arrays of 1000 messages of 100 B, awaited one
 *   after another (tskafka's own API: 1000 `send` calls, then awaiting them);
 * - eachMessage / eachBatch: reading those messages from the beginning in a fresh group
 *   (tskafka's own API: `poll`).
 *
 *   npx tsx --conditions=source bench/kafkajs/run.ts [--arrays 50] [--size 100]
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

type Lib = typeof kafkajs;
const LIBS: [string, Lib][] = [
  ['kafkajs', kafkajs],
  ['tskafka/kafkajs', ours as unknown as Lib],
];

const rate = (n: number, ms: number) => Math.round((n / ms) * 1000);

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

async function sendArrays(kafka: kafkajs.Kafka, topic: string): Promise<number> {
  const producer = kafka.producer();
  await producer.connect();
  const messages = Array.from({ length: 1000 }, (_, i) => ({ key: `k${i}`, value }));
  const start = performance.now();
  for (let a = 0; a < arrays; a++) await producer.send({ topic, messages, acks: 1 });
  const ms = performance.now() - start;
  await producer.disconnect();
  return rate(total, ms);
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

async function nativeSend(bootstrap: string[], topic: string): Promise<number> {
  const producer = new TsKafka({ bootstrapServers: bootstrap, clientId: 'bench' }).producer({
    acks: 1,
    idempotent: false,
  });
  await producer.connect();
  const start = performance.now();
  for (let a = 0; a < arrays; a++) {
    const sends = [];
    for (let i = 0; i < 1000; i++) sends.push(producer.send({ topic, key: `k${i}`, value }));
    await Promise.all(sends);
  }
  const ms = performance.now() - start;
  await producer.close();
  return rate(total, ms);
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

const topics = ['kafkajs', 'tskafka-kafkajs', 'tskafka'];
const target = await startTarget('tskafka', topics, 3);
const brokers = target.bootstrap.split(',');
const rows: string[][] = [];
try {
  for (const [name, lib] of LIBS) {
    const kafka = new lib.Kafka({ clientId: 'bench', brokers, logLevel: lib.logLevel.NOTHING });
    const topic = name === 'kafkajs' ? 'kafkajs' : 'tskafka-kafkajs';
    const send = await sendArrays(kafka, topic);
    const eachMessage = await consume(kafka, topic, 'eachMessage');
    const eachBatch = await consume(kafka, topic, 'eachBatch');
    rows.push([name, String(send), showConsume(eachMessage), showConsume(eachBatch)]);
  }
  const send = await nativeSend(brokers, 'tskafka');
  const poll = await nativePoll(brokers, 'tskafka');
  rows.push(['tskafka (own API)', String(send), `${showConsume(poll)} poll`, `${showConsume(poll)} poll`]);
} finally {
  await target.close();
}
console.log(`${total} messages of ${size} B, 3 partitions, acks=1; messages/s`);
const header = ['client', 'send(1000[])', 'eachMessage', 'eachBatch'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
for (const r of [header, ...rows]) console.log(r.map((c, i) => c.padEnd(widths[i])).join('  '));
