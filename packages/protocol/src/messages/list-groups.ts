/**
 * ListGroups (API key 16).
 */
import { type MessageValue, message, struct, t } from '../schema/dsl.js';

/** The ListGroups request schema, every version. */
export const ListGroupsRequest = message(
  { name: 'ListGroupsRequest', type: 'request', apiKey: 16, validVersions: '0-5', flexibleVersions: '3+' },
  {
    /** The states of the groups we want to list. If empty, all groups are returned with their state. */
    statesFilter: t.array('string', { versions: '4+' }),
    /** The types of the groups we want to list. If empty, all groups are returned with their type. */
    typesFilter: t.array('string', { versions: '5+' }),
  },
);
/** A decoded ListGroupsRequest. */
export type ListGroupsRequest = MessageValue<typeof ListGroupsRequest>;

/** The ListGroups response schema, every version. */
export const ListGroupsResponse = message(
  { name: 'ListGroupsResponse', type: 'response', apiKey: 16, validVersions: '0-5', flexibleVersions: '3+' },
  {
    /**
     * The duration in milliseconds for which the request was throttled due to a quota violation, or
     * zero if the request did not violate any quota.
     */
    throttleTimeMs: t.int32({ versions: '1+', ignorable: true }),
    /** The error code, or 0 if there was no error. */
    errorCode: t.int16(),
    /** Each group in the response. */
    groups: t.array(
      struct('ListedGroup', {
        /** The group ID. */
        groupId: t.string(),
        /** The group protocol type. */
        protocolType: t.string(),
        /** The group state name. */
        groupState: t.string({ versions: '4+', ignorable: true }),
        /** The group type name. */
        groupType: t.string({ versions: '5+', ignorable: true }),
      }),
    ),
  },
);
/** A decoded ListGroupsResponse. */
export type ListGroupsResponse = MessageValue<typeof ListGroupsResponse>;
