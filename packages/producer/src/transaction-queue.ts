/**
 * The {@link TransactionManager}'s requests waiting to be sent, the one in flight, and the
 * coordinators it knows: requests go out one at a time in Java's order (FindCoordinator, then
 * InitProducerId, then AddPartitionsToTxn / AddOffsetsToTxn / TxnOffsetCommit, then EndTxn, each
 * kind in the order it was queued), and a request to a coordinator not known yet waits behind a
 * FindCoordinator for it.
 *
 * @module
 */
import { createKafkaError, type KafkaError } from '@tskafka/protocol';
import type {
  TransactionApi,
  TransactionCoordinatorKey,
  TransactionRequest,
  TransactionResponse,
} from './transaction-requests.js';
import { coordinatorId, type TransactionalResult, TxnHandler } from './transaction-state.js';

/** What the manager does with an error code in a response (retry, look up, abort or fail). */
export type TxnErrorHandler = (self: TxnHandler, code: number, error: KafkaError, now: number) => void;

/** @internal The queue of a {@link TransactionManager}; see the module comment. */
export class TxnRequestQueue {
  /** The request handed out by the manager's `poll`, awaiting its response. */
  inFlight: TxnHandler | null = null;
  private queue: TxnHandler[] = [];
  private seq = 0;
  private readonly knownCoordinators = new Set<string>();

  /** Whether a request is waiting or in flight. */
  get hasPending(): boolean {
    return this.inFlight !== null || this.queue.length > 0;
  }

  /** The next request to send, if any. */
  peek(): TxnHandler | undefined {
    return this.queue[0];
  }

  /** Takes the next request off the queue. */
  shift(): TxnHandler | undefined {
    return this.queue.shift();
  }

  /** Queues a request; `onResponse` handles its response. */
  enqueue<A extends TransactionApi>(
    request: TransactionRequest<A>,
    result: TransactionalResult | null,
    operation: string,
    onResponse: (response: TransactionResponse<A>, now: number, self: TxnHandler) => void,
  ): TxnHandler<A> {
    const h = new TxnHandler<A>(this.seq++, request, result, operation, onResponse);
    this.push(h as unknown as TxnHandler);
    return h;
  }

  /** Puts `h` back in the queue, in its place. */
  push(h: TxnHandler): void {
    this.queue.push(h);
    this.queue.sort((a, b) => a.priority - b.priority || a.seq - b.seq);
  }

  /** Puts `h` back, to be sent again after `backoffMs`. */
  retry(h: TxnHandler, now: number, backoffMs: number): void {
    h.retryAtMs = now + backoffMs;
    this.push(h);
  }

  /** Every request, the one in flight first. */
  all(): TxnHandler[] {
    return this.inFlight === null ? this.queue : [this.inFlight, ...this.queue];
  }

  /** Drops the waiting requests but those `keep` holds to (the one in flight stays). */
  drop(keep: (h: TxnHandler) => boolean = () => false): void {
    this.queue = this.queue.filter(keep);
  }

  /** Whether requests may go to `c` (it was found and not lost since). */
  isKnown(c: TransactionCoordinatorKey): boolean {
    return this.knownCoordinators.has(coordinatorId(c));
  }

  /** The connection to `c` was lost: find it again before the next request to it. */
  forget(c: TransactionCoordinatorKey): void {
    this.knownCoordinators.delete(coordinatorId(c));
  }

  /** Queues a FindCoordinator for `c` unless one is waiting already; errors go to `onError`. */
  lookupCoordinator(c: TransactionCoordinatorKey, onError: TxnErrorHandler): void {
    const id = coordinatorId(c);
    this.knownCoordinators.delete(id);
    if (
      this.queue.some(
        (h) => h.request.api === 'FindCoordinator' && coordinatorId(h.request.coordinator) === id,
      )
    ) {
      return;
    }
    this.enqueue(
      { api: 'FindCoordinator', coordinator: c, body: {} },
      null,
      'FindCoordinator',
      (res, now, self) => {
        const code = res.errorCode;
        if (code === 0) {
          this.knownCoordinators.add(id);
          return;
        }
        onError(
          self,
          code,
          createKafkaError(code, { apiName: 'FindCoordinator', message: res.errorMessage }),
          now,
        );
      },
    );
  }
}
