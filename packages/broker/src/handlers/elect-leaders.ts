/**
 * ElectLeaders: preferred (0) or unclean (1) leader elections, as Kafka's controller runs them
 * (`ReplicationControlManager.electLeaders`). Null partitions means every partition, and then the
 * partitions that needed no election are left out of the answer.
 */

import { AclOperation, ErrorCode } from '@tskafka/protocol';
import { Api, type ElectLeadersRequest } from '@tskafka/protocol/internals';
import { ApiError, errorCodeOf } from '../api-error.js';
import { authorizeCluster } from '../auth/request-auth.js';
import { defineHandler } from '../handler.js';
import type { ClusterMetadata } from '../metadata.js';

const PREFERRED = 0;
const UNCLEAN = 1;

interface PartitionResult {
  partitionId: number;
  errorCode: number;
  errorMessage: string | null;
}

function elect(
  metadata: ClusterMetadata,
  unclean: boolean,
  topic: string,
  partition: number,
): PartitionResult {
  try {
    if (unclean) metadata.electUncleanLeader(topic, partition);
    else metadata.electPreferredLeader(topic, partition);
    return { partitionId: partition, errorCode: ErrorCode.NONE, errorMessage: null };
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    return { partitionId: partition, errorCode: errorCodeOf(e), errorMessage: e.message };
  }
}

/** ElectLeaders handler. */
export const electLeadersHandler = defineHandler({
  api: Api.ElectLeaders,
  minVersion: 0,
  maxVersion: 2,
  handle(ctx, req) {
    // v0 has no election type: preferred.
    const type = ctx.apiVersion === 0 ? PREFERRED : req.electionType;
    if (type !== PREFERRED && type !== UNCLEAN) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.INVALID_REQUEST, replicaElectionResults: [] };
    }
    if (!authorizeCluster(ctx, AclOperation.ALTER))
      return errorBody(req, ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
    const metadata = ctx.node.metadata;
    const unclean = type === UNCLEAN;
    if (req.topicPartitions === null) {
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.NONE,
        replicaElectionResults: [...metadata.topics.values()].map((t) => ({
          topic: t.name,
          partitionResult: t.partitions
            .map((p) => elect(metadata, unclean, t.name, p.partition))
            .filter((r) => r.errorCode !== ErrorCode.ELECTION_NOT_NEEDED),
        })),
      };
    }
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      replicaElectionResults: req.topicPartitions.map((t) => ({
        topic: t.topic,
        partitionResult: t.partitions.map((p) => elect(metadata, unclean, t.topic, p)),
      })),
    };
  },
  errorResponse: (req, errorCode) => errorBody(req, errorCode),
});

/** One error for the request and each partition it names. */
function errorBody(req: ElectLeadersRequest, errorCode: number) {
  return {
    throttleTimeMs: 0,
    errorCode,
    replicaElectionResults: (req.topicPartitions ?? []).map((t) => ({
      topic: t.topic,
      partitionResult: t.partitions.map((p) => ({ partitionId: p, errorCode, errorMessage: null })),
    })),
  };
}
