/**
 * `@tskafka/cli`: the `tskafka` command, which mirrors Kafka's shell tools. Also usable as a
 * library: {@link main} runs a command line and returns the exit code.
 *
 * @packageDocumentation
 * @module @tskafka/cli
 */
export {
  type AuditAck,
  type AuditLogRecord,
  auditDelivery,
  type DeliveryAuditReport,
  formatAuditReport,
  type OffsetMismatch,
  type PartitionAudit,
} from './audit/analyze.js';
export {
  type AuditProduceOptions,
  type AuditProduceResult,
  type AuditProducer,
  type AuditReader,
  confluentPythonProducer,
  kcatReader,
  type PythonAuditProducerOptions,
  type TskafkaAuditProducerOptions,
  tskafkaProducer,
  tskafkaReader,
} from './audit/clients.js';
export { type DeliveryAuditOptions, type DeliveryAuditResult, runDeliveryAudit } from './audit/run.js';
export { AUDIT_USAGE, auditCommand, auditSummary } from './commands/audit.js';
export { BROKER_USAGE, brokerCommand } from './commands/broker.js';
export {
  CONSOLE_CONSUMER_USAGE,
  consoleConsumerCommand,
  type FormatterOptions,
  formatRecord,
  formatterOptions,
} from './commands/console-consumer.js';
export { CONSOLE_PRODUCER_USAGE, consoleProducerCommand } from './commands/console-producer.js';
export { CONSUMER_GROUPS_USAGE, consumerGroupsCommand } from './commands/consumer-groups.js';
export {
  electionReport,
  LEADER_ELECTION_USAGE,
  leaderElectionCommand,
  partitionsFromJson,
} from './commands/leader-election.js';
export {
  CONSUMER_PERF_USAGE,
  consumerPerfTestCommand,
  PerfStats,
  PRODUCER_PERF_USAGE,
  producerPerfTestCommand,
} from './commands/perf.js';
export { TOPICS_USAGE, topicsCommand } from './commands/topics.js';
export { TRANSACTIONS_USAGE, transactionsCommand, transactionsTable } from './commands/transactions.js';
export { CliError } from './errors.js';
export { type CliIo, main, USAGE } from './main.js';
