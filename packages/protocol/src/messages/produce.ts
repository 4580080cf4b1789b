/**
 * Produce (API key 0).
 */
import { type MessageValue, message, struct, t } from '../schema/dsl.js';

/** The Produce request schema, every version. */
export const ProduceRequest = message(
  { name: 'ProduceRequest', type: 'request', apiKey: 0, validVersions: '0-11', flexibleVersions: '9+' },
  {
    /** The transactional ID, or null if the producer is not transactional. */
    transactionalId: t.string({ versions: '3+', nullableVersions: '3+', default: null }),
    /**
     * The number of acknowledgments the producer requires the leader to have received before
     * considering a request complete. Allowed values: 0 for no acknowledgments, 1 for only the
     * leader and -1 for the full ISR.
     */
    acks: t.int16(),
    /** The timeout to await a response in milliseconds. */
    timeoutMs: t.int32(),
    /** Each topic to produce to. */
    topicData: t.array(
      struct('TopicProduceData', {
        /** The topic name. */
        name: t.string(),
        /** Each partition to produce to. */
        partitionData: t.array(
          struct('PartitionProduceData', {
            /** The partition index. */
            index: t.int32(),
            /** The record data to be produced. */
            records: t.records({ nullableVersions: '0+' }),
          }),
        ),
      }),
    ),
  },
);
/** A decoded ProduceRequest. */
export type ProduceRequest = MessageValue<typeof ProduceRequest>;

/** The Produce response schema, every version. */
export const ProduceResponse = message(
  { name: 'ProduceResponse', type: 'response', apiKey: 0, validVersions: '0-11', flexibleVersions: '9+' },
  {
    /** Each produce response */
    responses: t.array(
      struct('TopicProduceResponse', {
        /** The topic name */
        name: t.string(),
        /** Each partition that we produced to within the topic. */
        partitionResponses: t.array(
          struct('PartitionProduceResponse', {
            /** The partition index. */
            index: t.int32(),
            /** The error code, or 0 if there was no error. */
            errorCode: t.int16(),
            /** The base offset. */
            baseOffset: t.int64(),
            /**
             * The timestamp returned by broker after appending the messages. If CreateTime is used
             * for the topic, the timestamp will be -1.  If LogAppendTime is used for the topic, the
             * timestamp will be the broker local time when the messages are appended.
             */
            logAppendTimeMs: t.int64({ versions: '2+', default: -1, ignorable: true }),
            /** The log start offset. */
            logStartOffset: t.int64({ versions: '5+', default: -1, ignorable: true }),
            /** The batch indices of records that caused the batch to be dropped */
            recordErrors: t.array(
              struct('BatchIndexAndErrorMessage', {
                /** The batch index of the record that cause the batch to be dropped */
                batchIndex: t.int32({ versions: '8+' }),
                /** The error message of the record that caused the batch to be dropped */
                batchIndexErrorMessage: t.string({ versions: '8+', nullableVersions: '8+', default: null }),
              }),
              { versions: '8+', ignorable: true },
            ),
            /**
             * The global error message summarizing the common root cause of the records that caused
             * the batch to be dropped
             */
            errorMessage: t.string({
              versions: '8+',
              nullableVersions: '8+',
              default: null,
              ignorable: true,
            }),
            currentLeader: t.struct(
              struct('LeaderIdAndEpoch', {
                /** The ID of the current leader or -1 if the leader is unknown. */
                leaderId: t.int32({ versions: '10+', default: -1 }),
                /** The latest known leader epoch */
                leaderEpoch: t.int32({ versions: '10+', default: -1 }),
              }),
              { versions: '10+', taggedVersions: '10+', tag: 0 },
            ),
          }),
        ),
      }),
    ),
    /**
     * The duration in milliseconds for which the request was throttled due to a quota violation, or
     * zero if the request did not violate any quota.
     */
    throttleTimeMs: t.int32({ versions: '1+', default: 0, ignorable: true }),
    /**
     * Endpoints for all current-leaders enumerated in PartitionProduceResponses, with errors
     * NOT_LEADER_OR_FOLLOWER.
     */
    nodeEndpoints: t.array(
      struct('NodeEndpoint', {
        /** The ID of the associated node. */
        nodeId: t.int32({ versions: '10+' }),
        /** The node's hostname. */
        host: t.string({ versions: '10+' }),
        /** The node's port. */
        port: t.int32({ versions: '10+' }),
        /** The rack of the node, or null if it has not been assigned to a rack. */
        rack: t.string({ versions: '10+', nullableVersions: '10+', default: null }),
      }),
      { versions: '10+', taggedVersions: '10+', tag: 0 },
    ),
  },
);
/** A decoded ProduceResponse. */
export type ProduceResponse = MessageValue<typeof ProduceResponse>;
