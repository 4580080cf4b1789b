/**
 * Control records: the single record of a control batch. Transaction markers (COMMIT, ABORT)
 * end a producer's transaction in each partition it wrote to; KRaft metadata logs use the other
 * types. Layouts follow Java's `ControlRecordType` and `EndTransactionMarker`.
 *
 * @module
 */
import { ProtocolDecodeError, ProtocolEncodeError } from '../primitives/errors.js';
import { NO_PARTITION_LEADER_EPOCH, NO_SEQUENCE } from './batch.js';
import { RecordBatchBuilder } from './builder.js';

/** The `type` in a control record's key. */
export const ControlRecordType = {
  /** The transaction was aborted: a read_committed consumer drops its records. */
  Abort: 0,
  /** The transaction was committed. */
  Commit: 1,
  /** KRaft: a new leader was elected (`LeaderChangeMessage` value). */
  LeaderChange: 2,
  /** KRaft: first record of a snapshot. */
  SnapshotHeader: 3,
  /** KRaft: last record of a snapshot. */
  SnapshotFooter: 4,
  /** KRaft: the `kraft.version` feature level. */
  KRaftVersion: 5,
  /** KRaft: the voter set. */
  KRaftVoters: 6,
} as const;
/** One of the values of {@link ControlRecordType}. */
export type ControlRecordType = (typeof ControlRecordType)[keyof typeof ControlRecordType];

/** Version written in control record keys; readers accept later ones, as Java does. */
export const CONTROL_RECORD_KEY_VERSION = 0;
/** Version written in transaction marker values. */
export const END_TXN_MARKER_VALUE_VERSION = 0;

const KEY_SIZE = 4;
const MARKER_VALUE_SIZE = 6;

/** A decoded control record. */
export interface ControlRecord {
  /** Version of the key. */
  version: number;
  /** The control type; may be a number newer than {@link ControlRecordType} knows. */
  type: number;
  /** For ABORT and COMMIT: epoch of the transaction coordinator that wrote it; else null. */
  coordinatorEpoch: number | null;
}

/** Key and value bytes of a control record. */
export interface EncodedControlRecord {
  /** `version int16, type int16`. */
  key: Buffer;
  /** `version int16, coordinatorEpoch int32` for markers; null for other types. */
  value: Buffer | null;
}

function isMarker(type: number): boolean {
  return type === ControlRecordType.Abort || type === ControlRecordType.Commit;
}

/**
 * Key and value of a control record. ABORT and COMMIT need the coordinator epoch for their value;
 * other types carry a message of their own that the caller writes as the value.
 */
export function encodeControlRecord(
  type: ControlRecordType,
  coordinatorEpoch?: number,
): EncodedControlRecord {
  const key = Buffer.allocUnsafe(KEY_SIZE);
  key.writeInt16BE(CONTROL_RECORD_KEY_VERSION, 0);
  key.writeInt16BE(type, 2);
  if (!isMarker(type)) return { key, value: null };
  if (
    coordinatorEpoch === undefined ||
    !Number.isInteger(coordinatorEpoch) ||
    coordinatorEpoch < -0x80000000 ||
    coordinatorEpoch > 0x7fffffff
  ) {
    throw new ProtocolEncodeError(
      `a transaction marker needs an int32 coordinatorEpoch, got ${coordinatorEpoch}`,
      'ControlRecord',
    );
  }
  const value = Buffer.allocUnsafe(MARKER_VALUE_SIZE);
  value.writeInt16BE(END_TXN_MARKER_VALUE_VERSION, 0);
  value.writeInt32BE(coordinatorEpoch, 2);
  return { key, value };
}

/**
 * Decodes the key (and, for transaction markers, the value) of a control record. Throws
 * {@link ProtocolDecodeError} for a key shorter than 4 bytes or with a negative version, and for
 * a marker value shorter than 6 bytes. Later key and value versions are read as version 0, which
 * later versions extend.
 */
export function decodeControlRecord(key: Uint8Array | null, value: Uint8Array | null): ControlRecord {
  if (key === null || key.length < KEY_SIZE) {
    throw new ProtocolDecodeError(
      `control record key must be at least ${KEY_SIZE} bytes, got ${key === null ? 'null' : key.length}`,
      0,
      'ControlRecord',
    );
  }
  const version = readInt16(key, 0);
  if (version < 0) {
    throw new ProtocolDecodeError(`control record key version ${version} is negative`, 0, 'ControlRecord');
  }
  const type = readInt16(key, 2);
  if (!isMarker(type)) return { version, type, coordinatorEpoch: null };
  if (value === null || value.length < MARKER_VALUE_SIZE) {
    throw new ProtocolDecodeError(
      `transaction marker value must be at least ${MARKER_VALUE_SIZE} bytes, got ${value === null ? 'null' : value.length}`,
      0,
      'ControlRecord',
    );
  }
  const coordinatorEpoch = (value[2] << 24) | (value[3] << 16) | (value[4] << 8) | value[5] | 0;
  return { version, type, coordinatorEpoch };
}

function readInt16(b: Uint8Array, at: number): number {
  return (((b[at] << 8) | b[at + 1]) << 16) >> 16;
}

/** What a transaction coordinator writes to end a producer's transaction in one partition. */
export interface EndTxnMarkerOptions {
  /** The transactional producer's id. */
  producerId: number;
  /** The producer's epoch. */
  producerEpoch: number;
  /** COMMIT when true, ABORT when false. */
  commit: boolean;
  /** Epoch of the transaction coordinator writing the marker. */
  coordinatorEpoch: number;
  /** Offset the leader assigns to the marker; default 0. */
  baseOffset?: number;
  /** Marker timestamp; default `Date.now()`. */
  timestamp?: number;
  /** Leader epoch stamped by the leader; default -1. */
  partitionLeaderEpoch?: number;
}

/**
 * A complete control batch holding one COMMIT or ABORT marker, with the transactional and
 * control bits set and no sequence number (Java's `MemoryRecords.withEndTransactionMarker`).
 */
export function buildEndTxnMarkerBatch(options: EndTxnMarkerOptions): Buffer {
  const { key, value } = encodeControlRecord(
    options.commit ? ControlRecordType.Commit : ControlRecordType.Abort,
    options.coordinatorEpoch,
  );
  const builder = new RecordBatchBuilder(0);
  builder.tryAppend(options.timestamp ?? Date.now(), key, value);
  return builder.build({
    baseOffset: options.baseOffset ?? 0,
    partitionLeaderEpoch: options.partitionLeaderEpoch ?? NO_PARTITION_LEADER_EPOCH,
    producerId: options.producerId,
    producerEpoch: options.producerEpoch,
    baseSequence: NO_SEQUENCE,
    isTransactional: true,
    isControl: true,
  });
}
