/**
 * The fetcher (Java's `Fetcher` and `FetchCollector`): at most one Fetch in flight per broker,
 * sent again as soon as the last one is answered, for every partition (one fetched ahead of the
 * data still buffered for it), so that the next records are on their way while the application
 * processes these. Completed fetches wait in a buffer; `collect` decodes them lazily
 * and hands out records from the current position of each partition only.
 *
 * @module
 */

import { ErrorCode, errorByCode } from '@tskafka/protocol';
import {
  Api,
  ControlRecordType,
  decodeControlRecord,
  decodeRecordBatches,
  NO_PRODUCER_ID,
  type RecordBatch,
  readRecordBatchHeaders,
} from '@tskafka/protocol/internals';
import { BrokerProtocolError, type Logger } from '@tskafka/transport';
import type { Cluster } from '@tskafka/transport/internals';
import { RecordFetchError } from './errors.js';
import {
  FetchSessionHandler,
  fetchRequestFields,
  type SessionPartitionData,
  sessionlessFetch,
} from './fetch-session.js';
import type { OffsetResetStrategy, PartitionState, SubscriptionState } from './subscription-state.js';

/** Fetch settings (Java's `FetchConfig`). */
export interface FetcherOptions {
  /** `fetch.min.bytes`. */
  minBytes: number;
  /** `fetch.max.wait.ms`. */
  maxWaitMs: number;
  /** `fetch.max.bytes`. */
  maxBytes: number;
  /** `max.partition.fetch.bytes`. */
  maxPartitionBytes: number;
  /** 0 read_uncommitted, 1 read_committed. */
  isolationLevel: 0 | 1;
  /** `check.crcs`. */
  checkCrcs: boolean;
  /** `auto.offset.reset`, applied on OFFSET_OUT_OF_RANGE. */
  autoOffsetReset: OffsetResetStrategy;
  /** `request.timeout.ms`. */
  requestTimeoutMs: number;
}

/** A record as fetched, before deserialization. */
export interface FetchedRecord {
  /** The partition state it belongs to. */
  readonly state: PartitionState;
  /** The record's offset. */
  readonly offset: number;
  /** Its timestamp. */
  readonly timestamp: number;
  /** Key bytes. */
  readonly key: Buffer | null;
  /** Value bytes. */
  readonly value: Buffer | null;
  /** Headers. */
  readonly headers: { key: string; value: Buffer | null }[];
  /** The batch's leader epoch. */
  readonly leaderEpoch: number;
}

/** One partition's data from one Fetch response, consumed bit by bit by {@link Fetcher.collect}. */
interface CompletedFetch {
  readonly state: PartitionState;
  /** The partition's seek epoch when the fetch was sent. */
  readonly epoch: number;
  readonly fetchOffset: number;
  readonly data: Buffer;
  batches: RecordBatch[] | null;
  /** Where the data's last complete batch ends (-1: none or malformed; -2: not read yet). */
  end: number;
  batchIndex: number;
  recordIndex: number;
  /**
   * read_committed: the response's aborted transactions not yet reached, by first offset. A
   * transaction joins {@link CompletedFetch.abortedProducers} once a batch reaches its first
   * offset, and leaves it at the producer's ABORT marker (Java's `CompletedFetch`).
   */
  abortedQueue: { producerId: number; firstOffset: number }[] | null;
  /** read_committed: producers whose transactional batches are being dropped. */
  abortedProducers: Set<number> | null;
}

/**
 * Fetch responses for one partition that could not be read, in a row, before `poll` says so
 * with a {@link RecordFetchError} (a broker that keeps sending the same broken bytes will not
 * heal by itself; a single bad response may be a glitch, and is retried).
 */
export const MAX_UNREADABLE_FETCHES = 3;

/** Fetch requests and the buffer of their results. */
export class Fetcher {
  private readonly inFlight = new Set<number>();
  /** Partitions with a fetch in flight, by key, so one partition is never fetched twice at once. */
  private readonly fetching = new Set<string>();
  private readonly completed: CompletedFetch[] = [];
  private waiters: (() => void)[] = [];
  private closed = false;
  /** Unreadable Fetch responses in a row, by partition key. */
  private readonly unreadable = new Map<string, number>();
  /** What the next `collect` throws: a partition whose fetches kept failing. */
  private failure: RecordFetchError | null = null;
  /** Fetch sessions (KIP-227), by broker. */
  private readonly sessions = new Map<number, FetchSessionHandler>();

  /**
   * @param cluster - where fetches go.
   * @param subscriptions - positions and pauses.
   * @param options - fetch settings.
   * @param logger - for fetch errors.
   */
  constructor(
    private readonly cluster: Cluster,
    private readonly subscriptions: SubscriptionState,
    private readonly options: FetcherOptions,
    private readonly logger: Logger,
  ) {}

  /** Whether records may be ready to collect without waiting. */
  get hasCompletedFetches(): boolean {
    return this.completed.length > 0;
  }

  /** Resolves when a fetch completes (or `wake` is called). */
  waitForData(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Wakes whoever waits in {@link Fetcher.waitForData}. */
  wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /**
   * Sends a Fetch to every leader of fetchable partitions that has none in flight. A partition
   * whose data is still buffered is fetched ahead from where that data ends, once (at most two
   * fetches of it buffered), while the buffer holds less than `fetch.max.bytes`: the next records
   * are on their way while the application works on these, and each fetch asks for every
   * partition of its broker instead of only those whose buffer just ran dry.
   */
  sendFetches(): void {
    if (this.closed) return;
    const buffered = new Map<string, CompletedFetch[]>();
    let bufferedBytes = 0;
    for (const c of this.completed) {
      // Data of a partition sought since it was fetched is dropped by the next collect.
      if (c.epoch !== c.state.epoch) continue;
      const list = buffered.get(c.state.key);
      if (list === undefined) buffered.set(c.state.key, [c]);
      else list.push(c);
      bufferedBytes += c.data.length;
    }
    const byNode = new Map<number, { state: PartitionState; offset: number }[]>();
    let unknownLeader = false;
    for (const s of this.subscriptions.fetchable()) {
      if (this.fetching.has(s.key)) continue;
      const held = buffered.get(s.key);
      let offset = s.position as number;
      if (held !== undefined) {
        if (held.length > 1 || bufferedBytes >= this.options.maxBytes) continue;
        offset = this.endOffset(held[0]);
        if (offset < 0) continue;
      }
      const leader = this.cluster.leaderFor(s.topic, s.partition);
      if (leader < 0) {
        unknownLeader = true;
        continue;
      }
      if (this.inFlight.has(leader)) continue;
      let list = byNode.get(leader);
      if (list === undefined) {
        list = [];
        byNode.set(leader, list);
      }
      list.push({ state: s, offset });
    }
    if (unknownLeader) this.cluster.requestMetadataUpdate();
    for (const [node, states] of byNode) this.fetchFrom(node, states);
  }

  // The offset after a buffered fetch's last batch (where the next fetch of its partition
  // starts), read from the batch headers only: decoding the records ahead of `collect` would hold
  // every record object of the buffer at once. -1 if the data is malformed (collect reports it).
  private endOffset(c: CompletedFetch): number {
    if (c.end === -2) {
      try {
        const { batches } = readRecordBatchHeaders(c.data);
        const last = batches[batches.length - 1];
        c.end = last === undefined ? -1 : last.baseOffset + last.lastOffsetDelta + 1;
      } catch {
        c.end = -1;
      }
    }
    return c.end < 0 ? -1 : Math.max(c.state.position as number, c.end);
  }

  private fetchFrom(node: number, states: { state: PartitionState; offset: number }[]): void {
    const sent = states.map(({ state, offset }) => ({ state, epoch: state.epoch, offset }));
    for (const { state } of sent) this.fetching.add(state.key);
    this.inFlight.add(node);
    let answered = false;
    this.sendFetch(node, sent)
      .then(
        ({ response, session }) => {
          answered = true;
          if (session !== null) this.onSessionResponse(node, session, response);
          const byKey = new Map(sent.map((x) => [x.state.key, x]));
          for (const t of response.responses) {
            for (const p of t.partitions) {
              const x = byKey.get(`${t.topic}-${p.partitionIndex}`);
              if (x === undefined) continue;
              this.handlePartition(x.state, x.epoch, x.offset, p);
            }
          }
        },
        (e: unknown) => {
          this.sessions.get(node)?.handleError();
          this.cluster.requestMetadataUpdate();
          if (this.closed) return;
          if (e instanceof BrokerProtocolError) this.onUnreadableResponse(node, sent, e);
          // A lost connection or a timeout: the next fetch goes to whoever leads then.
          else this.logger.debug('fetch failed', { node, error: e as Error });
        },
      )
      .finally(() => {
        this.inFlight.delete(node);
        for (const { state } of sent) this.fetching.delete(state.key);
        this.wake();
        // The next fetch goes now, while the application works on this one's records (bounded
        // by the buffer, see sendFetches), not at its next poll. After a failed fetch it waits
        // for the next poll instead: a broker that keeps failing is not asked again in a loop.
        if (answered) this.sendFetches();
      });
  }

  /**
   * Sends one Fetch of `sent` to `node`. To a broker that has fetch sessions (Fetch v7+, known
   * once a connection to it is ready, so the very first fetch is an ordinary full one), it goes
   * through that broker's {@link FetchSessionHandler}: full at first, then listing only the
   * partitions whose fetch offset changed or that joined, and naming those that left.
   */
  private async sendFetch(node: number, sent: readonly { state: PartitionState; offset: number }[]) {
    const o = this.options;
    const partitions: SessionPartitionData[] = sent.map(({ state, offset }) => ({
      topic: state.topic,
      partition: state.partition,
      fetchOffset: offset,
      partitionMaxBytes: o.maxPartitionBytes,
      currentLeaderEpoch: -1,
    }));
    const session = this.sessionFor(node);
    const body = session?.build(partitions) ?? sessionlessFetch(partitions);
    const response = await this.cluster.request(
      node,
      Api.Fetch,
      {
        maxWaitMs: o.maxWaitMs,
        minBytes: o.minBytes,
        maxBytes: o.maxBytes,
        isolationLevel: o.isolationLevel,
        ...fetchRequestFields(body),
      },
      // v12: topics by name (v13+ wants topic ids), flexible; every broker from 2.8 to 4.x has it.
      { maxVersion: 12, timeoutMs: o.requestTimeoutMs + o.maxWaitMs },
    );
    return { response, session };
  }

  /** The fetch session with `node`, when its ready connection speaks Fetch v7+; else null. */
  private sessionFor(node: number): FetchSessionHandler | null {
    const connection = this.cluster.readyConnection(node);
    if (connection === undefined || connection.apiVersions === null) return null;
    if (!connection.supports(Api.Fetch) || connection.versionFor(Api.Fetch, 12) < 7) return null;
    let session = this.sessions.get(node);
    if (session === undefined) {
      session = new FetchSessionHandler(node);
      this.sessions.set(node, session);
    }
    return session;
  }

  /** Hands a Fetch answer to its session; a refused session fetch makes the next one full. */
  private onSessionResponse(
    node: number,
    session: FetchSessionHandler,
    response: Parameters<FetchSessionHandler['handleResponse']>[0],
  ): void {
    const problem = session.handleResponse(response);
    if (problem === null) return;
    this.logger.info(
      `broker ${node} refused fetch session ${session.id} (${problem}): the next fetch is full`,
    );
    if (response.errorCode === ErrorCode.FETCH_SESSION_TOPIC_ID_ERROR) this.cluster.requestMetadataUpdate();
  }

  /**
   * A Fetch response that could not be read: said at warn each time; once a partition's fetches
   * failed so {@link MAX_UNREADABLE_FETCHES} times in a row, the next `collect` throws.
   */
  private onUnreadableResponse(
    node: number,
    sent: { state: PartitionState; epoch: number; offset: number }[],
    error: Error,
  ): void {
    const current = sent.filter((x) => this.isCurrent(x.state, x.epoch, x.offset));
    if (current.length === 0) return;
    let worst = 0;
    for (const { state, offset } of current) {
      const n = (this.unreadable.get(state.key) ?? 0) + 1;
      worst = Math.max(worst, n);
      if (n < MAX_UNREADABLE_FETCHES) {
        this.unreadable.set(state.key, n);
        continue;
      }
      this.unreadable.delete(state.key);
      this.failure ??= new RecordFetchError(state.topic, state.partition, offset, error);
    }
    this.logger.warn(
      `fetch of ${current.map((x) => x.state.key).join(', ')} from broker ${node} failed: the response could not be read (${worst} in a row)`,
      { error },
    );
  }

  private handlePartition(
    state: PartitionState,
    epoch: number,
    fetchOffset: number,
    p: {
      errorCode: number;
      highWatermark: number;
      lastStableOffset: number;
      abortedTransactions: { producerId: number; firstOffset: number }[] | null;
      records: Buffer | null;
    },
  ): void {
    // A partition revoked or moved while the fetch was out: its data is not ours to hand out.
    if (!this.isCurrent(state, epoch, fetchOffset)) return;
    const { errorCode, records } = p;
    this.unreadable.delete(state.key);
    if (errorCode === 0) {
      state.highWatermark = p.highWatermark;
      if (p.lastStableOffset >= 0) state.lastStableOffset = p.lastStableOffset;
      if (records !== null && records.length > 0) {
        const committedOnly = this.options.isolationLevel === 1;
        this.completed.push({
          state,
          epoch,
          fetchOffset,
          data: records,
          batches: null,
          end: -2,
          batchIndex: 0,
          recordIndex: 0,
          abortedQueue: committedOnly
            ? [...(p.abortedTransactions ?? [])].sort((a, b) => a.firstOffset - b.firstOffset)
            : null,
          abortedProducers: committedOnly ? new Set() : null,
        });
      }
      return;
    }
    if (errorCode === ErrorCode.OFFSET_OUT_OF_RANGE) {
      this.logger.info(`fetch offset ${fetchOffset} is out of range for ${state.key}, resetting`);
      this.subscriptions.requestReset(state, this.options.autoOffsetReset);
      return;
    }
    const info = errorByCode(errorCode);
    if (info.invalidMetadata || info.retriable) {
      this.cluster.requestMetadataUpdate();
      return;
    }
    this.logger.warn(`fetch of ${state.key} failed: ${info.name}`);
  }

  // Current: the partition is still ours, not moved by a seek, and the fetch starts where its
  // position is, or where its data buffered ahead of the position ends (a fetch ahead).
  private isCurrent(state: PartitionState, epoch: number, fetchOffset: number): boolean {
    if (this.subscriptions.state(state.topic, state.partition) !== state || state.epoch !== epoch)
      return false;
    if (state.position === fetchOffset) return true;
    for (const c of this.completed) {
      if (c.state === state && c.epoch === epoch && this.endOffset(c) === fetchOffset) return true;
    }
    return false;
  }

  /**
   * Hands out up to `max` records from the buffered fetches, in offset order per partition,
   * moving each partition's position past what it hands out. Data of partitions no longer
   * assigned, or moved by a seek since it was fetched, is dropped; data of paused partitions is
   * kept for after `resume`.
   */
  collect(max: number): FetchedRecord[] {
    if (this.failure !== null) {
      const failure = this.failure;
      this.failure = null;
      throw failure;
    }
    const out: FetchedRecord[] = [];
    let i = 0;
    while (out.length < max && i < this.completed.length) {
      const c = this.completed[i];
      const s = c.state;
      if (
        this.subscriptions.state(s.topic, s.partition) !== s ||
        s.epoch !== c.epoch ||
        s.position === null
      ) {
        this.completed.splice(i, 1);
        continue;
      }
      if (s.paused) {
        i++;
        continue;
      }
      if (c.batches === null) {
        try {
          c.batches = decodeRecordBatches(c.data, {
            verifyCrc: this.options.checkCrcs,
            maxDecompressedBytes: this.decompressionLimit(c.data.length),
          });
        } catch (e) {
          this.completed.splice(i, 1);
          const error = new RecordFetchError(s.topic, s.partition, s.position, e);
          this.logger.warn(error.message, { error: e as Error });
          throw error;
        }
      }
      this.drain(c, out, max);
      if (c.batchIndex >= c.batches.length) this.completed.splice(i, 1);
    }
    return out;
  }

  /**
   * The most one fetched batch may decompress to: what the consumer asked a response to hold at
   * most (`fetch.max.bytes`, or `max.partition.fetch.bytes` when larger), or the fetched data
   * itself when larger (a broker returns one batch beyond the limits so that the consumer can
   * make progress, KIP-74). A batch that inflates beyond it is refused before it exhausts memory,
   * instead of after the codecs' own 256 MiB.
   */
  private decompressionLimit(fetchedBytes: number): number {
    return Math.max(this.options.maxBytes, this.options.maxPartitionBytes, fetchedBytes);
  }

  private drain(c: CompletedFetch, out: FetchedRecord[], max: number): void {
    const s = c.state;
    const batches = c.batches as RecordBatch[];
    while (c.batchIndex < batches.length && out.length < max) {
      const b = batches[c.batchIndex];
      const next = b.baseOffset + b.lastOffsetDelta + 1;
      if (c.recordIndex === 0 && c.abortedProducers !== null && isAborted(c, b)) {
        // read_committed: a batch of an aborted transaction is never handed out.
        if (next > (s.position as number)) s.position = next;
        c.batchIndex++;
        continue;
      }
      if (b.isControl || next <= (s.position as number)) {
        // Control batches (transaction markers) and data before the position: skipped, but the
        // position moves past them so the next fetch does not ask for them again.
        if (next > (s.position as number)) s.position = next;
        c.batchIndex++;
        c.recordIndex = 0;
        continue;
      }
      const records = b.records;
      while (c.recordIndex < records.length && out.length < max) {
        const r = records[c.recordIndex++];
        if (r.offset < (s.position as number)) continue;
        out.push({
          state: s,
          offset: r.offset,
          timestamp: r.timestamp,
          key: r.key,
          value: r.value,
          headers: r.headers,
          leaderEpoch: b.partitionLeaderEpoch,
        });
        s.position = r.offset + 1;
        s.positionEpoch = b.partitionLeaderEpoch;
      }
      if (c.recordIndex >= records.length) {
        // Compaction may have removed the batch's last records: move to its end.
        if (next > (s.position as number)) s.position = next;
        c.batchIndex++;
        c.recordIndex = 0;
      }
    }
  }

  /** Drops buffered data of partitions that are not assigned (after a revoke). */
  dropUnassigned(): void {
    for (let i = this.completed.length - 1; i >= 0; i--) {
      const s = this.completed[i].state;
      if (this.subscriptions.state(s.topic, s.partition) !== s) this.completed.splice(i, 1);
    }
  }

  /**
   * Stops sending fetches and closes the fetch sessions (KIP-227: epoch -1, nothing listed) at
   * brokers with no fetch in flight, so that they free the session at once. A broker whose fetch
   * still waits for data would answer the close only after it (up to `fetch.max.wait.ms`): its
   * session is left to the broker's eviction instead of making close wait.
   */
  async closeSessions(): Promise<void> {
    this.closed = true;
    const closing: Promise<unknown>[] = [];
    for (const [node, session] of this.sessions) {
      const connection = this.cluster.readyConnection(node);
      if (this.inFlight.has(node) || connection === undefined) continue;
      const close = session.closeRequest();
      if (close === null) continue;
      closing.push(
        connection
          .request(
            Api.Fetch,
            {
              maxWaitMs: 0,
              minBytes: 0,
              maxBytes: this.options.maxBytes,
              isolationLevel: this.options.isolationLevel,
              ...fetchRequestFields(close),
            },
            { maxVersion: 12, timeoutMs: this.options.requestTimeoutMs },
          )
          .catch((error: unknown) =>
            this.logger.debug(`closing fetch session ${close.sessionId} at broker ${node} failed`, {
              error: error as Error,
            }),
          ),
      );
    }
    await Promise.all(closing);
  }

  /** Stops sending; in-flight fetches are ignored. */
  close(): void {
    this.closed = true;
    this.completed.length = 0;
    this.wake();
  }
}

/**
 * read_committed: whether batch `b` belongs to an aborted transaction, keeping the fetch's
 * aborted-producer set current as Java's `CompletedFetch` does: transactions whose first offset
 * the batch reaches join the set, and a producer's ABORT marker takes it out again (the marker
 * itself is a control batch, which is skipped anyway).
 */
function isAborted(c: CompletedFetch, b: RecordBatch): boolean {
  if (b.producerId === NO_PRODUCER_ID) return false;
  const queue = c.abortedQueue as { producerId: number; firstOffset: number }[];
  const aborted = c.abortedProducers as Set<number>;
  const lastOffset = b.baseOffset + b.lastOffsetDelta;
  while (queue.length > 0 && queue[0].firstOffset <= lastOffset)
    aborted.add((queue.shift() as { producerId: number }).producerId);
  if (b.isControl) {
    const first = b.records[0];
    if (first !== undefined && decodeControlRecord(first.key, first.value).type === ControlRecordType.Abort)
      aborted.delete(b.producerId);
    return false;
  }
  return b.isTransactional && aborted.has(b.producerId);
}
