/**
 * What incremental fetch sessions (KIP-227) change on the wire: a tskafka consumer, caught up on a
 * topic of N partitions of our broker, reads a trickle (one record every 20 ms on a rotating
 * partition) through a recording proxy, once with the broker's fetch sessions on and once with
 * `max.incremental.fetch.session.cache.slots=0` (every fetch full, as before sessions). Prints
 * the Fetch requests and responses per fetch (bytes, partitions listed) and the process's CPU
 * time per fetch (broker, proxy and clients share the process: compare the two rows).
 *
 *   npx tsx --conditions=source bench/consumer/fetch-sessions.ts [--partitions 3,32,128] [--records 100]
 *
 * Nothing here is a test.
 */
import { startBroker } from '@tskafka/broker';
import { Api, decodeRequest } from '@tskafka/protocol/internals';
import { Kafka } from 'tskafka';
import { startRecordingProxy } from '../../test/interop/recording-proxy.js';

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
}
const partitionCounts = arg('partitions', '3,32,128').split(',').map(Number);
const trickle = Number(arg('records', '100'));
const silent = { debug() {}, info() {}, warn() {}, error() {} };

async function run(partitions: number, sessions: boolean) {
  const broker = await startBroker({
    logLevel: 'error',
    config: {
      'num.partitions': partitions,
      'max.incremental.fetch.session.cache.slots': sessions ? 1000 : 0,
    },
  });
  const proxy = await startRecordingProxy({ upstreams: broker.bootstrapServers });
  const producer = new Kafka({ bootstrapServers: broker.bootstrapServers, logger: silent }).producer();
  await producer.connect();
  await producer.sendBatch(
    Array.from({ length: partitions }, (_, partition) => ({ topic: 't', partition, value: 'x' })),
  );
  const consumer = new Kafka({
    bootstrapServers: proxy.bootstrapServers.split(','),
    logger: silent,
  }).consumer({
    groupId: 'bench',
    autoOffsetReset: 'earliest',
  });
  await consumer.connect();
  consumer.assign(Array.from({ length: partitions }, (_, partition) => ({ topic: 't', partition })));
  for (let n = 0; n < partitions; ) n += (await consumer.poll(200)).length;
  proxy.take();
  const cpu = process.cpuUsage();
  for (let i = 0; i < trickle; i++) {
    await producer.send({ topic: 't', partition: (i * 7) % partitions, value: 'y' });
    await consumer.poll(20);
  }
  const used = process.cpuUsage(cpu);
  let requestBytes = 0;
  let responseBytes = 0;
  let fetches = 0;
  let listed = 0;
  for (const f of proxy.take()) {
    if (f.apiKey !== Api.Fetch.key) continue;
    if (f.direction === 'response') {
      responseBytes += f.bytes.length;
      continue;
    }
    fetches++;
    requestBytes += f.bytes.length;
    listed += decodeRequest(Api.Fetch, f.bytes).body.topics.reduce((n, t) => n + t.partitions.length, 0);
  }
  await consumer.close();
  await producer.close();
  await proxy.close();
  await broker.close();
  const per = (x: number) => (fetches === 0 ? 0 : x / fetches);
  console.log(
    `| ${partitions} | ${sessions ? 'on' : 'off'} | ${fetches} | ${Math.round(per(requestBytes))} | ${Math.round(per(responseBytes))} | ${per(listed).toFixed(1)} | ${Math.round(per(used.user + used.system))} |`,
  );
}

console.log(
  '| partitions | sessions | fetches | request B/fetch | response B/fetch | partitions listed/fetch | process CPU µs/fetch |',
);
console.log('|---:|---|---:|---:|---:|---:|---:|');
for (const partitions of partitionCounts) {
  await run(partitions, false);
  await run(partitions, true);
}
