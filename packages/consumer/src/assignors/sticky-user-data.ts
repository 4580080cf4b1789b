/**
 * The user data formats of Java's sticky assignors, read and written byte for byte.
 *
 * `StickyAssignor` (eager) puts the member's previous assignment in its user data, with no version
 * prefix: v0 is `[topic string, partitions [int32]]`, v1 appends the int32 generation. Readers try
 * v1 and fall back to v0, as Java does. `CooperativeStickyAssignor` puts only the int32
 * generation there (its owned partitions travel in the subscription itself).
 */
import type { TopicPartition } from './types.js';
import { groupByTopic } from './util.js';

/** Java's `DEFAULT_GENERATION`: no known generation. */
export const DEFAULT_GENERATION = -1;

/** A member's previous partitions and the generation it got them in, as the sticky assignors see them. */
export interface MemberData {
  /** Partitions the member owned. */
  partitions: TopicPartition[];
  /** The generation they were owned in; undefined when the member did not say. */
  generation?: number;
}

/** Encodes `StickyAssignor` user data: v1 (with the generation) unless `generation` is undefined (v0). */
export function encodeStickyUserData(partitions: readonly TopicPartition[], generation?: number): Buffer {
  const topics = [...groupByTopic(partitions)].map(([topic, ps]) => ({
    name: Buffer.from(topic, 'utf8'),
    ps,
  }));
  let size = 4 + (generation === undefined ? 0 : 4);
  for (const t of topics) size += 2 + t.name.length + 4 + 4 * t.ps.length;
  const buf = Buffer.alloc(size);
  let pos = buf.writeInt32BE(topics.length, 0);
  for (const t of topics) {
    pos = buf.writeInt16BE(t.name.length, pos);
    pos += t.name.copy(buf, pos);
    pos = buf.writeInt32BE(t.ps.length, pos);
    for (const p of t.ps) pos = buf.writeInt32BE(p, pos);
  }
  if (generation !== undefined) buf.writeInt32BE(generation, pos);
  return buf;
}

function readTopicPartitions(buf: Buffer, withGeneration: boolean): MemberData {
  let pos = 0;
  const need = (n: number) => {
    if (pos + n > buf.length) throw new RangeError('sticky user data: truncated');
  };
  need(4);
  const count = buf.readInt32BE(pos);
  pos += 4;
  if (count < 0) throw new RangeError('sticky user data: negative topic count');
  const partitions: TopicPartition[] = [];
  for (let i = 0; i < count; i++) {
    need(2);
    const len = buf.readInt16BE(pos);
    pos += 2;
    if (len < 0) throw new RangeError('sticky user data: null topic');
    need(len + 4);
    const topic = buf.toString('utf8', pos, pos + len);
    pos += len;
    const n = buf.readInt32BE(pos);
    pos += 4;
    if (n < 0) throw new RangeError('sticky user data: negative partition count');
    need(4 * n);
    for (let j = 0; j < n; j++, pos += 4) partitions.push({ topic, partition: buf.readInt32BE(pos) });
  }
  if (!withGeneration) return { partitions };
  need(4);
  return { partitions, generation: buf.readInt32BE(pos) };
}

/**
 * Decodes `StickyAssignor` user data as Java's `deserializeTopicPartitionAssignment`: v1, else v0,
 * else (unreadable) no partitions with the default generation.
 */
export function decodeStickyUserData(buf: Buffer): MemberData {
  try {
    return readTopicPartitions(buf, true);
  } catch {
    try {
      return readTopicPartitions(buf, false);
    } catch {
      return { partitions: [], generation: DEFAULT_GENERATION };
    }
  }
}

/** Encodes `CooperativeStickyAssignor` user data: the int32 generation. */
export function encodeCooperativeUserData(generation: number): Buffer {
  const buf = Buffer.alloc(4);
  buf.writeInt32BE(generation, 0);
  return buf;
}

/** Decodes `CooperativeStickyAssignor` user data; unreadable data is the default generation. */
export function decodeCooperativeUserData(buf: Buffer): number {
  return buf.length >= 4 ? buf.readInt32BE(0) : DEFAULT_GENERATION;
}
