/**
 * OffsetCommit (API key 8).
 */
import { type MessageValue, message, struct, t } from '../schema/dsl.js';

/** The OffsetCommit request schema, every version. */
export const OffsetCommitRequest = message(
  { name: 'OffsetCommitRequest', type: 'request', apiKey: 8, validVersions: '0-9', flexibleVersions: '8+' },
  {
    /** The unique group identifier. */
    groupId: t.string(),
    /**
     * The generation of the group if using the classic group protocol or the member epoch if using
     * the consumer protocol.
     */
    generationIdOrMemberEpoch: t.int32({ versions: '1+', default: -1, ignorable: true }),
    /** The member ID assigned by the group coordinator. */
    memberId: t.string({ versions: '1+', ignorable: true }),
    /** The unique identifier of the consumer instance provided by end user. */
    groupInstanceId: t.string({ versions: '7+', nullableVersions: '7+', default: null }),
    /** The time period in ms to retain the offset. */
    retentionTimeMs: t.int64({ versions: '2-4', default: -1, ignorable: true }),
    /** The topics to commit offsets for. */
    topics: t.array(
      struct('OffsetCommitRequestTopic', {
        /** The topic name. */
        name: t.string(),
        /** Each partition to commit offsets for. */
        partitions: t.array(
          struct('OffsetCommitRequestPartition', {
            /** The partition index. */
            partitionIndex: t.int32(),
            /** The message offset to be committed. */
            committedOffset: t.int64(),
            /** The leader epoch of this partition. */
            committedLeaderEpoch: t.int32({ versions: '6+', default: -1, ignorable: true }),
            /** The timestamp of the commit. */
            commitTimestamp: t.int64({ versions: '1', default: -1 }),
            /** Any associated metadata the client wants to keep. */
            committedMetadata: t.string({ nullableVersions: '0+' }),
          }),
        ),
      }),
    ),
  },
);
/** A decoded OffsetCommitRequest. */
export type OffsetCommitRequest = MessageValue<typeof OffsetCommitRequest>;

/** The OffsetCommit response schema, every version. */
export const OffsetCommitResponse = message(
  { name: 'OffsetCommitResponse', type: 'response', apiKey: 8, validVersions: '0-9', flexibleVersions: '8+' },
  {
    /**
     * The duration in milliseconds for which the request was throttled due to a quota violation, or
     * zero if the request did not violate any quota.
     */
    throttleTimeMs: t.int32({ versions: '3+', ignorable: true }),
    /** The responses for each topic. */
    topics: t.array(
      struct('OffsetCommitResponseTopic', {
        /** The topic name. */
        name: t.string(),
        /** The responses for each partition in the topic. */
        partitions: t.array(
          struct('OffsetCommitResponsePartition', {
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
/** A decoded OffsetCommitResponse. */
export type OffsetCommitResponse = MessageValue<typeof OffsetCommitResponse>;
