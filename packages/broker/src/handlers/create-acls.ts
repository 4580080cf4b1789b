/**
 * CreateAcls: adds ACLs to the cluster's authorizer, one result per creation. Needs ALTER on the
 * cluster; SECURITY_DISABLED without an authorizer, as Kafka answers.
 */
import { AclOperation, ErrorCode } from '@tskafka/protocol';
import { Api } from '@tskafka/protocol/internals';
import { authorizeCluster } from '../auth/request-auth.js';
import { defineHandler } from '../handler.js';

/** CreateAcls handler. */
export const createAclsHandler = defineHandler({
  api: Api.CreateAcls,
  minVersion: 0,
  maxVersion: 3,
  handle(ctx, req) {
    const authorizer = ctx.node.authorizer;
    const refuse = (errorCode: number, errorMessage: string | null) => ({
      throttleTimeMs: 0,
      results: req.creations.map(() => ({ errorCode, errorMessage })),
    });
    if (!authorizer) return refuse(ErrorCode.SECURITY_DISABLED, 'No Authorizer is configured on the broker');
    if (!authorizeCluster(ctx, AclOperation.ALTER))
      return refuse(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, null);
    const results = authorizer.createAcls(
      req.creations.map((c) => ({
        resourceType: c.resourceType,
        resourceName: c.resourceName,
        patternType: c.resourcePatternType,
        principal: c.principal,
        host: c.host,
        operation: c.operation,
        permissionType: c.permissionType,
      })),
    );
    return {
      throttleTimeMs: 0,
      results: results.map((e) => ({ errorCode: e ? e.code : 0, errorMessage: e ? e.message : null })),
    };
  },
  errorResponse(req, errorCode) {
    return { throttleTimeMs: 0, results: req.creations.map(() => ({ errorCode, errorMessage: null })) };
  },
});
