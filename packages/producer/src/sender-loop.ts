/**
 * The thin I/O shell around the {@link Sender} state machine: runs a round on every wakeup and
 * on the timer the last round asked for, hands produce requests and InitProducerId to the
 * {@link SenderIo}, and feeds their outcomes back. Time and timers come from a
 * {@link TimerClock}, so tests drive it with a manual clock.
 *
 * @module
 */
import type { CloseOptions } from '@tskafka/transport';
import { systemTimerClock, type TimerClock, type TimerHandle } from './buffer-pool.js';
import { ProducerClosedError } from './errors.js';
import type { ProducerIdAndEpoch } from './idempotence.js';
import type { ProduceInFlight, ProduceResponseData, Sender, SenderIo, SenderPlan } from './sender.js';
import type { TransactionResponse } from './transaction-requests.js';
import type { TransactionInFlight } from './transaction-state.js';

/**
 * Runs a {@link Sender} on the event loop: on wakeups (a batch full or new, a response, flush,
 * close, {@link SenderLoop.wakeup} from the transport when a node becomes ready) and on the
 * timer the last round asked for; hands its requests to the {@link SenderIo} and feeds the
 * outcomes back.
 */
export class SenderLoop {
  private readonly sender: Sender;
  private readonly io: SenderIo;
  private readonly clock: TimerClock;
  private readonly onError: (error: unknown) => void;
  private timer: TimerHandle | null = null;
  private timerDueMs = Number.POSITIVE_INFINITY;
  private stopped = false;
  // A new batch needs a round when its linger.ms is up (sooner if a timer is set already); a
  // full one, now.
  private readonly listener = {
    onBatchFull: () => this.wakeup(),
    onBatchAwaited: () => this.wakeup(),
    onNewBatch: () => this.schedule(this.sender.accumulator.lingerMs),
  };

  /**
   * A loop for `sender`, doing I/O through `io`, with time and timers from `clock` (default the
   * system's). `onError` hears of failures of the loop itself (a bug), default a warning.
   */
  constructor(
    sender: Sender,
    io: SenderIo,
    clock: TimerClock = systemTimerClock,
    onError: (error: unknown) => void = warn,
  ) {
    this.sender = sender;
    this.io = io;
    this.clock = clock;
    this.onError = onError;
    sender.accumulator.addListener(this.listener);
    this.wakeup();
  }

  /** Runs a round as soon as the event loop turns (coalesced). */
  wakeup(): void {
    this.schedule(0);
  }

  /** Sends everything buffered now (linger ignored) and resolves when it is all done. */
  async flush(): Promise<void> {
    const acc = this.sender.accumulator;
    acc.beginFlush();
    this.wakeup();
    await acc.awaitFlushCompletion();
  }

  /**
   * Stops taking records, sends what is buffered, and resolves when all of it is done; after
   * `timeoutMs` (default: no bound; the producer passes its own) whatever is left fails with a
   * `ProducerClosedError` (a forced close), or with what `abortError` makes.
   */
  async close(options: CloseOptions = {}, abortError?: () => Error): Promise<void> {
    const acc = this.sender.accumulator;
    acc.close();
    this.wakeup();
    const timeoutMs = options.timeoutMs ?? Number.POSITIVE_INFINITY;
    let forced: TimerHandle | null = null;
    if (timeoutMs <= 0) {
      acc.abortIncompleteBatches(
        abortError?.() ?? new ProducerClosedError('the producer was closed forcefully'),
      );
    } else if (timeoutMs < Number.POSITIVE_INFINITY) {
      forced = this.clock.setTimer(() => {
        acc.abortIncompleteBatches(
          abortError?.() ??
            new ProducerClosedError(
              `the producer was closed with records still buffered after ${timeoutMs} ms`,
            ),
        );
      }, timeoutMs);
    }
    await acc.awaitEmpty();
    if (forced !== null) this.clock.clearTimer(forced);
    this.stopped = true;
    acc.removeListener(this.listener);
    if (this.timer !== null) this.clock.clearTimer(this.timer);
    this.timer = null;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    const due = this.clock.now() + delayMs;
    if (this.timer !== null) {
      if (this.timerDueMs <= due) return;
      this.clock.clearTimer(this.timer);
    }
    this.timerDueMs = due;
    this.timer = this.clock.setTimer(this.run, delayMs);
  }

  private readonly run = (): void => {
    this.timer = null;
    this.timerDueMs = Number.POSITIVE_INFINITY;
    if (this.stopped) return;
    const sender = this.sender;
    let plan: SenderPlan;
    try {
      plan = sender.runOnce(this.clock.now());
    } catch (e) {
      this.onError(e);
      this.schedule(100);
      return;
    }
    for (const request of plan.requests) this.dispatch(request);
    if (plan.initProducerId !== null) this.dispatchInitProducerId(plan.initProducerId);
    if (plan.transactionRequest !== null) this.dispatchTransactional(plan.transactionRequest);
    if (plan.pollTimeoutMs < Number.POSITIVE_INFINITY) this.schedule(plan.pollTimeoutMs);
  };

  private dispatch(request: ProduceInFlight): void {
    let sent: Promise<ProduceResponseData | null>;
    try {
      sent = this.io.send(request.nodeId, request.request, request.expectResponse);
    } catch (e) {
      sent = Promise.reject(e);
    }
    sent
      .then(
        (response) => this.sender.handleResponse(request, response, this.clock.now()),
        (error: unknown) => this.sender.handleFailure(request, error, this.clock.now()),
      )
      .catch(this.onError)
      .finally(() => this.wakeup());
  }

  private dispatchTransactional(request: TransactionInFlight): void {
    let reply: Promise<TransactionResponse>;
    try {
      const send = this.io.sendTransactional;
      reply = send === undefined ? Promise.reject(dispatchError()) : send.call(this.io, request.request);
    } catch (e) {
      reply = Promise.reject(e);
    }
    reply
      .then(
        (response) => this.sender.handleTransactionResponse(request, response, this.clock.now()),
        (error: unknown) => this.sender.handleTransactionFailure(request, error, this.clock.now()),
      )
      .catch(this.onError)
      .finally(() => this.wakeup());
  }

  private dispatchInitProducerId(current: ProducerIdAndEpoch): void {
    let reply: Promise<ProducerIdAndEpoch>;
    try {
      reply = this.io.initProducerId(current);
    } catch (e) {
      reply = Promise.reject(e);
    }
    reply
      .then(
        (result) => this.sender.handleProducerId(result),
        (error: unknown) =>
          this.sender.handleProducerIdFailure(
            error instanceof Error ? error : new Error(String(error)),
            this.clock.now(),
          ),
      )
      .catch(this.onError)
      .finally(() => this.wakeup());
  }
}

function dispatchError(): Error {
  return new TypeError('the sender io cannot send transactional requests (no sendTransactional)');
}

function warn(error: unknown): void {
  process.emitWarning(error instanceof Error ? error : String(error), 'SenderLoopWarning');
}
