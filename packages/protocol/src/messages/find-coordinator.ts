/**
 * FindCoordinator (API key 10).
 */
import { type MessageValue, message, struct, t } from '../schema/dsl.js';

/** The FindCoordinator request schema, every version. */
export const FindCoordinatorRequest = message(
  {
    name: 'FindCoordinatorRequest',
    type: 'request',
    apiKey: 10,
    validVersions: '0-6',
    flexibleVersions: '3+',
  },
  {
    /** The coordinator key. */
    key: t.string({ versions: '0-3' }),
    /** The coordinator key type. (Group, transaction, etc.) */
    keyType: t.int8({ versions: '1+', default: 0 }),
    /** The coordinator keys. */
    coordinatorKeys: t.array('string', { versions: '4+' }),
  },
);
/** A decoded FindCoordinatorRequest. */
export type FindCoordinatorRequest = MessageValue<typeof FindCoordinatorRequest>;

/** The FindCoordinator response schema, every version. */
export const FindCoordinatorResponse = message(
  {
    name: 'FindCoordinatorResponse',
    type: 'response',
    apiKey: 10,
    validVersions: '0-6',
    flexibleVersions: '3+',
  },
  {
    /**
     * The duration in milliseconds for which the request was throttled due to a quota violation, or
     * zero if the request did not violate any quota.
     */
    throttleTimeMs: t.int32({ versions: '1+', ignorable: true }),
    /** The error code, or 0 if there was no error. */
    errorCode: t.int16({ versions: '0-3' }),
    /** The error message, or null if there was no error. */
    errorMessage: t.string({ versions: '1-3', nullableVersions: '1-3', ignorable: true }),
    /** The node id. */
    nodeId: t.int32({ versions: '0-3' }),
    /** The host name. */
    host: t.string({ versions: '0-3' }),
    /** The port. */
    port: t.int32({ versions: '0-3' }),
    /** Each coordinator result in the response */
    coordinators: t.array(
      struct('Coordinator', {
        /** The coordinator key. */
        key: t.string({ versions: '4+' }),
        /** The node id. */
        nodeId: t.int32({ versions: '4+' }),
        /** The host name. */
        host: t.string({ versions: '4+' }),
        /** The port. */
        port: t.int32({ versions: '4+' }),
        /** The error code, or 0 if there was no error. */
        errorCode: t.int16({ versions: '4+' }),
        /** The error message, or null if there was no error. */
        errorMessage: t.string({ versions: '4+', nullableVersions: '4+', ignorable: true }),
      }),
      { versions: '4+' },
    ),
  },
);
/** A decoded FindCoordinatorResponse. */
export type FindCoordinatorResponse = MessageValue<typeof FindCoordinatorResponse>;
