/**
 * What the RecordAccumulator does with its batches off the append path: expires those whose
 * `delivery.timeout.ms` passed, puts retried ones back in sequence order, and fails them in bulk
 * (a forced close, a producer id that failed for good).
 *
 * @module
 */
import type { RecordAccumulator } from './accumulator.js';
import type { PartitionQueue, ProducerBatch } from './producer-batch.js';

/**
 * Moves the batches at the head of each queue whose `delivery.timeout.ms` has passed by `now`
 * into `expired` (sealed, oldest first per partition); returns when the next batch left expires
 * (Infinity if none).
 */
export function removeExpired(
  queues: readonly PartitionQueue[],
  deliveryTimeoutMs: number,
  now: number,
  expired: ProducerBatch[],
): number {
  let next = Number.POSITIVE_INFINITY;
  for (const q of queues) {
    const batches = q.batches;
    while (batches.length > 0 && batches[0].createdMs + deliveryTimeoutMs <= now) {
      const b = batches.shift() as ProducerBatch;
      b.seal();
      expired.push(b);
    }
    if (batches.length > 0) next = Math.min(next, batches[0].createdMs + deliveryTimeoutMs);
  }
  return next;
}

/** Puts `batch` at the front of its queue, behind queued batches with a lower sequence. */
export function insertInSequenceOrder(q: PartitionQueue, batch: ProducerBatch): void {
  const batches = q.batches;
  let at = 0;
  if (batch.hasSequence) {
    while (at < batches.length && batches[at].hasSequence && batches[at].baseSequence < batch.baseSequence)
      at++;
  }
  batches.splice(at, 0, batch);
}

/** `RecordAccumulator.abortIncompleteBatches` over the accumulator's queues and incomplete batches. */
export function abortIncomplete(
  acc: RecordAccumulator,
  queues: readonly PartitionQueue[],
  incomplete: ReadonlySet<ProducerBatch>,
  error: Error,
): void {
  acc.pool.close(error);
  for (const q of queues) q.batches.length = 0;
  for (const b of Array.from(incomplete)) {
    b.fail(error);
    acc.idempotence?.handleFailedBatch(b);
    acc.deallocate(b);
  }
}

/** `RecordAccumulator.abortUndrainedBatches` over the accumulator's queues. */
export function abortUndrained(
  acc: RecordAccumulator,
  queues: readonly PartitionQueue[],
  error: Error,
): void {
  for (const q of queues) {
    const kept = q.batches.filter((b) => b.hasSequence);
    for (const b of q.batches) {
      if (b.hasSequence) continue;
      b.fail(error);
      acc.deallocate(b);
    }
    q.batches.length = 0;
    q.batches.push(...kept);
  }
}
