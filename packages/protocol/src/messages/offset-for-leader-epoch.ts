/**
 * OffsetForLeaderEpoch (API key 23).
 */
import { type MessageValue, message, struct, t } from '../schema/dsl.js';

/** The OffsetForLeaderEpoch request schema, every version. */
export const OffsetForLeaderEpochRequest = message(
  {
    name: 'OffsetForLeaderEpochRequest',
    type: 'request',
    apiKey: 23,
    validVersions: '0-4',
    flexibleVersions: '4+',
  },
  {
    /** The broker ID of the follower, of -1 if this request is from a consumer. */
    replicaId: t.int32({ versions: '3+', default: -2, ignorable: true }),
    /** Each topic to get offsets for. */
    topics: t.array(
      struct('OffsetForLeaderTopic', {
        /** The topic name. */
        topic: t.string(),
        /** Each partition to get offsets for. */
        partitions: t.array(
          struct('OffsetForLeaderPartition', {
            /** The partition index. */
            partition: t.int32(),
            /**
             * An epoch used to fence consumers/replicas with old metadata. If the epoch provided by
             * the client is larger than the current epoch known to the broker, then the
             * UNKNOWN_LEADER_EPOCH error code will be returned. If the provided epoch is smaller,
             * then the FENCED_LEADER_EPOCH error code will be returned.
             */
            currentLeaderEpoch: t.int32({ versions: '2+', default: -1, ignorable: true }),
            /** The epoch to look up an offset for. */
            leaderEpoch: t.int32(),
          }),
        ),
      }),
    ),
  },
);
/** A decoded OffsetForLeaderEpochRequest. */
export type OffsetForLeaderEpochRequest = MessageValue<typeof OffsetForLeaderEpochRequest>;

/** The OffsetForLeaderEpoch response schema, every version. */
export const OffsetForLeaderEpochResponse = message(
  {
    name: 'OffsetForLeaderEpochResponse',
    type: 'response',
    apiKey: 23,
    validVersions: '0-4',
    flexibleVersions: '4+',
  },
  {
    /**
     * The duration in milliseconds for which the request was throttled due to a quota violation, or
     * zero if the request did not violate any quota.
     */
    throttleTimeMs: t.int32({ versions: '2+', ignorable: true }),
    /** Each topic we fetched offsets for. */
    topics: t.array(
      struct('OffsetForLeaderTopicResult', {
        /** The topic name. */
        topic: t.string(),
        /** Each partition in the topic we fetched offsets for. */
        partitions: t.array(
          struct('EpochEndOffset', {
            /** The error code 0, or if there was no error. */
            errorCode: t.int16(),
            /** The partition index. */
            partition: t.int32(),
            /** The leader epoch of the partition. */
            leaderEpoch: t.int32({ versions: '1+', default: -1, ignorable: true }),
            /** The end offset of the epoch. */
            endOffset: t.int64({ default: -1 }),
          }),
        ),
      }),
    ),
  },
);
/** A decoded OffsetForLeaderEpochResponse. */
export type OffsetForLeaderEpochResponse = MessageValue<typeof OffsetForLeaderEpochResponse>;
