/**
 * The aborted transaction index of a segment (Kafka's `TransactionIndex`, the `.txnindex` file
 * next to `.log`, `.index` and `.timeindex`): one fixed-size entry per aborted transaction whose
 * ABORT marker is in the segment, in marker order. A read_committed fetch collects the entries
 * overlapping the range it returns, so the consumer can drop those transactions' records.
 *
 * Entry layout (34 bytes, big endian): `version int16 (0), producerId int64, firstOffset int64,
 * lastOffset int64, lastStableOffset int64`. `lastOffset` is the offset of the ABORT marker;
 * `lastStableOffset` the partition's last stable offset once the transaction was aborted, which
 * tells a search over later segments when it may stop.
 *
 * As in Kafka the file is created on the first entry: segments without aborted transactions have
 * no `.txnindex`.
 *
 * @module
 */
import { readInt64, writeInt64 } from './batch.js';
import type { LogDirectory, SegmentFile } from './storage.js';

/** Size of one entry. */
export const ABORTED_TXN_ENTRY_SIZE = 34;
/** The only entry version. */
export const ABORTED_TXN_VERSION = 0;

/** One aborted transaction (Kafka's `AbortedTxn`). */
export interface AbortedTxn {
  /** The producer whose transaction was aborted. */
  producerId: number;
  /** Offset of the transaction's first record in this partition. */
  firstOffset: number;
  /** Offset of its ABORT marker. */
  lastOffset: number;
  /** The partition's last stable offset after the abort. */
  lastStableOffset: number;
}

/** What a search of one segment found (Kafka's `TxnIndexSearchResult`). */
export interface TxnIndexSearchResult {
  /** Entries overlapping the searched range, in marker order. */
  abortedTransactions: AbortedTxn[];
  /** Whether later segments cannot hold more (an entry's last stable offset reached the bound). */
  isComplete: boolean;
}

/** Encodes entries back to back. */
export function encodeAbortedTxns(entries: readonly AbortedTxn[]): Buffer {
  const buf = Buffer.alloc(entries.length * ABORTED_TXN_ENTRY_SIZE);
  entries.forEach((e, i) => {
    const at = i * ABORTED_TXN_ENTRY_SIZE;
    buf.writeInt16BE(ABORTED_TXN_VERSION, at);
    writeInt64(buf, at + 2, e.producerId);
    writeInt64(buf, at + 10, e.firstOffset);
    writeInt64(buf, at + 18, e.lastOffset);
    writeInt64(buf, at + 26, e.lastStableOffset);
  });
  return buf;
}

/**
 * Decodes the whole entries of `buf`; a torn tail (fewer than 34 bytes) is ignored. Throws on an
 * entry of another version, as Kafka does.
 */
export function decodeAbortedTxns(buf: Buffer): AbortedTxn[] {
  const out: AbortedTxn[] = [];
  for (let at = 0; at + ABORTED_TXN_ENTRY_SIZE <= buf.length; at += ABORTED_TXN_ENTRY_SIZE) {
    const version = buf.readInt16BE(at);
    if (version !== ABORTED_TXN_VERSION) {
      throw new Error(`aborted transaction index entry at byte ${at} has version ${version}, not 0`);
    }
    out.push({
      producerId: readInt64(buf, at + 2),
      firstOffset: readInt64(buf, at + 10),
      lastOffset: readInt64(buf, at + 18),
      lastStableOffset: readInt64(buf, at + 26),
    });
  }
  return out;
}

/** The `.txnindex` of one segment; the entries are cached in memory once read. */
export class TransactionIndex {
  private file: SegmentFile | null;
  private cache: AbortedTxn[] | null = null;
  private lastOffset = -1;

  /** The index `name` of `dir`; it is opened only if `exists`, else created by the first append. */
  constructor(
    private readonly dir: LogDirectory,
    private readonly name: string,
    exists: boolean,
  ) {
    this.file = exists ? dir.open(name) : null;
  }

  /** Whether the file exists. */
  get exists(): boolean {
    return this.file !== null;
  }

  /** Whether the file ends with a partial entry (a torn write). */
  get isTorn(): boolean {
    return this.file !== null && this.file.size % ABORTED_TXN_ENTRY_SIZE !== 0;
  }

  /** The whole entries, in marker order. */
  get entries(): readonly AbortedTxn[] {
    if (this.cache === null) {
      this.cache = this.file === null ? [] : decodeAbortedTxns(this.file.read(0, this.file.size));
      this.lastOffset = this.cache.length > 0 ? this.cache[this.cache.length - 1].lastOffset : -1;
    }
    return this.cache;
  }

  /** Appends an entry; markers come in offset order, so its `lastOffset` must exceed the last one's. */
  append(entry: AbortedTxn): void {
    const entries = this.entries as AbortedTxn[];
    if (entry.lastOffset <= this.lastOffset) {
      throw new Error(
        `aborted transaction at ${entry.lastOffset} does not follow the last indexed one at ${this.lastOffset}`,
      );
    }
    if (this.file === null) this.file = this.dir.open(this.name);
    this.file.append(encodeAbortedTxns([entry]));
    entries.push({ ...entry });
    this.lastOffset = entry.lastOffset;
  }

  /** Replaces every entry (recovery), creating the file if there are entries and it is missing. */
  rewrite(entries: readonly AbortedTxn[]): void {
    if (this.file === null && entries.length === 0) return;
    if (this.file === null) this.file = this.dir.open(this.name);
    this.file.truncate(0);
    this.file.append(encodeAbortedTxns(entries));
    this.cache = entries.map((e) => ({ ...e }));
    this.lastOffset = entries.length > 0 ? entries[entries.length - 1].lastOffset : -1;
  }

  /** Removes the entries whose marker is at or after `offset` (Kafka's `truncateTo`). */
  truncateTo(offset: number): void {
    const entries = this.entries;
    const keep = entries.findIndex((e) => e.lastOffset >= offset);
    if (keep < 0) return;
    this.file?.truncate(keep * ABORTED_TXN_ENTRY_SIZE);
    this.cache = entries.slice(0, keep);
    this.lastOffset = keep > 0 ? entries[keep - 1].lastOffset : -1;
  }

  /**
   * The aborted transactions overlapping `[fetchOffset, upperBoundOffset)` (Kafka's
   * `collectAbortedTxns`): those not ended before `fetchOffset` and begun before the bound. The
   * search is complete once an entry's last stable offset reaches the bound: every transaction
   * aborted later began at or after it.
   */
  collectAbortedTxns(fetchOffset: number, upperBoundOffset: number): TxnIndexSearchResult {
    const abortedTransactions: AbortedTxn[] = [];
    for (const e of this.entries) {
      if (e.lastOffset >= fetchOffset && e.firstOffset < upperBoundOffset) abortedTransactions.push(e);
      if (e.lastStableOffset >= upperBoundOffset) return { abortedTransactions, isComplete: true };
    }
    return { abortedTransactions, isComplete: false };
  }

  /** fsyncs the file. */
  flush(): void {
    this.file?.flush();
  }

  /** Releases its file descriptor until the next use. */
  release(): void {
    this.file?.release();
  }

  /** Flushes and closes the file. */
  close(): void {
    this.file?.close();
  }

  /** Deletes the file. */
  delete(): void {
    this.file?.delete();
    this.file = null;
    this.cache = [];
    this.lastOffset = -1;
  }
}

/** A segment as the functions below see it: its base offset and its transaction index. */
export interface TxnIndexedSegment {
  /** The segment's base offset. */
  readonly baseOffset: number;
  /** Its aborted transaction index. */
  readonly txnIndex: TransactionIndex;
}

/**
 * The aborted transactions overlapping `[startOffset, upperBoundOffset)` across `segments`
 * (oldest first), searching from the segment holding `startOffset` until a search is complete
 * (Kafka's `UnifiedLog.collectAbortedTransactions`).
 */
export function collectAbortedTxns(
  segments: readonly TxnIndexedSegment[],
  startOffset: number,
  upperBoundOffset: number,
): AbortedTxn[] {
  let first = 0;
  while (first + 1 < segments.length && segments[first + 1].baseOffset <= startOffset) first++;
  const out: AbortedTxn[] = [];
  for (let i = first; i < segments.length; i++) {
    const r = segments[i].txnIndex.collectAbortedTxns(startOffset, upperBoundOffset);
    out.push(...r.abortedTransactions);
    if (r.isComplete) break;
  }
  return out;
}

/**
 * Brings the segments' transaction indexes in line with `computed`, the aborted transactions a
 * replay of the log found (recovery): an index that is torn, lacks an entry the replay found, or
 * holds entries past its segment's end (a truncated log) is rewritten with its whole stored
 * entries merged with the replay's. Entries the replay could not see (their transaction began in
 * a segment since deleted) are kept. Returns the segments rewritten.
 */
export function reconcileTxnIndexes(
  segments: readonly TxnIndexedSegment[],
  computed: readonly AbortedTxn[],
  logEndOffset: number,
): number[] {
  const rewritten: number[] = [];
  segments.forEach((segment, i) => {
    const end = i + 1 < segments.length ? segments[i + 1].baseOffset : logEndOffset;
    const inSegment = computed.filter((e) => e.lastOffset >= segment.baseOffset && e.lastOffset < end);
    const index = segment.txnIndex;
    let stored: readonly AbortedTxn[] = [];
    let unreadable = false;
    try {
      stored = index.entries;
    } catch {
      unreadable = true; // an entry of an unknown version: rebuilt from the replay alone
    }
    const byMarker = new Map<number, AbortedTxn>();
    for (const e of stored)
      if (e.lastOffset >= segment.baseOffset && e.lastOffset < end) byMarker.set(e.lastOffset, e);
    const missing = inSegment.filter((e) => !byMarker.has(e.lastOffset));
    const corrupt = unreadable || index.isTorn || byMarker.size !== stored.length;
    if (missing.length === 0 && !corrupt) return;
    for (const e of missing) byMarker.set(e.lastOffset, e);
    index.rewrite([...byMarker.values()].sort((a, b) => a.lastOffset - b.lastOffset));
    rewritten.push(segment.baseOffset);
  });
  return rewritten;
}
