/**
 * The delivery audit: a producer writes sequence-numbered records while a seeded fault schedule
 * runs against the cluster, every acknowledgement is logged, then the topic is read back by each
 * reader (ours and kcat by default) and audited: lost, duplicated, reordered records, offset
 * mismatches and records of aborted transactions seen, per partition. `tskafka audit` runs it.
 *
 * Two kinds of cluster: `cluster` is three in-process brokers on disk (replication factor 3,
 * `min.insync.replicas` 2) under a schedule drawn from the seed (brokers stopped and started,
 * leaders moved, requests and responses dropped, errors injected, latency, a leader cut off from
 * its followers); `kill9` is one broker in a child process (`tskafka broker --data-dir`) killed
 * with SIGKILL and started again on its data at the schedule's times.
 *
 * @module
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import {
  type FaultEvent,
  FaultInjector,
  type FaultSchedule,
  type FaultTarget,
  randomFaultSchedule,
  runFaultSchedule,
  startCluster,
} from '@tskafka/broker';
import { Kafka, type Logger } from 'tskafka';
import { auditDelivery, type DeliveryAuditReport } from './analyze.js';
import {
  type AuditProducer,
  type AuditReader,
  kcatReader,
  tskafkaProducer,
  tskafkaReader,
} from './clients.js';

/** Options of {@link runDeliveryAudit}. */
export interface DeliveryAuditOptions {
  /** The seed of the fault schedule. */
  seed: number;
  /** `cluster` (three in-process brokers, default) or `kill9` (one broker process, killed). */
  mode?: 'cluster' | 'kill9';
  /** How long the producer writes and the faults run (default 6000 ms). */
  durationMs?: number;
  /** Records to write (default 1500). */
  records?: number;
  /** Partitions of the audited topic (default 3). */
  partitions?: number;
  /** The producer (default: ours, idempotent, acks=all). */
  producer?: AuditProducer;
  /** The readers (default: ours and kcat), at read_committed when the producer is transactional. */
  readers?: AuditReader[];
  /** Read with isolation.level=read_committed (default: when the producer is transactional). */
  readCommitted?: boolean;
  /** For `kill9`: the command line that starts `tskafka` (default: this process's own). */
  tskafkaCommand?: string[];
  /** Progress lines (schedule steps, phases). */
  log?: (line: string) => void;
  /** Where the clients log (default: nothing). */
  logger?: Logger;
}

/** What one audit run found. */
export interface DeliveryAuditResult {
  /** The seed. */
  seed: number;
  /** The schedule that ran. */
  schedule: FaultSchedule;
  /** What each step did. */
  events: FaultEvent[];
  /** The producer's name. */
  producer: string;
  /** Records acknowledged. */
  acknowledged: number;
  /** Records sent in transactions aborted on purpose. */
  aborted: number;
  /** Send failures the producer reported (failed records are not acknowledged, so not audited). */
  producerErrors: string[];
  /** One report per reader. */
  reports: DeliveryAuditReport[];
  /** True when every reader's report is. */
  ok: boolean;
  /** Where the cluster's logs are kept for inspection after a failed audit (null after a clean one). */
  dataDir: string | null;
}

const TOPIC = 'audit';

/** Runs one audit; see the module comment. Never throws for what it finds: `ok` says. */
export async function runDeliveryAudit(opts: DeliveryAuditOptions): Promise<DeliveryAuditResult> {
  const durationMs = opts.durationMs ?? 6000;
  const partitions = opts.partitions ?? 3;
  const producer = opts.producer ?? tskafkaProducer({ logger: opts.logger });
  const readCommitted = opts.readCommitted ?? producer.name.includes('transactional');
  const readers = opts.readers ?? [tskafkaReader(opts.logger), kcatReader()];
  const log = opts.log ?? (() => {});
  const dataDir = mkdtempSync(join(tmpdir(), 'tskafka-audit-'));
  const cluster =
    opts.mode === 'kill9'
      ? await ChildProcessBroker.start(opts.tskafkaCommand ?? defaultTskafkaCommand(), dataDir)
      : await inProcessCluster(dataDir);
  let keep = false;
  try {
    const kafka = new Kafka({
      bootstrapServers: cluster.bootstrap,
      clientId: 'audit-admin',
      logger: opts.logger,
    });
    const admin = kafka.admin();
    await admin.connect();
    try {
      const replicationFactor = opts.mode === 'kill9' ? 1 : 3;
      await admin.createTopics([{ topic: TOPIC, numPartitions: partitions, replicationFactor }]);
    } finally {
      await admin.close();
    }
    const schedule = randomFaultSchedule({
      seed: opts.seed,
      brokers: cluster.target.brokers.map((b) => b.nodeId),
      durationMs,
      meanIntervalMs: durationMs / (opts.mode === 'kill9' ? 3 : 8),
      partitions: Array.from({ length: partitions }, (_, partition) => ({ topic: TOPIC, partition })),
      ...(opts.mode === 'kill9' ? { actions: ['stopBroker'] as const } : {}),
    });
    log(
      `seed ${opts.seed}: ${schedule.steps.length} fault steps over ${durationMs} ms, producer ${producer.name}`,
    );
    const run = runFaultSchedule(cluster.target, schedule, {
      onEvent: (e) =>
        log(`  +${e.ranAtMs}ms ${e.outcome} ${JSON.stringify(e.step)}${e.reason ? ` (${e.reason})` : ''}`),
    });
    const produced = await producer.produce({
      bootstrap: cluster.bootstrap.join(','),
      topic: TOPIC,
      partitions,
      records: opts.records ?? 1500,
      durationMs,
      name: producer.name.replace(/[^a-z0-9]/gi, ''),
    });
    const events = await run.done;
    log(`  acknowledged ${produced.acks.length}, send failures ${produced.errors.length}; reading back`);
    const reports: DeliveryAuditReport[] = [];
    for (const reader of readers) {
      const records = await reader.read(
        cluster.bootstrap.join(','),
        TOPIC,
        partitions,
        readCommitted ? 'read_committed' : 'read_uncommitted',
      );
      reports.push(auditDelivery(reader.name, produced.acks, records));
    }
    const ok = reports.every((r) => r.ok);
    keep = !ok;
    return {
      seed: opts.seed,
      schedule,
      events,
      producer: producer.name,
      acknowledged: produced.acks.length,
      aborted: produced.aborted,
      producerErrors: produced.errors,
      reports,
      ok,
      dataDir: ok ? null : dataDir,
    };
  } finally {
    await cluster.close();
    if (!keep) rmSync(dataDir, { recursive: true, force: true });
  }
}

interface AuditCluster {
  bootstrap: string[];
  target: FaultTarget;
  close(): Promise<void>;
}

async function inProcessCluster(dataDir: string): Promise<AuditCluster> {
  const cluster = await startCluster({
    brokers: 3,
    dataDir,
    logLevel: 'error',
    config: {
      'default.replication.factor': 3,
      'min.insync.replicas': 2,
      'offsets.topic.replication.factor': 3,
      'offsets.topic.num.partitions': 5,
      'transaction.state.log.replication.factor': 3,
      'transaction.state.log.num.partitions': 5,
      // Short enough that a leader cut off from its followers shrinks its ISR within a schedule.
      'replica.lag.time.max.ms': 2000,
      'replica.fetch.backoff.ms': 100,
    },
  });
  return { bootstrap: cluster.bootstrapServers, target: cluster, close: () => cluster.close() };
}

/** `tskafka` as this process runs it: the same node, flags (a loader such as tsx) and script. */
function defaultTskafkaCommand(): string[] {
  return [process.execPath, ...process.execArgv, process.argv[1] ?? 'tskafka'];
}

/**
 * One broker in a child process (`tskafka broker --data-dir`), as a fault target: stopping it is
 * `kill -9`, starting it runs the command again on the same data directory and port.
 */
class ChildProcessBroker implements FaultTarget {
  readonly brokers = [{ nodeId: 1, faults: new FaultInjector() }];
  private child: ChildProcess | null = null;
  private port = 0;

  private constructor(
    private readonly command: string[],
    private readonly dataDir: string,
  ) {}

  static async start(
    command: string[],
    dataDir: string,
  ): Promise<AuditCluster & { target: ChildProcessBroker }> {
    const broker = new ChildProcessBroker(command, dataDir);
    await broker.startBroker();
    return {
      bootstrap: [`127.0.0.1:${broker.port}`],
      target: broker,
      close: () => broker.stopBroker(),
    };
  }

  async startBroker(): Promise<void> {
    const [cmd, ...args] = this.command;
    const child = spawn(
      cmd,
      [...args, 'broker', '--data-dir', this.dataDir, '--port', String(this.port), '--log-level', 'error'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.child = child;
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (s: string) => {
      stderr += s;
    });
    const line = await new Promise<string>((resolve, reject) => {
      const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
      lines.once('line', resolve);
      child.once('exit', (code, signal) =>
        reject(new Error(`tskafka broker exited with ${code ?? signal} before listening: ${stderr.trim()}`)),
      );
    });
    this.port = Number(line.trim().split(':').pop());
  }

  async stopBroker(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
  }

  moveLeader(): void {
    throw new Error('moveLeader: a single broker in a child process has no other replica');
  }

  broker(): { readonly faults: FaultInjector } {
    // Wire-level faults live in the child process; a kill9 schedule only stops and starts it.
    return this.brokers[0];
  }
}
