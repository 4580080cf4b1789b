/**
 * What OffsetCommit and TxnOffsetCommit share: partitions of unknown topics are refused with
 * UNKNOWN_TOPIC_OR_PARTITION before the coordinator sees them (as Kafka's request handler does),
 * the rest go to the coordinator in one call, and the answer lists every partition in request
 * order with its error code.
 */
import { ErrorCode } from '@tskafka/protocol';
import type { OffsetAndMetadata } from '../group/group.js';
import type { OffsetCommitEntry } from '../group/offset-ops.js';
import type { ClusterMetadata } from '../metadata.js';

/** A partition of either request. */
interface CommitPartition {
  partitionIndex: number;
}

/** Per-topic results, the shape both responses use. */
export interface CommitTopicResult {
  name: string;
  partitions: { partitionIndex: number; errorCode: number }[];
}

/**
 * Commits the partitions of known topics through `commit` (which answers one error code per
 * entry, in order, once the commit is in the ISR) and answers every partition of `topics`.
 */
export async function commitKnownPartitions<P extends CommitPartition>(
  metadata: ClusterMetadata,
  topics: readonly { name: string; partitions: readonly P[] }[],
  offsetOf: (p: P) => OffsetAndMetadata,
  commit: (entries: OffsetCommitEntry[]) => Promise<number[]>,
  topicAllowed: (topic: string) => boolean = () => true,
): Promise<CommitTopicResult[]> {
  const errors: number[][] = [];
  const entries: OffsetCommitEntry[] = [];
  const slots: [number, number][] = [];
  for (const [ti, topic] of topics.entries()) {
    // READ on the topic is checked first, as Kafka does, so its existence is not disclosed.
    if (!topicAllowed(topic.name)) {
      errors.push(topic.partitions.map(() => ErrorCode.TOPIC_AUTHORIZATION_FAILED));
      continue;
    }
    const known = metadata.topics.get(topic.name);
    errors.push(topic.partitions.map(() => ErrorCode.UNKNOWN_TOPIC_OR_PARTITION));
    for (const [pi, p] of topic.partitions.entries()) {
      if (!known || p.partitionIndex < 0 || p.partitionIndex >= known.partitions.length) continue;
      slots.push([ti, pi]);
      entries.push({ topic: topic.name, partition: p.partitionIndex, offset: offsetOf(p) });
    }
  }
  if (entries.length > 0) {
    const results = await commit(entries);
    for (const [i, [ti, pi]] of slots.entries()) errors[ti][pi] = results[i];
  }
  return topics.map((t, ti) => ({
    name: t.name,
    partitions: t.partitions.map((p, pi) => ({
      partitionIndex: p.partitionIndex,
      errorCode: errors[ti][pi],
    })),
  }));
}

/** The same error code for every partition (a request refused as a whole). */
export function allPartitionsFailed(
  topics: readonly { name: string; partitions: readonly CommitPartition[] }[],
  errorCode: number,
): CommitTopicResult[] {
  return topics.map((t) => ({
    name: t.name,
    partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })),
  }));
}
