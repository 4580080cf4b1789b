/**
 * One turn of `Consumer.run`: hand a poll's records to `eachMessage` or `eachBatch`, and when a
 * handler throws, seek back so that the records not handled are read again (and never committed
 * by auto commit as if they had been).
 *
 * @module
 */
import type { RunOptions } from './options.js';
import type { SubscriptionState } from './subscription-state.js';
import { type ConsumerRecord, partitionKey } from './types.js';

/** Hands `records` to the handler of `options`, awaiting each call; rethrows a handler's error after rewinding. */
export async function dispatch<K, V>(
  records: ConsumerRecord<K, V>[],
  options: RunOptions<K, V>,
  subscriptions: SubscriptionState,
): Promise<void> {
  if (options.eachMessage !== undefined) {
    for (let i = 0; i < records.length; i++) {
      const r = records[i];
      // A handler may have unsubscribed or reassigned: records of dropped partitions are skipped.
      if (!subscriptions.isAssigned(r.topic, r.partition)) continue;
      try {
        await options.eachMessage({ topic: r.topic, partition: r.partition, message: r });
      } catch (e) {
        rewind(records.slice(i), subscriptions);
        throw e;
      }
    }
  } else if (options.eachBatch !== undefined) {
    const byPartition = new Map<string, ConsumerRecord<K, V>[]>();
    for (const r of records) {
      const k = partitionKey(r.topic, r.partition);
      let list = byPartition.get(k);
      if (list === undefined) {
        list = [];
        byPartition.set(k, list);
      }
      list.push(r);
    }
    const batches = [...byPartition.values()];
    for (let i = 0; i < batches.length; i++) {
      const messages = batches[i];
      if (!subscriptions.isAssigned(messages[0].topic, messages[0].partition)) continue;
      try {
        await options.eachBatch({ topic: messages[0].topic, partition: messages[0].partition, messages });
      } catch (e) {
        rewind(batches.slice(i).flat(), subscriptions);
        throw e;
      }
    }
  }
}

/** Seeks each partition back to the first of `records` in it. */
function rewind<K, V>(records: readonly ConsumerRecord<K, V>[], subscriptions: SubscriptionState): void {
  const first = new Map<string, ConsumerRecord<K, V>>();
  for (const r of records) {
    const k = partitionKey(r.topic, r.partition);
    if (!first.has(k)) first.set(k, r);
  }
  for (const r of first.values()) {
    const s = subscriptions.state(r.topic, r.partition);
    if (s !== undefined) subscriptions.seek(s, r.offset, r.leaderEpoch);
  }
}
