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
  /** Someone started waiting for the pending record. */
  listened?(): void;
}

/** The result of one `send`: a Promise, made lazily (see the module comment). */
export class SendFuture implements Promise<RecordMetadata> {
  /** @internal The batch that holds the record (moves when a too-large batch is split). */
  owner: SendFutureOwner;
  /** @internal The record's index in its batch. */
  index: number;
  // Made on first use: a future nobody listens to is three fields.
  private listened: Listened | null = null;

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
    return this.listened !== null;
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

  /** @internal Called by the batch when the record is done (`_index`: a group's, unused here). */
  settle(metadata: RecordMetadata | null, error: Error | null, _index?: number): void {
    const l = this.listened;
    if (l === null || l.resolve === null) return;
    if (error !== null) (l.reject as (e: Error) => void)(error);
    else l.resolve(metadata as RecordMetadata);
    l.resolve = null;
    l.reject = null;
  }

  private toPromise(): Promise<RecordMetadata> {
    if (this.listened !== null) return this.listened.promise;
    const outcome = this.owner.outcomeOf(this.index);
    const l = new Listened();
    if (outcome === undefined) {
      l.promise = new Promise<RecordMetadata>((resolve, reject) => {
        l.resolve = resolve;
        l.reject = reject;
      });
      this.owner.listened?.();
    } else if ('error' in outcome) {
      l.promise = Promise.reject(outcome.error);
    } else {
      l.promise = Promise.resolve(outcome.metadata);
    }
    this.listened = l;
    return l.promise;
  }
}

// The native promise of a listened-to future, and its resolving functions until it settles.
class Listened {
  promise!: Promise<RecordMetadata>;
  resolve: ((m: RecordMetadata) => void) | null = null;
  reject: ((e: Error) => void) | null = null;
}
