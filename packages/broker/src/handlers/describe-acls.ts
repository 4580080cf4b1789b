/**
 * DescribeAcls: the ACLs a filter matches, grouped by resource pattern. Needs DESCRIBE on the
 * cluster; SECURITY_DISABLED without an authorizer, as Kafka answers.
 */
import { AclOperation, ErrorCode } from '@tskafka/protocol';
import { Api, type MessageInput } from '@tskafka/protocol/internals';
import { ApiError } from '../api-error.js';
import type { AclBinding } from '../auth/acl-binding.js';
import { authorizeCluster } from '../auth/request-auth.js';
import { defineHandler } from '../handler.js';

type Response = MessageInput<typeof Api.DescribeAcls.response>;
type Entry = Response['resources'][number]['acls'][number];

/** DescribeAcls handler. */
export const describeAclsHandler = defineHandler({
  api: Api.DescribeAcls,
  minVersion: 0,
  maxVersion: 3,
  handle(ctx, req) {
    const authorizer = ctx.node.authorizer;
    if (!authorizer) return failure(ErrorCode.SECURITY_DISABLED, 'No Authorizer is configured on the broker');
    if (!authorizeCluster(ctx, AclOperation.DESCRIBE))
      return failure(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, null);
    let acls: AclBinding[];
    try {
      acls = authorizer.describeAcls({
        resourceType: req.resourceTypeFilter,
        resourceName: req.resourceNameFilter,
        patternType: req.patternTypeFilter,
        principal: req.principalFilter,
        host: req.hostFilter,
        operation: req.operation,
        permissionType: req.permissionType,
      });
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      return failure(e.code, e.message);
    }
    const resources = new Map<string, { resource: AclBinding; acls: Entry[] }>();
    for (const b of acls) {
      const key = JSON.stringify([b.resourceType, b.resourceName, b.patternType]);
      let r = resources.get(key);
      if (!r) {
        r = { resource: b, acls: [] };
        resources.set(key, r);
      }
      r.acls.push({
        principal: b.principal,
        host: b.host,
        operation: b.operation,
        permissionType: b.permissionType,
      });
    }
    return {
      throttleTimeMs: 0,
      errorCode: 0,
      errorMessage: null,
      resources: [...resources.values()].map(({ resource: r, acls }) => ({
        resourceType: r.resourceType,
        resourceName: r.resourceName,
        patternType: r.patternType,
        acls,
      })),
    };
  },
  errorResponse(_req, errorCode) {
    return failure(errorCode, null);
  },
});

function failure(errorCode: number, errorMessage: string | null): Response {
  return { throttleTimeMs: 0, errorCode, errorMessage, resources: [] };
}
