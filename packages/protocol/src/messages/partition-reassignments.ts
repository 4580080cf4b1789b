/**
 * AlterPartitionReassignments (API key 45) and ListPartitionReassignments (API key 46): moving
 * partition replicas between brokers, as `kafka-reassign-partitions.sh` drives it.
 */
import { type MessageValue, message, struct, t } from '../schema/dsl.js';

/** The AlterPartitionReassignments request schema, every version. */
export const AlterPartitionReassignmentsRequest = message(
  {
    name: 'AlterPartitionReassignmentsRequest',
    type: 'request',
    apiKey: 45,
    validVersions: '0',
    flexibleVersions: '0+',
  },
  {
    /** The time in ms to wait for the request to complete. */
    timeoutMs: t.int32({ default: 60000 }),
    /** The topics to reassign. */
    topics: t.array(
      struct('ReassignableTopic', {
        /** The topic name. */
        name: t.string(),
        /** The partitions to reassign. */
        partitions: t.array(
          struct('ReassignablePartition', {
            /** The partition index. */
            partitionIndex: t.int32(),
            /** The replicas to place the partitions on, or null to cancel a pending reassignment for this partition. */
            replicas: t.array('int32', { nullableVersions: '0+', default: null }),
          }),
        ),
      }),
    ),
  },
);
/** A decoded AlterPartitionReassignmentsRequest. */
export type AlterPartitionReassignmentsRequest = MessageValue<typeof AlterPartitionReassignmentsRequest>;

/** The AlterPartitionReassignments response schema, every version. */
export const AlterPartitionReassignmentsResponse = message(
  {
    name: 'AlterPartitionReassignmentsResponse',
    type: 'response',
    apiKey: 45,
    validVersions: '0',
    flexibleVersions: '0+',
  },
  {
    /** The duration in milliseconds for which the request was throttled due to a quota violation, or zero if the request did not violate any quota. */
    throttleTimeMs: t.int32(),
    /** The top-level error code, or 0 if there was no error. */
    errorCode: t.int16(),
    /** The top-level error message, or null if there was no error. */
    errorMessage: t.string({ nullableVersions: '0+' }),
    /** The responses to topics to reassign. */
    responses: t.array(
      struct('ReassignableTopicResponse', {
        /** The topic name */
        name: t.string(),
        /** The responses to partitions to reassign */
        partitions: t.array(
          struct('ReassignablePartitionResponse', {
            /** The partition index. */
            partitionIndex: t.int32(),
            /** The error code for this partition, or 0 if there was no error. */
            errorCode: t.int16(),
            /** The error message for this partition, or null if there was no error. */
            errorMessage: t.string({ nullableVersions: '0+' }),
          }),
        ),
      }),
    ),
  },
);
/** A decoded AlterPartitionReassignmentsResponse. */
export type AlterPartitionReassignmentsResponse = MessageValue<typeof AlterPartitionReassignmentsResponse>;

/** The ListPartitionReassignments request schema, every version. */
export const ListPartitionReassignmentsRequest = message(
  {
    name: 'ListPartitionReassignmentsRequest',
    type: 'request',
    apiKey: 46,
    validVersions: '0',
    flexibleVersions: '0+',
  },
  {
    /** The time in ms to wait for the request to complete. */
    timeoutMs: t.int32({ default: 60000 }),
    /** The topics to list partition reassignments for, or null to list everything. */
    topics: t.array(
      struct('ListPartitionReassignmentsTopics', {
        /** The topic name */
        name: t.string(),
        /** The partitions to list partition reassignments for. */
        partitionIndexes: t.array('int32'),
      }),
      { nullableVersions: '0+', default: null },
    ),
  },
);
/** A decoded ListPartitionReassignmentsRequest. */
export type ListPartitionReassignmentsRequest = MessageValue<typeof ListPartitionReassignmentsRequest>;

/** The ListPartitionReassignments response schema, every version. */
export const ListPartitionReassignmentsResponse = message(
  {
    name: 'ListPartitionReassignmentsResponse',
    type: 'response',
    apiKey: 46,
    validVersions: '0',
    flexibleVersions: '0+',
  },
  {
    /** The duration in milliseconds for which the request was throttled due to a quota violation, or zero if the request did not violate any quota. */
    throttleTimeMs: t.int32(),
    /** The top-level error code, or 0 if there was no error */
    errorCode: t.int16(),
    /** The top-level error message, or null if there was no error. */
    errorMessage: t.string({ nullableVersions: '0+' }),
    /** The ongoing reassignments for each topic. */
    topics: t.array(
      struct('OngoingTopicReassignment', {
        /** The topic name. */
        name: t.string(),
        /** The ongoing reassignments for each partition. */
        partitions: t.array(
          struct('OngoingPartitionReassignment', {
            /** The index of the partition. */
            partitionIndex: t.int32(),
            /** The current replica set. */
            replicas: t.array('int32'),
            /** The set of replicas we are currently adding. */
            addingReplicas: t.array('int32'),
            /** The set of replicas we are currently removing. */
            removingReplicas: t.array('int32'),
          }),
        ),
      }),
    ),
  },
);
/** A decoded ListPartitionReassignmentsResponse. */
export type ListPartitionReassignmentsResponse = MessageValue<typeof ListPartitionReassignmentsResponse>;
