/**
 * Committed offsets of a group (the offset half of Java's `ConsumerCoordinator`): OffsetCommit
 * with the member's generation, OffsetFetch, and what their errors mean for the membership.
 *
 * @module
 */

import { createKafkaError, ErrorCode, errorByCode } from '@tskafka/protocol';
import { Api, type ApiDef } from '@tskafka/protocol/internals';
import { type Cluster, COORDINATOR_CONNECTION_GROUP, diagnosticChannels } from '@tskafka/transport/internals';
import { CommitFailedError } from './errors.js';
import type { GroupMembership } from './membership.js';
import type { SubscriptionState } from './subscription-state.js';
import { type OffsetAndMetadata, type OffsetsToCommit, partitionKey, type TopicPartition } from './types.js';

/**
 * The application's call an offsets step belongs to: `operation` (e.g. `commitSync`) is what a
 * timeout names, and `startedAt` (on the cluster's clock) when the call began, so that steps run
 * one after another share its time.
 */
export interface OffsetCallOptions {
  /** The call, as the application made it. */
  operation?: string;
  /** When the call began; default when the step does. */
  startedAt?: number;
}

/**
 * The version the group coordinator's connection negotiated for `api` (at most `maxVersion`), so
 * a request can leave out fields an older broker does not know.
 */

export async function coordinatorVersion(
  cluster: Cluster,
  groupId: string,
  api: ApiDef,
  maxVersion?: number,
): Promise<number> {
  const c = await cluster.findCoordinator('group', groupId);
  const conn = await cluster.connection(c.nodeId, COORDINATOR_CONNECTION_GROUP);
  return conn.versionFor(api, maxVersion);
}

/** What {@link GroupOffsets} needs to know about the member. */
export interface GroupOffsetsMember {
  /** Whether the consumer is a group member (`subscribe`), so commits carry its generation. */
  inGroup(): boolean;
  /** `group.instance.id`, or null. */
  readonly groupInstanceId: string | null;
  /** Commits went through. */
  onCommit(offsets: ReadonlyMap<TopicPartition, OffsetAndMetadata>): void;
  /** The membership changed (rejoin or reset needed): wake a waiting poll. */
  wake(): void;
}

/** Commits and fetches a group's offsets. */
export class GroupOffsets {
  /**
   * @param cluster - the transport.
   * @param groupId - the group.
   * @param membership - the member's state machine (generation, member id).
   * @param member - callbacks into the consumer.
   */
  constructor(
    private readonly cluster: Cluster,
    private readonly groupId: string,
    private readonly membership: GroupMembership,
    private readonly member: GroupOffsetsMember,
  ) {}

  /**
   * Commits `offsets` (the next offsets to read). Retries coordinator moves and loads within
   * `timeoutMs`; a commit from a member that is no longer in the generation fails with
   * {@link CommitFailedError}. With `call.operation`, running out of time rejects with a
   * `KafkaTimeoutError` naming it (the last error its cause), and the retries warn.
   */
  async commit(
    offsets: ReadonlyMap<TopicPartition, OffsetAndMetadata>,
    timeoutMs: number,
    call: OffsetCallOptions = {},
  ): Promise<void> {
    if (offsets.size === 0) return;
    const topics = new Map<
      string,
      {
        partitionIndex: number;
        committedOffset: number;
        committedLeaderEpoch: number;
        committedMetadata: string;
      }[]
    >();
    for (const [tp, om] of offsets) {
      let list = topics.get(tp.topic);
      if (list === undefined) {
        list = [];
        topics.set(tp.topic, list);
      }
      list.push({
        partitionIndex: tp.partition,
        committedOffset: om.offset,
        committedLeaderEpoch: om.leaderEpoch ?? -1,
        committedMetadata: om.metadata ?? '',
      });
    }
    const inGroup = this.member.inGroup();
    const started = Date.now();
    let failure: unknown = null;
    try {
      await this.commitWithRetries(topics, inGroup, timeoutMs, call);
    } catch (e) {
      failure = e;
      throw e;
    } finally {
      if (diagnosticChannels.consumerCommit.hasSubscribers)
        diagnosticChannels.consumerCommit.publish({
          groupId: this.groupId,
          offsets: [...offsets].map(([tp, om]) => ({
            topic: tp.topic,
            partition: tp.partition,
            offset: om.offset,
          })),
          error: failure,
          latencyMs: Date.now() - started,
        });
    }
    this.member.onCommit(offsets);
  }

  private async commitWithRetries(
    topics: Map<
      string,
      {
        partitionIndex: number;
        committedOffset: number;
        committedLeaderEpoch: number;
        committedMetadata: string;
      }[]
    >,
    inGroup: boolean,
    timeoutMs: number,
    call: OffsetCallOptions,
  ): Promise<void> {
    await this.cluster.retry(
      async () => {
        const res = await this.cluster.requestCoordinator('group', this.groupId, Api.OffsetCommit, {
          groupId: this.groupId,
          generationIdOrMemberEpoch: inGroup ? this.membership.generationId : -1,
          memberId: inGroup ? this.membership.memberId : '',
          groupInstanceId: inGroup ? this.member.groupInstanceId : null,
          topics: [...topics].map(([name, partitions]) => ({ name, partitions })),
        });
        for (const t of res.topics) {
          for (const p of t.partitions) {
            if (p.errorCode === 0) continue;
            this.commitError(p.errorCode, t.name);
          }
        }
      },
      { ...call, timeoutMs },
    );
  }

  private commitError(code: number, topic: string): never {
    switch (code) {
      case ErrorCode.NOT_COORDINATOR:
      case ErrorCode.COORDINATOR_NOT_AVAILABLE:
        this.cluster.invalidateCoordinator('group', this.groupId);
        throw createKafkaError(code, { apiName: 'OffsetCommit', topic });
      case ErrorCode.REBALANCE_IN_PROGRESS:
        this.membership.requestRejoin('rebalance in progress during commit');
        this.member.wake();
        throw new CommitFailedError(
          'Offset commit cannot be completed since the consumer is undergoing a rebalance; it will be retried after the rebalance completes',
          { cause: createKafkaError(code, { apiName: 'OffsetCommit', topic }) },
        );
      case ErrorCode.UNKNOWN_MEMBER_ID:
      case ErrorCode.ILLEGAL_GENERATION:
        this.membership.resetGeneration(
          `${errorByCode(code).name} in OffsetCommit`,
          code === ErrorCode.ILLEGAL_GENERATION,
        );
        this.member.wake();
        throw new CommitFailedError(
          'Commit cannot be completed since the group has already rebalanced and assigned the partitions to another member',
          { cause: createKafkaError(code, { apiName: 'OffsetCommit', topic }) },
        );
      default:
        throw createKafkaError(code, { apiName: 'OffsetCommit', topic });
    }
  }

  /** The committed offsets of `partitions` (null where none); `call` as for {@link GroupOffsets.commit}. */
  async fetchCommitted(
    partitions: readonly TopicPartition[],
    timeoutMs: number,
    call: OffsetCallOptions = {},
  ): Promise<Map<string, OffsetAndMetadata | null>> {
    const topics = new Map<string, number[]>();
    for (const tp of partitions) {
      let list = topics.get(tp.topic);
      if (list === undefined) {
        list = [];
        topics.set(tp.topic, list);
      }
      list.push(tp.partition);
    }
    const out = new Map<string, OffsetAndMetadata | null>();
    await this.cluster.retry(
      async () => {
        // v8+ batches groups in another shape; v7 is enough, and older brokers get what they have.
        const version = await coordinatorVersion(this.cluster, this.groupId, Api.OffsetFetch, 7);
        const res = await this.cluster.requestCoordinator(
          'group',
          this.groupId,
          Api.OffsetFetch,
          {
            groupId: this.groupId,
            topics: [...topics].map(([name, partitionIndexes]) => ({ name, partitionIndexes })),
            // v7+: wait for pending transactional commits rather than return a stale offset.
            requireStable: version >= 7,
          },
          { maxVersion: version },
        );
        if (res.errorCode !== 0) this.offsetFetchError(res.errorCode);
        for (const t of res.topics) {
          for (const p of t.partitions) {
            if (p.errorCode !== 0) this.offsetFetchError(p.errorCode, t.name);
            out.set(
              partitionKey(t.name, p.partitionIndex),
              p.committedOffset < 0
                ? null
                : {
                    offset: p.committedOffset,
                    metadata: p.metadata ?? '',
                    leaderEpoch: p.committedLeaderEpoch,
                  },
            );
          }
        }
      },
      { ...call, timeoutMs },
    );
    return out;
  }

  private offsetFetchError(code: number, topic?: string): never {
    if (code === ErrorCode.NOT_COORDINATOR || code === ErrorCode.COORDINATOR_NOT_AVAILABLE)
      this.cluster.invalidateCoordinator('group', this.groupId);
    // Retriable ones (COORDINATOR_LOAD_IN_PROGRESS, NOT_COORDINATOR, UNSTABLE_OFFSET_COMMIT) are
    // retried by the caller's retry loop; others end it.
    throw createKafkaError(code, { apiName: 'OffsetFetch', topic });
  }
}

/**
 * What `commitSync(offsets)` / `commitAsync(offsets)` commit: the offsets given (a list or a
 * map), or by default the position of every assigned partition, i.e. everything `poll` returned.
 */
export function offsetsToCommit(
  subscriptions: SubscriptionState,
  offsets: OffsetsToCommit | undefined,
): Map<TopicPartition, OffsetAndMetadata> {
  const out = new Map<TopicPartition, OffsetAndMetadata>();
  if (offsets === undefined) {
    for (const [tp, p] of subscriptions.allConsumed())
      out.set(tp, { offset: p.offset, leaderEpoch: p.leaderEpoch });
  } else if (Array.isArray(offsets)) {
    for (const o of offsets as readonly (TopicPartition & OffsetAndMetadata)[])
      out.set(
        { topic: o.topic, partition: o.partition },
        { offset: o.offset, metadata: o.metadata, leaderEpoch: o.leaderEpoch },
      );
  } else {
    for (const [tp, om] of offsets as ReadonlyMap<TopicPartition, OffsetAndMetadata>) out.set(tp, om);
  }
  return out;
}
