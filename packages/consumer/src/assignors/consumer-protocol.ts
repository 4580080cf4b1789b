/**
 * The embedded consumer protocol: what a member puts in JoinGroup's protocol metadata
 * (ConsumerProtocolSubscription) and what the leader puts in SyncGroup's assignments
 * (ConsumerProtocolAssignment). Each is an int16 version followed by the struct of that version,
 * byte for byte as Java's `ConsumerProtocol` writes it, so tskafka, Java, librdkafka and KafkaJS
 * members can share a group.
 */
import {
  ConsumerProtocolAssignment,
  ConsumerProtocolSubscription,
  decodeMessage,
  encodeMessage,
  ProtocolDecodeError,
  Reader,
} from '@tskafka/protocol/internals';
import type { Assignment, Subscription, TopicPartition } from './types.js';
import { groupByTopic } from './util.js';

/** The embedded protocol type every consumer sends in JoinGroup. */
export const CONSUMER_PROTOCOL_TYPE = 'consumer';
/** The highest ConsumerProtocolSubscription version we write and read (Java 3.5+: rackId). */
export const SUBSCRIPTION_MAX_VERSION = 3;
/** The highest ConsumerProtocolAssignment version we write and read. */
export const ASSIGNMENT_MAX_VERSION = 3;

/** A decoded subscription with the version it was written in. */
export interface VersionedSubscription {
  /** The version the sender wrote (may exceed {@link SUBSCRIPTION_MAX_VERSION}). */
  version: number;
  /** The subscription; `groupInstanceId` is not part of the bytes (it comes from JoinGroup). */
  subscription: Subscription;
}

/** A decoded assignment with the version it was written in. */
export interface VersionedAssignment {
  /** The version the sender wrote (may exceed {@link ASSIGNMENT_MAX_VERSION}). */
  version: number;
  /** The assignment. */
  assignment: Assignment;
}

function toTopicPartitions(
  list: readonly { topic: string; partitions: readonly number[] }[],
): TopicPartition[] {
  const out: TopicPartition[] = [];
  for (const t of list) for (const partition of t.partitions) out.push({ topic: t.topic, partition });
  return out;
}

function fromTopicPartitions(
  partitions: readonly TopicPartition[],
): { topic: string; partitions: number[] }[] {
  return [...groupByTopic(partitions)].map(([topic, ps]) => ({ topic, partitions: ps }));
}

function withVersion(version: number, body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(2 + body.length);
  out.writeInt16BE(version, 0);
  body.copy(out, 2);
  return out;
}

/**
 * Reads the version prefix. As Java's `ConsumerProtocol`, a version above ours is read as our
 * highest one (newer versions only add fields at the end), and trailing bytes are ignored.
 */
function readVersion(bytes: Buffer, max: number, what: string): { version: number; readAs: number } {
  if (bytes.length < 2)
    throw new ProtocolDecodeError(`${bytes.length} bytes, too short for a version`, 0, what);
  const version = bytes.readInt16BE(0);
  if (version < 0) throw new ProtocolDecodeError(`unsupported version ${version}`, 0, what);
  return { version, readAs: Math.min(version, max) };
}

/**
 * The lowest ConsumerProtocolSubscription version that carries what `subscription` holds: v3 with
 * a rack, v2 with owned partitions and the generation they were owned in (the sticky assignors'
 * check), v1 with owned partitions only (what cooperative rebalancing needs), else v0, as Java
 * sent before 2.4. Older group leaders (Sarama 1.22, for one) cannot decode a version
 * above what they know and rebalance for ever; a leader of any age reads v0 and v1.
 */
export function subscriptionVersionFor(subscription: Subscription): number {
  if (subscription.rackId != null) return 3;
  if (!subscription.ownedPartitions?.length) return 0;
  return (subscription.generationId ?? -1) >= 0 ? 2 : 1;
}

/**
 * Encodes a member's subscription as JoinGroup protocol metadata.
 * @param version 0-3; by default the lowest that carries what `subscription` holds
 *   ({@link subscriptionVersionFor}).
 */
export function encodeSubscription(
  subscription: Subscription,
  version = subscriptionVersionFor(subscription),
): Buffer {
  const body = encodeMessage(ConsumerProtocolSubscription, version, {
    topics: subscription.topics,
    userData: subscription.userData ?? null,
    ownedPartitions: fromTopicPartitions(subscription.ownedPartitions ?? []),
    generationId: subscription.generationId ?? -1,
    rackId: subscription.rackId ?? null,
  });
  return withVersion(version, body);
}

/** Decodes JoinGroup protocol metadata written by any consumer (Java, librdkafka, KafkaJS, ours). */
export function decodeSubscriptionVersioned(bytes: Buffer): VersionedSubscription {
  const { version, readAs: claimed } = readVersion(
    bytes,
    SUBSCRIPTION_MAX_VERSION,
    'ConsumerProtocolSubscription',
  );
  let readAs = claimed;
  let v: ReturnType<typeof decodeMessage<typeof ConsumerProtocolSubscription>>;
  try {
    v = decodeMessage(ConsumerProtocolSubscription, readAs, new Reader(bytes, 2), false);
  } catch (e) {
    // KafkaJS writes its assigner's own version (often 1) in front of the v0 layout (topics and
    // user data only). Read such metadata as v0 rather than fail the whole group's assignment.
    if (readAs === 0) throw e;
    readAs = 0;
    v = decodeMessage(ConsumerProtocolSubscription, 0, new Reader(bytes, 2), false);
  }
  const subscription: Subscription = { topics: v.topics, userData: v.userData };
  if (readAs >= 1) subscription.ownedPartitions = toTopicPartitions(v.ownedPartitions);
  if (readAs >= 2) subscription.generationId = v.generationId;
  if (readAs >= 3) subscription.rackId = v.rackId;
  return { version, subscription };
}

/** Decodes JoinGroup protocol metadata; see {@link decodeSubscriptionVersioned}. */
export function decodeSubscription(bytes: Buffer): Subscription {
  return decodeSubscriptionVersioned(bytes).subscription;
}

/**
 * Encodes one member's assignment for SyncGroup.
 * @param version 0-3 (all the same layout); 3 by default, as Java.
 */
export function encodeAssignment(assignment: Assignment, version = ASSIGNMENT_MAX_VERSION): Buffer {
  const body = encodeMessage(ConsumerProtocolAssignment, version, {
    assignedPartitions: fromTopicPartitions(assignment.partitions),
    userData: assignment.userData ?? null,
  });
  return withVersion(version, body);
}

/** Decodes a SyncGroup assignment written by any consumer. */
export function decodeAssignmentVersioned(bytes: Buffer): VersionedAssignment {
  const { version, readAs } = readVersion(bytes, ASSIGNMENT_MAX_VERSION, 'ConsumerProtocolAssignment');
  const v = decodeMessage(ConsumerProtocolAssignment, readAs, new Reader(bytes, 2), false);
  return {
    version,
    assignment: { partitions: toTopicPartitions(v.assignedPartitions), userData: v.userData },
  };
}

/**
 * Decodes a SyncGroup assignment. An empty buffer (what a member gets when the leader assigned it
 * nothing and wrote no bytes) is an empty assignment, as in Java.
 */
export function decodeAssignment(bytes: Buffer): Assignment {
  if (bytes.length === 0) return { partitions: [], userData: null };
  return decodeAssignmentVersioned(bytes).assignment;
}
