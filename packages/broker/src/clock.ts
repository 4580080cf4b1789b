/**
 * Time for the broker: the current time and timers, injected into everything whose behaviour
 * depends on time (replication, the purgatories, ISR shrinking, the preferred-leader check,
 * checkpoints, retention, the group and transaction coordinators, injected latency), so that tests
 * drive it with a {@link ManualClock} instead of sleeping (Kafka's `Time`/`MockTime` habit).
 * Socket I/O stays real: a timeout that guards a real connection is not the broker's time.
 *
 * @module
 */

/** A scheduled callback, as returned by {@link Clock.setTimeout} and {@link Clock.setInterval}. */
export type TimerHandle = { readonly id: number } | NodeJS.Timeout;

/** The current time and timers. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Runs `fn` once after `delayMs`. */
  setTimeout(fn: () => void, delayMs: number): TimerHandle;
  /** Cancels a timer that has not fired yet; a no-op otherwise. */
  clearTimeout(handle: TimerHandle): void;
  /** Runs `fn` every `intervalMs` until cleared. */
  setInterval(fn: () => void, intervalMs: number): TimerHandle;
  /** Stops a periodic timer; a no-op for one already stopped. */
  clearInterval(handle: TimerHandle): void;
}

/** The wall clock and Node's timers; timers are unref'd so they never keep a process alive. */
export const systemClock: Clock = Object.freeze({
  now: () => Date.now(),
  setTimeout(fn: () => void, delayMs: number): TimerHandle {
    const t = setTimeout(fn, Math.max(0, delayMs));
    t.unref();
    return t;
  },
  clearTimeout(handle: TimerHandle): void {
    clearTimeout(handle as NodeJS.Timeout);
  },
  setInterval(fn: () => void, intervalMs: number): TimerHandle {
    const t = setInterval(fn, Math.max(1, intervalMs));
    t.unref();
    return t;
  },
  clearInterval(handle: TimerHandle): void {
    clearInterval(handle as NodeJS.Timeout);
  },
});

interface ManualTimer {
  id: number;
  due: number;
  fn: () => void;
  /** Set for a periodic timer: it is due again this much later each time it fires. */
  intervalMs?: number;
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
    return this.schedule({ id: this.nextId++, due: this.time + Math.max(0, delayMs), fn });
  }

  /** Cancels a pending timer. */
  clearTimeout(handle: TimerHandle): void {
    const id = (handle as { id: number }).id;
    this.timers = this.timers.filter((t) => t.id !== id);
  }

  /** Schedules `fn` at now + `intervalMs` and every `intervalMs` after that. */
  setInterval(fn: () => void, intervalMs: number): TimerHandle {
    // At least 1 ms, so that advancing the clock always ends.
    const every = Math.max(1, intervalMs);
    return this.schedule({ id: this.nextId++, due: this.time + every, fn, intervalMs: every });
  }

  /** Stops a periodic timer. */
  clearInterval(handle: TimerHandle): void {
    this.clearTimeout(handle);
  }

  /** Timers not fired yet (periodic ones count until cleared). */
  get pending(): number {
    return this.timers.length;
  }

  /**
   * Moves time forward by `ms`, firing due timers (including ones they schedule) on the way.
   * Callbacks run synchronously; what they start asynchronously (a response written to a
   * socket) happens after this returns.
   */
  advance(ms: number): void {
    if (ms < 0) throw new RangeError(`cannot move a clock back (${ms} ms)`);
    const target = this.time + ms;
    for (;;) {
      let next: ManualTimer | undefined;
      for (const t of this.timers) if (t.due <= target && (!next || t.due < next.due)) next = t;
      if (!next) break;
      const fire = next;
      if (fire.intervalMs === undefined) this.timers = this.timers.filter((t) => t !== fire);
      else {
        // Re-armed before it runs, so the callback may clear it; moved to the end of the list
        // so that ties keep scheduling order.
        this.timers = this.timers.filter((t) => t !== fire);
        this.timers.push({ ...fire, due: fire.due + fire.intervalMs });
      }
      this.time = Math.max(this.time, fire.due);
      fire.fn();
    }
    this.time = target;
  }

  private schedule(timer: ManualTimer): TimerHandle {
    this.timers.push(timer);
    return { id: timer.id };
  }
}
