/**
 * KafkaJS's partitioners: `DefaultPartitioner` (the Java client's murmur2, so keys land where
 * Java and KafkaJS 2.x put them) and `LegacyPartitioner` (KafkaJS 1.x's own hashing, which differs
 * from Java's for most keys), and the adapter that runs any KafkaJS partitioner function as a
 * tskafka `Partitioner`.
 *
 * @module
 */
import { murmur2, type Partitioner, type PartitionerCluster, toPositive } from '@tskafka/producer';
import type { Message } from './types.js';

/** A partition as a KafkaJS partitioner sees it. */
export interface PartitionMetadata {
  /** The partition's error code in the last metadata (0 here: only healthy facts are known). */
  partitionErrorCode: number;
  /** The partition. */
  partitionId: number;
  /** The leader's node id, or -1 while the partition has none. */
  leader: number;
  /** Replica node ids (not known to the adapter: empty). */
  replicas: number[];
  /** In-sync replica node ids (not known to the adapter: empty). */
  isr: number[];
  /** Offline replica node ids. */
  offlineReplicas?: number[];
}

/** What a KafkaJS partitioner is called with for each message. */
export interface PartitionerArgs {
  /** The message's topic. */
  topic: string;
  /** The topic's partitions. */
  partitionMetadata: PartitionMetadata[];
  /** The message. */
  message: Message;
}

/** A KafkaJS partitioner: made once per producer, then called per message. */
export type ICustomPartitioner = () => (args: PartitionerArgs) => number;

/** A KafkaJS partitioner's hash of a key. */
type Hash = (key: Buffer | string) => number;

// The built-in partitioners' hashes, so that the producer can run them without the per-message
// arguments a KafkaJS partitioner function takes (see adaptPartitioner).
const HASHES = new WeakMap<ICustomPartitioner, Hash>();

/** KafkaJS's default strategy around a hash: the message's partition, else the key's, else round robin. */
function createPartitioner(hash: Hash): ICustomPartitioner {
  const create: ICustomPartitioner = () => {
    const counters = new Map<string, number>();
    return ({ topic, partitionMetadata, message }) => {
      let counter = counters.get(topic);
      // KafkaJS starts each topic's round robin at a random point.
      if (counter === undefined) counter = Math.floor(Math.random() * 0x100000000);
      const numPartitions = partitionMetadata.length;
      if (message.partition !== null && message.partition !== undefined) return message.partition;
      if (message.key !== null && message.key !== undefined)
        return toPositive(hash(message.key)) % numPartitions;
      counters.set(topic, ++counter);
      const available = partitionMetadata.filter((p) => p.leader >= 0);
      if (available.length > 0) return available[toPositive(counter) % available.length].partitionId;
      return toPositive(counter) % numPartitions;
    };
  };
  HASHES.set(create, hash);
  return create;
}

/**
 * {@link createPartitioner}'s strategy as a tskafka `Partitioner`, choosing the same partitions
 * from the producer's own view of the topic. (A message's own partition never reaches a tskafka
 * partitioner: the producer uses it first.)
 */
function nativePartitioner(hash: Hash): Partitioner<Buffer | string | null, Buffer | string | null> {
  const counters = new Map<string, number>();
  return {
    partition(topic, key, _keyBytes, _value, cluster: PartitionerCluster) {
      const numPartitions = cluster.partitionCountFor(topic);
      if (key !== null && key !== undefined) return toPositive(hash(key)) % numPartitions;
      let counter = counters.get(topic);
      // KafkaJS starts each topic's round robin at a random point.
      if (counter === undefined) counter = Math.floor(Math.random() * 0x100000000);
      counters.set(topic, ++counter);
      const available = cluster.availablePartitionsFor(topic);
      if (available.length > 0) return available[toPositive(counter) % available.length];
      return toPositive(counter) % numPartitions;
    },
  };
}

const SEED = 0x9747b28c;
const M = 0x5bd1e995;
const R = 24;

/**
 * KafkaJS 1.x's murmur2, kept bit for bit: it multiplies in floating point rather than in 32-bit
 * integers, so its hashes (and the partitions they give) differ from Java's for most keys, and
 * applications that keyed data with it need the same answers to find that data again.
 */
export function legacyMurmur2(key: Buffer | string): number {
  const data = Buffer.isBuffer(key) ? key : Buffer.from(String(key));
  const length = data.length;
  let h = SEED ^ length;
  const length4 = length / 4; // not floored in KafkaJS: the loop runs to the next whole number
  for (let i = 0; i < length4; i++) {
    const i4 = i * 4;
    let k =
      (data[i4 + 0] & 0xff) +
      ((data[i4 + 1] & 0xff) << 8) +
      ((data[i4 + 2] & 0xff) << 16) +
      ((data[i4 + 3] & 0xff) << 24);
    k *= M;
    k ^= k >>> R;
    k *= M;
    h *= M;
    h ^= k;
  }
  const tail = length & ~3;
  const rest = length % 4;
  // Java's switch falls through from case 3 to case 1: the same steps, written as ifs.
  if (rest === 3) h ^= (data[tail + 2] & 0xff) << 16;
  if (rest >= 2) h ^= (data[tail + 1] & 0xff) << 8;
  if (rest >= 1) {
    h ^= data[tail] & 0xff;
    h *= M;
  }
  h ^= h >>> 13;
  h *= M;
  h ^= h >>> 15;
  return h;
}

/** KafkaJS's partitioners by name. */
export const Partitioners: {
  /** The Java client's murmur2 (KafkaJS 2.x's default). */
  DefaultPartitioner: ICustomPartitioner;
  /** KafkaJS 1.x's default, with its own hashing. */
  LegacyPartitioner: ICustomPartitioner;
  /** @deprecated KafkaJS's old name of `DefaultPartitioner`. */
  JavaCompatiblePartitioner: ICustomPartitioner;
} = {
  DefaultPartitioner: createPartitioner((key) => murmur2(Buffer.isBuffer(key) ? key : String(key))),
  LegacyPartitioner: createPartitioner(legacyMurmur2),
  JavaCompatiblePartitioner: createPartitioner((key) => murmur2(Buffer.isBuffer(key) ? key : String(key))),
};

/**
 * A tskafka `Partitioner` that asks a KafkaJS partitioner function. The partition metadata it
 * hands over is built once per topic and metadata update (the producer's list of available
 * partitions is the same array until then), not per message.
 */
export function adaptPartitioner(
  create: ICustomPartitioner,
): Partitioner<Buffer | string | null, Buffer | string | null> {
  const hash = HASHES.get(create);
  if (hash !== undefined) return nativePartitioner(hash);
  const choose = create();
  const byTopic = new Map<
    string,
    { count: number; available: readonly number[]; metadata: PartitionMetadata[] }
  >();
  return {
    partition(topic, key, _keyBytes, value, cluster: PartitionerCluster) {
      const count = cluster.partitionCountFor(topic);
      const available = cluster.availablePartitionsFor(topic);
      let known = byTopic.get(topic);
      if (known === undefined || known.count !== count || known.available !== available) {
        const leaders = new Set(available);
        const metadata: PartitionMetadata[] = [];
        for (let p = 0; p < count; p++)
          metadata.push({
            partitionErrorCode: 0,
            partitionId: p,
            leader: leaders.has(p) ? 0 : -1,
            replicas: [],
            isr: [],
          });
        known = { count, available, metadata };
        byTopic.set(topic, known);
      }
      return choose({ topic, partitionMetadata: known.metadata, message: { key, value } });
    },
  };
}
