/**
 * The requests in flight on one connection, oldest first: a ring of parallel arrays, so matching
 * a response is a look at the head slot (Kafka brokers answer in order) and a request costs no
 * allocation beyond its promise.
 *
 * @module
 */
import type { ApiDef } from '@tskafka/protocol/internals';

/** Resolves a request's promise. */
export type Resolver = (value: unknown) => void;
/** Rejects a request's promise. */
export type Rejecter = (error: Error) => void;

/** A FIFO ring of in-flight requests. Slots are read through `head` and the arrays. */
export class InFlightQueue {
  /** Correlation id per slot. */
  correlationIds: Int32Array;
  /** API version per slot. */
  versions: Int16Array;
  /** Deadline (ms, the connection's clock) per slot. */
  deadlines: Float64Array;
  /** The timeout each request was given, for the error message. */
  timeouts: Float64Array;
  /** API per slot. */
  apis: (ApiDef | undefined)[];
  /** Promise resolver per slot. */
  resolves: (Resolver | undefined)[];
  /** Promise rejecter per slot. */
  rejects: (Rejecter | undefined)[];
  /** Index of the oldest request. */
  head = 0;
  /** Requests in the queue. */
  size = 0;
  private mask: number;

  /** An empty queue with room for `capacity` (a power of two) before it grows. */
  constructor(capacity = 16) {
    this.correlationIds = new Int32Array(capacity);
    this.versions = new Int16Array(capacity);
    this.deadlines = new Float64Array(capacity);
    this.timeouts = new Float64Array(capacity);
    this.apis = new Array(capacity).fill(undefined);
    this.resolves = new Array(capacity).fill(undefined);
    this.rejects = new Array(capacity).fill(undefined);
    this.mask = capacity - 1;
  }

  /** Appends a request. */
  push(
    correlationId: number,
    api: ApiDef,
    version: number,
    deadline: number,
    timeout: number,
    resolve: Resolver,
    reject: Rejecter,
  ): void {
    if (this.size > this.mask) this.grow();
    const i = (this.head + this.size) & this.mask;
    this.correlationIds[i] = correlationId;
    this.versions[i] = version;
    this.deadlines[i] = deadline;
    this.timeouts[i] = timeout;
    this.apis[i] = api;
    this.resolves[i] = resolve;
    this.rejects[i] = reject;
    this.size++;
  }

  /** Drops the head slot (after reading it), releasing its references. */
  shift(): void {
    const i = this.head;
    this.apis[i] = undefined;
    this.resolves[i] = undefined;
    this.rejects[i] = undefined;
    this.head = (i + 1) & this.mask;
    this.size--;
  }

  /** The slot index of the `n`th oldest request (0 is the head). */
  index(n: number): number {
    return (this.head + n) & this.mask;
  }

  /** Empties the queue, calling `reject(error)` for each request, oldest first. */
  rejectAll(error: Error): void {
    while (this.size > 0) {
      const reject = this.rejects[this.head] as Rejecter;
      this.shift();
      reject(error);
    }
  }

  private grow(): void {
    const cap = (this.mask + 1) * 2;
    const ids = new Int32Array(cap);
    const versions = new Int16Array(cap);
    const deadlines = new Float64Array(cap);
    const timeouts = new Float64Array(cap);
    const apis: (ApiDef | undefined)[] = new Array(cap).fill(undefined);
    const resolves: (Resolver | undefined)[] = new Array(cap).fill(undefined);
    const rejects: (Rejecter | undefined)[] = new Array(cap).fill(undefined);
    for (let n = 0; n < this.size; n++) {
      const i = this.index(n);
      ids[n] = this.correlationIds[i];
      versions[n] = this.versions[i];
      deadlines[n] = this.deadlines[i];
      timeouts[n] = this.timeouts[i];
      apis[n] = this.apis[i];
      resolves[n] = this.resolves[i];
      rejects[n] = this.rejects[i];
    }
    this.correlationIds = ids;
    this.versions = versions;
    this.deadlines = deadlines;
    this.timeouts = timeouts;
    this.apis = apis;
    this.resolves = resolves;
    this.rejects = rejects;
    this.head = 0;
    this.mask = cap - 1;
  }
}
