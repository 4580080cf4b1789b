/**
 * TxnOffsetCommit (API key 28).
 */
import { type MessageValue, message, struct, t } from '../schema/dsl.js';

/** The TxnOffsetCommit request schema, every version. */
export const TxnOffsetCommitRequest = message(
  {
    name: 'TxnOffsetCommitRequest',
    type: 'request',
    apiKey: 28,
    validVersions: '0-4',
    flexibleVersions: '3+',
  },
  {
    /** The ID of the transaction. */
    transactionalId: t.string(),
    /** The ID of the group. */
    groupId: t.string(),
    /** The current producer ID in use by the transactional ID. */
    producerId: t.int64(),
    /** The current epoch associated with the producer ID. */
    producerEpoch: t.int16(),
    /** The generation of the consumer. */
    generationId: t.int32({ versions: '3+', default: -1 }),
    /** The member ID assigned by the group coordinator. */
    memberId: t.string({ versions: '3+', default: '' }),
    /** The unique identifier of the consumer instance provided by end user. */
    groupInstanceId: t.string({ versions: '3+', nullableVersions: '3+', default: null }),
    /** Each topic that we want to commit offsets for. */
    topics: t.array(
      struct('TxnOffsetCommitRequestTopic', {
        /** The topic name. */
        name: t.string(),
        /** The partitions inside the topic that we want to commit offsets for. */
        partitions: t.array(
          struct('TxnOffsetCommitRequestPartition', {
            /** The index of the partition within the topic. */
            partitionIndex: t.int32(),
            /** The message offset to be committed. */
            committedOffset: t.int64(),
            /** The leader epoch of the last consumed record. */
            committedLeaderEpoch: t.int32({ versions: '2+', default: -1, ignorable: true }),
            /** Any associated metadata the client wants to keep. */
            committedMetadata: t.string({ nullableVersions: '0+' }),
          }),
        ),
      }),
    ),
  },
);
/** A decoded TxnOffsetCommitRequest. */
export type TxnOffsetCommitRequest = MessageValue<typeof TxnOffsetCommitRequest>;

/** The TxnOffsetCommit response schema, every version. */
export const TxnOffsetCommitResponse = message(
  {
    name: 'TxnOffsetCommitResponse',
    type: 'response',
    apiKey: 28,
    validVersions: '0-4',
    flexibleVersions: '3+',
  },
  {
    /**
     * The duration in milliseconds for which the request was throttled due to a quota violation, or
     * zero if the request did not violate any quota.
     */
    throttleTimeMs: t.int32(),
    /** The responses for each topic. */
    topics: t.array(
      struct('TxnOffsetCommitResponseTopic', {
        /** The topic name. */
        name: t.string(),
        /** The responses for each partition in the topic. */
        partitions: t.array(
          struct('TxnOffsetCommitResponsePartition', {
            /** The partition index. */
            partitionIndex: t.int32(),
            /** The error code, or 0 if there was no error. */
            errorCode: t.int16(),
          }),
        ),
      }),
    ),
  },
);
/** A decoded TxnOffsetCommitResponse. */
export type TxnOffsetCommitResponse = MessageValue<typeof TxnOffsetCommitResponse>;
