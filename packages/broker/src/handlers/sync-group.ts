/**
 * SyncGroup: after JoinGroup, the leader sends every member's assignment and each member gets
 * its own. Followers' answers wait until the leader's assignment is stored.
 */

import { AclOperation, ErrorCode } from '@tskafka/protocol';
import { Api } from '@tskafka/protocol/internals';
import { checkGroup, withAuthorization } from '../auth/request-auth.js';
import { defineHandler } from '../handler.js';

/** SyncGroup handler (v0-5). */
const syncGroupApi = defineHandler({
  api: Api.SyncGroup,
  minVersion: 0,
  maxVersion: 5,
  async handle(ctx, req) {
    // v5 makes the protocol type and name mandatory, so the coordinator can check them.
    if (ctx.apiVersion >= 5 && (req.protocolType === null || req.protocolName === null)) {
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.INCONSISTENT_GROUP_PROTOCOL,
        assignment: Buffer.alloc(0),
      };
    }
    const r = await ctx.node.groupCoordinator.handleSyncGroup({
      groupId: req.groupId,
      generationId: req.generationId,
      memberId: req.memberId,
      groupInstanceId: req.groupInstanceId,
      protocolType: req.protocolType,
      protocolName: req.protocolName,
      assignments: req.assignments,
    });
    return {
      throttleTimeMs: 0,
      errorCode: r.errorCode,
      protocolType: r.protocolType,
      protocolName: r.protocolName,
      assignment: r.assignment,
    };
  },
  errorResponse(_req, errorCode) {
    return { errorCode, assignment: Buffer.alloc(0) };
  },
});

/** The SyncGroup handler, refusing with GROUP_AUTHORIZATION_FAILED a principal without READ on the group. */
export const syncGroupHandler = withAuthorization(syncGroupApi, (ctx, req) =>
  checkGroup(ctx, AclOperation.READ, req.groupId),
);
