/** DeleteGroups: deletes empty groups and their offsets (NON_EMPTY_GROUP while members remain). */
import { Api } from '@tskafka/protocol/internals';
import { defineHandler } from '../handler.js';

/** DeleteGroups handler (v0-2). */
export const deleteGroupsHandler = defineHandler({
  api: Api.DeleteGroups,
  minVersion: 0,
  maxVersion: 2,
  handle(ctx, req) {
    const ids = [...new Set(req.groupsNames)];
    const errors = ctx.node.groupCoordinator.offsets.deleteGroups(ids);
    return {
      throttleTimeMs: 0,
      results: ids.map((groupId) => ({ groupId, errorCode: errors.get(groupId) ?? 0 })),
    };
  },
  errorResponse(req, errorCode) {
    return {
      throttleTimeMs: 0,
      results: [...new Set(req.groupsNames)].map((groupId) => ({ groupId, errorCode })),
    };
  },
});
