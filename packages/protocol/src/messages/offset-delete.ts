/**
 * OffsetDelete (API key 47).
 */
import { type MessageValue, message, struct, t } from '../schema/dsl.js';

/** The OffsetDelete request schema, every version. */
export const OffsetDeleteRequest = message(
  { name: 'OffsetDeleteRequest', type: 'request', apiKey: 47, validVersions: '0', flexibleVersions: 'none' },
  {
    /** The unique group identifier. */
    groupId: t.string(),
    /** The topics to delete offsets for */
    topics: t.array(
      struct('OffsetDeleteRequestTopic', {
        /** The topic name. */
        name: t.string(),
        /** Each partition to delete offsets for. */
        partitions: t.array(
          struct('OffsetDeleteRequestPartition', {
            /** The partition index. */
            partitionIndex: t.int32(),
          }),
        ),
      }),
    ),
  },
);
/** A decoded OffsetDeleteRequest. */
export type OffsetDeleteRequest = MessageValue<typeof OffsetDeleteRequest>;

/** The OffsetDelete response schema, every version. */
export const OffsetDeleteResponse = message(
  {
    name: 'OffsetDeleteResponse',
    type: 'response',
    apiKey: 47,
    validVersions: '0',
    flexibleVersions: 'none',
  },
  {
    /** The top-level error code, or 0 if there was no error. */
    errorCode: t.int16(),
    /**
     * The duration in milliseconds for which the request was throttled due to a quota violation, or
     * zero if the request did not violate any quota.
     */
    throttleTimeMs: t.int32({ ignorable: true }),
    /** The responses for each topic. */
    topics: t.array(
      struct('OffsetDeleteResponseTopic', {
        /** The topic name. */
        name: t.string(),
        /** The responses for each partition in the topic. */
        partitions: t.array(
          struct('OffsetDeleteResponsePartition', {
            /** The partition index. */
            partitionIndex: t.int32(),
            /** The error code, or 0 if there was no error. */
            errorCode: t.int16(),
          }),
        ),
      }),
    ),
  },
);
/** A decoded OffsetDeleteResponse. */
export type OffsetDeleteResponse = MessageValue<typeof OffsetDeleteResponse>;
