/**
 * Hot-data partitioning: records that match a predicate get dedicated partitions, so a burst of
 * them cannot delay the rest, and the rest spread over the remaining partitions.
 */

import { partitionForKey } from './murmur2.js';
import { StickyPartitionCache } from './sticky.js';
import type { Partitioner, PartitionerCluster, RandomInt } from './types.js';

/** Options of {@link hotData}. */
export interface HotDataOptions<K = unknown, V = unknown> {
  /**
   * Whether a record is hot, from its key and value as given to `send`. Default
   * {@link isHotDataKey}: the key contains `"hot_data"`.
   */
  isHot?: (key: K | null | undefined, value: V) => boolean;
  /**
   * The hot partitions of a topic with `numPartitions` partitions. Default: the last one,
   * `[numPartitions - 1]`. Entries outside `[0, numPartitions)` are ignored; when none is left,
   * the last partition is hot.
   */
  hotPartitions?: (numPartitions: number) => readonly number[];
  /** Source of the sticky choices for keyless records (default `Math.random`). */
  random?: RandomInt;
}

/**
 * The default hot-record test of {@link hotData}, the seeds' `HotDataPartitioner` rule: a key
 * (a string, or bytes read as UTF-8) that contains `"hot_data"`.
 */
export function isHotDataKey(key: unknown): boolean {
  if (typeof key === 'string') return key.includes('hot_data');
  if (key instanceof Uint8Array)
    return Buffer.from(key.buffer, key.byteOffset, key.length).includes('hot_data');
  return false;
}

/** One topic's split, kept while its partition count stays the same. */
interface Split {
  count: number;
  hot: readonly number[];
  cold: readonly number[];
  /** Membership of `hot`, by partition. */
  isHot: Uint8Array;
  /** The last available-partitions list seen while some partition had no leader, and its cuts. */
  lastAvailable: readonly number[] | undefined;
  hotAvailable: readonly number[];
  coldAvailable: readonly number[];
}

/**
 * Sends hot records to the hot partitions (by default the last one) and spreads the others over
 * the remaining partitions. Within either set a keyed record goes to
 * `set[toPositive(murmur2(keyBytes)) % set.length]`, so one key keeps one partition while the
 * partition count stays the same; a keyless record uses the set's KIP-480 sticky partition.
 * With a single partition everything goes to it; when every partition is hot, cold records
 * share them.
 *
 * @example
 * ```ts
 * // The seeds' HotDataPartitioner: keys containing "hot_data" go to the last partition,
 * // every other key is hashed over the others.
 * const partitioner = hotData({ isHot: (key) => String(key).includes('hot_data') });
 * // Two hot partitions, the last two:
 * hotData({ isHot, hotPartitions: (n) => [n - 2, n - 1] });
 * ```
 */
export function hotData<K = unknown, V = unknown>(options: HotDataOptions<K, V> = {}): Partitioner<K, V> {
  const isHot = options.isHot ?? isHotDataKey;
  const hotPartitions = options.hotPartitions ?? ((n: number) => [n - 1]);
  const splits = new Map<string, Split>();
  const hotSticky = new StickyPartitionCache(options.random);
  const coldSticky = new StickyPartitionCache(options.random);

  function splitOf(topic: string, cluster: PartitionerCluster): Split {
    const count = cluster.partitionCountFor(topic);
    let split = splits.get(topic);
    if (split === undefined || split.count !== count) {
      split = makeSplit(count, hotPartitions(count));
      splits.set(topic, split);
    }
    return split;
  }

  return {
    partition(topic, key, keyBytes, value, cluster) {
      const split = splitOf(topic, cluster);
      const hot = isHot(key, value) || split.cold === split.hot;
      const set = hot ? split.hot : split.cold;
      if (keyBytes !== null) return set[partitionForKey(keyBytes, set.length)];
      const available = availableIn(split, hot, cluster.availablePartitionsFor(topic));
      return (hot ? hotSticky : coldSticky).partition(topic, set, available);
    },
    onNewBatch(topic: string, cluster: PartitionerCluster, previousPartition: number) {
      const split = splitOf(topic, cluster);
      const hot = split.isHot[previousPartition] === 1;
      const available = availableIn(split, hot, cluster.availablePartitionsFor(topic));
      // The cache moves only if previousPartition is its sticky partition.
      (hot ? hotSticky : coldSticky).nextPartition(
        topic,
        hot ? split.hot : split.cold,
        available,
        previousPartition,
      );
    },
  };
}

function makeSplit(count: number, wanted: readonly number[]): Split {
  const isHot = new Uint8Array(count);
  for (const p of wanted) if (Number.isInteger(p) && p >= 0 && p < count) isHot[p] = 1;
  if (!isHot.includes(1)) isHot[count - 1] = 1;
  const hot: number[] = [];
  const cold: number[] = [];
  for (let p = 0; p < count; p++) (isHot[p] === 1 ? hot : cold).push(p);
  return {
    count,
    hot,
    cold: cold.length > 0 ? cold : hot,
    isHot,
    lastAvailable: undefined,
    hotAvailable: hot,
    coldAvailable: cold,
  };
}

/**
 * The partitions of the hot or cold set that have a leader. When every partition has one (the
 * usual case) that is the set itself; otherwise the cut is kept until the list changes.
 */
function availableIn(split: Split, hot: boolean, available: readonly number[]): readonly number[] {
  const set = hot ? split.hot : split.cold;
  if (available.length === 0) return available;
  if (available.length === split.count) return set;
  if (available !== split.lastAvailable) {
    const has = new Uint8Array(split.count);
    for (const p of available) if (p < split.count) has[p] = 1;
    split.hotAvailable = split.hot.filter((p) => has[p] === 1);
    split.coldAvailable = split.cold.filter((p) => has[p] === 1);
    split.lastAvailable = available;
  }
  return hot ? split.hotAvailable : split.coldAvailable;
}
