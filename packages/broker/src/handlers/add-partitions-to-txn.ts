/**
 * AddPartitionsToTxn: a transactional producer is about to write to partitions. v0-3 are the
 * clients' form (one transaction); v4+ batch transactions for brokers and may only verify
 * (`verifyOnly`) that partitions are in the open transaction. As in Kafka's request handler, a
 * request naming an unknown partition adds nothing: that partition gets UNKNOWN_TOPIC_OR_PARTITION
 * and the others OPERATION_NOT_ATTEMPTED.
 */

import { AclOperation, ErrorCode, ResourceType } from '@tskafka/protocol';
import { Api } from '@tskafka/protocol/internals';
import { authorize, authorizeCluster, checkTransactionalId } from '../auth/request-auth.js';
import { defineHandler, type RequestContext } from '../handler.js';
import { afterTxnStateReplicated, fencedForVersion } from './txn-errors.js';

type Topics = { name: string; partitions: number[] }[];
type TopicResults = {
  name: string;
  resultsByPartition: { partitionIndex: number; partitionErrorCode: number }[];
}[];

/** Per-topic results, each partition with the code `codeOf` gives it. */
function results(topics: Topics, codeOf: (topic: string, partition: number) => number): TopicResults {
  return topics.map((t) => ({
    name: t.name,
    resultsByPartition: t.partitions.map((p) => ({
      partitionIndex: p,
      partitionErrorCode: codeOf(t.name, p),
    })),
  }));
}

/** Adds (or, with `verifyOnly`, checks) one transaction's partitions; the per-partition codes. */
async function addTransaction(
  ctx: RequestContext,
  tx: {
    transactionalId: string;
    producerId: number;
    producerEpoch: number;
    verifyOnly: boolean;
    topics: Topics;
  },
): Promise<TopicResults> {
  const coordinator = ctx.node.txnCoordinator;
  const denied = checkTransactionalId(ctx, AclOperation.WRITE, tx.transactionalId);
  if (denied !== null) return results(tx.topics, () => denied);
  const partitions = tx.topics.flatMap((t) =>
    t.partitions.map((partition) => ({ topic: t.name, partition })),
  );
  if (tx.verifyOnly) {
    const verified = coordinator.handleVerifyPartitionsInTransaction(
      tx.transactionalId,
      tx.producerId,
      tx.producerEpoch,
      partitions,
    );
    const byKey = new Map(verified.map((r) => [`${r.topic}:${r.partition}`, r.errorCode]));
    return results(tx.topics, (t, p) => byKey.get(`${t}:${p}`) ?? ErrorCode.UNKNOWN_SERVER_ERROR);
  }
  const md = ctx.node.metadata;
  const unknown = (t: string, p: number) => {
    const topic = md.topics.get(t);
    return !topic || p < 0 || p >= topic.partitions.length;
  };
  const unauthorized = new Set(
    tx.topics
      .filter((t) => !authorize(ctx, AclOperation.WRITE, ResourceType.TOPIC, t.name))
      .map((t) => t.name),
  );
  // Any partition refused fails the whole request; the others are OPERATION_NOT_ATTEMPTED.
  if (unauthorized.size > 0 || partitions.some((p) => unknown(p.topic, p.partition))) {
    return results(tx.topics, (t, p) =>
      unauthorized.has(t)
        ? ErrorCode.TOPIC_AUTHORIZATION_FAILED
        : unknown(t, p)
          ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
          : ErrorCode.OPERATION_NOT_ATTEMPTED,
    );
  }
  const code = fencedForVersion(
    await afterTxnStateReplicated(
      ctx,
      tx.transactionalId,
      coordinator.handleAddPartitionsToTransaction(
        tx.transactionalId,
        tx.producerId,
        tx.producerEpoch,
        partitions,
      ),
    ),
    ctx.apiVersion,
    2,
  );
  return results(tx.topics, () => code);
}

/** AddPartitionsToTxn handler (v0-5). */
export const addPartitionsToTxnHandler = defineHandler({
  api: Api.AddPartitionsToTxn,
  minVersion: 0,
  maxVersion: 5,
  async handle(ctx, req) {
    if (ctx.apiVersion < 4) {
      return {
        throttleTimeMs: 0,
        resultsByTopicV3AndBelow: await addTransaction(ctx, {
          transactionalId: req.v3AndBelowTransactionalId,
          producerId: req.v3AndBelowProducerId,
          producerEpoch: req.v3AndBelowProducerEpoch,
          verifyOnly: false,
          topics: req.v3AndBelowTopics,
        }),
      };
    }
    // v4+ is the brokers' own verification request (KIP-890): CLUSTER_ACTION.
    if (!authorizeCluster(ctx, AclOperation.CLUSTER_ACTION)) {
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
        resultsByTransaction: [],
      };
    }
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      resultsByTransaction: await Promise.all(
        req.transactions.map(async (tx) => ({
          transactionalId: tx.transactionalId,
          topicResults: await addTransaction(ctx, tx),
        })),
      ),
    };
  },
  errorResponse(req, errorCode, ctx) {
    if (ctx.apiVersion < 4) {
      return { throttleTimeMs: 0, resultsByTopicV3AndBelow: results(req.v3AndBelowTopics, () => errorCode) };
    }
    return { throttleTimeMs: 0, errorCode, resultsByTransaction: [] };
  },
});
