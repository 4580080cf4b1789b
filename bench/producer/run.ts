/**
 * Producer benchmark: tskafka against KafkaJS 2.2.4 and @platformatic/kafka, on the same broker
 * in the same run: librdkafka's mock cluster (a broker we did not write) and our reference
 * broker. Every client sends the same records (random values, keyless) in the same shapes (see
 * `client.ts`: chunks of 1000 with 4 in flight, bursts of 10,000 and 50,000 awaited, and two
 * tskafka-only labelled shapes), each in its own process with its own defaults, one after the
 * other, on a fresh topic, after an untimed warm-up of the broker. Prints records/s, MB/s, CPU per
 * record of the client and of our broker, GCs, and peak RSS per client, and tskafka's ratio to
 * the best peer. `BENCH_VERBOSE=1` also prints every run on stderr.
 *
 *   npx tsx --conditions=source bench/producer/run.ts [--brokers mock,tskafka] [--clients ...]
 *       [--shapes chunks,burst10000,burst50000,chunks-send,sampled] [--sizes 100,1024]
 *       [--partitions 3,32] [--acks 1] [--records 200000] [--repeat 1]
 *
 * Nothing here is a test: figures vary with the machine; compare the ratios.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Api } from '@tskafka/protocol/internals';
import { silentLogger } from '@tskafka/transport';
import { Cluster } from '@tskafka/transport/internals';
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
const acksList = arg('acks', '1').split(',');
const shapes = arg('shapes', 'chunks,burst10000,burst50000,chunks-send,sampled').split(',');
const partitionCounts = arg('partitions', '3,32').split(',').map(Number);
/** Shapes only tskafka has (labelled rows): the peers have no lazy per-record future to compare. */
const OURS_ONLY = new Set(['chunks-send', 'sampled']);
const baseRecords = Number(arg('records', '200000'));
const repeat = Number(arg('repeat', '1'));

interface Result {
  client: string;
  records: number;
  bytes: number;
  seconds: number;
  cpuSeconds: number;
  rssMb: number;
  gcCount: number;
  gcMs: number;
  /** CPU the broker process used during the run (our broker only), else null. */
  brokerCpuSeconds?: number | null;
}

interface Case {
  size: number;
  acks: string;
  shape: string;
  partitions: number;
  records: number;
  client: string;
  /** `name:partitions`, as `startTarget` takes it. */
  topic: string;
}
const cases: Case[] = [];
for (const partitions of partitionCounts) {
  for (const size of sizes) {
    for (const acks of acksList) {
      for (const shape of shapes) {
        // Same bytes per case at 1 KiB as at 100 B would take long on the mock; a quarter is enough.
        const records = size >= 1024 ? Math.round(baseRecords / 4) : baseRecords;
        const who = clients.filter((c) => c === 'tskafka' || !OURS_ONLY.has(shape));
        // Rounds alternate the clients' order, so no client always runs first or last.
        for (let r = 0; r < repeat; r++) {
          for (const client of r % 2 === 0 ? who : [...who].reverse()) {
            const name = `bench-${client}-${shape}-${size}-${acks}-p${partitions}-${r}`;
            cases.push({ size, acks, shape, partitions, records, client, topic: `${name}:${partitions}` });
          }
        }
      }
    }
  }
}
/** Written before timing, so no client's run pays for warming up the broker (JIT, first allocations). */
const WARMUP: Case = {
  size: 1024,
  acks: '1',
  shape: 'chunks',
  partitions: 3,
  records: 100_000,
  client: 'tskafka',
  topic: 'bench-warmup:3',
};
const topics = [...cases.map((c) => c.topic), WARMUP.topic];
const nameOf = (c: Case) => c.topic.split(':')[0];

async function runClient(client: string, bootstrap: string, c: Case): Promise<Result> {
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
      nameOf(c),
      String(c.records),
      String(c.size),
      c.acks,
      c.shape,
    ],
    { maxBuffer: 1 << 20, timeout: 300_000 },
  );
  return JSON.parse(stdout.trim().split('\n').pop() as string) as Result;
}

/** Records stored in `topic` (sum of the partitions' latest offsets), so a row never counts lost records. */
async function storedRecords(bootstrap: string, topic: string): Promise<number> {
  const c = new Cluster({ bootstrapServers: bootstrap, logger: silentLogger });
  try {
    await c.connect();
    const t = await c.waitForTopic(topic, 10_000);
    let sum = 0;
    for (const p of t.partitions) {
      const res = await c.request(p.leader, Api.ListOffsets, {
        replicaId: -1,
        isolationLevel: 0,
        topics: [{ name: topic, partitions: [{ partitionIndex: p.partition, timestamp: -1 }] }],
      });
      sum += res.topics[0].partitions[0].offset;
    }
    return sum;
  } finally {
    await c.close();
  }
}

async function deleteTopic(bootstrap: string, topic: string): Promise<void> {
  const admin = new Kafka({ bootstrapServers: bootstrap.split(','), clientId: 'bench-admin' }).admin();
  try {
    await admin.connect();
    await admin.deleteTopics([topic]);
  } finally {
    await admin.close();
  }
}

const fmt = (n: number, d = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

const SHAPE_LABELS: Record<string, string> = {
  chunks: 'chunks 1000 × 4 in flight, all observed',
  'chunks-send': 'chunks 1000 × 4, one send() each (tskafka only)',
  burst10000: 'burst 10,000 awaited (tskafka: a send() each; peers: arrays)',
  burst50000: 'burst 50,000 awaited (tskafka: a send() each; peers: arrays)',
  sampled: '1 send in 1024 observed (tskafka only)',
};

for (const kind of brokers) {
  const target = await startTarget(kind, topics, 3);
  await runClient('tskafka', target.bootstrap, WARMUP);
  console.log(`\n## broker: ${targetTitle(kind)}`);
  console.log(
    '| shape | partitions | size | acks | client | records/s | MB/s | client CPU µs/record | broker CPU µs/record | GCs | peak RSS MB | tskafka ×faster |',
  );
  console.log('|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|');
  const groups = new Map<string, Case[]>();
  for (const c of cases) {
    const key = `${c.partitions}/${c.size}/${c.acks}/${c.shape}`;
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  for (const group of groups.values()) {
    const { size, acks, shape, partitions } = group[0];
    const rows: Result[] = [];
    for (const c of group) {
      try {
        const cpu0 = target.cpuSeconds();
        const r = await runClient(c.client, target.bootstrap, c);
        const cpu1 = target.cpuSeconds();
        // Includes the client's connection setup and metadata requests, a few ms at most.
        r.brokerCpuSeconds = cpu0 === null || cpu1 === null ? null : cpu1 - cpu0;
        const stored = await storedRecords(target.bootstrap, nameOf(c));
        // The mock keeps ~5 MB per partition and drops older data; only fewer stored than sent on our broker is an error.
        if (stored < r.records && kind !== 'mock')
          throw new Error(`only ${stored} of ${r.records} records stored`);
        // Our broker keeps its logs on tmpfs, in memory the machine may limit: each case's topic
        // goes once counted, so a long run does not end on a broker short of memory.
        if (kind !== 'mock') await deleteTopic(target.bootstrap, nameOf(c));
        rows.push(r);
        if (process.env.BENCH_VERBOSE) {
          const perRecord = (x: number | null | undefined) => (x ? (x * 1e6) / r.records : null);
          console.error(
            JSON.stringify({
              client: r.client,
              shape,
              partitions,
              size,
              recordsPerSecond: Math.round(r.records / r.seconds),
              clientCpuUs: perRecord(r.cpuSeconds),
              brokerCpuUs: perRecord(r.brokerCpuSeconds),
            }),
          );
        }
      } catch (e) {
        console.log(
          `| ${SHAPE_LABELS[shape] ?? shape} | ${partitions} | ${size} | ${acks} | ${c.client} | failed: ${(e as Error).message.split('\n')[0]} | | | | | | |`,
        );
      }
    }
    const best = new Map<string, Result>();
    for (const r of rows) {
      const prev = best.get(r.client);
      if (!prev || r.records / r.seconds > prev.records / prev.seconds) best.set(r.client, r);
    }
    const ours = best.get('tskafka');
    const peers = [...best.values()].filter((r) => r.client !== 'tskafka');
    const bestPeer = peers.length === 0 ? null : Math.max(...peers.map((r) => r.records / r.seconds));
    for (const r of best.values()) {
      const rate = r.records / r.seconds;
      let ratio = '';
      if (ours && r.client !== 'tskafka') ratio = `${fmt(ours.records / ours.seconds / rate, 2)}×`;
      else if (ours && bestPeer !== null) ratio = `**${fmt(rate / bestPeer, 2)}× best peer**`;
      const brokerCpu = r.brokerCpuSeconds == null ? '' : fmt((r.brokerCpuSeconds * 1e6) / r.records, 2);
      console.log(
        `| ${SHAPE_LABELS[shape] ?? shape} | ${partitions} | ${size} | ${acks} | ${r.client} | ${fmt(rate)} | ${fmt(r.bytes / r.seconds / 1e6, 1)} | ${fmt((r.cpuSeconds * 1e6) / r.records, 2)} | ${brokerCpu} | ${r.gcCount} | ${r.rssMb} | ${ratio} |`,
      );
    }
  }
  await target.close();
}
