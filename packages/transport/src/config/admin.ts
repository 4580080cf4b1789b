/**
 * The admin client's configuration: Java's `AdminClientConfig` keys with Kafka 4.x defaults, on
 * top of the common client keys. `@tskafka/admin` builds on it.
 *
 * @module
 */

import { COMMON_IGNORED_PROPERTIES, checkCommonClientConfig, commonClientKeys } from './client.js';
import { intKey } from './keys.js';
import { type ConfigOf, defineSchema } from './schema.js';

/** The admin client's keys (common client keys included), by camelCase option name. */
export const adminKeys = {
  ...commonClientKeys,
  defaultApiTimeoutMs: intKey('default.api.timeout.ms', {
    doc: 'Time limit of an admin call, retries included, unless the call gives its own timeoutMs.',
    default: 60_000,
    min: 0,
  }),
  retries: intKey('retries', {
    doc: 'Unused: admin calls retry until default.api.timeout.ms; accepted for files written for Java.',
    default: 2_147_483_647,
    min: 0,
  }),
} as const;

/** The admin options, loaded. */
export type AdminConfig = ConfigOf<typeof adminKeys>;

/** The admin schema. */
export const adminSchema = defineSchema(adminKeys, {
  ignored: COMMON_IGNORED_PROPERTIES,
  check: (config) => checkCommonClientConfig(config),
});
