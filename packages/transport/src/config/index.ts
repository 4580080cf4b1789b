/**
 * Configuration loading shared by the producer, consumer and admin clients: `.properties`
 * files, Kafka's property names, typed camelCase options, one schema per client.
 *
 * @module
 */

export * from './admin.js';
export * from './classes.js';
export * from './client.js';
export * from './consumer.js';
export * from './errors.js';
export * from './jaas.js';
export * from './keys.js';
export * from './producer.js';
export * from './properties.js';
export * from './schema.js';
