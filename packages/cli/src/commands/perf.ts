/**
 * `tskafka producer-perf-test` and `tskafka consumer-perf-test`: Kafka's `ProducerPerformance` and
 * `ConsumerPerformance`, with their flags and their output lines, so scripts that parse Kafka's
 * figures parse ours.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { silentLogger } from '@tskafka/transport';
import { CliError } from '../errors.js';
import {
  asCliError,
  clientProperties,
  intFlag,
  joinNegativeValues,
  kafkaFor,
  parseKeyValues,
  readPropertiesFile,
} from './common.js';
import { describeFailure } from './console-producer.js';

/** Usage text of the producer-perf-test command. */
export const PRODUCER_PERF_USAGE = `Usage: tskafka producer-perf-test --topic T --num-records N --record-size B --throughput T
                                  (--producer-props k=v ... | --producer.config FILE)
Sends N records of B random bytes, at most T records/s (-1: no limit), and prints Kafka's summary.
  --producer-props k=v ...   producer properties, bootstrap.servers among them
  --producer.config FILE     producer properties from a file (also --command-config)
  --bootstrap-server H:P     instead of bootstrap.servers in the properties
  --transactional-id ID      send in transactions with this transactional.id (overrides the
                             properties'); a transactional.id in the properties also turns them on
  --transaction-duration-ms N  commit each transaction after N ms (default 3000 with transactions;
                             alone, it turns them on with id performance-producer-<uuid>)
  --print-metrics            accepted for compatibility; prints nothing more`;

/** Usage text of the consumer-perf-test command. */
export const CONSUMER_PERF_USAGE = `Usage: tskafka consumer-perf-test --bootstrap-server H:P --topic T --messages N [--group G]
Reads N records and prints Kafka's ConsumerPerformance header and row.
  --group G                  the group (default perf-consumer-<random>)
  --timeout MS               give up after MS without a record (default 10000)
  --from-latest              start at the end instead of the beginning
  --consumer.config FILE     consumer properties from a file (also --command-config)`;

const MB = 1024 * 1024;
/** Kafka's ProducerPerformance.DEFAULT_TRANSACTION_DURATION_MS. */
const DEFAULT_TRANSACTION_DURATION_MS = 3000;

/** Latencies and counts of a producer perf run, as Kafka's `ProducerPerformance.Stats`. */
export class PerfStats {
  private readonly latencies: number[] = [];
  /** Records acknowledged. */
  count = 0;
  /** Bytes acknowledged. */
  bytes = 0;
  /** Highest latency, ms. */
  maxLatency = 0;
  /** Sum of latencies, ms. */
  totalLatency = 0;
  private windowStart: number;
  private windowCount = 0;
  private windowBytes = 0;
  private windowMax = 0;
  private windowTotal = 0;

  /** Stats from `start` (ms). */
  constructor(private readonly start: number) {
    this.windowStart = start;
  }

  /** Records one acknowledgement. */
  record(latencyMs: number, bytes: number): void {
    this.count++;
    this.bytes += bytes;
    this.totalLatency += latencyMs;
    this.maxLatency = Math.max(this.maxLatency, latencyMs);
    this.latencies.push(latencyMs);
    this.windowCount++;
    this.windowBytes += bytes;
    this.windowTotal += latencyMs;
    this.windowMax = Math.max(this.windowMax, latencyMs);
  }

  /** The progress line of the window since the last one, then starts a new window. */
  windowLine(now: number): string {
    const elapsed = Math.max(1, now - this.windowStart);
    const line = `${this.windowCount} records sent, ${((1000 * this.windowCount) / elapsed).toFixed(1)} records/sec (${((1000 * this.windowBytes) / elapsed / MB).toFixed(2)} MB/sec), ${(this.windowCount === 0 ? 0 : this.windowTotal / this.windowCount).toFixed(1)} ms avg latency, ${this.windowMax.toFixed(1)} ms max latency.`;
    this.windowStart = now;
    this.windowCount = this.windowBytes = this.windowMax = this.windowTotal = 0;
    return line;
  }

  /** Kafka's summary line. */
  totalLine(now: number): string {
    const elapsed = Math.max(1, now - this.start);
    const sorted = Float64Array.from(this.latencies).sort();
    const pct = (p: number) =>
      sorted.length === 0 ? 0 : Math.trunc(sorted[Math.floor(sorted.length * p)] ?? 0);
    return `${this.count} records sent, ${((1000 * this.count) / elapsed).toFixed(6)} records/sec (${((1000 * this.bytes) / elapsed / MB).toFixed(2)} MB/sec), ${(this.count === 0 ? 0 : this.totalLatency / this.count).toFixed(2)} ms avg latency, ${this.maxLatency.toFixed(2)} ms max latency, ${pct(0.5)} ms 50th, ${pct(0.95)} ms 95th, ${pct(0.99)} ms 99th, ${pct(0.999)} ms 99.9th.`;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Runs the producer perf test and prints Kafka's summary line. */
export async function producerPerfTestCommand(
  argv: string[],
  out: NodeJS.WritableStream & { isTTY?: boolean } = process.stdout,
): Promise<void> {
  const { values, positionals } = parseArgs({
    args: joinNegativeValues(argv),
    options: {
      topic: { type: 'string' },
      'num-records': { type: 'string' },
      'record-size': { type: 'string' },
      throughput: { type: 'string' },
      'producer-props': { type: 'string', multiple: true, default: [] },
      'producer.config': { type: 'string' },
      'command-config': { type: 'string' },
      'bootstrap-server': { type: 'string' },
      'transactional-id': { type: 'string' },
      'transaction-duration-ms': { type: 'string' },
      'print-metrics': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: true,
  });
  if (values.help) {
    out.write(`${PRODUCER_PERF_USAGE}\n`);
    return;
  }
  if (!values.topic) throw new CliError('missing required option --topic', 2);
  const topic = values.topic;
  const numRecords = intFlag(values['num-records'], '--num-records', 0);
  const recordSize = intFlag(values['record-size'], '--record-size', 0);
  if (values.throughput === undefined) throw new CliError('missing required option --throughput', 2);
  const throughput = Number(values.throughput);
  if (!Number.isFinite(throughput) || throughput === 0)
    throw new CliError(`--throughput: expected a number of records/sec or -1, got "${values.throughput}"`, 2);
  // `--producer-props a=1 b=2` takes several values after one flag, as Kafka's argparse does.
  const extra = positionals.filter((p) => p.includes('='));
  const stray = positionals.find((p) => !p.includes('='));
  if (stray !== undefined) throw new CliError(`unexpected argument "${stray}"`, 2);
  const overrides = parseKeyValues([...values['producer-props'], ...extra], '--producer-props');
  const file = values['producer.config'] ?? values['command-config'];
  const props = clientProperties(values['bootstrap-server'], undefined, {
    'max.block.ms': '5000',
    ...(file === undefined ? {} : readPropertiesFile(file, '--producer.config')),
    ...overrides,
  });
  // As Kafka's ProducerPerformance: a transactional id (flag or property) or a duration turns
  // transactions on; each is committed once it is that old, the last one at the end.
  const durationFlag = values['transaction-duration-ms'];
  const transactional =
    durationFlag !== undefined ||
    values['transactional-id'] !== undefined ||
    props['transactional.id'] !== undefined;
  const transactionDurationMs =
    durationFlag === undefined
      ? DEFAULT_TRANSACTION_DURATION_MS
      : intFlag(durationFlag, '--transaction-duration-ms', 1);
  if (transactional)
    props['transactional.id'] =
      values['transactional-id'] ?? props['transactional.id'] ?? `performance-producer-${randomUUID()}`;

  const payload = Buffer.alloc(recordSize);
  for (let i = 0; i < recordSize; i++) payload[i] = 65 + Math.floor(Math.random() * 26);
  const producer = kafkaFor(props).producer({ logger: silentLogger });
  try {
    await producer.connect();
    await producer.partitionsFor(topic);
    if (transactional) await producer.initTransactions();
  } catch (e) {
    await producer.close({ timeoutMs: 0 }).catch(() => {});
    throw describeFailure(e, topic, props['bootstrap.servers'] ?? '');
  }
  const start = Date.now();
  const stats = new PerfStats(start);
  const progress = out.isTTY
    ? setInterval(() => out.write(`${stats.windowLine(Date.now())}\n`), 5000)
    : undefined;
  let failure: unknown;
  let inFlight = 0;
  let drained: (() => void) | undefined;
  const MAX_IN_FLIGHT = 50_000;
  let transactionSize = 0;
  let transactionStart = 0;
  try {
    for (let i = 0; i < numRecords && failure === undefined; i++) {
      if (transactional && transactionSize === 0) {
        await producer.beginTransaction();
        transactionStart = Date.now();
      }
      const sentAt = Date.now();
      inFlight++;
      producer
        .send({ topic, key: null, value: payload })
        .then(
          () => {
            stats.record(Date.now() - sentAt, recordSize);
          },
          (e: unknown) => {
            failure ??= e;
          },
        )
        .finally(() => {
          inFlight--;
          drained?.();
        });
      transactionSize++;
      if (transactional && transactionDurationMs <= sentAt - transactionStart) {
        await producer.commitTransaction();
        transactionSize = 0;
      }
      if (inFlight >= MAX_IN_FLIGHT)
        await new Promise<void>((resolve) => {
          drained = resolve;
        });
      drained = undefined;
      if (throughput > 0) {
        const due = start + ((i + 1) * 1000) / throughput;
        const wait = due - Date.now();
        if (wait > 0) await sleep(wait);
      } else if (i % 1000 === 999) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    if (transactional && transactionSize > 0 && failure === undefined) await producer.commitTransaction();
    await producer.flush();
  } catch (e) {
    failure ??= e;
  } finally {
    if (progress !== undefined) clearInterval(progress);
    await producer.close().catch((e: unknown) => {
      failure ??= e;
    });
  }
  if (failure !== undefined) throw describeFailure(failure, topic, props['bootstrap.servers'] ?? '');
  out.write(`${stats.totalLine(Date.now())}\n`);
}

function kafkaDate(ms: number): string {
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}:${p(d.getMilliseconds(), 3)}`;
}

/** Runs the consumer perf test and prints Kafka's header and result row. */
export async function consumerPerfTestCommand(
  argv: string[],
  out: NodeJS.WritableStream = process.stdout,
): Promise<void> {
  const { values } = parseArgs({
    args: joinNegativeValues(argv),
    options: {
      'bootstrap-server': { type: 'string' },
      topic: { type: 'string' },
      messages: { type: 'string' },
      group: { type: 'string' },
      timeout: { type: 'string', default: '10000' },
      'from-latest': { type: 'boolean', default: false },
      'consumer.config': { type: 'string' },
      'command-config': { type: 'string' },
      'show-detailed-stats': { type: 'boolean', default: false },
      'print-metrics': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    out.write(`${CONSUMER_PERF_USAGE}\n`);
    return;
  }
  if (!values.topic) throw new CliError('missing required option --topic', 2);
  const topic = values.topic;
  const messages = intFlag(values.messages, '--messages', 1);
  const timeoutMs = intFlag(values.timeout, '--timeout', 1);
  const props = clientProperties(
    values['bootstrap-server'],
    values['consumer.config'] ?? values['command-config'],
  );
  const group = values.group ?? `perf-consumer-${Math.floor(Math.random() * 100000)}`;
  const consumer = kafkaFor(props).consumer({
    logger: silentLogger,
    groupId: group,
    autoOffsetReset: values['from-latest'] ? 'latest' : 'earliest',
    enableAutoCommit: true,
  });
  const start = Date.now();
  let count = 0;
  let bytes = 0;
  let firstRecordAt = 0;
  try {
    await consumer.connect();
    await consumer.subscribe([topic]);
    let last = Date.now();
    while (count < messages) {
      const records = await consumer.poll(Math.min(500, timeoutMs));
      if (records.length > 0) {
        if (firstRecordAt === 0) firstRecordAt = Date.now();
        last = Date.now();
      } else if (Date.now() - last >= timeoutMs) {
        throw new CliError(
          `no record within ${timeoutMs} ms after ${count} of ${messages} (does topic "${topic}" hold enough?)`,
        );
      }
      for (const r of records) {
        count++;
        bytes += (r.value?.length ?? 0) + (r.key?.length ?? 0);
      }
    }
  } catch (e) {
    throw asCliError(e);
  } finally {
    await consumer.close().catch(() => {});
  }
  const end = Date.now();
  const secs = Math.max(1, end - start) / 1000;
  const rebalanceMs = (firstRecordAt || end) - start;
  const fetchSecs = Math.max(1, end - start - rebalanceMs) / 1000;
  const mb = bytes / MB;
  out.write(
    'start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec\n',
  );
  out.write(
    `${kafkaDate(start)}, ${kafkaDate(end)}, ${mb.toFixed(4)}, ${(mb / secs).toFixed(4)}, ${count}, ${(count / secs).toFixed(4)}, ${rebalanceMs}, ${Math.round(fetchSecs * 1000)}, ${(mb / fetchSecs).toFixed(4)}, ${(count / fetchSecs).toFixed(4)}\n`,
  );
}
