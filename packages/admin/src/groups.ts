/**
 * Consumer groups and their offsets: ListGroups (every broker), DescribeGroups, DeleteGroups,
 * OffsetFetch, OffsetCommit and OffsetDelete (the group's coordinator).
 *
 * @module
 */

import { createKafkaError, type KafkaError, ProtocolDecodeError } from '@tskafka/protocol';
import { Api, ConsumerProtocolAssignment, decodeMessage, Reader } from '@tskafka/protocol/internals';
import { COORDINATOR_CONNECTION_GROUP } from '@tskafka/transport/internals';
import { type AdminContext, check, groupBy, retryCall, withCoordinator } from './requests.js';
import type {
  AdminTopicPartition,
  GroupDescription,
  GroupListing,
  GroupMemberDescription,
  GroupOffset,
  GroupOffsetToCommit,
} from './types.js';

/** The highest ConsumerProtocolAssignment version this client reads; newer ones only add fields. */
const ASSIGNMENT_MAX_VERSION = 3;

/**
 * The partitions of a consumer-protocol assignment (an int16 version, then the struct, as Java's
 * `ConsumerProtocol` writes it); empty for empty bytes (a member with no assignment yet).
 *
 * @throws ProtocolDecodeError if the bytes are not a consumer-protocol assignment (too short, a
 *   negative version, truncated).
 */
export function decodeMemberAssignment(bytes: Buffer): AdminTopicPartition[] {
  if (bytes.length === 0) return [];
  if (bytes.length < 2) {
    throw new ProtocolDecodeError(
      `${bytes.length} byte(s), too short for a version`,
      0,
      'ConsumerProtocolAssignment',
    );
  }
  const version = bytes.readInt16BE(0);
  if (version < 0)
    throw new ProtocolDecodeError(`invalid version ${version}`, 0, 'ConsumerProtocolAssignment');
  // Newer versions only add fields, so they are read as the newest we know, trailing bytes allowed.
  const a = decodeMessage(
    ConsumerProtocolAssignment,
    Math.min(version, ASSIGNMENT_MAX_VERSION),
    new Reader(bytes, 2),
    false,
  );
  return a.assignedPartitions.flatMap((t) =>
    t.partitions.map((partition) => ({ topic: t.topic, partition })),
  );
}

/**
 * One member's assignment for `describeGroups`: decoded, or, for bytes that are not the consumer
 * protocol, empty with the error beside it and a warning in the log, so that one member's bad
 * bytes neither hide the rest of the group nor pass for "no partitions".
 */
function memberAssignment(
  ctx: AdminContext,
  groupId: string,
  memberId: string,
  bytes: Buffer,
): Pick<GroupMemberDescription, 'assignment' | 'assignmentError'> {
  try {
    return { assignment: decodeMemberAssignment(bytes) };
  } catch (error) {
    if (!(error instanceof ProtocolDecodeError)) throw error;
    ctx.cluster.options.logger.warn(
      `describeGroups: cannot decode the assignment of a member of ${groupId}`,
      {
        groupId,
        memberId,
        error,
      },
    );
    return { assignment: [], assignmentError: error };
  }
}

/** See `Admin.listGroups`: asks every broker for the groups it coordinates. */
export async function listGroups(ctx: AdminContext): Promise<GroupListing[]> {
  const { cluster } = ctx;
  if (cluster.metadata.brokers.size === 0) await retryCall(ctx, () => cluster.refreshMetadata());
  const perBroker = await Promise.all(
    cluster.brokers().map((b) =>
      retryCall(ctx, async () => {
        const res = await cluster.request(b.nodeId, Api.ListGroups, { statesFilter: [], typesFilter: [] });
        check(res.errorCode, { apiName: 'ListGroups', message: `broker ${b.nodeId}` });
        return res.groups;
      }),
    ),
  );
  const seen = new Map<string, GroupListing>();
  for (const groups of perBroker) {
    for (const g of groups) {
      seen.set(g.groupId, {
        groupId: g.groupId,
        protocolType: g.protocolType,
        state: g.groupState === '' ? null : g.groupState,
        type: g.groupType === '' ? null : g.groupType,
      });
    }
  }
  return [...seen.values()].sort((a, b) => (a.groupId < b.groupId ? -1 : a.groupId > b.groupId ? 1 : 0));
}

/** See `Admin.describeGroups`. */
export function describeGroups(ctx: AdminContext, groupIds: readonly string[]): Promise<GroupDescription[]> {
  const { cluster } = ctx;
  return Promise.all(
    groupIds.map((groupId) =>
      withCoordinator(ctx, groupId, async () => {
        const res = await cluster.requestCoordinator('group', groupId, Api.DescribeGroups, {
          groups: [groupId],
          includeAuthorizedOperations: false,
        });
        const g = res.groups.find((x) => x.groupId === groupId);
        if (g === undefined)
          throw createKafkaError(-1, { apiName: 'DescribeGroups', message: `no result for ${groupId}` });
        check(g.errorCode, { apiName: 'DescribeGroups', message: `group ${groupId}` });
        const consumer = g.protocolType === 'consumer';
        return {
          groupId,
          state: g.groupState,
          protocolType: g.protocolType,
          protocol: g.protocolData,
          members: g.members.map((m) => ({
            memberId: m.memberId,
            groupInstanceId: m.groupInstanceId,
            clientId: m.clientId,
            clientHost: m.clientHost,
            ...(consumer
              ? memberAssignment(ctx, groupId, m.memberId, m.memberAssignment)
              : { assignment: [] }),
            memberMetadata: m.memberMetadata,
            memberAssignment: m.memberAssignment,
          })),
        };
      }),
    ),
  );
}

/** See `Admin.deleteGroups`. */
export async function deleteGroups(ctx: AdminContext, groupIds: readonly string[]): Promise<void> {
  const { cluster } = ctx;
  const results = await Promise.allSettled(
    groupIds.map((groupId) =>
      withCoordinator(ctx, groupId, async () => {
        const res = await cluster.requestCoordinator('group', groupId, Api.DeleteGroups, {
          groupsNames: [groupId],
        });
        const r = res.results.find((x) => x.groupId === groupId);
        check(r === undefined ? -1 : r.errorCode, { apiName: 'DeleteGroups', message: `group ${groupId}` });
      }),
    ),
  );
  for (const r of results) if (r.status === 'rejected') throw r.reason;
}

/** See `Admin.listConsumerGroupOffsets`. */
export function listConsumerGroupOffsets(
  ctx: AdminContext,
  groupId: string,
  topics?: readonly string[],
): Promise<GroupOffset[]> {
  const { cluster } = ctx;
  const wanted = topics === undefined ? null : new Set(topics);
  return withCoordinator(ctx, groupId, async () => {
    // v8+ batch groups; older versions name one group at the top level.
    const coordinator = await cluster.findCoordinator('group', groupId);
    const conn = await cluster.connection(coordinator.nodeId, COORDINATOR_CONNECTION_GROUP);
    const batched = conn.versionFor(Api.OffsetFetch) >= 8;
    const res = await cluster.requestCoordinator(
      'group',
      groupId,
      Api.OffsetFetch,
      batched
        ? { groups: [{ groupId, topics: null }], requireStable: true }
        : { groupId, topics: null, requireStable: true },
    );
    let list = res.topics;
    let groupError = res.errorCode;
    const g = res.groups.find((x) => x.groupId === groupId);
    if (g !== undefined) {
      list = g.topics;
      groupError = g.errorCode;
    }
    check(groupError, { apiName: 'OffsetFetch', message: `group ${groupId}` });
    const out: GroupOffset[] = [];
    for (const t of list) {
      if (wanted !== null && !wanted.has(t.name)) continue;
      for (const p of t.partitions) {
        if (p.errorCode !== 0) {
          throw createKafkaError(p.errorCode, {
            apiName: 'OffsetFetch',
            topic: t.name,
            partition: p.partitionIndex,
          });
        }
        if (p.committedOffset < 0) continue;
        out.push({
          topic: t.name,
          partition: p.partitionIndex,
          offset: p.committedOffset,
          metadata: p.metadata,
          leaderEpoch: p.committedLeaderEpoch,
        });
      }
    }
    return out.sort(byTopicPartition);
  });
}

/** See `Admin.alterConsumerGroupOffsets`. */
export function alterConsumerGroupOffsets(
  ctx: AdminContext,
  groupId: string,
  offsets: readonly GroupOffsetToCommit[],
): Promise<void> {
  const { cluster } = ctx;
  const byTopic = groupBy(offsets, (o) => o.topic);
  return withCoordinator(ctx, groupId, async () => {
    // Generation -1 and no member id: the coordinator takes it only while the group is empty.
    const res = await cluster.requestCoordinator('group', groupId, Api.OffsetCommit, {
      groupId,
      generationIdOrMemberEpoch: -1,
      memberId: '',
      groupInstanceId: null,
      topics: [...byTopic].map(([name, list]) => ({
        name,
        partitions: list.map((o) => ({
          partitionIndex: o.partition,
          committedOffset: o.offset,
          committedMetadata: o.metadata ?? null,
        })),
      })),
    });
    throwFirstPartitionError('OffsetCommit', res.topics);
  });
}

/** See `Admin.deleteConsumerGroupOffsets`. */
export function deleteConsumerGroupOffsets(
  ctx: AdminContext,
  groupId: string,
  partitions: readonly AdminTopicPartition[],
): Promise<void> {
  const { cluster } = ctx;
  const byTopic = groupBy(partitions, (p) => p.topic);
  return withCoordinator(ctx, groupId, async () => {
    const res = await cluster.requestCoordinator('group', groupId, Api.OffsetDelete, {
      groupId,
      topics: [...byTopic].map(([name, list]) => ({
        name,
        partitions: list.map((p) => ({ partitionIndex: p.partition })),
      })),
    });
    check(res.errorCode, { apiName: 'OffsetDelete', message: `group ${groupId}` });
    throwFirstPartitionError('OffsetDelete', res.topics);
  });
}

function throwFirstPartitionError(
  apiName: string,
  topics: readonly { name: string; partitions: readonly { partitionIndex: number; errorCode: number }[] }[],
): void {
  let first: KafkaError | undefined;
  for (const t of topics) {
    for (const p of t.partitions) {
      if (p.errorCode !== 0 && first === undefined) {
        first = createKafkaError(p.errorCode, { apiName, topic: t.name, partition: p.partitionIndex });
      }
    }
  }
  if (first !== undefined) throw first;
}

/** Orders by topic, then partition. */
export function byTopicPartition(a: AdminTopicPartition, b: AdminTopicPartition): number {
  if (a.topic !== b.topic) return a.topic < b.topic ? -1 : 1;
  return a.partition - b.partition;
}
