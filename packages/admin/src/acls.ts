/**
 * ACLs (CreateAcls, DescribeAcls, DeleteAcls, to any broker): Java's `Admin.createAcls`,
 * `describeAcls` and `deleteAcls`, and what `kafka-acls.sh` runs. The codes are those of
 * {@link ResourceType}, {@link PatternType}, {@link AclOperation} and {@link AclPermissionType}.
 *
 * @module
 */

import {
  AclOperation,
  AclPermissionType,
  createKafkaError,
  ErrorCode,
  PatternType,
  ResourceType,
} from '@tskafka/protocol';
import { Api } from '@tskafka/protocol/internals';
import { type AdminContext, retryCall } from './requests.js';

/**
 * One ACL (Java's `AclBinding`): `principal` from `host` is allowed or denied (`permissionType`)
 * `operation` on the resources `resourceType`/`resourceName` matches under `patternType`.
 *
 * ```ts
 * { resourceType: ResourceType.TOPIC, resourceName: 'orders', patternType: PatternType.LITERAL,
 *   principal: 'User:alice', host: '*', operation: AclOperation.READ, permissionType: AclPermissionType.ALLOW }
 * ```
 */
export interface AclBinding {
  /** What kind of resource (TOPIC, GROUP, CLUSTER, TRANSACTIONAL_ID, ...). */
  resourceType: ResourceType;
  /** The resource's name, a prefix of names (PREFIXED), or `*` for all (LITERAL); `kafka-cluster` for the cluster. */
  resourceName: string;
  /** LITERAL (the default) or PREFIXED. */
  patternType?: PatternType;
  /** Who: `User:alice`, or `User:*` for every user. */
  principal: string;
  /** From where: the client's IP address, or `*` (the default) for any. */
  host?: string;
  /** What (READ, WRITE, DESCRIBE, ALL, ...). */
  operation: AclOperation;
  /** ALLOW or DENY (a matching DENY wins). */
  permissionType: AclPermissionType;
}

/** An ACL as the broker describes it: every field set. */
export type DescribedAcl = Required<AclBinding>;

/**
 * A filter over ACLs (Java's `AclBindingFilter`): each field left out (or null, or ANY) matches
 * anything. `patternType` MATCH matches every ACL that applies to `resourceName` (literal, `*` and
 * prefixes); ANY (the default) matches ACLs of exactly that name, of any pattern type.
 */
export interface AclBindingFilter {
  /** Only ACLs on this kind of resource; default ANY. */
  resourceType?: ResourceType;
  /** Only ACLs on this name; default any. */
  resourceName?: string | null;
  /** ANY (default), MATCH, LITERAL or PREFIXED. */
  patternType?: PatternType;
  /** Only ACLs of this principal; default any. */
  principal?: string | null;
  /** Only ACLs for this host; default any. */
  host?: string | null;
  /** Only ACLs of this operation; default ANY. */
  operation?: AclOperation;
  /** Only ALLOW or DENY ACLs; default ANY. */
  permissionType?: AclPermissionType;
}

/** What one filter of {@link Admin.deleteAcls} deleted. */
export interface DeletedAcls {
  /** The filter, as given. */
  filter: AclBindingFilter;
  /** The ACLs it matched, now deleted. */
  deleted: DescribedAcl[];
}

/** Creates `acls`; rejects with the first refusal (e.g. `ClusterAuthorizationFailedError`, `SecurityDisabledError`). */
export async function createAcls(ctx: AdminContext, acls: readonly AclBinding[]): Promise<void> {
  if (acls.length === 0) return;
  const res = await retryCall(ctx, () =>
    ctx.cluster.requestAny(Api.CreateAcls, {
      creations: acls.map((a) => ({
        resourceType: a.resourceType,
        resourceName: a.resourceName,
        resourcePatternType: a.patternType ?? PatternType.LITERAL,
        principal: a.principal,
        host: a.host ?? '*',
        operation: a.operation,
        permissionType: a.permissionType,
      })),
    }),
  );
  const failed = res.results.find((r) => r.errorCode !== ErrorCode.NONE);
  if (failed) {
    throw createKafkaError(failed.errorCode, {
      apiName: 'CreateAcls',
      message: failed.errorMessage ?? undefined,
    });
  }
}

/** The ACLs `filter` matches. */
export async function describeAcls(ctx: AdminContext, filter: AclBindingFilter): Promise<DescribedAcl[]> {
  const f = filterBody(filter);
  const res = await retryCall(ctx, () =>
    ctx.cluster.requestAny(Api.DescribeAcls, {
      resourceTypeFilter: f.resourceTypeFilter,
      resourceNameFilter: f.resourceNameFilter,
      patternTypeFilter: f.patternTypeFilter,
      principalFilter: f.principalFilter,
      hostFilter: f.hostFilter,
      operation: f.operation,
      permissionType: f.permissionType,
    }),
  );
  if (res.errorCode !== ErrorCode.NONE) {
    throw createKafkaError(res.errorCode, {
      apiName: 'DescribeAcls',
      message: res.errorMessage ?? undefined,
    });
  }
  return res.resources.flatMap((r) =>
    r.acls.map((a) => ({
      resourceType: r.resourceType as ResourceType,
      resourceName: r.resourceName,
      patternType: r.patternType as PatternType,
      principal: a.principal,
      host: a.host,
      operation: a.operation as AclOperation,
      permissionType: a.permissionType as AclPermissionType,
    })),
  );
}

/** Deletes the ACLs each filter matches; rejects with the first filter's refusal. */
export async function deleteAcls(
  ctx: AdminContext,
  filters: readonly AclBindingFilter[],
): Promise<DeletedAcls[]> {
  if (filters.length === 0) return [];
  const res = await retryCall(ctx, () =>
    ctx.cluster.requestAny(Api.DeleteAcls, { filters: filters.map(filterBody) }),
  );
  const failed = res.filterResults.find((r) => r.errorCode !== ErrorCode.NONE);
  if (failed) {
    throw createKafkaError(failed.errorCode, {
      apiName: 'DeleteAcls',
      message: failed.errorMessage ?? undefined,
    });
  }
  return res.filterResults.map((r, i) => ({
    filter: filters[i],
    deleted: r.matchingAcls.map((a) => ({
      resourceType: a.resourceType as ResourceType,
      resourceName: a.resourceName,
      patternType: a.patternType as PatternType,
      principal: a.principal,
      host: a.host,
      operation: a.operation as AclOperation,
      permissionType: a.permissionType as AclPermissionType,
    })),
  }));
}

function filterBody(f: AclBindingFilter) {
  return {
    resourceTypeFilter: f.resourceType ?? ResourceType.ANY,
    resourceNameFilter: f.resourceName ?? null,
    patternTypeFilter: f.patternType ?? PatternType.ANY,
    principalFilter: f.principal ?? null,
    hostFilter: f.host ?? null,
    operation: f.operation ?? AclOperation.ANY,
    permissionType: f.permissionType ?? AclPermissionType.ANY,
  };
}
