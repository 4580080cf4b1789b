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
 * diverged gets the diverging epoch and its end offset instead of records.
 *
 * Incremental fetch sessions (KIP-227, v7+, see fetch-session.ts): a full fetch at epoch 0 opens
 * one from its answer; an incremental fetch reads every partition of its session (those it lists
 * with their new parameters, the others as last listed) and its answer carries only the
 * partitions with records, an error or a moved watermark or log start.
 */

import { AclOperation, ErrorCode, ResourceType } from '@tskafka/protocol';
import { Api, type MessageInput, type MessageValue, ZERO_UUID } from '@tskafka/protocol/internals';
import { ApiError, errorCodeOf } from '../api-error.js';
import { authorize, authorizeCluster } from '../auth/request-auth.js';
import {
  type FetchContext,
  type FetchPartitionOutcome,
  type FetchPartitionRequest,
  type FetchSession,
  newFetchContext,
  nextEpoch,
  sessionPartitionKey,
} from '../fetch-session.js';
import { defineHandler, type RequestContext } from '../handler.js';
import type { Partition } from '../partition.js';

type Request = MessageValue<typeof Api.Fetch.request>;
type Response = MessageInput<typeof Api.Fetch.response>;
type TopicResponse = Response['responses'][number];
type PartitionResponse = TopicResponse['partitions'][number];
/** The topics a fetch reads: the request's own, or for an incremental fetch its session's. */
interface FetchTopicRequest {
  topic: string;
  topicId: string;
  partitions: readonly FetchPartitionRequest[];
}

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
function readAll(
  ctx: RequestContext,
  req: Request,
  topics: readonly FetchTopicRequest[],
  first: boolean,
): FetchResult {
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
    return { response: unauthorisedReplicaFetch(topics), bytes: 0, hasError: true };
  }
  const responses: TopicResponse[] = topics.map((t) => {
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
function unauthorisedReplicaFetch(topics: readonly FetchTopicRequest[]): Response {
  return {
    throttleTimeMs: 0,
    errorCode: 0,
    sessionId: 0,
    responses: topics.map((t) => ({
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
    const context = sessionContext(ctx, req);
    if (context.kind === 'error') {
      return { throttleTimeMs: 0, errorCode: context.errorCode, sessionId: 0, responses: [] };
    }
    const topics = context.kind === 'incremental' ? sessionTopics(context.session) : req.topics;
    const answer = (r: FetchResult): Response => finish(ctx, req, context, topics, r);
    const first = readAll(ctx, req, topics, true);
    if (first.hasError || first.bytes >= req.minBytes || req.maxWaitMs <= 0 || topics.length === 0) {
      return answer(first);
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
            const r = readAll(ctx, req, topics, false);
            if (r.hasError || r.bytes >= req.minBytes) {
              done = true;
              resolve(answer(r));
              return true;
            }
            return false;
          },
          onExpire() {
            if (done) return;
            done = true;
            resolve(answer(readAll(ctx, req, topics, false)));
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

/**
 * How the fetch is answered for sessions ({@link newFetchContext}), with its partitions keyed as a
 * session keeps them: by topic id from v13, else by name.
 */
function sessionContext(ctx: RequestContext, req: Request): FetchContext {
  const usesTopicIds = ctx.apiVersion >= 13;
  const fetchData: { key: string; topic: string; topicId: string; request: FetchPartitionRequest }[] = [];
  for (const t of req.topics) {
    const topic = usesTopicIds ? '' : t.topic;
    const topicId = usesTopicIds ? t.topicId : ZERO_UUID;
    for (const p of t.partitions)
      fetchData.push({
        key: sessionPartitionKey(usesTopicIds ? topicId : topic, p.partition),
        topic,
        topicId,
        request: p,
      });
  }
  const toForget: string[] = [];
  for (const f of req.forgottenTopicsData ?? [])
    for (const p of f.partitions) toForget.push(sessionPartitionKey(usesTopicIds ? f.topicId : f.topic, p));
  return newFetchContext(
    ctx.node.fetchSessions,
    { sessionId: req.sessionId, sessionEpoch: req.sessionEpoch, fetchData, toForget },
    usesTopicIds,
    ctx.now,
  );
}

/** A session's partitions as the topics a fetch reads, in the session's order, grouped by topic. */
function sessionTopics(session: FetchSession): FetchTopicRequest[] {
  const byTopic = new Map<string, { topic: string; topicId: string; partitions: FetchPartitionRequest[] }>();
  for (const c of session.partitions.values()) {
    const key = session.usesTopicIds ? c.topicId : c.topic;
    let t = byTopic.get(key);
    if (t === undefined) {
      t = { topic: c.topic, topicId: c.topicId, partitions: [] };
      byTopic.set(key, t);
    }
    t.partitions.push(c.request);
  }
  return [...byTopic.values()];
}

/**
 * The answer as the fetch's session context wants it: unchanged without a session; for a full
 * fetch at epoch 0, with the id of the session opened from it (0 when the cache has no room); for
 * an incremental fetch, only the partitions with something new, or INVALID_FETCH_SESSION_EPOCH if
 * another fetch of the session came in while this one waited.
 */
function finish(
  ctx: RequestContext,
  req: Request,
  context: FetchContext,
  topics: readonly FetchTopicRequest[],
  result: FetchResult,
): Response {
  const response = result.response;
  const usesTopicIds = ctx.apiVersion >= 13;
  // Index-aligned: readAll answers topic i, partition j of `topics` at responses[i].partitions[j].
  const keyOf = (i: number, partition: number) =>
    sessionPartitionKey(usesTopicIds ? topics[i].topicId : topics[i].topic, partition);
  if (context.kind === 'full') {
    const replicaId = ctx.apiVersion >= 15 ? req.replicaState.replicaId : req.replicaId;
    // A replica fetch refused (not from a broker of this cluster) gets no session, let alone a
    // privileged one that could evict consumers' sessions.
    if (
      replicaId >= 0 &&
      ctx.node.metadata.interBrokerConnections.brokerAt(ctx.connection.remote) !== replicaId
    )
      return response;
    const size = topics.reduce((n, t) => n + t.partitions.length, 0);
    const session = ctx.node.fetchSessions.maybeCreateSession(
      ctx.node.clock.now(),
      replicaId >= 0,
      usesTopicIds,
      size,
      (s) => {
        for (let i = 0; i < topics.length; i++) {
          const t = topics[i];
          const topic = usesTopicIds ? '' : t.topic;
          const topicId = usesTopicIds ? t.topicId : ZERO_UUID;
          for (let j = 0; j < t.partitions.length; j++) {
            const key = keyOf(i, t.partitions[j].partition);
            s.update([{ key, topic, topicId, request: t.partitions[j] }], []);
            s.partitions.get(key)?.mustRespond(outcomeOf(response.responses[i].partitions[j]), true);
          }
        }
      },
    );
    response.sessionId = session?.id ?? 0;
    return response;
  }
  if (context.kind !== 'incremental') return response;
  const session = context.session;
  const expected = nextEpoch(context.requestEpoch);
  if (session.epoch !== expected) {
    ctx.node.log(
      'info',
      `incremental fetch session ${session.id} expected epoch ${expected}, but is at ${session.epoch}: possible duplicate request`,
    );
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.INVALID_FETCH_SESSION_EPOCH,
      sessionId: session.id,
      responses: [],
    };
  }
  const responses: TopicResponse[] = [];
  for (let i = 0; i < response.responses.length; i++) {
    const t = response.responses[i];
    const partitions = t.partitions.filter((p) => {
      const key = keyOf(i, p.partitionIndex);
      const cached = session.partitions.get(key);
      if (cached === undefined) return true;
      const outcome = outcomeOf(p);
      if (!cached.mustRespond(outcome, true)) return false;
      // Kafka's fairness: a partition that returned records is read last next time.
      if (outcome.recordBytes > 0) session.rotateToEnd(key);
      return true;
    });
    if (partitions.length > 0) responses.push({ ...t, partitions });
  }
  return { ...response, sessionId: session.id, responses };
}

/** What a session compares of one partition's answer. */
function outcomeOf(p: PartitionResponse): FetchPartitionOutcome {
  return {
    errorCode: p.errorCode,
    highWatermark: p.highWatermark,
    lastStableOffset: p.lastStableOffset ?? -1,
    logStartOffset: p.logStartOffset ?? -1,
    recordBytes: p.records?.length ?? 0,
    mustSend: p.divergingEpoch !== undefined || (p.preferredReadReplica ?? -1) >= 0,
  };
}
