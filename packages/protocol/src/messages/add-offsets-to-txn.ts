/**
 * AddOffsetsToTxn (API key 25).
 */
import { type MessageValue, message, t } from '../schema/dsl.js';

/** The AddOffsetsToTxn request schema, every version. */
export const AddOffsetsToTxnRequest = message(
  {
    name: 'AddOffsetsToTxnRequest',
    type: 'request',
    apiKey: 25,
    validVersions: '0-4',
    flexibleVersions: '3+',
  },
  {
    /** The transactional id corresponding to the transaction. */
    transactionalId: t.string(),
    /** Current producer id in use by the transactional id. */
    producerId: t.int64(),
    /** Current epoch associated with the producer id. */
    producerEpoch: t.int16(),
    /** The unique group identifier. */
    groupId: t.string(),
  },
);
/** A decoded AddOffsetsToTxnRequest. */
export type AddOffsetsToTxnRequest = MessageValue<typeof AddOffsetsToTxnRequest>;

/** The AddOffsetsToTxn response schema, every version. */
export const AddOffsetsToTxnResponse = message(
  {
    name: 'AddOffsetsToTxnResponse',
    type: 'response',
    apiKey: 25,
    validVersions: '0-4',
    flexibleVersions: '3+',
  },
  {
    /**
     * Duration in milliseconds for which the request was throttled due to a quota violation, or
     * zero if the request did not violate any quota.
     */
    throttleTimeMs: t.int32(),
    /** The response error code, or 0 if there was no error. */
    errorCode: t.int16(),
  },
);
/** A decoded AddOffsetsToTxnResponse. */
export type AddOffsetsToTxnResponse = MessageValue<typeof AddOffsetsToTxnResponse>;
