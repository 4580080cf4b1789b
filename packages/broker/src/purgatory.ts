/**
 * Kafka's delayed-operation purgatory: an operation that cannot complete yet (a fetch waiting for
 * min.bytes, an acks=all produce waiting for followers) waits here, watched under the keys
 * (partitions) whose changes may complete it. A change calls {@link Purgatory.checkAndComplete}
 * for its key; a timer on the broker's clock expires the operation otherwise. No polling loops.
 */
import type { Clock, TimerHandle } from './clock.js';

/** An operation that may complete later. */
export interface DelayedOperation {
  /** Completes the operation if its condition now holds; returns whether it did. */
  tryComplete(): boolean;
  /** Called once when the timeout fires before completion; must complete it with what there is. */
  onExpire(): void;
}

interface Entry {
  op: DelayedOperation;
  keys: string[];
  timer: TimerHandle | null;
  done: boolean;
}

/** Waiting operations, by watch key. */
export class Purgatory {
  private readonly watchers = new Map<string, Set<Entry>>();
  private readonly all = new Set<Entry>();
  private readonly clock: Clock;

  /** A purgatory whose operations time out on `clock`. */
  constructor(clock: Clock) {
    this.clock = clock;
  }

  /** Operations waiting right now. */
  get size(): number {
    return this.all.size;
  }

  /**
   * Completes `op` now if it can; else watches it under `keys` until a key's check completes it
   * or `timeoutMs` passes. Returns whether it completed immediately.
   */
  tryCompleteElseWatch(op: DelayedOperation, keys: string[], timeoutMs: number): boolean {
    if (op.tryComplete()) return true;
    const entry: Entry = { op, keys, timer: null, done: false };
    for (const k of keys) {
      let set = this.watchers.get(k);
      if (!set) {
        set = new Set();
        this.watchers.set(k, set);
      }
      set.add(entry);
    }
    this.all.add(entry);
    entry.timer = this.clock.setTimeout(
      () => {
        if (entry.done) return;
        this.remove(entry);
        entry.op.onExpire();
      },
      Math.max(0, timeoutMs),
    );
    return false;
  }

  /** Re-checks the operations watching `key`; removes those that complete. */
  checkAndComplete(key: string): number {
    const set = this.watchers.get(key);
    if (!set) return 0;
    let completed = 0;
    for (const entry of [...set]) {
      if (entry.done) continue;
      if (entry.op.tryComplete()) {
        this.remove(entry);
        completed++;
      }
    }
    return completed;
  }

  /** Expires every waiting operation now (shutdown). */
  expireAll(): void {
    for (const entry of [...this.all]) {
      this.remove(entry);
      entry.op.onExpire();
    }
  }

  private remove(entry: Entry): void {
    entry.done = true;
    if (entry.timer) this.clock.clearTimeout(entry.timer);
    this.all.delete(entry);
    for (const k of entry.keys) {
      const set = this.watchers.get(k);
      if (!set) continue;
      set.delete(entry);
      if (set.size === 0) this.watchers.delete(k);
    }
  }
}
