/**
 * What `send` returns: a native `Promise<RecordMetadata>`, made with one shared executor (no
 * closure per record), whose resolving functions the record's batch keeps. `await` and
 * `Promise.all` take a native promise as it is; any other thenable costs V8 a wrapper promise, a
 * job and their resolving functions per record, which made an awaited burst of 50,000 sends
 * spend a third of its time collecting garbage (bench/producer/README.md).
 *
 * A failed send's promise is rejected only after a no-op handler is attached to it
 * ({@link rejectSend}), so a send nobody awaits does not end the process with an unhandled
 * rejection; whoever awaits it still gets the rejection. The producer cannot tell whether anyone
 * awaits a native promise, so it reports every batch of failed sends at warn through its logger
 * (`onFailedSends`): a failure nobody awaited is not silent.
 *
 * @module
 */
import type { RecordMetadata } from './types.js';

type Resolve = (metadata: RecordMetadata) => void;
type Reject = (error: Error) => void;

// Set by `executor` during `new Promise(executor)`, taken at once by the caller.
let madeResolve: Resolve | null = null;
let madeReject: Reject | null = null;
function executor(resolve: Resolve, reject: Reject): void {
  madeResolve = resolve;
  madeReject = reject;
}

/**
 * A new pending send promise; its resolving functions are then taken with
 * {@link takeResolve} and {@link takeReject}, in the same synchronous run.
 */
export function newSendPromise(): Promise<RecordMetadata> {
  return new Promise<RecordMetadata>(executor);
}

/** The resolve function of the promise {@link newSendPromise} just made. */
export function takeResolve(): Resolve {
  const r = madeResolve as Resolve;
  madeResolve = null;
  return r;
}

/** The reject function of the promise {@link newSendPromise} just made. */
export function takeReject(): Reject {
  const r = madeReject as Reject;
  madeReject = null;
  return r;
}

function ignore(): void {}

/** Marks `promise` handled: its rejection reaches whoever awaits it, and ends no process. */
export function markHandled(promise: Promise<unknown>): void {
  promise.then(undefined, ignore);
}

/**
 * Rejects a send's `promise` (through its `reject`) with `error`, marked handled first: an
 * application that awaits it gets the error, one that does not is not ended by an unhandled
 * rejection (the producer logs the failure instead).
 */
export function rejectSend(promise: Promise<RecordMetadata>, reject: Reject, error: Error): void {
  markHandled(promise);
  reject(error);
}

/**
 * A send's promise made before its record is in a batch (it waits for its topic's metadata, or
 * for memory); the batch takes over `promise`, `resolve` and `reject` once the record is
 * appended. Only these rare paths make this object; a send appended at once makes none.
 */
export class PendingSend {
  /** What `send` returned. */
  readonly promise: Promise<RecordMetadata> = newSendPromise();
  /** Resolves {@link PendingSend.promise}. */
  readonly resolve: Resolve = takeResolve();
  /** Rejects {@link PendingSend.promise} (use {@link PendingSend.fail}, which marks it handled). */
  readonly reject: Reject = takeReject();

  /** Rejects the send (marked handled, see {@link rejectSend}). */
  fail(error: Error): void {
    rejectSend(this.promise, this.reject, error);
  }
}
