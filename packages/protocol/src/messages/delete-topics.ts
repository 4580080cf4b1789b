/**
 * DeleteTopics (API key 20).
 */
import { type MessageValue, message, struct, t } from '../schema/dsl.js';

/** The DeleteTopics request schema, every version. */
export const DeleteTopicsRequest = message(
  { name: 'DeleteTopicsRequest', type: 'request', apiKey: 20, validVersions: '0-6', flexibleVersions: '4+' },
  {
    /** The name or topic ID of the topic */
    topics: t.array(
      struct('DeleteTopicState', {
        /** The topic name */
        name: t.string({ versions: '6+', nullableVersions: '6+', default: null }),
        /** The unique topic ID */
        topicId: t.uuid({ versions: '6+' }),
      }),
      { versions: '6+' },
    ),
    /** The names of the topics to delete */
    topicNames: t.array('string', { versions: '0-5', ignorable: true }),
    /** The length of time in milliseconds to wait for the deletions to complete. */
    timeoutMs: t.int32(),
  },
);
/** A decoded DeleteTopicsRequest. */
export type DeleteTopicsRequest = MessageValue<typeof DeleteTopicsRequest>;

/** The DeleteTopics response schema, every version. */
export const DeleteTopicsResponse = message(
  {
    name: 'DeleteTopicsResponse',
    type: 'response',
    apiKey: 20,
    validVersions: '0-6',
    flexibleVersions: '4+',
  },
  {
    /**
     * The duration in milliseconds for which the request was throttled due to a quota violation, or
     * zero if the request did not violate any quota.
     */
    throttleTimeMs: t.int32({ versions: '1+', ignorable: true }),
    /** The results for each topic we tried to delete. */
    responses: t.array(
      struct('DeletableTopicResult', {
        /** The topic name */
        name: t.string({ nullableVersions: '6+' }),
        /** the unique topic ID */
        topicId: t.uuid({ versions: '6+', ignorable: true }),
        /** The deletion error, or 0 if the deletion succeeded. */
        errorCode: t.int16(),
        /** The error message, or null if there was no error. */
        errorMessage: t.string({ versions: '5+', nullableVersions: '5+', default: null, ignorable: true }),
      }),
    ),
  },
);
/** A decoded DeleteTopicsResponse. */
export type DeleteTopicsResponse = MessageValue<typeof DeleteTopicsResponse>;
