/**
 * `@tskafka/broker`: a Kafka broker in TypeScript that real Kafka clients use unchanged. Start one
 * with {@link startBroker} (in memory, or on disk in Kafka's log layout with `dataDir`) or several
 * with {@link startCluster}; point any Kafka client at `bootstrapServers`.
 *
 * @packageDocumentation
 * @module @tskafka/broker
 */
export { ApiError } from './api-error.js';
export {
  type BrokerListener,
  type BrokerLogger,
  BrokerNode,
  type BrokerRequestCount,
  type Cluster,
  type ClusterBrokerOptions,
  type LogLevel,
  type RunningBroker,
  type StartBrokerOptions,
  type StartClusterOptions,
  startBroker,
  startCluster,
} from './broker.js';
export { type Clock, ManualClock, systemClock, type TimerHandle } from './clock.js';
export { type BrokerConfig, BrokerConfigError, type BrokerProperties, parseBrokerConfig } from './config.js';
export {
  type FaultActionSpec,
  type FaultApiName,
  type FaultEvent,
  type FaultSchedule,
  FaultScheduleError,
  type FaultScheduleRun,
  type FaultStep,
  type FaultTarget,
  parseFaultSchedule,
  type RandomFaultScheduleOptions,
  type RunFaultScheduleOptions,
  randomFaultSchedule,
  runFaultSchedule,
} from './fault-schedule.js';
export { type FaultAction, FaultInjector } from './faults.js';
export type {
  ListenerOptions,
  ListenerSslOptions,
  SecurityProtocol,
} from './listeners.js';
export { ClusterMetadata, type PartitionState, type TopicState } from './metadata.js';
export { type JaasServerConfig, parseJaasServerConfig } from './sasl/jaas.js';
