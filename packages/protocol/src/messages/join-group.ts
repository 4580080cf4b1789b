/**
 * JoinGroup (API key 11).
 */
import { type MessageValue, message, struct, t } from '../schema/dsl.js';

/** The JoinGroup request schema, every version. */
export const JoinGroupRequest = message(
  { name: 'JoinGroupRequest', type: 'request', apiKey: 11, validVersions: '0-9', flexibleVersions: '6+' },
  {
    /** The group identifier. */
    groupId: t.string(),
    /**
     * The coordinator considers the consumer dead if it receives no heartbeat after this timeout in
     * milliseconds.
     */
    sessionTimeoutMs: t.int32(),
    /**
     * The maximum time in milliseconds that the coordinator will wait for each member to rejoin
     * when rebalancing the group.
     */
    rebalanceTimeoutMs: t.int32({ versions: '1+', default: -1, ignorable: true }),
    /** The member id assigned by the group coordinator. */
    memberId: t.string(),
    /** The unique identifier of the consumer instance provided by end user. */
    groupInstanceId: t.string({ versions: '5+', nullableVersions: '5+', default: null }),
    /** The unique name the for class of protocols implemented by the group we want to join. */
    protocolType: t.string(),
    /** The list of protocols that the member supports. */
    protocols: t.array(
      struct('JoinGroupRequestProtocol', {
        /** The protocol name. */
        name: t.string(),
        /** The protocol metadata. */
        metadata: t.bytes(),
      }),
    ),
    /** The reason why the member (re-)joins the group. */
    reason: t.string({ versions: '8+', nullableVersions: '8+', default: null, ignorable: true }),
  },
);
/** A decoded JoinGroupRequest. */
export type JoinGroupRequest = MessageValue<typeof JoinGroupRequest>;

/** The JoinGroup response schema, every version. */
export const JoinGroupResponse = message(
  { name: 'JoinGroupResponse', type: 'response', apiKey: 11, validVersions: '0-9', flexibleVersions: '6+' },
  {
    /**
     * The duration in milliseconds for which the request was throttled due to a quota violation, or
     * zero if the request did not violate any quota.
     */
    throttleTimeMs: t.int32({ versions: '2+', ignorable: true }),
    /** The error code, or 0 if there was no error. */
    errorCode: t.int16(),
    /** The generation ID of the group. */
    generationId: t.int32({ default: -1 }),
    /** The group protocol name. */
    protocolType: t.string({ versions: '7+', nullableVersions: '7+', default: null, ignorable: true }),
    /** The group protocol selected by the coordinator. */
    protocolName: t.string({ nullableVersions: '7+' }),
    /** The leader of the group. */
    leader: t.string(),
    /** True if the leader must skip running the assignment. */
    skipAssignment: t.bool({ versions: '9+', default: false }),
    /** The member ID assigned by the group coordinator. */
    memberId: t.string(),
    members: t.array(
      struct('JoinGroupResponseMember', {
        /** The group member ID. */
        memberId: t.string(),
        /** The unique identifier of the consumer instance provided by end user. */
        groupInstanceId: t.string({ versions: '5+', nullableVersions: '5+', default: null, ignorable: true }),
        /** The group member metadata. */
        metadata: t.bytes(),
      }),
    ),
  },
);
/** A decoded JoinGroupResponse. */
export type JoinGroupResponse = MessageValue<typeof JoinGroupResponse>;
