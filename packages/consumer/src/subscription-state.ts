/**
 * What the consumer is subscribed to and assigned, and where it is in each assigned partition
 * (Java's `SubscriptionState`). No I/O: the fetcher, the offset lookups and the coordinator read
 * and move it.
 *
 * @module
 */
import { ConsumerError } from './errors.js';
import { partitionKey, sortPartitions, type TopicPartition } from './types.js';

/** How the consumer got its partitions. */
export const SubscriptionType = {
  /** Neither `subscribe` nor `assign` yet (or `unsubscribe` since). */
  None: 'None',
  /** `subscribe(topics)`: the group assigns partitions. */
  AutoTopics: 'AutoTopics',
  /** `subscribe(pattern)`: the group assigns partitions of every matching topic. */
  AutoPattern: 'AutoPattern',
  /** `assign(partitions)`: no group membership. */
  UserAssigned: 'UserAssigned',
} as const;
/** See {@link SubscriptionType}. */
export type SubscriptionType = (typeof SubscriptionType)[keyof typeof SubscriptionType];

/** Where to move a partition whose position must be looked up. */
export type OffsetResetStrategy = 'earliest' | 'latest' | 'none';

/** The state of one assigned partition. */
export interface PartitionState extends TopicPartition {
  /** `topic-partition`. */
  readonly key: string;
  /** The next offset to hand out; null until looked up (committed offset or reset). */
  position: number | null;
  /** Leader epoch of the last record handed out, or -1. */
  positionEpoch: number;
  /** A reset asked for (by `seekToBeginning/End` or an out-of-range offset); wins over the committed offset. */
  reset: OffsetResetStrategy | null;
  /** `pause()`d: not fetched, and buffered records are held back. */
  paused: boolean;
  /** Last high watermark a fetch reported, or -1. */
  highWatermark: number;
  /** Last stable offset a fetch reported (the end of what read_committed may read), or -1. */
  lastStableOffset: number;
  /** Bumped on every seek or reset, so data fetched from an older position is dropped. */
  epoch: number;
}

/** The subscription and the assignment with positions. */
export class SubscriptionState {
  private _type: SubscriptionType = SubscriptionType.None;
  private _topics: ReadonlySet<string> = new Set();
  private _pattern: RegExp | null = null;
  private readonly assigned = new Map<string, PartitionState>();
  /** Topics matched or subscribed, as the group sees them. */
  private _groupTopics: ReadonlySet<string> = new Set();

  /** How the consumer got its partitions. */
  get type(): SubscriptionType {
    return this._type;
  }

  /** Whether the group assigns partitions (`subscribe`), as opposed to `assign` or nothing. */
  get hasAutoAssignment(): boolean {
    return this._type === SubscriptionType.AutoTopics || this._type === SubscriptionType.AutoPattern;
  }

  /** The topics subscribed to (for a pattern: the matching topics last seen). */
  get topics(): ReadonlySet<string> {
    return this._type === SubscriptionType.AutoPattern ? this._groupTopics : this._topics;
  }

  /** The pattern subscribed to, or null. */
  get pattern(): RegExp | null {
    return this._pattern;
  }

  /** Subscribes to `topics`; returns whether the set changed. */
  subscribe(topics: Iterable<string>): boolean {
    this.checkType(SubscriptionType.AutoTopics);
    const next = new Set(topics);
    const changed = this._type !== SubscriptionType.AutoTopics || !sameSet(next, this._topics);
    this._type = SubscriptionType.AutoTopics;
    this._topics = next;
    this._groupTopics = next;
    return changed;
  }

  /** Subscribes to the topics matching `pattern`. */
  subscribePattern(pattern: RegExp): void {
    this.checkType(SubscriptionType.AutoPattern);
    this._type = SubscriptionType.AutoPattern;
    this._pattern = pattern;
    this._topics = new Set();
  }

  /** For a pattern subscription: the matching topics now in the cluster; returns whether they changed. */
  matchTopics(allTopics: Iterable<string>): boolean {
    const pattern = this._pattern;
    if (pattern === null) return false;
    const next = new Set<string>();
    for (const t of allTopics) {
      pattern.lastIndex = 0;
      if (pattern.test(t)) next.add(t);
    }
    const changed = !sameSet(next, this._groupTopics);
    this._groupTopics = next;
    return changed;
  }

  /** Assigns `partitions` by hand (`assign`), keeping the positions of those already assigned. */
  assignFromUser(partitions: readonly TopicPartition[]): void {
    this.checkType(SubscriptionType.UserAssigned);
    this._type = SubscriptionType.UserAssigned;
    this.setAssignment(partitions);
  }

  /** Sets the assignment from the group; positions of partitions kept are kept. */
  assignFromGroup(partitions: readonly TopicPartition[]): void {
    this.setAssignment(partitions);
  }

  /** Drops the subscription and the assignment. */
  unsubscribe(): void {
    this._type = SubscriptionType.None;
    this._topics = new Set();
    this._groupTopics = new Set();
    this._pattern = null;
    this.assigned.clear();
  }

  private checkType(wanted: SubscriptionType): void {
    if (this._type !== SubscriptionType.None && this._type !== wanted) {
      throw new ConsumerError(
        'Subscription to topics, partitions and pattern are mutually exclusive: call unsubscribe() first',
      );
    }
  }

  private setAssignment(partitions: readonly TopicPartition[]): void {
    const keep = new Map<string, PartitionState>();
    for (const tp of partitions) {
      const key = partitionKey(tp.topic, tp.partition);
      keep.set(
        key,
        this.assigned.get(key) ?? {
          topic: tp.topic,
          partition: tp.partition,
          key,
          position: null,
          positionEpoch: -1,
          reset: null,
          paused: false,
          highWatermark: -1,
          lastStableOffset: -1,
          epoch: 0,
        },
      );
    }
    this.assigned.clear();
    for (const [k, v] of keep) this.assigned.set(k, v);
  }

  /** The assigned partitions, sorted. */
  assignment(): TopicPartition[] {
    return sortPartitions(
      [...this.assigned.values()].map((s) => ({ topic: s.topic, partition: s.partition })),
    );
  }

  /** The states of the assigned partitions. */
  states(): IterableIterator<PartitionState> {
    return this.assigned.values();
  }

  /** The state of an assigned partition, or undefined. */
  state(topic: string, partition: number): PartitionState | undefined {
    return this.assigned.get(partitionKey(topic, partition));
  }

  /** Whether `topic-partition` is assigned. */
  isAssigned(topic: string, partition: number): boolean {
    return this.assigned.has(partitionKey(topic, partition));
  }

  /** The number of assigned partitions. */
  get size(): number {
    return this.assigned.size;
  }

  /** Moves a partition to `offset` (a seek); data fetched from elsewhere is dropped. */
  seek(s: PartitionState, offset: number, epoch = -1): void {
    s.position = offset;
    s.positionEpoch = epoch;
    s.reset = null;
    s.epoch++;
  }

  /** Asks for a partition's position to be looked up with `strategy`. */
  requestReset(s: PartitionState, strategy: OffsetResetStrategy): void {
    s.reset = strategy;
    s.position = null;
    s.epoch++;
  }

  /** Partitions that can be fetched: a position, not paused. */
  fetchable(): PartitionState[] {
    const out: PartitionState[] = [];
    for (const s of this.assigned.values()) if (s.position !== null && !s.paused) out.push(s);
    return out;
  }

  /** Partitions whose position must be looked up. */
  missingPositions(): PartitionState[] {
    const out: PartitionState[] = [];
    for (const s of this.assigned.values()) if (s.position === null) out.push(s);
    return out;
  }

  /** Positions of every assigned partition that has one: what auto commit commits. */
  allConsumed(): Map<TopicPartition, { offset: number; leaderEpoch: number }> {
    const out = new Map<TopicPartition, { offset: number; leaderEpoch: number }>();
    for (const s of this.assigned.values()) {
      if (s.position !== null)
        out.set(
          { topic: s.topic, partition: s.partition },
          { offset: s.position, leaderEpoch: s.positionEpoch },
        );
    }
    return out;
  }
}

function sameSet<T>(a: ReadonlySet<T>, b: ReadonlySet<T>): boolean {
  if (a.size !== b.size) return false;
  for (const x of a) if (!b.has(x)) return false;
  return true;
}
