/**
 * The `tskafka` command's dispatcher: one subcommand per Kafka shell tool. Errors become one line
 * on stderr and a non-zero exit code, never a stack trace.
 */
import { brokerCommand } from './commands/broker.js';
import { oneLine } from './commands/common.js';
import { consoleConsumerCommand } from './commands/console-consumer.js';
import { consoleProducerCommand } from './commands/console-producer.js';
import { consumerGroupsCommand } from './commands/consumer-groups.js';
import { leaderElectionCommand } from './commands/leader-election.js';
import { consumerPerfTestCommand, producerPerfTestCommand } from './commands/perf.js';
import { topicsCommand } from './commands/topics.js';
import { transactionsCommand } from './commands/transactions.js';
import { CliError } from './errors.js';

/** Top-level usage text. */
export const USAGE = `Usage: tskafka <command> [options]
Commands:
  broker              run the reference broker (tskafka broker --help)
  topics              create, list, describe, alter and delete topics
  console-producer    send one record per line of standard input
  console-consumer    print records of a topic
  consumer-groups     list, describe, reset offsets of and delete consumer groups
  producer-perf-test  measure producer throughput and latency
  consumer-perf-test  measure consumer throughput
  transactions        list and describe transactions and producers; abort hanging ones
  leader-election     elect preferred (or unclean) leaders of partitions
Run "tskafka <command> --help" for a command's options.`;

const COMMANDS: Record<string, (argv: string[]) => Promise<void>> = {
  broker: (argv) => brokerCommand(argv),
  topics: (argv) => topicsCommand(argv),
  'console-producer': (argv) => consoleProducerCommand(argv),
  'console-consumer': (argv) => consoleConsumerCommand(argv),
  'consumer-groups': (argv) => consumerGroupsCommand(argv),
  'producer-perf-test': (argv) => producerPerfTestCommand(argv),
  'consumer-perf-test': (argv) => consumerPerfTestCommand(argv),
  transactions: (argv) => transactionsCommand(argv),
  'leader-election': (argv) => leaderElectionCommand(argv),
};

/** Runs the command line `argv` (without node and script); returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    process.stdout.write(`${USAGE}\n`);
    return name ? 0 : 1;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`tskafka: unknown command "${name}"\n${USAGE}\n`);
    return 2;
  }
  try {
    await command(rest);
    return 0;
  } catch (e) {
    if (e instanceof CliError) {
      process.stderr.write(`tskafka ${name}: ${oneLine(e.message)}\n`);
      return e.exitCode;
    }
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`tskafka ${name}: ${oneLine((e as Error).message)}\n`);
      return 2;
    }
    process.stderr.write(`tskafka ${name}: ${oneLine((e as Error)?.message ?? String(e))}\n`);
    return 1;
  }
}
