/**
 * What the transactional APIs share: PRODUCER_FENCED (KIP-588) only exists from InitProducerId v4,
 * AddPartitionsToTxn v2, AddOffsetsToTxn v2 and EndTxn v2; older clients get INVALID_PRODUCER_EPOCH.
 */
import { ErrorCode } from '@tskafka/protocol';
import type { RequestContext } from '../handler.js';
import { MARKER_REPLICATION_TIMEOUT_MS } from '../replica-manager.js';
import { TRANSACTION_STATE_TOPIC_NAME } from '../txn/records.js';
import { txnAppendError } from '../txn/store.js';

/** `errorCode`, with PRODUCER_FENCED turned into INVALID_PRODUCER_EPOCH below `fencedSince`. */
export function fencedForVersion(errorCode: number, apiVersion: number, fencedSince: number): number {
  return errorCode === ErrorCode.PRODUCER_FENCED && apiVersion < fencedSince
    ? ErrorCode.INVALID_PRODUCER_EPOCH
    : errorCode;
}

/**
 * `errorCode` once what the coordinator wrote for `transactionalId` is in the ISR of its
 * `__transaction_state` partition: Kafka answers InitProducerId, AddPartitionsToTxn,
 * AddOffsetsToTxn and EndTxn only after an acks=all append. Answering before would let a
 * coordinator that fails over lose a state the client was told about (the delivery audit found
 * one: a producer id the next coordinator did not know, whose open transaction then hung the
 * last stable offset of every partition it wrote to). A write that cannot be replicated gives the
 * client the error Kafka maps it to (NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE), to retry.
 */
export async function afterTxnStateReplicated(
  ctx: RequestContext,
  transactionalId: string,
  errorCode: number,
): Promise<number> {
  if (errorCode !== ErrorCode.NONE) return errorCode;
  const partition = ctx.node.txnCoordinator.stateManager.partitionFor(transactionalId);
  const replicas = ctx.node.replicaManager;
  const p = replicas.getPartition(TRANSACTION_STATE_TOPIC_NAME, partition);
  if (!p) return errorCode;
  const code = await replicas.awaitHighWatermark(
    TRANSACTION_STATE_TOPIC_NAME,
    partition,
    p.logEndOffset,
    MARKER_REPLICATION_TIMEOUT_MS,
  );
  return code === ErrorCode.NONE ? ErrorCode.NONE : txnAppendError(code);
}
