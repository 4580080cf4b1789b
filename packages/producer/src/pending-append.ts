/**
 * A record waiting in the memory pool's line for the bytes of a new batch (`buffer.memory` is
 * exhausted): it keeps what `append` was given until the pool grants the bytes.
 *
 * @module
 */
import type { RecordBytes } from '@tskafka/protocol/internals';
import type { PoolWaiter } from './buffer-pool.js';
import { callSafely, type HeaderList, type PartitionQueue, type SendCallback } from './producer-batch.js';
import { SendFuture, type SendFutureOwner } from './send-future.js';

/**
 * A record waiting in the memory pool's line for the bytes of a new batch: the only object
 * made per record, and only while `buffer.memory` is exhausted.
 */
export class PendingAppend implements PoolWaiter, SendFutureOwner {
  /** Set by the pool. */
  deadlineMs = 0;
  /** The record's future (null when it completes through a callback); moves into its batch once appended. */
  readonly promise: SendFuture | null;
  private failure: Error | null = null;

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
    future: SendFuture | null = null,
  ) {
    if (future !== null) {
      // A send that waited for metadata first: its future moves in.
      future.owner = this;
      future.index = 0;
    }
    this.promise = callback !== null ? null : (future ?? new SendFuture(this, 0));
  }

  /** @internal Pending: no outcome yet, unless the wait failed. */
  outcomeOf(): { error: Error } | undefined {
    return this.failure === null ? undefined : { error: this.failure };
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
    this.failure = error;
    const future = this.promise as SendFuture;
    if (future.observed) future.settle(null, error);
    else
      process.emitWarning(
        `a record for ${this.queue.topic}-${this.queue.partition} failed and nobody awaited its send(): ${error.message}`,
        'ProducerSendWarning',
      );
  }
}
