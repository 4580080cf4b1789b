/**
 * Offsets and records of partitions, asked of each partition's leader: ListOffsets (log start,
 * log end, max timestamp, or by time) and DeleteRecords (moving the log start offset up).
 *
 * @module
 */
import { Api } from '@tskafka/protocol/internals';
import { type AdminContext, groupBy, perLeader, requestTimeoutFor } from './requests.js';
import type {
  AdminTopicPartition,
  DeletedRecords,
  ListedOffset,
  OffsetSpec,
  RecordsToDelete,
} from './types.js';

/** ListOffsets' timestamps for the named specs. */
const LISTED_OFFSET_TIMESTAMP = { earliest: -2, latest: -1, 'max-timestamp': -3 } as const;

/** The offset of each of `partitions` at `spec`, in the order given. */
export async function listOffsets(
  ctx: AdminContext,
  partitions: readonly AdminTopicPartition[],
  spec: OffsetSpec,
): Promise<ListedOffset[]> {
  const timestamp = typeof spec === 'number' ? spec : LISTED_OFFSET_TIMESTAMP[spec];
  const results = await perLeader<ListedOffset>(ctx, partitions, 'ListOffsets', async (leader, batch) => {
    const res = await ctx.cluster.request(leader, Api.ListOffsets, {
      replicaId: -1,
      isolationLevel: 0,
      topics: [...groupBy(batch, (p) => p.topic)].map(([name, ps]) => ({
        name,
        partitions: ps.map((p) => ({ partitionIndex: p.partition, timestamp, maxNumOffsets: 1 })),
      })),
    });
    return res.topics.flatMap((t) =>
      t.partitions.map((p) => ({
        key: `${t.name}:${p.partitionIndex}`,
        topic: t.name,
        partition: p.partitionIndex,
        errorCode: p.errorCode,
        result: {
          topic: t.name,
          partition: p.partitionIndex,
          // v0 answers with a list of offsets instead of one.
          offset: p.oldStyleOffsets.length > 0 ? p.oldStyleOffsets[0] : p.offset,
          timestamp: p.timestamp,
          leaderEpoch: p.leaderEpoch,
        },
      })),
    );
  });
  return partitions.map((p) => results.get(`${p.topic}:${p.partition}`) as ListedOffset);
}

/** Deletes the records before each given offset (-1: the high watermark); in the order given. */
export async function deleteRecords(
  ctx: AdminContext,
  records: readonly RecordsToDelete[],
  timeoutMs: number,
): Promise<DeletedRecords[]> {
  const offsets = new Map(records.map((r) => [`${r.topic}:${r.partition}`, r.offset]));
  const results = await perLeader<DeletedRecords>(ctx, records, 'DeleteRecords', async (leader, batch) => {
    const res = await ctx.cluster.request(
      leader,
      Api.DeleteRecords,
      {
        topics: [...groupBy(batch, (p) => p.topic)].map(([name, ps]) => ({
          name,
          partitions: ps.map((p) => ({
            partitionIndex: p.partition,
            offset: offsets.get(`${p.topic}:${p.partition}`) ?? -1,
          })),
        })),
        timeoutMs,
      },
      { timeoutMs: requestTimeoutFor(ctx.cluster, timeoutMs) },
    );
    return res.topics.flatMap((t) =>
      t.partitions.map((p) => ({
        key: `${t.name}:${p.partitionIndex}`,
        topic: t.name,
        partition: p.partitionIndex,
        errorCode: p.errorCode,
        result: { topic: t.name, partition: p.partitionIndex, lowWatermark: p.lowWatermark },
      })),
    );
  });
  return records.map((p) => results.get(`${p.topic}:${p.partition}`) as DeletedRecords);
}
