/** DescribeCluster: cluster id, controller and live brokers. */
import { AclOperation, ErrorCode, ResourceType } from '@tskafka/protocol';
import { Api } from '@tskafka/protocol/internals';
import { CLUSTER_NAME } from '../auth/acl-binding.js';
import { authorizeCluster, authorizedOperations } from '../auth/request-auth.js';
import { defineHandler } from '../handler.js';
import { endpointFor } from '../metadata.js';

/** DescribeCluster handler. */
export const describeClusterHandler = defineHandler({
  api: Api.DescribeCluster,
  minVersion: 0,
  maxVersion: 1,
  handle(ctx, req) {
    const md = ctx.node.metadata;
    if (!authorizeCluster(ctx, AclOperation.DESCRIBE)) {
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
        errorMessage: null,
        clusterId: '',
        controllerId: -1,
        brokers: [],
      };
    }
    return {
      throttleTimeMs: 0,
      errorCode: 0,
      errorMessage: null,
      endpointType: req.endpointType,
      clusterId: md.clusterId,
      controllerId: md.controllerId,
      brokers: md.aliveBrokers().flatMap((b) => {
        const at = endpointFor(b, ctx.connection.listenerName);
        return at ? [{ brokerId: b.nodeId, host: at.host, port: at.port, rack: b.rack }] : [];
      }),
      clusterAuthorizedOperations: req.includeClusterAuthorizedOperations
        ? authorizedOperations(ctx, ResourceType.CLUSTER, CLUSTER_NAME)
        : -2147483648,
    };
  },
  errorResponse(_req, errorCode) {
    return {
      throttleTimeMs: 0,
      errorCode,
      errorMessage: null,
      clusterId: '',
      controllerId: -1,
      brokers: [],
    };
  },
});
