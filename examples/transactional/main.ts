/**
 * Exactly-once consume-transform-produce, with a real crash in the middle.
 *
 * A reference broker starts in this process; 30 orders go to `orders`. The processor
 * (`processor.ts`) runs as a child process: it reads orders and writes one invoice per order to
 * `invoices`, committing each poll's invoices together with the consumer offsets in one
 * transaction. It is told to crash after 15 invoices, before their commit, and kills itself with
 * SIGKILL. A second processor starts: `initTransactions()` fences the dead one and aborts its open
 * transaction, the group resumes at the last committed offsets, and it finishes the work.
 *
 * A read_committed consumer of `invoices` then sees every order exactly once. A read_uncommitted
 * one also sees the invoices of the aborted transaction: they are in the log, but never became
 * visible to readers that ask for committed data only.
 *
 * `runPipeline('idempotent')` runs the same crash without a transaction (idempotent producer,
 * then `commitSync`): the restart processes the uncommitted orders again and the invoices are
 * duplicated. `examples/idempotent-producer` shows that part.
 *
 * Run: `npx tsx --conditions=source examples/transactional/main.ts`
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startBroker } from '@tskafka/broker';
import { Kafka, type TopicPartition } from 'tskafka';
import { GROUP_ID, INVOICES, ORDERS } from './processor.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const PARTITIONS = 3;

/** What a run left in `invoices`. */
export interface PipelineResult {
  /** `transactional` or `idempotent`. */
  mode: 'transactional' | 'idempotent';
  /** Number of orders produced. */
  orders: number;
  /** Whether the first processor died by SIGKILL at its crash point. */
  crashed: boolean;
  /** The order ids of the invoices a read_committed consumer reads, by partition and offset. */
  committed: string[];
  /** The same with read_uncommitted: everything in the log. */
  uncommitted: string[];
  /** Orders invoiced more than once, as read_committed sees them. */
  duplicates: string[];
  /** Orders never invoiced, as read_committed sees them. */
  missing: string[];
}

/** Options of {@link runPipeline}. */
export interface PipelineOptions {
  /** Orders to produce (default 30). */
  orders?: number;
  /** Invoices the first processor writes before it crashes (default 15). */
  crashAfter?: number;
  /** Where progress lines go (default: the console). */
  log?: (line: string) => void;
}

/** Runs the orders → invoices pipeline with a crash, in `mode`, on a fresh broker. */
export async function runPipeline(
  mode: 'transactional' | 'idempotent',
  opts: PipelineOptions = {},
): Promise<PipelineResult> {
  const log = opts.log ?? console.log;
  const orders = opts.orders ?? 30;
  const crashAfter = opts.crashAfter ?? 15;
  const broker = await startBroker({
    logLevel: 'error',
    config: { 'group.initial.rebalance.delay.ms': 0, 'group.min.session.timeout.ms': 1000 },
  });
  const children: ChildProcess[] = [];
  try {
    const bootstrap = broker.bootstrapServers[0];
    broker.cluster.metadata.createTopic(ORDERS, { numPartitions: PARTITIONS, replicationFactor: 1 });
    broker.cluster.metadata.createTopic(INVOICES, { numPartitions: PARTITIONS, replicationFactor: 1 });
    const kafka = new Kafka({ bootstrapServers: bootstrap, clientId: 'demo' });
    const ids = Array.from({ length: orders }, (_, i) => `order-${String(i).padStart(2, '0')}`);
    const producer = kafka.producer();
    await producer.connect();
    await Promise.all(
      ids.map((id, i) =>
        producer.send({ topic: ORDERS, key: id, value: JSON.stringify({ id, amount: 10 + i }) }),
      ),
    );
    await producer.close();
    log(`${mode}: ${orders} orders in '${ORDERS}'`);

    log(`processor 1 starts, told to crash after ${crashAfter} invoices`);
    const first = startProcessor(bootstrap, mode, crashAfter, log);
    children.push(first);
    const signal = await exited(first);
    const crashed = signal === 'SIGKILL';
    log(`processor 1 died (${signal ?? 'exit'})`);

    log('processor 2 starts');
    const second = startProcessor(bootstrap, mode, undefined, log);
    children.push(second);
    // Wait until a read_committed reader has an invoice for every order, then stop it cleanly.
    await readInvoices(kafka, 'read_committed', (seen) => ids.every((id) => seen.has(id)));
    second.kill('SIGTERM');
    await exited(second);
    log('processor 2 stopped');

    const committed = await readInvoices(kafka, 'read_committed');
    const uncommitted = await readInvoices(kafka, 'read_uncommitted');
    const counts = new Map<string, number>();
    for (const id of committed) counts.set(id, (counts.get(id) ?? 0) + 1);
    const duplicates = ids.filter((id) => (counts.get(id) ?? 0) > 1);
    const missing = ids.filter((id) => !counts.has(id));
    log(`read_committed sees ${committed.length} invoices for ${counts.size} orders`);
    log(`read_uncommitted sees ${uncommitted.length} invoices (aborted ones included)`);
    log(
      duplicates.length === 0 && missing.length === 0
        ? 'every order invoiced exactly once'
        : `duplicated: ${duplicates.join(', ') || 'none'}; missing: ${missing.join(', ') || 'none'}`,
    );
    return { mode, orders, crashed, committed, uncommitted, duplicates, missing };
  } finally {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await broker.close();
  }
}

/** Starts `processor.ts` as a child process and forwards its lines to `log`. */
function startProcessor(
  bootstrap: string,
  mode: string,
  crashAfter: number | undefined,
  log: (line: string) => void,
): ChildProcess {
  const args = ['--import', 'tsx', '--conditions=source', join(HERE, 'processor.ts'), bootstrap, mode];
  if (crashAfter !== undefined) args.push(String(crashAfter));
  const child = spawn(process.execPath, args, { cwd: HERE, stdio: ['ignore', 'pipe', 'inherit'] });
  if (child.stdout)
    createInterface({ input: child.stdout }).on('line', (line) => log(`  [processor] ${line}`));
  return child;
}

function exited(child: ChildProcess): Promise<NodeJS.Signals | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.signalCode);
  return new Promise((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
}

/**
 * The order ids of the invoices in `invoices` at `isolationLevel`, by partition and offset: read
 * from the beginning to the end offsets, or until `until` is satisfied (polling while the
 * processor works).
 */
async function readInvoices(
  kafka: Kafka,
  isolationLevel: 'read_committed' | 'read_uncommitted',
  until?: (seen: Set<string>) => boolean,
): Promise<string[]> {
  const consumer = kafka.consumer<string | null, string | null>({
    isolationLevel,
    valueDeserializer: 'string',
  });
  await consumer.connect();
  const partitions: TopicPartition[] = Array.from({ length: PARTITIONS }, (_, partition) => ({
    topic: INVOICES,
    partition,
  }));
  await consumer.assign(partitions);
  consumer.seekToBeginning();
  const ids: string[] = [];
  const seen = new Set<string>();
  const deadline = Date.now() + 60_000;
  try {
    for (;;) {
      if (Date.now() > deadline) throw new Error(`reading ${INVOICES} took more than a minute`);
      for (const r of await consumer.poll(200)) {
        const id = (JSON.parse(r.value ?? '{}') as { order: string }).order;
        ids.push(id);
        seen.add(id);
      }
      if (until !== undefined) {
        if (until(seen)) return ids;
        continue;
      }
      const end = await consumer.endOffsets(partitions);
      let done = true;
      for (const tp of partitions) if ((await consumer.position(tp)) < (end.get(tp) ?? 0)) done = false;
      if (done) return ids;
    }
  } finally {
    await consumer.close();
  }
}

/** Runs the transactional pipeline and prints what happened. */
export async function main(log: (line: string) => void = console.log): Promise<PipelineResult> {
  const result = await runPipeline('transactional', { log });
  log(`(the processor's group is '${GROUP_ID}', its transactional id '${GROUP_ID}-tx')`);
  return result;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
