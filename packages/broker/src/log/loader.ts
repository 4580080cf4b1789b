/**
 * Loading a partition log from its directory (Kafka's `LogLoader`): find the segments, drop
 * leftovers of interrupted operations, recover the last segment batch by batch, rebuild indexes
 * that are missing or torn, and settle the log start and end offsets.
 *
 * @module
 */
import { completeInterruptedSwap } from './cleaner.js';
import type { LogConfig } from './config.js';
import type { LeaderEpochCache } from './leader-epoch.js';
import { LogSegment, type RecoveryResult } from './segment.js';
import type { LogDirectory } from './storage.js';

/** What loading found. */
export interface LoadedLog {
  /** Segments by increasing base offset; never empty. */
  segments: LogSegment[];
  logStartOffset: number;
  logEndOffset: number;
  /** The recovery of the last segment (`truncatedBytes > 0` after a torn write). */
  recovery: RecoveryResult;
}

const SEGMENT_FILE = /^(\d{20})\.(log|index|timeindex|txnindex)$/;
/** Suffixes of files left by an interrupted operation: ours (`.tmp`) and Kafka's. */
const LEFTOVER = /\.(tmp|deleted|cleaned|swap)$/;

/** Loads (or creates) the log in `dir`; recovers the tail of the last segment. */
export function loadLog(
  dir: LogDirectory,
  config: LogConfig,
  now: number,
  epochs: LeaderEpochCache,
): LoadedLog {
  const logs = new Set<number>();
  const indexes = new Map<number, string[]>();
  const txnIndexes = new Set<number>();
  completeInterruptedSwap(dir);
  for (const name of dir.list()) {
    if (LEFTOVER.test(name)) {
      dir.remove(name);
      continue;
    }
    const match = SEGMENT_FILE.exec(name);
    if (!match) continue;
    const baseOffset = Number(match[1]);
    if (match[2] === 'log') logs.add(baseOffset);
    else if (match[2] === 'txnindex') txnIndexes.add(baseOffset);
    if (match[2] !== 'log') indexes.set(baseOffset, [...(indexes.get(baseOffset) ?? []), name]);
  }
  // Index files without their log are what remains of an interrupted segment deletion.
  for (const [baseOffset, names] of indexes) {
    if (!logs.has(baseOffset)) for (const name of names) dir.remove(name);
  }

  const checkpointed = dir.readLogStartOffset();
  const bases = [...logs].sort((a, b) => a - b);
  if (bases.length === 0) bases.push(checkpointed ?? 0);
  const segments = bases.map((base) =>
    LogSegment.open(dir, base, config.segmentIndexBytes, now, txnIndexes.has(base)),
  );

  // Segments before the last were fsynced when rolled; only a missing or torn index needs work.
  for (const segment of segments.slice(0, -1)) {
    const present = (indexes.get(segment.baseOffset) ?? []).filter((n) => !n.endsWith('.txnindex')).length;
    if (present < 2 || !segment.indexesLookSound) segment.recover(config.indexIntervalBytes);
  }
  const last = segments[segments.length - 1];
  const recovery = last.recover(config.indexIntervalBytes, (batch) => {
    if (batch.partitionLeaderEpoch > epochs.latestEpoch)
      epochs.assign(batch.partitionLeaderEpoch, batch.baseOffset);
  });
  let logEndOffset = recovery.nextOffset;
  epochs.truncateFromEnd(logEndOffset);

  const logStartOffset = Math.max(checkpointed ?? 0, segments[0].baseOffset);
  if (logStartOffset > logEndOffset) {
    // The checkpoint is ahead of what survived (a torn tail after DeleteRecords): start over there.
    for (const segment of segments) segment.delete();
    segments.length = 0;
    segments.push(LogSegment.open(dir, logStartOffset, config.segmentIndexBytes, now));
    logEndOffset = logStartOffset;
    epochs.clear();
  }
  // Segments wholly below the log start offset may survive a crash during their deletion.
  while (segments.length > 1 && segments[1].baseOffset <= logStartOffset) segments.shift()?.delete();
  epochs.truncateFromStart(logStartOffset);
  for (const segment of segments.slice(0, -1)) segment.release();
  return { segments, logStartOffset, logEndOffset, recovery };
}
