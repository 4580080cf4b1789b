import { type RunningBroker, startBroker } from '@tskafka/broker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Cluster,
  ConnectionError,
  ConnectionState,
  ConnectionStates,
  ExponentialBackoff,
  KafkaTimeoutError,
  ManualClock,
  retry,
  silentLogger,
} from '../src/internals.js';

describe('ExponentialBackoff (Java semantics)', () => {
  it('doubles from the base to the cap, with ±20% jitter', () => {
    const middle = new ExponentialBackoff(50, 2, 1000, 0.2, () => 0.5);
    expect([0, 1, 2, 3, 4, 5, 6, 10].map((n) => middle.backoff(n))).toEqual([
      50, 100, 200, 400, 800, 1000, 1000, 1000,
    ]);
    const low = new ExponentialBackoff(50, 2, 1000, 0.2, () => 0);
    expect([0, 1, 4, 9].map((n) => low.backoff(n))).toEqual([40, 80, 640, 800]);
    const high = new ExponentialBackoff(50, 2, 1000, 0.2, () => 0.9999);
    expect([0, 1, 4, 9].map((n) => high.backoff(n))).toEqual([59, 119, 959, 1000]);
  });

  it('is constant when the cap is not above the base', () => {
    const flat = new ExponentialBackoff(100, 2, 100, 0.2, () => 0);
    expect([0, 3, 8].map((n) => flat.backoff(n))).toEqual([100, 100, 100]);
  });
});

describe('ConnectionStates with a manual clock', () => {
  it('backs off after each failure, longer each time, and resets once ready', () => {
    const clock = new ManualClock(1_000);
    const s = new ConnectionStates(50, 1000, () => 0.5);
    const id = 'default/1';
    expect(s.canConnect(id, clock.now())).toBe(true);
    s.connecting(id, clock.now());
    expect(s.state(id)).toBe(ConnectionState.Connecting);
    expect(s.canConnect(id, clock.now())).toBe(false);
    const waits: number[] = [];
    for (let i = 0; i < 7; i++) {
      s.disconnected(id, clock.now());
      const wait = s.connectionDelay(id, clock.now());
      waits.push(wait);
      expect(s.isBlackedOut(id, clock.now())).toBe(true);
      clock.advance(wait - 1);
      expect(s.canConnect(id, clock.now())).toBe(false);
      clock.advance(1);
      expect(s.canConnect(id, clock.now())).toBe(true);
      s.connecting(id, clock.now());
    }
    expect(waits).toEqual([50, 100, 200, 400, 800, 1000, 1000]);
    s.ready(id);
    expect(s.state(id)).toBe(ConnectionState.Ready);
    expect(s.failures(id)).toBe(0);
    s.disconnected(id, clock.now());
    expect(s.connectionDelay(id, clock.now())).toBe(50);
    s.disconnected(id, clock.now(), true);
    expect(s.state(id)).toBe(ConnectionState.AuthenticationFailed);
    s.remove(id);
    expect(s.canConnect(id, clock.now())).toBe(true);
  });
});

describe('Cluster reconnect backoff against a stopped broker', () => {
  let broker: RunningBroker;
  beforeAll(async () => {
    broker = await startBroker({ logLevel: 'silent' });
  });
  afterAll(async () => {
    await broker.close();
  });

  it('waits reconnect.backoff.ms, doubling to reconnect.backoff.max.ms, and resets after a reconnect', async () => {
    const clock = new ManualClock(1_000_000);
    const cluster = new Cluster({
      bootstrapServers: broker.bootstrapServers,
      clock,
      random: () => 0.5,
      reconnectBackoffMs: 50,
      reconnectBackoffMaxMs: 400,
      logger: silentLogger,
    });
    try {
      await cluster.connect();
      await broker.cluster.stopBroker(1);
      const delays: number[] = [];
      for (let i = 0; i < 5; i++) {
        expect(cluster.connectionDelay(1)).toBe(0);
        await expect(cluster.connection(1)).rejects.toBeInstanceOf(ConnectionError);
        delays.push(cluster.connectionDelay(1));
        clock.advance(delays[i]);
      }
      expect(delays).toEqual([50, 100, 200, 400, 400]);
      expect(cluster.pool.states.failures('default/1')).toBe(5);
      await broker.cluster.startBroker(1);
      const conn = await cluster.connection(1);
      expect(conn.isReady).toBe(true);
      expect(cluster.pool.states.failures('default/1')).toBe(0);
      // A ready connection that drops starts over at the base backoff.
      const closed = new Promise((resolve) => conn.once('close', resolve));
      broker.cluster.broker(1).dropConnections();
      await closed;
      expect(cluster.connectionDelay(1)).toBe(50);
    } finally {
      await cluster.close();
    }
  });
});

describe('retry', () => {
  it('retries retriable errors only, with backoff, until success or the limit', async () => {
    let calls = 0;
    const delays: number[] = [];
    const value = await retry(
      async () => {
        calls++;
        if (calls < 3) throw new ConnectionError('flaky');
        return 'ok';
      },
      { backoffMs: 1, backoffMaxMs: 4, random: () => 0.5, onRetry: (_e, _a, d) => void delays.push(d) },
    );
    expect(value).toBe('ok');
    expect(delays).toEqual([1, 2]);
    await expect(
      retry(async () => {
        throw new TypeError('a bug');
      }),
    ).rejects.toBeInstanceOf(TypeError);
    let attempts = 0;
    await expect(
      retry(
        async () => {
          attempts++;
          throw new ConnectionError('down');
        },
        { retries: 2, backoffMs: 1 },
      ),
    ).rejects.toBeInstanceOf(ConnectionError);
    expect(attempts).toBe(3);
  });
});

describe('retry within a timeout', () => {
  it('rejects with a KafkaTimeoutError naming the operation, the last error its cause', async () => {
    const down = new ConnectionError('down');
    const error = await retry(
      async () => {
        throw down;
      },
      { timeoutMs: 30, backoffMs: 5, backoffMaxMs: 5, operation: 'CreateTopics' },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KafkaTimeoutError);
    expect((error as Error).message).toMatch(/^CreateTopics timed out after 30 ms \(last error: down/);
    expect((error as Error).cause).toBe(down);
  });

  it('does not wait for an attempt that outlives the timeout', async () => {
    const error = await retry(() => new Promise<never>(() => {}), {
      timeoutMs: 20,
      operation: 'DescribeCluster',
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KafkaTimeoutError);
    expect((error as Error).message).toBe('DescribeCluster timed out after 20 ms');
  });

  it('counts from startedAt: a call whose earlier steps used its time has only the rest', async () => {
    const clock = new ManualClock(10_000);
    const down = new ConnectionError('down');
    let attempts = 0;
    // The call began 1000 ms ago with 1000 ms to spend: one attempt, then its time is up.
    const error = await retry(
      async () => {
        attempts++;
        throw down;
      },
      { timeoutMs: 1_000, startedAt: 9_000, clock, backoffMs: 5, operation: 'listOffsets' },
    ).catch((e: unknown) => e);
    expect(attempts).toBe(1);
    expect(error).toBeInstanceOf(KafkaTimeoutError);
    expect((error as Error).message).toMatch(/^listOffsets timed out after 1000 ms \(last error: down/);
    expect((error as Error).cause).toBe(down);
  });
});

describe('ManualClock timers', () => {
  it('fire in time order when the clock reaches them, at their due time, and not once cleared', () => {
    const clock = new ManualClock(100);
    const fired: string[] = [];
    clock.setTimer(() => fired.push(`b@${clock.now()}`), 20);
    clock.setTimer(() => {
      fired.push(`a@${clock.now()}`);
      clock.setTimer(() => fired.push(`c@${clock.now()}`), 5);
    }, 10);
    const cleared = clock.setTimer(() => fired.push('never'), 15);
    clock.clearTimer(cleared);
    clock.advance(9);
    expect(fired).toEqual([]);
    clock.advance(30);
    expect(fired).toEqual(['a@110', 'c@115', 'b@120']);
    expect(clock.now()).toBe(139);
    expect(clock.pendingTimers).toBe(0);
  });
});
