/** CreateTopics: validates names, partitions, replication and configs as Kafka does; optional validate-only. */
import { AclOperation, ErrorCode, ResourceType } from '@tskafka/protocol';
import { Api, type MessageInput } from '@tskafka/protocol/internals';
import { ApiError, errorCodeOf } from '../api-error.js';
import { authorize, authorizeCluster } from '../auth/request-auth.js';
import { defineHandler } from '../handler.js';
import { MAX_PARTITIONS_PER_BATCH, tooManyPartitions } from '../metadata.js';
import { ConfigSource, effectiveTopicConfig, topicConfigDef, topicConfigDefault } from '../topic-config.js';

type TopicResult = MessageInput<typeof Api.CreateTopics.response>['topics'][number];

/** CreateTopics handler. */
export const createTopicsHandler = defineHandler({
  api: Api.CreateTopics,
  minVersion: 0,
  maxVersion: 7,
  handle(ctx, req) {
    const { node } = ctx;
    const seen = new Map<string, number>();
    for (const t of req.topics) seen.set(t.name, (seen.get(t.name) ?? 0) + 1);
    // Kafka's validateTotalNumberOfPartitions: the whole request fails above the cap.
    let total = 0;
    for (const t of req.topics) {
      if (t.assignments.length > 0) total += t.assignments.length;
      else total += t.numPartitions === -1 ? node.config.numPartitions : Math.max(0, t.numPartitions);
    }
    if (total > MAX_PARTITIONS_PER_BATCH) {
      return { throttleTimeMs: 0, topics: req.topics.map((t) => fail(t.name, tooManyPartitions())) };
    }
    const clusterCreate = authorizeCluster(ctx, AclOperation.CREATE);
    const topics: TopicResult[] = req.topics.map((t) => {
      if ((seen.get(t.name) ?? 0) > 1) {
        return fail(
          t.name,
          new ApiError(
            42 /* INVALID_REQUEST */,
            `Create topics request from client contains duplicate topic ${t.name}.`,
          ),
        );
      }
      if (!clusterCreate && !authorize(ctx, AclOperation.CREATE, ResourceType.TOPIC, t.name)) {
        return fail(t.name, new ApiError(ErrorCode.TOPIC_AUTHORIZATION_FAILED, 'Authorization failed.'));
      }
      try {
        const hasAssignments = t.assignments.length > 0;
        if (hasAssignments && (t.numPartitions !== -1 || t.replicationFactor !== -1)) {
          throw new ApiError(
            42,
            'Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time.',
          );
        }
        const configs: Record<string, string | null> = {};
        for (const c of t.configs) configs[c.name] = c.value;
        const topic = node.metadata.createTopic(t.name, {
          numPartitions: t.numPartitions,
          replicationFactor: t.replicationFactor,
          assignments: hasAssignments
            ? [...t.assignments].sort((a, b) => a.partitionIndex - b.partitionIndex).map((a) => a.brokerIds)
            : undefined,
          configs,
          validateOnly: req.validateOnly,
        });
        // The created topic's configs are only shown to whom may describe them.
        if (!authorize(ctx, AclOperation.DESCRIBE_CONFIGS, ResourceType.TOPIC, t.name)) {
          return {
            name: t.name,
            topicId: topic.topicId,
            errorCode: 0,
            errorMessage: null,
            topicConfigErrorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
            numPartitions: topic.partitions.length,
            replicationFactor: topic.partitions[0]?.replicas.length ?? 0,
            configs: [],
          };
        }
        const effective = effectiveTopicConfig(topic.configs, node.config);
        return {
          name: t.name,
          topicId: topic.topicId,
          errorCode: 0,
          errorMessage: null,
          numPartitions: topic.partitions.length,
          replicationFactor: topic.partitions[0]?.replicas.length ?? 0,
          configs: [...effective].map(([name, value]) => {
            const def = topicConfigDef(name);
            const source = topic.configs.has(name)
              ? ConfigSource.DynamicTopic
              : def
                ? topicConfigDefault(def, node.config).source
                : ConfigSource.Default;
            return { name, value, readOnly: false, configSource: source, isSensitive: false };
          }),
        };
      } catch (e) {
        if (!(e instanceof ApiError)) throw e;
        return fail(t.name, e);
      }
    });
    return { throttleTimeMs: 0, topics };
  },
  errorResponse(req, errorCode) {
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        name: t.name,
        errorCode,
        errorMessage: null,
        numPartitions: -1,
        replicationFactor: -1,
      })),
    };
  },
});

function fail(name: string, e: ApiError): TopicResult {
  return {
    name,
    errorCode: errorCodeOf(e),
    errorMessage: e.message,
    numPartitions: -1,
    replicationFactor: -1,
    configs: null,
  };
}
