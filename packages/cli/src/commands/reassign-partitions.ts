/**
 * `tskafka reassign-partitions --bootstrap-server H:P (--generate | --execute | --verify |
 * --cancel | --list)`: Kafka's `kafka-reassign-partitions.sh` (its `ReassignPartitionsCommand`),
 * with its flags, JSON files and output lines.
 *
 * - `--generate --topics-to-move-json-file F --broker-list "1,2,3"` prints the current assignment
 *   and a proposed one over the listed brokers (Kafka's rack-unaware assignment, which starts at
 *   a random broker; here at the first listed, so a proposal can be reproduced);
 * - `--execute --reassignment-json-file F` prints the current assignment (to roll back) and starts
 *   the moves (AlterPartitionReassignments);
 * - `--verify --reassignment-json-file F` says, per partition, whether its move is done;
 * - `--cancel --reassignment-json-file F` cancels the moves of those partitions;
 * - `--list` shows the moves in progress.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Admin, NewPartitionReassignment, PartitionReassignment } from '@tskafka/admin';
import { CliError } from '../errors.js';
import { asCliError, clientProperties, connectAdmin, joinNegativeValues } from './common.js';

/** Usage text of the reassign-partitions command. */
export const REASSIGN_PARTITIONS_USAGE = `Usage: tskafka reassign-partitions --bootstrap-server H:P ACTION
Moves partition replicas between brokers. ACTION is one of:
  --generate --topics-to-move-json-file FILE --broker-list "1,2,3"
                           propose an assignment of the topics over the brokers
  --execute --reassignment-json-file FILE [--additional]
                           start the reassignment the file describes
  --verify --reassignment-json-file FILE
                           say whether each partition's reassignment is done
  --cancel --reassignment-json-file FILE
                           cancel the reassignments of the file's partitions
  --list                   list the reassignments in progress
Files use Kafka's JSON: {"topics":[{"topic":"t"}],"version":1} and
{"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[1,2],"log_dirs":["any","any"]}]}
Options:
  --admin.config FILE      admin client properties from a file (also --command-config)`;

/** One partition of a reassignment JSON file: where its replicas go. */
export interface PartitionAssignment {
  /** The topic. */
  topic: string;
  /** The partition index. */
  partition: number;
  /** The replicas, the first the preferred leader. */
  replicas: number[];
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new CliError(`${file} is not JSON: ${(e as Error).message}`, 2);
  }
}

function readFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new CliError(`cannot read ${file}: ${(e as Error).message}`, 2);
  }
}

/** The topics of a `--topics-to-move-json-file` file (`{"topics":[{"topic":"t"}],"version":1}`). */
export function parseTopicsToMove(text: string, file: string): string[] {
  const topics = (parseJson(text, file) as { topics?: unknown } | null)?.topics;
  if (!Array.isArray(topics))
    throw new CliError(`${file}: expected {"topics": [{"topic": "..."}], "version": 1}`, 2);
  const names = topics.map((t: unknown, i) => {
    const topic = (t as { topic?: unknown } | null)?.topic;
    if (typeof topic !== 'string') throw new CliError(`${file}: topics[${i}] needs a "topic" string`, 2);
    return topic;
  });
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  if (duplicate !== undefined) throw new CliError(`${file}: duplicate topic ${duplicate}`, 2);
  return names;
}

/** The partitions of a `--reassignment-json-file` file, checked as Kafka checks them. */
export function parseReassignment(text: string, file: string): PartitionAssignment[] {
  const partitions = (parseJson(text, file) as { partitions?: unknown } | null)?.partitions;
  if (!Array.isArray(partitions))
    throw new CliError(`${file}: expected {"version": 1, "partitions": [...]}`, 2);
  if (partitions.length === 0) throw new CliError(`${file}: partition reassignment list cannot be empty`, 2);
  const seen = new Set<string>();
  return partitions.map((p: unknown, i) => {
    const { topic, partition, replicas, log_dirs } = (p ?? {}) as Record<string, unknown>;
    if (typeof topic !== 'string' || !Number.isInteger(partition) || (partition as number) < 0) {
      throw new CliError(`${file}: partitions[${i}] needs a "topic" string and a "partition" number`, 2);
    }
    if (!Array.isArray(replicas) || replicas.length === 0 || !replicas.every((r) => Number.isInteger(r))) {
      throw new CliError(`${file}: partitions[${i}] needs "replicas", a non-empty list of broker ids`, 2);
    }
    if (new Set(replicas).size !== replicas.length) {
      throw new CliError(
        `Duplicate replica assignment found: ${topic}-${partition} -> ${replicas.join(',')}`,
        2,
      );
    }
    if (log_dirs !== undefined) {
      if (!Array.isArray(log_dirs) || log_dirs.length !== replicas.length) {
        throw new CliError(
          `${file}: partitions[${i}] has ${replicas.length} replicas but a different number of log_dirs`,
          2,
        );
      }
      if (log_dirs.some((d) => d !== 'any')) {
        throw new CliError(
          `${file}: partitions[${i}]: moves between log directories are not supported ("any" only)`,
          2,
        );
      }
    }
    const key = `${topic}-${partition}`;
    if (seen.has(key)) throw new CliError(`Duplicate reassignment of partition ${key}`, 2);
    seen.add(key);
    return { topic, partition: partition as number, replicas: replicas as number[] };
  });
}

/** Kafka's reassignment JSON for `assignments`, sorted by topic and partition, on one line. */
export function formatReassignmentJson(assignments: readonly PartitionAssignment[]): string {
  const sorted = [...assignments].sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
  return JSON.stringify({
    version: 1,
    partitions: sorted.map((a) => ({
      topic: a.topic,
      partition: a.partition,
      replicas: a.replicas,
      log_dirs: a.replicas.map(() => 'any'),
    })),
  });
}

/**
 * Kafka's rack-unaware replica assignment (`assignReplicasToBrokersRackUnaware`) of partitions
 * `0..n-1` with `replicationFactor` over `brokers`, starting at the first broker with no shift
 * (where Kafka picks both at random).
 */
export function assignReplicas(
  partitions: number,
  replicationFactor: number,
  brokers: readonly number[],
): number[][] {
  if (replicationFactor > brokers.length) {
    throw new CliError(
      `Replication factor: ${replicationFactor} larger than available brokers: ${brokers.length}.`,
      1,
    );
  }
  const out: number[][] = [];
  let shift = 0;
  for (let p = 0; p < partitions; p++) {
    if (p > 0 && p % brokers.length === 0) shift++;
    const first = p % brokers.length;
    const replicas = [brokers[first]];
    for (let j = 0; j < replicationFactor - 1; j++) {
      const step = 1 + ((shift + j) % (brokers.length - 1));
      replicas.push(brokers[(first + step) % brokers.length]);
    }
    out.push(replicas);
  }
  return out;
}

/** A proposal moving every partition of the current assignment's topics over `brokers`. */
export function proposeReassignment(
  current: readonly PartitionAssignment[],
  brokers: readonly number[],
): PartitionAssignment[] {
  const byTopic = new Map<string, PartitionAssignment[]>();
  for (const a of current) byTopic.set(a.topic, [...(byTopic.get(a.topic) ?? []), a]);
  return [...byTopic].flatMap(([topic, parts]) => {
    const rf = parts[0].replicas.length;
    return assignReplicas(parts.length, rf, brokers).map((replicas, partition) => ({
      topic,
      partition,
      replicas,
    }));
  });
}

/** The `--verify` lines for `target`, given the current replicas and the moves in progress. */
export function verifyLines(
  target: readonly PartitionAssignment[],
  current: ReadonlyMap<string, readonly number[]>,
  ongoing: ReadonlySet<string>,
): { lines: string[]; done: boolean } {
  const lines = ['Status of partition reassignment:'];
  let done = true;
  for (const t of target) {
    const key = `${t.topic}-${t.partition}`;
    const replicas = current.get(key);
    if (ongoing.has(key)) {
      lines.push(`Reassignment of partition ${key} is still in progress.`);
      done = false;
    } else if (replicas !== undefined && replicas.join(',') === t.replicas.join(',')) {
      lines.push(`Reassignment of partition ${key} is completed.`);
    } else {
      lines.push(
        `There is no active reassignment of partition ${key}, but replica set is ${(replicas ?? []).join(',')} rather than ${t.replicas.join(',')}.`,
      );
      done = false;
    }
  }
  return { lines, done };
}

/** The current assignment of `topics` (every partition), as Kafka's JSON describes it. */
async function currentAssignment(admin: Admin, topics: readonly string[]): Promise<PartitionAssignment[]> {
  const described = await admin.describeTopics([...new Set(topics)]);
  return described.flatMap((t) =>
    t.partitions.map((p) => ({ topic: t.name, partition: p.partition, replicas: p.replicas })),
  );
}

/** Runs the reassign-partitions command. */
export async function reassignPartitionsCommand(
  argv: string[],
  out: NodeJS.WritableStream = process.stdout,
): Promise<void> {
  const { values, positionals } = parseArgs({
    args: joinNegativeValues(argv),
    options: {
      'bootstrap-server': { type: 'string' },
      'admin.config': { type: 'string' },
      'command-config': { type: 'string' },
      generate: { type: 'boolean', default: false },
      execute: { type: 'boolean', default: false },
      verify: { type: 'boolean', default: false },
      cancel: { type: 'boolean', default: false },
      list: { type: 'boolean', default: false },
      additional: { type: 'boolean', default: false },
      'topics-to-move-json-file': { type: 'string' },
      'reassignment-json-file': { type: 'string' },
      'broker-list': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: true,
  });
  if (values.help) {
    out.write(`${REASSIGN_PARTITIONS_USAGE}\n`);
    return;
  }
  if (positionals.length > 0) throw new CliError(`unexpected argument "${positionals[0]}"`, 2);
  const actions = (['generate', 'execute', 'verify', 'cancel', 'list'] as const).filter((a) => values[a]);
  if (actions.length !== 1) {
    throw new CliError(
      'Command must include exactly one action: --generate, --execute, --verify, --cancel, or --list',
      2,
    );
  }
  const action = actions[0];
  const reassignmentFile = values['reassignment-json-file'];
  let plan: PartitionAssignment[] = [];
  let topicsToMove: string[] = [];
  let brokers: number[] = [];
  if (action === 'generate') {
    const file = values['topics-to-move-json-file'];
    if (file === undefined) throw new CliError('Missing required argument "[topics-to-move-json-file]"', 2);
    if (values['broker-list'] === undefined)
      throw new CliError('Missing required argument "[broker-list]"', 2);
    topicsToMove = parseTopicsToMove(readFile(file), file);
    brokers = values['broker-list'].split(',').map((s) => {
      const id = Number(s.trim());
      if (!Number.isInteger(id) || id < 0) throw new CliError(`--broker-list: "${s}" is not a broker id`, 2);
      return id;
    });
  } else if (action !== 'list') {
    if (reassignmentFile === undefined)
      throw new CliError('Missing required argument "[reassignment-json-file]"', 2);
    plan = parseReassignment(readFile(reassignmentFile), reassignmentFile);
  }
  const props = clientProperties(
    values['bootstrap-server'],
    values['admin.config'] ?? values['command-config'],
  );
  const admin = await connectAdmin(props);
  try {
    await runAction(admin, action, { plan, topicsToMove, brokers, additional: values.additional }, out);
  } catch (e) {
    throw asCliError(e);
  } finally {
    await admin.close();
  }
}

interface ActionInput {
  plan: PartitionAssignment[];
  topicsToMove: string[];
  brokers: number[];
  additional: boolean;
}

async function runAction(
  admin: Admin,
  action: 'generate' | 'execute' | 'verify' | 'cancel' | 'list',
  input: ActionInput,
  out: NodeJS.WritableStream,
): Promise<void> {
  const tp = (p: { topic: string; partition: number }) => `${p.topic}-${p.partition}`;
  switch (action) {
    case 'generate': {
      const live = new Set((await admin.describeCluster()).brokers.map((b) => b.nodeId));
      const unknown = input.brokers.filter((b) => !live.has(b));
      if (unknown.length > 0)
        throw new CliError(`The broker list contains unknown brokers: ${unknown.join(',')}`, 1);
      const current = await currentAssignment(admin, input.topicsToMove);
      const proposed = proposeReassignment(current, input.brokers);
      out.write(`Current partition replica assignment\n${formatReassignmentJson(current)}\n\n`);
      out.write(`Proposed partition reassignment configuration\n${formatReassignmentJson(proposed)}\n`);
      return;
    }
    case 'execute': {
      if (!input.additional && (await admin.listPartitionReassignments()).length > 0) {
        throw new CliError(
          'Cannot execute because there is an existing partition assignment.  Use --additional to override this and create a new partition assignment in addition to the existing one.',
          1,
        );
      }
      const wanted = new Set(input.plan.map(tp));
      const current = (
        await currentAssignment(
          admin,
          input.plan.map((p) => p.topic),
        )
      ).filter((p) => wanted.has(tp(p)));
      out.write(
        `Current partition replica assignment\n\n${formatReassignmentJson(current)}\n\nSave this to use as the --reassignment-json-file option during rollback\n`,
      );
      const results = await admin.alterPartitionReassignments(
        input.plan.map((p): NewPartitionReassignment => ({ ...p, targetReplicas: p.replicas })),
      );
      const failed = results.filter((r) => r.error !== null);
      if (failed.length > 0) {
        const why = failed.map((r) => `${tp(r)}: ${r.error?.message}`).join('\n');
        throw new CliError(`Error reassigning partition(s):\n${why}`, 1);
      }
      const names = results.map(tp).sort();
      out.write(
        `Successfully started partition reassignment${names.length === 1 ? '' : 's'} for ${names.join(',')}\n`,
      );
      return;
    }
    case 'verify': {
      const ongoing = new Set((await admin.listPartitionReassignments(input.plan)).map(tp));
      const current = new Map(
        (
          await currentAssignment(
            admin,
            input.plan.map((p) => p.topic),
          )
        ).map((a) => [tp(a), a.replicas]),
      );
      // A move still in progress is not a failure: Kafka's --verify exits 0 then too.
      for (const line of verifyLines(input.plan, current, ongoing).lines) out.write(`${line}\n`);
      return;
    }
    case 'cancel': {
      const results = await admin.alterPartitionReassignments(
        input.plan.map(
          (p): NewPartitionReassignment => ({ topic: p.topic, partition: p.partition, targetReplicas: null }),
        ),
      );
      const cancelled = results
        .filter((r) => r.error === null)
        .map(tp)
        .sort();
      out.write(`Successfully cancelled partition reassignments for: ${cancelled.join(',')}\n`);
      const none = results
        .filter((r) => r.error !== null)
        .map(tp)
        .sort();
      if (none.length > 0)
        out.write(`None of the specified partition reassignments are active: ${none.join(',')}\n`);
      return;
    }
    case 'list': {
      const ongoing: PartitionReassignment[] = await admin.listPartitionReassignments();
      if (ongoing.length === 0) {
        out.write('No partition reassignments found.\n');
        return;
      }
      out.write('Current partition reassignments:\n');
      for (const r of ongoing) {
        out.write(
          `${tp(r)}: replicas: ${r.replicas.join(',')}. adding: ${r.addingReplicas.join(',')}. removing: ${r.removingReplicas.join(',')}.\n`,
        );
      }
      return;
    }
  }
}
