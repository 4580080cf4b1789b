/**
 * ListOffsets: earliest (-2), latest (-1: the high watermark, or the last stable offset for
 * read_committed), max timestamp (-3), earliest local (-4), and lookups by timestamp through the
 * time index. v0, which librdkafka without ApiVersions and lag monitors still send, answers in
 * its own shape: up to `maxNumOffsets` segment boundaries (`oldStyleOffsets`), as Kafka's
 * `legacyFetchOffsetsBefore` does.
 *
 * Right after a leader election the new leader's high watermark is its own, older one until the
 * followers catch up; answering it would make "latest" go backwards. As Kafka (KIP-207), a
 * consumer's ListOffsets v1+ for latest, or for a timestamp not found below the last fetchable
 * offset, is then answered OFFSET_NOT_AVAILABLE (retriable) until the high watermark reaches the
 * start of the leader's epoch.
 */

import { AclOperation, ErrorCode, ResourceType } from '@tskafka/protocol';
import { Api, type MessageInput } from '@tskafka/protocol/internals';
import { ApiError, errorCodeOf } from '../api-error.js';
import { authorize, notAuthorized } from '../auth/request-auth.js';
import { defineHandler } from '../handler.js';
import type { Partition } from '../partition.js';

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
  minVersion: 0,
  maxVersion: 10,
  handle(ctx, req) {
    const { node } = ctx;
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => {
        const allowed = authorize(ctx, AclOperation.DESCRIBE, ResourceType.TOPIC, t.name);
        return {
          name: t.name,
          partitions: t.partitions.map((p): PartitionResponse => {
            try {
              if (!allowed) throw notAuthorized(t.name);
              const part = node.replicaManager.leaderPartition(t.name, p.partitionIndex);
              part.checkLeaderEpoch(p.currentLeaderEpoch);
              if (ctx.apiVersion === 0) {
                return {
                  partitionIndex: p.partitionIndex,
                  errorCode: 0,
                  oldStyleOffsets: legacyOffsets(
                    part,
                    p.timestamp,
                    p.maxNumOffsets,
                    req.replicaId === -1,
                    ctx.now,
                  ),
                };
              }
              // Kafka's lastFetchableOffset: what a consumer of this isolation level may read.
              const lastFetchable = req.isolationLevel === 1 ? part.lastStableOffset : part.highWatermark;
              const notAvailable = () =>
                new ApiError(
                  ErrorCode.OFFSET_NOT_AVAILABLE,
                  `the high watermark ${part.highWatermark} of ${t.name}-${p.partitionIndex} is behind the start of leader epoch ${part.leaderEpoch}`,
                );
              // Only a consumer's request waits for it (Kafka's isolationLevel.isDefined).
              const lagging = req.replicaId === -1 && part.highWatermarkBehindEpochStart;
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
                  if (lagging) throw notAvailable();
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
                  if (r && r.offset < lastFetchable) return found(r.offset, r.timestamp);
                  if (lagging) throw notAvailable();
                  return found(-1);
                }
              }
            } catch (e) {
              if (!(e instanceof ApiError)) throw e;
              return {
                partitionIndex: p.partitionIndex,
                errorCode: errorCodeOf(e),
                oldStyleOffsets: [],
                timestamp: -1,
                offset: -1,
                leaderEpoch: -1,
              };
            }
          }),
        };
      }),
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
          oldStyleOffsets: [],
          timestamp: -1,
          offset: -1,
        })),
      })),
    };
  },
});

/**
 * Kafka's `legacyFetchOffsetsBefore` for ListOffsets v0: the base offset of each segment (never
 * below the log start offset) with its largest record timestamp (Kafka took the file's
 * modification time, which a memory log does not have), plus the log end offset when the
 * active segment holds data; latest starts from the newest, earliest from the oldest, a timestamp
 * from the newest segment written at or before it. Up to `maxNumOffsets`, newest first. A
 * consumer (`replicaId` -1) never sees past the high watermark, as `legacyFetchOffsetsForTimestamp`.
 */
export function legacyOffsets(
  part: Partition,
  timestamp: number,
  maxNumOffsets: number,
  fromConsumer: boolean,
  now: number,
): number[] {
  const segments = part.log.segments;
  const points = segments.map((s) => ({
    offset: Math.max(s.baseOffset, part.logStartOffset),
    time: s.maxTimestamp,
  }));
  if ((segments[segments.length - 1]?.size ?? 0) > 0)
    points.push({ offset: part.log.logEndOffset, time: now });
  let start: number;
  if (timestamp === LATEST) start = points.length - 1;
  else if (timestamp === EARLIEST) start = 0;
  else {
    start = points.length - 1;
    while (start >= 0 && points[start].time > timestamp) start--;
  }
  const offsets: number[] = [];
  for (let i = start; i >= 0 && offsets.length < maxNumOffsets; i--) offsets.push(points[i].offset);
  offsets.sort((a, b) => b - a);
  if (!fromConsumer) return offsets;
  const hw = part.highWatermark;
  if (!offsets.some((o) => o > hw)) return offsets;
  return [hw, ...offsets.filter((o) => o <= hw)];
}
