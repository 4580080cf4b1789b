/**
 * A record waiting in the memory pool's line for the bytes of a new batch (`buffer.memory` is
 * exhausted): it keeps what `append` was given until the pool grants the bytes.
 *
 * @module
 */
import type { RecordBytes } from '@tskafka/protocol/internals';
import type { PoolWaiter } from './buffer-pool.js';
import { callSafely, type HeaderList, type PartitionQueue, type SendCallback } from './producer-batch.js';
import { PendingSend } from './send-promise.js';

/**
 * A record waiting in the memory pool's line for the bytes of a new batch: the only object
 * made per record, and only while `buffer.memory` is exhausted.
 */
export class PendingAppend implements PoolWaiter {
  /** Set by the pool. */
  deadlineMs = 0;
  /** The record's promise (null when it completes through a callback); moves into its batch once appended. */
  readonly promise: PendingSend | null;

  /** A record for `queue`'s partition that needs `size` bytes; `owner` appends it once granted. */
  constructor(
    private readonly owner: { completePendingAppend(pending: PendingAppend): void },
    readonly queue: PartitionQueue,
    readonly timestamp: number,
    readonly key: RecordBytes,
    readonly value: RecordBytes,
    readonly headers: HeaderList,
    readonly callback: SendCallback | null,
    readonly size: number,
    pending: PendingSend | null = null,
  ) {
    // A send that waited for metadata first keeps the promise it returned.
    this.promise = callback !== null ? null : (pending ?? new PendingSend());
  }

  /** The pool reserved `size` bytes: append now. */
  granted(): void {
    this.owner.completePendingAppend(this);
  }

  /** The wait ended without memory. */
  rejected(error: Error): void {
    this.fail(error);
  }

  /** Rejects the record. */
  fail(error: Error): void {
    if (this.callback !== null) {
      callSafely(this.callback, error, null);
      return;
    }
    // Rejected marked handled, and reported as a batch's failed sends are.
    (this.promise as PendingSend).fail(error);
    this.queue.onFailedSends(this.queue.topic, this.queue.partition, error, 1);
  }
}
