/**
 * Produce: validates each partition's record batches (magic, sizes, CRC, sequence), assigns
 * offsets and appends to the leader's log. acks=0 gets no answer (and a connection close on
 * error, as Kafka signals it); acks=1 and acks=all answer once the data is in the log, which for a
 * single replica is the whole ISR.
 */
import { Api, ErrorCode, type MessageInput } from '@tskafka/protocol';
import { ApiError, errorCodeOf } from '../api-error.js';
import { defineHandler, NO_RESPONSE } from '../handler.js';

type Response = MessageInput<typeof Api.Produce.response>;
type PartitionResponse = Response['responses'][number]['partitionResponses'][number];

function errorPartition(
  index: number,
  errorCode: number,
  errorMessage: string | null = null,
): PartitionResponse {
  return { index, errorCode, baseOffset: -1, logAppendTimeMs: -1, logStartOffset: -1, errorMessage };
}

/**
 * Whether the logs may keep the request's record bytes uncopied. They are views of the request
 * frame, which nothing else holds or writes once the request is handled; but a view keeps the
 * whole buffer under it alive, so only when the records are most of that buffer (not a small
 * batch inside a socket read that also carried other requests).
 */
function mayAdoptRecords(req: { topicData: { partitionData: { records: Buffer | null }[] }[] }): boolean {
  let bytes = 0;
  let backing = 0;
  for (const t of req.topicData) {
    for (const p of t.partitionData) {
      if (!p.records) continue;
      bytes += p.records.length;
      backing = p.records.buffer.byteLength;
    }
  }
  return bytes * 2 >= backing;
}

/** Produce handler. */
export const produceHandler = defineHandler({
  api: Api.Produce,
  minVersion: 3,
  maxVersion: 11,
  expectsResponse: (req) => req.acks !== 0,
  handle(ctx, req) {
    const { node, now } = ctx;
    const acks = req.acks;
    let anyError = false;
    const adopt = mayAdoptRecords(req);
    const responses = req.topicData.map((t) => {
      const topic = node.metadata.topics.get(t.name);
      return {
        name: t.name,
        partitionResponses: t.partitionData.map((p): PartitionResponse => {
          try {
            if (acks !== 0 && acks !== 1 && acks !== -1) {
              throw new ApiError(ErrorCode.INVALID_REQUIRED_ACKS, `Invalid required acks ${acks}`);
            }
            if (!topic) {
              throw new ApiError(
                ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
                'This server does not host this topic-partition.',
              );
            }
            if (topic.internal) {
              throw new ApiError(
                ErrorCode.INVALID_TOPIC_EXCEPTION,
                `Cannot append to internal topic ${t.name}`,
              );
            }
            if (!p.records || p.records.length === 0) {
              throw new ApiError(ErrorCode.INVALID_RECORD, 'Produce request with no record batches');
            }
            const state = topic.partitions[p.index];
            if (acks === -1 && state && state.isr.length < node.config.minInsyncReplicas) {
              throw new ApiError(
                ErrorCode.NOT_ENOUGH_REPLICAS,
                `The size of the current ISR ${state.isr.length} is insufficient to satisfy the min.isr requirement of ${node.config.minInsyncReplicas}`,
              );
            }
            const r = node.replicaManager.appendToLeader(t.name, p.index, p.records, now, adopt);
            return {
              index: p.index,
              errorCode: 0,
              baseOffset: r.baseOffset,
              logAppendTimeMs: r.logAppendTime,
              logStartOffset: r.logStartOffset,
              errorMessage: null,
            };
          } catch (e) {
            anyError = true;
            if (!(e instanceof ApiError)) {
              node.log('error', `produce to ${t.name}-${p.index} failed: ${(e as Error).stack}`);
              return errorPartition(p.index, ErrorCode.UNKNOWN_SERVER_ERROR, (e as Error).message);
            }
            return errorPartition(p.index, errorCodeOf(e), e.message);
          }
        }),
      };
    });
    if (acks === 0) {
      // The client reads no response; closing the connection is how Kafka tells it something failed.
      if (anyError) ctx.connection.fail('acks=0 produce failed');
      return NO_RESPONSE;
    }
    return { responses, throttleTimeMs: 0 };
  },
  errorResponse(req, errorCode) {
    return {
      throttleTimeMs: 0,
      responses: req.topicData.map((t) => ({
        name: t.name,
        partitionResponses: t.partitionData.map((p) => errorPartition(p.index, errorCode)),
      })),
    };
  },
});
