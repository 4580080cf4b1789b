/**
 * One producer run for bench/metrics: 100 B records, every send's promise observed, chunks of
 * 1000 sends with 4 chunks in flight, against the broker at argv[2]. With `METRICS=off`, the
 * metric sensors and the network hooks are replaced by no-ops first, so the two runs differ only
 * in the cost of recording metrics. Prints one JSON line: records, seconds, CPU seconds.
 */
import { ClientNetworkMetrics, Sensor } from '@tskafka/transport/internals';
import { Kafka, silentLogger } from 'tskafka';

const [bootstrap, topic, countText] = process.argv.slice(2);
const count = Number(countText ?? '300000');
if (process.env.METRICS === 'off') {
  Sensor.prototype.record = () => {};
  ClientNetworkMetrics.prototype.onRequest = () => {};
  ClientNetworkMetrics.prototype.onResponse = () => {};
}
const producer = new Kafka({ bootstrapServers: [bootstrap ?? ''], clientId: 'bench-metrics' }).producer({
  acks: 1,
  logger: silentLogger,
});
await producer.connect();
const value = Buffer.alloc(100, 7);
const chunk = async () => {
  const all: Promise<unknown>[] = [];
  for (let i = 0; i < 1000; i++) all.push(producer.send({ topic: topic ?? 'bench-metrics', value }));
  await Promise.all(all);
};
// Warm-up, untimed.
await Promise.all([chunk(), chunk(), chunk(), chunk()]);
const cpu0 = process.cpuUsage();
const t0 = performance.now();
let sent = 0;
const worker = async () => {
  while (sent < count) {
    sent += 1000;
    await chunk();
  }
};
await Promise.all([worker(), worker(), worker(), worker()]);
const seconds = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
await producer.close();
console.log(JSON.stringify({ records: sent, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 }));
