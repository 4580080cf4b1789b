/**
 * WriteTxnMarkers: the inter-broker request a transaction coordinator sends to the leaders of the
 * partitions a transaction wrote to, once the transaction is decided. Each partition gets a
 * COMMIT or ABORT marker (see `ReplicaManager.writeTxnMarkers`), which ends the producer's
 * transaction there, moves the last stable offset and, on `__consumer_offsets`, settles the
 * transaction's pending offset commits. Errors are per partition.
 */
import { AclOperation, ErrorCode } from '@tskafka/protocol';
import { Api, type MessageInput } from '@tskafka/protocol/internals';
import { authorizeCluster, withAuthorization } from '../auth/request-auth.js';
import { defineHandler } from '../handler.js';

type Response = MessageInput<typeof Api.WriteTxnMarkers.response>;
type MarkerResult = Response['markers'][number];

/** WriteTxnMarkers handler (v0-1). */
const writeTxnMarkersApi = defineHandler({
  api: Api.WriteTxnMarkers,
  minVersion: 0,
  maxVersion: 1,
  async handle(ctx, req) {
    const markers: MarkerResult[] = [];
    for (const m of req.markers) {
      const results = await ctx.node.replicaManager.writeTxnMarkers({
        producerId: m.producerId,
        producerEpoch: m.producerEpoch,
        coordinatorEpoch: m.coordinatorEpoch,
        committed: m.transactionResult,
        partitions: m.topics.flatMap((t) =>
          t.partitionIndexes.map((partition) => ({ topic: t.name, partition })),
        ),
      });
      let i = 0;
      markers.push({
        producerId: m.producerId,
        topics: m.topics.map((t) => ({
          name: t.name,
          partitions: t.partitionIndexes.map((partitionIndex) => ({
            partitionIndex,
            errorCode: results[i++].errorCode,
          })),
        })),
      });
    }
    return { markers };
  },
  errorResponse(req, errorCode) {
    return {
      markers: req.markers.map((m) => ({
        producerId: m.producerId,
        topics: m.topics.map((t) => ({
          name: t.name,
          partitions: t.partitionIndexes.map((partitionIndex) => ({ partitionIndex, errorCode })),
        })),
      })),
    };
  },
});

/** The WriteTxnMarkers handler, for the brokers only: CLUSTER_ACTION on the cluster, else CLUSTER_AUTHORIZATION_FAILED. */
export const writeTxnMarkersHandler = withAuthorization(writeTxnMarkersApi, (ctx) =>
  authorizeCluster(ctx, AclOperation.CLUSTER_ACTION) ? null : ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
);
