/** CreatePartitions: grows topics, with optional explicit assignments and validate-only. */
import { AclOperation, ResourceType } from '@tskafka/protocol';
import { Api } from '@tskafka/protocol/internals';
import { ApiError, errorCodeOf } from '../api-error.js';
import { authorize, notAuthorized } from '../auth/request-auth.js';
import { defineHandler } from '../handler.js';

/** CreatePartitions handler. */
export const createPartitionsHandler = defineHandler({
  api: Api.CreatePartitions,
  minVersion: 0,
  maxVersion: 3,
  handle(ctx, req) {
    return {
      throttleTimeMs: 0,
      results: req.topics.map((t) => {
        try {
          if (!authorize(ctx, AclOperation.ALTER, ResourceType.TOPIC, t.name)) throw notAuthorized(t.name);
          ctx.node.metadata.createPartitions(
            t.name,
            t.count,
            t.assignments ? t.assignments.map((a) => a.brokerIds) : null,
            req.validateOnly,
          );
          return { name: t.name, errorCode: 0, errorMessage: null };
        } catch (e) {
          if (!(e instanceof ApiError)) throw e;
          return { name: t.name, errorCode: errorCodeOf(e), errorMessage: e.message };
        }
      }),
    };
  },
  errorResponse(req, errorCode) {
    return {
      throttleTimeMs: 0,
      results: req.topics.map((t) => ({ name: t.name, errorCode, errorMessage: null })),
    };
  },
});
