/**
 * DescribeGroups (API key 15).
 */
import { type MessageValue, message, struct, t } from '../schema/dsl.js';

/** The DescribeGroups request schema, every version. */
export const DescribeGroupsRequest = message(
  {
    name: 'DescribeGroupsRequest',
    type: 'request',
    apiKey: 15,
    validVersions: '0-5',
    flexibleVersions: '5+',
  },
  {
    /** The names of the groups to describe */
    groups: t.array('string'),
    /** Whether to include authorized operations. */
    includeAuthorizedOperations: t.bool({ versions: '3+' }),
  },
);
/** A decoded DescribeGroupsRequest. */
export type DescribeGroupsRequest = MessageValue<typeof DescribeGroupsRequest>;

/** The DescribeGroups response schema, every version. */
export const DescribeGroupsResponse = message(
  {
    name: 'DescribeGroupsResponse',
    type: 'response',
    apiKey: 15,
    validVersions: '0-5',
    flexibleVersions: '5+',
  },
  {
    /**
     * The duration in milliseconds for which the request was throttled due to a quota violation, or
     * zero if the request did not violate any quota.
     */
    throttleTimeMs: t.int32({ versions: '1+', ignorable: true }),
    /** Each described group. */
    groups: t.array(
      struct('DescribedGroup', {
        /** The describe error, or 0 if there was no error. */
        errorCode: t.int16(),
        /** The group ID string. */
        groupId: t.string(),
        /** The group state string, or the empty string. */
        groupState: t.string(),
        /** The group protocol type, or the empty string. */
        protocolType: t.string(),
        /** The group protocol data, or the empty string. */
        protocolData: t.string(),
        /** The group members. */
        members: t.array(
          struct('DescribedGroupMember', {
            /** The member ID assigned by the group coordinator. */
            memberId: t.string(),
            /** The unique identifier of the consumer instance provided by end user. */
            groupInstanceId: t.string({
              versions: '4+',
              nullableVersions: '4+',
              default: null,
              ignorable: true,
            }),
            /** The client ID used in the member's latest join group request. */
            clientId: t.string(),
            /** The client host. */
            clientHost: t.string(),
            /** The metadata corresponding to the current group protocol in use. */
            memberMetadata: t.bytes(),
            /** The current assignment provided by the group leader. */
            memberAssignment: t.bytes(),
          }),
        ),
        /** 32-bit bitfield to represent authorized operations for this group. */
        authorizedOperations: t.int32({ versions: '3+', default: -2147483648 }),
      }),
    ),
  },
);
/** A decoded DescribeGroupsResponse. */
export type DescribeGroupsResponse = MessageValue<typeof DescribeGroupsResponse>;
