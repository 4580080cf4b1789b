/**
 * Transactions as Kafka's admin client sees them (KIP-664): ListTransactions (every broker),
 * DescribeTransactions (each transactional id's coordinator), DescribeProducers (partition
 * leaders) and aborting a hanging transaction with WriteTxnMarkers (the partition's leader),
 * with the retries of Java's `ListTransactionsHandler`, `DescribeTransactionsHandler`,
 * `DescribeProducersHandler` and `AbortTransactionHandler`.
 *
 * @module
 */

import { createKafkaError, UnknownTopicOrPartitionError } from '@tskafka/protocol';
import { Api } from '@tskafka/protocol/internals';
import { COORDINATOR_CONNECTION_GROUP } from '@tskafka/transport/internals';
import { byTopicPartition } from './groups.js';
import {
  type AdminContext,
  check,
  groupBy,
  type ItemOutcome,
  perLeader,
  retryCall,
  runPerItem,
} from './requests.js';
import type {
  AbortTransactionSpec,
  ActiveProducer,
  AdminTopicPartition,
  DescribeProducersOptions,
  ListTransactionsOptions,
  PartitionProducerState,
  TransactionDescription,
  TransactionListing,
  TransactionStateName,
} from './types.js';

const STATE_NAMES: ReadonlySet<string> = new Set<TransactionStateName>([
  'Empty',
  'Ongoing',
  'PrepareCommit',
  'PrepareAbort',
  'CompleteCommit',
  'CompleteAbort',
  'PrepareEpochFence',
]);

/** A state name from the wire; `Unknown` for one this client does not know (as Java's `parse`). */
function stateOf(name: string): TransactionStateName {
  return STATE_NAMES.has(name) ? (name as TransactionStateName) : 'Unknown';
}

const NOT_COORDINATOR = 16;
const COORDINATOR_NOT_AVAILABLE = 15;
const NOT_LEADER_OR_FOLLOWER = 6;
const UNKNOWN_TOPIC_OR_PARTITION = 3;

/** See `Admin.listTransactions`: ListTransactions to every broker, each listing its own ids. */
export async function listTransactions(
  ctx: AdminContext,
  options: ListTransactionsOptions,
): Promise<TransactionListing[]> {
  const { cluster } = ctx;
  if (cluster.metadata.brokers.size === 0) await retryCall(ctx, () => cluster.refreshMetadata());
  const durationFilter = options.filterOnDurationMs ?? -1;
  const body = {
    stateFilters: [...(options.filterStates ?? [])],
    producerIdFilters: [...(options.filterProducerIds ?? [])],
    durationFilter,
  };
  const perBroker = await Promise.all(
    cluster.brokers().map((b) =>
      retryCall(ctx, async () => {
        const res = await cluster.request(
          b.nodeId,
          Api.ListTransactions,
          body,
          durationFilter >= 0 ? { minVersion: 1 } : undefined,
        );
        // COORDINATOR_LOAD_IN_PROGRESS is retriable: the broker is still loading its transactions.
        check(res.errorCode, { apiName: 'ListTransactions', message: `broker ${b.nodeId}` });
        return res.transactionStates.map(
          (t): TransactionListing => ({
            transactionalId: t.transactionalId,
            producerId: t.producerId,
            state: stateOf(t.transactionState),
            coordinatorId: b.nodeId,
          }),
        );
      }),
    ),
  );
  return perBroker
    .flat()
    .sort((a, b) =>
      a.transactionalId < b.transactionalId ? -1 : a.transactionalId > b.transactionalId ? 1 : 0,
    );
}

/**
 * See `Admin.describeTransactions`: finds each id's coordinator (FindCoordinator, key type 1),
 * then one DescribeTransactions per coordinator for the ids it holds. NOT_COORDINATOR and
 * COORDINATOR_NOT_AVAILABLE forget the coordinator and ask again; COORDINATOR_LOAD_IN_PROGRESS
 * retries; TRANSACTIONAL_ID_NOT_FOUND rejects with `TransactionalIdNotFoundError`.
 */
export async function describeTransactions(
  ctx: AdminContext,
  transactionalIds: readonly string[],
): Promise<TransactionDescription[]> {
  const { cluster } = ctx;
  const ids = [...new Set(transactionalIds)];
  const results = await runPerItem<string, TransactionDescription>(
    ctx,
    ids,
    (id) => id,
    async (pending) => {
      const coordinators = await Promise.all(pending.map((id) => cluster.findCoordinator('transaction', id)));
      const byNode = groupBy(
        pending.map((id, i) => ({ id, nodeId: coordinators[i]?.nodeId ?? -1 })),
        (x) => x.nodeId,
      );
      const outcomes = await Promise.all(
        [...byNode].map(async ([nodeId, batch]) => {
          const batchIds = batch.map((x) => x.id);
          let res: Awaited<ReturnType<typeof cluster.request<typeof Api.DescribeTransactions>>>;
          try {
            res = await cluster.request(
              nodeId,
              Api.DescribeTransactions,
              { transactionalIds: batchIds },
              { group: COORDINATOR_CONNECTION_GROUP },
            );
          } catch (e) {
            for (const id of batchIds) cluster.invalidateCoordinator('transaction', id);
            throw e;
          }
          return res.transactionStates.map((s): ItemOutcome<TransactionDescription> => {
            if (s.errorCode === NOT_COORDINATOR || s.errorCode === COORDINATOR_NOT_AVAILABLE)
              cluster.invalidateCoordinator('transaction', s.transactionalId);
            return {
              key: s.transactionalId,
              errorCode: s.errorCode,
              errorMessage: `transactional id "${s.transactionalId}"`,
              result: {
                transactionalId: s.transactionalId,
                coordinatorId: nodeId,
                state: stateOf(s.transactionState),
                producerId: s.producerId,
                producerEpoch: s.producerEpoch,
                transactionTimeoutMs: s.transactionTimeoutMs,
                transactionStartTimeMs: s.transactionStartTimeMs < 0 ? null : s.transactionStartTimeMs,
                topicPartitions: s.topics
                  .flatMap((t) => t.partitions.map((partition) => ({ topic: t.topic, partition })))
                  .sort(byTopicPartition),
              },
            };
          });
        }),
      );
      return outcomes.flat();
    },
    { apiName: 'DescribeTransactions' },
  );
  return transactionalIds.map((id) => results.get(id) as TransactionDescription);
}

/** A producer from the wire, with Kafka's -1 for "none" as null. */
function activeProducer(p: {
  producerId: number;
  producerEpoch: number;
  lastSequence: number;
  lastTimestamp: number;
  coordinatorEpoch: number;
  currentTxnStartOffset: number;
}): ActiveProducer {
  return {
    producerId: p.producerId,
    producerEpoch: p.producerEpoch,
    lastSequence: p.lastSequence,
    lastTimestamp: p.lastTimestamp,
    coordinatorEpoch: p.coordinatorEpoch < 0 ? null : p.coordinatorEpoch,
    currentTransactionStartOffset: p.currentTxnStartOffset < 0 ? null : p.currentTxnStartOffset,
  };
}

/**
 * Fails with UNKNOWN_TOPIC_OR_PARTITION for a partition the (just refreshed) metadata does not
 * have, rather than waiting for a leader that will never be.
 */
function requireKnownPartitions(
  ctx: AdminContext,
  partitions: readonly AdminTopicPartition[],
  apiName: string,
) {
  for (const p of partitions) {
    const count = ctx.cluster.partitionCountFor(p.topic) ?? 0;
    if (!Number.isInteger(p.partition) || p.partition < 0 || p.partition >= count) {
      throw new UnknownTopicOrPartitionError({
        apiName,
        topic: p.topic,
        partition: p.partition,
        message: `topic "${p.topic}" has no partition ${p.partition}`,
      });
    }
  }
}

/**
 * See `Admin.describeProducers`: DescribeProducers to each partition's leader (NOT_LEADER_OR_FOLLOWER
 * refreshes metadata and retries), or to `options.brokerId`, whose errors are final.
 */
export async function describeProducers(
  ctx: AdminContext,
  partitions: readonly AdminTopicPartition[],
  options: DescribeProducersOptions,
): Promise<PartitionProducerState[]> {
  requireKnownPartitions(ctx, partitions, 'DescribeProducers');
  const send = async (
    nodeId: number,
    batch: readonly AdminTopicPartition[],
  ): Promise<ItemOutcome<PartitionProducerState>[]> => {
    const res = await ctx.cluster.request(nodeId, Api.DescribeProducers, {
      topics: [...groupBy(batch, (p) => p.topic)].map(([name, ps]) => ({
        name,
        partitionIndexes: ps.map((p) => p.partition),
      })),
    });
    return res.topics.flatMap((t) =>
      t.partitions.map((p) => ({
        key: `${t.name}:${p.partitionIndex}`,
        topic: t.name,
        partition: p.partitionIndex,
        errorCode: p.errorCode,
        errorMessage: p.errorMessage,
        result: {
          topic: t.name,
          partition: p.partitionIndex,
          activeProducers: p.activeProducers.map(activeProducer),
        },
      })),
    );
  };
  let results: Map<string, PartitionProducerState>;
  if (options.brokerId === undefined) {
    results = await perLeader(ctx, partitions, 'DescribeProducers', send);
  } else {
    const brokerId = options.brokerId;
    // A replica that is not the leader's choice to ask: its errors are the answer, as in Java.
    results = await runPerItem(
      ctx,
      partitions,
      (p) => `${p.topic}:${p.partition}`,
      (b) => send(brokerId, b),
      {
        apiName: 'DescribeProducers',
        isFinal: (e) => e.code === NOT_LEADER_OR_FOLLOWER || e.code === UNKNOWN_TOPIC_OR_PARTITION,
      },
    );
  }
  return partitions.map((p) => results.get(`${p.topic}:${p.partition}`) as PartitionProducerState);
}

/**
 * See `Admin.abortTransaction`: an ABORT marker for the producer's transaction, written by the
 * partition's leader on WriteTxnMarkers, as the coordinator would have. NOT_LEADER_OR_FOLLOWER
 * and UNKNOWN_TOPIC_OR_PARTITION look the leader up again; INVALID_PRODUCER_EPOCH,
 * PRODUCER_FENCED and TRANSACTION_COORDINATOR_FENCED reject with their error classes.
 */
export async function abortTransaction(ctx: AdminContext, spec: AbortTransactionSpec): Promise<void> {
  requireKnownPartitions(ctx, [spec], 'WriteTxnMarkers');
  await perLeader<true>(ctx, [spec], 'WriteTxnMarkers', async (leader, batch) => {
    const res = await ctx.cluster.request(leader, Api.WriteTxnMarkers, {
      markers: [
        {
          producerId: spec.producerId,
          producerEpoch: spec.producerEpoch,
          transactionResult: false,
          topics: [{ name: spec.topic, partitionIndexes: [spec.partition] }],
          coordinatorEpoch: spec.coordinatorEpoch,
        },
      ],
    });
    const marker = res.markers.find((m) => m.producerId === spec.producerId);
    const result = marker?.topics
      .find((t) => t.name === spec.topic)
      ?.partitions.find((p) => p.partitionIndex === spec.partition);
    if (result === undefined) {
      throw createKafkaError(-1, {
        apiName: 'WriteTxnMarkers',
        message: `the response has no result for producer ${spec.producerId} on ${spec.topic}-${spec.partition}`,
      });
    }
    return batch.map((p) => ({
      key: `${p.topic}:${p.partition}`,
      topic: p.topic,
      partition: p.partition,
      errorCode: result.errorCode,
      result: true as const,
    }));
  });
}
