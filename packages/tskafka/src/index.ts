/**
 * `tskafka`: a TypeScript SDK for Apache Kafka. Start with {@link Kafka}:
 *
 * ```ts
 * import { Kafka } from 'tskafka';
 * const kafka = new Kafka({ bootstrapServers: ['localhost:9092'], clientId: 'orders' });
 * const producer = kafka.producer({ acks: 'all', lingerMs: 5 });
 * await producer.connect();
 * await producer.send({ topic: 'orders', key: 'u1', value: 'hello' });
 * await producer.close();
 * ```
 *
 * Everything of `@tskafka/producer`, `@tskafka/consumer`, `@tskafka/admin` and `@tskafka/transport` is re-exported,
 * so serializers, deserializers, partitioners, assignors, interceptors and errors come from here too.
 *
 * @packageDocumentation
 * @module tskafka
 */

export * from '@tskafka/admin';
// Both the producer and the consumer name a { topic, partition } pair; they are the same shape.
export type { TopicPartition } from '@tskafka/consumer';
export * from '@tskafka/consumer';
export { roundRobin as roundRobinAssignor, sticky as stickyAssignor } from '@tskafka/consumer';
export * from '@tskafka/producer';
// `roundRobin` and `sticky` are partitioners here, as they were before the consumer existed; the
// assignors of the same names are `roundRobinAssignor` and `stickyAssignor` (or by name:
// `partitionAssignors: ['roundrobin']`).
export { roundRobin, sticky } from '@tskafka/producer';
// The wire-level vocabulary users meet in errors and tests: `ApiKey`, `ErrorCode`, the Kafka
// error classes (`instanceof NotLeaderOrFollowerError`), `CompressionType`, record batch helpers.
export * from '@tskafka/protocol';
export * from '@tskafka/transport';
export * from './kafka.js';
