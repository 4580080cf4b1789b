/**
 * ACL bindings and filters as Kafka's `AclBinding` / `AclBindingFilter`: a resource pattern plus
 * an access control entry, the rules a filter matches them by, and the checks Kafka makes on a new
 * binding (`AclControlManager.validateNewAcl`) and on a filter before it describes or deletes.
 */
import { AclOperation, AclPermissionType, ErrorCode, PatternType, ResourceType } from '@tskafka/protocol';
import { ApiError } from '../api-error.js';

/** The name of the one CLUSTER resource. */
export const CLUSTER_NAME = 'kafka-cluster';
/** A literal resource name matching every resource of its type. */
export const WILDCARD_RESOURCE = '*';
/** The principal matching every user. */
export const WILDCARD_PRINCIPAL = 'User:*';
/** The host matching every host. */
export const WILDCARD_HOST = '*';

/** One ACL: who (principal, host) may or may not do what (operation) to which resources. */
export interface AclBinding {
  readonly resourceType: number;
  readonly resourceName: string;
  readonly patternType: number;
  readonly principal: string;
  readonly host: string;
  readonly operation: number;
  readonly permissionType: number;
}

/** A filter over ACLs: null names, principals and hosts match any; ANY codes match any. */
export interface AclBindingFilter {
  readonly resourceType: number;
  readonly resourceName: string | null;
  readonly patternType: number;
  readonly principal: string | null;
  readonly host: string | null;
  readonly operation: number;
  readonly permissionType: number;
}

/** A stable key of a binding, for sets and de-duplication. */
export function bindingKey(b: AclBinding): string {
  return JSON.stringify([
    b.resourceType,
    b.resourceName,
    b.patternType,
    b.principal,
    b.host,
    b.operation,
    b.permissionType,
  ]);
}

function invalid(message: string): ApiError {
  return new ApiError(ErrorCode.INVALID_REQUEST, message);
}

/**
 * Kafka's checks of a binding to create (`AclApis` and `AclControlManager.validateNewAcl`): a
 * concrete resource type, pattern type, operation and permission, a name, `kafka-cluster` as the
 * CLUSTER resource's only name, and a principal of the form `Type:name`.
 */
export function validateNewAcl(b: AclBinding): void {
  if (b.resourceType === ResourceType.ANY || !knownCode(ResourceType, b.resourceType))
    throw invalid(`Invalid resourceType ${b.resourceType}`);
  if (b.patternType !== PatternType.LITERAL && b.patternType !== PatternType.PREFIXED)
    throw invalid(`Invalid patternType ${b.patternType}`);
  if (b.operation === AclOperation.ANY || !knownCode(AclOperation, b.operation))
    throw invalid(`Invalid operation ${b.operation}`);
  if (b.permissionType !== AclPermissionType.ALLOW && b.permissionType !== AclPermissionType.DENY)
    throw invalid(`Invalid permissionType ${b.permissionType}`);
  if (b.resourceName.length === 0) throw invalid('Invalid empty resource name');
  if (b.resourceType === ResourceType.CLUSTER && b.resourceName !== CLUSTER_NAME)
    throw invalid(`The only valid name for the CLUSTER resource is ${CLUSTER_NAME}`);
  if (!b.principal.includes(':'))
    throw invalid(
      `Could not parse principal from \`${b.principal}\` (no colon is present separating the principal type from the principal name)`,
    );
}

/** Kafka's check of a filter to describe or delete by: no UNKNOWN element. */
export function validateFilter(f: AclBindingFilter): void {
  if (!knownCode(ResourceType, f.resourceType) || !knownCode(PatternType, f.patternType))
    throw invalid('Unknown patternFilter.');
  if (!knownCode(AclOperation, f.operation) || !knownCode(AclPermissionType, f.permissionType))
    throw invalid('Unknown entryFilter.');
}

function knownCode(table: Readonly<Record<string, number>>, code: number): boolean {
  return code !== 0 && Object.values(table).includes(code);
}

/** Whether `f` matches `b`, as `AclBindingFilter.matches` (pattern and entry both). */
export function filterMatches(f: AclBindingFilter, b: AclBinding): boolean {
  return patternMatches(f, b) && entryMatches(f, b);
}

function patternMatches(f: AclBindingFilter, b: AclBinding): boolean {
  if (f.resourceType !== ResourceType.ANY && f.resourceType !== b.resourceType) return false;
  switch (f.patternType) {
    case PatternType.ANY:
      return f.resourceName === null || f.resourceName === b.resourceName;
    case PatternType.MATCH:
      // Every ACL that applies to a resource of the filter's name.
      if (f.resourceName === null) return true;
      if (b.patternType === PatternType.LITERAL)
        return b.resourceName === f.resourceName || b.resourceName === WILDCARD_RESOURCE;
      return b.patternType === PatternType.PREFIXED && f.resourceName.startsWith(b.resourceName);
    default:
      return (
        f.patternType === b.patternType && (f.resourceName === null || f.resourceName === b.resourceName)
      );
  }
}

function entryMatches(f: AclBindingFilter, b: AclBinding): boolean {
  return (
    (f.principal === null || f.principal === b.principal) &&
    (f.host === null || f.host === b.host) &&
    (f.operation === AclOperation.ANY || f.operation === b.operation) &&
    (f.permissionType === AclPermissionType.ANY || f.permissionType === b.permissionType)
  );
}

/** Whether a binding's resource pattern covers the resource `type`/`name`. */
export function resourceMatches(b: AclBinding, type: number, name: string): boolean {
  if (b.resourceType !== type) return false;
  if (b.patternType === PatternType.LITERAL)
    return b.resourceName === name || b.resourceName === WILDCARD_RESOURCE;
  return b.patternType === PatternType.PREFIXED && name.startsWith(b.resourceName);
}

/** The operations Kafka defines per resource type (`AclEntry.supportedOperations`). */
export function supportedOperations(type: number): number[] {
  const O = AclOperation;
  switch (type) {
    case ResourceType.TOPIC:
      return [O.READ, O.WRITE, O.CREATE, O.DESCRIBE, O.DELETE, O.ALTER, O.DESCRIBE_CONFIGS, O.ALTER_CONFIGS];
    case ResourceType.GROUP:
      return [O.READ, O.DESCRIBE, O.DELETE];
    case ResourceType.CLUSTER:
      return [
        O.CREATE,
        O.CLUSTER_ACTION,
        O.DESCRIBE_CONFIGS,
        O.ALTER_CONFIGS,
        O.IDEMPOTENT_WRITE,
        O.ALTER,
        O.DESCRIBE,
      ];
    case ResourceType.TRANSACTIONAL_ID:
      return [O.DESCRIBE, O.WRITE, O.TWO_PHASE_COMMIT];
    case ResourceType.DELEGATION_TOKEN:
      return [O.DESCRIBE];
    case ResourceType.USER:
      return [O.CREATE_TOKENS, O.DESCRIBE_TOKENS];
    default:
      return [];
  }
}
