/**
 * DeleteGroups (API key 42).
 */
import { type MessageValue, message, struct, t } from '../schema/dsl.js';

/** The DeleteGroups request schema, every version. */
export const DeleteGroupsRequest = message(
  { name: 'DeleteGroupsRequest', type: 'request', apiKey: 42, validVersions: '0-2', flexibleVersions: '2+' },
  {
    /** The group names to delete. */
    groupsNames: t.array('string'),
  },
);
/** A decoded DeleteGroupsRequest. */
export type DeleteGroupsRequest = MessageValue<typeof DeleteGroupsRequest>;

/** The DeleteGroups response schema, every version. */
export const DeleteGroupsResponse = message(
  {
    name: 'DeleteGroupsResponse',
    type: 'response',
    apiKey: 42,
    validVersions: '0-2',
    flexibleVersions: '2+',
  },
  {
    /**
     * The duration in milliseconds for which the request was throttled due to a quota violation, or
     * zero if the request did not violate any quota.
     */
    throttleTimeMs: t.int32(),
    /** The deletion results */
    results: t.array(
      struct('DeletableGroupResult', {
        /** The group id */
        groupId: t.string(),
        /** The deletion error, or 0 if the deletion succeeded. */
        errorCode: t.int16(),
      }),
    ),
  },
);
/** A decoded DeleteGroupsResponse. */
export type DeleteGroupsResponse = MessageValue<typeof DeleteGroupsResponse>;
