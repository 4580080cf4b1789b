/**
 * Per-partition producer state for idempotent and transactional producers, after Kafka's
 * ProducerStateManager: the current epoch of each producer id and the metadata of its last five
 * batches, so that a retried batch is recognised as a duplicate (answered with its original offset,
 * stored nothing) and a gap in sequence numbers is refused with OUT_OF_ORDER_SEQUENCE_NUMBER.
 *
 * Transactions: a producer's first transactional batch in the partition opens its transaction at
 * that batch's first offset; the COMMIT or ABORT marker the coordinator writes closes it. The
 * earliest open transaction bounds the last stable offset (what read_committed consumers see).
 * ```
 *   (no txn) ── transactional batch at offset F ──▶ open(F) ── marker at M ──▶ (no txn)
 *                                                                 └─ ABORT: aborted [F, M]
 * ```
 */
import { ErrorCode } from '@tskafka/protocol';
import { ApiError } from './api-error.js';

/** Kafka keeps the metadata of this many recent batches per producer (NUM_BATCHES_TO_RETAIN). */
export const BATCHES_TO_RETAIN = 5;
/** No producer epoch (RecordBatch.NO_PRODUCER_EPOCH). */
export const NO_PRODUCER_EPOCH = -1;
/** No producer id (RecordBatch.NO_PRODUCER_ID). */
export const NO_PRODUCER_ID = -1;

/** What the log keeps of a batch, for duplicate detection. */
export interface BatchMetadata {
  /** Sequence of the first record. */
  firstSeq: number;
  /** Sequence of the last record. */
  lastSeq: number;
  /** Offset given to the first record. */
  firstOffset: number;
  /** Offset given to the last record. */
  lastOffset: number;
  /** The batch's max timestamp (or log append time). */
  timestamp: number;
}

/** One producer's state in one partition. */
export interface ProducerEntry {
  /** The producer id. */
  producerId: number;
  /** The current epoch. */
  epoch: number;
  /** Recent batches, oldest first, at most {@link BATCHES_TO_RETAIN}. */
  batches: BatchMetadata[];
  /** When this producer last wrote (for expiration). */
  lastTimestamp: number;
  /** First offset of its open transaction in this partition, or -1 when none is open. */
  currentTxnFirstOffset: number;
  /** Epoch of the transaction coordinator that wrote its last marker, -1 before any. */
  coordinatorEpoch: number;
}

/** A transaction a marker ended (Kafka's CompletedTxn). */
export interface CompletedTxn {
  /** The producer. */
  producerId: number;
  /** Offset of the transaction's first record in this partition. */
  firstOffset: number;
  /** Offset of the marker. */
  lastOffset: number;
  /** Whether the marker was ABORT. */
  isAborted: boolean;
}

/** The marker fields the producer state checks. */
export interface MarkerInfo {
  /** The producer id. */
  producerId: number;
  /** The producer epoch in the marker batch. */
  producerEpoch: number;
  /** The coordinator epoch in the marker's value. */
  coordinatorEpoch: number;
  /** COMMIT when true. */
  committed: boolean;
}

/**
 * Where an append comes from (Kafka's AppendOrigin): client batches get every check; the group
 * coordinator's transactional offset commits carry no real sequence, so only their epoch is
 * checked; replayed batches (recovery) are not checked.
 */
export type AppendOrigin = 'client' | 'coordinator' | 'replay';

/** The batch fields the sequence check needs. */
export interface ProducerBatch {
  /** Producer id, -1 for none. */
  producerId: number;
  /** Producer epoch. */
  producerEpoch: number;
  /** Base sequence. */
  baseSequence: number;
  /** lastOffsetDelta of the batch (the sequence span). */
  lastOffsetDelta: number;
  /** Whether the batch is transactional. */
  isTransactional: boolean;
}

/** Outcome of {@link ProducerStateManager.check}. */
export type SequenceCheck = { kind: 'append' } | { kind: 'duplicate'; batch: BatchMetadata };

/** Adds `delta` to a sequence number, wrapping at int32 max as Kafka does. */
export function incrementSequence(seq: number, delta: number): number {
  return seq > 0x7fffffff - delta ? delta - (0x7fffffff - seq) - 1 : seq + delta;
}

/** Producer state of one partition. */
export class ProducerStateManager {
  /** State by producer id. */
  readonly producers = new Map<number, ProducerEntry>();
  /**
   * The entries with an open transaction, so the last stable offset (asked on every fetch) looks
   * at those only, not at every idempotent producer.
   */
  private readonly openTxns = new Set<ProducerEntry>();

  /**
   * Checks a batch before it is appended: fenced epochs, duplicates and sequence gaps, with
   * Kafka's rules (ProducerAppendInfo.checkProducerEpoch / checkSequence).
   */
  check(batch: ProducerBatch, origin: AppendOrigin = 'client'): SequenceCheck {
    if (batch.producerId === NO_PRODUCER_ID || origin === 'replay') return { kind: 'append' };
    const entry = this.producers.get(batch.producerId);
    const firstSeq = batch.baseSequence;
    const lastSeq = incrementSequence(firstSeq, batch.lastOffsetDelta);
    if (entry && batch.producerEpoch < entry.epoch) {
      // Since Kafka 2.7 this is INVALID_PRODUCER_EPOCH (abortable) rather than PRODUCER_FENCED.
      throw new ApiError(
        ErrorCode.INVALID_PRODUCER_EPOCH,
        `Epoch of producer ${batch.producerId} is ${batch.producerEpoch}, which is smaller than the last seen epoch ${entry.epoch}`,
      );
    }
    if (entry && !batch.isTransactional && entry.currentTxnFirstOffset >= 0) {
      throw new ApiError(
        ErrorCode.INVALID_TXN_STATE,
        `Expected transactional write from producer ${batch.producerId}: its transaction is open since offset ${entry.currentTxnFirstOffset}`,
      );
    }
    if (origin === 'coordinator') return { kind: 'append' };
    if (entry && batch.producerEpoch === entry.epoch) {
      const dup = entry.batches.find((b) => b.firstSeq === firstSeq && b.lastSeq === lastSeq);
      if (dup) return { kind: 'duplicate', batch: dup };
    }
    const currentEpoch = entry ? entry.epoch : NO_PRODUCER_EPOCH;
    if (batch.producerEpoch !== currentEpoch) {
      // A new epoch must start at sequence 0, unless we know nothing of the producer (its state
      // may have been removed by retention or DeleteRecords).
      if (firstSeq !== 0 && currentEpoch !== NO_PRODUCER_EPOCH) {
        throw new ApiError(
          ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
          `Invalid sequence number for new epoch of producer ${batch.producerId} at offset ${firstSeq}: ${batch.producerEpoch} (request epoch), ${currentEpoch} (current epoch)`,
        );
      }
    } else if (entry && entry.batches.length > 0) {
      const currentLastSeq = entry.batches[entry.batches.length - 1].lastSeq;
      if (firstSeq !== incrementSequence(currentLastSeq, 1)) {
        throw new ApiError(
          ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
          `Out of order sequence number for producer ${batch.producerId}: ${firstSeq} (incoming seq. number), ${currentLastSeq} (current end sequence number)`,
        );
      }
    }
    return { kind: 'append' };
  }

  /** Records an appended batch; a transactional one opens its producer's transaction if none is. */
  update(batch: ProducerBatch, firstOffset: number, lastOffset: number, timestamp: number): void {
    if (batch.producerId === NO_PRODUCER_ID) return;
    const entry = this.entryFor(batch.producerId, batch.producerEpoch, timestamp);
    if (batch.isTransactional && entry.currentTxnFirstOffset < 0) {
      entry.currentTxnFirstOffset = firstOffset;
      this.openTxns.add(entry);
    }
    entry.batches.push({
      firstSeq: batch.baseSequence,
      lastSeq: incrementSequence(batch.baseSequence, batch.lastOffsetDelta),
      firstOffset,
      lastOffset,
      timestamp,
    });
    if (entry.batches.length > BATCHES_TO_RETAIN) entry.batches.shift();
    entry.lastTimestamp = timestamp;
  }

  /** The producer's entry, reset to `epoch` (batches forgotten) when its epoch changes. */
  private entryFor(producerId: number, epoch: number, timestamp: number): ProducerEntry {
    let entry = this.producers.get(producerId);
    if (!entry) {
      entry = {
        producerId,
        epoch,
        batches: [],
        lastTimestamp: timestamp,
        currentTxnFirstOffset: -1,
        coordinatorEpoch: -1,
      };
      this.producers.set(producerId, entry);
    } else if (entry.epoch !== epoch) {
      entry.epoch = epoch;
      entry.batches = [];
    }
    return entry;
  }

  /**
   * Checks a transaction marker before it is written (Kafka's `appendEndTxnMarker` checks, for
   * transaction versions 0 and 1): an epoch older than the producer's current one is
   * INVALID_PRODUCER_EPOCH (a zombie coordinator's or a fenced producer's marker), a coordinator
   * epoch older than the last marker's is TRANSACTION_COORDINATOR_FENCED.
   */
  checkMarker(marker: MarkerInfo): void {
    const entry = this.producers.get(marker.producerId);
    if (!entry) return;
    if (marker.producerEpoch < entry.epoch) {
      throw new ApiError(
        ErrorCode.INVALID_PRODUCER_EPOCH,
        `Epoch of producer ${marker.producerId} is ${marker.producerEpoch}, which is smaller than the last seen epoch ${entry.epoch}`,
      );
    }
    if (entry.coordinatorEpoch > marker.coordinatorEpoch) {
      throw new ApiError(
        ErrorCode.TRANSACTION_COORDINATOR_FENCED,
        `Invalid coordinator epoch for producer ${marker.producerId}: ${marker.coordinatorEpoch} (zombie), ${entry.coordinatorEpoch} (current)`,
      );
    }
  }

  /**
   * Records a marker written at `offset`: the producer's transaction closes and its epoch becomes
   * the marker's. Returns the transaction it ended, or null when none was open here (a marker of
   * an empty transaction, which leaves no trace in the last stable offset or the aborted index).
   */
  completeTxn(marker: MarkerInfo, offset: number, timestamp: number): CompletedTxn | null {
    const entry = this.entryFor(marker.producerId, marker.producerEpoch, timestamp);
    const firstOffset = entry.currentTxnFirstOffset;
    entry.currentTxnFirstOffset = -1;
    this.openTxns.delete(entry);
    entry.coordinatorEpoch = marker.coordinatorEpoch;
    entry.lastTimestamp = timestamp;
    if (firstOffset < 0) return null;
    return { producerId: marker.producerId, firstOffset, lastOffset: offset, isAborted: !marker.committed };
  }

  /** First offset of the earliest open transaction, or null when none is open. */
  get firstUnstableOffset(): number | null {
    let first: number | null = null;
    for (const e of this.openTxns)
      if (first === null || e.currentTxnFirstOffset < first) first = e.currentTxnFirstOffset;
    return first;
  }

  /**
   * The last stable offset to index with a transaction just completed (Kafka's
   * `lastStableOffset(completedTxn)`): the first offset of the earliest other open transaction,
   * else the offset after the marker.
   */
  lastStableOffsetAfter(txn: CompletedTxn): number {
    let first = txn.lastOffset + 1;
    for (const e of this.openTxns) {
      if (e.producerId !== txn.producerId && e.currentTxnFirstOffset < first) first = e.currentTxnFirstOffset;
    }
    return first;
  }

  /** The open transactions: producer id → first offset (DescribeProducers, tests). */
  get ongoingTxns(): Map<number, number> {
    const out = new Map<number, number>();
    for (const e of this.openTxns) out.set(e.producerId, e.currentTxnFirstOffset);
    return out;
  }

  /** Drops producers idle longer than `expirationMs` (producer.id.expiration.ms). */
  expire(now: number, expirationMs: number): void {
    // A producer with an open transaction stays: its transaction still holds the last stable offset.
    for (const [id, e] of this.producers) {
      if (e.currentTxnFirstOffset < 0 && now - e.lastTimestamp > expirationMs) this.producers.delete(id);
    }
  }

  /** Forgets producers whose every batch is below `logStartOffset` (after retention or DeleteRecords). */
  truncateHead(logStartOffset: number): void {
    for (const [id, e] of this.producers) {
      const last = e.batches[e.batches.length - 1];
      if (!last || last.lastOffset < logStartOffset) {
        this.producers.delete(id);
        this.openTxns.delete(e);
      }
    }
  }
}
