/**
 * Looking up offsets by time with ListOffsets (Java's `OffsetFetcher`): where
 * `auto.offset.reset` and `seekToBeginning/End` move a partition, and the end offsets.
 *
 * @module
 */

import { createKafkaError, ErrorCode } from '@tskafka/protocol';
import { Api } from '@tskafka/protocol/internals';
import type { Cluster, ConsumerConfig } from '@tskafka/transport/internals';
import type { ConsumerCoordinator } from './coordinator.js';
import { NoOffsetForPartitionError } from './errors.js';
import type { OffsetCallOptions } from './offset-commit.js';
import type { SubscriptionState } from './subscription-state.js';
import { partitionKey, type TopicPartition } from './types.js';

/** ListOffsets' timestamp for the earliest offset. */
export const EARLIEST_TIMESTAMP = -2;
/** ListOffsets' timestamp for the latest offset (the high watermark, or the LSO under read_committed). */
export const LATEST_TIMESTAMP = -1;

/**
 * The offset of each partition at `timestamp` (-2 earliest, -1 latest, or a time in ms), asked
 * of each partition's leader. Retriable errors (leader moved, not available) are retried by the
 * cluster's retry policy within `timeoutMs`; with `call.operation`, running out of it rejects
 * with a `KafkaTimeoutError` naming the call.
 */
export async function listOffsets(
  cluster: Cluster,
  partitions: readonly (TopicPartition & { timestamp: number })[],
  isolationLevel: 0 | 1,
  timeoutMs: number,
  call: OffsetCallOptions = {},
): Promise<Map<string, number>> {
  const result = new Map<string, number>();
  let pending = [...partitions];
  await cluster.retry(
    async () => {
      const byNode = new Map<number, (TopicPartition & { timestamp: number })[]>();
      for (const p of pending) {
        let leader = cluster.leaderFor(p.topic, p.partition);
        if (leader < 0) {
          await cluster.waitForTopic(p.topic, timeoutMs);
          leader = cluster.leaderFor(p.topic, p.partition);
        }
        if (leader < 0) throw createKafkaError(ErrorCode.LEADER_NOT_AVAILABLE, { apiName: 'ListOffsets' });
        let list = byNode.get(leader);
        if (list === undefined) {
          list = [];
          byNode.set(leader, list);
        }
        list.push(p);
      }
      const failed: (TopicPartition & { timestamp: number })[] = [];
      let firstError: Error | null = null;
      await Promise.all(
        [...byNode].map(async ([node, list]) => {
          const topics = new Map<string, { partitionIndex: number; timestamp: number }[]>();
          for (const p of list) {
            let t = topics.get(p.topic);
            if (t === undefined) {
              t = [];
              topics.set(p.topic, t);
            }
            t.push({ partitionIndex: p.partition, timestamp: p.timestamp });
          }
          const res = await cluster.request(node, Api.ListOffsets, {
            replicaId: -1,
            isolationLevel,
            topics: [...topics].map(([name, ps]) => ({ name, partitions: ps })),
            timeoutMs,
          });
          for (const t of res.topics) {
            for (const p of t.partitions) {
              const tp = list.find((x) => x.topic === t.name && x.partition === p.partitionIndex);
              if (tp === undefined) continue;
              if (p.errorCode !== 0) {
                failed.push(tp);
                firstError ??= createKafkaError(p.errorCode, { apiName: 'ListOffsets', topic: t.name });
                continue;
              }
              const offset = p.offset >= 0 ? p.offset : (p.oldStyleOffsets?.[0] ?? -1);
              result.set(`${t.name}-${p.partitionIndex}`, offset);
            }
          }
        }),
      );
      pending = failed;
      if (firstError !== null) throw firstError;
    },
    { ...call, timeoutMs },
  );
  return result;
}

/**
 * The first (`EARLIEST_TIMESTAMP`) or end (`LATEST_TIMESTAMP`) offset of each of `partitions`,
 * keyed by the partition objects given, -1 where none was found (Java's
 * `OffsetFetcher.beginningOrEndOffset`); `operation` names the call in a timeout.
 */
export async function beginningOrEndOffsets(
  cluster: Cluster,
  c: ConsumerConfig,
  partitions: readonly TopicPartition[],
  timestamp: number,
  operation: string,
): Promise<Map<TopicPartition, number>> {
  const found = await listOffsets(
    cluster,
    partitions.map((tp) => ({ topic: tp.topic, partition: tp.partition, timestamp })),
    c.isolationLevel === 'read_committed' ? 1 : 0,
    c.defaultApiTimeoutMs,
    { operation },
  );
  const out = new Map<TopicPartition, number>();
  for (const tp of partitions) out.set(tp, found.get(partitionKey(tp.topic, tp.partition)) ?? -1);
  return out;
}

/**
 * Gives every assigned partition without a position one: the committed offset, else
 * `auto.offset.reset` (a {@link NoOffsetForPartitionError} for `none`). Both lookups share
 * `default.api.timeout.ms` from `call.startedAt`; `call.operation` names the call in a timeout.
 */
export async function updateFetchPositions(
  cluster: Cluster,
  subscriptions: SubscriptionState,
  coordinator: ConsumerCoordinator | null,
  c: ConsumerConfig,
  call: OffsetCallOptions = {},
): Promise<void> {
  const timed: OffsetCallOptions = { ...call, startedAt: call.startedAt ?? cluster.options.clock.now() };
  const missing = subscriptions.missingPositions();
  if (missing.length === 0) return;
  const needCommitted = missing.filter((s) => s.reset === null);
  if (needCommitted.length > 0) {
    if (coordinator !== null) {
      const committed = await coordinator.fetchCommitted(needCommitted, c.defaultApiTimeoutMs, timed);
      for (const s of needCommitted) {
        if (subscriptions.state(s.topic, s.partition) !== s || s.position !== null || s.reset !== null)
          continue;
        const om = committed.get(s.key);
        if (om != null) subscriptions.seek(s, om.offset, om.leaderEpoch ?? -1);
        else s.reset = c.autoOffsetReset;
      }
    } else {
      for (const s of needCommitted) s.reset = c.autoOffsetReset;
    }
  }
  const toReset = subscriptions.missingPositions().filter((s) => s.reset !== null);
  const none = toReset.filter((s) => s.reset === 'none');
  if (none.length > 0) {
    for (const s of none) s.reset = null;
    throw new NoOffsetForPartitionError(none.map((s) => ({ topic: s.topic, partition: s.partition })));
  }
  if (toReset.length === 0) return;
  const epochs = new Map(toReset.map((s) => [s.key, s.epoch]));
  const offsets = await listOffsets(
    cluster,
    toReset.map((s) => ({
      topic: s.topic,
      partition: s.partition,
      timestamp: s.reset === 'earliest' ? EARLIEST_TIMESTAMP : LATEST_TIMESTAMP,
    })),
    c.isolationLevel === 'read_committed' ? 1 : 0,
    c.defaultApiTimeoutMs,
    timed,
  );
  for (const s of toReset) {
    const offset = offsets.get(s.key);
    if (
      offset === undefined ||
      subscriptions.state(s.topic, s.partition) !== s ||
      s.epoch !== epochs.get(s.key)
    )
      continue;
    subscriptions.seek(s, offset);
  }
}
