/**
 * What `send` returns: a `Promise<RecordMetadata>` that costs one small object per record until
 * someone listens. A producer batching a million unawaited sends would otherwise hold a million
 * native promises and their resolving functions; here `then`/`catch`/`finally` (and `await`)
 * make the native promise on first use, and a record nobody listens to is completed by its
 * batch without allocating anything.
 *
 * A failed record nobody listened to is reported by the producer's logger (the role of Node's
 * unhandled-rejection warning), never silently dropped.
 *
 * @module
 */
import type { RecordMetadata } from './types.js';

/** Where a {@link SendFuture}'s record lives: its batch, which settles it. */
export interface SendFutureOwner {
  /** The record's outcome once its batch is done; undefined while pending. */
  outcomeOf(index: number): { metadata: RecordMetadata } | { error: Error } | undefined;
}

/** The result of one `send`: a Promise, made lazily (see the module comment). */
export class SendFuture implements Promise<RecordMetadata> {
  /** @internal The batch that holds the record (moves when a too-large batch is split). */
  owner: SendFutureOwner;
  /** @internal The record's index in its batch. */
  index: number;
  private promise: Promise<RecordMetadata> | null = null;
  private resolveFn: ((m: RecordMetadata) => void) | null = null;
  private rejectFn: ((e: Error) => void) | null = null;

  /** @internal A future for record `index` of `owner`. */
  constructor(owner: SendFutureOwner, index: number) {
    this.owner = owner;
    this.index = index;
  }

  /** `Promise`: for `Object.prototype.toString` and libraries that check it. */
  get [Symbol.toStringTag](): string {
    return 'Promise';
  }

  /** Whether anyone asked for the outcome (`then`, `catch`, `finally` or `await`). */
  get observed(): boolean {
    return this.promise !== null;
  }

  /** Attaches callbacks, as `Promise.prototype.then`. */
  // biome-ignore lint/suspicious/noThenProperty: this class is a Promise on purpose (lazily made).
  then<T1 = RecordMetadata, T2 = never>(
    onfulfilled?: ((value: RecordMetadata) => T1 | PromiseLike<T1>) | null,
    onrejected?: ((reason: unknown) => T2 | PromiseLike<T2>) | null,
  ): Promise<T1 | T2> {
    return this.toPromise().then(onfulfilled, onrejected);
  }

  /** Attaches a rejection handler, as `Promise.prototype.catch`. */
  catch<T = never>(
    onrejected?: ((reason: unknown) => T | PromiseLike<T>) | null,
  ): Promise<RecordMetadata | T> {
    return this.toPromise().catch(onrejected);
  }

  /** Attaches a handler for either outcome, as `Promise.prototype.finally`. */
  finally(onfinally?: (() => void) | null): Promise<RecordMetadata> {
    return this.toPromise().finally(onfinally);
  }

  /** @internal Called by the batch when the record is done. */
  settle(metadata: RecordMetadata | null, error: Error | null): void {
    if (this.resolveFn === null) return;
    if (error !== null) (this.rejectFn as (e: Error) => void)(error);
    else this.resolveFn(metadata as RecordMetadata);
    this.resolveFn = null;
    this.rejectFn = null;
  }

  private toPromise(): Promise<RecordMetadata> {
    if (this.promise !== null) return this.promise;
    const outcome = this.owner.outcomeOf(this.index);
    if (outcome === undefined) {
      this.promise = new Promise<RecordMetadata>((resolve, reject) => {
        this.resolveFn = resolve;
        this.rejectFn = reject;
      });
    } else if ('error' in outcome) {
      this.promise = Promise.reject(outcome.error);
    } else {
      this.promise = Promise.resolve(outcome.metadata);
    }
    return this.promise;
  }
}
