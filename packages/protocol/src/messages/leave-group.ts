/**
 * LeaveGroup (API key 13).
 */
import { type MessageValue, message, struct, t } from '../schema/dsl.js';

/** The LeaveGroup request schema, every version. */
export const LeaveGroupRequest = message(
  { name: 'LeaveGroupRequest', type: 'request', apiKey: 13, validVersions: '0-5', flexibleVersions: '4+' },
  {
    /** The ID of the group to leave. */
    groupId: t.string(),
    /** The member ID to remove from the group. */
    memberId: t.string({ versions: '0-2' }),
    /** List of leaving member identities. */
    members: t.array(
      struct('MemberIdentity', {
        /** The member ID to remove from the group. */
        memberId: t.string({ versions: '3+' }),
        /** The group instance ID to remove from the group. */
        groupInstanceId: t.string({ versions: '3+', nullableVersions: '3+', default: null }),
        /** The reason why the member left the group. */
        reason: t.string({ versions: '5+', nullableVersions: '5+', default: null, ignorable: true }),
      }),
      { versions: '3+' },
    ),
  },
);
/** A decoded LeaveGroupRequest. */
export type LeaveGroupRequest = MessageValue<typeof LeaveGroupRequest>;

/** The LeaveGroup response schema, every version. */
export const LeaveGroupResponse = message(
  { name: 'LeaveGroupResponse', type: 'response', apiKey: 13, validVersions: '0-5', flexibleVersions: '4+' },
  {
    /**
     * The duration in milliseconds for which the request was throttled due to a quota violation, or
     * zero if the request did not violate any quota.
     */
    throttleTimeMs: t.int32({ versions: '1+', ignorable: true }),
    /** The error code, or 0 if there was no error. */
    errorCode: t.int16(),
    /** List of leaving member responses. */
    members: t.array(
      struct('MemberResponse', {
        /** The member ID to remove from the group. */
        memberId: t.string({ versions: '3+' }),
        /** The group instance ID to remove from the group. */
        groupInstanceId: t.string({ versions: '3+', nullableVersions: '3+' }),
        /** The error code, or 0 if there was no error. */
        errorCode: t.int16({ versions: '3+' }),
      }),
      { versions: '3+' },
    ),
  },
);
/** A decoded LeaveGroupResponse. */
export type LeaveGroupResponse = MessageValue<typeof LeaveGroupResponse>;
