/**
 * DescribeLogDirs: the partitions this broker hosts (leader and follower replicas), with the size
 * of their segments and how far each log end is behind the high watermark, in one log directory
 * (the data dir, or the broker's memory). Needs DESCRIBE on the cluster, as in Kafka; without it
 * the answer is CLUSTER_AUTHORIZATION_FAILED with no directories.
 */

import { AclOperation, ErrorCode } from '@tskafka/protocol';
import { Api } from '@tskafka/protocol/internals';
import { authorizeCluster } from '../auth/request-auth.js';
import { defineHandler } from '../handler.js';

/** DescribeLogDirs handler. */
export const describeLogDirsHandler = defineHandler({
  api: Api.DescribeLogDirs,
  minVersion: 0,
  maxVersion: 4,
  handle(ctx, req) {
    if (!authorizeCluster(ctx, AclOperation.DESCRIBE))
      return { throttleTimeMs: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, results: [] };
    const wanted =
      req.topics === null ? null : new Map(req.topics.map((t) => [t.topic, new Set(t.partitions)]));
    const byTopic = new Map<
      string,
      { partitionIndex: number; partitionSize: number; offsetLag: number; isFutureKey: boolean }[]
    >();
    const rm = ctx.node.replicaManager;
    for (const p of rm.partitions.values()) {
      if (wanted !== null && !wanted.get(p.topic)?.has(p.index)) continue;
      const list = byTopic.get(p.topic) ?? [];
      list.push({
        partitionIndex: p.index,
        partitionSize: p.log.size,
        // Kafka's getLogEndOffsetLag for a current log: how far the log end is behind the high watermark.
        offsetLag: Math.max(0, p.highWatermark - p.logEndOffset),
        isFutureKey: false,
      });
      byTopic.set(p.topic, list);
    }
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      results: [
        {
          errorCode: ErrorCode.NONE,
          logDir: rm.logDir,
          topics: [...byTopic]
            .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
            .map(([name, partitions]) => ({
              name,
              partitions: partitions.sort((a, b) => a.partitionIndex - b.partitionIndex),
            })),
          totalBytes: -1,
          usableBytes: -1,
        },
      ],
    };
  },
  errorResponse: (_req, errorCode) => ({ throttleTimeMs: 0, errorCode, results: [] }),
});
