/**
 * `tskafka leader-election --bootstrap-server H:P --election-type PREFERRED|UNCLEAN (--topic T
 * --partition P | --all-topic-partitions | --path-to-json-file F)`: Kafka's
 * `kafka-leader-election.sh` (its `LeaderElectionCommand`), with its flags and output lines.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { AdminTopicPartition, ElectionType, LeaderElectionResult } from '@tskafka/admin';
import { ElectionNotNeededError } from '@tskafka/protocol';
import { CliError } from '../errors.js';
import { asCliError, clientProperties, connectAdmin, intFlag, joinNegativeValues } from './common.js';

/** Usage text of the leader-election command. */
export const LEADER_ELECTION_USAGE = `Usage: tskafka leader-election --bootstrap-server H:P --election-type PREFERRED|UNCLEAN
       (--topic T --partition P | --all-topic-partitions | --path-to-json-file FILE)
Elects a leader for a set of topic partitions.
Options:
  --election-type TYPE     PREFERRED: the first assigned replica, when in sync;
                           UNCLEAN: the first live replica, for partitions with no leader
  --topic T --partition P  one partition
  --all-topic-partitions   every partition of the cluster
  --path-to-json-file FILE partitions as {"partitions": [{"topic": "t", "partition": 0}]}
  --admin.config FILE      admin client properties from a file`;

/** The partitions of a `--path-to-json-file` file, checked as Kafka checks them. */
export function partitionsFromJson(text: string, file: string): AdminTopicPartition[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new CliError(`${file} is not JSON: ${(e as Error).message}`, 2);
  }
  const list = (json as { partitions?: unknown } | null)?.partitions;
  if (!Array.isArray(list)) throw new CliError(`${file}: expected {"partitions": [...]}`, 2);
  const seen = new Set<string>();
  return list.map((p: unknown, i) => {
    const { topic, partition } = (p ?? {}) as { topic?: unknown; partition?: unknown };
    if (typeof topic !== 'string' || !Number.isInteger(partition) || (partition as number) < 0) {
      throw new CliError(`${file}: partitions[${i}] needs a "topic" string and a "partition" number`, 2);
    }
    const key = `${topic}-${partition}`;
    if (seen.has(key)) throw new CliError(`${file}: duplicate partition ${key}`, 2);
    seen.add(key);
    return { topic, partition: partition as number };
  });
}

/** The lines `LeaderElectionCommand` prints for `results`, and how many partitions failed. */
export function electionReport(
  type: ElectionType,
  results: readonly LeaderElectionResult[],
): { lines: string[]; failed: number } {
  const name = type.toUpperCase();
  const tp = (r: LeaderElectionResult) => `${r.topic}-${r.partition}`;
  const succeeded = results.filter((r) => r.error === null);
  const noop = results.filter((r) => r.error instanceof ElectionNotNeededError);
  const failed = results.filter((r) => r.error !== null && !(r.error instanceof ElectionNotNeededError));
  const lines: string[] = [];
  if (succeeded.length > 0) {
    lines.push(
      `Successfully completed leader election (${name}) for partitions ${succeeded.map(tp).join(', ')}`,
    );
  }
  if (noop.length > 0) lines.push(`Valid replica already elected for partitions ${noop.map(tp).join(', ')}`);
  for (const r of failed) {
    lines.push(
      `Error completing leader election (${name}) for partition: ${tp(r)}: ${r.error?.name}: ${r.error?.message}`,
    );
  }
  return { lines, failed: failed.length };
}

/** Runs the leader-election command. */
export async function leaderElectionCommand(
  argv: string[],
  out: NodeJS.WritableStream = process.stdout,
): Promise<void> {
  const { values, positionals } = parseArgs({
    args: joinNegativeValues(argv),
    options: {
      'bootstrap-server': { type: 'string' },
      'admin.config': { type: 'string' },
      'election-type': { type: 'string' },
      topic: { type: 'string' },
      partition: { type: 'string' },
      'all-topic-partitions': { type: 'boolean', default: false },
      'path-to-json-file': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: true,
  });
  if (values.help) {
    out.write(`${LEADER_ELECTION_USAGE}\n`);
    return;
  }
  if (positionals.length > 0) throw new CliError(`unexpected argument "${positionals[0]}"`, 2);
  const typeFlag = values['election-type'];
  if (typeFlag === undefined) throw new CliError('missing required option --election-type', 2);
  const type = typeFlag.toLowerCase();
  if (type !== 'preferred' && type !== 'unclean') {
    throw new CliError(`--election-type must be PREFERRED or UNCLEAN, not "${typeFlag}"`, 2);
  }
  const sources = [
    values.topic !== undefined || values.partition !== undefined,
    values['all-topic-partitions'],
    values['path-to-json-file'] !== undefined,
  ].filter(Boolean).length;
  if (sources !== 1) {
    throw new CliError(
      'exactly one of --topic with --partition, --all-topic-partitions or --path-to-json-file is required',
      2,
    );
  }
  let partitions: AdminTopicPartition[] | null = null;
  if (values.topic !== undefined || values.partition !== undefined) {
    if (values.topic === undefined || values.partition === undefined) {
      throw new CliError('--topic and --partition go together', 2);
    }
    partitions = [{ topic: values.topic, partition: intFlag(values.partition, '--partition', 0) }];
  } else if (values['path-to-json-file'] !== undefined) {
    const file = values['path-to-json-file'];
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new CliError(`cannot read ${file}: ${(e as Error).message}`, 2);
    }
    partitions = partitionsFromJson(text, file);
  }
  const admin = await connectAdmin(clientProperties(values['bootstrap-server'], values['admin.config']));
  let report: { lines: string[]; failed: number };
  try {
    report = electionReport(type, await admin.electLeaders(type, partitions));
  } catch (e) {
    throw asCliError(e);
  } finally {
    await admin.close();
  }
  for (const line of report.lines) out.write(`${line}\n`);
  if (report.failed > 0) throw new CliError(`${report.failed} replica(s) could not be elected`, 1);
}
