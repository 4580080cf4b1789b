/**
 * ListOffsets: earliest (-2), latest (-1: the high watermark, or the last stable offset for
 * read_committed), max timestamp (-3), earliest local (-4), and lookups by timestamp through the
 * time index.
 */

import { ErrorCode } from '@tskafka/protocol';
import { Api, type MessageInput } from '@tskafka/protocol/internals';
import { ApiError, errorCodeOf } from '../api-error.js';
import { defineHandler } from '../handler.js';

type PartitionResponse = MessageInput<
  typeof Api.ListOffsets.response
>['topics'][number]['partitions'][number];

const LATEST = -1;
const EARLIEST = -2;
const MAX_TIMESTAMP = -3;
const EARLIEST_LOCAL = -4;
const LATEST_TIERED = -5;

/** ListOffsets handler. */
export const listOffsetsHandler = defineHandler({
  api: Api.ListOffsets,
  minVersion: 1,
  maxVersion: 10,
  handle(ctx, req) {
    const { node } = ctx;
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p): PartitionResponse => {
          try {
            const part = node.replicaManager.leaderPartition(t.name, p.partitionIndex);
            part.checkLeaderEpoch(p.currentLeaderEpoch);
            // Kafka's lastFetchableOffset: what a consumer of this isolation level may read.
            const lastFetchable = req.isolationLevel === 1 ? part.lastStableOffset : part.highWatermark;
            const found = (offset: number, timestamp = -1) => ({
              partitionIndex: p.partitionIndex,
              errorCode: 0,
              timestamp,
              offset,
              // leaderEpoch is on the wire from v4 only, and is not ignorable.
              leaderEpoch: ctx.apiVersion >= 4 ? part.leaderEpoch : -1,
            });
            switch (p.timestamp) {
              case LATEST:
                return found(lastFetchable);
              case EARLIEST:
              case EARLIEST_LOCAL:
                return found(part.logStartOffset);
              case LATEST_TIERED:
                return found(-1);
              case MAX_TIMESTAMP: {
                const m = part.log.offsetOfMaxTimestamp();
                return m ? found(m.offset, m.timestamp) : found(-1);
              }
              default: {
                if (p.timestamp < 0) {
                  throw new ApiError(ErrorCode.INVALID_REQUEST, `Invalid timestamp ${p.timestamp}`);
                }
                const r = part.log.offsetForTimestamp(p.timestamp);
                // Nothing at or after the timestamp: Kafka answers offset -1, timestamp -1.
                return r && r.offset < lastFetchable ? found(r.offset, r.timestamp) : found(-1);
              }
            }
          } catch (e) {
            if (!(e instanceof ApiError)) throw e;
            return {
              partitionIndex: p.partitionIndex,
              errorCode: errorCodeOf(e),
              timestamp: -1,
              offset: -1,
              leaderEpoch: -1,
            };
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
          errorCode,
          timestamp: -1,
          offset: -1,
        })),
      })),
    };
  },
});
