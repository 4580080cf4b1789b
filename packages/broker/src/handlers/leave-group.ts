/**
 * LeaveGroup: members leave and the rest rebalance. v0-2 name one member and answer with one
 * error; v3+ name several (by member id, or by group.instance.id alone to remove a static member).
 */
import { AclOperation } from '@tskafka/protocol';
import { Api } from '@tskafka/protocol/internals';
import { checkGroup, withAuthorization } from '../auth/request-auth.js';
import { defineHandler } from '../handler.js';

/** LeaveGroup handler (v0-5). */
const leaveGroupApi = defineHandler({
  api: Api.LeaveGroup,
  minVersion: 0,
  maxVersion: 5,
  handle(ctx, req) {
    const v = ctx.apiVersion;
    const members =
      v >= 3
        ? req.members.map((m) => ({
            memberId: m.memberId,
            groupInstanceId: m.groupInstanceId,
            reason: m.reason,
          }))
        : [{ memberId: req.memberId, groupInstanceId: null, reason: null }];
    const r = ctx.node.groupCoordinator.handleLeaveGroup(req.groupId, members);
    if (v >= 3) return { throttleTimeMs: 0, errorCode: r.errorCode, members: r.members };
    // v0-2 have one error: the group's, else the member's.
    const errorCode = r.errorCode || (r.members.find((m) => m.errorCode !== 0)?.errorCode ?? 0);
    return { throttleTimeMs: 0, errorCode };
  },
  errorResponse(_req, errorCode) {
    return { errorCode, members: [] };
  },
});

/** The LeaveGroup handler, refusing with GROUP_AUTHORIZATION_FAILED a principal without READ on the group. */
export const leaveGroupHandler = withAuthorization(leaveGroupApi, (ctx, req) =>
  checkGroup(ctx, AclOperation.READ, req.groupId),
);
