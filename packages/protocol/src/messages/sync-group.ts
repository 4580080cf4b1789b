/**
 * SyncGroup (API key 14).
 */
import { type MessageValue, message, struct, t } from '../schema/dsl.js';

/** The SyncGroup request schema, every version. */
export const SyncGroupRequest = message(
  { name: 'SyncGroupRequest', type: 'request', apiKey: 14, validVersions: '0-5', flexibleVersions: '4+' },
  {
    /** The unique group identifier. */
    groupId: t.string(),
    /** The generation of the group. */
    generationId: t.int32(),
    /** The member ID assigned by the group. */
    memberId: t.string(),
    /** The unique identifier of the consumer instance provided by end user. */
    groupInstanceId: t.string({ versions: '3+', nullableVersions: '3+', default: null }),
    /** The group protocol type. */
    protocolType: t.string({ versions: '5+', nullableVersions: '5+', default: null, ignorable: true }),
    /** The group protocol name. */
    protocolName: t.string({ versions: '5+', nullableVersions: '5+', default: null, ignorable: true }),
    /** Each assignment. */
    assignments: t.array(
      struct('SyncGroupRequestAssignment', {
        /** The ID of the member to assign. */
        memberId: t.string(),
        /** The member assignment. */
        assignment: t.bytes(),
      }),
    ),
  },
);
/** A decoded SyncGroupRequest. */
export type SyncGroupRequest = MessageValue<typeof SyncGroupRequest>;

/** The SyncGroup response schema, every version. */
export const SyncGroupResponse = message(
  { name: 'SyncGroupResponse', type: 'response', apiKey: 14, validVersions: '0-5', flexibleVersions: '4+' },
  {
    /**
     * The duration in milliseconds for which the request was throttled due to a quota violation, or
     * zero if the request did not violate any quota.
     */
    throttleTimeMs: t.int32({ versions: '1+', ignorable: true }),
    /** The error code, or 0 if there was no error. */
    errorCode: t.int16(),
    /** The group protocol type. */
    protocolType: t.string({ versions: '5+', nullableVersions: '5+', default: null, ignorable: true }),
    /** The group protocol name. */
    protocolName: t.string({ versions: '5+', nullableVersions: '5+', default: null, ignorable: true }),
    /** The member assignment. */
    assignment: t.bytes(),
  },
);
/** A decoded SyncGroupResponse. */
export type SyncGroupResponse = MessageValue<typeof SyncGroupResponse>;
