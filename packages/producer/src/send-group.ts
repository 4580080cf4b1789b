/**
 * The completion of one `sendBatch` call: its records sit in their batches like any other, but
 * all of them point at this one object (with their position in the call), so the call costs one
 * promise, not one per record, and settles once, with every record's metadata in call order.
 *
 * @module
 */
import { SendBatchError } from './errors.js';
import type { RecordMetadata } from './types.js';

// Shared by every group: `new Promise(executor)` without a closure per call.
let nextResolve: ((results: RecordMetadata[]) => void) | null = null;
let nextReject: ((error: Error) => void) | null = null;
function executor(resolve: (results: RecordMetadata[]) => void, reject: (error: Error) => void): void {
  nextResolve = resolve;
  nextReject = reject;
}

/** The records of one `sendBatch` call, settled together. */
export class SendGroup {
  /** What the call returns. */
  readonly promise: Promise<RecordMetadata[]>;
  /** A group always has a listener: batches build each record's metadata for it. */
  readonly observed = true;
  private readonly results: (RecordMetadata | Error)[];
  private pending: number;
  private failed = 0;
  private firstError: Error | null = null;
  private resolve: (results: RecordMetadata[]) => void;
  private reject: (error: Error) => void;

  /** A group for `count` records. */
  constructor(count: number) {
    this.promise = new Promise(executor);
    this.resolve = nextResolve as (results: RecordMetadata[]) => void;
    this.reject = nextReject as (error: Error) => void;
    nextResolve = null;
    nextReject = null;
    this.results = new Array(count);
    this.pending = count;
    if (count === 0) this.resolve([]);
  }

  /** Record `index` of the call is done: `metadata`, or failed with `error`. */
  settle(metadata: RecordMetadata | null, error: Error | null, index: number): void {
    if (error !== null) {
      this.results[index] = error;
      if (this.failed++ === 0) this.firstError = error;
    } else this.results[index] = metadata as RecordMetadata;
    if (--this.pending !== 0) return;
    if (this.failed === 0) this.resolve(this.results as RecordMetadata[]);
    else this.reject(new SendBatchError(this.results, this.failed, this.firstError as Error));
  }
}
