/**
 * The records the group coordinator keeps in `__consumer_offsets`, in Apache Kafka's own formats so
 * that the log reads the same as a Kafka broker's (and tools that dump it understand it):
 *
 * - key version 0/1: an offset commit, `OffsetCommitKey {group, topic, partition}`; its value is
 *   `OffsetCommitValue` v0..v4 (v1 carries an explicit expire timestamp, v3 the leader epoch);
 * - key version 2: a group's metadata, `GroupMetadataKey {group}`; its value `GroupMetadataValue`
 *   v0..v4 (v3 adds group.instance.id for static members).
 *
 * Every key and value starts with an int16 version, followed by the struct encoded at that
 * version. A null value is a tombstone: the offset or the group was deleted.
 * Definitions: core/src/main/resources/common/message/{OffsetCommit,GroupMetadata}{Key,Value}.json.
 */

import type { MessageDef, MessageInput, MessageValue } from '@tskafka/protocol/internals';
import { decodeMessage, encodeMessage, message, Reader, struct, t } from '@tskafka/protocol/internals';

/** `OffsetCommitKey`: written with key version 1 (0 was the ZooKeeper-era twin, same layout). */
export const OffsetCommitKey = message(
  { name: 'OffsetCommitKey', type: 'data', validVersions: '0-1', flexibleVersions: 'none' },
  {
    /** The group id. */
    group: t.string(),
    /** The topic name. */
    topic: t.string(),
    /** The partition index. */
    partition: t.int32(),
  },
);

/** `OffsetCommitValue`: the committed offset and its metadata. */
export const OffsetCommitValue = message(
  { name: 'OffsetCommitValue', type: 'data', validVersions: '0-4', flexibleVersions: '4+' },
  {
    /** The committed offset (the next offset to consume). */
    offset: t.int64(),
    /** The leader epoch of the last consumed record, -1 when unknown. */
    leaderEpoch: t.int32({ versions: '3+', default: -1, ignorable: true }),
    /** The client's metadata string. */
    metadata: t.string(),
    /** When the offset was committed. */
    commitTimestamp: t.int64(),
    /** When it expires, for commits that asked for a retention time (OffsetCommit v2-4). */
    expireTimestamp: t.int64({ versions: '1', default: -1, ignorable: true }),
  },
);

/** `GroupMetadataKey`: only key version 2 exists. */
export const GroupMetadataKey = message(
  { name: 'GroupMetadataKey', type: 'data', validVersions: '2', flexibleVersions: 'none' },
  {
    /** The group id. */
    group: t.string({ versions: '2' }),
  },
);

/** `GroupMetadataValue`: the group after a completed rebalance (or when it became empty). */
export const GroupMetadataValue = message(
  { name: 'GroupMetadataValue', type: 'data', validVersions: '0-4', flexibleVersions: '4+' },
  {
    /** The protocol type, e.g. `consumer`; empty for a group without one. */
    protocolType: t.string(),
    /** The generation id. */
    generation: t.int32(),
    /** The selected protocol (assignor) name. */
    protocol: t.string({ nullableVersions: '0+' }),
    /** The leader's member id. */
    leader: t.string({ nullableVersions: '0+' }),
    /** When the group entered its current state. */
    currentStateTimestamp: t.int64({ versions: '2+', default: -1, ignorable: true }),
    /** The members. */
    members: t.array(
      struct('MemberMetadata', {
        /** The member id. */
        memberId: t.string(),
        /** The static member's group.instance.id. */
        groupInstanceId: t.string({ versions: '3+', nullableVersions: '3+', default: null, ignorable: true }),
        /** The client id of its latest JoinGroup. */
        clientId: t.string(),
        /** The client host. */
        clientHost: t.string(),
        /** The rebalance timeout. */
        rebalanceTimeout: t.int32({ versions: '1+', ignorable: true }),
        /** The session timeout. */
        sessionTimeout: t.int32(),
        /** The member's metadata for the selected protocol. */
        subscription: t.bytes(),
        /** The member's assignment. */
        assignment: t.bytes(),
      }),
    ),
  },
);

/** The value version Kafka writes for a group's metadata (static membership needs v3). */
export const GROUP_METADATA_VALUE_VERSION = 3;
/** The key version of offset commits. */
export const OFFSET_COMMIT_KEY_VERSION = 1;
/** The key version of group metadata. */
export const GROUP_METADATA_KEY_VERSION = 2;

/** A decoded offset commit value. */
export type OffsetCommitValue = MessageValue<typeof OffsetCommitValue>;
/** A decoded group metadata value. */
export type GroupMetadataValue = MessageValue<typeof GroupMetadataValue>;

/** A record key of `__consumer_offsets`, decoded. */
export type CoordinatorRecordKey =
  | { type: 'offset'; group: string; topic: string; partition: number }
  | { type: 'group'; group: string }
  | { type: 'unknown'; version: number };

function versioned<M extends MessageDef>(schema: M, version: number, value: MessageInput<M>): Buffer {
  const body = encodeMessage(schema, version, value);
  const out = Buffer.allocUnsafe(2 + body.length);
  out.writeInt16BE(version, 0);
  body.copy(out, 2);
  return out;
}

/** The key of an offset commit record. */
export function offsetCommitKey(group: string, topic: string, partition: number): Buffer {
  return versioned(OffsetCommitKey, OFFSET_COMMIT_KEY_VERSION, { group, topic, partition });
}

/** The key of a group metadata record. */
export function groupMetadataKey(group: string): Buffer {
  return versioned(GroupMetadataKey, GROUP_METADATA_KEY_VERSION, { group });
}

/**
 * The value of an offset commit record. Like Kafka, version 1 when the commit carries an explicit
 * expire timestamp (OffsetCommit v2-4 with a retention time), else version 3.
 */
export function offsetCommitValue(v: {
  offset: number;
  leaderEpoch: number;
  metadata: string;
  commitTimestamp: number;
  expireTimestamp: number | null;
}): Buffer {
  if (v.expireTimestamp !== null) {
    return versioned(OffsetCommitValue, 1, {
      offset: v.offset,
      metadata: v.metadata,
      commitTimestamp: v.commitTimestamp,
      expireTimestamp: v.expireTimestamp,
    });
  }
  return versioned(OffsetCommitValue, 3, {
    offset: v.offset,
    leaderEpoch: v.leaderEpoch,
    metadata: v.metadata,
    commitTimestamp: v.commitTimestamp,
  });
}

/** The value of a group metadata record (always {@link GROUP_METADATA_VALUE_VERSION}). */
export function groupMetadataValue(v: MessageInput<typeof GroupMetadataValue>): Buffer {
  return versioned(GroupMetadataValue, GROUP_METADATA_VALUE_VERSION, v);
}

/** Decodes a record key; versions this coordinator does not write come back as `unknown`. */
export function decodeRecordKey(key: Buffer): CoordinatorRecordKey {
  const r = new Reader(key);
  const version = r.int16();
  if (version === 0 || version === 1) {
    const k = decodeMessage(OffsetCommitKey, version, r);
    return { type: 'offset', group: k.group, topic: k.topic, partition: k.partition };
  }
  if (version === GROUP_METADATA_KEY_VERSION) {
    return { type: 'group', group: decodeMessage(GroupMetadataKey, version, r).group };
  }
  return { type: 'unknown', version };
}

/** Decodes an offset commit value of any known version. */
export function decodeOffsetCommitValue(value: Buffer): OffsetCommitValue & { version: number } {
  const r = new Reader(value);
  const version = r.int16();
  // A newer writer may append tagged fields or fields we do not know: read the prefix we know.
  return { ...decodeMessage(OffsetCommitValue, Math.min(version, 4), r, false), version };
}

/** Decodes a group metadata value of any known version. */
export function decodeGroupMetadataValue(value: Buffer): GroupMetadataValue & { version: number } {
  const r = new Reader(value);
  const version = r.int16();
  return { ...decodeMessage(GroupMetadataValue, Math.min(version, 4), r, false), version };
}
