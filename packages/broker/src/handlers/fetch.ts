/**
 * Fetch: reads whole record batches from the log, raw, up to the high watermark (read_uncommitted)
 * or the last stable offset (read_committed, isolationLevel 1), within the request's byte limits.
 * A read_committed answer also lists the aborted transactions overlapping the returned range, so
 * the consumer can drop their records. When less than `minBytes` is there, the request waits in
 * the purgatory until an append or a transaction marker on one of its partitions brings enough,
 * or `maxWaitMs` passes. A follower's fetch (`replicaId` >= 0) reads up to the log end offset and
 * reports its position to the leader, and is accepted only from a broker of this cluster, which
 * registered the connection as its own (Kafka requires ClusterAction, and answers anyone else
 * TOPIC_AUTHORIZATION_FAILED for every partition); a fetch carrying `lastFetchedEpoch` (v12+) whose log
 * diverged gets the diverging epoch and its end offset instead of records. No incremental
 * fetch sessions: a request to open one gets session id 0, which every client reads as "full
 * fetches only" (KIP-227 allows it).
 */

import { AclOperation, ErrorCode, ResourceType } from '@tskafka/protocol';
import { Api, type MessageInput, type MessageValue, ZERO_UUID } from '@tskafka/protocol/internals';
import { ApiError, errorCodeOf } from '../api-error.js';
import { authorize, authorizeCluster } from '../auth/request-auth.js';
import { defineHandler, type RequestContext } from '../handler.js';
import type { Partition } from '../partition.js';

type Request = MessageValue<typeof Api.Fetch.request>;
type Response = MessageInput<typeof Api.Fetch.response>;
type TopicResponse = Response['responses'][number];
type PartitionResponse = TopicResponse['partitions'][number];

interface FetchResult {
  response: Response;
  bytes: number;
  /** Whether a partition answers at once: an error, or a diverging epoch. */
  hasError: boolean;
}

function partitionError(index: number, errorCode: number): PartitionResponse {
  return {
    partitionIndex: index,
    errorCode,
    highWatermark: -1,
    lastStableOffset: -1,
    logStartOffset: -1,
    // Empty, not null, as Kafka sends it (MemoryRecords.EMPTY): librdkafka cannot parse a null
    // record set and drops the whole response, so the client never sees the error.
    records: Buffer.alloc(0),
  };
}

/**
 * Reads everything the request asks for, as it stands now. A follower's fetch reads up to the log
 * end offset; on `first` (the request's arrival, not a purgatory re-check) its position is
 * recorded at the leader, which may grow the ISR and move the high watermark.
 */
function readAll(ctx: RequestContext, req: Request, first: boolean): FetchResult {
  const { node, apiVersion } = ctx;
  const md = node.metadata;
  let remaining = apiVersion >= 3 ? req.maxBytes : Number.MAX_SAFE_INTEGER;
  let bytes = 0;
  let hasError = false;
  const replicaId = apiVersion >= 15 ? req.replicaState.replicaId : req.replicaId;
  const isFollower = replicaId >= 0;
  if (isFollower && md.interBrokerConnections.brokerAt(ctx.connection.remote) !== replicaId) {
    if (first) {
      node.log(
        'warn',
        `refusing a replica fetch as broker ${replicaId} from ${ctx.connection.remote}, not a connection of that broker`,
      );
    }
    return { response: unauthorisedReplicaFetch(req), bytes: 0, hasError: true };
  }
  const responses: TopicResponse[] = req.topics.map((t) => {
    const topic = apiVersion >= 13 ? md.topicsById.get(t.topicId) : md.topics.get(t.topic);
    return {
      topic: topic?.name ?? t.topic,
      topicId: t.topicId,
      partitions: t.partitions.map((p): PartitionResponse => {
        if (
          (topic || apiVersion < 13) &&
          !(isFollower
            ? authorizeCluster(ctx, AclOperation.CLUSTER_ACTION)
            : authorize(ctx, AclOperation.READ, ResourceType.TOPIC, topic?.name ?? t.topic))
        ) {
          hasError = true;
          return partitionError(p.partition, ErrorCode.TOPIC_AUTHORIZATION_FAILED);
        }
        if (!topic) {
          hasError = true;
          return partitionError(
            p.partition,
            apiVersion >= 13 ? ErrorCode.UNKNOWN_TOPIC_ID : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
          );
        }
        try {
          const part = node.replicaManager.leaderPartition(topic.name, p.partition);
          part.checkLeaderEpoch(p.currentLeaderEpoch);
          const diverging = apiVersion >= 12 ? divergingEpoch(part, p.lastFetchedEpoch, p.fetchOffset) : null;
          if (diverging) {
            // Answered at once, as an error would be: the fetcher must truncate before anything else.
            hasError = true;
            return {
              partitionIndex: p.partition,
              errorCode: 0,
              highWatermark: part.highWatermark,
              lastStableOffset: part.lastStableOffset,
              logStartOffset: part.logStartOffset,
              divergingEpoch: diverging,
              abortedTransactions: null,
              preferredReadReplica: -1,
              records: Buffer.alloc(0),
            };
          }
          if (isFollower && first)
            node.replicaManager.recordFollowerFetch(part, replicaId, p.fetchOffset, ctx.now);
          // read_committed stops at the last stable offset; without transactions it is the high watermark.
          const readCommitted = !isFollower && req.isolationLevel === 1;
          const lastStableOffset = part.lastStableOffset;
          const maxOffset = isFollower
            ? part.logEndOffset
            : readCommitted
              ? lastStableOffset
              : part.highWatermark;
          const limit = Math.min(p.partitionMaxBytes, remaining);
          const { records, nextOffset } = part.log.read(
            p.fetchOffset,
            Math.max(0, limit),
            maxOffset,
            bytes === 0,
            ctx.readBuffers,
          );
          const data = Array.isArray(records)
            ? records.length === 1
              ? records[0]
              : Buffer.concat(records)
            : records;
          bytes += data.length;
          remaining -= data.length;
          return {
            partitionIndex: p.partition,
            errorCode: 0,
            highWatermark: part.highWatermark,
            lastStableOffset,
            logStartOffset: part.logStartOffset,
            abortedTransactions: readCommitted
              ? data.length === 0
                ? []
                : part
                    .collectAbortedTransactions(p.fetchOffset, nextOffset)
                    .map((a) => ({ producerId: a.producerId, firstOffset: a.firstOffset }))
              : null,
            preferredReadReplica: -1,
            records: data,
          };
        } catch (e) {
          if (!(e instanceof ApiError)) throw e;
          hasError = true;
          const pr = partitionError(p.partition, errorCodeOf(e));
          const part = node.replicaManager.getPartition(topic.name, p.partition);
          if (part && e.code === ErrorCode.OFFSET_OUT_OF_RANGE) {
            pr.highWatermark = part.highWatermark;
            pr.lastStableOffset = part.lastStableOffset;
            pr.logStartOffset = part.logStartOffset;
          }
          return pr;
        }
      }),
    };
  });
  return {
    response: { throttleTimeMs: 0, errorCode: 0, sessionId: 0, responses },
    bytes,
    hasError,
  };
}

/** Kafka's answer to a replica fetch without ClusterAction: TOPIC_AUTHORIZATION_FAILED everywhere. */
function unauthorisedReplicaFetch(req: Request): Response {
  return {
    throttleTimeMs: 0,
    errorCode: 0,
    sessionId: 0,
    responses: req.topics.map((t) => ({
      topic: t.topic,
      topicId: t.topicId,
      partitions: t.partitions.map((p) => partitionError(p.partition, ErrorCode.TOPIC_AUTHORIZATION_FAILED)),
    })),
  };
}

/**
 * Where the fetcher's log went another way than this leader's (Kafka's
 * `validateFetchOffsetAndMaybeGetDivergingEpoch`): the largest epoch up to the fetcher's last one
 * and its end offset here, when that end lies before the fetch offset or the epoch is older.
 */
function divergingEpoch(
  part: Partition,
  lastFetchedEpoch: number,
  fetchOffset: number,
): { epoch: number; endOffset: number } | null {
  if (lastFetchedEpoch < 0) return null;
  const end = part.log.endOffsetForEpoch(lastFetchedEpoch);
  if (end.leaderEpoch < lastFetchedEpoch || end.endOffset < fetchOffset) {
    return { epoch: end.leaderEpoch, endOffset: end.endOffset };
  }
  return null;
}

/** Fetch handler. */
export const fetchHandler = defineHandler({
  api: Api.Fetch,
  minVersion: 4,
  maxVersion: 17,
  handle(ctx, req) {
    if (req.sessionId !== 0 || req.sessionEpoch > 0) {
      // We never hand out sessions, so any incremental fetch names an unknown one.
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.FETCH_SESSION_ID_NOT_FOUND,
        sessionId: 0,
        responses: [],
      };
    }
    const first = readAll(ctx, req, true);
    if (first.hasError || first.bytes >= req.minBytes || req.maxWaitMs <= 0 || req.topics.length === 0) {
      return first.response;
    }
    const keys: string[] = [];
    for (const t of first.response.responses)
      for (const p of t.partitions) keys.push(`${t.topic}-${p.partitionIndex}`);
    return new Promise<Response>((resolve) => {
      let done = false;
      ctx.node.replicaManager.fetchPurgatory.tryCompleteElseWatch(
        {
          tryComplete() {
            if (done) return true;
            const r = readAll(ctx, req, false);
            if (r.hasError || r.bytes >= req.minBytes) {
              done = true;
              resolve(r.response);
              return true;
            }
            return false;
          },
          onExpire() {
            if (done) return;
            done = true;
            resolve(readAll(ctx, req, false).response);
          },
        },
        keys,
        req.maxWaitMs,
      );
    });
  },
  errorResponse(req, errorCode) {
    return {
      throttleTimeMs: 0,
      errorCode,
      responses: req.topics.map((t) => ({
        topic: t.topic,
        topicId: t.topicId ?? ZERO_UUID,
        partitions: t.partitions.map((p) => partitionError(p.partition, errorCode)),
      })),
    };
  },
});
