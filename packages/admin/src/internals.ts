/**
 * `@tskafka/admin/internals`: the machinery of `@tskafka/admin`, such as the decoder of a
 * member's assignment bytes that the `tskafka` command uses.
 *
 * **Not a stable API.** These names may change or go in any release, minor or patch, without
 * notice, as Java's `org.apache.kafka.clients.*.internals` packages. The `tskafka` command and
 * tests import from here; applications use `@tskafka/admin` (or `tskafka`). This entry re-exports
 * the whole package, the public names included, so a tool needs one import.
 *
 * @module
 */

export { decodeMemberAssignment } from './groups.js';
export * from './index.js';
