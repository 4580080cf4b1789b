/**
 * Incremental fetch sessions (KIP-227), Kafka's `FetchSession`, `FetchSessionCache` and
 * `FetchManager`: a fetcher that opens a session lists its partitions once; its later fetches list
 * only the partitions whose fetch position or limits changed (and those to forget), and their
 * responses carry only the partitions with something new: records, a moved high watermark, last
 * stable offset or log start offset, an error. With hundreds of partitions of which few move, a
 * fetch and its answer shrink from every partition to those few.
 *
 * The request's `sessionId`/`sessionEpoch` say what it is: epoch -1 is a full fetch without a
 * session (closing `sessionId` if one is named); epoch 0 a full fetch that opens a session
 * (closing `sessionId` if one is named); epoch > 0 the next fetch of session `sessionId`, which
 * must carry the epoch the session expects (one more than the last, wrapping to 1).
 *
 * The cache holds at most `max.incremental.fetch.session.cache.slots` sessions. When it is full, a
 * new session takes the place of one unused for `min.incremental.fetch.session.eviction.ms`
 * (120 s, a constant in Kafka), else of the least valuable one that is evictable: a follower's
 * (privileged) session may evict any consumer's, or any session older than the eviction time with
 * fewer partitions; a consumer's only an older one with fewer partitions. Time comes from the
 * broker's clock.
 *
 * @module
 */
import { ErrorCode } from '@tskafka/protocol';

/** `sessionId` of no session. */
export const INVALID_SESSION_ID = 0;
/** The epoch of a full fetch that opens (or reopens) a session. */
export const INITIAL_EPOCH = 0;
/** The epoch of a full fetch that wants no session (and closes the one it names). */
export const FINAL_EPOCH = -1;
/** Kafka's `MIN_INCREMENTAL_FETCH_SESSION_EVICTION_MS`: a session this long unused may be evicted. */
export const MIN_INCREMENTAL_FETCH_SESSION_EVICTION_MS = 120_000;

/** The epoch after `epoch` (Kafka's `FetchMetadata.nextEpoch`): -1 stays -1, the largest int wraps to 1. */
export function nextEpoch(epoch: number): number {
  if (epoch < 0) return FINAL_EPOCH;
  return epoch === 0x7fffffff ? 1 : epoch + 1;
}

/** What a fetch asks of one partition, as a request lists it or a session remembers it. */
export interface FetchPartitionRequest {
  partition: number;
  fetchOffset: number;
  partitionMaxBytes: number;
  currentLeaderEpoch: number;
  lastFetchedEpoch: number;
  logStartOffset: number;
}

/** What a response told the fetcher of one partition: what a session compares to decide what changed. */
export interface FetchPartitionOutcome {
  errorCode: number;
  highWatermark: number;
  lastStableOffset: number;
  logStartOffset: number;
  /** Bytes of records returned. */
  recordBytes: number;
  /** Whether the answer carries a diverging epoch or a preferred read replica (always sent). */
  mustSend: boolean;
}

/**
 * One partition of a session (Kafka's `CachedPartition`): the request parameters last sent for it,
 * and what the fetcher last heard of it.
 */
export class CachedPartition {
  /** High watermark last sent; -1 after an error, so the partition is sent again once it heals. */
  highWatermark = -1;
  /** Last stable offset last sent. */
  lastStableOffset = -1;
  /** This broker's log start offset last sent. */
  localLogStartOffset = -1;

  constructor(
    /** Topic name (fetches below v13), or '' when the session uses topic ids. */
    readonly topic: string,
    /** Topic id (v13+), or the zero uuid. */
    readonly topicId: string,
    /** The request parameters in force. */
    public request: FetchPartitionRequest,
  ) {}

  /**
   * Whether a response must carry this partition (Kafka's `maybeUpdateResponseData`): it has
   * records or an error, or a watermark or the log start moved since the fetcher last heard.
   * With `update`, remembers what is sent.
   */
  mustRespond(o: FetchPartitionOutcome, update: boolean): boolean {
    let must = o.recordBytes > 0 || o.mustSend;
    if (this.highWatermark !== o.highWatermark) {
      must = true;
      if (update) this.highWatermark = o.highWatermark;
    }
    if (this.lastStableOffset !== o.lastStableOffset) {
      must = true;
      if (update) this.lastStableOffset = o.lastStableOffset;
    }
    if (this.localLogStartOffset !== o.logStartOffset) {
      must = true;
      if (update) this.localLogStartOffset = o.logStartOffset;
    }
    if (o.errorCode !== 0) {
      must = true;
      if (update) this.highWatermark = -1;
    }
    return must;
  }
}

/** The key of a partition within a session: by topic id when the session uses them, else by name. */
export function sessionPartitionKey(topicOrId: string, partition: number): string {
  return `${topicOrId}:${partition}`;
}

/** One fetch session (Kafka's `FetchSession`). */
export class FetchSession {
  /** The epoch the next incremental fetch must carry. */
  epoch: number;
  /** Last time a fetch used the session (the cache's clock). */
  lastUsedMs: number;
  /** Partitions in the order a fetch reads them; those that returned records move to the end. */
  readonly partitions = new Map<string, CachedPartition>();
  /** Set by the cache on touch: whether a privileged (follower) session may evict this one. */
  evictableByPrivileged = false;
  /** Set by the cache on touch: whether any new session may evict this one (it is old enough). */
  evictableByAll = false;
  /** The partition count when last touched (what eviction compares). */
  cachedSize = 0;

  constructor(
    /** The session id, unique on this broker, > 0. */
    readonly id: number,
    /** Whether a follower opened it: privileged sessions are evicted last. */
    readonly privileged: boolean,
    /** Whether its fetches name topics by id (v13+); a fetch of the other kind is refused. */
    readonly usesTopicIds: boolean,
    /** When it was created. */
    readonly creationMs: number,
  ) {
    this.epoch = nextEpoch(INITIAL_EPOCH);
    this.lastUsedMs = creationMs;
  }

  /**
   * Applies an incremental fetch: partitions it lists are added or take its parameters; those in
   * `toForget` leave the session.
   */
  update(
    fetchData: readonly { key: string; topic: string; topicId: string; request: FetchPartitionRequest }[],
    toForget: readonly string[],
  ): void {
    for (const p of fetchData) {
      const cached = this.partitions.get(p.key);
      if (cached === undefined)
        this.partitions.set(p.key, new CachedPartition(p.topic, p.topicId, p.request));
      else cached.request = p.request;
    }
    for (const key of toForget) this.partitions.delete(key);
  }

  /** Moves a partition that returned records to the end, so that the next fetch reads the others first. */
  rotateToEnd(key: string): void {
    const cached = this.partitions.get(key);
    if (cached === undefined) return;
    this.partitions.delete(key);
    this.partitions.set(key, cached);
  }
}

/** Settings of a {@link FetchSessionCache}. */
export interface FetchSessionCacheOptions {
  /** `max.incremental.fetch.session.cache.slots`: sessions kept at most (Kafka's default 1000). */
  maxEntries: number;
  /** Unused this long, a session may be evicted (default {@link MIN_INCREMENTAL_FETCH_SESSION_EVICTION_MS}). */
  evictionMs?: number;
  /** Source of session ids in [1, 2^31 - 1); default `Math.random`. */
  random?: () => number;
}

/** The broker's fetch sessions (Kafka's `FetchSessionCache`). */
export class FetchSessionCache {
  private readonly sessions = new Map<number, FetchSession>();
  private readonly evictionMs: number;
  private readonly random: () => number;
  /** Sessions evicted to make room for others, since the broker started. */
  evictions = 0;

  constructor(private readonly options: FetchSessionCacheOptions) {
    this.evictionMs = options.evictionMs ?? MIN_INCREMENTAL_FETCH_SESSION_EVICTION_MS;
    this.random = options.random ?? Math.random;
  }

  /** Sessions held. */
  get size(): number {
    return this.sessions.size;
  }

  /** Partitions held over all sessions (Kafka's `NumIncrementalFetchPartitionsCached`). */
  get totalPartitions(): number {
    let n = 0;
    for (const s of this.sessions.values()) n += s.cachedSize;
    return n;
  }

  /** The session with id `id`, if held. */
  get(id: number): FetchSession | undefined {
    return this.sessions.get(id);
  }

  /** Drops a session; whether it was held. */
  remove(id: number): boolean {
    return this.sessions.delete(id);
  }

  /**
   * Opens a session for a full fetch of `size` partitions when there is room, or room can be made
   * by eviction; `fill` adds its partitions. Returns the session, or null (the fetch is answered
   * without one, session id 0).
   */
  maybeCreateSession(
    now: number,
    privileged: boolean,
    usesTopicIds: boolean,
    size: number,
    fill: (session: FetchSession) => void,
  ): FetchSession | null {
    if (this.sessions.size >= this.options.maxEntries && !this.tryEvict(privileged, size, now)) return null;
    const session = new FetchSession(this.newSessionId(), privileged, usesTopicIds, now);
    fill(session);
    this.sessions.set(session.id, session);
    this.touch(session, now);
    return session;
  }

  /** Records a use of `session` at `now`: its last-used time, size and evictability. */
  touch(session: FetchSession, now: number): void {
    session.lastUsedMs = now;
    session.cachedSize = session.partitions.size;
    const old = now - session.creationMs > this.evictionMs;
    // As Kafka decides it, at each use: a consumer's session may always be evicted by a
    // follower's, any session once it is older than the eviction time.
    session.evictableByPrivileged = !session.privileged || old;
    session.evictableByAll = old;
  }

  private newSessionId(): number {
    for (;;) {
      const id = 1 + Math.floor(this.random() * 0x7ffffffe);
      if (id !== INVALID_SESSION_ID && !this.sessions.has(id)) return id;
    }
  }

  /**
   * Makes room for a new session (Kafka's `tryEvict`): the least recently used session if it is
   * stale; else the least valuable evictable one (consumer before follower, then fewest
   * partitions, then lowest id), if the new one is worth more (privileged, or more partitions).
   */
  private tryEvict(privileged: boolean, size: number, now: number): boolean {
    let lru: FetchSession | undefined;
    for (const s of this.sessions.values()) {
      if (
        lru === undefined ||
        s.lastUsedMs < lru.lastUsedMs ||
        (s.lastUsedMs === lru.lastUsedMs && s.id < lru.id)
      )
        lru = s;
    }
    if (lru === undefined) return false;
    if (now - lru.lastUsedMs > this.evictionMs) return this.evict(lru);
    let least: FetchSession | undefined;
    for (const s of this.sessions.values()) {
      if (!(privileged ? s.evictableByPrivileged : s.evictableByAll)) continue;
      if (least === undefined || compareEvictable(s, least) < 0) least = s;
    }
    if (least === undefined) return false;
    // The new session's key has id 0, below every real id: on a tie it is worth less.
    const newKey = { privileged, cachedSize: size, id: 0 };
    if (compareEvictable(newKey, least) < 0) return false;
    return this.evict(least);
  }

  private evict(session: FetchSession): boolean {
    this.sessions.delete(session.id);
    this.evictions++;
    return true;
  }
}

function compareEvictable(
  a: { privileged: boolean; cachedSize: number; id: number },
  b: { privileged: boolean; cachedSize: number; id: number },
): number {
  if (a.privileged !== b.privileged) return a.privileged ? 1 : -1;
  if (a.cachedSize !== b.cachedSize) return a.cachedSize - b.cachedSize;
  return a.id - b.id;
}

/** How a fetch is answered with respect to sessions (Kafka's `FetchContext` kinds). */
export type FetchContext =
  /** Refused for its session: answered with this top-level error and nothing else. */
  | { readonly kind: 'error'; readonly errorCode: number }
  /** A full fetch without a session: answered for the partitions it lists, session id 0. */
  | { readonly kind: 'sessionless' }
  /** A full fetch that opens a session from its answer, if the cache has room. */
  | { readonly kind: 'full' }
  /** An incremental fetch of `session`: reads every partition of the session, answers the changed ones. */
  | { readonly kind: 'incremental'; readonly session: FetchSession; readonly requestEpoch: number };

/**
 * Decides how a fetch is answered (Kafka's `FetchManager.newContext`), applying what it changes:
 * a full fetch closes the session it names; an incremental one must name a held session at the
 * epoch it expects, with topics named the same way (ids from v13 on), and updates it. An
 * incremental fetch that forgets every partition closes its session and is answered sessionless.
 */
export function newFetchContext(
  cache: FetchSessionCache,
  req: {
    sessionId: number;
    sessionEpoch: number;
    fetchData: readonly { key: string; topic: string; topicId: string; request: FetchPartitionRequest }[];
    toForget: readonly string[];
  },
  usesTopicIds: boolean,
  now: number,
): FetchContext {
  const full = req.sessionEpoch === INITIAL_EPOCH || req.sessionEpoch === FINAL_EPOCH;
  if (full) {
    if (req.sessionId !== INVALID_SESSION_ID) cache.remove(req.sessionId);
    return req.sessionEpoch === FINAL_EPOCH ? { kind: 'sessionless' } : { kind: 'full' };
  }
  const session = cache.get(req.sessionId);
  if (session === undefined) return { kind: 'error', errorCode: ErrorCode.FETCH_SESSION_ID_NOT_FOUND };
  if (session.epoch !== req.sessionEpoch)
    return { kind: 'error', errorCode: ErrorCode.INVALID_FETCH_SESSION_EPOCH };
  if (session.usesTopicIds !== usesTopicIds)
    return { kind: 'error', errorCode: ErrorCode.FETCH_SESSION_TOPIC_ID_ERROR };
  session.update(req.fetchData, req.toForget);
  if (session.partitions.size === 0) {
    cache.remove(session.id);
    return { kind: 'sessionless' };
  }
  cache.touch(session, now);
  session.epoch = nextEpoch(session.epoch);
  return { kind: 'incremental', session, requestEpoch: req.sessionEpoch };
}
