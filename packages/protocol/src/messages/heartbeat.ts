/**
 * Heartbeat (API key 12).
 */
import { type MessageValue, message, t } from '../schema/dsl.js';

/** The Heartbeat request schema, every version. */
export const HeartbeatRequest = message(
  { name: 'HeartbeatRequest', type: 'request', apiKey: 12, validVersions: '0-4', flexibleVersions: '4+' },
  {
    /** The group id. */
    groupId: t.string(),
    /** The generation of the group. */
    generationId: t.int32(),
    /** The member ID. */
    memberId: t.string(),
    /** The unique identifier of the consumer instance provided by end user. */
    groupInstanceId: t.string({ versions: '3+', nullableVersions: '3+', default: null }),
  },
);
/** A decoded HeartbeatRequest. */
export type HeartbeatRequest = MessageValue<typeof HeartbeatRequest>;

/** The Heartbeat response schema, every version. */
export const HeartbeatResponse = message(
  { name: 'HeartbeatResponse', type: 'response', apiKey: 12, validVersions: '0-4', flexibleVersions: '4+' },
  {
    /**
     * The duration in milliseconds for which the request was throttled due to a quota violation, or
     * zero if the request did not violate any quota.
     */
    throttleTimeMs: t.int32({ versions: '1+', ignorable: true }),
    /** The error code, or 0 if there was no error. */
    errorCode: t.int16(),
  },
);
/** A decoded HeartbeatResponse. */
export type HeartbeatResponse = MessageValue<typeof HeartbeatResponse>;
