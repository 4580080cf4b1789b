// Soak: steady produce and consume for an hour with a rebalance every 30 s, sampling the resident
// memory (RSS) of the broker and of the clients. Flat is the goal; the report ends with each
// side's first, last and highest sample and the growth per hour over the second half (after
// warm-up), so a leak shows as a steady slope.
//   node --import tsx --conditions=source bench/soak.ts             an hour
//   SOAK_MINUTES=5 node --import tsx --conditions=source bench/soak.ts
// The broker runs in its own process (`tskafka broker --brokers 3`, from source) so its memory is
// its own; producer and consumers run here. A rebalance: a second consumer joins the group, and
// leaves it 30 s later, in turn.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { type Consumer, Kafka, silentLogger } from 'tskafka';

const MINUTES = Number(process.env.SOAK_MINUTES ?? 60);
const REBALANCE_MS = Number(process.env.SOAK_REBALANCE_MS ?? 30_000);
const SAMPLE_MS = Number(process.env.SOAK_SAMPLE_MS ?? 10_000);
const RATE = Number(process.env.SOAK_RATE ?? 2000); // records per second
const TOPIC = 'soak';
const CLI = fileURLToPath(new URL('../packages/cli/src/bin.ts', import.meta.url));

/** Resident memory of process `pid` in MiB, from /proc. */
function rssOf(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

// On disk with size retention, so the broker's memory is its own and not the data's (in memory,
// the log itself would grow by the rate times the replication factor).
const dataDir = mkdtempSync(join(tmpdir(), 'tskafka-soak-'));
const child = spawn(
  process.execPath,
  [
    ...['--import', 'tsx', '--conditions=source', CLI, 'broker', '--brokers', '3', '--port', '0'],
    ...['--data-dir', dataDir, '--log-level', 'error'],
    ...['--override', 'log.segment.bytes=8388608', '--override', 'log.retention.bytes=33554432'],
    ...['--override', 'log.retention.check.interval.ms=10000'],
  ],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
const bootstrap = await new Promise<string>((resolve) =>
  createInterface({ input: child.stdout }).once('line', resolve),
);
const kafka = new Kafka({ bootstrapServers: bootstrap.split(','), clientId: 'soak', logger: silentLogger });
const admin = kafka.admin();
await admin.connect();
await admin.createTopics([{ topic: TOPIC, numPartitions: 6, replicationFactor: 3 }]);
await admin.close();

const producer = kafka.producer({ acks: 'all', lingerMs: 5 });
await producer.connect();
const deadline = Date.now() + MINUTES * 60_000;
let produced = 0;
let consumed = 0;
let failures = 0;
const value = Buffer.alloc(200, 0x61);
const producing = (async () => {
  const perTick = Math.max(1, Math.round(RATE / 100));
  while (Date.now() < deadline) {
    for (let i = 0; i < perTick; i++) {
      producer.send({ topic: TOPIC, key: String(produced % 1000), value }).then(
        () => {
          produced++;
        },
        () => {
          failures++;
        },
      );
    }
    await sleep(10);
  }
  await producer.flush();
})();

const member = async (): Promise<{ consumer: Consumer; stop: () => Promise<void> }> => {
  const consumer = kafka.consumer({ groupId: 'soak', autoOffsetReset: 'earliest' });
  await consumer.connect();
  await consumer.subscribe([TOPIC]);
  let running = true;
  const loop = (async () => {
    while (running) consumed += (await consumer.poll(200)).length;
  })();
  return {
    consumer,
    async stop() {
      running = false;
      await loop;
      await consumer.close();
    },
  };
};
const steady = await member();
let extra: Awaited<ReturnType<typeof member>> | null = null;
let rebalances = 0;
const rebalancing = (async () => {
  while (Date.now() + REBALANCE_MS < deadline) {
    await sleep(REBALANCE_MS);
    if (extra) {
      await extra.stop();
      extra = null;
    } else extra = await member();
    rebalances++;
  }
})();

const samples: { atMin: number; broker: number; clients: number }[] = [];
const start = Date.now();
while (Date.now() < deadline) {
  await sleep(SAMPLE_MS);
  const s = {
    atMin: (Date.now() - start) / 60_000,
    broker: rssOf(child.pid as number),
    clients: process.memoryUsage().rss / 2 ** 20,
  };
  samples.push(s);
  console.log(
    `${s.atMin.toFixed(1)} min: broker ${s.broker.toFixed(0)} MiB, clients ${s.clients.toFixed(0)} MiB; produced ${produced}, consumed ${consumed}, rebalances ${rebalances}, send failures ${failures}`,
  );
}
await producing;
await rebalancing;
// (assigned in the rebalancing loop, which TypeScript's narrowing does not follow)
await (extra as Awaited<ReturnType<typeof member>> | null)?.stop();
await steady.stop();
await producer.close();
child.kill('SIGTERM');
await new Promise((resolve) => child.once('exit', resolve));
rmSync(dataDir, { recursive: true, force: true });

/** Least-squares slope of `ys` over `xs`, per hour (xs in minutes). */
function slopePerHour(xs: number[], ys: number[]): number {
  const n = xs.length;
  if (n < 2) return 0;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i] - mx) * (ys[i] - my);
    den += (xs[i] - mx) ** 2;
  }
  return den === 0 ? 0 : (num / den) * 60;
}
const late = samples.slice(Math.floor(samples.length / 2));
for (const side of ['broker', 'clients'] as const) {
  const ys = samples.map((s) => s[side]);
  console.log(
    `${side}: first ${ys[0]?.toFixed(0)} MiB, last ${ys.at(-1)?.toFixed(0)} MiB, highest ${Math.max(...ys).toFixed(0)} MiB, ` +
      `second-half growth ${slopePerHour(
        late.map((s) => s.atMin),
        late.map((s) => s[side]),
      ).toFixed(1)} MiB/hour`,
  );
}
console.log(
  `${produced} produced, ${consumed} consumed, ${rebalances} rebalances, ${failures} send failures in ${MINUTES} min`,
);
