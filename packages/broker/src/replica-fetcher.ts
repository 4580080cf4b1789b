/**
 * Replica fetchers (Kafka's `ReplicaFetcherManager` and `ReplicaFetcherThread`): a broker runs one
 * fetcher per leader it follows partitions of. Each sends real Fetch requests over the wire with
 * `replicaId` = its node id, long-polling at the leader, appends what comes back as a follower
 * (offsets and epochs kept, CRC checked) and takes the leader's high watermark. Divergence after a
 * leader change is found as Kafka ≥ 2.7 finds it: each fetch carries the epoch of the last fetched
 * batch, the leader answers with a diverging epoch and its end offset when the follower's log went
 * another way, and the follower truncates there (using its leader epoch cache). A follower behind
 * the leader's log start restarts its log there. Errors back off for `replica.fetch.backoff.ms`.
 */

import { ErrorCode } from '@tskafka/protocol';
import { Api, type MessageInput, type MessageValue } from '@tskafka/protocol/internals';
import type { BrokerNode } from './broker.js';
import type { Partition } from './partition.js';
import { InterBrokerClient } from './txn/inter-broker-client.js';

/** Fetch v12: topic names, `lastFetchedEpoch` in the request, `divergingEpoch` in the response. */
const FETCH_VERSION = 12;

type FetchRequest = MessageInput<typeof Api.Fetch.request>;
type FetchResponse = MessageValue<typeof Api.Fetch.response>;
type PartitionData = FetchResponse['responses'][number]['partitions'][number];

/** A partition a fetcher follows, with the leader epoch it follows it in. */
interface FetchState {
  partition: Partition;
  leaderEpoch: number;
  /** Not fetched before this time (after an error). */
  delayedUntil: number;
}

/** The fetchers of one broker, one per leader. */
export class ReplicaFetcherManager {
  private readonly fetchers = new Map<number, ReplicaFetcher>();
  private readonly node: BrokerNode;

  /** Fetchers for `node`. */
  constructor(node: BrokerNode) {
    this.node = node;
  }

  /** Follows `p` (in its current leader epoch) from `leaderId`, leaving any other fetcher. */
  addPartition(p: Partition, leaderId: number): void {
    this.removePartition(p);
    let fetcher = this.fetchers.get(leaderId);
    if (!fetcher) {
      fetcher = new ReplicaFetcher(this.node, leaderId);
      this.fetchers.set(leaderId, fetcher);
    }
    fetcher.add(p);
  }

  /** Stops fetching `p`. */
  removePartition(p: Partition): void {
    for (const [leaderId, f] of this.fetchers) {
      if (!f.remove(p) || f.size > 0) continue;
      f.shutdown();
      this.fetchers.delete(leaderId);
    }
  }

  /** The leader `p` is fetched from, or -1 (tests). */
  leaderOf(p: Partition): number {
    for (const [leaderId, f] of this.fetchers) if (f.has(p)) return leaderId;
    return -1;
  }

  /** Stops every fetcher. */
  shutdown(): void {
    for (const f of this.fetchers.values()) f.shutdown();
    this.fetchers.clear();
  }
}

/** Fetches the partitions one leader leads for this broker, in a loop until shut down. */
class ReplicaFetcher {
  private readonly node: BrokerNode;
  private readonly leaderId: number;
  private readonly states = new Map<string, FetchState>();
  private client: InterBrokerClient | null = null;
  private running = true;
  private wake: (() => void) | null = null;

  constructor(node: BrokerNode, leaderId: number) {
    this.node = node;
    this.leaderId = leaderId;
    void this.run();
  }

  get size(): number {
    return this.states.size;
  }

  has(p: Partition): boolean {
    return this.states.get(p.key)?.partition === p;
  }

  add(p: Partition): void {
    this.states.set(p.key, { partition: p, leaderEpoch: p.leaderEpoch, delayedUntil: 0 });
    this.wake?.();
  }

  remove(p: Partition): boolean {
    if (!this.has(p)) return false;
    this.states.delete(p.key);
    return true;
  }

  shutdown(): void {
    this.running = false;
    this.client?.close();
    this.client = null;
    this.wake?.();
  }

  /** Waits `ms` on the broker's clock, or until a partition is added or the fetcher shuts down. */
  private pause(ms: number): Promise<void> {
    const clock = this.node.clock;
    return new Promise((resolve) => {
      const timer = clock.setTimeout(done, ms);
      const self = this;
      function done(): void {
        clock.clearTimeout(timer);
        self.wake = null;
        resolve();
      }
      this.wake = done;
    });
  }

  private async run(): Promise<void> {
    const config = this.node.config;
    while (this.running) {
      const now = this.node.clock.now();
      const ready = [...this.states.values()].filter((s) => s.delayedUntil <= now);
      if (ready.length === 0) {
        const next = Math.min(...[...this.states.values()].map((s) => s.delayedUntil));
        await this.pause(Number.isFinite(next) ? Math.max(1, next - now) : 60_000);
        continue;
      }
      const leader = this.node.metadata.brokers.get(this.leaderId);
      if (!leader?.alive) {
        for (const s of ready) s.delayedUntil = now + config.replicaFetchBackoffMs;
        continue;
      }
      try {
        if (this.client?.address !== `${leader.host}:${leader.port}`) {
          this.client?.close();
          this.client = new InterBrokerClient(leader.host, leader.port, {
            clientId: `broker-${this.node.nodeId}-fetcher-${this.leaderId}`,
            security: this.node.interBrokerSecurity(),
            from: { nodeId: this.node.nodeId, registry: this.node.metadata.interBrokerConnections },
          });
        }
        const sent = ready.map((s) => ({ ...s }));
        // Applied as it is read, so the response's memory takes the next one: the logs copy
        // the records they append.
        await this.client.sendAndRead(Api.Fetch, FETCH_VERSION, this.buildRequest(sent), (response) => {
          if (this.running) this.processResponse(sent, response);
        });
        if (!this.running) return;
      } catch (e) {
        if (!this.running) return;
        this.node.log('debug', `fetch from broker ${this.leaderId} failed: ${(e as Error).message}`);
        this.client?.close();
        this.client = null;
        const until = this.node.clock.now() + config.replicaFetchBackoffMs;
        for (const s of ready) s.delayedUntil = until;
      }
    }
  }

  private buildRequest(states: FetchState[]): FetchRequest {
    const config = this.node.config;
    const byTopic = new Map<string, FetchState[]>();
    for (const s of states) {
      const list = byTopic.get(s.partition.topic) ?? [];
      list.push(s);
      byTopic.set(s.partition.topic, list);
    }
    return {
      replicaId: this.node.nodeId,
      maxWaitMs: config.replicaFetchWaitMaxMs,
      minBytes: 1,
      maxBytes: config.replicaFetchResponseMaxBytes,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [...byTopic].map(([topic, list]) => ({
        topic,
        partitions: list.map((s) => ({
          partition: s.partition.index,
          currentLeaderEpoch: s.leaderEpoch,
          fetchOffset: s.partition.logEndOffset,
          lastFetchedEpoch: s.partition.log.latestEpoch,
          logStartOffset: s.partition.logStartOffset,
          partitionMaxBytes: config.replicaFetchMaxBytes,
        })),
      })),
      forgottenTopicsData: [],
      rackId: '',
    };
  }

  private processResponse(sent: FetchState[], response: FetchResponse): void {
    const now = this.node.clock.now();
    const backoff = now + this.node.config.replicaFetchBackoffMs;
    if (response.errorCode !== ErrorCode.NONE) {
      for (const s of sent) this.delay(s, backoff);
      return;
    }
    for (const t of response.responses) {
      for (const pd of t.partitions) {
        const key = `${t.topic}-${pd.partitionIndex}`;
        const current = this.states.get(key);
        const asSent = sent.find((s) => s.partition.key === key);
        // Leadership moved while the request was out: its answer belongs to the old epoch.
        if (!current || !asSent || current.partition !== asSent.partition) continue;
        if (current.leaderEpoch !== asSent.leaderEpoch) continue;
        try {
          if (!this.apply(current.partition, pd, now)) this.delay(current, backoff);
        } catch (e) {
          this.node.log(
            'warn',
            `${key}: replicating from broker ${this.leaderId} failed: ${(e as Error).message}`,
          );
          this.delay(current, backoff);
        }
      }
    }
  }

  private delay(s: FetchState, until: number): void {
    const current = this.states.get(s.partition.key);
    if (current) current.delayedUntil = until;
  }

  /** Applies one partition's answer; false when the partition should back off. */
  private apply(p: Partition, pd: PartitionData, now: number): boolean {
    switch (pd.errorCode) {
      case ErrorCode.NONE:
        if (pd.divergingEpoch && pd.divergingEpoch.endOffset >= 0) {
          return this.truncateOnDivergence(p, pd.divergingEpoch.epoch, pd.divergingEpoch.endOffset, now);
        }
        if (pd.records && pd.records.length > 0) p.appendAsFollower(pd.records, now);
        p.updateFollowerHighWatermark(pd.highWatermark);
        if (pd.logStartOffset >= 0) p.maybeIncrementLogStartOffset(pd.logStartOffset);
        return true;
      case ErrorCode.OFFSET_OUT_OF_RANGE:
        if (pd.logStartOffset >= 0 && p.logEndOffset < pd.logStartOffset) {
          // Behind the leader's log start (retention or DeleteRecords there): start over at it.
          p.truncateFullyAndStartAt(pd.logStartOffset, now);
          return true;
        }
        // Ahead of the leader's log end: what the leader committed is safe to keep.
        return p.truncateTo(Math.max(0, Math.min(p.highWatermark, pd.highWatermark)), now);
      default:
        // NOT_LEADER_OR_FOLLOWER, FENCED/UNKNOWN_LEADER_EPOCH, ...: the controller's next change
        // hands this partition on; until then, retry after the backoff.
        return false;
    }
  }

  /**
   * The leader found the log diverging: `epoch` is the largest epoch both may share and
   * `endOffset` its end at the leader. Truncates as Kafka's `getOffsetTruncationState`: to that
   * end when this log knows `epoch`; to the end of this log's own floor epoch when it does not
   * (the next fetch checks again); to the high watermark when it knows no epoch at all.
   */
  private truncateOnDivergence(p: Partition, epoch: number, endOffset: number, now: number): boolean {
    let offset: number;
    if (epoch < 0) {
      offset = Math.min(endOffset, p.logEndOffset);
    } else {
      const mine = p.log.endOffsetForEpoch(epoch);
      if (mine.leaderEpoch < 0) offset = p.highWatermark;
      else if (mine.leaderEpoch !== epoch) offset = Math.min(mine.endOffset, p.logEndOffset);
      else offset = Math.min(endOffset, mine.endOffset, p.logEndOffset);
    }
    this.node.log('info', `${p.key}: truncating to ${offset} (log diverged from broker ${this.leaderId})`);
    const before = `${p.logEndOffset}/${p.log.latestEpoch}`;
    p.truncateTo(offset, now);
    if (`${p.logEndOffset}/${p.log.latestEpoch}` !== before) return true;
    // No progress: fall back to the high watermark, else wait (never spin).
    p.truncateTo(Math.min(p.highWatermark, offset), now);
    return `${p.logEndOffset}/${p.log.latestEpoch}` !== before;
  }
}
