/**
 * Time as a value: state machines take `now` from a {@link Clock}, so tests drive them with a
 * {@link ManualClock} instead of sleeping (Java's `Time`/`MockTime`).
 *
 * @module
 */

/** A source of the current time in ms since the epoch. */
export interface Clock {
  /** The current time in ms. */
  now(): number;
}

/** The wall clock (`Date.now()`). */
export const systemClock: Clock = Object.freeze({ now: () => Date.now() });

/** A clock that moves only when told to; for tests. */
export class ManualClock implements Clock {
  private time: number;

  /** A clock reading `start` ms. */
  constructor(start = 0) {
    this.time = start;
  }

  /** The current time in ms. */
  now(): number {
    return this.time;
  }

  /** Moves the clock forward by `ms`. */
  advance(ms: number): void {
    if (ms < 0) throw new RangeError(`cannot move a clock back (${ms} ms)`);
    this.time += ms;
  }

  /** Sets the clock to `time` ms. */
  set(time: number): void {
    this.time = time;
  }
}
