/** Heartbeat: keeps a member's session alive; REBALANCE_IN_PROGRESS tells it to rejoin. */
import { AclOperation } from '@tskafka/protocol';
import { Api } from '@tskafka/protocol/internals';
import { checkGroup, withAuthorization } from '../auth/request-auth.js';
import { defineHandler } from '../handler.js';

/** Heartbeat handler (v0-4). */
const heartbeatApi = defineHandler({
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

/** The Heartbeat handler, refusing with GROUP_AUTHORIZATION_FAILED a principal without READ on the group. */
export const heartbeatHandler = withAuthorization(heartbeatApi, (ctx, req) =>
  checkGroup(ctx, AclOperation.READ, req.groupId),
);
