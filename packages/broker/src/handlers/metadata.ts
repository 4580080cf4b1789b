/**
 * Metadata: brokers, controller, and topics with their partitions' leader, epoch, replicas and
 * ISR. Unknown topics are created when both the request and `auto.create.topics.enable` allow it.
 */

import { AclOperation, ErrorCode, ResourceType } from '@tskafka/protocol';
import { Api, type MessageInput, ZERO_UUID } from '@tskafka/protocol/internals';
import { ApiError, errorCodeOf } from '../api-error.js';
import { CLUSTER_NAME } from '../auth/acl-binding.js';
import { authorize, authorizeCluster, authorizedOperations } from '../auth/request-auth.js';
import { defineHandler } from '../handler.js';
import { endpointFor, type TopicState, validateTopicName } from '../metadata.js';

type Response = MessageInput<typeof Api.Metadata.response>;
type TopicResponse = Response['topics'][number];
/** Kafka's "authorized operations not requested" value. */
const OPS_NOT_REQUESTED = -2147483648;

function describeTopic(t: TopicState, aliveBrokers: Set<number>): TopicResponse {
  return {
    errorCode: 0,
    name: t.name,
    topicId: t.topicId,
    isInternal: t.internal,
    partitions: t.partitions.map((p) => ({
      errorCode: p.leader === -1 ? ErrorCode.LEADER_NOT_AVAILABLE : 0,
      partitionIndex: p.partition,
      leaderId: p.leader,
      leaderEpoch: p.leaderEpoch,
      replicaNodes: p.replicas,
      isrNodes: p.isr,
      offlineReplicas: p.replicas.filter((r) => !aliveBrokers.has(r)),
    })),
    topicAuthorizedOperations: OPS_NOT_REQUESTED,
  };
}

/** Metadata handler. */
export const metadataHandler = defineHandler({
  api: Api.Metadata,
  minVersion: 0,
  maxVersion: 12,
  handle(ctx, req) {
    const { node, apiVersion } = ctx;
    // Topic ids (and so null names) in requests came with v12; below it, Kafka refuses the request
    // as invalid (KafkaApis' "Topic name can not be null for version ...").
    if (apiVersion < 12 && req.topics?.some((t) => t.name === null || t.topicId !== ZERO_UUID)) {
      return {
        throttleTimeMs: 0,
        brokers: [],
        clusterId: null,
        controllerId: -1,
        topics: req.topics.map((t) => errorTopic(t.name ?? '', t.topicId, ErrorCode.INVALID_REQUEST)),
        clusterAuthorizedOperations: OPS_NOT_REQUESTED,
      };
    }
    const md = node.metadata;
    const alive = md.aliveBrokers();
    const aliveIds = new Set(alive.map((b) => b.nodeId));
    // v0: an empty list means all topics; v1+: null means all, empty means none.
    const all = req.topics === null || (apiVersion === 0 && req.topics.length === 0);
    const topics: TopicResponse[] = [];
    if (all) {
      // Topics the principal may not describe are left out, as if they did not exist.
      for (const t of md.topics.values())
        if (authorize(ctx, AclOperation.DESCRIBE, ResourceType.TOPIC, t.name))
          topics.push(describeTopic(t, aliveIds));
    } else {
      const autoCreate = (apiVersion < 4 || req.allowAutoTopicCreation) && node.config.autoCreateTopicsEnable;
      for (const rt of req.topics ?? []) {
        const byId = rt.name === null && rt.topicId !== ZERO_UUID;
        const existing = byId ? md.topicsById.get(rt.topicId) : md.topics.get(rt.name ?? '');
        // Checked before existence, so that a topic one may not describe is not disclosed; by id,
        // the id is answered back without the name.
        const name = existing?.name ?? rt.name;
        if (name !== null && !authorize(ctx, AclOperation.DESCRIBE, ResourceType.TOPIC, name)) {
          topics.push(
            errorTopic(
              byId ? null : name,
              byId ? rt.topicId : ZERO_UUID,
              ErrorCode.TOPIC_AUTHORIZATION_FAILED,
            ),
          );
          continue;
        }
        if (existing) {
          topics.push(describeTopic(existing, aliveIds));
          continue;
        }
        if (byId || rt.name === null) {
          topics.push(errorTopic(rt.name, rt.topicId, ErrorCode.UNKNOWN_TOPIC_ID));
          continue;
        }
        if (!autoCreate) {
          // Kafka checks the name first: an illegal one will never exist, so clients stop at once.
          const code = validTopicName(rt.name)
            ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
            : ErrorCode.INVALID_TOPIC_EXCEPTION;
          topics.push(errorTopic(rt.name, ZERO_UUID, code));
          continue;
        }
        // Auto-creation needs CREATE on the cluster or on the topic.
        if (
          !authorizeCluster(ctx, AclOperation.CREATE) &&
          !authorize(ctx, AclOperation.CREATE, ResourceType.TOPIC, rt.name)
        ) {
          topics.push(errorTopic(rt.name, ZERO_UUID, ErrorCode.TOPIC_AUTHORIZATION_FAILED));
          continue;
        }
        try {
          const created = md.createTopic(rt.name, {
            numPartitions: -1,
            replicationFactor: Math.min(node.config.defaultReplicationFactor, alive.length),
          });
          topics.push(describeTopic(created, aliveIds));
        } catch (e) {
          if (!(e instanceof ApiError)) throw e;
          topics.push(errorTopic(rt.name, ZERO_UUID, errorCodeOf(e)));
        }
      }
    }
    if (apiVersion >= 8 && req.includeTopicAuthorizedOperations) {
      for (const t of topics)
        if (t.errorCode === 0 && t.name)
          t.topicAuthorizedOperations = authorizedOperations(ctx, ResourceType.TOPIC, t.name);
    }
    return {
      throttleTimeMs: 0,
      // The addresses of the listener this request came in on; brokers without it are left out.
      brokers: alive.flatMap((b) => {
        const at = endpointFor(b, ctx.connection.listenerName);
        return at ? [{ nodeId: b.nodeId, host: at.host, port: at.port, rack: b.rack }] : [];
      }),
      clusterId: md.clusterId,
      controllerId: md.controllerId,
      topics,
      clusterAuthorizedOperations:
        apiVersion >= 8 && apiVersion <= 10 && req.includeClusterAuthorizedOperations
          ? authorizedOperations(ctx, ResourceType.CLUSTER, CLUSTER_NAME)
          : OPS_NOT_REQUESTED,
    };
  },
  errorResponse(req, errorCode) {
    return {
      throttleTimeMs: 0,
      brokers: [],
      controllerId: -1,
      topics: (req.topics ?? []).map((t) => errorTopic(t.name, t.topicId, errorCode)),
    };
  },
});

function validTopicName(name: string): boolean {
  try {
    validateTopicName(name);
    return true;
  } catch (e) {
    if (e instanceof ApiError) return false;
    throw e;
  }
}

function errorTopic(name: string | null, topicId: string, errorCode: number): TopicResponse {
  return {
    errorCode,
    name,
    topicId,
    isInternal: false,
    partitions: [],
    topicAuthorizedOperations: OPS_NOT_REQUESTED,
  };
}
