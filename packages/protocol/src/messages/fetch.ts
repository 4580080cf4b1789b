/**
 * Fetch (API key 1).
 */
import { type MessageValue, message, struct, t } from '../schema/dsl.js';

/** The Fetch request schema, every version. */
export const FetchRequest = message(
  { name: 'FetchRequest', type: 'request', apiKey: 1, validVersions: '0-17', flexibleVersions: '12+' },
  {
    /**
     * The clusterId if known. This is used to validate metadata fetches prior to broker
     * registration.
     */
    clusterId: t.string({
      versions: '12+',
      nullableVersions: '12+',
      taggedVersions: '12+',
      tag: 0,
      default: null,
      ignorable: true,
    }),
    /** The broker ID of the follower, of -1 if this request is from a consumer. */
    replicaId: t.int32({ versions: '0-14', default: -1 }),
    replicaState: t.struct(
      struct('ReplicaState', {
        /** The replica ID of the follower, or -1 if this request is from a consumer. */
        replicaId: t.int32({ versions: '15+', default: -1 }),
        /** The epoch of this follower, or -1 if not available. */
        replicaEpoch: t.int64({ versions: '15+', default: -1 }),
      }),
      { versions: '15+', taggedVersions: '15+', tag: 1 },
    ),
    /** The maximum time in milliseconds to wait for the response. */
    maxWaitMs: t.int32(),
    /** The minimum bytes to accumulate in the response. */
    minBytes: t.int32(),
    /** The maximum bytes to fetch.  See KIP-74 for cases where this limit may not be honored. */
    maxBytes: t.int32({ versions: '3+', default: 2147483647, ignorable: true }),
    /**
     * This setting controls the visibility of transactional records. Using READ_UNCOMMITTED
     * (isolation_level = 0) makes all records visible. With READ_COMMITTED (isolation_level = 1),
     * non-transactional and COMMITTED transactional records are visible. To be more concrete,
     * READ_COMMITTED returns all data from offsets smaller than the current LSO (last stable
     * offset), and enables the inclusion of the list of aborted transactions in the result, which
     * allows consumers to discard ABORTED transactional records
     */
    isolationLevel: t.int8({ versions: '4+', default: 0, ignorable: true }),
    /** The fetch session ID. */
    sessionId: t.int32({ versions: '7+', default: 0, ignorable: true }),
    /** The fetch session epoch, which is used for ordering requests in a session. */
    sessionEpoch: t.int32({ versions: '7+', default: -1, ignorable: true }),
    /** The topics to fetch. */
    topics: t.array(
      struct('FetchTopic', {
        /** The name of the topic to fetch. */
        topic: t.string({ versions: '0-12', ignorable: true }),
        /** The unique topic ID */
        topicId: t.uuid({ versions: '13+', ignorable: true }),
        /** The partitions to fetch. */
        partitions: t.array(
          struct('FetchPartition', {
            /** The partition index. */
            partition: t.int32(),
            /** The current leader epoch of the partition. */
            currentLeaderEpoch: t.int32({ versions: '9+', default: -1, ignorable: true }),
            /** The message offset. */
            fetchOffset: t.int64(),
            /** The epoch of the last fetched record or -1 if there is none */
            lastFetchedEpoch: t.int32({ versions: '12+', default: -1 }),
            /**
             * The earliest available offset of the follower replica.  The field is only used when
             * the request is sent by the follower.
             */
            logStartOffset: t.int64({ versions: '5+', default: -1, ignorable: true }),
            /**
             * The maximum bytes to fetch from this partition.  See KIP-74 for cases where this
             * limit may not be honored.
             */
            partitionMaxBytes: t.int32(),
            /** The directory id of the follower fetching */
            replicaDirectoryId: t.uuid({ versions: '17+', taggedVersions: '17+', tag: 0, ignorable: true }),
          }),
        ),
      }),
    ),
    /** In an incremental fetch request, the partitions to remove. */
    forgottenTopicsData: t.array(
      struct('ForgottenTopic', {
        /** The topic name. */
        topic: t.string({ versions: '7-12', ignorable: true }),
        /** The unique topic ID */
        topicId: t.uuid({ versions: '13+', ignorable: true }),
        /** The partitions indexes to forget. */
        partitions: t.array('int32', { versions: '7+' }),
      }),
      { versions: '7+' },
    ),
    /** Rack ID of the consumer making this request */
    rackId: t.string({ versions: '11+', default: '', ignorable: true }),
  },
);
/** A decoded FetchRequest. */
export type FetchRequest = MessageValue<typeof FetchRequest>;

/** The Fetch response schema, every version. */
export const FetchResponse = message(
  { name: 'FetchResponse', type: 'response', apiKey: 1, validVersions: '0-17', flexibleVersions: '12+' },
  {
    /**
     * The duration in milliseconds for which the request was throttled due to a quota violation, or
     * zero if the request did not violate any quota.
     */
    throttleTimeMs: t.int32({ versions: '1+', ignorable: true }),
    /** The top level response error code. */
    errorCode: t.int16({ versions: '7+', ignorable: true }),
    /** The fetch session ID, or 0 if this is not part of a fetch session. */
    sessionId: t.int32({ versions: '7+', default: 0 }),
    /** The response topics. */
    responses: t.array(
      struct('FetchableTopicResponse', {
        /** The topic name. */
        topic: t.string({ versions: '0-12', ignorable: true }),
        /** The unique topic ID */
        topicId: t.uuid({ versions: '13+', ignorable: true }),
        /** The topic partitions. */
        partitions: t.array(
          struct('PartitionData', {
            /** The partition index. */
            partitionIndex: t.int32(),
            /** The error code, or 0 if there was no fetch error. */
            errorCode: t.int16(),
            /** The current high water mark. */
            highWatermark: t.int64(),
            /**
             * The last stable offset (or LSO) of the partition. This is the last offset such that
             * the state of all transactional records prior to this offset have been decided
             * (ABORTED or COMMITTED)
             */
            lastStableOffset: t.int64({ versions: '4+', default: -1, ignorable: true }),
            /** The current log start offset. */
            logStartOffset: t.int64({ versions: '5+', default: -1, ignorable: true }),
            /**
             * In case divergence is detected based on the `LastFetchedEpoch` and `FetchOffset` in
             * the request, this field indicates the largest epoch and its end offset such that
             * subsequent records are known to diverge
             */
            divergingEpoch: t.struct(
              struct('EpochEndOffset', {
                epoch: t.int32({ versions: '12+', default: -1 }),
                endOffset: t.int64({ versions: '12+', default: -1 }),
              }),
              { versions: '12+', taggedVersions: '12+', tag: 0 },
            ),
            currentLeader: t.struct(
              struct('LeaderIdAndEpoch', {
                /** The ID of the current leader or -1 if the leader is unknown. */
                leaderId: t.int32({ versions: '12+', default: -1 }),
                /** The latest known leader epoch */
                leaderEpoch: t.int32({ versions: '12+', default: -1 }),
              }),
              { versions: '12+', taggedVersions: '12+', tag: 1 },
            ),
            /**
             * In the case of fetching an offset less than the LogStartOffset, this is the end
             * offset and epoch that should be used in the FetchSnapshot request.
             */
            snapshotId: t.struct(
              struct('SnapshotId', {
                endOffset: t.int64({ default: -1 }),
                epoch: t.int32({ default: -1 }),
              }),
              { versions: '12+', taggedVersions: '12+', tag: 2 },
            ),
            /** The aborted transactions. */
            abortedTransactions: t.array(
              struct('AbortedTransaction', {
                /** The producer id associated with the aborted transaction. */
                producerId: t.int64({ versions: '4+' }),
                /** The first offset in the aborted transaction. */
                firstOffset: t.int64({ versions: '4+' }),
              }),
              { versions: '4+', nullableVersions: '4+', ignorable: true },
            ),
            /** The preferred read replica for the consumer to use on its next fetch request */
            preferredReadReplica: t.int32({ versions: '11+', default: -1 }),
            /** The record data. */
            records: t.records({ nullableVersions: '0+' }),
          }),
        ),
      }),
    ),
    /**
     * Endpoints for all current-leaders enumerated in PartitionData, with errors
     * NOT_LEADER_OR_FOLLOWER & FENCED_LEADER_EPOCH.
     */
    nodeEndpoints: t.array(
      struct('NodeEndpoint', {
        /** The ID of the associated node. */
        nodeId: t.int32({ versions: '16+' }),
        /** The node's hostname. */
        host: t.string({ versions: '16+' }),
        /** The node's port. */
        port: t.int32({ versions: '16+' }),
        /** The rack of the node, or null if it has not been assigned to a rack. */
        rack: t.string({ versions: '16+', nullableVersions: '16+', default: null }),
      }),
      { versions: '16+', taggedVersions: '16+', tag: 0 },
    ),
  },
);
/** A decoded FetchResponse. */
export type FetchResponse = MessageValue<typeof FetchResponse>;
