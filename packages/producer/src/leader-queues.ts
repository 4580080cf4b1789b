/**
 * The sender's side of the RecordAccumulator: its partition queues grouped by leader, which
 * leaders have a sendable batch (`ready`), and the batches of one request per leader (`drain`),
 * each partition's head batch held back by the in-flight cap, its transaction and, with
 * idempotence, sequence order. Time is a parameter, as in the accumulator.
 *
 * @module
 */
import { CompressionType as Codec } from '@tskafka/protocol';
import type { IdempotenceManager, PartitionSequences } from './idempotence.js';
import type { BatchBuildOptions, PartitionQueue, ProducerBatch, TopicPartition } from './producer-batch.js';

/** What the accumulator needs to know about leaders: the sender's metadata view. */
export interface LeaderLookup {
  /** The node id of the partition's leader, or undefined while it is unknown. */
  leaderFor(topic: string, partition: number): number | undefined;
}

/** The answer of {@link RecordAccumulator.ready}. */
export interface ReadyCheckResult {
  /** Leaders with at least one sendable batch. */
  readonly readyNodes: number[];
  /** Ms until a batch that is not sendable yet may be (linger or backoff); Infinity if none. */
  readonly nextReadyCheckDelayMs: number;
  /** Partitions with batches whose leader is unknown: refresh metadata. */
  readonly unknownLeaders: TopicPartition[];
}

/** The accumulator's settings that decide when a partition's head batch may go. */
export interface LeaderQueuesOptions {
  /** `linger.ms`. */
  readonly lingerMs: number;
  /** Batches one partition may have in flight at once. */
  readonly maxInFlightPerPartition: number;
  /** Whether batches wait until their partition is added to the transaction. */
  readonly transactional: boolean;
  /** Sequence state with idempotence, else null. */
  readonly idempotence: IdempotenceManager | null;
  /** How batches are built (compressed, stamped) as they are drained. */
  readonly buildOptions: BatchBuildOptions;
}

/** The accumulator's partition queues by leader; see the module comment. */
export class LeaderQueues {
  private readonly lingerMs: number;
  private readonly maxInFlightPerPartition: number;
  private readonly transactional: boolean;
  private readonly idempotence: IdempotenceManager | null;
  private readonly buildOptions: BatchBuildOptions;
  private readonly nodeQueues = new Map<number, PartitionQueue[]>();
  private readonly drainIndex = new Map<number, number>();

  /** `queues`: the accumulator's list of every partition queue, shared (it grows as partitions do). */
  constructor(
    private readonly queues: readonly PartitionQueue[],
    options: LeaderQueuesOptions,
  ) {
    this.lingerMs = options.lingerMs;
    this.maxInFlightPerPartition = options.maxInFlightPerPartition;
    this.transactional = options.transactional;
    this.idempotence = options.idempotence;
    this.buildOptions = options.buildOptions;
  }

  // Whether the head batch of `q` may not go out now, whatever its age. In a transaction, a
  // partition's batches wait until the coordinator has added the partition.
  private isBlocked(q: PartitionQueue, first: ProducerBatch): boolean {
    if (q.onWire >= this.maxInFlightPerPartition) return true;
    if (this.transactional && !q.inTransaction) return true;
    return this.idempotence !== null && !this.idempotence.canDrain(q.sequences as PartitionSequences, first);
  }

  /**
   * `RecordAccumulator.ready`; `forced`: every batch is sendable regardless of `linger.ms`
   * (flushing, closing, or appends waiting for memory).
   */
  ready(metadata: LeaderLookup, now: number, forced: boolean): ReadyCheckResult {
    const readyNodes: number[] = [];
    const unknownLeaders: TopicPartition[] = [];
    let nextDelay = Number.POSITIVE_INFINITY;
    for (const q of this.queues) {
      const first = q.batches[0];
      if (first === undefined) continue;
      const leader = metadata.leaderFor(q.topic, q.partition);
      this.setLeader(q, leader === undefined ? -1 : leader);
      if (leader === undefined) {
        unknownLeaders.push(q);
        continue;
      }
      if (readyNodes.includes(leader) || this.isBlocked(q, first)) continue;
      let waitUntil: number;
      if (first.attempts > 0 && now < first.retryAtMs && first.lastNodeId === leader) {
        waitUntil = first.retryAtMs;
      } else if (forced || q.batches.length > 1 || first.isFull || (first.awaited && q.onWire === 0)) {
        // An awaited batch lingers only while its partition has a request on the wire: its
        // response wakes the sender, and records sent meanwhile ride along (as Nagle's algorithm).
        waitUntil = now;
      } else {
        waitUntil = first.createdMs + this.lingerMs;
      }
      if (waitUntil <= now) readyNodes.push(leader);
      else if (waitUntil - now < nextDelay) nextDelay = waitUntil - now;
    }
    return { readyNodes, nextReadyCheckDelayMs: nextDelay, unknownLeaders };
  }

  private setLeader(q: PartitionQueue, leader: number): void {
    if (q.leader === leader) return;
    if (q.leader >= 0) {
      const list = this.nodeQueues.get(q.leader);
      const i = list === undefined ? -1 : list.indexOf(q);
      if (i >= 0) (list as PartitionQueue[]).splice(i, 1);
    }
    q.leader = leader;
    if (leader < 0) return;
    let list = this.nodeQueues.get(leader);
    if (list === undefined) {
      list = [];
      this.nodeQueues.set(leader, list);
    }
    list.push(q);
  }

  /** `RecordAccumulator.drain`. */
  drain(nodes: readonly number[], maxRequestSize: number, now: number): Map<number, ProducerBatch[]> {
    const out = new Map<number, ProducerBatch[]>();
    for (const node of nodes) out.set(node, this.drainNode(node, maxRequestSize, now));
    return out;
  }

  private drainNode(node: number, maxSize: number, now: number): ProducerBatch[] {
    const ready: ProducerBatch[] = [];
    const list = this.nodeQueues.get(node);
    if (list === undefined || list.length === 0) return ready;
    let size = 0;
    let i = (this.drainIndex.get(node) ?? 0) % list.length;
    const start = i;
    do {
      const q = list[i];
      this.drainIndex.set(node, i);
      i = (i + 1) % list.length;
      const first = q.batches[0];
      if (first === undefined) continue;
      if (first.attempts > 0 && now < first.retryAtMs && first.lastNodeId === node) continue;
      if (this.isBlocked(q, first)) continue;
      if (ready.length > 0 && size + first.sizeInBytes > maxSize) {
        // The uncompressed size is an upper bound; a compressed batch may fit once built.
        if (this.buildOptions.compression === Codec.None || first.records !== null) break;
        this.build(first);
        if (size + first.sizeInBytes > maxSize) break;
      }
      q.batches.shift();
      if (this.idempotence !== null && !first.hasSequence) {
        this.idempotence.assignSequence(q.sequences as PartitionSequences, first);
      }
      size += this.build(first).length;
      first.drained(now, node);
      q.onWire++;
      ready.push(first);
    } while (i !== start);
    return ready;
  }

  // Building seals the batch: if it was the partition's open one, the next append opens another.
  private build(batch: ProducerBatch): Buffer {
    return batch.close(this.buildOptions);
  }
}
