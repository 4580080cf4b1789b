/**
 * ListGroups: the groups this broker coordinates (clients ask every broker), filtered by state
 * (v4) and type (v5; every group here is `classic`).
 */
import { AclOperation, ResourceType } from '@tskafka/protocol';
import { Api } from '@tskafka/protocol/internals';
import { authorize, authorizeCluster } from '../auth/request-auth.js';
import { defineHandler } from '../handler.js';

/** ListGroups handler (v0-5). */
export const listGroupsHandler = defineHandler({
  api: Api.ListGroups,
  minVersion: 0,
  maxVersion: 5,
  handle(ctx, req) {
    const r = ctx.node.groupCoordinator.offsets.listGroups(req.statesFilter, req.typesFilter);
    return {
      throttleTimeMs: 0,
      errorCode: r.errorCode,
      // Without DESCRIBE on the cluster, only the groups one may describe are listed.
      groups: (authorizeCluster(ctx, AclOperation.DESCRIBE)
        ? r.groups
        : r.groups.filter((g) => authorize(ctx, AclOperation.DESCRIBE, ResourceType.GROUP, g.groupId))
      ).map((g) => ({
        groupId: g.groupId,
        protocolType: g.protocolType,
        groupState: g.state,
        groupType: g.groupType,
      })),
    };
  },
  errorResponse(_req, errorCode) {
    return { errorCode, groups: [] };
  },
});
