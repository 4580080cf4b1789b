/**
 * `sendOffsetsToTransaction` for the {@link TransactionManager}: AddOffsetsToTxn to the
 * transaction coordinator (the group's offsets partition joins the transaction), then
 * TxnOffsetCommit to the group's coordinator, where partitions that failed with a retriable error
 * go again after `retry.backoff.ms` and the first other error ends the call.
 *
 * @module
 */
import { createKafkaError, ErrorCode } from '@tskafka/protocol';
import type { ConsumerGroupMetadata } from '@tskafka/transport';
import { producerFields, type TxnContext, transactionCoordinator } from './transaction-handlers.js';
import type { TransactionCoordinatorKey, TxnOffsetCommitPartition } from './transaction-requests.js';
import { type TransactionalResult, TxnErrorAction, txnErrorAction } from './transaction-state.js';

/** Queues AddOffsetsToTxn then, once it succeeds, TxnOffsetCommit of `byTopic`; settles `result`. */
export function enqueueAddOffsets(
  ctx: TxnContext,
  byTopic: Map<string, TxnOffsetCommitPartition[]>,
  group: ConsumerGroupMetadata,
  result: TransactionalResult,
  op: string,
): void {
  const groupId = group.groupId;
  ctx.requests.enqueue(
    {
      api: 'AddOffsetsToTxn',
      coordinator: transactionCoordinator(ctx),
      body: { ...producerFields(ctx), groupId },
    },
    result,
    op,
    (res, now, self) => {
      const code = res.errorCode;
      if (code === 0) {
        ctx.transactionStarted();
        enqueueTxnOffsetCommit(ctx, byTopic, group, result, op, 0);
        return;
      }
      const message =
        code === ErrorCode.GROUP_AUTHORIZATION_FAILED ? `not authorized for group ${groupId}` : undefined;
      ctx.handleError(self, code, createKafkaError(code, { apiName: 'AddOffsetsToTxn', message }), now);
    },
  );
}

function enqueueTxnOffsetCommit(
  ctx: TxnContext,
  byTopic: Map<string, TxnOffsetCommitPartition[]>,
  group: ConsumerGroupMetadata,
  result: TransactionalResult,
  op: string,
  retryAtMs: number,
): void {
  const coordinator: TransactionCoordinatorKey = { type: 'group', key: group.groupId };
  const handler = ctx.requests.enqueue(
    {
      api: 'TxnOffsetCommit',
      coordinator,
      body: {
        ...producerFields(ctx),
        groupId: group.groupId,
        generationId: group.generationId,
        memberId: group.memberId,
        groupInstanceId: group.groupInstanceId,
        topics: Array.from(byTopic, ([name, partitions]) => ({ name, partitions })),
      },
    },
    result,
    op,
    (res, now, self) => {
      // Partitions that failed with a retriable error go again; the first other error ends it.
      const again = new Map<string, TxnOffsetCommitPartition[]>();
      let lookedUp = false;
      for (const r of res.results) {
        const code = r.errorCode;
        if (code === 0) continue;
        const action = txnErrorAction('TxnOffsetCommit', code);
        if (action === TxnErrorAction.FindCoordinator || action === TxnErrorAction.Retry) {
          if (action === TxnErrorAction.FindCoordinator && !lookedUp) {
            lookedUp = true;
            ctx.requests.lookupCoordinator(coordinator, ctx.handleError);
          }
          const offset = byTopic.get(r.topic)?.find((p) => p.partition === r.partition);
          if (offset !== undefined) {
            const list = again.get(r.topic);
            if (list === undefined) again.set(r.topic, [offset]);
            else list.push(offset);
          }
          continue;
        }
        const error = createKafkaError(code, {
          apiName: 'TxnOffsetCommit',
          topic: r.topic,
          partition: r.partition,
        });
        ctx.handleError(self, code, error, now);
        return;
      }
      if (again.size === 0) result.done();
      else enqueueTxnOffsetCommit(ctx, again, group, result, op, now + ctx.retryBackoffMs);
    },
  );
  handler.retryAtMs = retryAtMs;
}
