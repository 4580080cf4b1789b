/**
 * The idempotent producer's state: its producer id and epoch, and per partition the next
 * sequence, the last acknowledged one and the batches holding sequences that are not done yet
 * (the idempotent parts of Java's `TransactionManager` and `TxnPartitionMap`).
 *
 * The rules that keep retries from duplicating or reordering:
 * - a sequence is assigned when a batch is first drained and kept across retries, so a retry
 *   of a batch the broker already wrote is answered as a duplicate;
 * - a retried batch goes out only when it is the oldest batch of its partition not done, and no
 *   new batch goes out while one is being retried (the broker recognises duplicates only among
 *   a producer's last five batches per partition);
 * - OUT_OF_ORDER_SEQUENCE_NUMBER or UNKNOWN_PRODUCER_ID on a batch that is not the oldest not
 *   done: an earlier batch has not landed yet; retry after it. On the oldest: the broker lacks
 *   sequences this producer will never send again (lost state, or a batch that failed for good):
 *   bump the epoch (KIP-360) and renumber the partition's batches from 0. None of those can have
 *   been written, as the broker accepts sequences only in order;
 * - a batch with a sequence that fails for good (fatal error, delivery timeout) leaves the
 *   partition "unresolved": its outstanding batches go on being retried, but no new ones start
 *   until they are done and every request is back; then, unless an acknowledgement past the failed sequences shows they
 *   were written, the epoch is bumped and the partition starts again at 0.
 *
 * A new epoch comes from InitProducerId (with the current id and epoch, as KIP-360 has it; a
 * broker answers a request without a transactional id with a new producer id) or, as Java's
 * idempotent producer does, from incrementing the epoch locally. Partitions move to the new
 * id/epoch as soon as none of their batches hold a sequence of the old one.
 *
 * A transactional producer's id and epoch belong to its `TransactionManager`, which sends
 * InitProducerId to the transaction coordinator: this manager never asks for one, and where an
 * idempotent producer would bump the epoch on its own, a transactional one lets the batch fail and
 * reports through {@link IdempotenceManager.onEpochBumpNeeded}; the transaction must then be
 * aborted, and the epoch is bumped after the abort (KIP-360), as Java does.
 *
 * @module
 */
import { ErrorCode, isRetriable, RetriableError } from '@tskafka/protocol';
import { incrementSequence, type ProducerBatch } from './producer-batch.js';

/** A producer id and epoch, as InitProducerId returns them. */
export interface ProducerIdAndEpoch {
  /** The producer id (-1: none). */
  readonly producerId: number;
  /** The producer epoch (-1: none). */
  readonly producerEpoch: number;
}

/** Where the producer id stands. */
export const IdempotenceState = {
  /** No producer id yet; the sender asks for one. */
  Uninitialized: 'Uninitialized',
  /** InitProducerId is in flight: nothing is drained. */
  Initializing: 'Initializing',
  /** A valid producer id and epoch. */
  Ready: 'Ready',
  /** InitProducerId failed with a fatal error: nothing more is sent. */
  FatalError: 'FatalError',
} as const;
/** A value of {@link IdempotenceState}. */
export type IdempotenceState = (typeof IdempotenceState)[keyof typeof IdempotenceState];

/** How a new epoch is obtained. */
export type EpochBumpMode = 'initProducerId' | 'local';

/** Options of {@link IdempotenceManager}. */
export interface IdempotenceOptions {
  /**
   * `initProducerId` (default): ask the broker (works with every broker; without a transactional
   * id the broker hands out a new producer id). `local`: increment the epoch without a request,
   * as Java's idempotent producer does; a new producer id is requested when the epoch is spent.
   */
  epochBump?: EpochBumpMode;
  /**
   * Whether the producer is transactional: the transaction manager obtains the producer id and
   * bumps the epoch; see the module comment. Default false.
   */
  transactional?: boolean;
}

const EPOCH_MAX = 0x7fff;

/** The sequence state of one partition (Java's `TxnPartitionEntry`). */
export class PartitionSequences {
  /** The producer id the partition's sequences belong to. */
  producerId = -1;
  /** The producer epoch the partition's sequences belong to. */
  producerEpoch = -1;
  /** The sequence the next new batch gets. */
  nextSequence = 0;
  /** Last sequence the broker acknowledged (-1: none). */
  lastAckedSequence = -1;
  /** Offset of the last record acknowledged (-1: none). */
  lastAckedOffset = -1;
  /** Batches holding a sequence that are not done (in flight or waiting to be retried), in sequence order. */
  readonly inFlight: ProducerBatch[] = [];
  /** A batch with a sequence failed for good; see the module comment. */
  unresolved = false;
  /** The highest sequence of such failed batches. */
  unresolvedUpTo = -1;
  /** Where the partition counts its batches in requests awaiting a response. */
  readonly owner: { readonly onWire: number };

  /** The state of the partition whose batches on the wire `owner.onWire` counts. */
  constructor(owner: { readonly onWire: number }) {
    this.owner = owner;
  }
}

/** The producer id, epoch and sequences of an idempotent producer; see the module comment. */
export class IdempotenceManager {
  /** Where the producer id stands. */
  state: IdempotenceState = IdempotenceState.Uninitialized;
  /** The current producer id (-1 before the first InitProducerId). */
  producerId = -1;
  /** The current producer epoch. */
  producerEpoch = -1;
  /** The error that stopped the producer, in state `FatalError`. */
  fatalError: Error | null = null;
  /** How a new epoch is obtained. */
  readonly epochBump: EpochBumpMode;
  /** Whether a transaction manager owns the producer id; see the module comment. */
  readonly transactional: boolean;
  /**
   * With {@link IdempotenceManager.transactional}: called when sequences are lost and only a new
   * epoch can fix them (the transaction must be aborted).
   */
  onEpochBumpNeeded: (() => void) | null = null;
  private bumpRequested = false;
  private retryAtMs = 0;
  private readonly toReset = new Set<PartitionSequences>();
  private readonly unresolved = new Set<PartitionSequences>();

  /** A manager without a producer id; the sender asks for one before draining. */
  constructor(options: IdempotenceOptions = {}) {
    this.epochBump = options.epochBump ?? 'initProducerId';
    this.transactional = options.transactional ?? false;
  }

  /** Whether an epoch bump is waiting to happen (nothing is drained meanwhile). */
  get epochBumpPending(): boolean {
    return this.bumpRequested;
  }

  /**
   * Called by the sender each time round: returns the InitProducerId to send now, if any (with
   * the current id and epoch for a bump, -1/-1 for a first id), and moves to `Initializing`. A
   * local bump happens here without a request.
   */
  pollProducerIdRequest(now: number): ProducerIdAndEpoch | null {
    if (this.transactional || now < this.retryAtMs) return null;
    if (this.state === IdempotenceState.Uninitialized) {
      this.state = IdempotenceState.Initializing;
      return { producerId: -1, producerEpoch: -1 };
    }
    if (this.state !== IdempotenceState.Ready || !this.bumpRequested) return null;
    if (this.epochBump === 'local' && this.producerEpoch < EPOCH_MAX) {
      this.producerEpoch++;
      this.bumpRequested = false;
      this.applyResets();
      return null;
    }
    this.state = IdempotenceState.Initializing;
    if (this.producerEpoch >= EPOCH_MAX) return { producerId: -1, producerEpoch: -1 };
    return { producerId: this.producerId, producerEpoch: this.producerEpoch };
  }

  /** InitProducerId answered: the new id/epoch applies, and partitions waiting for a bump are renumbered. */
  completeProducerIdRequest(result: ProducerIdAndEpoch): void {
    this.producerId = result.producerId;
    this.producerEpoch = result.producerEpoch;
    this.state = IdempotenceState.Ready;
    this.bumpRequested = false;
    this.applyResets();
  }

  /**
   * InitProducerId failed: a retriable error (`instanceof RetriableError`: a lost connection, a
   * timeout, a retriable Kafka code) is retried after `backoffMs`; any other, unknown errors
   * included, is fatal and returned (the sender then fails what is buffered).
   */
  failProducerIdRequest(error: Error, now: number, backoffMs: number): Error | null {
    if (error instanceof RetriableError) {
      // A failed bump keeps the old id valid for batches already numbered with it.
      this.state = this.producerId < 0 ? IdempotenceState.Uninitialized : IdempotenceState.Ready;
      this.retryAtMs = now + backoffMs;
      return null;
    }
    this.state = IdempotenceState.FatalError;
    this.fatalError = error;
    return error;
  }

  /** Ms until a delayed InitProducerId may be retried (0 if it may go now or none is waiting). */
  retryDelayMs(now: number): number {
    const waiting = this.state === IdempotenceState.Uninitialized || this.bumpRequested;
    return waiting && this.retryAtMs > now ? this.retryAtMs - now : 0;
  }

  /**
   * Whether `first`, the head of its partition's queue, may be drained now: there is a valid id
   * and no bump pending; a retried batch must be the oldest one not done; a new batch waits
   * while the partition is unresolved, while a batch is being retried, and until no batch holds
   * a sequence of an older id/epoch.
   */
  canDrain(seq: PartitionSequences, first: ProducerBatch): boolean {
    if (this.state !== IdempotenceState.Ready || this.bumpRequested) return false;
    const inFlight = seq.inFlight;
    if (first.hasSequence) return inFlight[0] === first;
    if (seq.unresolved) return false;
    if (inFlight.length === 0) return true;
    for (let i = 0; i < inFlight.length; i++) if (inFlight[i].attempts > 0) return false;
    return seq.producerId === this.producerId && seq.producerEpoch === this.producerEpoch;
  }

  /** Gives a new batch the partition's next sequence (moving the partition to the current id/epoch if it is idle). */
  assignSequence(seq: PartitionSequences, batch: ProducerBatch): void {
    if (seq.producerId !== this.producerId || seq.producerEpoch !== this.producerEpoch) {
      this.startAtZero(seq);
    }
    batch.setProducerState(seq.producerId, seq.producerEpoch, seq.nextSequence);
    seq.nextSequence = incrementSequence(seq.nextSequence, batch.recordCount);
    seq.inFlight.push(batch);
  }

  /**
   * Whether the broker acknowledged sequences past this batch's under the same id and epoch,
   * which it does only after writing this batch: a retry then answered OUT_OF_ORDER_SEQUENCE_NUMBER
   * fell out of the broker's five-batch duplicate window, but the batch is written.
   */
  isAcknowledged(batch: ProducerBatch): boolean {
    const seq = batch.queue.sequences;
    return (
      seq !== null &&
      batch.hasSequence &&
      !batch.hasStaleProducerState &&
      batch.producerId === seq.producerId &&
      batch.producerEpoch === seq.producerEpoch &&
      batch.lastSequence <= seq.lastAckedSequence
    );
  }

  /** A batch with a sequence was acknowledged at `baseOffset`. */
  handleCompletedBatch(batch: ProducerBatch, baseOffset: number): void {
    const seq = batch.queue.sequences;
    if (seq === null || !batch.hasSequence) return;
    removeBatch(seq.inFlight, batch);
    if (batch.hasStaleProducerState) {
      // Written under the sequence it had before a bump renumbered it: renumber the rest again.
      if (seq.inFlight.length > 0) this.requestBump(seq);
      return;
    }
    if (batch.producerId !== seq.producerId || batch.producerEpoch !== seq.producerEpoch) return;
    if (batch.lastSequence > seq.lastAckedSequence) seq.lastAckedSequence = batch.lastSequence;
    if (baseOffset >= 0) {
      const last = baseOffset + batch.recordCount - 1;
      if (last > seq.lastAckedOffset) seq.lastAckedOffset = last;
    }
  }

  /**
   * Whether a batch that failed with `errorCode` may be retried, as far as sequences go (the
   * sender also checks attempts and the delivery timeout). May request an epoch bump.
   */
  canRetry(errorCode: number, batch: ProducerBatch): boolean {
    const seq = batch.queue.sequences;
    if (seq === null || !batch.hasSequence) return isRetriable(errorCode);
    if (errorCode !== ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER && errorCode !== ErrorCode.UNKNOWN_PRODUCER_ID) {
      return isRetriable(errorCode);
    }
    // About the sequence the batch had before a bump renumbered it: expected, just resend.
    if (batch.hasStaleProducerState) return true;
    // An earlier batch has not landed yet: this one follows it.
    if (seq.inFlight[0] !== batch) return true;
    // The oldest batch not done, and the broker lacks what comes before it: start over. A
    // transactional producer fails the batch instead (an abortable error, then a bump on abort).
    if (this.transactional) return false;
    this.requestBump(seq);
    return true;
  }

  /** A batch failed for good (error, expiry, abort): if it held a sequence, its partition is unresolved. */
  handleFailedBatch(batch: ProducerBatch): void {
    const seq = batch.queue.sequences;
    if (seq === null || !batch.hasSequence) return;
    if (!removeBatch(seq.inFlight, batch)) return;
    const last = batch.lastSequence;
    if (!seq.unresolved || last > seq.unresolvedUpTo) seq.unresolvedUpTo = last;
    seq.unresolved = true;
    this.unresolved.add(seq);
  }

  /** `big` was split into `parts`, which take its place and its sequence range. */
  replaceSplitBatch(big: ProducerBatch, parts: readonly ProducerBatch[]): void {
    const seq = big.queue.sequences;
    if (seq === null || !big.hasSequence) return;
    const i = seq.inFlight.indexOf(big);
    if (i >= 0) seq.inFlight.splice(i, 1, ...parts);
  }

  /**
   * Decides the unresolved partitions whose batches are all done and whose requests are all
   * back (a batch that expired in flight may still be acknowledged): resolved if an
   * acknowledgement covers the failed sequences, else an epoch bump is requested.
   */
  maybeResolveSequences(): void {
    if (this.unresolved.size === 0) return;
    for (const seq of this.unresolved) {
      if (seq.inFlight.length > 0 || seq.owner.onWire > 0) continue;
      this.unresolved.delete(seq);
      seq.unresolved = false;
      if (seq.lastAckedSequence >= seq.unresolvedUpTo) continue;
      this.requestBump(seq);
    }
  }

  private requestBump(seq: PartitionSequences): void {
    this.toReset.add(seq);
    if (this.transactional) {
      // Draining goes on (batches in flight must resolve before the abort); the transaction
      // manager bumps the epoch once the transaction is aborted.
      this.onEpochBumpNeeded?.();
      return;
    }
    this.bumpRequested = true;
  }

  private applyResets(): void {
    for (const seq of this.toReset) {
      this.startAtZero(seq);
      this.unresolved.delete(seq);
      seq.unresolved = false;
      for (const b of seq.inFlight) {
        b.setProducerState(seq.producerId, seq.producerEpoch, seq.nextSequence);
        seq.nextSequence = incrementSequence(seq.nextSequence, b.recordCount);
      }
    }
    this.toReset.clear();
  }

  private startAtZero(seq: PartitionSequences): void {
    seq.producerId = this.producerId;
    seq.producerEpoch = this.producerEpoch;
    seq.nextSequence = 0;
    seq.lastAckedSequence = -1;
    seq.lastAckedOffset = -1;
    seq.unresolvedUpTo = -1;
  }
}

function removeBatch(list: ProducerBatch[], batch: ProducerBatch): boolean {
  const i = list.indexOf(batch);
  if (i < 0) return false;
  list.splice(i, 1);
  return true;
}
