/**
 * `@tskafka/cli`: the `tskafka` command, which mirrors Kafka's shell tools. Also usable as a
 * library: {@link main} runs a command line and returns the exit code.
 *
 * @packageDocumentation
 * @module @tskafka/cli
 */
export { BROKER_USAGE, brokerCommand } from './commands/broker.js';
export { CliError } from './errors.js';
export { main, USAGE } from './main.js';
