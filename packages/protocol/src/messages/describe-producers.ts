/**
 * DescribeProducers (API key 61).
 */
import { type MessageValue, message, struct, t } from '../schema/dsl.js';

/** The DescribeProducers request schema, every version. */
export const DescribeProducersRequest = message(
  {
    name: 'DescribeProducersRequest',
    type: 'request',
    apiKey: 61,
    validVersions: '0',
    flexibleVersions: '0+',
  },
  {
    topics: t.array(
      struct('TopicRequest', {
        /** The topic name. */
        name: t.string(),
        /** The indexes of the partitions to list producers for. */
        partitionIndexes: t.array('int32'),
      }),
    ),
  },
);
/** A decoded DescribeProducersRequest. */
export type DescribeProducersRequest = MessageValue<typeof DescribeProducersRequest>;

/** The DescribeProducers response schema, every version. */
export const DescribeProducersResponse = message(
  {
    name: 'DescribeProducersResponse',
    type: 'response',
    apiKey: 61,
    validVersions: '0',
    flexibleVersions: '0+',
  },
  {
    /**
     * The duration in milliseconds for which the request was throttled due to a quota violation, or
     * zero if the request did not violate any quota.
     */
    throttleTimeMs: t.int32(),
    /** Each topic in the response. */
    topics: t.array(
      struct('TopicResponse', {
        /** The topic name */
        name: t.string(),
        /** Each partition in the response. */
        partitions: t.array(
          struct('PartitionResponse', {
            /** The partition index. */
            partitionIndex: t.int32(),
            /** The partition error code, or 0 if there was no error. */
            errorCode: t.int16(),
            /** The partition error message, which may be null if no additional details are available */
            errorMessage: t.string({ nullableVersions: '0+', default: null }),
            activeProducers: t.array(
              struct('ProducerState', {
                producerId: t.int64(),
                producerEpoch: t.int32(),
                lastSequence: t.int32({ default: -1 }),
                lastTimestamp: t.int64({ default: -1 }),
                coordinatorEpoch: t.int32(),
                currentTxnStartOffset: t.int64({ default: -1 }),
              }),
            ),
          }),
        ),
      }),
    ),
  },
);
/** A decoded DescribeProducersResponse. */
export type DescribeProducersResponse = MessageValue<typeof DescribeProducersResponse>;
