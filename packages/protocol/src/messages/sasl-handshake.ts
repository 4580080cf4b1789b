/**
 * SaslHandshake (API key 17).
 */
import { type MessageValue, message, t } from '../schema/dsl.js';

/** The SaslHandshake request schema, every version. */
export const SaslHandshakeRequest = message(
  {
    name: 'SaslHandshakeRequest',
    type: 'request',
    apiKey: 17,
    validVersions: '0-1',
    flexibleVersions: 'none',
  },
  {
    /** The SASL mechanism chosen by the client. */
    mechanism: t.string(),
  },
);
/** A decoded SaslHandshakeRequest. */
export type SaslHandshakeRequest = MessageValue<typeof SaslHandshakeRequest>;

/** The SaslHandshake response schema, every version. */
export const SaslHandshakeResponse = message(
  {
    name: 'SaslHandshakeResponse',
    type: 'response',
    apiKey: 17,
    validVersions: '0-1',
    flexibleVersions: 'none',
  },
  {
    /** The error code, or 0 if there was no error. */
    errorCode: t.int16(),
    /** The mechanisms enabled in the server. */
    mechanisms: t.array('string'),
  },
);
/** A decoded SaslHandshakeResponse. */
export type SaslHandshakeResponse = MessageValue<typeof SaslHandshakeResponse>;
