/**
 * `@tskafka/transport`: how the tskafka clients talk to Kafka brokers. Connections over TCP or
 * TLS with Kafka's framing, correlation ids and pipelined requests; API version negotiation;
 * SASL PLAIN and SCRAM; the cluster's metadata, routing to leaders and coordinators, reconnect
 * backoff and retries. Typed errors that name the broker, the API and the Kafka error code.
 *
 * @packageDocumentation
 * @module @tskafka/transport
 */
export * from './backoff.js';
export * from './clock.js';
export * from './cluster.js';
export * from './config/index.js';
export * from './connection.js';
export * from './errors.js';
export * from './group-metadata.js';
export * from './logger.js';
export * from './metadata.js';
export * from './options.js';
export * from './pool.js';
export * from './retry.js';
export * from './sasl/plain.js';
export * from './sasl/scram.js';
export * from './serde.js';
export * from './versions.js';
