/** DeleteTopics: by name (all versions) or by topic id (v6+). */

import { AclOperation, ErrorCode, ResourceType } from '@tskafka/protocol';
import { Api, type MessageInput, ZERO_UUID } from '@tskafka/protocol/internals';
import { ApiError, errorCodeOf } from '../api-error.js';
import { authorize, notAuthorized } from '../auth/request-auth.js';
import { defineHandler } from '../handler.js';

type Result = MessageInput<typeof Api.DeleteTopics.response>['responses'][number];

/** DeleteTopics handler. */
export const deleteTopicsHandler = defineHandler({
  api: Api.DeleteTopics,
  minVersion: 0,
  maxVersion: 6,
  handle(ctx, req) {
    const md = ctx.node.metadata;
    const wanted: { name: string | null; topicId: string }[] =
      ctx.apiVersion >= 6 ? req.topics : req.topicNames.map((name) => ({ name, topicId: ZERO_UUID }));
    const responses: Result[] = wanted.map(({ name, topicId }) => {
      const topic = name !== null ? md.topics.get(name) : md.topicsById.get(topicId);
      try {
        // Kafka checks DELETE before existence, so an unauthorized caller learns nothing.
        const known = topic?.name ?? name;
        if (known !== null && !authorize(ctx, AclOperation.DELETE, ResourceType.TOPIC, known)) {
          throw notAuthorized(known);
        }
        if (!topic) {
          throw name !== null
            ? new ApiError(
                ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
                'This server does not host this topic-partition.',
              )
            : new ApiError(ErrorCode.UNKNOWN_TOPIC_ID, 'This server does not host this topic ID.');
        }
        if (topic.internal)
          throw new ApiError(ErrorCode.TOPIC_DELETION_DISABLED, `Cannot delete internal topic ${topic.name}`);
        md.deleteTopic(topic.name);
        return { name: topic.name, topicId: topic.topicId, errorCode: 0, errorMessage: null };
      } catch (e) {
        if (!(e instanceof ApiError)) throw e;
        return { name, topicId, errorCode: errorCodeOf(e), errorMessage: e.message };
      }
    });
    return { throttleTimeMs: 0, responses };
  },
  errorResponse(req, errorCode, ctx) {
    const names = ctx.apiVersion >= 6 ? req.topics.map((t) => t.name) : req.topicNames;
    return { responses: names.map((name) => ({ name, errorCode })) };
  },
});
