/**
 * The message browser and the transactions page: records of one partition (the latest N, or from
 * an offset or a time) read with a group-less consumer, and open transactions with the producers
 * of their partitions, from the admin calls Kafka has for them.
 */
import type { Admin } from '@tskafka/admin';
import { silentLogger } from '@tskafka/transport';
import type { Kafka } from 'tskafka';
import { ConsoleRequestError } from './writes.js';

/** A key, value or header value in the three forms the browser shows. */
export interface BytesView {
  /** UTF-8 text (with replacement characters where the bytes are not UTF-8); null for a null value. */
  text: string | null;
  /** Pretty JSON when the text parses as JSON, else null. */
  json: string | null;
  /** Hex of the bytes; null for a null value. */
  hex: string | null;
  /** Byte length, -1 for null. */
  size: number;
}

/** A record in the browser. */
export interface RecordView {
  /** Partition. */
  partition: number;
  /** Offset. */
  offset: number;
  /** Timestamp, ms since the epoch. */
  timestamp: number;
  /** Key. */
  key: BytesView;
  /** Value. */
  value: BytesView;
  /** Headers in wire order. */
  headers: { key: string; value: BytesView }[];
}

/** Where the browser starts reading. */
export interface BrowseQuery {
  /** The partition. */
  partition: number;
  /** How many records, at most 500 (default 20). */
  limit?: number;
  /** Read from this offset. */
  offset?: number;
  /** Read from the first record at or after this time (ms). */
  timestamp?: number;
}

/** What a browse answers. */
export interface BrowseResult {
  /** Topic. */
  topic: string;
  /** Partition. */
  partition: number;
  /** The offset reading started at. */
  from: number;
  /** The partition's log start and end when read. */
  logStartOffset: number;
  /** Log end offset. */
  logEndOffset: number;
  /** The records, in offset order. */
  records: RecordView[];
}

/** Shows bytes as text, JSON and hex (hex cut at 4 KiB, text at 64 KiB). */
export function bytesView(b: Buffer | null): BytesView {
  if (b === null) return { text: null, json: null, hex: null, size: -1 };
  const text = b.subarray(0, 65536).toString('utf8');
  let json: string | null = null;
  const first = text.trimStart()[0];
  if (first === '{' || first === '[' || first === '"') {
    try {
      json = JSON.stringify(JSON.parse(text), null, 2);
    } catch {
      json = null;
    }
  }
  return { text, json, hex: b.subarray(0, 4096).toString('hex'), size: b.length };
}

/** Reads up to `limit` records of a partition, from an offset, a time, or the last `limit`. */
export async function browse(
  kafka: Kafka,
  admin: Admin,
  topic: string,
  query: BrowseQuery,
): Promise<BrowseResult> {
  const limit = Math.min(500, Math.max(1, query.limit ?? 20));
  const tp = { topic, partition: query.partition };
  const [described] = await admin.describeTopics([topic]).catch(() => []);
  if (described === undefined) throw new ConsoleRequestError(404, `topic "${topic}" does not exist`);
  if (!described.partitions.some((p) => p.partition === query.partition))
    throw new ConsoleRequestError(404, `topic "${topic}" has no partition ${query.partition}`);
  const [[start], [end]] = await Promise.all([
    admin.listOffsets([tp], 'earliest'),
    admin.listOffsets([tp], 'latest'),
  ]);
  const lo = start?.offset ?? 0;
  const hi = end?.offset ?? 0;
  let from: number;
  if (query.offset !== undefined) from = query.offset;
  else if (query.timestamp !== undefined) {
    const [at] = await admin.listOffsets([tp], query.timestamp);
    from = at === undefined || at.offset < 0 ? hi : at.offset;
  } else from = hi - limit;
  from = Math.min(hi, Math.max(lo, from));
  const result: BrowseResult = {
    topic,
    partition: query.partition,
    from,
    logStartOffset: lo,
    logEndOffset: hi,
    records: [],
  };
  if (from >= hi) return result;
  const consumer = kafka.consumer({ logger: silentLogger, enableAutoCommit: false, maxPollRecords: limit });
  try {
    await consumer.connect();
    await consumer.assign([tp]);
    consumer.seek(tp, from);
    // Poll until the records reach the limit or the end as it was when we looked; a compacted or
    // transactional log may have fewer records than offsets, so stop at the end too.
    for (let polls = 0; result.records.length < limit && polls < 20; polls++) {
      const records = await consumer.poll(500);
      for (const r of records) {
        if (result.records.length >= limit) break;
        result.records.push({
          partition: r.partition,
          offset: r.offset,
          timestamp: r.timestamp,
          key: bytesView(r.key),
          value: bytesView(r.value),
          headers: r.headers.map((h) => ({ key: h.key, value: bytesView(h.value ?? null) })),
        });
      }
      if ((await consumer.position(tp)) >= hi) break;
    }
  } finally {
    await consumer.close({ timeoutMs: 5000 });
  }
  return result;
}

/** An open transaction on the transactions page. */
export interface TransactionView {
  /** The transactional id. */
  transactionalId: string;
  /** State (`Ongoing`, `PrepareCommit`, ...). */
  state: string;
  /** Producer id. */
  producerId: number;
  /** Producer epoch, -1 when not described. */
  producerEpoch: number;
  /** Transaction timeout, ms; -1 when not described. */
  timeoutMs: number;
  /** When the transaction started, ms since the epoch; -1 when none. */
  startTimeMs: number;
  /** The partitions in the transaction, as `topic-partition`. */
  partitions: string[];
}

/** A producer the partitions of open transactions keep state for. */
export interface ProducerView {
  /** `topic-partition`. */
  partition: string;
  /** Producer id. */
  producerId: number;
  /** Epoch. */
  producerEpoch: number;
  /** Last sequence written. */
  lastSequence: number;
  /** Last write time, ms. */
  lastTimestamp: number;
  /** Where its open transaction starts, -1 when none. */
  currentTransactionStartOffset: number;
}

/** Transactions and their producers (`GET /api/transactions`). */
export async function transactionsView(
  admin: Admin,
): Promise<{ transactions: TransactionView[]; producers: ProducerView[] }> {
  const listed = await admin.listTransactions();
  const described =
    listed.length === 0
      ? []
      : await admin.describeTransactions(listed.map((t) => t.transactionalId)).catch(() => []);
  const byId = new Map(described.map((d) => [d.transactionalId, d]));
  const transactions = listed
    .map((t): TransactionView => {
      const d = byId.get(t.transactionalId);
      return {
        transactionalId: t.transactionalId,
        state: d?.state ?? t.state,
        producerId: t.producerId,
        producerEpoch: d?.producerEpoch ?? -1,
        timeoutMs: d?.transactionTimeoutMs ?? -1,
        startTimeMs: d?.transactionStartTimeMs ?? -1,
        partitions: (d?.topicPartitions ?? []).map((tp) => `${tp.topic}-${tp.partition}`),
      };
    })
    .sort((a, b) => (a.transactionalId < b.transactionalId ? -1 : 1));
  const partitions = new Map<string, { topic: string; partition: number }>();
  for (const d of described)
    for (const tp of d.topicPartitions) partitions.set(`${tp.topic}-${tp.partition}`, tp);
  const states =
    partitions.size === 0 ? [] : await admin.describeProducers([...partitions.values()]).catch(() => []);
  const producers: ProducerView[] = [];
  for (const s of states)
    for (const p of s.activeProducers)
      producers.push({
        partition: `${s.topic}-${s.partition}`,
        producerId: p.producerId,
        producerEpoch: p.producerEpoch,
        lastSequence: p.lastSequence,
        lastTimestamp: p.lastTimestamp,
        currentTransactionStartOffset: p.currentTransactionStartOffset ?? -1,
      });
  return { transactions, producers };
}
