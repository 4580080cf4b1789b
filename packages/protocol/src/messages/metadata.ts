/**
 * Metadata (API key 3).
 */
import { type MessageValue, message, struct, t } from '../schema/dsl.js';

/** The Metadata request schema, every version. */
export const MetadataRequest = message(
  { name: 'MetadataRequest', type: 'request', apiKey: 3, validVersions: '0-12', flexibleVersions: '9+' },
  {
    /** The topics to fetch metadata for. */
    topics: t.array(
      struct('MetadataRequestTopic', {
        /** The topic id. */
        topicId: t.uuid({ versions: '10+', ignorable: true }),
        /** The topic name. */
        name: t.string({ nullableVersions: '10+' }),
      }),
      { nullableVersions: '1+' },
    ),
    /**
     * If this is true, the broker may auto-create topics that we requested which do not already
     * exist, if it is configured to do so.
     */
    allowAutoTopicCreation: t.bool({ versions: '4+', default: true }),
    /** Whether to include cluster authorized operations. */
    includeClusterAuthorizedOperations: t.bool({ versions: '8-10' }),
    /** Whether to include topic authorized operations. */
    includeTopicAuthorizedOperations: t.bool({ versions: '8+' }),
  },
);
/** A decoded MetadataRequest. */
export type MetadataRequest = MessageValue<typeof MetadataRequest>;

/** The Metadata response schema, every version. */
export const MetadataResponse = message(
  { name: 'MetadataResponse', type: 'response', apiKey: 3, validVersions: '0-12', flexibleVersions: '9+' },
  {
    /**
     * The duration in milliseconds for which the request was throttled due to a quota violation, or
     * zero if the request did not violate any quota.
     */
    throttleTimeMs: t.int32({ versions: '3+', ignorable: true }),
    /** A list of brokers present in the cluster. */
    brokers: t.array(
      struct('MetadataResponseBroker', {
        /** The broker ID. */
        nodeId: t.int32(),
        /** The broker hostname. */
        host: t.string(),
        /** The broker port. */
        port: t.int32(),
        /** The rack of the broker, or null if it has not been assigned to a rack. */
        rack: t.string({ versions: '1+', nullableVersions: '1+', default: null, ignorable: true }),
      }),
    ),
    /** The cluster ID that responding broker belongs to. */
    clusterId: t.string({ versions: '2+', nullableVersions: '2+', default: null, ignorable: true }),
    /** The ID of the controller broker. */
    controllerId: t.int32({ versions: '1+', default: -1, ignorable: true }),
    /** Each topic in the response. */
    topics: t.array(
      struct('MetadataResponseTopic', {
        /** The topic error, or 0 if there was no error. */
        errorCode: t.int16(),
        /**
         * The topic name. Null for non-existing topics queried by ID. This is never null when
         * ErrorCode is zero. One of Name and TopicId is always populated.
         */
        name: t.string({ nullableVersions: '12+' }),
        /**
         * The topic id. Zero for non-existing topics queried by name. This is never zero when
         * ErrorCode is zero. One of Name and TopicId is always populated.
         */
        topicId: t.uuid({ versions: '10+', ignorable: true }),
        /** True if the topic is internal. */
        isInternal: t.bool({ versions: '1+', default: false, ignorable: true }),
        /** Each partition in the topic. */
        partitions: t.array(
          struct('MetadataResponsePartition', {
            /** The partition error, or 0 if there was no error. */
            errorCode: t.int16(),
            /** The partition index. */
            partitionIndex: t.int32(),
            /** The ID of the leader broker. */
            leaderId: t.int32(),
            /** The leader epoch of this partition. */
            leaderEpoch: t.int32({ versions: '7+', default: -1, ignorable: true }),
            /** The set of all nodes that host this partition. */
            replicaNodes: t.array('int32'),
            /** The set of nodes that are in sync with the leader for this partition. */
            isrNodes: t.array('int32'),
            /** The set of offline replicas of this partition. */
            offlineReplicas: t.array('int32', { versions: '5+', ignorable: true }),
          }),
        ),
        /** 32-bit bitfield to represent authorized operations for this topic. */
        topicAuthorizedOperations: t.int32({ versions: '8+', default: -2147483648 }),
      }),
    ),
    /** 32-bit bitfield to represent authorized operations for this cluster. */
    clusterAuthorizedOperations: t.int32({ versions: '8-10', default: -2147483648 }),
  },
);
/** A decoded MetadataResponse. */
export type MetadataResponse = MessageValue<typeof MetadataResponse>;
