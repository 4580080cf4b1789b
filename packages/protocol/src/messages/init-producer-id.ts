/**
 * InitProducerId (API key 22).
 */
import { type MessageValue, message, t } from '../schema/dsl.js';

/** The InitProducerId request schema, every version. */
export const InitProducerIdRequest = message(
  {
    name: 'InitProducerIdRequest',
    type: 'request',
    apiKey: 22,
    validVersions: '0-5',
    flexibleVersions: '2+',
  },
  {
    /** The transactional id, or null if the producer is not transactional. */
    transactionalId: t.string({ nullableVersions: '0+' }),
    /**
     * The time in ms to wait before aborting idle transactions sent by this producer. This is only
     * relevant if a TransactionalId has been defined.
     */
    transactionTimeoutMs: t.int32(),
    /**
     * The producer id. This is used to disambiguate requests if a transactional id is reused
     * following its expiration.
     */
    producerId: t.int64({ versions: '3+', default: -1 }),
    /**
     * The producer's current epoch. This will be checked against the producer epoch on the broker,
     * and the request will return an error if they do not match.
     */
    producerEpoch: t.int16({ versions: '3+', default: -1 }),
  },
);
/** A decoded InitProducerIdRequest. */
export type InitProducerIdRequest = MessageValue<typeof InitProducerIdRequest>;

/** The InitProducerId response schema, every version. */
export const InitProducerIdResponse = message(
  {
    name: 'InitProducerIdResponse',
    type: 'response',
    apiKey: 22,
    validVersions: '0-5',
    flexibleVersions: '2+',
  },
  {
    /**
     * The duration in milliseconds for which the request was throttled due to a quota violation, or
     * zero if the request did not violate any quota.
     */
    throttleTimeMs: t.int32({ ignorable: true }),
    /** The error code, or 0 if there was no error. */
    errorCode: t.int16(),
    /** The current producer id. */
    producerId: t.int64({ default: -1 }),
    /** The current epoch associated with the producer id. */
    producerEpoch: t.int16(),
  },
);
/** A decoded InitProducerIdResponse. */
export type InitProducerIdResponse = MessageValue<typeof InitProducerIdResponse>;
