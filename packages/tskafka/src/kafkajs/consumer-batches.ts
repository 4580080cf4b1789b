/**
 * How a poll's records reach KafkaJS's handlers: split into one batch per partition, handed to
 * `eachMessage` or `eachBatch` (`partitionsConsumedConcurrently` batches at once), with KafkaJS's
 * batch events, offset resolution and commit after each batch; a failed batch is read again from
 * its first unresolved message.
 *
 * @module
 */
import type { ConsumerRecord, Consumer as TsConsumer } from '@tskafka/consumer';
import { type ConsumerRunConfig, type OffsetsByTopicPartition, toMessage } from './consumer-types.js';
import { ConsumerEvents } from './events.js';
import type { ResolvedOffsets } from './resolved-offsets.js';

/** What the batch handling needs from its consumer. */
export interface BatchContext {
  /** The handlers and commit settings of `run`. */
  runConfig(): ConsumerRunConfig;
  /** Whether the consumer still runs (a stop ends a batch after its current message). */
  running(): boolean;
  /** Emits a consumer event. */
  emit(type: string, payload: unknown): void;
  /** The offsets resolved. */
  readonly resolved: ResolvedOffsets;
  /** Commits the resolved offsets. */
  commitResolved(): Promise<void>;
  /** Commits them if `autoCommitInterval` or `autoCommitThreshold` says so. */
  commitIfNecessary(): Promise<void>;
  /** The resolved offsets not committed. */
  uncommittedOffsets(): OffsetsByTopicPartition;
}

const key = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

/** tskafka heartbeats on its own timer: KafkaJS's `heartbeat()` has nothing left to do. */
const noHeartbeat = async (): Promise<void> => {};

/** Hands a poll's records to the handlers, batch by batch; rethrows the first failure. */
export async function handleRecords(
  ctx: BatchContext,
  consumer: TsConsumer,
  records: ConsumerRecord<Buffer | null, Buffer | null>[],
): Promise<void> {
  if (records.length === 0) return;
  const run = ctx.runConfig();
  // A poll's records come in runs, one per partition: split at run ends, and join runs of the
  // same partition only if one comes back.
  const batches = new Map<string, ConsumerRecord<Buffer | null, Buffer | null>[]>();
  for (let start = 0; start < records.length; ) {
    const { topic, partition } = records[start];
    let end = start + 1;
    while (end < records.length && records[end].partition === partition && records[end].topic === topic)
      end++;
    const run = start === 0 && end === records.length ? records : records.slice(start, end);
    const k = key(topic, partition);
    const list = batches.get(k);
    if (list === undefined) batches.set(k, run);
    else for (const r of run) list.push(r);
    start = end;
  }
  if (batches.size === 1 || (run.partitionsConsumedConcurrently ?? 1) <= 1) {
    let error: unknown = null;
    for (const list of batches.values()) {
      if (error !== null)
        consumer.seek({ topic: list[0].topic, partition: list[0].partition }, list[0].offset);
      else
        try {
          await handleBatch(ctx, consumer, list);
        } catch (e) {
          error = e;
        }
    }
    if (error !== null) throw error;
    return;
  }
  // KafkaJS's partitionsConsumedConcurrently: that many partitions' batches at once; the
  // first failure is rethrown once every batch started has settled (each rewinds its own).
  const queue = [...batches.values()];
  const errors: unknown[] = [];
  const worker = async (): Promise<void> => {
    for (let list = queue.shift(); list !== undefined; list = queue.shift()) {
      try {
        await handleBatch(ctx, consumer, list);
      } catch (e) {
        errors.push(e);
      }
    }
  };
  const width = Math.max(1, Math.min(run.partitionsConsumedConcurrently ?? 1, queue.length));
  await Promise.all(Array.from({ length: width }, worker));
  if (errors.length > 0) throw errors[0];
}

/** Hands one partition's records to the handler; on failure seeks back to the first unresolved one. */
async function handleBatch(
  ctx: BatchContext,
  consumer: TsConsumer,
  list: ConsumerRecord<Buffer | null, Buffer | null>[],
): Promise<void> {
  const { topic, partition } = list[0];
  const tp = { topic, partition };
  const run = ctx.runConfig();
  if (!ctx.running()) {
    consumer.seek(tp, list[0].offset);
    return;
  }
  let paused = false;
  const pause = (): (() => void) => {
    paused = true;
    consumer.pause([tp]);
    return () => consumer.resume([tp]);
  };
  // The partition's resolution entry, moved on in place per message.
  const resolution = ctx.resolved.of(topic, partition);
  let next = list[0].offset;
  const highWatermark = consumer.highWatermark(tp) ?? list[list.length - 1].offset + 1;
  const last = list[list.length - 1].offset;
  const batchInfo = {
    topic,
    partition,
    highWatermark: String(highWatermark),
    offsetLag: String(Math.max(0, highWatermark - 1 - last)),
    offsetLagLow: String(Math.max(0, highWatermark - 1 - list[0].offset)),
    batchSize: list.length,
    firstOffset: String(list[0].offset),
    lastOffset: String(last),
  };
  const started = Date.now();
  ctx.emit(ConsumerEvents.START_BATCH_PROCESS, batchInfo);
  const autoCommit = run.autoCommit !== false;
  const commitsByCount = autoCommit && (run.autoCommitInterval != null || run.autoCommitThreshold != null);
  try {
    const eachMessage = run.eachMessage;
    if (eachMessage !== undefined) {
      for (const r of list) {
        await eachMessage({ topic, partition, message: toMessage(r), heartbeat: noHeartbeat, pause });
        next = r.offset + 1;
        resolution.offset = next;
        ctx.resolved.count++;
        if (commitsByCount) await ctx.commitIfNecessary();
        if (paused || !ctx.running()) break;
      }
    } else if (run.eachBatch !== undefined) {
      const messages = list.map(toMessage);
      await run.eachBatch({
        batch: {
          topic,
          partition,
          highWatermark: String(highWatermark),
          messages,
          isEmpty: () => messages.length === 0,
          firstOffset: () => messages[0]?.offset ?? null,
          lastOffset: () => String(last),
          offsetLag: () => batchInfo.offsetLag,
          offsetLagLow: () => batchInfo.offsetLagLow,
        },
        resolveOffset: (offset) => {
          next = Math.max(next, Number(offset) + 1);
          ctx.resolved.resolve(topic, partition, next);
        },
        heartbeat: noHeartbeat,
        pause,
        commitOffsetsIfNecessary: () => ctx.commitIfNecessary(),
        uncommittedOffsets: () => ctx.uncommittedOffsets(),
        isRunning: () => ctx.running(),
        isStale: () => false,
      });
      if (run.eachBatchAutoResolve !== false) {
        next = last + 1;
        ctx.resolved.resolve(topic, partition, next);
      }
    }
  } catch (e) {
    // Not handled: read again from the first message not resolved, once what was is committed.
    consumer.seek(tp, next);
    if (autoCommit) await ctx.commitResolved();
    throw e;
  }
  ctx.emit(ConsumerEvents.END_BATCH_PROCESS, {
    ...batchInfo,
    duration: Date.now() - started,
  });
  if (next <= last) consumer.seek(tp, next);
  // KafkaJS commits what was resolved after every batch.
  if (autoCommit) await ctx.commitResolved();
}
