/**
 * Time as a value: state machines take `now` from a {@link Clock}, and the shells around them set
 * their timers on a {@link TimerClock}, so tests drive them with a {@link ManualClock} instead of
 * sleeping (Java's `Time`/`MockTime`).
 *
 * @module
 */

/** A source of the current time in ms since the epoch. */
export interface Clock {
  /** The current time in ms. */
  now(): number;
}

/** An opaque handle of a timer set with {@link TimerClock.setTimer}. */
export type TimerHandle = unknown;

/**
 * The current time and one-shot timers. {@link systemTimerClock} is the real one; tests pass a
 * {@link ManualClock}, whose timers fire when the test moves time forward.
 */
export interface TimerClock extends Clock {
  /** Calls `callback` once, after `delayMs` (0: as soon as the event loop turns). */
  setTimer(callback: () => void, delayMs: number): TimerHandle;
  /** Cancels a timer that has not fired yet; a fired or cleared handle is ignored. */
  clearTimer(handle: TimerHandle): void;
}

/** The wall clock (`Date.now()`). */
export const systemClock: Clock = Object.freeze({ now: () => Date.now() });

class SystemTimer {
  readonly immediate: NodeJS.Immediate | null;
  readonly timeout: NodeJS.Timeout | null;
  constructor(callback: () => void, delayMs: number) {
    // setTimeout(0) waits at least 1 ms in Node; a wakeup should run on the next turn.
    this.immediate = delayMs <= 0 ? setImmediate(callback) : null;
    // Node's timers take at most 2^31-1 ms; longer ones would fire at once.
    this.timeout = delayMs > 0 ? setTimeout(callback, Math.min(delayMs, 2 ** 31 - 1)) : null;
  }
}

/** `Date.now()` with `setImmediate`/`setTimeout` timers. */
export const systemTimerClock: TimerClock = Object.freeze({
  now: () => Date.now(),
  setTimer: (callback: () => void, delayMs: number): TimerHandle => new SystemTimer(callback, delayMs),
  clearTimer(handle: TimerHandle): void {
    if (!(handle instanceof SystemTimer)) return;
    if (handle.immediate !== null) clearImmediate(handle.immediate);
    if (handle.timeout !== null) clearTimeout(handle.timeout);
  },
});

interface ManualTimer {
  readonly due: number;
  readonly seq: number;
  readonly callback: () => void;
}

/**
 * A clock that moves only when told to; for tests. {@link ManualClock.advance} fires every timer
 * that falls due, in time order (ties in the order they were set), with `now()` at each timer's
 * due time.
 */
export class ManualClock implements TimerClock {
  private time: number;
  private seq = 0;
  private timers: ManualTimer[] = [];

  /** A clock reading `start` ms. */
  constructor(start = 0) {
    this.time = start;
  }

  /** The current time in ms. */
  now(): number {
    return this.time;
  }

  /** Sets a timer that fires when the clock reaches now + `delayMs`. */
  setTimer(callback: () => void, delayMs: number): TimerHandle {
    const timer: ManualTimer = { due: this.time + Math.max(0, delayMs), seq: this.seq++, callback };
    this.timers.push(timer);
    return timer;
  }

  /** Cancels a timer that has not fired yet. */
  clearTimer(handle: TimerHandle): void {
    this.timers = this.timers.filter((t) => t !== handle);
  }

  /** How many timers are set and have not fired. */
  get pendingTimers(): number {
    return this.timers.length;
  }

  /** Moves the clock forward by `ms`, firing the timers that fall due (and those they set). */
  advance(ms: number): void {
    if (ms < 0) throw new RangeError(`cannot move a clock back (${ms} ms)`);
    this.moveTo(this.time + ms);
  }

  /** Sets the clock to `time` ms, firing the timers that fall due on the way. */
  set(time: number): void {
    this.moveTo(time);
  }

  private moveTo(target: number): void {
    for (;;) {
      let next: ManualTimer | undefined;
      for (const t of this.timers) {
        if (
          t.due <= target &&
          (next === undefined || t.due < next.due || (t.due === next.due && t.seq < next.seq))
        )
          next = t;
      }
      if (next === undefined) break;
      const fire = next;
      this.timers = this.timers.filter((t) => t !== fire);
      this.time = Math.max(this.time, fire.due);
      fire.callback();
    }
    this.time = target;
  }
}

/** Resolves after `ms` on `clock`. */
export function sleepOn(clock: TimerClock, ms: number): Promise<void> {
  return new Promise<void>((resolve) => {
    clock.setTimer(resolve, ms);
  });
}

/**
 * Settles as `promise` does, or, if `ms` pass first on `clock`, resolves with what `onTimeout`
 * returns; the timer is cleared either way. `promise` is not cancelled: whoever gave up on it
 * must see to what it still holds (closing the connections fails the requests it waits for).
 */
export function raceTimer<T, U>(
  clock: TimerClock,
  promise: Promise<T>,
  ms: number,
  onTimeout: () => U,
): Promise<T | U> {
  let timer: TimerHandle | undefined;
  const timeout = new Promise<U>((resolve) => {
    timer = clock.setTimer(() => resolve(onTimeout()), Math.max(0, ms));
  });
  return Promise.race([promise, timeout]).finally(() => clock.clearTimer(timer));
}
