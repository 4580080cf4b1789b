/**
 * Backoff as Java computes it (`ExponentialBackoff`), and the per-connection reconnect state
 * machine (`ClusterConnectionStates`): pure state, driven by `now`, so tests use a manual clock.
 *
 *   Disconnected ──connecting(now)──▶ Connecting ──ready()──▶ Ready
 *        ▲                               │                      │
 *        └────────── disconnected(now): failures++, backoff ◀───┘
 *
 * @module
 */

/**
 * `initial * multiplier^attempts`, capped at `max`, times a random factor in
 * `[1 - jitter, 1 + jitter)` (the result is capped at `max` again), exactly Java's
 * `org.apache.kafka.common.utils.ExponentialBackoff`.
 */
export class ExponentialBackoff {
  private readonly initial: number;
  private readonly multiplier: number;
  private readonly max: number;
  private readonly jitter: number;
  private readonly expMax: number;
  private readonly random: () => number;

  /** Java's parameters; `random` gives numbers in [0, 1) (default `Math.random`). */
  constructor(
    initial: number,
    multiplier: number,
    max: number,
    jitter: number,
    random: () => number = Math.random,
  ) {
    this.initial = Math.max(0, initial);
    this.multiplier = multiplier;
    this.max = max;
    this.jitter = jitter;
    this.random = random;
    this.expMax =
      max > this.initial
        ? Math.log(max / Math.max(this.initial, 1)) / Math.log(Math.max(multiplier, 1.0001))
        : 0;
  }

  /** The backoff after `attempts` failures (0 for the first wait). */
  backoff(attempts: number): number {
    if (this.expMax === 0) return this.initial;
    const exp = Math.min(attempts, this.expMax);
    const term = this.initial * this.multiplier ** exp;
    const factor = this.jitter <= 0 ? 1 : 1 - this.jitter + this.random() * 2 * this.jitter;
    const value = Math.floor(factor * term);
    return Math.min(value, this.max);
  }
}

/** Where one connection stands, as Java's `ConnectionState`. */
export enum ConnectionState {
  /** Not connected; may connect once the backoff has passed. */
  Disconnected = 'Disconnected',
  /** TCP/TLS connect, ApiVersions and SASL in progress. */
  Connecting = 'Connecting',
  /** Connected, negotiated and authenticated: requests may be sent. */
  Ready = 'Ready',
  /** SASL or TLS authentication failed; retried after the backoff like any failure. */
  AuthenticationFailed = 'AuthenticationFailed',
}

interface NodeState {
  state: ConnectionState;
  lastAttemptMs: number;
  failures: number;
  backoffMs: number;
}

/**
 * The reconnect backoff of every connection, keyed by a string id (node id plus connection
 * group). After a connection fails or drops, the next attempt waits `reconnect.backoff.ms`,
 * doubling per consecutive failure up to `reconnect.backoff.max.ms`, with ±20% jitter; a
 * connection that becomes ready resets the count.
 */
export class ConnectionStates {
  private readonly states = new Map<string, NodeState>();
  private readonly backoff: ExponentialBackoff;

  /** Backoff between `reconnectBackoffMs` and `reconnectBackoffMaxMs`; `random` for the jitter. */
  constructor(reconnectBackoffMs: number, reconnectBackoffMaxMs: number, random: () => number = Math.random) {
    this.backoff = new ExponentialBackoff(reconnectBackoffMs, 2, reconnectBackoffMaxMs, 0.2, random);
  }

  /** The state of `id` (Disconnected if never seen). */
  state(id: string): ConnectionState {
    return this.states.get(id)?.state ?? ConnectionState.Disconnected;
  }

  /** Consecutive failed attempts of `id` since it was last ready. */
  failures(id: string): number {
    return this.states.get(id)?.failures ?? 0;
  }

  /** Whether a connection attempt to `id` may start at `now`. */
  canConnect(id: string, now: number): boolean {
    const s = this.states.get(id);
    if (s === undefined) return true;
    return (
      (s.state === ConnectionState.Disconnected || s.state === ConnectionState.AuthenticationFailed) &&
      now - s.lastAttemptMs >= s.backoffMs
    );
  }

  /** Whether `id` is disconnected and still inside its backoff at `now`. */
  isBlackedOut(id: string, now: number): boolean {
    const s = this.states.get(id);
    if (s === undefined) return false;
    return (
      (s.state === ConnectionState.Disconnected || s.state === ConnectionState.AuthenticationFailed) &&
      now - s.lastAttemptMs < s.backoffMs
    );
  }

  /** Ms until an attempt to `id` may start (0 if it may now; 0 while connecting or ready). */
  connectionDelay(id: string, now: number): number {
    const s = this.states.get(id);
    if (s === undefined) return 0;
    if (s.state !== ConnectionState.Disconnected && s.state !== ConnectionState.AuthenticationFailed)
      return 0;
    return Math.max(0, s.lastAttemptMs + s.backoffMs - now);
  }

  /** An attempt to `id` starts at `now`. */
  connecting(id: string, now: number): void {
    const s = this.states.get(id);
    if (s === undefined) {
      this.states.set(id, {
        state: ConnectionState.Connecting,
        lastAttemptMs: now,
        failures: 0,
        backoffMs: 0,
      });
    } else {
      s.state = ConnectionState.Connecting;
      s.lastAttemptMs = now;
    }
  }

  /** `id` is ready: the failure count and backoff reset. */
  ready(id: string): void {
    const s = this.states.get(id);
    if (s === undefined) {
      this.states.set(id, { state: ConnectionState.Ready, lastAttemptMs: 0, failures: 0, backoffMs: 0 });
    } else {
      s.state = ConnectionState.Ready;
      s.failures = 0;
      s.backoffMs = 0;
    }
  }

  /**
   * `id` failed to connect or dropped at `now`: the next attempt waits the next backoff, counted
   * from `now`. `authenticationFailed` records why, for {@link ConnectionStates.state}.
   */
  disconnected(id: string, now: number, authenticationFailed = false): void {
    let s = this.states.get(id);
    if (s === undefined) {
      s = { state: ConnectionState.Disconnected, lastAttemptMs: now, failures: 0, backoffMs: 0 };
      this.states.set(id, s);
    }
    s.state = authenticationFailed ? ConnectionState.AuthenticationFailed : ConnectionState.Disconnected;
    s.lastAttemptMs = now;
    s.backoffMs = this.backoff.backoff(s.failures);
    s.failures++;
  }

  /** Forgets `id` (closed on purpose, or gone from the cluster). */
  remove(id: string): void {
    this.states.delete(id);
  }
}
