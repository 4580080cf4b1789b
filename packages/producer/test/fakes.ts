/**
 * Test doubles for the accumulator and sender tests: a manual clock with timers, scripted
 * metadata and network, and a model of a partition leader's log that enforces the idempotent
 * producer's sequence rules, so tests can check "written once, in order".
 */
import { readRecordBatchHeader } from '@tskafka/protocol/internals';
import type { TimerClock, TimerHandle } from '../src/buffer-pool.js';
import type { ProducerIdAndEpoch } from '../src/idempotence.js';
import type {
  ProducePartitionResponse,
  ProduceRequestData,
  ProduceResponseData,
  SenderIo,
  SenderMetadata,
} from '../src/sender.js';

interface Timer {
  due: number;
  seq: number;
  callback: () => void;
  cancelled: boolean;
}

/** Lets promise callbacks run (a real event-loop turn; no time passes on the manual clock). */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** A clock whose time and timers move only when the test says so. */
export class ManualClock implements TimerClock {
  private time: number;
  private seq = 0;
  private timers: Timer[] = [];

  constructor(start = 1_000_000) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimer(callback: () => void, delayMs: number): TimerHandle {
    const t: Timer = { due: this.time + Math.max(0, delayMs), seq: this.seq++, callback, cancelled: false };
    this.timers.push(t);
    return t;
  }

  clearTimer(handle: TimerHandle): void {
    (handle as Timer).cancelled = true;
  }

  /** Timers not cancelled nor fired. */
  get pending(): number {
    return this.timers.filter((t) => !t.cancelled).length;
  }

  /**
   * Moves time forward by `ms`, firing each due timer at its due time, in order, and letting
   * promise callbacks run between timers (so responses and wakeups interleave as they would).
   */
  async advance(ms: number): Promise<void> {
    const target = this.time + ms;
    await settle();
    for (;;) {
      this.timers = this.timers.filter((t) => !t.cancelled);
      let next: Timer | undefined;
      for (const t of this.timers) {
        if (
          t.due <= target &&
          (next === undefined || t.due < next.due || (t.due === next.due && t.seq < next.seq))
        ) {
          next = t;
        }
      }
      if (next === undefined) break;
      this.time = Math.max(this.time, next.due);
      next.cancelled = true;
      next.callback();
      await settle();
    }
    this.time = target;
    await settle();
  }

  /** Fires what is due now (wakeups), letting promises settle in between. */
  tick(): Promise<void> {
    return this.advance(0);
  }
}

/** Leaders by `topic-partition`; counts metadata refresh requests. */
export class FakeMetadata implements SenderMetadata {
  readonly leaders = new Map<string, number>();
  updates = 0;

  constructor(leaders: Record<string, number> = {}) {
    for (const [k, v] of Object.entries(leaders)) this.leaders.set(k, v);
  }

  leaderFor(topic: string, partition: number): number | undefined {
    return this.leaders.get(`${topic}-${partition}`);
  }

  requestUpdate(): void {
    this.updates++;
  }

  set(topic: string, partition: number, leader: number | undefined): void {
    if (leader === undefined) this.leaders.delete(`${topic}-${partition}`);
    else this.leaders.set(`${topic}-${partition}`, leader);
  }
}

/** One produce request seen by {@link ScriptedIo}, answered by the test. */
export interface SentRequest {
  nodeId: number;
  request: ProduceRequestData;
  expectResponse: boolean;
  resolve(response: ProduceResponseData | null): void;
  reject(error: unknown): void;
}

/** A network whose requests wait until the test answers them, or a handler answers at once. */
export class ScriptedIo implements SenderIo {
  readonly sent: SentRequest[] = [];
  readonly inits: {
    current: ProducerIdAndEpoch;
    resolve(r: ProducerIdAndEpoch): void;
    reject(e: unknown): void;
  }[] = [];
  /** Nodes not ready (disconnected). */
  readonly down = new Set<number>();
  /** In flight per node. */
  readonly inFlight = new Map<number, number>();
  maxInFlight = 5;
  /** If set, answers each request right away (synchronously computed, delivered as a promise). */
  handler: ((nodeId: number, request: ProduceRequestData) => ProduceResponseData | Error) | null = null;
  /** If set, answers InitProducerId right away. */
  initHandler: ((current: ProducerIdAndEpoch) => ProducerIdAndEpoch | Error) | null = null;

  isReady(nodeId: number): boolean {
    return !this.down.has(nodeId) && (this.inFlight.get(nodeId) ?? 0) < this.maxInFlight;
  }

  send(
    nodeId: number,
    request: ProduceRequestData,
    expectResponse: boolean,
  ): Promise<ProduceResponseData | null> {
    this.inFlight.set(nodeId, (this.inFlight.get(nodeId) ?? 0) + 1);
    const done = <T>(v: T): T => {
      this.inFlight.set(nodeId, (this.inFlight.get(nodeId) ?? 1) - 1);
      return v;
    };
    return new Promise<ProduceResponseData | null>((resolve, reject) => {
      const entry: SentRequest = {
        nodeId,
        request: onTheWire(request),
        expectResponse,
        resolve: (r) => resolve(done(r)),
        reject: (e) => reject(done(e)),
      };
      this.sent.push(entry);
      if (this.handler !== null) {
        const out = this.handler(nodeId, entry.request);
        if (out instanceof Error) entry.reject(out);
        else entry.resolve(expectResponse ? out : null);
      }
    });
  }

  initProducerId(current: ProducerIdAndEpoch): Promise<ProducerIdAndEpoch> {
    return new Promise((resolve, reject) => {
      this.inits.push({ current, resolve, reject });
      if (this.initHandler !== null) {
        const out = this.initHandler(current);
        if (out instanceof Error) reject(out);
        else resolve(out);
      }
    });
  }
}

/**
 * `request` as a broker receives it: with copies of the batches, as a socket copies them when it
 * writes. The producer reuses a batch's buffer once its request is answered, so a test that
 * keeps the bytes it was sent must not keep the producer's own.
 */
function onTheWire(request: ProduceRequestData): ProduceRequestData {
  return {
    ...request,
    topicData: request.topicData.map((t) => ({
      name: t.name,
      partitionData: t.partitionData.map((p) => ({ index: p.index, records: Buffer.from(p.records) })),
    })),
  };
}

/** The batches of a request as `[topic, partition, bytes]`. */
export function batchesOf(
  request: ProduceRequestData,
): { topic: string; partition: number; records: Buffer }[] {
  return request.topicData.flatMap((t) =>
    t.partitionData.map((p) => ({ topic: t.name, partition: p.index, records: p.records })),
  );
}

/** A response giving every partition of `request` the same error code (0: success at offset `baseOffset`). */
export function responseFor(
  request: ProduceRequestData,
  errorCode = 0,
  baseOffset = 0,
  extra: Partial<ProducePartitionResponse> = {},
): ProduceResponseData {
  return {
    responses: request.topicData.map((t) => ({
      name: t.name,
      partitionResponses: t.partitionData.map((p) => ({
        index: p.index,
        errorCode,
        baseOffset: errorCode === 0 ? baseOffset : -1,
        logAppendTimeMs: -1,
        ...extra,
      })),
    })),
  };
}

interface ProducerEntry {
  producerId: number;
  epoch: number;
  lastSeq: number;
  /** The last five batches: first sequence, last sequence, base offset (for duplicates). */
  recent: { first: number; last: number; offset: number }[];
}

/** One batch as the log keeps it. */
export interface LoggedBatch {
  producerId: number;
  epoch: number;
  baseSequence: number;
  count: number;
  offset: number;
  bytes: Buffer;
}

/**
 * A partition leader's log with the broker's idempotence checks (Kafka's ProducerStateManager,
 * simplified): a new epoch must start at sequence 0, a duplicate of one of the last five batches
 * gets its original offset back, any other gap is OUT_OF_ORDER_SEQUENCE_NUMBER, an unknown
 * producer with a non-zero sequence is UNKNOWN_PRODUCER_ID.
 */
export class FakeLog {
  readonly batches: LoggedBatch[] = [];
  private nextOffset = 0;
  private readonly producers = new Map<number, ProducerEntry>();

  /** Appends `bytes` (one batch) or returns the error code the broker would. */
  append(bytes: Buffer): { errorCode: number; baseOffset: number } {
    const h = readRecordBatchHeader(bytes);
    const count = h.recordCount;
    if (h.producerId >= 0) {
      const p = this.producers.get(h.producerId);
      if (p === undefined) {
        if (h.baseSequence !== 0) return { errorCode: 59, baseOffset: -1 }; // UNKNOWN_PRODUCER_ID
      } else if (h.producerEpoch < p.epoch) {
        return { errorCode: 47, baseOffset: -1 }; // INVALID_PRODUCER_EPOCH
      } else if (h.producerEpoch > p.epoch) {
        if (h.baseSequence !== 0) return { errorCode: 45, baseOffset: -1 };
      } else {
        const dup = p.recent.find((r) => r.first === h.baseSequence);
        if (dup !== undefined) return { errorCode: 0, baseOffset: dup.offset };
        if (h.baseSequence !== p.lastSeq + 1) return { errorCode: 45, baseOffset: -1 }; // OUT_OF_ORDER
      }
      const entry: ProducerEntry =
        p === undefined || h.producerEpoch > p.epoch
          ? { producerId: h.producerId, epoch: h.producerEpoch, lastSeq: -1, recent: [] }
          : p;
      entry.lastSeq = h.baseSequence + count - 1;
      entry.recent.push({ first: h.baseSequence, last: entry.lastSeq, offset: this.nextOffset });
      if (entry.recent.length > 5) entry.recent.shift();
      this.producers.set(h.producerId, entry);
    }
    const offset = this.nextOffset;
    this.batches.push({
      producerId: h.producerId,
      epoch: h.producerEpoch,
      baseSequence: h.baseSequence,
      count,
      offset,
      bytes,
    });
    this.nextOffset += count;
    return { errorCode: 0, baseOffset: offset };
  }

  /** Forgets every producer (as when retention removes their batches). */
  forgetProducers(): void {
    this.producers.clear();
  }
}

/** Logs for several partitions, answering whole requests. */
export class FakeCluster {
  readonly logs = new Map<string, FakeLog>();

  log(topic: string, partition: number): FakeLog {
    const key = `${topic}-${partition}`;
    let log = this.logs.get(key);
    if (log === undefined) {
      log = new FakeLog();
      this.logs.set(key, log);
    }
    return log;
  }

  /**
   * Answers `request`; `fault(topic, partition)` may return an error code to answer instead of
   * appending (the batch is not written).
   */
  handle(request: ProduceRequestData, fault?: (topic: string, partition: number) => number | undefined) {
    return {
      responses: request.topicData.map((t) => ({
        name: t.name,
        partitionResponses: t.partitionData.map((p) => {
          const injected = fault?.(t.name, p.index);
          if (injected !== undefined && injected !== 0) {
            return { index: p.index, errorCode: injected, baseOffset: -1, logAppendTimeMs: -1 };
          }
          const r = this.log(t.name, p.index).append(p.records);
          return { index: p.index, errorCode: r.errorCode, baseOffset: r.baseOffset, logAppendTimeMs: -1 };
        }),
      })),
    };
  }
}
