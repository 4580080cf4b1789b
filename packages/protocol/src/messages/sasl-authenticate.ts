/**
 * SaslAuthenticate (API key 36).
 */
import { type MessageValue, message, t } from '../schema/dsl.js';

/** The SaslAuthenticate request schema, every version. */
export const SaslAuthenticateRequest = message(
  {
    name: 'SaslAuthenticateRequest',
    type: 'request',
    apiKey: 36,
    validVersions: '0-2',
    flexibleVersions: '2+',
  },
  {
    /** The SASL authentication bytes from the client, as defined by the SASL mechanism. */
    authBytes: t.bytes(),
  },
);
/** A decoded SaslAuthenticateRequest. */
export type SaslAuthenticateRequest = MessageValue<typeof SaslAuthenticateRequest>;

/** The SaslAuthenticate response schema, every version. */
export const SaslAuthenticateResponse = message(
  {
    name: 'SaslAuthenticateResponse',
    type: 'response',
    apiKey: 36,
    validVersions: '0-2',
    flexibleVersions: '2+',
  },
  {
    /** The error code, or 0 if there was no error. */
    errorCode: t.int16(),
    /** The error message, or null if there was no error. */
    errorMessage: t.string({ nullableVersions: '0+' }),
    /** The SASL authentication bytes from the server, as defined by the SASL mechanism. */
    authBytes: t.bytes(),
    /**
     * Number of milliseconds after which only re-authentication over the existing connection to
     * create a new session can occur.
     */
    sessionLifetimeMs: t.int64({ versions: '1+', default: 0, ignorable: true }),
  },
);
/** A decoded SaslAuthenticateResponse. */
export type SaslAuthenticateResponse = MessageValue<typeof SaslAuthenticateResponse>;
