/**
 * The order processor: reads `orders`, writes one invoice per order to `invoices`, and commits
 * its consumer offsets. Run as its own process by `main.ts` so that a crash is a real one: the
 * process kills itself with SIGKILL at the crash point, with no chance to clean up.
 *
 * Two modes:
 * - `transactional`: each poll's invoices and the consumer offsets that go with them are one
 *   Kafka transaction (`beginTransaction`, `send`, `sendOffsetsToTransaction`,
 *   `commitTransaction`). Either all of it becomes visible to read_committed readers or none.
 *   A restarted processor's `initTransactions()` fences the dead one and aborts its open
 *   transaction, and the group resumes at the offsets of the last committed transaction.
 * - `idempotent`: an idempotent producer, then `consumer.commitSync()`. A crash between the two
 *   leaves invoices written whose orders are not committed: the restart processes them again,
 *   and the invoices are duplicated. Idempotence removes the duplicates of retries, not these.
 *
 * Usage: `processor.ts <bootstrap> <transactional|idempotent> [crashAfter]`
 * (`crashAfter`: kill this process after that many invoices are written, before the commit).
 * It prints `ready` once it has joined, `invoiced N` after each commit, and stops cleanly on
 * SIGTERM.
 */
import { Kafka } from 'tskafka';

/** The processor's consumer group and transactional id. */
export const GROUP_ID = 'invoicer';
/** Orders in. */
export const ORDERS = 'orders';
/** Invoices out. */
export const INVOICES = 'invoices';

/** The invoice for an order: what the processor computes. */
export function invoiceFor(order: string): string {
  const { id, amount } = JSON.parse(order) as { id: string; amount: number };
  return JSON.stringify({ order: id, total: Math.round(amount * 1.2 * 100) / 100 });
}

/** Processor settings. */
export interface ProcessorOptions {
  bootstrapServers: string;
  mode: 'transactional' | 'idempotent';
  /** Kill the process (SIGKILL) after this many invoices are written, before their commit. */
  crashAfter?: number;
  /** Where progress lines go. */
  print?: (line: string) => void;
}

/** Runs the processor until `signal` aborts (then closes cleanly). */
export async function runProcessor(opts: ProcessorOptions, signal: AbortSignal): Promise<void> {
  const print = opts.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const quiet = { debug() {}, info() {}, warn() {}, error() {} };
  const kafka = new Kafka({ bootstrapServers: opts.bootstrapServers, clientId: GROUP_ID, logger: quiet });
  const transactional = opts.mode === 'transactional';
  const consumer = kafka.consumer({
    groupId: GROUP_ID,
    // A static member: a restarted processor takes the dead one's place at once, instead of
    // waiting for its session to time out.
    groupInstanceId: `${GROUP_ID}-1`,
    enableAutoCommit: false,
    autoOffsetReset: 'earliest',
    // Orders could themselves come from transactions: never act on aborted ones.
    isolationLevel: 'read_committed',
    maxPollRecords: 10,
    keyDeserializer: 'string',
    valueDeserializer: 'string',
  });
  const producer = transactional
    ? kafka.producer({ transactionalId: `${GROUP_ID}-tx`, acks: 'all' })
    : kafka.producer({ idempotent: true, acks: 'all' });
  await producer.connect();
  // Fences any earlier incarnation of this processor and aborts the transaction it left open.
  if (transactional) await producer.initTransactions();
  await consumer.connect();
  await consumer.subscribe([ORDERS]);
  await consumer.poll(0);
  print('ready');
  let written = 0;
  try {
    while (!signal.aborted) {
      const orders = await consumer.poll(200);
      if (orders.length === 0) continue;
      if (transactional) await producer.beginTransaction();
      const sends: Promise<unknown>[] = [];
      const next = new Map<string, { topic: string; partition: number; offset: number }>();
      for (const order of orders) {
        sends.push(
          producer.send({ topic: INVOICES, key: order.key, value: invoiceFor(order.value ?? '{}') }),
        );
        next.set(`${order.topic}-${order.partition}`, {
          topic: order.topic,
          partition: order.partition,
          offset: order.offset + 1,
        });
        written++;
        if (written === opts.crashAfter) {
          // The crash point: the invoices so far are in the log, their offsets not committed.
          await producer.flush();
          await Promise.all(sends);
          if (transactional)
            await producer.sendOffsetsToTransaction([...next.values()], consumer.groupMetadata());
          print(`crash after ${written} invoices`);
          process.kill(process.pid, 'SIGKILL');
        }
      }
      if (transactional) {
        await producer.sendOffsetsToTransaction([...next.values()], consumer.groupMetadata());
        await producer.commitTransaction();
      } else {
        await Promise.all(sends);
        await consumer.commitSync([...next.values()]);
      }
      print(`invoiced ${written}`);
    }
  } finally {
    await consumer.close();
    await producer.close();
  }
}

function parseArgs(argv: string[]): ProcessorOptions {
  const [bootstrapServers, mode, crashAfter] = argv;
  if (bootstrapServers === undefined || (mode !== 'transactional' && mode !== 'idempotent'))
    throw new Error('usage: processor.ts <bootstrap> <transactional|idempotent> [crashAfter]');
  return { bootstrapServers, mode, crashAfter: crashAfter === undefined ? undefined : Number(crashAfter) };
}

if (process.argv[1]?.endsWith('processor.ts')) {
  const stop = new AbortController();
  process.once('SIGTERM', () => stop.abort());
  await runProcessor(parseArgs(process.argv.slice(2)), stop.signal);
}
