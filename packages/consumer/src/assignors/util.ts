/**
 * Small helpers shared by the assignors: partition ordering, member ordering as Java does it,
 * and grouping partitions by topic.
 */
import type { MemberId, Subscription, TopicPartition } from './types.js';

/** Orders partitions by topic (UTF-16 code units, as Java's `String.compareTo`), then index. */
export function comparePartitions(a: TopicPartition, b: TopicPartition): number {
  if (a.topic !== b.topic) return a.topic < b.topic ? -1 : 1;
  return a.partition - b.partition;
}

/** A string key for a partition, for maps and sets. */
export function partitionKey(tp: TopicPartition): string {
  return `${tp.partition}:${tp.topic}`;
}

/** Every partition of `partitionsPerTopic` for `topics` that exist, sorted. */
export function sortedPartitions(
  partitionsPerTopic: Map<string, number>,
  topics: Iterable<string>,
): TopicPartition[] {
  const out: TopicPartition[] = [];
  for (const topic of [...new Set(topics)].sort()) {
    const n = partitionsPerTopic.get(topic);
    if (n === undefined) continue;
    for (let partition = 0; partition < n; partition++) out.push({ topic, partition });
  }
  return out;
}

/**
 * Member ids in Java's `MemberInfo` order (KIP-345): static members first, by
 * `group.instance.id`; then dynamic members, by member id.
 */
export function sortMembers(subscriptions: Map<MemberId, Subscription>): MemberId[] {
  const cmp = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
  return [...subscriptions.keys()].sort((a, b) => {
    const ia = subscriptions.get(a)!.groupInstanceId ?? null;
    const ib = subscriptions.get(b)!.groupInstanceId ?? null;
    if (ia !== null && ib !== null) return cmp(ia, ib) || cmp(a, b);
    if (ia !== null) return -1;
    if (ib !== null) return 1;
    return cmp(a, b);
  });
}

/** Groups partitions by topic, keeping first-seen topic order and each topic's partition order. */
export function groupByTopic(partitions: readonly TopicPartition[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const { topic, partition } of partitions) {
    const list = out.get(topic);
    if (list) list.push(partition);
    else out.set(topic, [partition]);
  }
  return out;
}

/** Java's `String.hashCode`, over UTF-16 code units. */
function javaStringHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

/**
 * The order a `java.util.HashMap<String, ?>` filled with `keys` iterates them in: by bucket
 * (spread hash masked by the table size), then insertion order. Where the Java sticky assignor
 * walks members in HashMap order and the outcome depends on it, walking them in this order makes
 * our assignment the one Java computes.
 */
export function javaHashMapOrder(keys: readonly string[]): string[] {
  let capacity = 16;
  while (keys.length > capacity * 0.75) capacity *= 2;
  const bucket = (k: string) => {
    const h = javaStringHash(k);
    return (h ^ (h >>> 16)) & (capacity - 1);
  };
  return keys
    .map((k, i) => ({ k, i, b: bucket(k) }))
    .sort((x, y) => x.b - y.b || x.i - y.i)
    .map((x) => x.k);
}

/**
 * The element a `java.util.HashSet` holding `elements` (in insertion order) returns first from its
 * iterator, for the element hash `hash`.
 */
export function javaHashSetFirst<T>(elements: readonly T[], hash: (e: T) => number): T {
  let capacity = 16;
  while (elements.length > capacity * 0.75) capacity *= 2;
  let best = elements[0];
  let bestBucket = Number.POSITIVE_INFINITY;
  for (const e of elements) {
    const h = hash(e);
    const b = (h ^ (h >>> 16)) & (capacity - 1);
    if (b < bestBucket) {
      best = e;
      bestBucket = b;
    }
  }
  return best;
}
