/**
 * `tskafka console-consumer --bootstrap-server H:P --topic T [--from-beginning] [--group G]
 * [--max-messages N] [--partition P --offset O] [--isolation-level read_committed]
 * [--property print.key=true ...] [--timeout-ms N]`:
 * prints records one per line as Kafka's `kafka-console-consumer.sh` (its DefaultMessageFormatter).
 */
import { randomInt } from 'node:crypto';
import { parseArgs } from 'node:util';
import { UnknownTopicOrPartitionError } from '@tskafka/protocol';
import { silentLogger } from '@tskafka/transport';
import type { ConsumerRecord, TopicPartition } from 'tskafka';
import { CliError } from '../errors.js';
import {
  asCliError,
  clientProperties,
  connectAdmin,
  intFlag,
  joinNegativeValues,
  kafkaFor,
  parseKeyValues,
} from './common.js';

/** Usage text of the console-consumer command. */
export const CONSOLE_CONSUMER_USAGE = `Usage: tskafka console-consumer --bootstrap-server H:P --topic T [options]
Prints records, one per line, until stopped, --max-messages or --timeout-ms.
  --from-beginning          start at the earliest offset when there is no committed one
  --group G                 consume in group G and commit what was printed; without it, as
                            Kafka: a new group console-consumer-N that commits nothing
                            (with --partition: no group at all)
  --partition P             read only partition P; --offset O|earliest|latest (default latest)
  --max-messages N          exit after N records
  --timeout-ms N            exit when no record arrived for N ms
  --isolation-level L       read_committed: leave out records of open and aborted transactions;
                            read_uncommitted (default): print every record
  --property print.key=true | print.partition=true | print.offset=true | print.timestamp=true |
             print.headers=true | print.value=false | key.separator=S | line.separator=S
  --consumer-property k=v   a consumer property (repeatable); --consumer.config FILE
  --command-config FILE     client properties from a file`;

const ISOLATION_LEVELS: readonly string[] = ['read_committed', 'read_uncommitted'];

/** How a record is printed: Kafka's DefaultMessageFormatter settings. */
export interface FormatterOptions {
  /** `print.timestamp`. */
  printTimestamp: boolean;
  /** `print.partition`. */
  printPartition: boolean;
  /** `print.offset`. */
  printOffset: boolean;
  /** `print.headers`. */
  printHeaders: boolean;
  /** `print.key`. */
  printKey: boolean;
  /** `print.value` (default true). */
  printValue: boolean;
  /** `key.separator` (default a tab): between the fields. */
  keySeparator: string;
  /** `line.separator` (default a newline). */
  lineSeparator: string;
  /** `headers.separator` (default a comma). */
  headersSeparator: string;
  /** `null.literal` (default `null`). */
  nullLiteral: string;
}

/** The formatter settings of `--property` flags. */
export function formatterOptions(p: Record<string, string>): FormatterOptions {
  const flag = (k: string, d: boolean) => (p[k] === undefined ? d : p[k]?.toLowerCase() === 'true');
  return {
    printTimestamp: flag('print.timestamp', false),
    printPartition: flag('print.partition', false),
    printOffset: flag('print.offset', false),
    printHeaders: flag('print.headers', false),
    printKey: flag('print.key', false),
    printValue: flag('print.value', true),
    keySeparator: p['key.separator'] ?? '\t',
    lineSeparator: p['line.separator'] ?? '\n',
    headersSeparator: p['headers.separator'] ?? ',',
    nullLiteral: p['null.literal'] ?? 'null',
  };
}

/**
 * One record as Kafka's DefaultMessageFormatter writes it: `CreateTime:T`, `Partition:P`,
 * `Offset:O`, headers, key, value, in that order, each enabled field followed by the separator
 * when another follows, and the line separator after the value.
 */
export function formatRecord(r: ConsumerRecord<Buffer | null, Buffer | null>, f: FormatterOptions): string {
  const fields: string[] = [];
  const text = (b: Buffer | string | null) => (b === null ? f.nullLiteral : b.toString());
  if (f.printTimestamp) fields.push(r.timestamp >= 0 ? `CreateTime:${r.timestamp}` : 'NO_TIMESTAMP');
  if (f.printPartition) fields.push(`Partition:${r.partition}`);
  if (f.printOffset) fields.push(`Offset:${r.offset}`);
  if (f.printHeaders)
    fields.push(
      r.headers.length === 0
        ? 'NO_HEADERS'
        : r.headers.map((h) => `${h.key}:${text(h.value as Buffer | null)}`).join(f.headersSeparator),
    );
  if (f.printKey) fields.push(text(r.key));
  if (f.printValue) fields.push(text(r.value));
  return fields.join(f.keySeparator) + (f.printValue ? f.lineSeparator : '');
}

/**
 * Runs the console consumer; resolves after --max-messages, --timeout-ms, SIGINT, SIGTERM or an
 * abort of `signal`.
 */
export async function consoleConsumerCommand(
  argv: string[],
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
  signal?: AbortSignal,
): Promise<void> {
  const { values } = parseArgs({
    args: joinNegativeValues(argv),
    options: {
      'bootstrap-server': { type: 'string' },
      topic: { type: 'string' },
      'from-beginning': { type: 'boolean', default: false },
      group: { type: 'string' },
      partition: { type: 'string' },
      offset: { type: 'string' },
      'max-messages': { type: 'string' },
      'timeout-ms': { type: 'string' },
      'isolation-level': { type: 'string' },
      property: { type: 'string', multiple: true, default: [] },
      'consumer-property': { type: 'string', multiple: true, default: [] },
      'consumer.config': { type: 'string' },
      'command-config': { type: 'string' },
      'skip-message-on-error': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    out.write(`${CONSOLE_CONSUMER_USAGE}\n`);
    return;
  }
  if (!values.topic) throw new CliError('missing required option --topic', 2);
  const topic = values.topic;
  const max =
    values['max-messages'] === undefined ? Infinity : intFlag(values['max-messages'], '--max-messages', 1);
  const idleMs =
    values['timeout-ms'] === undefined ? Infinity : intFlag(values['timeout-ms'], '--timeout-ms', 0);
  const partition = values.partition === undefined ? undefined : intFlag(values.partition, '--partition', 0);
  if (values.offset !== undefined && partition === undefined)
    throw new CliError('--offset requires --partition', 2);
  const offsetFlag = values.offset ?? (values['from-beginning'] ? 'earliest' : 'latest');
  const offset =
    offsetFlag === 'earliest' || offsetFlag === 'latest' ? offsetFlag : intFlag(offsetFlag, '--offset', 0);
  const isolationLevel = values['isolation-level'];
  if (isolationLevel !== undefined && !ISOLATION_LEVELS.includes(isolationLevel))
    throw new CliError(
      `--isolation-level: expected read_committed or read_uncommitted, got "${isolationLevel}"`,
      2,
    );
  const format = formatterOptions(parseKeyValues(values.property, '--property'));
  const props = clientProperties(
    values['bootstrap-server'],
    values['command-config'] ?? values['consumer.config'],
    {
      ...parseKeyValues(values['consumer-property'], '--consumer-property'),
      // As Kafka: the flag wins over isolation.level in the properties; without either, read_uncommitted.
      ...(isolationLevel === undefined ? {} : { 'isolation.level': isolationLevel }),
    },
  );

  // As Kafka: the group from --group, --consumer-property or the config file (which must agree);
  // without one, a random group whose offsets are never committed (it is not meant to be reused).
  const groupIds = new Set([values.group, props['group.id']].filter((g) => g !== undefined));
  if (groupIds.size > 1)
    throw new CliError(
      `the group ids given in different places do not match: ${[...groupIds].join(', ')}`,
      2,
    );
  const [namedGroup] = groupIds;
  if (partition !== undefined && namedGroup !== undefined)
    throw new CliError('--partition and --group cannot be used together', 2);
  const group =
    partition !== undefined ? undefined : (namedGroup ?? `console-consumer-${randomInt(100_000)}`);

  // The topic must exist (not be auto-created by reading it); this also fails fast when the
  // broker is unreachable.
  const admin = await connectAdmin(props);
  let partitions: number[];
  try {
    const [described] = await admin.describeTopics([topic]);
    partitions = described?.partitions.map((p) => p.partition) ?? [];
  } catch (e) {
    if (e instanceof UnknownTopicOrPartitionError) throw new CliError(`topic "${topic}" does not exist`);
    throw asCliError(e);
  } finally {
    await admin.close();
  }
  if (partition !== undefined && !partitions.includes(partition))
    throw new CliError(`topic "${topic}" has no partition ${partition}`);

  const consumer = kafkaFor(props).consumer({
    logger: silentLogger,
    ...(group === undefined ? {} : { groupId: group }),
    autoOffsetReset: values['from-beginning'] ? 'earliest' : 'latest',
    // Commit exactly what was printed, on exit (not the poll position, which may be further).
    enableAutoCommit: false,
  });
  let count = 0;
  const printed = new Map<string, { topic: string; partition: number; offset: number }>();
  let stopping = false;
  const onSignal = () => {
    stopping = true;
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  if (signal?.aborted) stopping = true;
  signal?.addEventListener('abort', onSignal);
  try {
    await consumer.connect();
    if (group !== undefined) await consumer.subscribe([topic]);
    else {
      const tps: TopicPartition[] = (partition === undefined ? partitions : [partition]).map((p) => ({
        topic,
        partition: p,
      }));
      await consumer.assign(tps);
      if (offset === 'earliest') consumer.seekToBeginning(tps);
      else if (offset === 'latest') consumer.seekToEnd(tps);
      else for (const tp of tps) consumer.seek(tp, offset);
    }
    let lastRecordAt = Date.now();
    while (!stopping && count < max) {
      const wait = Math.max(0, Math.min(500, lastRecordAt + idleMs - Date.now()));
      const records = await consumer.poll(wait);
      for (const r of records) {
        if (count >= max) break;
        out.write(formatRecord(r, format));
        printed.set(`${r.topic}\0${r.partition}`, {
          topic: r.topic,
          partition: r.partition,
          offset: r.offset + 1,
        });
        count++;
      }
      if (records.length > 0) lastRecordAt = Date.now();
      else if (Date.now() - lastRecordAt >= idleMs) break;
    }
    if (namedGroup !== undefined && printed.size > 0) await consumer.commitSync([...printed.values()]);
  } catch (e) {
    throw asCliError(e);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    signal?.removeEventListener('abort', onSignal);
    // What happened above stands (records printed, or the error thrown); a failed close is a warning.
    await consumer
      .close()
      .catch((e: unknown) =>
        err.write(`WARN closing the consumer failed: ${e instanceof Error ? e.message : String(e)}\n`),
      );
  }
  err.write(`Processed a total of ${count} messages\n`);
}
