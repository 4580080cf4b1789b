/**
 * OffsetFetch (API key 9).
 */
import { type MessageValue, message, struct, t } from '../schema/dsl.js';

/** The OffsetFetch request schema, every version. */
export const OffsetFetchRequest = message(
  { name: 'OffsetFetchRequest', type: 'request', apiKey: 9, validVersions: '0-9', flexibleVersions: '6+' },
  {
    /** The group to fetch offsets for. */
    groupId: t.string({ versions: '0-7' }),
    /** Each topic we would like to fetch offsets for, or null to fetch offsets for all topics. */
    topics: t.array(
      struct('OffsetFetchRequestTopic', {
        /** The topic name. */
        name: t.string({ versions: '0-7' }),
        /** The partition indexes we would like to fetch offsets for. */
        partitionIndexes: t.array('int32', { versions: '0-7' }),
      }),
      { versions: '0-7', nullableVersions: '2-7' },
    ),
    /** Each group we would like to fetch offsets for */
    groups: t.array(
      struct('OffsetFetchRequestGroup', {
        /** The group ID. */
        groupId: t.string({ versions: '8+' }),
        /**
         * The member ID assigned by the group coordinator if using the new consumer protocol
         * (KIP-848).
         */
        memberId: t.string({ versions: '9+', nullableVersions: '9+', default: null, ignorable: true }),
        /** The member epoch if using the new consumer protocol (KIP-848). */
        memberEpoch: t.int32({ versions: '9+', default: -1, ignorable: true }),
        /** Each topic we would like to fetch offsets for, or null to fetch offsets for all topics. */
        topics: t.array(
          struct('OffsetFetchRequestTopics', {
            /** The topic name. */
            name: t.string({ versions: '8+' }),
            /** The partition indexes we would like to fetch offsets for. */
            partitionIndexes: t.array('int32', { versions: '8+' }),
          }),
          { versions: '8+', nullableVersions: '8+' },
        ),
      }),
      { versions: '8+' },
    ),
    /**
     * Whether broker should hold on returning unstable offsets but set a retriable error code for
     * the partitions.
     */
    requireStable: t.bool({ versions: '7+', default: false }),
  },
);
/** A decoded OffsetFetchRequest. */
export type OffsetFetchRequest = MessageValue<typeof OffsetFetchRequest>;

/** The OffsetFetch response schema, every version. */
export const OffsetFetchResponse = message(
  { name: 'OffsetFetchResponse', type: 'response', apiKey: 9, validVersions: '0-9', flexibleVersions: '6+' },
  {
    /**
     * The duration in milliseconds for which the request was throttled due to a quota violation, or
     * zero if the request did not violate any quota.
     */
    throttleTimeMs: t.int32({ versions: '3+', ignorable: true }),
    /** The responses per topic. */
    topics: t.array(
      struct('OffsetFetchResponseTopic', {
        /** The topic name. */
        name: t.string({ versions: '0-7' }),
        /** The responses per partition */
        partitions: t.array(
          struct('OffsetFetchResponsePartition', {
            /** The partition index. */
            partitionIndex: t.int32({ versions: '0-7' }),
            /** The committed message offset. */
            committedOffset: t.int64({ versions: '0-7' }),
            /** The leader epoch. */
            committedLeaderEpoch: t.int32({ versions: '5-7', default: -1, ignorable: true }),
            /** The partition metadata. */
            metadata: t.string({ versions: '0-7', nullableVersions: '0-7' }),
            /** The error code, or 0 if there was no error. */
            errorCode: t.int16({ versions: '0-7' }),
          }),
          { versions: '0-7' },
        ),
      }),
      { versions: '0-7' },
    ),
    /** The top-level error code, or 0 if there was no error. */
    errorCode: t.int16({ versions: '2-7', default: 0, ignorable: true }),
    /** The responses per group id. */
    groups: t.array(
      struct('OffsetFetchResponseGroup', {
        /** The group ID. */
        groupId: t.string({ versions: '8+' }),
        /** The responses per topic. */
        topics: t.array(
          struct('OffsetFetchResponseTopics', {
            /** The topic name. */
            name: t.string({ versions: '8+' }),
            /** The responses per partition */
            partitions: t.array(
              struct('OffsetFetchResponsePartitions', {
                /** The partition index. */
                partitionIndex: t.int32({ versions: '8+' }),
                /** The committed message offset. */
                committedOffset: t.int64({ versions: '8+' }),
                /** The leader epoch. */
                committedLeaderEpoch: t.int32({ versions: '8+', default: -1, ignorable: true }),
                /** The partition metadata. */
                metadata: t.string({ versions: '8+', nullableVersions: '8+' }),
                /** The partition-level error code, or 0 if there was no error. */
                errorCode: t.int16({ versions: '8+' }),
              }),
              { versions: '8+' },
            ),
          }),
          { versions: '8+' },
        ),
        /** The group-level error code, or 0 if there was no error. */
        errorCode: t.int16({ versions: '8+', default: 0 }),
      }),
      { versions: '8+' },
    ),
  },
);
/** A decoded OffsetFetchResponse. */
export type OffsetFetchResponse = MessageValue<typeof OffsetFetchResponse>;
