/**
 * ListOffsets (API key 2).
 */
import { type MessageValue, message, struct, t } from '../schema/dsl.js';

/** The ListOffsets request schema, every version. */
export const ListOffsetsRequest = message(
  { name: 'ListOffsetsRequest', type: 'request', apiKey: 2, validVersions: '0-10', flexibleVersions: '6+' },
  {
    /** The broker ID of the requester, or -1 if this request is being made by a normal consumer. */
    replicaId: t.int32(),
    /**
     * This setting controls the visibility of transactional records. Using READ_UNCOMMITTED
     * (isolation_level = 0) makes all records visible. With READ_COMMITTED (isolation_level = 1),
     * non-transactional and COMMITTED transactional records are visible. To be more concrete,
     * READ_COMMITTED returns all data from offsets smaller than the current LSO (last stable
     * offset), and enables the inclusion of the list of aborted transactions in the result, which
     * allows consumers to discard ABORTED transactional records
     */
    isolationLevel: t.int8({ versions: '2+' }),
    /** Each topic in the request. */
    topics: t.array(
      struct('ListOffsetsTopic', {
        /** The topic name. */
        name: t.string(),
        /** Each partition in the request. */
        partitions: t.array(
          struct('ListOffsetsPartition', {
            /** The partition index. */
            partitionIndex: t.int32(),
            /** The current leader epoch. */
            currentLeaderEpoch: t.int32({ versions: '4+', default: -1, ignorable: true }),
            /** The current timestamp. */
            timestamp: t.int64(),
            /** The maximum number of offsets to report. */
            maxNumOffsets: t.int32({ versions: '0', default: 1 }),
          }),
        ),
      }),
    ),
    /**
     * The timeout to await a response in milliseconds for requests that require reading from remote
     * storage for topics enabled with tiered storage.
     */
    timeoutMs: t.int32({ versions: '10+', ignorable: true }),
  },
);
/** A decoded ListOffsetsRequest. */
export type ListOffsetsRequest = MessageValue<typeof ListOffsetsRequest>;

/** The ListOffsets response schema, every version. */
export const ListOffsetsResponse = message(
  { name: 'ListOffsetsResponse', type: 'response', apiKey: 2, validVersions: '0-10', flexibleVersions: '6+' },
  {
    /**
     * The duration in milliseconds for which the request was throttled due to a quota violation, or
     * zero if the request did not violate any quota.
     */
    throttleTimeMs: t.int32({ versions: '2+', ignorable: true }),
    /** Each topic in the response. */
    topics: t.array(
      struct('ListOffsetsTopicResponse', {
        /** The topic name */
        name: t.string(),
        /** Each partition in the response. */
        partitions: t.array(
          struct('ListOffsetsPartitionResponse', {
            /** The partition index. */
            partitionIndex: t.int32(),
            /** The partition error code, or 0 if there was no error. */
            errorCode: t.int16(),
            /** The result offsets. */
            oldStyleOffsets: t.array('int64', { versions: '0' }),
            /** The timestamp associated with the returned offset. */
            timestamp: t.int64({ versions: '1+', default: -1 }),
            /** The returned offset. */
            offset: t.int64({ versions: '1+', default: -1 }),
            leaderEpoch: t.int32({ versions: '4+', default: -1 }),
          }),
        ),
      }),
    ),
  },
);
/** A decoded ListOffsetsResponse. */
export type ListOffsetsResponse = MessageValue<typeof ListOffsetsResponse>;
