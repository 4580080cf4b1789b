/**
 * The cluster as a whole: its description (DescribeCluster, or Metadata from brokers before Kafka
 * 2.8) and the Metadata request the admin client's topic calls share.
 *
 * @module
 */

import { createKafkaError } from '@tskafka/protocol';
import { Api, ZERO_UUID } from '@tskafka/protocol/internals';
import { UnsupportedApiVersionError } from '@tskafka/transport';
import type { Cluster } from '@tskafka/transport/internals';
import { type AdminContext, retryCall } from './requests.js';
import type { ClusterDescription } from './types.js';

/** A Metadata request for `topics` (null: all) to any broker, never creating topics. */
export function metadataRequest(cluster: Cluster, topics: readonly string[] | null) {
  const list = topics === null ? null : topics.map((name) => ({ name, topicId: ZERO_UUID }));
  // allowAutoTopicCreation exists from v4 on; before, the broker's own setting decides.
  return cluster.requestAny(Api.Metadata, (conn) =>
    conn.versionFor(Api.Metadata) >= 4
      ? { topics: list, allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false }
      : { topics: list, includeTopicAuthorizedOperations: false },
  );
}

/**
 * The cluster id, controller and brokers: DescribeCluster where the broker has it, else Metadata,
 * as Java's admin client does; `controller` is -1 when the broker names none among its brokers.
 */
export function describeCluster(ctx: AdminContext): Promise<ClusterDescription> {
  return retryCall(ctx, async () => {
    try {
      const res = await ctx.cluster.requestAny(Api.DescribeCluster, {
        includeClusterAuthorizedOperations: false,
      });
      if (res.errorCode !== 0) {
        throw createKafkaError(res.errorCode, { apiName: 'DescribeCluster', message: res.errorMessage });
      }
      return {
        clusterId: res.clusterId,
        controller: res.controllerId,
        brokers: res.brokers.map((b) => ({ nodeId: b.brokerId, host: b.host, port: b.port, rack: b.rack })),
      };
    } catch (e) {
      if (!(e instanceof UnsupportedApiVersionError)) throw e;
    }
    const md = await metadataRequest(ctx.cluster, []);
    const brokers = md.brokers.map((b) => ({ nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack }));
    // Some brokers (librdkafka's mock) name a controller that is not among the brokers.
    const controller = brokers.some((b) => b.nodeId === md.controllerId) ? md.controllerId : -1;
    return { clusterId: md.clusterId, controller, brokers };
  });
}
