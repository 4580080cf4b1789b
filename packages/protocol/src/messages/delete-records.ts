/**
 * DeleteRecords (API key 21).
 */
import { type MessageValue, message, struct, t } from '../schema/dsl.js';

/** The DeleteRecords request schema, every version. */
export const DeleteRecordsRequest = message(
  { name: 'DeleteRecordsRequest', type: 'request', apiKey: 21, validVersions: '0-2', flexibleVersions: '2+' },
  {
    /** Each topic that we want to delete records from. */
    topics: t.array(
      struct('DeleteRecordsTopic', {
        /** The topic name. */
        name: t.string(),
        /** Each partition that we want to delete records from. */
        partitions: t.array(
          struct('DeleteRecordsPartition', {
            /** The partition index. */
            partitionIndex: t.int32(),
            /** The deletion offset. */
            offset: t.int64(),
          }),
        ),
      }),
    ),
    /** How long to wait for the deletion to complete, in milliseconds. */
    timeoutMs: t.int32(),
  },
);
/** A decoded DeleteRecordsRequest. */
export type DeleteRecordsRequest = MessageValue<typeof DeleteRecordsRequest>;

/** The DeleteRecords response schema, every version. */
export const DeleteRecordsResponse = message(
  {
    name: 'DeleteRecordsResponse',
    type: 'response',
    apiKey: 21,
    validVersions: '0-2',
    flexibleVersions: '2+',
  },
  {
    /**
     * The duration in milliseconds for which the request was throttled due to a quota violation, or
     * zero if the request did not violate any quota.
     */
    throttleTimeMs: t.int32(),
    /** Each topic that we wanted to delete records from. */
    topics: t.array(
      struct('DeleteRecordsTopicResult', {
        /** The topic name. */
        name: t.string(),
        /** Each partition that we wanted to delete records from. */
        partitions: t.array(
          struct('DeleteRecordsPartitionResult', {
            /** The partition index. */
            partitionIndex: t.int32(),
            /** The partition low water mark. */
            lowWatermark: t.int64(),
            /** The deletion error code, or 0 if the deletion succeeded. */
            errorCode: t.int16(),
          }),
        ),
      }),
    ),
  },
);
/** A decoded DeleteRecordsResponse. */
export type DeleteRecordsResponse = MessageValue<typeof DeleteRecordsResponse>;
