/**
 * The vocabulary of Kafka's ACLs, with the codes the ACL APIs (CreateAcls, DescribeAcls,
 * DeleteAcls) carry on the wire and the names Java's `org.apache.kafka.common.acl` and
 * `org.apache.kafka.common.resource` enums give them. Used by the admin client, the `tskafka acls`
 * command and the reference broker's authorizer alike.
 *
 * ```ts
 * await admin.createAcls([{
 *   resourceType: ResourceType.TOPIC, resourceName: 'orders', patternType: PatternType.LITERAL,
 *   principal: 'User:alice', host: '*', operation: AclOperation.READ, permissionType: AclPermissionType.ALLOW,
 * }]);
 * ```
 *
 * @module
 */

/** What an ACL protects (Java's `ResourceType`). `ANY` is for filters only. */
export const ResourceType = {
  /** A type this client does not know. */
  UNKNOWN: 0,
  /** Any type (filters only). */
  ANY: 1,
  /** A topic. */
  TOPIC: 2,
  /** A consumer group. */
  GROUP: 3,
  /** The cluster (its one resource is named `kafka-cluster`). */
  CLUSTER: 4,
  /** A transactional id. */
  TRANSACTIONAL_ID: 5,
  /** A delegation token. */
  DELEGATION_TOKEN: 6,
  /** A user (for delegation tokens). */
  USER: 7,
} as const;
/** A {@link ResourceType} code. */
export type ResourceType = (typeof ResourceType)[keyof typeof ResourceType];

/** How an ACL's resource name matches resources (Java's `PatternType`). */
export const PatternType = {
  /** A pattern type this client does not know. */
  UNKNOWN: 0,
  /** Filters only: any pattern type with exactly the filter's name. */
  ANY: 1,
  /** Filters only: every ACL that applies to the filter's name (literal, `*`, or a prefix of it). */
  MATCH: 2,
  /** The name itself, or `*` for every resource of the type. */
  LITERAL: 3,
  /** Every resource whose name starts with the ACL's name. */
  PREFIXED: 4,
} as const;
/** A {@link PatternType} code. */
export type PatternType = (typeof PatternType)[keyof typeof PatternType];

/** What an ACL allows or denies (Java's `AclOperation`). */
export const AclOperation = {
  /** An operation this client does not know. */
  UNKNOWN: 0,
  /** Any operation (filters only). */
  ANY: 1,
  /** Every operation. */
  ALL: 2,
  /** Read (consume a topic, join a group, commit offsets). */
  READ: 3,
  /** Write (produce, transactional id use). */
  WRITE: 4,
  /** Create topics. */
  CREATE: 5,
  /** Delete topics, records, groups. */
  DELETE: 6,
  /** Alter (partitions, ACLs on the cluster). */
  ALTER: 7,
  /** Describe (metadata, offsets, groups, ACLs on the cluster). */
  DESCRIBE: 8,
  /** Inter-broker actions. */
  CLUSTER_ACTION: 9,
  /** Describe configs. */
  DESCRIBE_CONFIGS: 10,
  /** Alter configs. */
  ALTER_CONFIGS: 11,
  /** Idempotent produce (cluster). */
  IDEMPOTENT_WRITE: 12,
  /** Create delegation tokens. */
  CREATE_TOKENS: 13,
  /** Describe delegation tokens. */
  DESCRIBE_TOKENS: 14,
  /** Two-phase commit of a transactional id (KIP-939). */
  TWO_PHASE_COMMIT: 15,
} as const;
/** An {@link AclOperation} code. */
export type AclOperation = (typeof AclOperation)[keyof typeof AclOperation];

/** Whether an ACL allows or denies (Java's `AclPermissionType`); a matching DENY always wins. */
export const AclPermissionType = {
  /** A permission type this client does not know. */
  UNKNOWN: 0,
  /** Any (filters only). */
  ANY: 1,
  /** Deny. */
  DENY: 2,
  /** Allow. */
  ALLOW: 3,
} as const;
/** An {@link AclPermissionType} code. */
export type AclPermissionType = (typeof AclPermissionType)[keyof typeof AclPermissionType];

/**
 * The name of `code` in one of the ACL enums above (`aclEnumName(AclOperation, 3)` is `'READ'`),
 * `'UNKNOWN'` for a code it lacks, as Java's `fromCode` gives.
 */
export function aclEnumName(table: Readonly<Record<string, number>>, code: number): string {
  for (const [name, c] of Object.entries(table)) if (c === code) return name;
  return 'UNKNOWN';
}

/**
 * The code of `name` in one of the ACL enums, case-insensitive and with `-` for `_`
 * (`'describe-configs'`, `'Read'`, `'TRANSACTIONAL_ID'`), as `kafka-acls.sh` and Java's
 * `fromString` read them; undefined for a name it lacks.
 */
export function aclEnumCode(table: Readonly<Record<string, number>>, name: string): number | undefined {
  const key = name.trim().toUpperCase().replace(/-/g, '_');
  return Object.hasOwn(table, key) ? table[key] : undefined;
}
