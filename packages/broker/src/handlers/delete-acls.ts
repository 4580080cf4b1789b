/**
 * DeleteAcls: removes the ACLs each filter matches and lists them. Needs ALTER on the cluster;
 * SECURITY_DISABLED without an authorizer, as Kafka answers.
 */
import { AclOperation, ErrorCode } from '@tskafka/protocol';
import { Api } from '@tskafka/protocol/internals';
import { authorizeCluster } from '../auth/request-auth.js';
import { defineHandler } from '../handler.js';

/** DeleteAcls handler. */
export const deleteAclsHandler = defineHandler({
  api: Api.DeleteAcls,
  minVersion: 0,
  maxVersion: 3,
  handle(ctx, req) {
    const authorizer = ctx.node.authorizer;
    const refuse = (errorCode: number, errorMessage: string | null) => ({
      throttleTimeMs: 0,
      filterResults: req.filters.map(() => ({ errorCode, errorMessage, matchingAcls: [] })),
    });
    if (!authorizer) return refuse(ErrorCode.SECURITY_DISABLED, 'No Authorizer is configured on the broker');
    if (!authorizeCluster(ctx, AclOperation.ALTER))
      return refuse(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, null);
    const results = authorizer.deleteAcls(
      req.filters.map((f) => ({
        resourceType: f.resourceTypeFilter,
        resourceName: f.resourceNameFilter,
        patternType: f.patternTypeFilter,
        principal: f.principalFilter,
        host: f.hostFilter,
        operation: f.operation,
        permissionType: f.permissionType,
      })),
    );
    return {
      throttleTimeMs: 0,
      filterResults: results.map((r) => ({
        errorCode: r.error ? r.error.code : 0,
        errorMessage: r.error ? r.error.message : null,
        matchingAcls: r.deleted.map((b) => ({
          errorCode: 0,
          errorMessage: null,
          resourceType: b.resourceType,
          resourceName: b.resourceName,
          patternType: b.patternType,
          principal: b.principal,
          host: b.host,
          operation: b.operation,
          permissionType: b.permissionType,
        })),
      })),
    };
  },
  errorResponse(req, errorCode) {
    return {
      throttleTimeMs: 0,
      filterResults: req.filters.map(() => ({ errorCode, errorMessage: null, matchingAcls: [] })),
    };
  },
});
