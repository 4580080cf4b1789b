/**
 * The offsets a KafkaJS consumer's handlers resolved and not yet committed (KafkaJS's
 * `OffsetManager` resolved/committed pair), kept so that resolving one more message costs two
 * field writes: each partition has one entry, moved on in place.
 *
 * @module
 */
import type { TopicPartition } from '@tskafka/consumer';

/** One partition's resolution: the next offset to read, and the one last committed. */
export interface Resolution extends TopicPartition {
  /** The next offset to read (the last resolved + 1); -1 for none. */
  offset: number;
  /** The offset last committed from here; -1 for none. */
  committed: number;
}

/** A commit's offsets (the next offset to read per partition). */
export type OffsetToCommit = TopicPartition & { offset: number };

const key = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

/** Resolved offsets by partition. */
export class ResolvedOffsets {
  private readonly entries = new Map<string, Resolution>();
  /** Messages resolved since the last commit (KafkaJS's `autoCommitThreshold` counts them). */
  count = 0;

  /** The entry of a partition, made on first use; resolving is `entry.offset = next; count++`. */
  of(topic: string, partition: number): Resolution {
    const k = key(topic, partition);
    let entry = this.entries.get(k);
    if (entry === undefined) {
      entry = { topic, partition, offset: -1, committed: -1 };
      this.entries.set(k, entry);
    }
    return entry;
  }

  /** Resolves `offset` (the next to read) on a partition. */
  resolve(topic: string, partition: number, offset: number): void {
    this.of(topic, partition).offset = offset;
    this.count++;
  }

  /** Forgets a partition (after a seek: what was resolved before it no longer counts). */
  forget(topic: string, partition: number): void {
    this.entries.delete(key(topic, partition));
  }

  /** The offsets resolved and not committed: copies, so the entries may move on during a commit. */
  uncommitted(): OffsetToCommit[] {
    const out: OffsetToCommit[] = [];
    for (const e of this.entries.values())
      if (e.offset >= 0 && e.offset !== e.committed)
        out.push({ topic: e.topic, partition: e.partition, offset: e.offset });
    return out;
  }

  /** Marks `offsets` committed. */
  committed(offsets: readonly OffsetToCommit[]): void {
    for (const o of offsets) {
      const e = this.entries.get(key(o.topic, o.partition));
      if (e !== undefined) e.committed = o.offset;
    }
  }
}
