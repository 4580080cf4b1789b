/**
 * The connections of a {@link Cluster}: at most one per broker and connection group (e.g. the
 * producer's sends apart from coordinator traffic, as Java keeps coordinator connections apart),
 * opened on demand, reopened after the reconnect backoff, closed when idle too long.
 *
 * @module
 */

import { ConnectionStates } from './backoff.js';
import { type Clock, systemTimerClock, type TimerClock, type TimerHandle } from './clock.js';
import { Connection, type ConnectionOptions } from './connection.js';
import {
  ClientClosedError,
  ConnectionError,
  SaslAuthenticationError,
  SslAuthenticationError,
} from './errors.js';
import type { Logger } from './logger.js';
import type { BrokerAddress } from './options.js';

/** A clock with timers of its own, other than the system's. */
function isTimerClock(clock: Clock): clock is TimerClock {
  return clock !== systemTimerClock && typeof (clock as Partial<TimerClock>).setTimer === 'function';
}

/** The connection group used when none is named. */
export const DEFAULT_CONNECTION_GROUP = 'default';

/** Options of a {@link ConnectionPool}. */
export interface ConnectionPoolOptions {
  /** Options of every connection (host, port and node id are filled in per broker). */
  connection: Omit<ConnectionOptions, 'host' | 'port' | 'nodeId'>;
  /** `reconnect.backoff.ms`. */
  reconnectBackoffMs: number;
  /** `reconnect.backoff.max.ms`. */
  reconnectBackoffMaxMs: number;
  /** `connections.max.idle.ms`; ≤ 0 never closes idle connections. */
  connectionsMaxIdleMs: number;
  /** The clock. */
  clock: Clock;
  /** The logger. */
  logger: Logger;
  /** Jitter source. */
  random: () => number;
  /** Where a node id lives; undefined when unknown. */
  resolveAddress(nodeId: number): BrokerAddress | undefined;
  /** Called when a ready connection drops unexpectedly. */
  onDisconnect?(nodeId: number, group: string, error: Error): void;
}

interface Entry {
  readonly nodeId: number;
  readonly group: string;
  readonly stateKey: string;
  conn: Connection | null;
  opening: Connection | null;
  pending: Promise<Connection> | null;
}

/** The pool of connections, by node id and group. */
export class ConnectionPool {
  /** Reconnect backoff per connection (keys `group/nodeId`). */
  readonly states: ConnectionStates;
  private readonly options: ConnectionPoolOptions;
  private readonly groups = new Map<string, Map<number, Entry>>();
  private readonly sleeps = new Set<{ timer: NodeJS.Timeout; reject: (e: Error) => void }>();
  private idleTimer: TimerHandle | null = null;
  private closed = false;

  /** An empty pool. */
  constructor(options: ConnectionPoolOptions) {
    this.options = options;
    this.states = new ConnectionStates(
      options.reconnectBackoffMs,
      options.reconnectBackoffMaxMs,
      options.random,
    );
    const idle = options.connectionsMaxIdleMs;
    if (idle > 0) this.scheduleIdleCheck(Math.min(idle, 30_000));
  }

  /**
   * Looks for idle connections every `everyMs`: on the clock's own timers when it is not the
   * system's (a test's manual clock then closes them as it advances), else on an unref'd
   * interval, which does not keep a process alive that forgot to close its client.
   */
  private scheduleIdleCheck(everyMs: number): void {
    const { clock } = this.options;
    if (isTimerClock(clock)) {
      const tick = (): void => {
        if (this.closed) return;
        this.closeIdle(clock.now());
        this.idleTimer = clock.setTimer(tick, everyMs);
      };
      this.idleTimer = clock.setTimer(tick, everyMs);
      return;
    }
    const interval = setInterval(() => this.closeIdle(clock.now()), everyMs);
    interval.unref();
    this.idleTimer = interval;
  }

  private entry(nodeId: number, group: string, create: true): Entry;
  private entry(nodeId: number, group: string, create: false): Entry | undefined;
  private entry(nodeId: number, group: string, create: boolean): Entry | undefined {
    let byNode = this.groups.get(group);
    if (byNode === undefined) {
      if (!create) return undefined;
      byNode = new Map();
      this.groups.set(group, byNode);
    }
    let e = byNode.get(nodeId);
    if (e === undefined && create) {
      e = { nodeId, group, stateKey: `${group}/${nodeId}`, conn: null, opening: null, pending: null };
      byNode.set(nodeId, e);
    }
    return e;
  }

  /** The ready connection to `nodeId` in `group`, if there is one (no I/O; for hot paths). */
  ready(nodeId: number, group = DEFAULT_CONNECTION_GROUP): Connection | undefined {
    const c = this.groups.get(group)?.get(nodeId)?.conn;
    return c?.isReady ? c : undefined;
  }

  /** Whether a connection to `nodeId` in `group` is being opened. */
  isConnecting(nodeId: number, group = DEFAULT_CONNECTION_GROUP): boolean {
    return (this.groups.get(group)?.get(nodeId)?.pending ?? null) !== null;
  }

  /** Requests in flight on the connection to `nodeId` in `group` (0 without one). */
  inFlightCount(nodeId: number, group = DEFAULT_CONNECTION_GROUP): number {
    return this.groups.get(group)?.get(nodeId)?.conn?.inFlightCount ?? 0;
  }

  /** Ms until a connection attempt to `nodeId` in `group` may start (0: now, or already connected). */
  connectionDelay(nodeId: number, group = DEFAULT_CONNECTION_GROUP, now = this.options.clock.now()): number {
    return this.states.connectionDelay(`${group}/${nodeId}`, now);
  }

  /** Whether a new connection attempt to `nodeId` in `group` may start at `now`. */
  canConnect(nodeId: number, group = DEFAULT_CONNECTION_GROUP, now = this.options.clock.now()): boolean {
    return this.states.canConnect(`${group}/${nodeId}`, now);
  }

  /**
   * The connection to `nodeId` in `group`: the ready one, the one being opened, or a new one
   * opened once the reconnect backoff has passed. Rejects with the connection's failure.
   */
  get(nodeId: number, group = DEFAULT_CONNECTION_GROUP): Promise<Connection> {
    if (this.closed) return Promise.reject(new ClientClosedError('the client is closed'));
    const e = this.entry(nodeId, group, true);
    if (e.conn?.isReady) return Promise.resolve(e.conn);
    if (e.pending === null) {
      const pending = this.open(e);
      e.pending = pending;
      // The entry forgets the attempt however it ends; callers see the outcome through `pending`.
      pending.then(
        () => this.settled(e, pending),
        () => this.settled(e, pending),
      );
    }
    return e.pending;
  }

  private settled(e: Entry, pending: Promise<Connection>): void {
    if (e.pending === pending) e.pending = null;
  }

  private async open(e: Entry): Promise<Connection> {
    const { clock, logger } = this.options;
    const delay = this.states.connectionDelay(e.stateKey, clock.now());
    if (delay > 0) await this.sleep(delay);
    if (this.closed) throw new ClientClosedError('the client is closed');
    const address = this.options.resolveAddress(e.nodeId);
    if (address === undefined) {
      throw new ConnectionError(`no address known for broker ${e.nodeId}`, { nodeId: e.nodeId });
    }
    this.states.connecting(e.stateKey, clock.now());
    const conn = new Connection({
      ...this.options.connection,
      host: address.host,
      port: address.port,
      nodeId: e.nodeId,
    });
    e.opening = conn;
    try {
      await conn.connect();
    } catch (error) {
      e.opening = null;
      if (this.closed) throw new ClientClosedError('the client is closed');
      const auth = error instanceof SaslAuthenticationError || error instanceof SslAuthenticationError;
      this.states.disconnected(e.stateKey, clock.now(), auth);
      const failures = this.states.failures(e.stateKey);
      const log = failures <= 1 || auth ? logger.warn : logger.debug;
      log.call(logger, 'connection to broker could not be established', {
        broker: conn.broker,
        group: e.group,
        failures,
        error: error as Error,
      });
      throw error;
    }
    e.opening = null;
    if (this.closed) {
      conn.close();
      throw new ClientClosedError('the client is closed');
    }
    this.states.ready(e.stateKey);
    e.conn = conn;
    conn.on('close', (error) => this.onClose(e, conn, error));
    return conn;
  }

  private onClose(e: Entry, conn: Connection, error: Error | null): void {
    if (e.conn !== conn) return;
    e.conn = null;
    if (error === null || this.closed) {
      this.states.remove(e.stateKey);
      return;
    }
    this.states.disconnected(e.stateKey, this.options.clock.now());
    this.options.logger.info('connection to broker lost', { broker: conn.broker, group: e.group, error });
    this.options.onDisconnect?.(e.nodeId, e.group, error);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const item = {
        timer: setTimeout(() => {
          this.sleeps.delete(item);
          resolve();
        }, ms),
        reject,
      };
      this.sleeps.add(item);
    });
  }

  /** Closes the connection(s) to `nodeId` (in `group`, or in every group); they may reopen later. */
  closeNode(nodeId: number, group?: string): void {
    for (const [g, byNode] of this.groups) {
      if (group !== undefined && g !== group) continue;
      const e = byNode.get(nodeId);
      if (e === undefined) continue;
      byNode.delete(nodeId);
      this.states.remove(e.stateKey);
      e.conn?.close();
      e.opening?.close();
    }
  }

  /** The node ids with a ready connection in `group`. */
  readyNodes(group = DEFAULT_CONNECTION_GROUP): number[] {
    const out: number[] = [];
    for (const [nodeId, e] of this.groups.get(group) ?? []) if (e.conn?.isReady) out.push(nodeId);
    return out;
  }

  /** Closes connections with nothing in flight and no request sent for `connections.max.idle.ms`. */
  closeIdle(now: number): void {
    const idle = this.options.connectionsMaxIdleMs;
    if (idle <= 0) return;
    for (const byNode of this.groups.values()) {
      for (const e of byNode.values()) {
        const c = e.conn;
        if (c !== null && c.inFlightCount === 0 && now - c.lastActivityMs >= idle) {
          this.options.logger.debug('closing idle connection', { broker: c.broker, group: e.group });
          c.close();
        }
      }
    }
  }

  /** Closes every connection and refuses new ones; pending attempts reject with {@link ClientClosedError}. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.idleTimer !== null) {
      if (isTimerClock(this.options.clock)) this.options.clock.clearTimer(this.idleTimer);
      else clearInterval(this.idleTimer as NodeJS.Timeout);
    }
    for (const s of this.sleeps) {
      clearTimeout(s.timer);
      s.reject(new ClientClosedError('the client is closed'));
    }
    this.sleeps.clear();
    for (const byNode of this.groups.values()) {
      for (const e of byNode.values()) {
        e.conn?.close();
        e.opening?.close();
      }
    }
    this.groups.clear();
  }
}
