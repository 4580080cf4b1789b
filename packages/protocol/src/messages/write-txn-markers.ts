/**
 * WriteTxnMarkers (API key 27).
 */
import { type MessageValue, message, struct, t } from '../schema/dsl.js';

/** The WriteTxnMarkers request schema, every version. */
export const WriteTxnMarkersRequest = message(
  {
    name: 'WriteTxnMarkersRequest',
    type: 'request',
    apiKey: 27,
    validVersions: '0-1',
    flexibleVersions: '1+',
  },
  {
    /** The transaction markers to be written. */
    markers: t.array(
      struct('WritableTxnMarker', {
        /** The current producer ID. */
        producerId: t.int64(),
        /** The current epoch associated with the producer ID. */
        producerEpoch: t.int16(),
        /** The result of the transaction to write to the partitions (false = ABORT, true = COMMIT). */
        transactionResult: t.bool(),
        /** Each topic that we want to write transaction marker(s) for. */
        topics: t.array(
          struct('WritableTxnMarkerTopic', {
            /** The topic name. */
            name: t.string(),
            /** The indexes of the partitions to write transaction markers for. */
            partitionIndexes: t.array('int32'),
          }),
        ),
        /**
         * Epoch associated with the transaction state partition hosted by this transaction
         * coordinator
         */
        coordinatorEpoch: t.int32(),
      }),
    ),
  },
);
/** A decoded WriteTxnMarkersRequest. */
export type WriteTxnMarkersRequest = MessageValue<typeof WriteTxnMarkersRequest>;

/** The WriteTxnMarkers response schema, every version. */
export const WriteTxnMarkersResponse = message(
  {
    name: 'WriteTxnMarkersResponse',
    type: 'response',
    apiKey: 27,
    validVersions: '0-1',
    flexibleVersions: '1+',
  },
  {
    /** The results for writing makers. */
    markers: t.array(
      struct('WritableTxnMarkerResult', {
        /** The current producer ID in use by the transactional ID. */
        producerId: t.int64(),
        /** The results by topic. */
        topics: t.array(
          struct('WritableTxnMarkerTopicResult', {
            /** The topic name. */
            name: t.string(),
            /** The results by partition. */
            partitions: t.array(
              struct('WritableTxnMarkerPartitionResult', {
                /** The partition index. */
                partitionIndex: t.int32(),
                /** The error code, or 0 if there was no error. */
                errorCode: t.int16(),
              }),
            ),
          }),
        ),
      }),
    ),
  },
);
/** A decoded WriteTxnMarkersResponse. */
export type WriteTxnMarkersResponse = MessageValue<typeof WriteTxnMarkersResponse>;
