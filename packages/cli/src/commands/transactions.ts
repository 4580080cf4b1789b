/**
 * `tskafka transactions --bootstrap-server H:P <list | describe | describe-producers | abort |
 * find-hanging>`: Kafka's `kafka-transactions.sh` (its `TransactionsCommand`), with its
 * subcommands, flags, tables and error lines.
 */
import { parseArgs } from 'node:util';
import type {
  AbortTransactionSpec,
  Admin,
  AdminTopicPartition,
  PartitionProducerState,
} from '@tskafka/admin';
import { TransactionalIdNotFoundError } from '@tskafka/protocol';
import { CliError } from '../errors.js';
import {
  asCliError,
  clientProperties,
  connectAdmin,
  intFlag,
  joinNegativeValues,
  kafkaFailure,
} from './common.js';

/** Usage text of the transactions command. */
export const TRANSACTIONS_USAGE = `Usage: tskafka transactions --bootstrap-server H:P [--command-config FILE] <command> [options]
Analyzes the transactional state of producers in the cluster; detects and aborts hanging transactions.
Commands:
  list                                  list transactions
  describe --transactional-id ID        describe the state of an active transactional id
  describe-producers --topic T --partition P [--broker-id B]
                                        describe the states of active producers for a partition
  abort --topic T --partition P (--start-offset O |
        --producer-id ID --producer-epoch E --coordinator-epoch C)
                                        abort a hanging transaction
  find-hanging (--topic T [--partition P] | --broker-id B) [--max-transaction-timeout MIN]
                                        find hanging transactions (default timeout 15 minutes)
Options:
  --command-config FILE   admin client properties from a file`;

const LIST_HEADERS = ['TransactionalId', 'Coordinator', 'ProducerId', 'TransactionState'];
const DESCRIBE_HEADERS = [
  'CoordinatorId',
  'TransactionalId',
  'ProducerId',
  'ProducerEpoch',
  'TransactionState',
  'TransactionTimeoutMs',
  'CurrentTransactionStartTimeMs',
  'TransactionDurationMs',
  'TopicPartitions',
];
const PRODUCERS_HEADERS = [
  'ProducerId',
  'ProducerEpoch',
  'LatestCoordinatorEpoch',
  'LastSequence',
  'LastTimestamp',
  'CurrentTransactionStartOffset',
];
const HANGING_HEADERS = [
  'Topic',
  'Partition',
  'ProducerId',
  'ProducerEpoch',
  'CoordinatorEpoch',
  'StartOffset',
  'LastTimestamp',
  'Duration(min)',
];

/**
 * A table as `TransactionsCommand.prettyPrintTable` prints it: every cell padded with spaces to
 * its column's widest cell and followed by a tab (the last one too), one line per row.
 */
export function transactionsTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]) => r.map((c, i) => `${c.padEnd(widths[i] ?? 0)}\t`).join('');
  return `${[headers, ...rows].map(line).join('\n')}\n`;
}

type Values = {
  'transactional-id'?: string;
  topic?: string;
  partition?: string;
  'broker-id'?: string;
  'start-offset'?: string;
  'producer-id'?: string;
  'producer-epoch'?: string;
  'coordinator-epoch'?: string;
  'max-transaction-timeout'?: string;
};

const SUBCOMMANDS = ['list', 'describe', 'describe-producers', 'abort', 'find-hanging'] as const;
type Subcommand = (typeof SUBCOMMANDS)[number];

/** Which options each subcommand takes (the global ones aside). */
const OPTIONS_OF: Record<Subcommand, readonly (keyof Values)[]> = {
  list: [],
  describe: ['transactional-id'],
  'describe-producers': ['topic', 'partition', 'broker-id'],
  abort: ['topic', 'partition', 'start-offset', 'producer-id', 'producer-epoch', 'coordinator-epoch'],
  'find-hanging': ['topic', 'partition', 'broker-id', 'max-transaction-timeout'],
};

/** Runs the transactions command. */
export async function transactionsCommand(
  argv: string[],
  out: NodeJS.WritableStream = process.stdout,
  now: () => number = Date.now,
): Promise<void> {
  const { values, positionals } = parseArgs({
    args: joinNegativeValues(argv),
    options: {
      'bootstrap-server': { type: 'string' },
      'command-config': { type: 'string' },
      'transactional-id': { type: 'string' },
      topic: { type: 'string' },
      partition: { type: 'string' },
      'broker-id': { type: 'string' },
      'start-offset': { type: 'string' },
      'producer-id': { type: 'string' },
      'producer-epoch': { type: 'string' },
      'coordinator-epoch': { type: 'string' },
      'max-transaction-timeout': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: true,
  });
  if (values.help) {
    out.write(`${TRANSACTIONS_USAGE}\n`);
    return;
  }
  if (positionals.length !== 1)
    throw new CliError(
      positionals.length === 0
        ? `a command is required: one of ${SUBCOMMANDS.join(', ')}`
        : `unexpected argument "${positionals[1]}"`,
      2,
    );
  const name = positionals[0] ?? '';
  if (!(SUBCOMMANDS as readonly string[]).includes(name))
    throw new CliError(`unknown command "${name}": expected one of ${SUBCOMMANDS.join(', ')}`, 2);
  const command = name as Subcommand;
  const allowed = new Set<string>(OPTIONS_OF[command]);
  for (const key of Object.keys(OPTIONS_OF).flatMap((c) => OPTIONS_OF[c as Subcommand])) {
    if (values[key as keyof Values] !== undefined && !allowed.has(key))
      throw new CliError(`${command} does not take --${key}`, 2);
  }
  const options = checkOptions(command, values);
  const admin = await connectAdmin(clientProperties(values['bootstrap-server'], values['command-config']));
  try {
    switch (command) {
      case 'list':
        return await list(admin, out);
      case 'describe':
        return await describe(admin, values['transactional-id'] ?? '', out, now);
      case 'describe-producers':
        return await describeProducers(admin, options, out);
      case 'abort':
        return await abort(admin, options);
      case 'find-hanging':
        return await findHanging(admin, options, out, now);
    }
  } catch (e) {
    throw asCliError(e);
  } finally {
    await admin.close();
  }
}

/** The parsed numeric options of a subcommand. */
interface NumericOptions {
  topic?: string;
  partition?: number;
  brokerId?: number;
  startOffset?: number;
  producerId?: number;
  producerEpoch?: number;
  coordinatorEpoch?: number;
  maxTransactionTimeoutMinutes: number;
}

/** Checks the required options of `command` (before connecting) and parses the numbers. */
function checkOptions(command: Subcommand, v: Values): NumericOptions {
  const num = (key: keyof Values, min?: number) =>
    v[key] === undefined ? undefined : intFlag(v[key], `--${key}`, min);
  const o: NumericOptions = {
    topic: v.topic,
    partition: num('partition', 0),
    brokerId: num('broker-id', 0),
    startOffset: num('start-offset', 0),
    producerId: num('producer-id', 0),
    producerEpoch: num('producer-epoch', 0),
    coordinatorEpoch: num('coordinator-epoch'),
    maxTransactionTimeoutMinutes: num('max-transaction-timeout', 0) ?? 15,
  };
  const required = (key: keyof Values) => {
    if (v[key] === undefined) throw new CliError(`${command} requires --${key}`, 2);
  };
  switch (command) {
    case 'describe':
      required('transactional-id');
      break;
    case 'describe-producers':
      required('topic');
      required('partition');
      break;
    case 'abort':
      required('topic');
      required('partition');
      if (o.startOffset === undefined && o.producerId === undefined)
        throw new CliError(
          'The transaction to abort must be identified either with --start-offset (for brokers on 3.0 or above) or with --producer-id, --producer-epoch, and --coordinator-epoch (for older brokers)',
          2,
        );
      if (o.startOffset === undefined) {
        if (o.producerEpoch === undefined)
          throw new CliError('Missing required argument --producer-epoch', 2);
        if (o.coordinatorEpoch === undefined)
          throw new CliError('Missing required argument --coordinator-epoch', 2);
      }
      break;
    case 'find-hanging':
      if (o.topic === undefined && o.brokerId === undefined)
        throw new CliError(
          'The `find-hanging` command requires either --topic or --broker-id to limit the scope of the search',
          2,
        );
      if (o.partition !== undefined && o.topic === undefined)
        throw new CliError('The --partition argument requires --topic to be provided', 2);
      break;
    case 'list':
      break;
  }
  return o;
}

/** `topic-partition`, as Java's `TopicPartition.toString`. */
function tp(p: AdminTopicPartition): string {
  return `${p.topic}-${p.partition}`;
}

async function list(admin: Admin, out: NodeJS.WritableStream): Promise<void> {
  const listings = await admin.listTransactions().catch((e: unknown) => {
    throw kafkaFailure(e, 'Failed to list transactions');
  });
  const rows = [...listings]
    .sort((a, b) => a.coordinatorId - b.coordinatorId)
    .map((l) => [l.transactionalId, String(l.coordinatorId), String(l.producerId), l.state]);
  out.write(transactionsTable(LIST_HEADERS, rows));
}

async function describe(
  admin: Admin,
  transactionalId: string,
  out: NodeJS.WritableStream,
  now: () => number,
): Promise<void> {
  const [d] = await admin.describeTransactions([transactionalId]).catch((e: unknown) => {
    throw kafkaFailure(e, `Failed to describe transaction state of transactional-id \`${transactionalId}\``);
  });
  if (d === undefined) throw new CliError(`no description of transactional-id \`${transactionalId}\``);
  const start = d.transactionStartTimeMs;
  const row = [
    String(d.coordinatorId),
    transactionalId,
    String(d.producerId),
    String(d.producerEpoch),
    d.state,
    String(d.transactionTimeoutMs),
    start === null ? 'None' : String(start),
    start === null ? 'None' : String(now() - start),
    d.topicPartitions.map(tp).join(','),
  ];
  out.write(transactionsTable(DESCRIBE_HEADERS, [row]));
}

async function producersOf(
  admin: Admin,
  partition: AdminTopicPartition,
  brokerId: number | undefined,
  what: string,
): Promise<PartitionProducerState> {
  const [state] = await admin
    .describeProducers([partition], brokerId === undefined ? {} : { brokerId })
    .catch((e: unknown) => {
      throw kafkaFailure(e, what);
    });
  if (state === undefined) throw new CliError(`${what}: no result`);
  return state;
}

async function describeProducers(admin: Admin, o: NumericOptions, out: NodeJS.WritableStream): Promise<void> {
  const partition = { topic: o.topic ?? '', partition: o.partition ?? 0 };
  const on = o.brokerId === undefined ? 'leader' : `broker ${o.brokerId}`;
  const state = await producersOf(
    admin,
    partition,
    o.brokerId,
    `Failed to describe producers for partition ${tp(partition)} on ${on}`,
  );
  const rows = state.activeProducers.map((p) => [
    String(p.producerId),
    String(p.producerEpoch),
    String(p.coordinatorEpoch ?? -1),
    String(p.lastSequence),
    String(p.lastTimestamp),
    p.currentTransactionStartOffset === null ? 'None' : String(p.currentTransactionStartOffset),
  ]);
  out.write(transactionsTable(PRODUCERS_HEADERS, rows));
}

async function abort(admin: Admin, o: NumericOptions): Promise<void> {
  const partition = { topic: o.topic ?? '', partition: o.partition ?? 0 };
  let spec: AbortTransactionSpec;
  if (o.startOffset !== undefined) {
    const state = await producersOf(
      admin,
      partition,
      undefined,
      `Failed to validate producer state for partition ${tp(partition)}`,
    );
    const found = state.activeProducers.find((p) => p.currentTransactionStartOffset === o.startOffset);
    if (found === undefined)
      throw new CliError(
        `Could not find any open transactions starting at offset ${o.startOffset} on partition ${tp(partition)}`,
      );
    spec = {
      ...partition,
      producerId: found.producerId,
      producerEpoch: found.producerEpoch,
      coordinatorEpoch: found.coordinatorEpoch ?? 0,
    };
  } else {
    // A transaction hanging before its producer id's first marker shows coordinator epoch -1;
    // as Kafka, use 0, which no partition's coordinator epoch is below.
    spec = {
      ...partition,
      producerId: o.producerId ?? -1,
      producerEpoch: o.producerEpoch ?? -1,
      coordinatorEpoch: Math.max(0, o.coordinatorEpoch ?? 0),
    };
  }
  await admin.abortTransaction(spec).catch((e: unknown) => {
    throw kafkaFailure(
      e,
      `Failed to abort transaction of producer ${spec.producerId} (epoch ${spec.producerEpoch}, coordinator epoch ${spec.coordinatorEpoch}) on partition ${tp(partition)}`,
    );
  });
}

/**
 * Open transactions whose producer has not written for longer than the longest transaction
 * timeout, and which their coordinator (if the producer id still has one) no longer counts as
 * part of its transaction: markers that will never come.
 */
async function findHanging(
  admin: Admin,
  o: NumericOptions,
  out: NodeJS.WritableStream,
  now: () => number,
): Promise<void> {
  const partitions: AdminTopicPartition[] = [];
  if (o.topic !== undefined && o.partition !== undefined)
    partitions.push({ topic: o.topic, partition: o.partition });
  else {
    const topics = o.topic !== undefined ? [o.topic] : await admin.listTopics({ listInternal: true });
    const described = await admin.describeTopics(topics).catch((e: unknown) => {
      throw kafkaFailure(e, `Failed to describe ${topics.length} topics`);
    });
    for (const t of described)
      for (const p of t.partitions)
        if (o.brokerId === undefined || p.replicas.includes(o.brokerId))
          partitions.push({ topic: t.name, partition: p.partition });
  }
  const maxTimeoutMs = o.maxTransactionTimeoutMinutes * 60_000;
  const states =
    partitions.length === 0
      ? []
      : await admin
          .describeProducers(partitions, o.brokerId === undefined ? {} : { brokerId: o.brokerId })
          .catch((e: unknown) => {
            throw kafkaFailure(e, `Failed to describe producers for ${partitions.length} partitions`);
          });
  const at = now();
  const candidates = states.flatMap((s) =>
    s.activeProducers
      .filter((p) => p.currentTransactionStartOffset !== null && at - p.lastTimestamp > maxTimeoutMs)
      .map((p) => ({ partition: { topic: s.topic, partition: s.partition }, producer: p })),
  );
  const hanging: typeof candidates = [];
  if (candidates.length > 0) {
    const producerIds = [...new Set(candidates.map((c) => c.producer.producerId))];
    const listings = await admin.listTransactions({ filterProducerIds: producerIds }).catch((e: unknown) => {
      throw kafkaFailure(e, `Failed to list transactions for ${producerIds.length} producers`);
    });
    const idOf = new Map(listings.map((l) => [l.producerId, l.transactionalId]));
    for (const c of candidates) {
      const id = idOf.get(c.producer.producerId);
      if (id === undefined) {
        hanging.push(c);
        continue;
      }
      const d = await admin
        .describeTransactions([id])
        .then(([x]) => x)
        .catch((e: unknown) => {
          // An id the coordinator no longer knows cannot have a marker coming.
          if (e instanceof TransactionalIdNotFoundError) return undefined;
          throw kafkaFailure(e, `Failed to describe transactional-id \`${id}\``);
        });
      if (d === undefined || !d.topicPartitions.some((p) => tp(p) === tp(c.partition))) hanging.push(c);
    }
  }
  const rows = hanging.map((h) => [
    h.partition.topic,
    String(h.partition.partition),
    String(h.producer.producerId),
    String(h.producer.producerEpoch),
    String(h.producer.coordinatorEpoch ?? -1),
    String(h.producer.currentTransactionStartOffset ?? -1),
    String(h.producer.lastTimestamp),
    String(Math.floor((at - h.producer.lastTimestamp) / 60_000)),
  ]);
  out.write(transactionsTable(HANGING_HEADERS, rows));
}
