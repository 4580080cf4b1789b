/**
 * Leader elections (ElectLeaders, to the controller): Kafka's `Admin.electLeaders` and what
 * `kafka-leader-election.sh` runs.
 *
 * @module
 */

import { createKafkaError, ErrorCode } from '@tskafka/protocol';
import { Api } from '@tskafka/protocol/internals';
import { type AdminContext, groupBy, requestController, requestTimeoutFor, retryCall } from './requests.js';
import type { AdminTopicPartition, ElectionType, LeaderElectionResult } from './types.js';

const ELECTION_TYPE: Record<ElectionType, number> = { preferred: 0, unclean: 1 };

/**
 * Elects leaders of `partitions` (all partitions when null; then only those that needed an
 * election are answered), one result per partition with its error, if any.
 */
export async function electLeaders(
  ctx: AdminContext,
  electionType: ElectionType,
  partitions: readonly AdminTopicPartition[] | null,
  timeoutMs: number,
): Promise<LeaderElectionResult[]> {
  // A lost connection or a moved controller is worth another try within the call's time; the
  // election's own outcome (per partition) is the answer.
  const res = await retryCall(ctx, async () => {
    const r = await requestController(
      ctx.cluster,
      Api.ElectLeaders,
      {
        electionType: ELECTION_TYPE[electionType],
        topicPartitions:
          partitions === null
            ? null
            : [...groupBy(partitions, (p) => p.topic)].map(([topic, ps]) => ({
                topic,
                partitions: ps.map((p) => p.partition),
              })),
        timeoutMs,
      },
      requestTimeoutFor(ctx.cluster, timeoutMs),
    );
    if (r.errorCode !== ErrorCode.NONE) {
      throw createKafkaError(r.errorCode, { apiName: 'ElectLeaders' });
    }
    return r;
  });
  const results = res.replicaElectionResults.flatMap((t) =>
    t.partitionResult.map(
      (p): LeaderElectionResult => ({
        topic: t.topic,
        partition: p.partitionId,
        error:
          p.errorCode === ErrorCode.NONE
            ? null
            : createKafkaError(p.errorCode, {
                apiName: 'ElectLeaders',
                topic: t.topic,
                partition: p.partitionId,
                message: p.errorMessage ?? undefined,
              }),
      }),
    ),
  );
  return results.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
}
