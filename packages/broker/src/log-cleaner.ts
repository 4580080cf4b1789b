/**
 * The broker's log cleaner (Kafka's `LogCleaner` thread and `LogCleanerManager`): every
 * `log.cleaner.backoff.ms` it compacts the hosted logs whose `cleanup.policy` includes `compact`
 * and whose dirty part is due (see `log/cleaner.ts`). Each replica cleans its own log, leader
 * and followers alike, as in Kafka; a follower fetching from a compacted leader takes the gaps as
 * they are.
 */
import type { ActiveProducer, CleanResult } from './log/index.js';
import type { Partition } from './partition.js';

/** Where the cleaner reports what it did and what failed. */
export type CleanerLog = (level: 'info' | 'warn', message: string) => void;

/** The producers of `p` the cleaner must keep the last batch of (Kafka's `lastRecordsOfActiveProducers`). */
export function activeProducers(p: Partition): Map<number, ActiveProducer> {
  const out = new Map<number, ActiveProducer>();
  for (const [id, e] of p.producerState.producers) {
    const last = e.batches[e.batches.length - 1];
    out.set(id, { producerEpoch: e.epoch, lastDataOffset: last ? last.lastOffset : null });
  }
  return out;
}

/**
 * Compacts `p`'s log if its topic is compacted and a cleaning is due (or `force`). A failure is
 * logged at warn and leaves the log as it was; returns what was done, or `null`.
 */
export function cleanPartition(
  p: Partition,
  now: number,
  log: CleanerLog,
  force = false,
): CleanResult | null {
  if (!p.log.config.cleanupPolicy.includes('compact')) return null;
  try {
    const result = p.log.clean({
      now,
      lastStableOffset: p.lastStableOffset,
      activeProducers: activeProducers(p),
      force,
    });
    if (result !== null) {
      log(
        'info',
        `${p.key}: cleaned ${result.recordsRemoved} of ${result.recordsRead} records, ${result.bytesBefore} -> ${result.bytesAfter} bytes, clean below offset ${result.firstDirtyOffset}`,
      );
    }
    return result;
  } catch (e) {
    log('warn', `${p.key}: log cleaning failed: ${(e as Error).message}`);
    return null;
  }
}
