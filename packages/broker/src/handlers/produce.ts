/**
 * Produce: validates each partition's record batches (magic, sizes, CRC, sequence), assigns
 * offsets and appends to the leader's log. acks=0 gets no answer (and a connection close on
 * error, as Kafka signals it); acks=1 answers once the data is in the leader's log; acks=all
 * refuses with NOT_ENOUGH_REPLICAS when the ISR is smaller than `min.insync.replicas`, else waits
 * in the produce purgatory until the high watermark covers the append (at once for a lone
 * replica), or answers REQUEST_TIMED_OUT after the request's `timeoutMs`.
 */

import { AclOperation, ErrorCode, ResourceType } from '@tskafka/protocol';
import { Api, type MessageInput } from '@tskafka/protocol/internals';
import { ApiError, errorCodeOf } from '../api-error.js';
import { authorize, notAuthorized } from '../auth/request-auth.js';
import { defineHandler, NO_RESPONSE } from '../handler.js';
import type { TopicState } from '../metadata.js';
import type { Partition } from '../partition.js';

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

/** An acks=all partition append waiting for the high watermark (Kafka's `ProducePartitionStatus`). */
interface PendingAck {
  response: PartitionResponse;
  partition: Partition;
  leaderEpoch: number;
  /** The offset after the appended records: the high watermark must reach it. */
  requiredOffset: number;
  minIsr: number;
}

/**
 * Where an acks=all append stands (Kafka's `checkEnoughReplicasReachOffset`): null while the high
 * watermark is below it; then NONE, or NOT_ENOUGH_REPLICAS_AFTER_APPEND when the ISR shrank below
 * `min.insync.replicas` meanwhile; NOT_LEADER_OR_FOLLOWER once this replica lost the leadership.
 */
function ackStatus(w: PendingAck): number | null {
  const p = w.partition;
  if (!p.isLeader || p.leaderEpoch !== w.leaderEpoch) return ErrorCode.NOT_LEADER_OR_FOLLOWER;
  if (p.highWatermark < w.requiredOffset) return null;
  return p.isr.length >= w.minIsr ? ErrorCode.NONE : ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND;
}

/** Puts each pending partition's outcome into its response; returns whether all are decided. */
function settle(pending: PendingAck[], expired: boolean): boolean {
  let done = true;
  for (const w of pending) {
    const status = ackStatus(w) ?? (expired ? ErrorCode.REQUEST_TIMED_OUT : null);
    if (status === null) done = false;
    else if (status !== ErrorCode.NONE) Object.assign(w.response, errorPartition(w.response.index, status));
  }
  return done;
}

/** `min.insync.replicas` of a topic: its override, else the broker's. */
function minInsyncReplicas(topic: TopicState, brokerDefault: number): number {
  const override = topic.configs.get('min.insync.replicas');
  return override === undefined ? brokerDefault : Number(override);
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
    const pending: PendingAck[] = [];
    if (
      req.transactionalId !== null &&
      !authorize(ctx, AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, req.transactionalId)
    ) {
      if (acks === 0) {
        ctx.connection.fail('acks=0 produce failed: transactional id not authorized');
        return NO_RESPONSE;
      }
      return {
        throttleTimeMs: 0,
        responses: req.topicData.map((t) => ({
          name: t.name,
          partitionResponses: t.partitionData.map((p) =>
            errorPartition(p.index, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED),
          ),
        })),
      };
    }
    const responses = req.topicData.map((t) => {
      const topic = node.metadata.topics.get(t.name);
      const allowed = authorize(ctx, AclOperation.WRITE, ResourceType.TOPIC, t.name);
      return {
        name: t.name,
        partitionResponses: t.partitionData.map((p): PartitionResponse => {
          try {
            if (acks !== 0 && acks !== 1 && acks !== -1) {
              throw new ApiError(ErrorCode.INVALID_REQUIRED_ACKS, `Invalid required acks ${acks}`);
            }
            if (!allowed) {
              throw notAuthorized(t.name);
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
            const part = node.replicaManager.leaderPartition(t.name, p.index);
            const minIsr = acks === -1 ? minInsyncReplicas(topic, node.config.minInsyncReplicas) : 0;
            if (part.isr.length < minIsr) {
              throw new ApiError(
                ErrorCode.NOT_ENOUGH_REPLICAS,
                `The size of the current ISR ${part.isr.length} is insufficient to satisfy the min.isr requirement of ${minIsr} for partition ${part.key}`,
              );
            }
            const r = node.replicaManager.appendToLeader(t.name, p.index, p.records, now, adopt);
            const response = {
              index: p.index,
              errorCode: 0,
              baseOffset: r.baseOffset,
              logAppendTimeMs: r.logAppendTime,
              logStartOffset: r.logStartOffset,
              errorMessage: null,
            };
            if (acks === -1) {
              const requiredOffset = r.lastOffset + 1;
              pending.push({
                response,
                partition: part,
                leaderEpoch: part.leaderEpoch,
                requiredOffset,
                minIsr,
              });
            }
            return response;
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
    // The log copied the records (on disk, or a small part of a large buffer): the request's
    // memory may take the next request.
    ctx.requestBytesReleased = !adopt || !node.replicaManager.logsInMemory;
    if (acks === 0) {
      // The client reads no response; closing the connection is how Kafka tells it something failed.
      if (anyError) ctx.connection.fail('acks=0 produce failed');
      return NO_RESPONSE;
    }
    const response = { responses, throttleTimeMs: 0 };
    // A lone replica's high watermark is its log end: acks=all is answered at once, as acks=1.
    if (pending.length === 0 || settle(pending, false)) return response;
    // acks=all: wait in the purgatory until the ISR has the records (Kafka's DelayedProduce).
    return new Promise<typeof response>((resolve) => {
      node.replicaManager.producePurgatory.tryCompleteElseWatch(
        {
          tryComplete() {
            if (!settle(pending, false)) return false;
            resolve(response);
            return true;
          },
          onExpire() {
            settle(pending, true);
            resolve(response);
          },
        },
        [...new Set(pending.map((w) => w.partition.key))],
        req.timeoutMs,
      );
    });
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
