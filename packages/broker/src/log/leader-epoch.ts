/**
 * The leader epoch cache of a partition log (Kafka's `LeaderEpochFileCache`): the first offset
 * written in each leader epoch, persisted in `leader-epoch-checkpoint`. It answers
 * OffsetForLeaderEpoch, which consumers (KIP-320) and followers use to detect log divergence after
 * a leader change.
 *
 * @module
 */
import { formatCheckpoint } from './disk.js';
import type { LogDirectory } from './storage.js';

/** File name of the checkpoint, in the partition directory. */
export const LEADER_EPOCH_CHECKPOINT = 'leader-epoch-checkpoint';

/** The first offset of a leader epoch. */
export interface EpochEntry {
  epoch: number;
  startOffset: number;
}

/** Answer of OffsetForLeaderEpoch: `-1, -1` when the epoch is unknown. */
export interface EpochEndOffset {
  leaderEpoch: number;
  endOffset: number;
}

/** Epochs and their start offsets, both strictly increasing. */
export class LeaderEpochCache {
  private entries: EpochEntry[];

  /** Loads the checkpoint of `dir`, if any. */
  constructor(private readonly dir: LogDirectory) {
    this.entries = LeaderEpochCache.parse(dir.readText(LEADER_EPOCH_CHECKPOINT));
  }

  private static parse(text: string | null): EpochEntry[] {
    if (text === null) return [];
    const lines = text.split('\n').filter((l) => l.length > 0);
    // A malformed checkpoint is rebuilt from the batches during recovery, so start empty.
    if (lines[0] !== '0' || Number(lines[1]) !== lines.length - 2) return [];
    return lines.slice(2).map((l) => {
      const [epoch, startOffset] = l.split(' ').map(Number);
      return { epoch, startOffset };
    });
  }

  /** The entries, oldest first. */
  get epochEntries(): readonly EpochEntry[] {
    return this.entries;
  }

  /** The latest epoch, or -1 when none is known. */
  get latestEpoch(): number {
    return this.entries.length === 0 ? -1 : this.entries[this.entries.length - 1].epoch;
  }

  /**
   * Records that `epoch` starts at `startOffset` (Kafka's `assign`): ignored for a negative epoch
   * or when it changes nothing; entries at or after it, by epoch or offset, are dropped first.
   */
  assign(epoch: number, startOffset: number): void {
    if (epoch < 0) return;
    const latest = this.entries[this.entries.length - 1];
    if (latest && latest.epoch === epoch && latest.startOffset <= startOffset) return;
    this.entries = this.entries.filter((e) => e.epoch < epoch && e.startOffset < startOffset);
    this.entries.push({ epoch, startOffset });
    this.persist();
  }

  /** Drops entries starting at or after `endOffset` (truncation of the log end). */
  truncateFromEnd(endOffset: number): void {
    const kept = this.entries.filter((e) => e.startOffset < endOffset);
    if (kept.length === this.entries.length) return;
    this.entries = kept;
    this.persist();
  }

  /**
   * Moves the start to `startOffset` (log start offset moved): entries wholly before it are
   * dropped and the one covering it now starts there.
   */
  truncateFromStart(startOffset: number): void {
    let covering = -1;
    while (covering + 1 < this.entries.length && this.entries[covering + 1].startOffset <= startOffset)
      covering++;
    if (covering < 0 || (covering === 0 && this.entries[0].startOffset === startOffset)) return;
    const epoch = this.entries[covering].epoch;
    this.entries = [{ epoch, startOffset }, ...this.entries.slice(covering + 1)];
    this.persist();
  }

  /** Removes every entry. */
  clear(): void {
    if (this.entries.length === 0) return;
    this.entries = [];
    this.persist();
  }

  /**
   * The end offset of `requestedEpoch`: the start offset of the next higher epoch, or the log end
   * offset for the latest epoch (Kafka's `endOffsetFor`). For an epoch below the earliest known
   * one it returns the requested epoch with the start of the earliest.
   */
  endOffsetFor(requestedEpoch: number, logEndOffset: number): EpochEndOffset {
    if (requestedEpoch < 0) return { leaderEpoch: -1, endOffset: -1 };
    if (requestedEpoch === this.latestEpoch) return { leaderEpoch: requestedEpoch, endOffset: logEndOffset };
    const higher = this.entries.findIndex((e) => e.epoch > requestedEpoch);
    if (higher < 0) return { leaderEpoch: -1, endOffset: -1 };
    const endOffset = this.entries[higher].startOffset;
    return higher === 0
      ? { leaderEpoch: requestedEpoch, endOffset }
      : { leaderEpoch: this.entries[higher - 1].epoch, endOffset };
  }

  private persist(): void {
    this.dir.writeText(
      LEADER_EPOCH_CHECKPOINT,
      formatCheckpoint(this.entries.map((e) => [e.epoch, e.startOffset])),
    );
  }
}
