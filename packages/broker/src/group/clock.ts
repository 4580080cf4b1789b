/**
 * Time for the group coordinator: the current time and one-shot timers, injectable so that the
 * state machine's tests drive session and rebalance timeouts with a manual clock instead of
 * sleeping (Kafka's `MockTime` habit).
 */

/** A scheduled callback, as returned by {@link Clock.setTimeout}. */
export type TimerHandle = { readonly id: number } | NodeJS.Timeout;

/** The current time and one-shot timers. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Runs `fn` once after `delayMs`. */
  setTimeout(fn: () => void, delayMs: number): TimerHandle;
  /** Cancels a timer that has not fired yet; a no-op otherwise. */
  clearTimeout(handle: TimerHandle): void;
}

/** The wall clock and Node's timers; timers are unref'd so they never keep a process alive. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, delayMs) {
    const t = setTimeout(fn, Math.max(0, delayMs));
    t.unref();
    return t;
  },
  clearTimeout(handle) {
    clearTimeout(handle as NodeJS.Timeout);
  },
};

interface ManualTimer {
  id: number;
  due: number;
  fn: () => void;
}

/**
 * A clock that moves only when told to: {@link ManualClock.advance} fires every timer that falls
 * due, in time order (ties in scheduling order), with `now()` set to each timer's due time.
 */
export class ManualClock implements Clock {
  private time: number;
  private nextId = 1;
  private timers: ManualTimer[] = [];

  /** Starts at `start` ms. */
  constructor(start = 1_700_000_000_000) {
    this.time = start;
  }

  /** The current manual time. */
  now(): number {
    return this.time;
  }

  /** Schedules `fn` at now + `delayMs`. */
  setTimeout(fn: () => void, delayMs: number): TimerHandle {
    const timer = { id: this.nextId++, due: this.time + Math.max(0, delayMs), fn };
    this.timers.push(timer);
    return { id: timer.id };
  }

  /** Cancels a pending timer. */
  clearTimeout(handle: TimerHandle): void {
    const id = (handle as { id: number }).id;
    this.timers = this.timers.filter((t) => t.id !== id);
  }

  /** Timers not fired yet. */
  get pending(): number {
    return this.timers.length;
  }

  /** Moves time forward by `ms`, firing due timers (including ones they schedule) on the way. */
  advance(ms: number): void {
    const target = this.time + ms;
    for (;;) {
      let next: ManualTimer | undefined;
      for (const t of this.timers) if (t.due <= target && (!next || t.due < next.due)) next = t;
      if (!next) break;
      const fire = next;
      this.timers = this.timers.filter((t) => t !== fire);
      this.time = Math.max(this.time, fire.due);
      fire.fn();
    }
    this.time = target;
  }
}
