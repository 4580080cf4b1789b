/**
 * The consumer's side of incremental fetch sessions (KIP-227), Java's `FetchSessionHandler`: one
 * per broker. The first fetch is full (epoch 0) and opens a session at the broker; each later
 * fetch lists only the partitions added to the session or whose parameters changed (a new fetch
 * offset, mostly), and names those that left it (`forgottenTopicsData`); the broker reads every
 * partition of the session and answers only those with something new. When the broker refuses a
 * session fetch, or a fetch fails on the way, the next one is full again and opens a new session.
 *
 * No I/O here: the fetcher builds each request with {@link FetchSessionHandler.build}, sends it,
 * and hands the answer (or the failure) back.
 *
 * @module
 */
import { ErrorCode } from '@tskafka/protocol';

/** `sessionId` of no session. */
export const INVALID_SESSION_ID = 0;
/** The epoch of a full fetch that opens (or reopens) a session. */
export const INITIAL_EPOCH = 0;
/** The epoch of a fetch that closes the session it names and opens none. */
export const FINAL_EPOCH = -1;

/** What a fetch asks of one partition. */
export interface SessionPartitionData {
  readonly topic: string;
  readonly partition: number;
  readonly fetchOffset: number;
  readonly partitionMaxBytes: number;
  readonly currentLeaderEpoch: number;
}

/** One fetch request as the session wants it sent. */
export interface SessionFetchRequest {
  readonly sessionId: number;
  readonly sessionEpoch: number;
  /** Whether this is a full fetch (every partition listed). */
  readonly full: boolean;
  /** The partitions to list: all of them for a full fetch, else those added or changed. */
  readonly toSend: readonly SessionPartitionData[];
  /** Partitions leaving the session (incremental fetches only). */
  readonly toForget: readonly { readonly topic: string; readonly partition: number }[];
}

/** The next epoch (Kafka's `FetchMetadata.nextEpoch`): -1 stays, the largest int32 wraps to 1. */
export function nextEpoch(epoch: number): number {
  if (epoch < 0) return FINAL_EPOCH;
  return epoch === 0x7fffffff ? 1 : epoch + 1;
}

function keyOf(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}

function sameRequest(a: SessionPartitionData, b: SessionPartitionData): boolean {
  return (
    a.fetchOffset === b.fetchOffset &&
    a.partitionMaxBytes === b.partitionMaxBytes &&
    a.currentLeaderEpoch === b.currentLeaderEpoch
  );
}

/** The session state with one broker (Java's `FetchSessionHandler`). */
export class FetchSessionHandler {
  private sessionId = INVALID_SESSION_ID;
  private epoch = INITIAL_EPOCH;
  /** The partitions in the session, as last sent, by `topic-partition`. */
  private readonly partitions = new Map<string, SessionPartitionData>();

  /** @param node - the broker, for log messages. */
  constructor(readonly node: number) {}

  /** The session id in use (0: none yet). */
  get id(): number {
    return this.sessionId;
  }

  /** Whether the next fetch is full (epoch 0 or -1). */
  get nextIsFull(): boolean {
    return this.epoch === INITIAL_EPOCH || this.epoch === FINAL_EPOCH;
  }

  /**
   * The request for a fetch of `next` (every partition the fetcher wants from this broker now):
   * all of them at epoch 0 or -1; else the session's next epoch, with the partitions that are new
   * or changed, and those of the session missing from `next` to forget. The session takes
   * `next` as its partitions.
   */
  build(next: readonly SessionPartitionData[]): SessionFetchRequest {
    if (this.nextIsFull) {
      this.partitions.clear();
      for (const p of next) this.partitions.set(keyOf(p.topic, p.partition), p);
      return { sessionId: this.sessionId, sessionEpoch: this.epoch, full: true, toSend: next, toForget: [] };
    }
    const wanted = new Map<string, SessionPartitionData>();
    for (const p of next) wanted.set(keyOf(p.topic, p.partition), p);
    const toForget: { topic: string; partition: number }[] = [];
    for (const [key, prev] of this.partitions) {
      if (!wanted.has(key)) {
        this.partitions.delete(key);
        toForget.push({ topic: prev.topic, partition: prev.partition });
      }
    }
    const toSend: SessionPartitionData[] = [];
    for (const [key, p] of wanted) {
      const prev = this.partitions.get(key);
      if (prev !== undefined && sameRequest(prev, p)) continue;
      this.partitions.set(key, p);
      toSend.push(p);
    }
    return { sessionId: this.sessionId, sessionEpoch: this.epoch, full: false, toSend, toForget };
  }

  /**
   * Takes the broker's answer to the last request built: moves to the session's next epoch, or
   * after a session error (or an answer naming partitions outside the session) back to a full
   * fetch. Returns a description of what was wrong, or null when the answer is usable as a whole
   * (its partitions are then those of the session with news; the others have none).
   */
  handleResponse(response: {
    errorCode: number;
    sessionId: number;
    responses: readonly { topic: string; partitions: readonly { partitionIndex: number }[] }[];
  }): string | null {
    const full = this.nextIsFull;
    if (response.errorCode !== 0) {
      // Kafka's advice: an unknown session is opened anew; any other error closes it and opens a new one.
      if (response.errorCode === ErrorCode.FETCH_SESSION_ID_NOT_FOUND) this.sessionId = INVALID_SESSION_ID;
      this.epoch = INITIAL_EPOCH;
      return `error code ${response.errorCode}`;
    }
    for (const t of response.responses) {
      for (const p of t.partitions) {
        if (!this.partitions.has(keyOf(t.topic, p.partitionIndex))) {
          // As Java: after a full fetch, start over; after an incremental one, close it and open another.
          if (full) this.sessionId = INVALID_SESSION_ID;
          this.epoch = INITIAL_EPOCH;
          return `partition ${t.topic}-${p.partitionIndex} is not in the fetch session`;
        }
      }
    }
    if (full) {
      // 0: the broker keeps no session for us (no room, or none supported); every fetch stays full.
      this.sessionId = response.sessionId;
      this.epoch = response.sessionId === INVALID_SESSION_ID ? INITIAL_EPOCH : nextEpoch(INITIAL_EPOCH);
    } else if (response.sessionId === INVALID_SESSION_ID) {
      // The broker closed the session (it evicted it, or it became empty).
      this.sessionId = INVALID_SESSION_ID;
      this.epoch = INITIAL_EPOCH;
    } else {
      this.epoch = nextEpoch(this.epoch);
    }
    return null;
  }

  /** A fetch that failed on the way (no answer): the next one closes the session and opens another. */
  handleError(): void {
    this.epoch = INITIAL_EPOCH;
  }

  /**
   * The request that closes the session at the broker (epoch -1, nothing listed), or null when
   * there is none to close; the handler is back to no session afterwards.
   */
  closeRequest(): SessionFetchRequest | null {
    if (this.sessionId === INVALID_SESSION_ID) return null;
    const request = {
      sessionId: this.sessionId,
      sessionEpoch: FINAL_EPOCH,
      full: true,
      toSend: [],
      toForget: [],
    };
    this.sessionId = INVALID_SESSION_ID;
    this.epoch = INITIAL_EPOCH;
    this.partitions.clear();
    return request;
  }
}

/** A full fetch without a session (epoch -1), for brokers below Fetch v7. */
export function sessionlessFetch(partitions: readonly SessionPartitionData[]): SessionFetchRequest {
  return {
    sessionId: INVALID_SESSION_ID,
    sessionEpoch: FINAL_EPOCH,
    full: true,
    toSend: partitions,
    toForget: [],
  };
}

/** The session fields of a Fetch request (v7-12: topics by name) for `request`. */
export function fetchRequestFields(request: SessionFetchRequest) {
  return {
    sessionId: request.sessionId,
    sessionEpoch: request.sessionEpoch,
    topics: byTopic(request.toSend, (p) => ({
      partition: p.partition,
      fetchOffset: p.fetchOffset,
      partitionMaxBytes: p.partitionMaxBytes,
    })).map(([topic, partitions]) => ({ topic, partitions })),
    forgottenTopicsData: byTopic(request.toForget, (p) => p.partition).map(([topic, partitions]) => ({
      topic,
      partitions,
    })),
  };
}

/** Items grouped by their `topic`, in the order topics first appear. */
function byTopic<T extends { topic: string }, U>(items: readonly T[], map: (item: T) => U): [string, U[]][] {
  const out = new Map<string, U[]>();
  for (const item of items) {
    let list = out.get(item.topic);
    if (list === undefined) {
      list = [];
      out.set(item.topic, list);
    }
    list.push(map(item));
  }
  return [...out];
}
