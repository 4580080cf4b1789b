/** Heartbeat: keeps a member's session alive; REBALANCE_IN_PROGRESS tells it to rejoin. */
import { Api } from '@tskafka/protocol/internals';
import { defineHandler } from '../handler.js';

/** Heartbeat handler (v0-4). */
export const heartbeatHandler = defineHandler({
  api: Api.Heartbeat,
  minVersion: 0,
  maxVersion: 4,
  handle(ctx, req) {
    const errorCode = ctx.node.groupCoordinator.handleHeartbeat({
      groupId: req.groupId,
      memberId: req.memberId,
      groupInstanceId: req.groupInstanceId,
      generationId: req.generationId,
    });
    return { throttleTimeMs: 0, errorCode };
  },
  errorResponse(_req, errorCode) {
    return { errorCode };
  },
});
