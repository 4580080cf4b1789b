/**
 * InitProducerId for idempotent producers: a new producer id, epoch 0. Transactional ids are
 * refused with UNSUPPORTED_VERSION until the transaction coordinator exists.
 */
import { Api, ErrorCode } from '@tskafka/protocol';
import { defineHandler } from '../handler.js';

/** InitProducerId handler. */
export const initProducerIdHandler = defineHandler({
  api: Api.InitProducerId,
  minVersion: 0,
  maxVersion: 5,
  handle(ctx, req) {
    if (req.transactionalId !== null) {
      ctx.node.log(
        'info',
        `InitProducerId for transactional id ${req.transactionalId}: transactions are not supported yet`,
      );
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.UNSUPPORTED_VERSION,
        producerId: -1,
        producerEpoch: -1,
      };
    }
    return {
      throttleTimeMs: 0,
      errorCode: 0,
      producerId: ctx.node.metadata.allocateProducerId(),
      producerEpoch: 0,
    };
  },
  errorResponse(_req, errorCode) {
    return {
      throttleTimeMs: 0,
      errorCode,
      producerId: -1,
      producerEpoch: -1,
    };
  },
});
