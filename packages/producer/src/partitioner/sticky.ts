/**
 * The KIP-480 sticky partitioner for records without a key: every keyless record of a topic goes
 * to one partition until a batch there is complete, then the producer moves on to another, so
 * keyless traffic forms full batches instead of one small batch per partition. This is Java's
 * `UniformStickyPartitioner`/`StickyPartitionCache` (Kafka 2.4 to 3.2); the adaptive
 * KIP-794 variant weighs partitions by broker queue sizes, which the accumulator owns.
 */

import { defaultRandomInt, type Partitioner, type PartitionerCluster, type RandomInt } from './types.js';

/**
 * The sticky partition of each topic, chosen among candidate partitions that the caller gives.
 * Shared by {@link sticky}, the keyless path of {@link murmur2} and the hot/cold sets of
 * `hotData`.
 */
export class StickyPartitionCache {
  /** Per topic: the sticky partition and the candidate list it was chosen from. */
  private readonly current = new Map<string, { partition: number; from: readonly number[] }>();

  /** @param random - source of random choices; tests pass a deterministic one. */
  constructor(private readonly random: RandomInt = defaultRandomInt) {}

  /**
   * The sticky partition of `topic`, choosing one when there is none yet (or the one held is no
   * longer among `all`).
   *
   * @param all - every partition the choice may fall on.
   * @param available - the subset with a leader, preferred when non-empty.
   */
  partition(topic: string, all: readonly number[], available: readonly number[]): number {
    const held = this.current.get(topic);
    // Callers pass cached candidate lists, so the identity check answers almost every call.
    if (held !== undefined && (held.from === all || all.includes(held.partition))) return held.partition;
    return this.choose(topic, undefined, all, available);
  }

  /**
   * A batch on `previousPartition` is complete: if it is the sticky partition of `topic`, pick
   * another (Java's `StickyPartitionCache.nextPartition`). A call for a partition that is not the
   * sticky one changes nothing, so a late call cannot move the producer off a fresh choice.
   */
  nextPartition(
    topic: string,
    all: readonly number[],
    available: readonly number[],
    previousPartition: number,
  ): number {
    const held = this.current.get(topic);
    if (held !== undefined && held.partition !== previousPartition && all.includes(held.partition)) {
      return held.partition;
    }
    return this.choose(topic, held?.partition, all, available);
  }

  /** Forgets every topic's choice. */
  clear(): void {
    this.current.clear();
  }

  private choose(
    topic: string,
    old: number | undefined,
    all: readonly number[],
    available: readonly number[],
  ): number {
    let next: number;
    if (available.length === 0) {
      next = all[this.random() % all.length];
    } else if (available.length === 1) {
      next = available[0];
    } else {
      // Another partition than the one just finished, as Java loops until the choice differs;
      // drawing from the others directly avoids the loop.
      const oldIndex = old === undefined ? -1 : available.indexOf(old);
      if (oldIndex < 0) {
        next = available[this.random() % available.length];
      } else {
        const r = this.random() % (available.length - 1);
        next = available[r >= oldIndex ? r + 1 : r];
      }
    }
    const entry = this.current.get(topic);
    if (entry === undefined) this.current.set(topic, { partition: next, from: all });
    else {
      entry.partition = next;
      entry.from = all;
    }
    return next;
  }
}

/** `[0, 1, ..., n - 1]`, cached per count: partition lists are asked for on every keyless record. */
export function allPartitions(count: number): readonly number[] {
  let list = rangeCache[count];
  if (list === undefined) {
    list = Object.freeze(Array.from({ length: count }, (_, i) => i));
    if (count < 4096) rangeCache[count] = list;
  }
  return list;
}
const rangeCache: (readonly number[])[] = [];

/** Options of {@link sticky}. */
export interface StickyOptions {
  /** Source of random partition choices (default `Math.random`); tests pass a deterministic one. */
  random?: RandomInt;
}

/**
 * The KIP-480 sticky partitioner: every record (keyed or not) of a topic goes to its sticky
 * partition, a random available one, until the accumulator reports a new batch there
 * (`onNewBatch`). Use it to spread keyless records in full batches; keyed records lose their
 * per-key ordering with it, so the default `murmur2` partitioner hashes keys and is sticky only
 * for records without one.
 */
export function sticky(options: StickyOptions = {}): Partitioner {
  const cache = new StickyPartitionCache(options.random);
  return {
    partition(topic, _key, _keyBytes, _value, cluster) {
      return cache.partition(
        topic,
        allPartitions(cluster.partitionCountFor(topic)),
        cluster.availablePartitionsFor(topic),
      );
    },
    onNewBatch(topic: string, cluster: PartitionerCluster, previousPartition: number) {
      cache.nextPartition(
        topic,
        allPartitions(cluster.partitionCountFor(topic)),
        cluster.availablePartitionsFor(topic),
        previousPartition,
      );
    },
  };
}
