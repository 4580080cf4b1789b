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
 * Everything of `@tskafka/producer` and `@tskafka/transport` is re-exported, so serializers,
 * partitioners, interceptors and errors come from here too.
 *
 * @packageDocumentation
 * @module tskafka
 */
export * from '@tskafka/producer';
export * from '@tskafka/transport';
export * from './kafka.js';
