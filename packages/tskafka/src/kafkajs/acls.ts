/**
 * KafkaJS's ACL vocabulary and the shapes of its admin ACL calls (`createAcls`, `describeAcls`,
 * `deleteAcls`), over tskafka's admin client. The codes are Kafka's, as in KafkaJS.
 *
 * @module
 */
import type { Admin as TsAdmin } from '@tskafka/admin';
import type { AclOperation, AclPermissionType, PatternType, ResourceType } from '@tskafka/protocol';

/** KafkaJS's `AclResourceTypes`. */
export const AclResourceTypes = {
  /** Unknown. */
  UNKNOWN: 0,
  /** Any (filters). */
  ANY: 1,
  /** A topic. */
  TOPIC: 2,
  /** A group. */
  GROUP: 3,
  /** The cluster. */
  CLUSTER: 4,
  /** A transactional id. */
  TRANSACTIONAL_ID: 5,
  /** A delegation token. */
  DELEGATION_TOKEN: 6,
} as const;
/** An {@link AclResourceTypes} code. */
export type AclResourceTypes = (typeof AclResourceTypes)[keyof typeof AclResourceTypes];

/** KafkaJS's `AclOperationTypes`. */
export const AclOperationTypes = {
  /** Unknown. */
  UNKNOWN: 0,
  /** Any (filters). */
  ANY: 1,
  /** Every operation. */
  ALL: 2,
  /** Read. */
  READ: 3,
  /** Write. */
  WRITE: 4,
  /** Create. */
  CREATE: 5,
  /** Delete. */
  DELETE: 6,
  /** Alter. */
  ALTER: 7,
  /** Describe. */
  DESCRIBE: 8,
  /** Cluster action. */
  CLUSTER_ACTION: 9,
  /** Describe configs. */
  DESCRIBE_CONFIGS: 10,
  /** Alter configs. */
  ALTER_CONFIGS: 11,
  /** Idempotent write. */
  IDEMPOTENT_WRITE: 12,
} as const;
/** An {@link AclOperationTypes} code. */
export type AclOperationTypes = (typeof AclOperationTypes)[keyof typeof AclOperationTypes];

/** KafkaJS's `AclPermissionTypes`. */
export const AclPermissionTypes = {
  /** Unknown. */
  UNKNOWN: 0,
  /** Any (filters). */
  ANY: 1,
  /** Deny. */
  DENY: 2,
  /** Allow. */
  ALLOW: 3,
} as const;
/** An {@link AclPermissionTypes} code. */
export type AclPermissionTypes = (typeof AclPermissionTypes)[keyof typeof AclPermissionTypes];

/** KafkaJS's `ResourcePatternTypes`. */
export const ResourcePatternTypes = {
  /** Unknown. */
  UNKNOWN: 0,
  /** Any (filters). */
  ANY: 1,
  /** Every ACL that applies to a name (filters). */
  MATCH: 2,
  /** The name itself, or `*`. */
  LITERAL: 3,
  /** Names starting with it. */
  PREFIXED: 4,
} as const;
/** A {@link ResourcePatternTypes} code. */
export type ResourcePatternTypes = (typeof ResourcePatternTypes)[keyof typeof ResourcePatternTypes];

/** Who may or may not do what (KafkaJS's `Acl`). */
export interface Acl {
  /** `User:alice`, or `User:*`. */
  principal: string;
  /** A client address, or `*`. */
  host: string;
  /** The operation. */
  operation: AclOperationTypes;
  /** ALLOW or DENY. */
  permissionType: AclPermissionTypes;
}

/** One ACL on a resource pattern (KafkaJS's `AclEntry`). */
export interface AclEntry extends Acl {
  /** The kind of resource. */
  resourceType: AclResourceTypes;
  /** Its name (or prefix, or `*`). */
  resourceName: string;
  /** LITERAL or PREFIXED. */
  resourcePatternType: ResourcePatternTypes;
}

/** A filter over ACLs (KafkaJS's `AclFilter`): names left out match any. */
export interface AclFilter {
  /** The kind of resource, or ANY. */
  resourceType: AclResourceTypes;
  /** The name; any when left out. */
  resourceName?: string;
  /** ANY, MATCH, LITERAL or PREFIXED. */
  resourcePatternType: ResourcePatternTypes;
  /** The principal; any when left out. */
  principal?: string;
  /** The host; any when left out. */
  host?: string;
  /** The operation, or ANY. */
  operation: AclOperationTypes;
  /** ALLOW, DENY or ANY. */
  permissionType: AclPermissionTypes;
}

/** A resource pattern and its ACLs (KafkaJS's `DescribeAclResource`). */
export interface DescribeAclResource {
  /** The kind of resource. */
  resourceType: AclResourceTypes;
  /** Its name. */
  resourceName: string;
  /** Its pattern type. */
  resourcePatternType: ResourcePatternTypes;
  /** Its ACLs. */
  acls: Acl[];
}

/** What one filter of `deleteAcls` deleted (KafkaJS's `DeleteAclFilterResponses`). */
export interface DeleteAclFilterResponses {
  /** 0: the filter was applied. */
  errorCode: number;
  /** Null when applied. */
  errorMessage: string | null;
  /** The ACLs deleted. */
  matchingAcls: (AclEntry & { errorCode: number; errorMessage: string | null })[];
}

/** `admin.createAcls({ acl })`. */
export async function createAcls(admin: TsAdmin, acl: readonly AclEntry[]): Promise<boolean> {
  await admin.createAcls(
    acl.map((a) => ({
      resourceType: a.resourceType as ResourceType,
      resourceName: a.resourceName,
      patternType: a.resourcePatternType as PatternType,
      principal: a.principal,
      host: a.host,
      operation: a.operation as AclOperation,
      permissionType: a.permissionType as AclPermissionType,
    })),
  );
  return true;
}

function filterOf(f: AclFilter) {
  return {
    resourceType: f.resourceType as ResourceType,
    resourceName: f.resourceName ?? null,
    patternType: f.resourcePatternType as PatternType,
    principal: f.principal ?? null,
    host: f.host ?? null,
    operation: f.operation as AclOperation,
    permissionType: f.permissionType as AclPermissionType,
  };
}

function entryOf(a: {
  resourceType: number;
  resourceName: string;
  patternType: number;
  principal: string;
  host: string;
  operation: number;
  permissionType: number;
}): AclEntry {
  return {
    resourceType: a.resourceType as AclResourceTypes,
    resourceName: a.resourceName,
    resourcePatternType: a.patternType as ResourcePatternTypes,
    principal: a.principal,
    host: a.host,
    operation: a.operation as AclOperationTypes,
    permissionType: a.permissionType as AclPermissionTypes,
  };
}

/** `admin.describeAcls(filter)`: the ACLs grouped by resource pattern, as KafkaJS answers. */
export async function describeAcls(
  admin: TsAdmin,
  filter: AclFilter,
): Promise<{ resources: DescribeAclResource[] }> {
  const resources = new Map<string, DescribeAclResource>();
  for (const b of await admin.describeAcls(filterOf(filter))) {
    const e = entryOf(b);
    const key = JSON.stringify([e.resourceType, e.resourceName, e.resourcePatternType]);
    let r = resources.get(key);
    if (!r) {
      r = {
        resourceType: e.resourceType,
        resourceName: e.resourceName,
        resourcePatternType: e.resourcePatternType,
        acls: [],
      };
      resources.set(key, r);
    }
    r.acls.push({
      principal: e.principal,
      host: e.host,
      operation: e.operation,
      permissionType: e.permissionType,
    });
  }
  return { resources: [...resources.values()] };
}

/** `admin.deleteAcls({ filters })`: per filter, the ACLs deleted. */
export async function deleteAcls(
  admin: TsAdmin,
  filters: readonly AclFilter[],
): Promise<{ filterResponses: DeleteAclFilterResponses[] }> {
  const results = await admin.deleteAcls(filters.map(filterOf));
  return {
    filterResponses: results.map((r) => ({
      errorCode: 0,
      errorMessage: null,
      matchingAcls: r.deleted.map((b) => ({ ...entryOf(b), errorCode: 0, errorMessage: null })),
    })),
  };
}
