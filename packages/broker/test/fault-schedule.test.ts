/**
 * Fault schedules: drawn from a seed (the same seed gives the same schedule, every fault is undone
 * within it, at most one broker down or isolated at a time), read from JSON with errors that name
 * the step and field, and run against a real cluster: brokers stop and start at their times, armed
 * faults reach the wire, an ineligible leader move is skipped with its reason, and an isolated
 * leader loses its followers from the ISR until healed.
 */
import { ApiKey, ErrorCode } from '@tskafka/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { type Cluster, startCluster } from '../src/broker.js';
import { ManualClock } from '../src/clock.js';
import {
  FaultScheduleError,
  parseFaultSchedule,
  randomFaultSchedule,
  runFaultSchedule,
} from '../src/fault-schedule.js';

const clusters: Cluster[] = [];
afterEach(async () => {
  for (const c of clusters.splice(0)) await c.close();
});

async function waitFor(what: string, cond: () => boolean): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('randomFaultSchedule', () => {
  const opts = {
    brokers: [1, 2, 3],
    durationMs: 20_000,
    partitions: [{ topic: 't', partition: 0 }],
    meanIntervalMs: 800,
  };

  it('gives the same schedule for the same seed and another for another seed', () => {
    expect(randomFaultSchedule({ ...opts, seed: 7 })).toEqual(randomFaultSchedule({ ...opts, seed: 7 }));
    expect(randomFaultSchedule({ ...opts, seed: 7 }).steps).not.toEqual(
      randomFaultSchedule({ ...opts, seed: 8 }).steps,
    );
  });

  it('undoes every fault within the schedule, with at most one broker down or isolated at a time', () => {
    for (let seed = 1; seed <= 50; seed++) {
      const { steps } = randomFaultSchedule({ ...opts, seed });
      expect(steps.at(-1)).toEqual({ atMs: 20_000, action: 'heal' });
      let down: number | null = null;
      let isolated: number | null = null;
      const latency = new Map<number, number>();
      for (const s of steps) {
        expect(s.atMs).toBeLessThanOrEqual(20_000);
        if (s.action === 'stopBroker' || s.action === 'isolate') {
          expect(down).toBeNull();
          expect(isolated).toBeNull();
        }
        if (s.action === 'stopBroker') down = s.broker;
        if (s.action === 'startBroker') {
          expect(s.broker).toBe(down);
          down = null;
        }
        if (s.action === 'isolate') isolated = s.broker;
        if (s.action === 'heal' && s.broker !== undefined && s.broker === isolated) isolated = null;
        if (s.action === 'latency') latency.set(s.broker, s.ms);
      }
      expect(down).toBeNull();
      expect(isolated).toBeNull();
      expect([...latency.values()].every((ms) => ms === 0)).toBe(true);
    }
  });

  it('draws only the actions asked for', () => {
    const { steps } = randomFaultSchedule({ ...opts, seed: 3, actions: ['moveLeader'] });
    expect(new Set(steps.map((s) => s.action))).toEqual(new Set(['moveLeader', 'heal']));
  });
});

describe('parseFaultSchedule', () => {
  it('reads back a schedule written as JSON, and draws one from a seed', () => {
    const drawn = randomFaultSchedule({ seed: 11, brokers: [1, 2, 3], durationMs: 5000 });
    expect(parseFaultSchedule(JSON.parse(JSON.stringify(drawn)))).toEqual(drawn);
    expect(parseFaultSchedule({ seed: 11, durationMs: 5000 }, { brokers: [1, 2, 3] })).toEqual(drawn);
  });

  it('names the step and field that are wrong', () => {
    const bad = (steps: unknown[]) => () => parseFaultSchedule({ steps });
    expect(bad([{ atMs: 0, action: 'explode', broker: 1 }])).toThrow(/step 0: unknown action "explode"/);
    expect(
      bad([
        { atMs: 0, action: 'stopBroker', broker: 1 },
        { atMs: 5, action: 'dropRequests', broker: 1, api: 'Produse', count: 1 },
      ]),
    ).toThrow(/step 1 \(dropRequests\): "api" must be an API name/);
    expect(bad([{ atMs: 0, action: 'injectErrors', broker: 1, api: 'Produce', errors: ['NOPE'] }])).toThrow(
      FaultScheduleError,
    );
    expect(bad([{ atMs: -1, action: 'heal' }])).toThrow(/"atMs" must be a non-negative integer/);
    expect(() => parseFaultSchedule({ durationMs: 100 }, { brokers: [1] })).toThrow(
      /"seed" must be an integer/,
    );
  });
});

describe('runFaultSchedule', () => {
  it('runs each step at its time on the clock: stops, starts, arms faults, skips what cannot apply', async () => {
    const clock = new ManualClock(0);
    const cluster = await startCluster({ brokers: 3, clock, logLevel: 'silent' });
    clusters.push(cluster);
    cluster.metadata.createTopic('t', { numPartitions: 1, replicationFactor: 1, assignments: [[1]] });
    const run = runFaultSchedule(
      cluster,
      {
        steps: [
          { atMs: 100, action: 'stopBroker', broker: 2 },
          {
            atMs: 150,
            action: 'injectErrors',
            broker: 2,
            api: 'Produce',
            errors: ['NOT_LEADER_OR_FOLLOWER'],
          },
          {
            atMs: 200,
            action: 'injectErrors',
            broker: 1,
            api: 'Produce',
            errors: ['NOT_ENOUGH_REPLICAS', 'REQUEST_TIMED_OUT'],
          },
          { atMs: 250, action: 'moveLeader', topic: 't', partition: 0, broker: 3 },
          { atMs: 300, action: 'startBroker', broker: 2 },
          { atMs: 400, action: 'heal' },
        ],
      },
      { clock },
    );
    clock.advance(99);
    await new Promise((r) => setTimeout(r, 20));
    expect(run.events).toEqual([]);
    clock.advance(1);
    await waitFor('broker 2 stopped', () => run.events.length === 1);
    expect(cluster.metadata.aliveBrokers().map((b) => b.nodeId)).toEqual([1, 3]);
    clock.advance(150);
    await waitFor('the leader move ran', () => run.events.length === 4);
    expect(run.events.map((e) => e.outcome)).toEqual(['applied', 'skipped', 'applied', 'skipped']);
    expect(run.events[1].reason).toBe('broker 2 is stopped');
    expect(run.events[3].reason).toMatch(/3/);
    expect(cluster.metadata.topics.get('t')?.partitions[0].leader).toBe(1);
    expect(cluster.broker(1).faults.pendingCount(ApiKey.Produce)).toBe(2);
    expect(cluster.broker(1).faults.next(ApiKey.Produce)).toEqual({
      errorCode: ErrorCode.NOT_ENOUGH_REPLICAS,
    });
    clock.advance(50);
    await waitFor('broker 2 started', () => run.events.length === 5);
    expect(cluster.metadata.aliveBrokers().map((b) => b.nodeId)).toEqual([1, 2, 3]);
    clock.advance(100);
    const events = await run.done;
    expect(events.at(-1)?.step.action).toBe('heal');
    expect(cluster.broker(1).faults.pendingCount(ApiKey.Produce)).toBe(0);
    // Steps that fell due while the clock jumped run when it lands, in order.
    expect(events.map((e) => e.ranAtMs)).toEqual([100, 250, 250, 250, 300, 400]);
  });

  it('stop() cancels the steps not yet run', async () => {
    const clock = new ManualClock(0);
    const cluster = await startCluster({ brokers: 1, clock, logLevel: 'silent' });
    clusters.push(cluster);
    const run = runFaultSchedule(
      cluster,
      { steps: [{ atMs: 1000, action: 'stopBroker', broker: 1 }] },
      { clock },
    );
    expect(await run.stop()).toEqual([]);
    clock.advance(2000);
    expect(cluster.metadata.aliveBrokers().map((b) => b.nodeId)).toEqual([1]);
  });

  it('isolate cuts a leader off from its followers, which leave its ISR, and heal brings them back', async () => {
    const cluster = await startCluster({
      brokers: 3,
      logLevel: 'silent',
      config: { 'replica.lag.time.max.ms': 300, 'replica.fetch.backoff.ms': 50 },
    });
    clusters.push(cluster);
    cluster.metadata.createTopic('iso', { numPartitions: 1, replicationFactor: 3, assignments: [[1, 2, 3]] });
    const isr = () => cluster.metadata.topics.get('iso')?.partitions[0].isr.slice().sort() ?? [];
    await waitFor('a full ISR', () => isr().length === 3);
    const run = runFaultSchedule(cluster, {
      steps: [
        { atMs: 0, action: 'isolate', broker: 1 },
        { atMs: 1500, action: 'heal', broker: 1 },
      ],
    });
    await waitFor('the followers to leave the ISR', () => isr().length === 1);
    expect(isr()).toEqual([1]);
    expect(cluster.broker(2).faults.isIsolatedFrom(1)).toBe(true);
    expect(cluster.broker(2).faults.isIsolatedFrom(3)).toBe(false);
    await run.done;
    await waitFor('the followers to rejoin', () => isr().length === 3);
    expect(cluster.broker(1).faults.isIsolatedFrom(2)).toBe(false);
  });
});
