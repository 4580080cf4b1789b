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
  private running: Promise<void> | undefined;
  /** The last snapshot. */
  snapshot: OffsetSnapshot = { at: 0, ends: new Map(), starts: new Map(), committed: new Map() };

  constructor(admin: Admin, intervalMs: number, historyMs: number, logger: Logger) {
    this.admin = admin;
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
    const described = await this.admin.describeTopics();
    const partitions: AdminTopicPartition[] = [];
    for (const d of described)
      for (const p of d.partitions) partitions.push({ topic: d.name, partition: p.partition });
    const [ends, starts] = await Promise.all([
      partitions.length === 0 ? [] : this.admin.listOffsets(partitions, 'latest'),
      partitions.length === 0 ? [] : this.admin.listOffsets(partitions, 'earliest'),
    ]);
    const snapshot: OffsetSnapshot = { at: t, ends: new Map(), starts: new Map(), committed: new Map() };
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
