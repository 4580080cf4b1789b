/**
 * DescribeLogDirs, as Java's `Admin.describeLogDirs`: each broker's log directories and the
 * replicas in them, with their size in bytes (what `kafka-log-dirs.sh --describe` prints).
 */
import { createKafkaError, type KafkaError } from '@tskafka/protocol';
import { Api } from '@tskafka/protocol/internals';
import { describeCluster } from './cluster.js';
import { type AdminContext, retryCall } from './requests.js';

/** A replica in a log directory (Java's `ReplicaInfo`). */
export interface LogDirReplica {
  /** The topic. */
  topic: string;
  /** The partition. */
  partition: number;
  /** The size of its log segments, in bytes. */
  size: number;
  /** How far its log end is behind the partition's high watermark (Kafka's offset lag; 0 once caught up). */
  offsetLag: number;
  /** Whether it is a future replica (moving between directories). */
  isFuture: boolean;
}

/** One log directory of a broker (Java's `LogDirDescription`). */
export interface LogDirDescription {
  /** The broker. */
  brokerId: number;
  /** The directory's path. */
  path: string;
  /** Why the directory could not be described, or null. */
  error: KafkaError | null;
  /** Its replicas, by topic then partition. */
  replicas: LogDirReplica[];
  /** Size of the volume in bytes; -1 when the broker does not say (before Kafka 3.3). */
  totalBytes: number;
  /** Usable bytes of the volume; -1 when the broker does not say. */
  usableBytes: number;
}

/** The log directories of `brokerIds` (default every live broker), in broker order. */
export async function describeLogDirs(
  ctx: AdminContext,
  brokerIds: readonly number[] | undefined,
): Promise<LogDirDescription[]> {
  const ids = brokerIds ?? (await describeCluster(ctx)).brokers.map((b) => b.nodeId).sort((a, b) => a - b);
  const out: LogDirDescription[] = [];
  for (const brokerId of ids) {
    const res = await retryCall(ctx, () =>
      ctx.cluster.request(brokerId, Api.DescribeLogDirs, { topics: null }),
    );
    if (res.errorCode !== 0) throw createKafkaError(res.errorCode, { apiName: 'DescribeLogDirs' });
    for (const r of res.results) {
      out.push({
        brokerId,
        path: r.logDir,
        error: r.errorCode === 0 ? null : createKafkaError(r.errorCode, { apiName: 'DescribeLogDirs' }),
        replicas: r.topics.flatMap((t) =>
          t.partitions.map((p) => ({
            topic: t.name,
            partition: p.partitionIndex,
            size: p.partitionSize,
            offsetLag: p.offsetLag,
            isFuture: p.isFutureKey,
          })),
        ),
        totalBytes: r.totalBytes,
        usableBytes: r.usableBytes,
      });
    }
  }
  return out;
}
