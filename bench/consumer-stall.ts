// `node --import tsx --conditions=source bench/consumer-stall.ts`: how long a group consumer stops delivering records when the broker
// that is both its group coordinator and a partition leader stops (issue 18, item 8). Three
// in-process brokers, a topic with 3 partitions (replication factor 3), a producer writing one
// record every 10 ms; after 4 s of steady consumption the coordinator's broker is stopped, and
// restarted 15 s later. Printed per consumer: the longest time with no record delivered at all,
// and the longest per partition, from the stop on. Our consumer runs beside confluent-kafka-python
// (librdkafka) in another group under the same fault, as a mature client's figure to compare with.
//   STALL_RUNS=3 node --import tsx --conditions=source bench/consumer-stall.ts   (several rounds; prints each and the worst)
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { randomFaultSchedule, runFaultSchedule, startCluster } from '@tskafka/broker';
import { Kafka, silentLogger } from 'tskafka';

const TOPIC = 'stall';
const STEADY_MS = 4000;
const DOWN_MS = 15_000;
const AFTER_MS = 6000;
/** STALL_SEED: run a seeded fault schedule (as the delivery audit does) instead of the coordinator stop. */
/** STALL_COMMIT=1: commitSync after each poll instead of auto commit. */
const COMMIT_SYNC = process.env.STALL_COMMIT === '1';
/** STALL_JOIN=1: a new member joins the group just before the coordinator stops. */
const JOIN = process.env.STALL_JOIN === '1';
/**
 * STALL_OFFSETS_RF=1: `__consumer_offsets` with one replica (the broker's default), so the group has
 * no coordinator at all while its broker is down; the consumers should go on fetching meanwhile.
 */
const OFFSETS_RF = Number(process.env.STALL_OFFSETS_RF ?? 3);
const SEED = process.env.STALL_SEED === undefined ? null : Number(process.env.STALL_SEED);
/** Members of our consumer group (STALL_MEMBERS, default 2: a rebalance is part of the story). */
const MEMBERS = Number(process.env.STALL_MEMBERS ?? 2);

/** Kafka's `Utils.abs(groupId.hashCode()) % offsets.topic.num.partitions`. */
function offsetsPartitionFor(groupId: string, partitions: number): number {
  let h = 0;
  for (let i = 0; i < groupId.length; i++) h = (Math.imul(h, 31) + groupId.charCodeAt(i)) | 0;
  return (h & 0x7fffffff) % partitions;
}

/** Arrival times of records, per partition. */
class Arrivals {
  readonly all: number[] = [];
  readonly byPartition = new Map<number, number[]>();
  add(partition: number, at: number): void {
    this.all.push(at);
    const list = this.byPartition.get(partition) ?? [];
    list.push(at);
    this.byPartition.set(partition, list);
  }
  /** The longest gap between arrivals from `from` to `to` (counting the edges). */
  static longestGap(times: number[], from: number, to: number): number {
    let prev = from;
    let worst = 0;
    for (const t of [...times].sort((a, b) => a - b)) {
      if (t < from) continue;
      if (t > to) break;
      worst = Math.max(worst, t - prev);
      prev = t;
    }
    return Math.max(worst, to - prev);
  }
  report(name: string, from: number, to: number): string {
    const parts = [...this.byPartition.keys()].sort((a, b) => a - b);
    const per = parts.map(
      (p) => `p${p} ${(Arrivals.longestGap(this.byPartition.get(p) ?? [], from, to) / 1000).toFixed(1)} s`,
    );
    return `${name}: longest stall ${(Arrivals.longestGap(this.all, from, to) / 1000).toFixed(1)} s (per partition: ${per.join(', ')}), ${this.all.length} records`;
  }
}

const PYTHON_CONSUMER = `
import sys, time
from confluent_kafka import Consumer
cs = [Consumer({"bootstrap.servers": sys.argv[1], "group.id": sys.argv[3], "auto.offset.reset": "latest",
                "enable.auto.commit": True}) for _ in range(int(sys.argv[4]))]
for c in cs: c.subscribe([sys.argv[2]])
while True:
    for c in cs:
        m = c.poll(0.05)
        if m is None or m.error(): continue
        print(m.partition(), int(time.time() * 1000), flush=True)
`;

async function round(): Promise<{ ours: number; peer: number }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tskafka-stall-'));
  const cluster = await startCluster({
    brokers: 3,
    dataDir,
    logLevel: 'error',
    config: {
      'offsets.topic.replication.factor': OFFSETS_RF,
      'offsets.topic.num.partitions': 3,
      'min.insync.replicas': 2,
    },
  });
  const bootstrap = cluster.bootstrapServers;
  const kafka = new Kafka({ bootstrapServers: bootstrap, clientId: 'stall', logger: silentLogger });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics([{ topic: TOPIC, numPartitions: 3, replicationFactor: 3 }]);
  await admin.close();

  const producer = kafka.producer({ acks: 'all', lingerMs: 0 });
  await producer.connect();
  let producing = true;
  const produced = (async () => {
    for (let i = 0; producing; i++) {
      producer.send({ topic: TOPIC, partition: i % 3, value: String(Date.now()) }).catch(() => {});
      await sleep(10);
    }
  })();

  const ours = new Arrivals();
  const group = 'stall-group';
  let consuming = true;
  const consumers = await Promise.all(
    Array.from({ length: MEMBERS }, async () => {
      const consumer = kafka.consumer({
        groupId: group,
        autoOffsetReset: 'latest',
        enableAutoCommit: !COMMIT_SYNC,
      });
      await consumer.connect();
      await consumer.subscribe([TOPIC]);
      return consumer;
    }),
  );
  const consumed = Promise.all(
    consumers.map(async (consumer) => {
      while (consuming) {
        const records = await consumer.poll(100);
        for (const r of records) ours.add(r.partition, Date.now());
        // As an at-least-once loop does: commit what was processed before polling again.
        if (COMMIT_SYNC && records.length > 0) await consumer.commitSync().catch(() => {});
      }
    }),
  );

  const peer = new Arrivals();
  const peerGroup = 'stall-peer';
  const py = spawn(
    '/usr/bin/python3',
    ['-c', PYTHON_CONSUMER, bootstrap.join(','), TOPIC, peerGroup, String(MEMBERS)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  createInterface({ input: py.stdout }).on('line', (line) => {
    const [p, at] = line.split(' ').map(Number);
    peer.add(p, at);
  });

  await sleep(STEADY_MS);
  const offsets = cluster.metadata.topics.get('__consumer_offsets');
  const coordinator = offsets?.partitions[offsetsPartitionFor(group, 3)].leader ?? 1;
  const peerCoordinator = offsets?.partitions[offsetsPartitionFor(peerGroup, 3)].leader;
  const leads = cluster.metadata.topics
    .get(TOPIC)
    ?.partitions.filter((p) => p.leader === coordinator)
    .map((p) => p.partition);
  console.log(
    `stopping broker ${coordinator}: coordinator of ${group}${peerCoordinator === coordinator ? ` and ${peerGroup}` : ''}, leader of ${TOPIC} partition(s) ${leads?.join(',')}`,
  );
  let joiner: Promise<void> = Promise.resolve();
  if (JOIN) {
    // A member joining just before the stop: the coordinator dies in the middle of a rebalance.
    const extra = kafka.consumer({ groupId: group, autoOffsetReset: 'latest' });
    consumers.push(extra);
    joiner = (async () => {
      await extra.connect();
      await extra.subscribe([TOPIC]);
      while (consuming) for (const r of await extra.poll(100)) ours.add(r.partition, Date.now());
    })();
    await sleep(150);
  }
  const stoppedAt = Date.now();
  if (SEED === null) {
    await cluster.stopBroker(coordinator);
    await sleep(DOWN_MS);
    await cluster.startBroker(coordinator);
  } else {
    // The delivery audit's kind of schedule instead: every kind of fault, drawn from the seed.
    const schedule = randomFaultSchedule({
      seed: SEED,
      brokers: [1, 2, 3],
      durationMs: DOWN_MS,
      meanIntervalMs: DOWN_MS / 8,
      partitions: [0, 1, 2].map((partition) => ({ topic: TOPIC, partition })),
    });
    const events = await runFaultSchedule(cluster, schedule).done;
    for (const e of events) console.log(`    +${e.ranAtMs}ms ${e.outcome} ${JSON.stringify(e.step)}`);
  }
  await sleep(AFTER_MS);
  const end = Date.now();

  producing = false;
  consuming = false;
  await produced;
  await consumed;
  await joiner;
  py.kill('SIGKILL');
  for (const c of consumers) await c.close().catch(() => {});
  await producer.close().catch(() => {});
  await cluster.close();
  rmSync(dataDir, { recursive: true, force: true });
  console.log(`  ${ours.report('tskafka', stoppedAt, end)}`);
  console.log(`  ${peer.report('confluent-kafka-python', stoppedAt, end)}`);
  return {
    ours: Arrivals.longestGap(ours.all, stoppedAt, end),
    peer: Arrivals.longestGap(peer.all, stoppedAt, end),
  };
}

const runs = Number(process.env.STALL_RUNS ?? 1);
const results: { ours: number; peer: number }[] = [];
for (let i = 0; i < runs; i++) results.push(await round());
const worst = (k: 'ours' | 'peer') => (Math.max(...results.map((r) => r[k])) / 1000).toFixed(1);
console.log(`worst of ${runs}: tskafka ${worst('ours')} s, confluent-kafka-python ${worst('peer')} s`);
