/**
 * InitProducerId: without a transactional id, a new producer id at epoch 0 (idempotent producers);
 * with one, the transaction coordinator initializes it (epoch bump and fencing, KIP-360 recovery
 * from v3: the request carries the producer id and epoch the client had).
 */

import { AclOperation, ErrorCode, ResourceType } from '@tskafka/protocol';
import { Api } from '@tskafka/protocol/internals';
import {
  authorizeByResourceType,
  authorizeCluster,
  checkTransactionalId,
  withAuthorization,
} from '../auth/request-auth.js';
import { defineHandler } from '../handler.js';
import { NO_PRODUCER_EPOCH, NO_PRODUCER_ID } from '../txn/metadata.js';
import { afterTxnStateReplicated, fencedForVersion } from './txn-errors.js';

/** InitProducerId handler (v0-5). */
const initProducerIdApi = defineHandler({
  api: Api.InitProducerId,
  minVersion: 0,
  maxVersion: 5,
  async handle(ctx, req) {
    if (req.transactionalId === null) {
      return {
        throttleTimeMs: 0,
        errorCode: 0,
        producerId: ctx.node.metadata.allocateProducerId(),
        producerEpoch: 0,
      };
    }
    const pid = ctx.apiVersion >= 3 ? req.producerId : NO_PRODUCER_ID;
    const epoch = ctx.apiVersion >= 3 ? req.producerEpoch : NO_PRODUCER_EPOCH;
    // Both or neither: a producer id without its epoch (or the reverse) is malformed.
    if ((pid === NO_PRODUCER_ID) !== (epoch === NO_PRODUCER_EPOCH)) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.INVALID_REQUEST, producerId: -1, producerEpoch: -1 };
    }
    const expected = pid === NO_PRODUCER_ID ? null : { producerId: pid, producerEpoch: epoch };
    const r = ctx.node.txnCoordinator.handleInitProducerId(
      req.transactionalId,
      req.transactionTimeoutMs,
      expected,
    );
    const errorCode = await afterTxnStateReplicated(ctx, req.transactionalId, r.errorCode);
    if (errorCode !== r.errorCode) return { throttleTimeMs: 0, errorCode, producerId: -1, producerEpoch: -1 };
    return {
      throttleTimeMs: 0,
      errorCode: fencedForVersion(r.errorCode, ctx.apiVersion, 4),
      producerId: r.producerId,
      producerEpoch: r.producerEpoch,
    };
  },
  errorResponse(_req, errorCode) {
    return { throttleTimeMs: 0, errorCode, producerId: -1, producerEpoch: -1 };
  },
});

/** The InitProducerId handler: WRITE on the transactional id (else TRANSACTIONAL_ID_AUTHORIZATION_FAILED); without one, IDEMPOTENT_WRITE on the cluster or WRITE on any topic (else CLUSTER_AUTHORIZATION_FAILED). */
export const initProducerIdHandler = withAuthorization(initProducerIdApi, (ctx, req) => {
  if (req.transactionalId !== null) return checkTransactionalId(ctx, AclOperation.WRITE, req.transactionalId);
  // An idempotent producer: IDEMPOTENT_WRITE on the cluster, or WRITE on some topic (KIP-679).
  return authorizeCluster(ctx, AclOperation.IDEMPOTENT_WRITE) ||
    authorizeByResourceType(ctx, AclOperation.WRITE, ResourceType.TOPIC)
    ? null
    : ErrorCode.CLUSTER_AUTHORIZATION_FAILED;
});
