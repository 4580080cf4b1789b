/**
 * Where the group coordinator persists its state: the partitions of `__consumer_offsets`, as in
 * Kafka. Behind a small interface so the state machine's tests can use an in-memory log and
 * still check the exact records written.
 */
import { ErrorCode } from '@tskafka/protocol';
import { ApiError } from '../api-error.js';

/** The internal topic holding committed offsets and group metadata. */
export const GROUP_METADATA_TOPIC_NAME = '__consumer_offsets';

/** One record of the offsets topic; a null value is a tombstone. */
export interface CoordinatorRecord {
  /** The record key (an int16 version, then the key struct). */
  key: Buffer;
  /** The record value, or null to delete what the key names. */
  value: Buffer | null;
}

/** The log of the offsets topic, seen from the coordinator. */
export interface GroupStore {
  /**
   * Appends `records` to `partition` as one batch; returns the offset of the first. Throws
   * {@link ApiError} (NOT_LEADER_OR_FOLLOWER, UNKNOWN_TOPIC_OR_PARTITION, ...) when it cannot.
   */
  append(partition: number, records: CoordinatorRecord[], now: number): number;
  /** Replays every record of `partition`, oldest first. */
  replay(
    partition: number,
    onRecord: (key: Buffer | null, value: Buffer | null, offset: number) => void,
  ): void;
}

/** What the broker's replica manager offers for internal topics. */
export interface InternalLog {
  /** Appends one uncompressed batch; returns its base offset. */
  appendInternal(
    topic: string,
    partition: number,
    records: { key: Buffer | null; value: Buffer | null }[],
    now: number,
  ): number;
  /** Replays every record of a hosted partition in order. */
  readInternal(
    topic: string,
    partition: number,
    onRecord: (key: Buffer | null, value: Buffer | null, offset: number) => void,
  ): void;
}

/** The store of a running broker: the replica manager's partitions of `__consumer_offsets`. */
export class ReplicaLogGroupStore implements GroupStore {
  private readonly log: InternalLog;

  /** Persists through `log`. */
  constructor(log: InternalLog) {
    this.log = log;
  }

  /** Appends through the replica manager. */
  append(partition: number, records: CoordinatorRecord[], now: number): number {
    return this.log.appendInternal(GROUP_METADATA_TOPIC_NAME, partition, records, now);
  }

  /** Replays through the replica manager. */
  replay(
    partition: number,
    onRecord: (key: Buffer | null, value: Buffer | null, offset: number) => void,
  ): void {
    this.log.readInternal(GROUP_METADATA_TOPIC_NAME, partition, onRecord);
  }
}

/** An in-memory log per partition, for tests; `failNext` makes the next append throw. */
export class InMemoryGroupStore implements GroupStore {
  /** Records by partition, in append order, with their offsets. */
  readonly partitions = new Map<number, { offset: number; key: Buffer; value: Buffer | null }[]>();
  /** When set, the next append throws an ApiError with this code, then clears. */
  failNext: number | null = null;

  /** Appends records, copying them. */
  append(partition: number, records: CoordinatorRecord[], _now: number): number {
    if (this.failNext !== null) {
      const code = this.failNext;
      this.failNext = null;
      throw new ApiError(code, 'injected append failure');
    }
    let log = this.partitions.get(partition);
    if (!log) {
      log = [];
      this.partitions.set(partition, log);
    }
    const base = log.length;
    for (const r of records) {
      log.push({ offset: log.length, key: Buffer.from(r.key), value: r.value ? Buffer.from(r.value) : null });
    }
    return base;
  }

  /** Replays the partition's records. */
  replay(
    partition: number,
    onRecord: (key: Buffer | null, value: Buffer | null, offset: number) => void,
  ): void {
    for (const r of this.partitions.get(partition) ?? []) onRecord(r.key, r.value, r.offset);
  }

  /** Every record of every partition (for assertions). */
  all(): { partition: number; offset: number; key: Buffer; value: Buffer | null }[] {
    const out: { partition: number; offset: number; key: Buffer; value: Buffer | null }[] = [];
    for (const [partition, log] of this.partitions) for (const r of log) out.push({ partition, ...r });
    return out;
  }
}

/** Kafka's mapping of an append error to what a group member should see (storeGroup). */
export function groupAppendError(code: number): number {
  switch (code) {
    case ErrorCode.UNKNOWN_TOPIC_OR_PARTITION:
    case ErrorCode.NOT_ENOUGH_REPLICAS:
    case ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND:
      return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    case ErrorCode.NOT_LEADER_OR_FOLLOWER:
    case ErrorCode.KAFKA_STORAGE_ERROR:
      return ErrorCode.NOT_COORDINATOR;
    case ErrorCode.REQUEST_TIMED_OUT:
      return ErrorCode.REBALANCE_IN_PROGRESS;
    case ErrorCode.MESSAGE_TOO_LARGE:
    case ErrorCode.RECORD_LIST_TOO_LARGE:
    case ErrorCode.INVALID_FETCH_SIZE:
      return ErrorCode.UNKNOWN_SERVER_ERROR;
    default:
      return code;
  }
}

/** Kafka's mapping of an append error for offset commits (`maybeConvertOffsetCommitError`). */
export function offsetAppendError(code: number): number {
  switch (code) {
    case ErrorCode.MESSAGE_TOO_LARGE:
    case ErrorCode.RECORD_LIST_TOO_LARGE:
    case ErrorCode.INVALID_FETCH_SIZE:
      return ErrorCode.INVALID_COMMIT_OFFSET_SIZE;
    case ErrorCode.REQUEST_TIMED_OUT:
      return ErrorCode.REQUEST_TIMED_OUT;
    case ErrorCode.NETWORK_EXCEPTION:
      return ErrorCode.COORDINATOR_LOAD_IN_PROGRESS;
    default:
      return groupAppendError(code);
  }
}
