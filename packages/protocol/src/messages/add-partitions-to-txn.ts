/**
 * AddPartitionsToTxn (API key 24).
 */
import { type MessageValue, message, struct, t } from '../schema/dsl.js';

/** `AddPartitionsToTxnTopic`, shared by several fields of AddPartitionsToTxnRequest. */
const AddPartitionsToTxnRequest_AddPartitionsToTxnTopic = struct('AddPartitionsToTxnTopic', {
  /** The name of the topic. */
  name: t.string(),
  /** The partition indexes to add to the transaction */
  partitions: t.array('int32'),
});

/** The AddPartitionsToTxn request schema, every version. */
export const AddPartitionsToTxnRequest = message(
  {
    name: 'AddPartitionsToTxnRequest',
    type: 'request',
    apiKey: 24,
    validVersions: '0-5',
    flexibleVersions: '3+',
  },
  {
    /** List of transactions to add partitions to. */
    transactions: t.array(
      struct('AddPartitionsToTxnTransaction', {
        /** The transactional id corresponding to the transaction. */
        transactionalId: t.string({ versions: '4+' }),
        /** Current producer id in use by the transactional id. */
        producerId: t.int64({ versions: '4+' }),
        /** Current epoch associated with the producer id. */
        producerEpoch: t.int16({ versions: '4+' }),
        /**
         * Boolean to signify if we want to check if the partition is in the transaction rather than
         * add it.
         */
        verifyOnly: t.bool({ versions: '4+', default: false }),
        /** The partitions to add to the transaction. */
        topics: t.array(AddPartitionsToTxnRequest_AddPartitionsToTxnTopic, { versions: '4+' }),
      }),
      { versions: '4+' },
    ),
    /** The transactional id corresponding to the transaction. */
    v3AndBelowTransactionalId: t.string({ versions: '0-3' }),
    /** Current producer id in use by the transactional id. */
    v3AndBelowProducerId: t.int64({ versions: '0-3' }),
    /** Current epoch associated with the producer id. */
    v3AndBelowProducerEpoch: t.int16({ versions: '0-3' }),
    /** The partitions to add to the transaction. */
    v3AndBelowTopics: t.array(AddPartitionsToTxnRequest_AddPartitionsToTxnTopic, { versions: '0-3' }),
  },
);
/** A decoded AddPartitionsToTxnRequest. */
export type AddPartitionsToTxnRequest = MessageValue<typeof AddPartitionsToTxnRequest>;

/** `AddPartitionsToTxnPartitionResult`, shared by several fields of AddPartitionsToTxnResponse. */
const AddPartitionsToTxnResponse_AddPartitionsToTxnPartitionResult = struct(
  'AddPartitionsToTxnPartitionResult',
  {
    /** The partition indexes. */
    partitionIndex: t.int32(),
    /** The response error code. */
    partitionErrorCode: t.int16(),
  },
);

/** `AddPartitionsToTxnTopicResult`, shared by several fields of AddPartitionsToTxnResponse. */
const AddPartitionsToTxnResponse_AddPartitionsToTxnTopicResult = struct('AddPartitionsToTxnTopicResult', {
  /** The topic name. */
  name: t.string(),
  /** The results for each partition */
  resultsByPartition: t.array(AddPartitionsToTxnResponse_AddPartitionsToTxnPartitionResult),
});

/** The AddPartitionsToTxn response schema, every version. */
export const AddPartitionsToTxnResponse = message(
  {
    name: 'AddPartitionsToTxnResponse',
    type: 'response',
    apiKey: 24,
    validVersions: '0-5',
    flexibleVersions: '3+',
  },
  {
    /**
     * Duration in milliseconds for which the request was throttled due to a quota violation, or
     * zero if the request did not violate any quota.
     */
    throttleTimeMs: t.int32(),
    /** The response top level error code. */
    errorCode: t.int16({ versions: '4+', ignorable: true }),
    /** Results categorized by transactional ID. */
    resultsByTransaction: t.array(
      struct('AddPartitionsToTxnResult', {
        /** The transactional id corresponding to the transaction. */
        transactionalId: t.string({ versions: '4+' }),
        /** The results for each topic. */
        topicResults: t.array(AddPartitionsToTxnResponse_AddPartitionsToTxnTopicResult, { versions: '4+' }),
      }),
      { versions: '4+' },
    ),
    /** The results for each topic. */
    resultsByTopicV3AndBelow: t.array(AddPartitionsToTxnResponse_AddPartitionsToTxnTopicResult, {
      versions: '0-3',
    }),
  },
);
/** A decoded AddPartitionsToTxnResponse. */
export type AddPartitionsToTxnResponse = MessageValue<typeof AddPartitionsToTxnResponse>;
