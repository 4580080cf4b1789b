/**
 * DescribeCluster (API key 60).
 */
import { type MessageValue, message, struct, t } from '../schema/dsl.js';

/** The DescribeCluster request schema, every version. */
export const DescribeClusterRequest = message(
  {
    name: 'DescribeClusterRequest',
    type: 'request',
    apiKey: 60,
    validVersions: '0-1',
    flexibleVersions: '0+',
  },
  {
    /** Whether to include cluster authorized operations. */
    includeClusterAuthorizedOperations: t.bool(),
    /** The endpoint type to describe. 1=brokers, 2=controllers. */
    endpointType: t.int8({ versions: '1+', default: 1 }),
  },
);
/** A decoded DescribeClusterRequest. */
export type DescribeClusterRequest = MessageValue<typeof DescribeClusterRequest>;

/** The DescribeCluster response schema, every version. */
export const DescribeClusterResponse = message(
  {
    name: 'DescribeClusterResponse',
    type: 'response',
    apiKey: 60,
    validVersions: '0-1',
    flexibleVersions: '0+',
  },
  {
    /**
     * The duration in milliseconds for which the request was throttled due to a quota violation, or
     * zero if the request did not violate any quota.
     */
    throttleTimeMs: t.int32(),
    /** The top-level error code, or 0 if there was no error */
    errorCode: t.int16(),
    /** The top-level error message, or null if there was no error. */
    errorMessage: t.string({ nullableVersions: '0+', default: null }),
    /** The endpoint type that was described. 1=brokers, 2=controllers. */
    endpointType: t.int8({ versions: '1+', default: 1 }),
    /** The cluster ID that responding broker belongs to. */
    clusterId: t.string(),
    /** The ID of the controller broker. */
    controllerId: t.int32({ default: -1 }),
    /** Each broker in the response. */
    brokers: t.array(
      struct('DescribeClusterBroker', {
        /** The broker ID. */
        brokerId: t.int32(),
        /** The broker hostname. */
        host: t.string(),
        /** The broker port. */
        port: t.int32(),
        /** The rack of the broker, or null if it has not been assigned to a rack. */
        rack: t.string({ nullableVersions: '0+', default: null }),
      }),
    ),
    /** 32-bit bitfield to represent authorized operations for this cluster. */
    clusterAuthorizedOperations: t.int32({ default: -2147483648 }),
  },
);
/** A decoded DescribeClusterResponse. */
export type DescribeClusterResponse = MessageValue<typeof DescribeClusterResponse>;
