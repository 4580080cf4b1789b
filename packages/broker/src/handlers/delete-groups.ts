/** DeleteGroups: deletes empty groups and their offsets (NON_EMPTY_GROUP while members remain). */
import { AclOperation } from '@tskafka/protocol';
import { Api } from '@tskafka/protocol/internals';
import { checkGroup } from '../auth/request-auth.js';
import { defineHandler } from '../handler.js';

/** DeleteGroups handler (v0-2). */
export const deleteGroupsHandler = defineHandler({
  api: Api.DeleteGroups,
  minVersion: 0,
  maxVersion: 2,
  handle(ctx, req) {
    const ids = [...new Set(req.groupsNames)];
    const denied = new Map<string, number>();
    for (const id of ids) {
      const code = checkGroup(ctx, AclOperation.DELETE, id);
      if (code !== null) denied.set(id, code);
    }
    const errors = ctx.node.groupCoordinator.offsets.deleteGroups(ids.filter((id) => !denied.has(id)));
    return {
      throttleTimeMs: 0,
      results: ids.map((groupId) => ({
        groupId,
        errorCode: denied.get(groupId) ?? errors.get(groupId) ?? 0,
      })),
    };
  },
  errorResponse(req, errorCode) {
    return {
      throttleTimeMs: 0,
      results: [...new Set(req.groupsNames)].map((groupId) => ({ groupId, errorCode })),
    };
  },
});
