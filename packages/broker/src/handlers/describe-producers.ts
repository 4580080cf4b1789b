/**
 * DescribeProducers (KIP-664): the producers in each partition's producer state, with their
 * epoch, last sequence and timestamp, the epoch of the coordinator that wrote their last marker,
 * and the first offset of their open transaction (-1 when none is open). `kafka-transactions.sh`
 * uses it to find hanging transactions and the arguments to abort one.
 *
 * Errors as Kafka's `KafkaApis.handleDescribeProducersRequest`: a topic the cluster does not know
 * is UNKNOWN_TOPIC_OR_PARTITION for each of its partitions, and so is a partition the topic does
 * not have; a partition this broker does not lead is NOT_LEADER_OR_FOLLOWER. (Kafka answers from
 * any replica's log; ours hold no log on followers, so only the leader can answer truthfully.)
 */

import { AclOperation, ErrorCode, ResourceType } from '@tskafka/protocol';
import { Api, type MessageInput } from '@tskafka/protocol/internals';
import { ApiError } from '../api-error.js';
import { authorize } from '../auth/request-auth.js';
import { defineHandler, type RequestContext } from '../handler.js';
import type { ProducerEntry } from '../producer-state.js';

type Response = MessageInput<typeof Api.DescribeProducers.response>;
type PartitionResponse = Response['topics'][number]['partitions'][number];
type ProducerStateResponse = PartitionResponse['activeProducers'][number];

/** RecordBatch.NO_SEQUENCE: a producer whose batches are no longer known (e.g. only markers). */
const NO_SEQUENCE = -1;

/** One producer as DescribeProducers shows it (Kafka's `ProducerStateEntry` fields). */
function producerState(e: ProducerEntry): ProducerStateResponse {
  const last = e.batches[e.batches.length - 1];
  return {
    producerId: e.producerId,
    producerEpoch: e.epoch,
    lastSequence: last === undefined ? NO_SEQUENCE : last.lastSeq,
    lastTimestamp: e.lastTimestamp,
    coordinatorEpoch: e.coordinatorEpoch,
    currentTxnStartOffset: e.currentTxnFirstOffset,
  };
}

function describePartition(ctx: RequestContext, topic: string, partitionIndex: number): PartitionResponse {
  try {
    const p = ctx.node.replicaManager.leaderPartition(topic, partitionIndex);
    return {
      partitionIndex,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      activeProducers: [...p.producerState.producers.values()].map(producerState),
    };
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    return { partitionIndex, errorCode: e.code, errorMessage: e.message, activeProducers: [] };
  }
}

/** DescribeProducers handler (v0). */
export const describeProducersHandler = defineHandler({
  api: Api.DescribeProducers,
  minVersion: 0,
  maxVersion: 0,
  handle(ctx, req) {
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => {
        const known = ctx.node.metadata.topics.has(t.name);
        const allowed = authorize(ctx, AclOperation.READ, ResourceType.TOPIC, t.name);
        return {
          name: t.name,
          partitions: t.partitionIndexes.map((partitionIndex) =>
            !allowed
              ? {
                  partitionIndex,
                  errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
                  errorMessage: null,
                  activeProducers: [],
                }
              : known
                ? describePartition(ctx, t.name, partitionIndex)
                : {
                    partitionIndex,
                    errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
                    errorMessage: 'This server does not host this topic-partition.',
                    activeProducers: [],
                  },
          ),
        };
      }),
    };
  },
  errorResponse(req, errorCode) {
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitionIndexes.map((partitionIndex) => ({
          partitionIndex,
          errorCode,
          errorMessage: null,
          activeProducers: [],
        })),
      })),
    };
  },
});
