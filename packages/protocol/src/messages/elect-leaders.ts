/**
 * ElectLeaders (API key 43).
 */
import { type MessageValue, message, struct, t } from '../schema/dsl.js';

/** The ElectLeaders request schema, every version. */
export const ElectLeadersRequest = message(
  { name: 'ElectLeadersRequest', type: 'request', apiKey: 43, validVersions: '0-2', flexibleVersions: '2+' },
  {
    /**
     * Type of elections to conduct for the partition. A value of '0' elects the preferred replica. A
     * value of '1' elects the first live replica if there are no in-sync replica.
     */
    electionType: t.int8({ versions: '1+' }),
    /** The topic partitions to elect leaders (null: every partition). */
    topicPartitions: t.array(
      struct('TopicPartitions', {
        /** The name of a topic. */
        topic: t.string(),
        /** The partitions of this topic whose leader should be elected. */
        partitions: t.array('int32'),
      }),
      { nullableVersions: '0+' },
    ),
    /** The time in ms to wait for the election to complete. */
    timeoutMs: t.int32({ default: 60000 }),
  },
);
/** A decoded ElectLeadersRequest. */
export type ElectLeadersRequest = MessageValue<typeof ElectLeadersRequest>;

/** The ElectLeaders response schema, every version. */
export const ElectLeadersResponse = message(
  {
    name: 'ElectLeadersResponse',
    type: 'response',
    apiKey: 43,
    validVersions: '0-2',
    flexibleVersions: '2+',
  },
  {
    /**
     * The duration in milliseconds for which the request was throttled due to a quota violation, or
     * zero if the request did not violate any quota.
     */
    throttleTimeMs: t.int32(),
    /** The top level response error code. */
    errorCode: t.int16({ versions: '1+' }),
    /** The election results, or an empty array if the requester did not have permission and the request asks for all partitions. */
    replicaElectionResults: t.array(
      struct('ReplicaElectionResult', {
        /** The topic name. */
        topic: t.string(),
        /** The results for each partition. */
        partitionResult: t.array(
          struct('PartitionResult', {
            /** The partition id. */
            partitionId: t.int32(),
            /** The result error, or zero if there was no error. */
            errorCode: t.int16(),
            /** The result message, or null if there was no error. */
            errorMessage: t.string({ nullableVersions: '0+' }),
          }),
        ),
      }),
    ),
  },
);
/** A decoded ElectLeadersResponse. */
export type ElectLeadersResponse = MessageValue<typeof ElectLeadersResponse>;
