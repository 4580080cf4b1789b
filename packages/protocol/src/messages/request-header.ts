/**
 * RequestHeader: a data schema (not an API message).
 */
import { type MessageValue, message, t } from '../schema/dsl.js';

/** The RequestHeader schema, every version. */
export const RequestHeader = message(
  { name: 'RequestHeader', type: 'header', validVersions: '0-2', flexibleVersions: '2+' },
  {
    /** The API key of this request. */
    requestApiKey: t.int16(),
    /** The API version of this request. */
    requestApiVersion: t.int16(),
    /** The correlation ID of this request. */
    correlationId: t.int32(),
    /** The client ID string. */
    clientId: t.string({ versions: '1+', nullableVersions: '1+', ignorable: true, flexibleVersions: 'none' }),
  },
);
/** A decoded RequestHeader. */
export type RequestHeader = MessageValue<typeof RequestHeader>;
