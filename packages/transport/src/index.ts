/**
 * `@tskafka/transport`: how the tskafka clients talk to Kafka brokers. Connections over TCP or
 * TLS with Kafka's framing, correlation ids and pipelined requests; API version negotiation;
 * SASL PLAIN and SCRAM; the cluster's metadata, routing to leaders and coordinators, reconnect
 * backoff and retries. Typed errors that name the broker, the API and the Kafka error code.
 *
 * This entry holds what the producer, the consumer and the admin client share with an application:
 * {@link TopicPartition}, the serializers and deserializers, the connection options (SASL, TLS),
 * the {@link Logger}, Kafka's `.properties` configuration and the transport's errors. Connections,
 * the connection pool, the cluster and its metadata cache are machinery, behind
 * `@tskafka/transport/internals`.
 *
 * @packageDocumentation
 * @module @tskafka/transport
 */
export { type Clock, ManualClock, systemTimerClock, type TimerClock, type TimerHandle } from './clock.js';
export type { ConsumerInterceptorPlugin, PartitionAssignorPlugin } from './config/consumer.js';
export { ConfigError } from './config/errors.js';
export type { PartitionerPlugin, ProducerInterceptorPlugin } from './config/producer.js';
export { parseProperties } from './config/properties.js';
export type { KafkaProperties } from './config/schema.js';
export {
  BrokerProtocolError,
  ClientClosedError,
  ConnectionError,
  isRetriableError,
  KafkaTimeoutError,
  RequestTimeoutError,
  SaslAuthenticationError,
  SslAuthenticationError,
  TransportError,
  type TransportErrorContext,
  UnsupportedApiVersionError,
} from './errors.js';
export type { ConsumerGroupMetadata } from './group-metadata.js';
export { type Logger, type LogLevel, silentLogger, stderrLogger } from './logger.js';
export {
  diagnosticChannels,
  type KafkaMetric,
  type MetricsResponse,
  type MetricsSource,
  metricsHandler,
  prometheusText,
  type RequestEvent,
} from './metrics.js';
export {
  type CloseOptions,
  DEFAULT_CLOSE_TIMEOUT_MS,
  type OAuthBearerSaslOptions,
  type OAuthBearerToken,
  type PasswordSaslOptions,
  type SaslMechanism,
  type SaslOptions,
  type SslOption,
} from './options.js';
export {
  bufferDeserializer,
  bufferSerializer,
  type ConsumedHeaders,
  type DeserializedType,
  type Deserializer,
  type JsonDeserializerOptions,
  type JsonSerializerOptions,
  jsonDeserializer,
  jsonSerializer,
  type RecordHeaders,
  type SerdeName,
  SerializationError,
  type SerializedBytes,
  type SerializedType,
  type Serializer,
  stringDeserializer,
  stringSerializer,
} from './serde.js';
export type { TopicPartition } from './topic-partition.js';
