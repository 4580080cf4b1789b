/** DescribeCluster: cluster id, controller and live brokers. */
import { Api } from '@tskafka/protocol/internals';
import { defineHandler } from '../handler.js';
import { endpointFor } from '../metadata.js';

/** DescribeCluster handler. */
export const describeClusterHandler = defineHandler({
  api: Api.DescribeCluster,
  minVersion: 0,
  maxVersion: 1,
  handle(ctx, req) {
    const md = ctx.node.metadata;
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
      clusterAuthorizedOperations: -2147483648,
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
