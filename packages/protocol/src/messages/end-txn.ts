/**
 * EndTxn (API key 26).
 */
import { type MessageValue, message, t } from '../schema/dsl.js';

/** The EndTxn request schema, every version. */
export const EndTxnRequest = message(
  { name: 'EndTxnRequest', type: 'request', apiKey: 26, validVersions: '0-5', flexibleVersions: '3+' },
  {
    /** The ID of the transaction to end. */
    transactionalId: t.string(),
    /** The producer ID. */
    producerId: t.int64(),
    /** The current epoch associated with the producer. */
    producerEpoch: t.int16(),
    /** True if the transaction was committed, false if it was aborted. */
    committed: t.bool(),
  },
);
/** A decoded EndTxnRequest. */
export type EndTxnRequest = MessageValue<typeof EndTxnRequest>;

/** The EndTxn response schema, every version. */
export const EndTxnResponse = message(
  { name: 'EndTxnResponse', type: 'response', apiKey: 26, validVersions: '0-5', flexibleVersions: '3+' },
  {
    /**
     * The duration in milliseconds for which the request was throttled due to a quota violation, or
     * zero if the request did not violate any quota.
     */
    throttleTimeMs: t.int32(),
    /** The error code, or 0 if there was no error. */
    errorCode: t.int16(),
    /** The producer ID. */
    producerId: t.int64({ versions: '5+', default: -1, ignorable: true }),
    /** The current epoch associated with the producer. */
    producerEpoch: t.int16({ versions: '5+', default: -1, ignorable: true }),
  },
);
/** A decoded EndTxnResponse. */
export type EndTxnResponse = MessageValue<typeof EndTxnResponse>;
