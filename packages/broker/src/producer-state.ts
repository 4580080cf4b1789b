/**
 * Per-partition producer state for idempotent (and later transactional) producers, after Kafka's
 * ProducerStateManager: the current epoch of each producer id and the metadata of its last five
 * batches, so that a retried batch is recognised as a duplicate (answered with its original offset,
 * stored nothing) and a gap in sequence numbers is refused with OUT_OF_ORDER_SEQUENCE_NUMBER.
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
}

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
   * Checks a batch before it is appended: fenced epochs, duplicates and sequence gaps, with
   * Kafka's rules (ProducerAppendInfo.checkProducerEpoch / checkSequence).
   */
  check(batch: ProducerBatch): SequenceCheck {
    if (batch.producerId === NO_PRODUCER_ID) return { kind: 'append' };
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

  /** Records an appended batch. */
  update(batch: ProducerBatch, firstOffset: number, lastOffset: number, timestamp: number): void {
    if (batch.producerId === NO_PRODUCER_ID) return;
    let entry = this.producers.get(batch.producerId);
    if (!entry || entry.epoch !== batch.producerEpoch) {
      entry = {
        producerId: batch.producerId,
        epoch: batch.producerEpoch,
        batches: [],
        lastTimestamp: timestamp,
      };
      this.producers.set(batch.producerId, entry);
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

  /** Drops producers idle longer than `expirationMs` (producer.id.expiration.ms). */
  expire(now: number, expirationMs: number): void {
    for (const [id, e] of this.producers) if (now - e.lastTimestamp > expirationMs) this.producers.delete(id);
  }

  /** Forgets producers whose every batch is below `logStartOffset` (after retention or DeleteRecords). */
  truncateHead(logStartOffset: number): void {
    for (const [id, e] of this.producers) {
      const last = e.batches[e.batches.length - 1];
      if (!last || last.lastOffset < logStartOffset) this.producers.delete(id);
    }
  }
}
