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

/** The producer of a transactional append: the batch is written in its transaction. */
export interface TxnProducer {
  /** The transactional producer's id. */
  producerId: number;
  /** Its epoch (an older one than the partition knows is refused with INVALID_PRODUCER_EPOCH). */
  producerEpoch: number;
}

/** The batch a replayed record came from. */
export interface ReplayedBatch {
  /** The batch's producer id, -1 for none. */
  producerId: number;
  /** Whether the batch was written in a transaction. */
  isTransactional: boolean;
  /** Whether it is a control batch (its record is a COMMIT or ABORT marker). */
  isControl: boolean;
}

/** Called for each replayed record, with its batch. */
export type ReplayCallback = (
  key: Buffer | null,
  value: Buffer | null,
  offset: number,
  batch: ReplayedBatch,
) => void;

/** The log of the offsets topic, seen from the coordinator. */
export interface GroupStore {
  /**
   * Appends `records` to `partition` as one batch, in `txn`'s transaction when given; returns the
   * offset of the first. Throws {@link ApiError} (NOT_LEADER_OR_FOLLOWER,
   * UNKNOWN_TOPIC_OR_PARTITION, INVALID_PRODUCER_EPOCH, ...) when it cannot.
   */
  append(partition: number, records: CoordinatorRecord[], now: number, txn?: TxnProducer): number;
  /** Replays every record of `partition`, oldest first, control records (markers) included. */
  replay(partition: number, onRecord: ReplayCallback): void;
  /**
   * Resolves with NONE once `partition`'s records below `endOffset` are in its ISR (the high
   * watermark reached it), NOT_LEADER_OR_FOLLOWER when this broker stops leading it first,
   * REQUEST_TIMED_OUT after `timeoutMs`: Kafka's coordinator appends with acks=-1 and answers
   * only once the write is committed, so a coordinator failover cannot lose what a client heard.
   */
  awaitReplicated(partition: number, endOffset: number, timeoutMs: number): Promise<number>;
}

/** What the broker's replica manager offers for internal topics. */
export interface InternalLog {
  /** Appends one uncompressed batch, transactional for `txn`; returns its base offset. */
  appendInternal(
    topic: string,
    partition: number,
    records: { key: Buffer | null; value: Buffer | null }[],
    now: number,
    txn?: TxnProducer,
  ): number;
  /** Replays every record of a hosted partition in order. */
  readInternal(topic: string, partition: number, onRecord: ReplayCallback): void;
  /** NONE once the partition's high watermark is at `offset` or beyond, else the error (see GroupStore.awaitReplicated). */
  awaitHighWatermark(topic: string, partition: number, offset: number, timeoutMs: number): Promise<number>;
}

/** The store of a running broker: the replica manager's partitions of `__consumer_offsets`. */
export class ReplicaLogGroupStore implements GroupStore {
  private readonly log: InternalLog;

  /** Persists through `log`. */
  constructor(log: InternalLog) {
    this.log = log;
  }

  /** Appends through the replica manager. */
  append(partition: number, records: CoordinatorRecord[], now: number, txn?: TxnProducer): number {
    return this.log.appendInternal(GROUP_METADATA_TOPIC_NAME, partition, records, now, txn);
  }

  /** Replays through the replica manager. */
  replay(partition: number, onRecord: ReplayCallback): void {
    this.log.readInternal(GROUP_METADATA_TOPIC_NAME, partition, onRecord);
  }

  /** Waits for the partition's high watermark in the replica manager's produce purgatory. */
  awaitReplicated(partition: number, endOffset: number, timeoutMs: number): Promise<number> {
    return this.log.awaitHighWatermark(GROUP_METADATA_TOPIC_NAME, partition, endOffset, timeoutMs);
  }
}

/** A record of {@link InMemoryGroupStore}. */
export interface StoredRecord {
  /** Its offset. */
  offset: number;
  /** Its key. */
  key: Buffer;
  /** Its value, null for a tombstone. */
  value: Buffer | null;
  /** Its batch, when transactional or a marker; plain records omit it. */
  batch?: ReplayedBatch;
}

/** A wait of {@link InMemoryGroupStore.awaitReplicated} held by {@link InMemoryGroupStore.holdReplication}. */
interface HeldReplication {
  partition: number;
  endOffset: number;
  resolve: (code: number) => void;
}

/**
 * An in-memory log per partition, for tests; `failNext` makes the next append throw. Markers are
 * added with {@link InMemoryGroupStore.appendMarker}. Appends are replicated at once, unless
 * `holdReplication` is set: then waits stay pending until {@link InMemoryGroupStore.releaseReplication}.
 */
export class InMemoryGroupStore implements GroupStore {
  /** Records by partition, in append order, with their offsets. */
  readonly partitions = new Map<number, StoredRecord[]>();
  /** When set, the next append throws an ApiError with this code, then clears. */
  failNext: number | null = null;
  /** When true, {@link InMemoryGroupStore.awaitReplicated} waits for `releaseReplication` (a stalled ISR). */
  holdReplication = false;
  private readonly held: HeldReplication[] = [];

  /** Replicated at once, or held while `holdReplication` is set. */
  awaitReplicated(partition: number, endOffset: number, _timeoutMs: number): Promise<number> {
    if (!this.holdReplication) return Promise.resolve(ErrorCode.NONE);
    return new Promise((resolve) => this.held.push({ partition, endOffset, resolve }));
  }

  /** Ends every held wait with `code` (NONE: the ISR caught up; REQUEST_TIMED_OUT: it did not); returns how many. */
  releaseReplication(code: number = ErrorCode.NONE): number {
    const held = this.held.splice(0);
    for (const h of held) h.resolve(code);
    return held.length;
  }

  /** Appends records, copying them. */
  append(partition: number, records: CoordinatorRecord[], _now: number, txn?: TxnProducer): number {
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
    const batch = txn ? { producerId: txn.producerId, isTransactional: true, isControl: false } : undefined;
    for (const r of records) {
      log.push({
        offset: log.length,
        key: Buffer.from(r.key),
        value: r.value ? Buffer.from(r.value) : null,
        ...(batch ? { batch } : {}),
      });
    }
    return base;
  }

  /** Appends a transaction marker record (a control batch) for `producerId`. */
  appendMarker(partition: number, producerId: number, key: Buffer, value: Buffer | null): number {
    let log = this.partitions.get(partition);
    if (!log) {
      log = [];
      this.partitions.set(partition, log);
    }
    log.push({
      offset: log.length,
      key,
      value,
      batch: { producerId, isTransactional: true, isControl: true },
    });
    return log.length - 1;
  }

  /** Replays the partition's records. */
  replay(partition: number, onRecord: ReplayCallback): void {
    for (const r of this.partitions.get(partition) ?? [])
      onRecord(r.key, r.value, r.offset, r.batch ?? PLAIN_BATCH);
  }

  /** Every record of every partition (for assertions). */
  all(): (StoredRecord & { partition: number })[] {
    const out: (StoredRecord & { partition: number })[] = [];
    for (const [partition, log] of this.partitions) for (const r of log) out.push({ partition, ...r });
    return out;
  }
}

const PLAIN_BATCH: ReplayedBatch = { producerId: -1, isTransactional: false, isControl: false };

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
