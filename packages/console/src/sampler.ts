/**
 * The console's sampler: every `sampleIntervalMs` it reads each partition's log start and end and
 * each group's committed offsets through the admin client, keeps the last snapshot for the pages
 * (sizes, lag), and keeps an hour of per-topic and per-group history for the charts. Rates are
 * offset deltas between samples: messages in from log ends, messages out from committed offsets.
 */
import type { Admin, AdminTopicPartition } from '@tskafka/admin';
import type { Logger } from '@tskafka/transport';

/** One point of a topic's history. */
interface TopicPoint {
  /** Sample time, ms since the epoch. */
  t: number;
  /** Sum of the partitions' log end offsets. */
  end: number;
  /** Sum over groups of the committed offsets on this topic. */
  committed: number;
}

/** One point of a group's history. */
interface GroupPoint {
  t: number;
  /** Total lag over the partitions the group has committed offsets for. */
  lag: number;
  /** Sum of its committed offsets. */
  committed: number;
}

/** A series for a chart: times in seconds (uPlot's x axis) and one or more value columns. */
export interface Series {
  /** Sample times, seconds since the epoch. */
  t: number[];
  /** Named value columns, each as long as `t`; null where a rate has no previous sample. */
  values: Record<string, (number | null)[]>;
}

/** The last snapshot of offsets. */
export interface OffsetSnapshot {
  /** When it was taken, ms since the epoch; 0 before the first sample. */
  at: number;
  /** Log end offsets by `topic\0partition`. */
  ends: Map<string, number>;
  /** Log start offsets by `topic\0partition`. */
  starts: Map<string, number>;
  /** Per group: committed offsets by `topic\0partition`. */
  committed: Map<string, Map<string, number>>;
  /** Bytes of each topic's leader replicas (DescribeLogDirs); empty when the brokers do not answer it. */
  sizes: Map<string, number>;
}

/** Requests a broker has handled so far, by API (what an in-process reference broker reports). */
export interface BrokerRequestSample {
  /** The broker. */
  readonly nodeId: number;
  /** The API name, e.g. `Produce`. */
  readonly api: string;
  /** Requests handled so far. */
  readonly count: number;
}

/** Brokers' request rates from the last two samples (`GET /api/broker-requests`). */
export interface BrokerRequestRates {
  /** Whether the console can see the brokers' own counts (an in-process reference cluster). */
  available: boolean;
  /** Requests per second by API, busiest first. */
  byApi: { api: string; perSec: number }[];
  /** Requests per second by broker. */
  byBroker: { nodeId: number; perSec: number }[];
}

/** The key of a partition in the snapshot maps. */
export function tpKey(topic: string, partition: number): string {
  return `${topic}\0${partition}`;
}

/** Samples offsets on a timer and keeps the history the charts draw. */
export class Sampler {
  private readonly admin: Admin;
  private readonly intervalMs: number;
  private readonly historyMs: number;
  private readonly logger: Logger;
  private readonly topics = new Map<string, TopicPoint[]>();
  private readonly groups = new Map<string, GroupPoint[]>();
  private readonly cluster: { t: number; end: number; committed: number }[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly brokerRequests: (() => readonly BrokerRequestSample[]) | undefined;
  private lastRequests: { t: number; counts: readonly BrokerRequestSample[] } | undefined;
  private requestRates: BrokerRequestRates = { available: false, byApi: [], byBroker: [] };
  private readonly requestSeries: { t: number; perSec: number }[] = [];
  private running: Promise<void> | undefined;
  /** The last snapshot. */
  snapshot: OffsetSnapshot = {
    at: 0,
    ends: new Map(),
    starts: new Map(),
    committed: new Map(),
    sizes: new Map(),
  };

  constructor(
    admin: Admin,
    intervalMs: number,
    historyMs: number,
    logger: Logger,
    brokerRequests?: () => readonly BrokerRequestSample[],
  ) {
    this.admin = admin;
    this.brokerRequests = brokerRequests;
    if (brokerRequests !== undefined) this.requestRates = { available: true, byApi: [], byBroker: [] };
    this.intervalMs = intervalMs;
    this.historyMs = historyMs;
    this.logger = logger;
  }

  /** Starts sampling: one sample now, then one per interval. */
  start(): void {
    void this.sample();
    this.timer = setInterval(() => void this.sample(), this.intervalMs);
    this.timer.unref();
  }

  /** Stops sampling and waits for a sample in progress. */
  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** Takes a sample now (or waits for the one in progress); a failed sample is logged, not thrown. */
  sample(): Promise<void> {
    this.running ??= this.takeSample()
      .catch((e: unknown) => this.logger.warn(`console: sampling offsets failed: ${(e as Error).message}`))
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }

  private async takeSample(): Promise<void> {
    const t = Date.now();
    this.sampleRequests(t);
    const described = await this.admin.describeTopics();
    const partitions: AdminTopicPartition[] = [];
    for (const d of described)
      for (const p of d.partitions) partitions.push({ topic: d.name, partition: p.partition });
    const [ends, starts] = await Promise.all([
      partitions.length === 0 ? [] : this.admin.listOffsets(partitions, 'latest'),
      partitions.length === 0 ? [] : this.admin.listOffsets(partitions, 'earliest'),
    ]);
    const snapshot: OffsetSnapshot = {
      at: t,
      ends: new Map(),
      starts: new Map(),
      committed: new Map(),
      sizes: await this.topicSizes(described),
    };
    for (const o of ends) snapshot.ends.set(tpKey(o.topic, o.partition), o.offset);
    for (const o of starts) snapshot.starts.set(tpKey(o.topic, o.partition), o.offset);
    const groups = await this.admin.listGroups();
    for (const g of groups) {
      const offsets = await this.admin.listConsumerGroupOffsets(g.groupId).catch((e: unknown) => {
        this.logger.warn(`console: offsets of group "${g.groupId}": ${(e as Error).message}`);
        return [];
      });
      const m = new Map<string, number>();
      for (const o of offsets) if (o.offset >= 0) m.set(tpKey(o.topic, o.partition), o.offset);
      snapshot.committed.set(g.groupId, m);
    }
    this.snapshot = snapshot;
    this.record(
      t,
      described.map((d) => d.name),
      snapshot,
    );
  }

  /** Bytes of each topic's leader replicas, from every broker's log dirs; empty if unsupported. */
  private async topicSizes(
    described: { name: string; partitions: { partition: number; leader: number }[] }[],
  ): Promise<Map<string, number>> {
    const sizes = new Map<string, number>();
    const dirs = await this.admin.describeLogDirs().catch(() => []);
    const leaderOf = new Map<string, number>();
    for (const d of described)
      for (const p of d.partitions) leaderOf.set(tpKey(d.name, p.partition), p.leader);
    for (const dir of dirs)
      for (const r of dir.replicas)
        if (!r.isFuture && leaderOf.get(tpKey(r.topic, r.partition)) === dir.brokerId)
          sizes.set(r.topic, (sizes.get(r.topic) ?? 0) + r.size);
    return sizes;
  }

  /** Appends this sample's points to the histories and drops what is older than the window. */
  private record(t: number, topicNames: string[], s: OffsetSnapshot): void {
    const endByTopic = new Map<string, number>();
    const committedByTopic = new Map<string, number>();
    for (const name of topicNames) endByTopic.set(name, 0);
    for (const [k, v] of s.ends) {
      const topic = k.slice(0, k.indexOf('\0'));
      endByTopic.set(topic, (endByTopic.get(topic) ?? 0) + v);
    }
    for (const [group, offsets] of s.committed) {
      let lag = 0;
      let committed = 0;
      for (const [k, v] of offsets) {
        const topic = k.slice(0, k.indexOf('\0'));
        committedByTopic.set(topic, (committedByTopic.get(topic) ?? 0) + v);
        committed += v;
        const end = s.ends.get(k);
        if (end !== undefined) lag += Math.max(0, end - v);
      }
      push(this.groups, group, { t, lag, committed });
    }
    let clusterEnd = 0;
    let clusterCommitted = 0;
    for (const [topic, end] of endByTopic) {
      const committed = committedByTopic.get(topic) ?? 0;
      if (!topic.startsWith('__')) {
        clusterEnd += end;
        clusterCommitted += committed;
      }
      push(this.topics, topic, { t, end, committed });
    }
    this.cluster.push({ t, end: clusterEnd, committed: clusterCommitted });
    const cutoff = t - this.historyMs;
    for (const map of [this.topics, this.groups] as Map<string, { t: number }[]>[])
      for (const [key, points] of map) {
        trim(points, cutoff);
        if (points.length === 0) map.delete(key);
      }
    trim(this.cluster, cutoff);
  }

  /** Turns the brokers' request counts into rates since the previous sample. */
  private sampleRequests(t: number): void {
    if (this.brokerRequests === undefined) return;
    const counts = this.brokerRequests();
    const prev = this.lastRequests;
    this.lastRequests = { t, counts };
    if (prev === undefined || t <= prev.t) return;
    const dt = (t - prev.t) / 1000;
    const before = new Map(prev.counts.map((c) => [`${c.nodeId}\0${c.api}`, c.count]));
    const byApi = new Map<string, number>();
    const byBroker = new Map<number, number>();
    let total = 0;
    for (const c of counts) {
      const delta = Math.max(0, c.count - (before.get(`${c.nodeId}\0${c.api}`) ?? 0));
      byApi.set(c.api, (byApi.get(c.api) ?? 0) + delta / dt);
      byBroker.set(c.nodeId, (byBroker.get(c.nodeId) ?? 0) + delta / dt);
      total += delta / dt;
    }
    this.requestRates = {
      available: true,
      byApi: [...byApi].map(([api, perSec]) => ({ api, perSec })).sort((a, b) => b.perSec - a.perSec),
      byBroker: [...byBroker]
        .map(([nodeId, perSec]) => ({ nodeId, perSec }))
        .sort((a, b) => a.nodeId - b.nodeId),
    };
    this.requestSeries.push({ t, perSec: total });
    trim(this.requestSeries, t - this.historyMs);
  }

  /** The brokers' request rates from the last two samples. */
  brokerRequestRates(): BrokerRequestRates {
    return this.requestRates;
  }

  /** Requests per second handled by all brokers, over the window. */
  brokerRequestSeries(): Series {
    return {
      t: this.requestSeries.map((p) => p.t / 1000),
      values: { requests: this.requestSeries.map((p) => p.perSec) },
    };
  }

  /** Messages in and out per second of a topic over the window. */
  topicSeries(topic: string): Series {
    return rateSeries(this.topics.get(topic) ?? [], { in: (p) => p.end, out: (p) => p.committed });
  }

  /** Messages in and out per second of the whole cluster (internal topics left out). */
  clusterSeries(): Series {
    return rateSeries(this.cluster, { in: (p) => p.end, out: (p) => p.committed });
  }

  /** The latest rates of a topic (messages/s in and out), null before two samples. */
  topicRates(topic: string): { in: number | null; out: number | null } {
    return lastRates(this.topics.get(topic) ?? []);
  }

  /** The latest cluster-wide rates. */
  clusterRates(): { in: number | null; out: number | null } {
    return lastRates(this.cluster);
  }

  /** A group's total lag over the window. */
  groupSeries(group: string): Series {
    const points = this.groups.get(group) ?? [];
    return { t: points.map((p) => p.t / 1000), values: { lag: points.map((p) => p.lag) } };
  }
}

function push<P>(map: Map<string, P[]>, key: string, point: P): void {
  const points = map.get(key);
  if (points === undefined) map.set(key, [point]);
  else points.push(point);
}

function trim(points: { t: number }[], cutoff: number): void {
  let drop = 0;
  while (drop < points.length && (points[drop]?.t ?? 0) < cutoff) drop++;
  if (drop > 0) points.splice(0, drop);
}

/** Per-second deltas of counters; a counter that went down (a deleted topic, a reset) gives 0. */
function rateSeries<P extends { t: number }>(points: P[], columns: Record<string, (p: P) => number>): Series {
  const values: Record<string, (number | null)[]> = {};
  for (const [name, get] of Object.entries(columns)) {
    values[name] = points.map((p, i) => {
      const prev = points[i - 1];
      if (prev === undefined) return null;
      const dt = (p.t - prev.t) / 1000;
      return dt > 0 ? Math.max(0, get(p) - get(prev)) / dt : null;
    });
  }
  return { t: points.map((p) => p.t / 1000), values };
}

function lastRates(points: { t: number; end: number; committed: number }[]): {
  in: number | null;
  out: number | null;
} {
  const s = rateSeries(points.slice(-2), { in: (p) => p.end, out: (p) => p.committed });
  return { in: s.values.in?.at(-1) ?? null, out: s.values.out?.at(-1) ?? null };
}
