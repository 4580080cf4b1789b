/**
 * The reference broker's authorizer, with the semantics of Kafka's `StandardAuthorizer` (and the
 * ZooKeeper-era `AclAuthorizer` before it):
 *
 * - a super user (`super.users`) may do anything;
 * - an ACL applies to a request when its resource pattern covers the resource (the literal name,
 *   the literal `*`, or a prefix), its principal is the request's or `User:*`, and its host is the
 *   client's address or `*`;
 * - a DENY that applies for the operation (or ALL) wins over any ALLOW;
 * - an ALLOW for the operation or ALL allows; an ALLOW of READ, WRITE, DELETE or ALTER implies
 *   DESCRIBE, and an ALLOW of ALTER_CONFIGS implies DESCRIBE_CONFIGS;
 * - a resource no ACL covers at all (whoever it names) is allowed only with
 *   `allow.everyone.if.no.acl.found=true`; otherwise, and when ACLs exist but none allows, denied.
 *
 * The ACLs are cluster-wide (Kafka keeps them in the metadata log); with a data directory they are
 * kept in `tskafka-acls.json`, rewritten atomically (temp file, then rename) on every change.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { AclOperation, AclPermissionType, aclEnumName, PatternType, ResourceType } from '@tskafka/protocol';
import { ApiError } from '../api-error.js';
import {
  type AclBinding,
  type AclBindingFilter,
  bindingKey,
  filterMatches,
  resourceMatches,
  supportedOperations,
  validateFilter,
  validateNewAcl,
  WILDCARD_HOST,
  WILDCARD_PRINCIPAL,
  WILDCARD_RESOURCE,
} from './acl-binding.js';

/** Who asks: the authenticated principal (`User:alice`, `User:ANONYMOUS`) and the client's address. */
export interface AuthorizableRequest {
  readonly principal: string;
  readonly host: string;
}

/** Options of {@link StandardAuthorizer}. */
export interface StandardAuthorizerOptions {
  /** `super.users`: principals allowed everything, e.g. `['User:admin']`. */
  superUsers: readonly string[];
  /** `allow.everyone.if.no.acl.found`. */
  allowEveryoneIfNoAclFound: boolean;
  /** Where to keep the ACLs (a JSON file); null keeps them in memory. */
  file: string | null;
}

/** The outcome of one filter of a DeleteAcls request. */
export interface AclDeleteResult {
  /** Set when the filter was refused (no ACL was deleted for it). */
  readonly error: ApiError | null;
  /** The ACLs it deleted. */
  readonly deleted: readonly AclBinding[];
}

interface AclFile {
  version: 1;
  acls: AclBinding[];
}

/** ALLOW ACLs of these operations also allow the key's operation. */
const IMPLIED_BY: ReadonlyMap<number, readonly number[]> = new Map([
  [
    AclOperation.DESCRIBE,
    [AclOperation.DESCRIBE, AclOperation.READ, AclOperation.WRITE, AclOperation.DELETE, AclOperation.ALTER],
  ],
  [AclOperation.DESCRIBE_CONFIGS, [AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS]],
]);

/** Kafka's StandardAuthorizer: ACLs, super users and the no-ACL default. */
export class StandardAuthorizer {
  private readonly superUsers: ReadonlySet<string>;
  private readonly allowEveryoneIfNoAclFound: boolean;
  private readonly file: string | null;
  private readonly bindings = new Map<string, AclBinding>();

  /** An authorizer loading its ACLs from `options.file` when it exists. */
  constructor(options: StandardAuthorizerOptions) {
    this.superUsers = new Set(options.superUsers);
    this.allowEveryoneIfNoAclFound = options.allowEveryoneIfNoAclFound;
    this.file = options.file;
    if (this.file && existsSync(this.file)) {
      const saved = JSON.parse(readFileSync(this.file, 'utf8')) as AclFile;
      for (const b of saved.acls) this.bindings.set(bindingKey(b), b);
    }
  }

  /** Every ACL, in the order created. */
  acls(): AclBinding[] {
    return [...this.bindings.values()];
  }

  /** Whether `who` may do `operation` on the resource `resourceType`/`name`. */
  authorize(who: AuthorizableRequest, operation: number, resourceType: number, name: string): boolean {
    if (this.superUsers.has(who.principal)) return true;
    const allowOps = IMPLIED_BY.get(operation) ?? [operation];
    let anyAcl = false;
    let allowed = false;
    for (const b of this.bindings.values()) {
      if (!resourceMatches(b, resourceType, name)) continue;
      anyAcl = true;
      if (!appliesTo(b, who)) continue;
      if (b.permissionType === AclPermissionType.DENY) {
        if (b.operation === operation || b.operation === AclOperation.ALL) return false;
      } else if (b.operation === AclOperation.ALL || allowOps.includes(b.operation)) {
        allowed = true;
      }
    }
    return anyAcl ? allowed : this.allowEveryoneIfNoAclFound;
  }

  /**
   * Whether `who` may do `operation` on some resource of `resourceType` (Kafka's
   * `Authorizer.authorizeByResourceType`, used by InitProducerId without a transactional id:
   * WRITE on any topic): a super user or the no-ACL default (tried on a made-up name), a wildcard
   * ALLOW, or an ALLOW of a literal or prefix that no DENY of the same literal or of a shorter
   * prefix overrides. A wildcard DENY denies.
   */
  authorizeByResourceType(who: AuthorizableRequest, operation: number, resourceType: number): boolean {
    if (this.authorize(who, operation, resourceType, 'hardcode')) return true;
    const denyLiteral = new Set<string>();
    const denyPrefixed = new Set<string>();
    const allowLiteral = new Set<string>();
    const allowPrefixed = new Set<string>();
    let wildcardAllow = false;
    for (const b of this.bindings.values()) {
      if (b.resourceType !== resourceType || !appliesTo(b, who)) continue;
      if (b.operation !== operation && b.operation !== AclOperation.ALL) continue;
      const literal = b.patternType === PatternType.LITERAL;
      if (b.permissionType === AclPermissionType.DENY) {
        if (literal && b.resourceName === WILDCARD_RESOURCE) return false;
        (literal ? denyLiteral : denyPrefixed).add(b.resourceName);
      } else if (literal && b.resourceName === WILDCARD_RESOURCE) {
        wildcardAllow = true;
      } else {
        (literal ? allowLiteral : allowPrefixed).add(b.resourceName);
      }
    }
    if (wildcardAllow) return true;
    const dominated = (name: string) => {
      for (let i = 1; i <= name.length; i++) if (denyPrefixed.has(name.slice(0, i))) return true;
      return false;
    };
    for (const name of allowLiteral) if (!denyLiteral.has(name) && !dominated(name)) return true;
    for (const name of allowPrefixed) if (!dominated(name)) return true;
    return false;
  }

  /**
   * The operations `who` may do on the resource, as the 32-bit field of operation codes that
   * Metadata, DescribeCluster and DescribeGroups answer with when asked for authorized operations.
   */
  authorizedOperations(who: AuthorizableRequest, resourceType: number, name: string): number {
    let bits = 0;
    for (const op of supportedOperations(resourceType))
      if (this.authorize(who, op, resourceType, name)) bits |= 1 << op;
    return bits;
  }

  /** Creates ACLs; one result per binding, null where it was created (or already existed). */
  createAcls(bindings: readonly AclBinding[]): (ApiError | null)[] {
    const results = bindings.map((b) => {
      try {
        validateNewAcl(b);
      } catch (e) {
        if (e instanceof ApiError) return e;
        throw e;
      }
      this.bindings.set(bindingKey(b), { ...b });
      return null;
    });
    if (results.some((r) => r === null)) this.save();
    return results;
  }

  /** The ACLs `filter` matches. */
  describeAcls(filter: AclBindingFilter): AclBinding[] {
    validateFilter(filter);
    return this.acls().filter((b) => filterMatches(filter, b));
  }

  /** Deletes the ACLs each filter matches; one result per filter. */
  deleteAcls(filters: readonly AclBindingFilter[]): AclDeleteResult[] {
    let changed = false;
    const results = filters.map((f): AclDeleteResult => {
      try {
        validateFilter(f);
      } catch (e) {
        if (e instanceof ApiError) return { error: e, deleted: [] };
        throw e;
      }
      const deleted: AclBinding[] = [];
      for (const [key, b] of this.bindings) {
        if (!filterMatches(f, b)) continue;
        this.bindings.delete(key);
        deleted.push(b);
      }
      changed ||= deleted.length > 0;
      return { error: null, deleted };
    });
    if (changed) this.save();
    return results;
  }

  private save(): void {
    if (!this.file) return;
    const tmp = `${this.file}.tmp`;
    const content: AclFile = { version: 1, acls: this.acls() };
    writeFileSync(tmp, JSON.stringify(content, null, 1));
    renameSync(tmp, this.file);
  }
}

function appliesTo(b: AclBinding, who: AuthorizableRequest): boolean {
  return (
    (b.principal === who.principal || b.principal === WILDCARD_PRINCIPAL) &&
    (b.host === who.host || b.host === WILDCARD_HOST)
  );
}

/** `Topic:LITERAL:orders`, as Kafka's authorizer log names a resource. */
export function describeResource(resourceType: number, name: string): string {
  const type = aclEnumName(ResourceType, resourceType);
  const pretty = type
    .toLowerCase()
    .split('_')
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join('');
  return `${pretty}:LITERAL:${name}`;
}
