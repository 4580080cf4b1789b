/** DeleteRecords: moves a partition's log start offset; -1 means up to the high watermark. */
import { AclOperation, ResourceType } from '@tskafka/protocol';
import { Api } from '@tskafka/protocol/internals';
import { ApiError, errorCodeOf } from '../api-error.js';
import { authorize, notAuthorized } from '../auth/request-auth.js';
import { defineHandler } from '../handler.js';

/** DeleteRecords handler. */
export const deleteRecordsHandler = defineHandler({
  api: Api.DeleteRecords,
  minVersion: 0,
  maxVersion: 2,
  handle(ctx, req) {
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => {
          try {
            if (!authorize(ctx, AclOperation.DELETE, ResourceType.TOPIC, t.name)) throw notAuthorized(t.name);
            const part = ctx.node.replicaManager.leaderPartition(t.name, p.partitionIndex);
            const low = part.deleteRecordsBefore(p.offset === -1 ? part.highWatermark : p.offset);
            return { partitionIndex: p.partitionIndex, lowWatermark: low, errorCode: 0 };
          } catch (e) {
            if (!(e instanceof ApiError)) throw e;
            return { partitionIndex: p.partitionIndex, lowWatermark: -1, errorCode: errorCodeOf(e) };
          }
        }),
      })),
    };
  },
  errorResponse(req, errorCode) {
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({
          partitionIndex: p.partitionIndex,
          lowWatermark: -1,
          errorCode,
        })),
      })),
    };
  },
});
