/**
 * The `tskafka` command's dispatcher: one subcommand per Kafka shell tool. Errors become one line
 * on stderr and a non-zero exit code, never a stack trace.
 */

import { aclsCommand } from './commands/acls.js';
import { auditCommand } from './commands/audit.js';
import { brokerCommand } from './commands/broker.js';
import { oneLine } from './commands/common.js';
import { configsCommand } from './commands/configs.js';
import { consoleCommand } from './commands/console.js';
import { consoleConsumerCommand } from './commands/console-consumer.js';
import { consoleProducerCommand } from './commands/console-producer.js';
import { consumerGroupsCommand } from './commands/consumer-groups.js';
import { leaderElectionCommand } from './commands/leader-election.js';
import { consumerPerfTestCommand, producerPerfTestCommand } from './commands/perf.js';
import { reassignPartitionsCommand } from './commands/reassign-partitions.js';
import { topicsCommand } from './commands/topics.js';
import { transactionsCommand } from './commands/transactions.js';
import { CliError } from './errors.js';

/** Top-level usage text. */
export const USAGE = `Usage: tskafka <command> [options]
Commands:
  broker              run the reference broker (tskafka broker --help)
  topics              create, list, describe, alter and delete topics
  configs             describe and alter topic, broker and group configs and SCRAM credentials
  console-producer    send one record per line of standard input
  console-consumer    print records of a topic
  consumer-groups     list, describe, reset offsets of and delete consumer groups
  producer-perf-test  measure producer throughput and latency
  consumer-perf-test  measure consumer throughput
  transactions        list and describe transactions and producers; abort hanging ones
  leader-election     elect preferred (or unclean) leaders of partitions
  reassign-partitions move partition replicas between brokers (--generate, --execute, --verify)
  audit               delivery audit: produce under seeded faults, read back, check every record
  console             serve a web console for a cluster (topics, groups, lag, charts)
  acls                add, remove and list ACLs
Run "tskafka <command> --help" for a command's options.`;

/**
 * Where a command line reads and writes, and what stops it: the process's own streams and
 * signals by default; a program (or a test) running the command in-process passes its own.
 */
export interface CliIo {
  /** Standard input (console-producer's records). */
  stdin: NodeJS.ReadableStream;
  /** Standard output. */
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  /** Standard error. */
  stderr: NodeJS.WritableStream;
  /**
   * Stops a command that runs until told to (broker, console-consumer) as SIGINT does; SIGINT and
   * SIGTERM still stop it too.
   */
  signal?: AbortSignal;
}

const COMMANDS: Record<string, (argv: string[], io: CliIo) => Promise<void>> = {
  broker: (argv, io) => brokerCommand(argv, io.stdout, io.signal, io.stderr),
  topics: (argv, io) => topicsCommand(argv, io.stdout),
  configs: (argv, io) => configsCommand(argv, io.stdout),
  'console-producer': (argv, io) => consoleProducerCommand(argv, io.stdin, io.stdout),
  'console-consumer': (argv, io) => consoleConsumerCommand(argv, io.stdout, io.stderr, io.signal),
  'consumer-groups': (argv, io) => consumerGroupsCommand(argv, io.stdout),
  'producer-perf-test': (argv, io) => producerPerfTestCommand(argv, io.stdout),
  'consumer-perf-test': (argv, io) => consumerPerfTestCommand(argv, io.stdout),
  transactions: (argv, io) => transactionsCommand(argv, io.stdout),
  'leader-election': (argv, io) => leaderElectionCommand(argv, io.stdout),
  'reassign-partitions': (argv, io) => reassignPartitionsCommand(argv, io.stdout),
  audit: (argv, io) => auditCommand(argv, io.stdout),
  console: (argv, io) => consoleCommand(argv, io.stdout, io.signal),
  acls: (argv, io) => aclsCommand(argv, io.stdout),
};

/**
 * Runs the command line `argv` (without node and script) and returns the exit code; errors are
 * one line on `io.stderr`. Streams not given in `io` are the process's.
 */
export async function main(argv: string[], io: Partial<CliIo> = {}): Promise<number> {
  const streams: CliIo = {
    stdin: io.stdin ?? process.stdin,
    stdout: io.stdout ?? process.stdout,
    stderr: io.stderr ?? process.stderr,
    ...(io.signal ? { signal: io.signal } : {}),
  };
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    streams.stdout.write(`${USAGE}\n`);
    return name ? 0 : 1;
  }
  const command = COMMANDS[name];
  if (!command) {
    streams.stderr.write(`tskafka: unknown command "${name}"\n${USAGE}\n`);
    return 2;
  }
  try {
    await command(rest, streams);
    return 0;
  } catch (e) {
    if (e instanceof CliError) {
      streams.stderr.write(`tskafka ${name}: ${oneLine(e.message)}\n`);
      return e.exitCode;
    }
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) {
      streams.stderr.write(`tskafka ${name}: ${oneLine((e as Error).message)}\n`);
      return 2;
    }
    streams.stderr.write(`tskafka ${name}: ${oneLine((e as Error)?.message ?? String(e))}\n`);
    return 1;
  }
}
