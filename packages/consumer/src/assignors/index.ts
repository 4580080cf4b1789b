/**
 * Partition assignors: `range` (the default), `roundrobin`, `sticky` and `cooperative-sticky`,
 * with the protocol names and the subscription/assignment bytes of the Java client, so a group can
 * mix tskafka, Java, librdkafka and KafkaJS members. User assignors implement
 * {@link ConsumerPartitionAssignor} and plug in the same way.
 *
 * @module
 */

import { ConsumerError } from '../errors.js';
import { decodeSubscription, encodeAssignment } from './consumer-protocol.js';
import { CooperativeStickyAssignor } from './cooperative-sticky.js';
import { RangeAssignor, range } from './range.js';
import { RoundRobinAssignor, roundRobin } from './round-robin.js';
import { StickyAssignor } from './sticky.js';
import {
  type ConsumerPartitionAssignor,
  type MemberId,
  type PartitionInfo,
  RebalanceProtocol,
  type Subscription,
  type TopicPartition,
} from './types.js';

export * from './abstract-sticky.js';
export * from './consumer-protocol.js';
export * from './cooperative-sticky.js';
export * from './range.js';
export * from './round-robin.js';
export * from './sticky.js';
export * from './sticky-user-data.js';
export * from './types.js';
export { comparePartitions, sortMembers } from './util.js';

/** The names of the built-in assignors, as Java's `partition.assignment.strategy` protocol names. */
export const ASSIGNOR_NAMES = [
  RangeAssignor.NAME,
  RoundRobinAssignor.NAME,
  StickyAssignor.NAME,
  CooperativeStickyAssignor.NAME,
] as const;

/** A built-in assignor's name. */
export type AssignorName = (typeof ASSIGNOR_NAMES)[number];

/**
 * The assignor for a name, or the assignor itself. `range` and `roundrobin` are shared stateless
 * objects; `sticky` and `cooperative-sticky` are new instances, since they remember the member's
 * last assignment. Java class names (`org.apache.kafka.clients.consumer.RangeAssignor`, ...) are
 * accepted too, as `partition.assignment.strategy` holds them.
 * @throws ConsumerError naming the known assignors when `nameOrAssignor` is unknown.
 */
export function assignorFor(
  nameOrAssignor: AssignorName | string | ConsumerPartitionAssignor,
): ConsumerPartitionAssignor {
  if (typeof nameOrAssignor !== 'string') return nameOrAssignor;
  const name = nameOrAssignor.startsWith('org.apache.kafka.clients.consumer.')
    ? javaClassNames[nameOrAssignor.slice('org.apache.kafka.clients.consumer.'.length)]
    : nameOrAssignor;
  switch (name) {
    case RangeAssignor.NAME:
      return range;
    case RoundRobinAssignor.NAME:
      return roundRobin;
    case StickyAssignor.NAME:
      return new StickyAssignor();
    case CooperativeStickyAssignor.NAME:
      return new CooperativeStickyAssignor();
    default:
      throw new ConsumerError(
        `unknown partition assignor '${nameOrAssignor}' (known: ${ASSIGNOR_NAMES.join(', ')})`,
      );
  }
}

const javaClassNames: Record<string, AssignorName | undefined> = {
  RangeAssignor: 'range',
  RoundRobinAssignor: 'roundrobin',
  StickyAssignor: 'sticky',
  CooperativeStickyAssignor: 'cooperative-sticky',
};

/**
 * The rebalance protocol a consumer with these assignors uses, as Java's `ConsumerCoordinator`
 * picks it: the most advanced one that every assignor supports (COOPERATIVE over EAGER).
 * @throws ConsumerError when the assignors have no protocol in common.
 */
export function rebalanceProtocolOf(assignors: readonly ConsumerPartitionAssignor[]): RebalanceProtocol {
  const supported = (a: ConsumerPartitionAssignor) => a.supportedProtocols ?? [RebalanceProtocol.EAGER];
  const common = [RebalanceProtocol.COOPERATIVE, RebalanceProtocol.EAGER].filter((p) =>
    assignors.every((a) => supported(a).includes(p)),
  );
  if (common.length === 0) {
    throw new ConsumerError(
      `assignors ${assignors.map((a) => a.name).join(', ')} have no rebalance protocol in common`,
    );
  }
  return common[0];
}

/** One member as the group leader sees it in the JoinGroup response. */
export interface JoinedMember {
  /** The member id. */
  memberId: MemberId;
  /** Its `group.instance.id`, for static members. */
  groupInstanceId: string | null;
  /** Its ConsumerProtocolSubscription bytes for the chosen protocol. */
  metadata: Buffer;
}

function decodeMembers(members: readonly JoinedMember[]): Map<MemberId, Subscription> {
  const subscriptions = new Map<MemberId, Subscription>();
  for (const m of members) {
    subscriptions.set(m.memberId, { ...decodeSubscription(m.metadata), groupInstanceId: m.groupInstanceId });
  }
  return subscriptions;
}

function encodeAssignments(
  members: readonly JoinedMember[],
  assignment: Map<MemberId, TopicPartition[]>,
  assignmentVersion?: number,
): Map<MemberId, Buffer> {
  const out = new Map<MemberId, Buffer>();
  for (const m of members) {
    out.set(
      m.memberId,
      encodeAssignment({ partitions: assignment.get(m.memberId) ?? [] }, assignmentVersion),
    );
  }
  return out;
}

/**
 * What the elected leader does between JoinGroup and SyncGroup: decode every member's
 * subscription, run the assignor, encode every member's assignment.
 * @param partitionsPerTopic partition counts of the subscribed topics, from metadata.
 * @returns the SyncGroup assignment bytes for every member.
 * @throws ConsumerError when the assignor answers asynchronously; use {@link performAssignmentAsync}.
 */
export function performAssignment(
  assignor: ConsumerPartitionAssignor,
  partitionsPerTopic: Map<string, number>,
  members: readonly JoinedMember[],
  assignmentVersion?: number,
): Map<MemberId, Buffer> {
  const assignment = assignor.assign(partitionsPerTopic, decodeMembers(members));
  if (assignment instanceof Promise)
    throw new ConsumerError(`assignor ${assignor.name} is asynchronous: use performAssignmentAsync`);
  return encodeAssignments(members, assignment, assignmentVersion);
}

/**
 * {@link performAssignment} for any assignor, synchronous or not (what the group leader runs).
 * @param partitionInfos every partition of `partitionsPerTopic` with its replicas' racks: an
 *   assignor with {@link ConsumerPartitionAssignor.assignPartitions} gets these (rack awareness).
 */
export async function performAssignmentAsync(
  assignor: ConsumerPartitionAssignor,
  partitionsPerTopic: Map<string, number>,
  members: readonly JoinedMember[],
  assignmentVersion?: number,
  partitionInfos?: Map<string, readonly PartitionInfo[]>,
): Promise<Map<MemberId, Buffer>> {
  const subscriptions = decodeMembers(members);
  const assignment =
    partitionInfos !== undefined && assignor.assignPartitions !== undefined
      ? await assignor.assignPartitions(partitionInfos, subscriptions)
      : await assignor.assign(partitionsPerTopic, subscriptions);
  return encodeAssignments(members, assignment, assignmentVersion);
}
