/**
 * ResponseHeader: a data schema (not an API message).
 */
import { type MessageValue, message, t } from '../schema/dsl.js';

/** The ResponseHeader schema, every version. */
export const ResponseHeader = message(
  { name: 'ResponseHeader', type: 'header', validVersions: '0-1', flexibleVersions: '1+' },
  {
    /** The correlation ID of this response. */
    correlationId: t.int32(),
  },
);
/** A decoded ResponseHeader. */
export type ResponseHeader = MessageValue<typeof ResponseHeader>;
