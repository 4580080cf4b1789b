/**
 * `@tskafka/admin`: the Kafka admin client.
 *
 * @packageDocumentation
 * @module @tskafka/admin
 */
export {};
