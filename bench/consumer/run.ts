/**
 * Consumer benchmark: tskafka against KafkaJS 2.2.4 and @platformatic/kafka reading the same
 * pre-produced records (100 B and 1 KiB values, 3, 32 and 128 partitions) from the beginning, each in a fresh
 * group and its own process, on the same broker in the same run: librdkafka's mock cluster (it
 * keeps only ~5 MB per partition, so fewer records there) and our reference broker. Prints
 * records/s, MB/s, client CPU per record and peak RSS, and tskafka's ratio to each peer.
 *
 *   npx tsx --conditions=source bench/consumer/run.ts [--brokers mock,tskafka] [--clients ...] [--sizes 100,1024]
 *       [--partitions 3,32,128]
 *
 * Nothing here is a test: figures vary with the machine; compare the ratios.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Kafka } from 'tskafka';
import { startTarget, targetTitle } from '../target.js';

const execFileAsync = promisify(execFile);
const here = (f: string) => fileURLToPath(new URL(f, import.meta.url));

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
}
const brokers = arg('brokers', 'mock,tskafka').split(',');
const clients = arg('clients', 'tskafka,kafkajs,platformatic').split(',');
const sizes = arg('sizes', '100,1024').split(',').map(Number);
const partitionCounts = arg('partitions', '3,32,128').split(',').map(Number);

/** Records per size: the mock drops data beyond ~5 MB per partition. */
function recordsFor(kind: string, size: number): number {
  if (kind === 'mock') return size >= 1024 ? 12_000 : 100_000;
  return size >= 1024 ? 125_000 : 500_000;
}

interface Result {
  client: string;
  records: number;
  bytes: number;
  seconds: number;
  cpuSeconds: number;
  rssMb: number;
  /** CPU the broker process used during the run (our broker only), else null. */
  brokerCpuSeconds?: number | null;
}

async function preProduce(
  bootstrap: string,
  topic: string,
  records: number,
  size: number,
  partitions: number,
): Promise<void> {
  const producer = new Kafka({ bootstrapServers: bootstrap.split(','), clientId: 'bench-fill' }).producer({
    acks: 1,
    idempotent: false,
    batchSize: 262144,
  });
  await producer.connect();
  const pool = Array.from({ length: 256 }, () => randomBytes(size));
  for (let start = 0; start < records; start += 10_000) {
    const chunk = [];
    for (let i = start; i < Math.min(records, start + 10_000); i++)
      chunk.push({ topic, partition: i % partitions, value: pool[i & 255] });
    await producer.sendBatch(chunk);
  }
  await producer.close();
}

async function runClient(client: string, bootstrap: string, topic: string, records: number, size: number) {
  const { stdout } = await execFileAsync(
    process.execPath,
    [
      // BENCH_CLIENT_NODE_OPTIONS passes flags to the client's node, e.g. `--cpu-prof --cpu-prof-dir=prof`.
      ...(process.env.BENCH_CLIENT_NODE_OPTIONS?.split(' ').filter(Boolean) ?? []),
      '--import',
      'tsx',
      '--conditions=source',
      here('./client.ts'),
      client,
      bootstrap,
      topic,
      String(records),
      String(size),
    ],
    { maxBuffer: 1 << 20, timeout: 180_000 },
  );
  return JSON.parse(stdout.trim().split('\n').pop() as string) as Result;
}

const fmt = (n: number, d = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

for (const kind of brokers) {
  const topics = partitionCounts.flatMap((n) => sizes.map((size) => `consume-${size}-p${n}:${n}`));
  const target = await startTarget(kind, topics, 3);
  console.log(`\n## broker: ${targetTitle(kind)}`);
  console.log(
    '| partitions | size | records | client | records/s | MB/s | client CPU µs/record | broker CPU µs/record | peak RSS MB | tskafka ×faster |',
  );
  console.log('|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|');
  for (const partitions of partitionCounts) {
    for (const size of sizes) {
      const topic = `consume-${size}-p${partitions}`;
      // The mock keeps ~5 MB per partition: more partitions hold more records.
      const records =
        kind === 'mock'
          ? Math.min(
              recordsFor(kind, size) * Math.max(1, Math.floor(partitions / 3)),
              size >= 1024 ? 100_000 : 1_000_000,
            )
          : recordsFor(kind, size);
      await preProduce(target.bootstrap, topic, records, size, partitions);
      const rows: Result[] = [];
      for (const client of clients) {
        try {
          const cpu0 = target.cpuSeconds();
          const r = await runClient(client, target.bootstrap, topic, records, size);
          const cpu1 = target.cpuSeconds();
          // Includes the group join and the client's setup requests, a few ms at most.
          r.brokerCpuSeconds = cpu0 === null || cpu1 === null ? null : cpu1 - cpu0;
          rows.push(r);
        } catch (e) {
          console.log(
            `| ${partitions} | ${size} | ${records} | ${client} | failed: ${(e as Error).message.split('\n')[0]} | | | | | |`,
          );
        }
      }
      const ours = rows.find((r) => r.client === 'tskafka');
      for (const r of rows) {
        const rate = r.records / r.seconds;
        const ratio = ours && r.client !== 'tskafka' ? `${fmt(ours.records / ours.seconds / rate, 2)}×` : '';
        console.log(
          `| ${partitions} | ${size} | ${records} | ${r.client} | ${fmt(rate)} | ${fmt(r.bytes / r.seconds / 1e6, 1)} | ${fmt((r.cpuSeconds * 1e6) / r.records, 2)} | ${r.brokerCpuSeconds == null ? '' : fmt((r.brokerCpuSeconds * 1e6) / r.records, 2)} | ${r.rssMb} | ${ratio} |`,
        );
      }
    }
  }
  await target.close();
}
