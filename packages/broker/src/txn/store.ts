/**
 * Where the transaction coordinator persists its state: the partitions of `__transaction_state`,
 * as in Kafka. The same small interface as the group coordinator's store, so the state machine's
 * tests use an in-memory log and still check the exact records written.
 */
import { ErrorCode } from '@tskafka/protocol';
import { ApiError } from '../api-error.js';
import type { CoordinatorRecord, InternalLog } from '../group/store.js';
import { TRANSACTION_STATE_TOPIC_NAME } from './records.js';

/** The log of `__transaction_state`, seen from the coordinator. */
export interface TransactionLogStore {
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

/** The store of a running broker: the replica manager's partitions of `__transaction_state`. */
export class ReplicaLogTransactionStore implements TransactionLogStore {
  private readonly log: InternalLog;

  /** Persists through `log`. */
  constructor(log: InternalLog) {
    this.log = log;
  }

  /** Appends through the replica manager. */
  append(partition: number, records: CoordinatorRecord[], now: number): number {
    return this.log.appendInternal(TRANSACTION_STATE_TOPIC_NAME, partition, records, now);
  }

  /** Replays through the replica manager. */
  replay(
    partition: number,
    onRecord: (key: Buffer | null, value: Buffer | null, offset: number) => void,
  ): void {
    this.log.readInternal(TRANSACTION_STATE_TOPIC_NAME, partition, onRecord);
  }
}

/** An in-memory log per partition, for tests; `failNext` makes the next appends throw. */
export class InMemoryTransactionStore implements TransactionLogStore {
  /** Records by partition, in append order, with their offsets. */
  readonly partitions = new Map<number, { offset: number; key: Buffer; value: Buffer | null }[]>();
  /** Error codes the next appends throw with, one per append, in order. */
  readonly failNext: number[] = [];

  /** Appends records, copying them. */
  append(partition: number, records: CoordinatorRecord[], _now: number): number {
    const code = this.failNext.shift();
    if (code !== undefined) throw new ApiError(code, 'injected append failure');
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

  /** Every record of every partition, oldest first per partition (for assertions). */
  all(): { partition: number; offset: number; key: Buffer; value: Buffer | null }[] {
    const out: { partition: number; offset: number; key: Buffer; value: Buffer | null }[] = [];
    for (const [partition, log] of this.partitions) for (const r of log) out.push({ partition, ...r });
    return out;
  }
}

/** Kafka's mapping of a transaction log append error to what the client sees (appendTransactionToLog). */
export function txnAppendError(code: number): number {
  switch (code) {
    case ErrorCode.UNKNOWN_TOPIC_OR_PARTITION:
    case ErrorCode.NOT_ENOUGH_REPLICAS:
    case ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND:
    case ErrorCode.REQUEST_TIMED_OUT:
      return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    case ErrorCode.NOT_LEADER_OR_FOLLOWER:
    case ErrorCode.KAFKA_STORAGE_ERROR:
      return ErrorCode.NOT_COORDINATOR;
    case ErrorCode.MESSAGE_TOO_LARGE:
    case ErrorCode.RECORD_LIST_TOO_LARGE:
      return ErrorCode.UNKNOWN_SERVER_ERROR;
    default:
      return code;
  }
}
