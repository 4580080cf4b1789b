/**
 * Fault schedules: a list of timed actions against a cluster (stop and start brokers, move
 * leaders, drop requests or responses of an API, answer with error codes, add latency, cut a
 * broker off from its followers), written by hand as JSON or drawn from a seed, and run by
 * {@link runFaultSchedule} against a {@link Cluster} (or any {@link FaultTarget}, such as brokers
 * in child processes). `tskafka broker --faults schedule.json` runs one against the command's
 * cluster; the delivery audit (`tskafka audit`) runs one under its producers.
 *
 * @module
 */
import { ApiKey, ErrorCode, KafkaClientError, type KafkaErrorName } from '@tskafka/protocol';
import { type Clock, systemClock } from './clock.js';
import type { FaultInjector } from './faults.js';

/** An API by its Kafka name (`'Produce'`, `'Fetch'`, `'JoinGroup'`, ...). */
export type FaultApiName = keyof typeof ApiKey;

/** One action of a schedule (what {@link FaultStep} does, without its time). */
export type FaultActionSpec =
  /** Stops the broker as {@link Cluster.stopBroker} does (its port closes, leaders move). */
  | { action: 'stopBroker'; broker: number }
  /** Starts a stopped broker again on its port (and data directory). */
  | { action: 'startBroker'; broker: number }
  /** Moves the leadership of a partition to a live in-sync replica (skipped when it is not one). */
  | { action: 'moveLeader'; topic: string; partition: number; broker: number }
  /** Closes the connection on the next `count` requests of `api` instead of handling them. */
  | { action: 'dropRequests'; broker: number; api: FaultApiName; count: number }
  /** Handles the next `count` requests of `api`, then closes the connection instead of answering. */
  | { action: 'dropResponses'; broker: number; api: FaultApiName; count: number }
  /** Answers the next requests of `api` with these errors, one request each, in order. */
  | { action: 'injectErrors'; broker: number; api: FaultApiName; errors: KafkaErrorName[] }
  /** Adds `ms` of latency to each request of `api` (every API without it); 0 removes it. */
  | { action: 'latency'; broker: number; api?: FaultApiName; ms: number }
  /** Cuts the broker off from its followers and it from its leaders (replica fetches dropped). */
  | { action: 'isolate'; broker: number }
  /** Forgets the armed faults and isolation of `broker`, of every broker without it. */
  | { action: 'heal'; broker?: number };

/** One timed action: `atMs` after the schedule starts. */
export type FaultStep = FaultActionSpec & { atMs: number };

/** A fault schedule: its steps in time order, and the seed it was drawn from, if any. */
export interface FaultSchedule {
  /** The seed {@link randomFaultSchedule} drew the steps from (kept for replay and reports). */
  seed?: number;
  /** The steps, in time order. */
  steps: FaultStep[];
}

/** What a schedule acts on; a {@link Cluster} is one. */
export interface FaultTarget {
  /** The brokers, by node id (running or not). */
  readonly brokers: readonly { readonly nodeId: number }[];
  /** Stops a broker. */
  stopBroker(nodeId: number): Promise<void>;
  /** Starts a stopped broker. */
  startBroker(nodeId: number): Promise<void>;
  /** Moves a partition's leadership; throws when `nodeId` is not a live in-sync replica. */
  moveLeader(topic: string, partition: number, nodeId: number): void;
  /** The broker whose wire-level faults the other actions arm. */
  broker(nodeId: number): { readonly faults: FaultInjector };
}

/** A schedule that cannot be read: says which step and field were wrong. */
export class FaultScheduleError extends KafkaClientError {}

/** What became of one step when it ran. */
export interface FaultEvent {
  /** The step. */
  step: FaultStep;
  /** Milliseconds after the start when it ran (at or a little after `step.atMs`). */
  ranAtMs: number;
  /** `applied`, or `skipped` when it did not apply then (a stopped broker, an ineligible leader). */
  outcome: 'applied' | 'skipped';
  /** Why it was skipped. */
  reason?: string;
}

/** A schedule being run by {@link runFaultSchedule}. */
export interface FaultScheduleRun {
  /** The steps run so far. */
  readonly events: readonly FaultEvent[];
  /** Resolves with every event once the last step has run (or the run was stopped). */
  readonly done: Promise<FaultEvent[]>;
  /** Cancels the steps not yet run; resolves when the step running now has finished. */
  stop(): Promise<FaultEvent[]>;
}

/** Options of {@link runFaultSchedule}. */
export interface RunFaultScheduleOptions {
  /** Time for the steps (default the system clock); a ManualClock runs them as it advances. */
  clock?: Clock;
  /** Told of each step as it runs, e.g. to log it. */
  onEvent?: (event: FaultEvent) => void;
}

/**
 * Runs `schedule` against `target`: each step at its time, one after another (a step that takes
 * time, such as starting a broker, delays the next). A step that cannot apply is recorded as
 * skipped with its reason; the run carries on. Faults armed on a broker are forgotten when it
 * restarts, as the broker's state would be.
 */
export function runFaultSchedule(
  target: FaultTarget,
  schedule: FaultSchedule,
  opts: RunFaultScheduleOptions = {},
): FaultScheduleRun {
  const clock = opts.clock ?? systemClock;
  const start = clock.now();
  const events: FaultEvent[] = [];
  const stopped = new Set<number>();
  const isolated = new Set<number>();
  const known = new Set(target.brokers.map((b) => b.nodeId));
  let cancelled = false;
  let wakeEarly: (() => void) | null = null;

  // A step already due runs at once: a manual clock moved past several steps runs them all.
  const waitUntil = async (atMs: number) => {
    if (clock.now() >= start + atMs) return;
    await new Promise<void>((resolve) => {
      const handle = clock.setTimeout(
        () => {
          wakeEarly = null;
          resolve();
        },
        Math.max(0, start + atMs - clock.now()),
      );
      wakeEarly = () => {
        clock.clearTimeout(handle);
        resolve();
      };
    });
  };

  // Isolation is two-sided: the isolated broker drops every replica fetch, and every other
  // broker drops the ones the isolated broker sends as a follower.
  const applyIsolation = () => {
    for (const id of known) {
      if (stopped.has(id)) continue;
      const faults = target.broker(id).faults;
      faults.isolateReplicas(isolated.has(id) ? 'all' : [...isolated]);
    }
  };

  const apply = async (step: FaultStep): Promise<string | undefined> => {
    if (step.action === 'heal') {
      for (const id of step.broker === undefined ? [...known] : [step.broker]) {
        isolated.delete(id);
        if (!stopped.has(id)) target.broker(id).faults.clear();
      }
      applyIsolation();
      return undefined;
    }
    if (step.action === 'startBroker') {
      if (!stopped.has(step.broker)) return `broker ${step.broker} is running`;
      await target.startBroker(step.broker);
      stopped.delete(step.broker);
      applyIsolation();
      return undefined;
    }
    if (stopped.has(step.broker)) return `broker ${step.broker} is stopped`;
    const faults = target.broker(step.broker).faults;
    switch (step.action) {
      case 'stopBroker':
        await target.stopBroker(step.broker);
        stopped.add(step.broker);
        return undefined;
      case 'moveLeader':
        try {
          target.moveLeader(step.topic, step.partition, step.broker);
        } catch (e) {
          return (e as Error).message;
        }
        return undefined;
      case 'dropRequests':
        faults.dropNextRequests(ApiKey[step.api], step.count);
        return undefined;
      case 'dropResponses':
        faults.dropNextResponses(ApiKey[step.api], step.count);
        return undefined;
      case 'injectErrors':
        faults.pushRequestErrors(ApiKey[step.api], ...step.errors.map((n) => ErrorCode[n]));
        return undefined;
      case 'latency':
        if (step.api === undefined) faults.globalLatencyMs = step.ms;
        else faults.setLatency(ApiKey[step.api], step.ms);
        return undefined;
      case 'isolate':
        isolated.add(step.broker);
        applyIsolation();
        return undefined;
    }
  };

  const done = (async () => {
    for (const step of [...schedule.steps].sort((a, b) => a.atMs - b.atMs)) {
      await waitUntil(step.atMs);
      if (cancelled) break;
      const ranAtMs = clock.now() - start;
      const reason = await apply(step);
      const event: FaultEvent = {
        step,
        ranAtMs,
        outcome: reason === undefined ? 'applied' : 'skipped',
        ...(reason === undefined ? {} : { reason }),
      };
      events.push(event);
      opts.onEvent?.(event);
    }
    return events;
  })();

  return {
    events,
    done,
    stop() {
      cancelled = true;
      (wakeEarly as (() => void) | null)?.();
      return done;
    },
  };
}

/** Options of {@link randomFaultSchedule}. */
export interface RandomFaultScheduleOptions {
  /** The seed: the same seed and options give the same schedule. */
  seed: number;
  /** Node ids of the cluster's brokers. */
  brokers: readonly number[];
  /** The schedule's length; every fault it starts is undone by then. */
  durationMs: number;
  /** Partitions whose leaders may move. */
  partitions?: readonly { topic: string; partition: number }[];
  /** The kinds of action to draw from (default: all but `heal`, which ends every schedule). */
  actions?: readonly FaultActionSpec['action'][];
  /** The mean time between two faults (default `durationMs / 8`). */
  meanIntervalMs?: number;
}

/** The errors drawn for each API: retriable ones a correct client must ride out. */
const ERRORS_BY_API: Partial<Record<FaultApiName, KafkaErrorName[]>> = {
  Produce: ['NOT_LEADER_OR_FOLLOWER', 'NOT_ENOUGH_REPLICAS', 'REQUEST_TIMED_OUT'],
  Fetch: ['NOT_LEADER_OR_FOLLOWER', 'UNKNOWN_LEADER_EPOCH'],
  FindCoordinator: ['COORDINATOR_NOT_AVAILABLE'],
  JoinGroup: ['NOT_COORDINATOR', 'COORDINATOR_NOT_AVAILABLE'],
  SyncGroup: ['NOT_COORDINATOR', 'COORDINATOR_NOT_AVAILABLE'],
  Heartbeat: ['NOT_COORDINATOR', 'COORDINATOR_NOT_AVAILABLE'],
  OffsetCommit: ['NOT_COORDINATOR', 'COORDINATOR_LOAD_IN_PROGRESS'],
  OffsetFetch: ['NOT_COORDINATOR', 'COORDINATOR_LOAD_IN_PROGRESS'],
  AddPartitionsToTxn: ['CONCURRENT_TRANSACTIONS', 'NOT_COORDINATOR'],
  EndTxn: ['CONCURRENT_TRANSACTIONS', 'NOT_COORDINATOR'],
};
/** The APIs whose requests or responses are dropped. */
const DROPPED_APIS: FaultApiName[] = [
  'Produce',
  'Fetch',
  'Metadata',
  'FindCoordinator',
  'Heartbeat',
  'OffsetCommit',
];
const ALL_ACTIONS: FaultActionSpec['action'][] = [
  'stopBroker',
  'moveLeader',
  'dropRequests',
  'dropResponses',
  'injectErrors',
  'latency',
  'isolate',
];

/** mulberry32: a small, fast, seedable generator; plenty for drawing a schedule. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/**
 * Draws a schedule from `seed`: faults at random times (mean `meanIntervalMs` apart) over
 * `durationMs`. A stopped broker starts again, an isolation heals and latency is removed within
 * the schedule, at most one broker is down or isolated at a time (so a cluster with replication
 * factor 3 and `min.insync.replicas` 2 stays writable), and a final `heal` ends it.
 */
export function randomFaultSchedule(opts: RandomFaultScheduleOptions): FaultSchedule {
  const next = random(opts.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)];
  const mean = opts.meanIntervalMs ?? opts.durationMs / 8;
  const kinds = (opts.actions ?? ALL_ACTIONS).filter(
    (a) => a !== 'startBroker' && a !== 'heal' && (a !== 'moveLeader' || (opts.partitions?.length ?? 0) > 0),
  );
  if (opts.brokers.length === 0) throw new FaultScheduleError('randomFaultSchedule: no brokers given');
  const steps: FaultStep[] = [];
  // A broker down or isolated blocks the next such fault until this time.
  let busyUntil = 0;
  for (let t = mean * (0.5 + next()); t < opts.durationMs && kinds.length > 0; t += mean * (0.5 + next())) {
    const atMs = Math.round(t);
    const broker = pick(opts.brokers);
    const action = pick(kinds);
    const undoAt = Math.round(Math.min(opts.durationMs, atMs + mean * (0.5 + 1.5 * next())));
    switch (action) {
      case 'stopBroker':
      case 'isolate':
        if (atMs < busyUntil || (action === 'isolate' && opts.brokers.length < 2)) continue;
        // Followers need a moment to rejoin the ISR before the next broker goes.
        busyUntil = undoAt + mean / 2;
        steps.push({ atMs, action, broker });
        steps.push(
          action === 'stopBroker'
            ? { atMs: undoAt, action: 'startBroker', broker }
            : { atMs: undoAt, action: 'heal', broker },
        );
        break;
      case 'moveLeader': {
        const p = pick(opts.partitions ?? []);
        steps.push({ atMs, action, topic: p.topic, partition: p.partition, broker });
        break;
      }
      case 'dropRequests':
      case 'dropResponses': {
        const count = 1 + Math.floor(next() * 3);
        steps.push({ atMs, action, broker, api: pick(DROPPED_APIS), count } as FaultStep);
        break;
      }
      case 'injectErrors': {
        const api = pick(Object.keys(ERRORS_BY_API) as FaultApiName[]);
        const errors = Array.from({ length: 1 + Math.floor(next() * 3) }, () =>
          pick(ERRORS_BY_API[api] ?? []),
        );
        steps.push({ atMs, action, broker, api, errors });
        break;
      }
      case 'latency':
        steps.push({ atMs, action, broker, ms: 20 + Math.floor(next() * 200) });
        steps.push({ atMs: undoAt, action, broker, ms: 0 });
        break;
    }
  }
  steps.push({ atMs: opts.durationMs, action: 'heal' });
  steps.sort((a, b) => a.atMs - b.atMs);
  return { seed: opts.seed, steps };
}

const FIELDS: Record<FaultActionSpec['action'], Record<string, 'int' | 'string' | 'api' | 'errors'>> = {
  stopBroker: { broker: 'int' },
  startBroker: { broker: 'int' },
  moveLeader: { topic: 'string', partition: 'int', broker: 'int' },
  dropRequests: { broker: 'int', api: 'api', count: 'int' },
  dropResponses: { broker: 'int', api: 'api', count: 'int' },
  injectErrors: { broker: 'int', api: 'api', errors: 'errors' },
  latency: { broker: 'int', api: 'api', ms: 'int' },
  isolate: { broker: 'int' },
  heal: { broker: 'int' },
};
/** Fields a step of this kind may leave out. */
const OPTIONAL = new Set(['latency.api', 'heal.broker']);

/**
 * Reads a schedule from parsed JSON: `{ "steps": [{ "atMs": 1000, "action": "stopBroker",
 * "broker": 2 }, ...] }`, or `{ "seed": 7, "durationMs": 20000 }` (with `brokers`, and optionally
 * `partitions`, `actions` and `meanIntervalMs`, as in {@link RandomFaultScheduleOptions}) for a
 * drawn one; `defaults` fills in what the file leaves out (the command's brokers). Throws a
 * {@link FaultScheduleError} naming the step and field that are wrong.
 */
export function parseFaultSchedule(
  json: unknown,
  defaults: Partial<RandomFaultScheduleOptions> = {},
): FaultSchedule {
  if (typeof json !== 'object' || json === null)
    throw new FaultScheduleError('fault schedule: expected a JSON object');
  const o = json as Record<string, unknown>;
  if (!('steps' in o)) {
    const opts = { ...defaults, ...o } as RandomFaultScheduleOptions;
    for (const k of ['seed', 'durationMs'] as const)
      if (!Number.isInteger(opts[k]))
        throw new FaultScheduleError(`fault schedule: "${k}" must be an integer`);
    if (!Array.isArray(opts.brokers))
      throw new FaultScheduleError('fault schedule: "brokers" must be a list of node ids');
    for (const a of opts.actions ?? [])
      if (!(a in FIELDS)) throw new FaultScheduleError(`fault schedule: unknown action "${a}" in "actions"`);
    return randomFaultSchedule(opts);
  }
  if (!Array.isArray(o.steps)) throw new FaultScheduleError('fault schedule: "steps" must be a list');
  const steps = o.steps.map((raw: unknown, i) => {
    const where = `fault schedule step ${i}`;
    if (typeof raw !== 'object' || raw === null) throw new FaultScheduleError(`${where}: expected an object`);
    const step = raw as Record<string, unknown>;
    const fields = FIELDS[step.action as FaultActionSpec['action']];
    if (!fields)
      throw new FaultScheduleError(
        `${where}: unknown action ${JSON.stringify(step.action)} (one of ${Object.keys(FIELDS).join(', ')})`,
      );
    if (!Number.isInteger(step.atMs) || (step.atMs as number) < 0)
      throw new FaultScheduleError(`${where}: "atMs" must be a non-negative integer`);
    for (const [name, kind] of Object.entries(fields)) {
      const v = step[name];
      if (v === undefined && OPTIONAL.has(`${step.action}.${name}`)) continue;
      const ok =
        kind === 'int'
          ? Number.isInteger(v)
          : kind === 'string'
            ? typeof v === 'string'
            : kind === 'api'
              ? typeof v === 'string' && Object.hasOwn(ApiKey, v)
              : Array.isArray(v) && v.every((e) => typeof e === 'string' && Object.hasOwn(ErrorCode, e));
      if (!ok) {
        const expected = { int: 'an integer', string: 'a string', api: 'an API name such as "Produce"' }[
          kind as 'int'
        ];
        throw new FaultScheduleError(
          `${where} (${String(step.action)}): "${name}" must be ${expected ?? 'a list of Kafka error names such as "NOT_LEADER_OR_FOLLOWER"'}`,
        );
      }
    }
    return step as FaultStep;
  });
  return { ...(Number.isInteger(o.seed) ? { seed: o.seed as number } : {}), steps };
}
