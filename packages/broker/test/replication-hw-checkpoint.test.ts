/**
 * High watermark checkpoints (Kafka's `replication-offset-checkpoint`, with
 * `recovery-point-offset-checkpoint` beside it): written into each broker's data directory every
 * `replica.high.watermark.checkpoint.interval.ms` and at a clean stop, and read at start so a
 * restarted replica exposes no more than was committed, even when its log holds more, until a
 * leader tells it otherwise. The cluster runs on a manual clock: a checkpoint is written when the
 * test moves time past the interval, and a follower learns the leader's high watermark when its
 * fetch, waiting at the leader for data, answers after `replica.fetch.wait.max.ms`.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeRecordBatch } from '@tskafka/protocol/internals';
import { afterEach, describe, expect, it } from 'vitest';
import { type Cluster, startCluster } from '../src/broker.js';
import { ManualClock } from '../src/clock.js';
import { logConfig, PartitionLog } from '../src/log/index.js';
import { Partition } from '../src/partition.js';
import { RECOVERY_POINT_OFFSET_CHECKPOINT, REPLICATION_OFFSET_CHECKPOINT } from '../src/replica-manager.js';

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Resolves once `condition` holds, checking every 50 ms; fails naming `what` after 30 s. */
async function until(what: string, condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const read = (file: string): string | null => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
};

describe('high watermark checkpoint', () => {
  it('a partition starts from the given high watermark, kept within its log', () => {
    const cfg = logConfig({});
    const log = PartitionLog.open({ dir: null, config: cfg, now: 0 });
    cleanups.push(() => log.close());
    log.append(
      encodeRecordBatch({ timestamp: 0, records: [{ value: 'a' }, { value: 'b' }, { value: 'c' }] }),
      {
        leaderEpoch: 0,
        now: 0,
      },
    );
    expect(new Partition('t', 0, log, cfg, 2).highWatermark).toBe(2);
    expect(new Partition('t', 0, log, cfg, 9).highWatermark).toBe(3);
    expect(new Partition('t', 0, log, cfg).highWatermark).toBe(3);
  });

  it('is written periodically and at stop; a restarted follower ahead of it starts from it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tskafka-hw-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const clock = new ManualClock();
    const checkpointIntervalMs = 5000;
    const cluster: Cluster = await startCluster({
      brokers: 3,
      dataDir,
      logLevel: 'error',
      config: { 'replica.high.watermark.checkpoint.interval.ms': checkpointIntervalMs },
      clock,
    });
    cleanups.push(() => cluster.close());
    const fetchWaitMs = cluster.broker(1).config.replicaFetchWaitMaxMs;
    const partition = (id: number) => cluster.broker(id).replicaManager.getPartition('t', 0);
    const checkpoint = (id: number, name: string) => read(join(dataDir, `broker-${id}`, name));
    /** Lets `followers` fetches waiting at broker `leader` for data answer (with its high watermark). */
    const answerWaitingFetches = async (leader: number, followers: number) => {
      const purgatory = cluster.broker(leader).replicaManager.fetchPurgatory;
      await until(
        `${followers} follower fetches wait at broker ${leader}`,
        () => purgatory.size === followers,
      );
      clock.advance(fetchWaitMs);
    };

    cluster.metadata.createTopic('t', { numPartitions: 1, replicationFactor: 3, assignments: [[1, 2, 3]] });
    await until('broker 1 leads t-0', () => partition(1)?.isLeader === true);
    const batch = encodeRecordBatch({
      timestamp: clock.now(),
      records: Array.from({ length: 5 }, (_, i) => ({ value: `v${i}` })),
    });
    cluster.broker(1).replicaManager.appendToLeader('t', 0, batch, clock.now());
    await until('broker 1 has high watermark 5', () => partition(1)?.highWatermark === 5);
    await answerWaitingFetches(1, 2);
    await until('broker 3 has high watermark 5', () => partition(3)?.highWatermark === 5);
    // Periodically, while running: not before the interval has passed, then at it.
    expect(checkpoint(1, REPLICATION_OFFSET_CHECKPOINT)).toBeNull();
    clock.advance(checkpointIntervalMs - fetchWaitMs);
    expect(checkpoint(1, REPLICATION_OFFSET_CHECKPOINT)).toBe('0\n1\nt 0 5\n');

    await cluster.stopBroker(3);
    expect(checkpoint(3, REPLICATION_OFFSET_CHECKPOINT)).toBe('0\n1\nt 0 5\n');
    // Stopped cleanly: flushed up to the log end.
    expect(checkpoint(3, RECOVERY_POINT_OFFSET_CHECKPOINT)).toBe('0\n1\nt 0 5\n');

    // As if broker 3 had last checkpointed while the high watermark was 2, its log already at 5.
    writeFileSync(join(dataDir, 'broker-3', REPLICATION_OFFSET_CHECKPOINT), '0\n1\nt 0 2\n');
    // With brokers 1 and 2 gone too, t-0 has no leader: broker 3 comes back a follower that
    // cannot fetch, so what it exposes is what it read from the checkpoint.
    await cluster.stopBroker(2);
    await cluster.stopBroker(1);
    await cluster.startBroker(3);
    expect(partition(3)).toMatchObject({ isLeader: false, logEndOffset: 5, highWatermark: 2 });

    // Its leader comes back: the first fetch brings the leader's high watermark.
    await cluster.startBroker(1);
    await answerWaitingFetches(1, 1);
    await until('broker 3 has high watermark 5 again', () => partition(3)?.highWatermark === 5);
  });
});
