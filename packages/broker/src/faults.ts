/**
 * Fault injection at the wire level, in the spirit of franz-go's kfake `ControlKey`: return an
 * error code for the next N requests of an API, add latency, drop connections, or cut a broker off
 * from the replicas that fetch from it. Tests use it to show how clients behave under faults;
 * {@link FaultSchedule} strings these into a timed, seeded run.
 */
import { ApiKey } from '@tskafka/protocol';

/** What to do with one incoming request. */
export interface FaultAction {
  /** Answer with this Kafka error code instead of handling the request. */
  errorCode?: number;
  /** Wait this long before handling (or answering with the error). */
  delayMs?: number;
  /** Close the connection instead of answering. */
  drop?: boolean;
  /**
   * Handle the request (append, commit...), then close the connection instead of answering: the
   * client sees a lost response for work that was done, the case idempotence exists for.
   */
  dropResponse?: boolean;
}

/** The faults armed on one broker. */
export class FaultInjector {
  private readonly queued = new Map<number, FaultAction[]>();
  private readonly latency = new Map<number, number>();
  /** Latency added to every request, in ms. */
  globalLatencyMs = 0;
  private isolatedReplicas: Set<number> | 'all' = new Set();

  /**
   * Drops the connection of every replica Fetch (one with a replica id, as followers send) from
   * `replicas`, or from every follower with `'all'`: the broker is cut off from those followers
   * while clients still reach it, so they fall out of its ISR after `replica.lag.time.max.ms`.
   * An empty list heals the isolation.
   */
  isolateReplicas(replicas: readonly number[] | 'all'): void {
    this.isolatedReplicas = replicas === 'all' ? 'all' : new Set(replicas);
  }

  /** Whether a Fetch from replica `replicaId` is cut off by {@link FaultInjector.isolateReplicas}. */
  isIsolatedFrom(replicaId: number): boolean {
    if (replicaId < 0) return false;
    return this.isolatedReplicas === 'all' || this.isolatedReplicas.has(replicaId);
  }

  /**
   * Answers the next `errors.length` requests of `apiKey` with these error codes, in order
   * (like librdkafka's `rd_kafka_mock_push_request_errors`).
   */
  pushRequestErrors(apiKey: number, ...errors: number[]): void {
    const q = this.queued.get(apiKey) ?? [];
    for (const errorCode of errors) q.push({ errorCode });
    this.queued.set(apiKey, q);
  }

  /** Closes the connection on the next `count` requests of `apiKey` instead of answering. */
  dropNextRequests(apiKey: number, count = 1): void {
    const q = this.queued.get(apiKey) ?? [];
    for (let i = 0; i < count; i++) q.push({ drop: true });
    this.queued.set(apiKey, q);
  }

  /**
   * Handles the next `count` requests of `apiKey` normally but closes the connection instead of
   * sending their responses.
   */
  dropNextResponses(apiKey: number, count = 1): void {
    const q = this.queued.get(apiKey) ?? [];
    for (let i = 0; i < count; i++) q.push({ dropResponse: true });
    this.queued.set(apiKey, q);
  }

  /** Adds `ms` of latency to every request of `apiKey` (0 removes it). */
  setLatency(apiKey: number, ms: number): void {
    if (ms > 0) this.latency.set(apiKey, ms);
    else this.latency.delete(apiKey);
  }

  /** Queued faults of `apiKey` not yet applied (so a test can check its faults were hit). */
  pendingCount(apiKey: number): number {
    return this.queued.get(apiKey)?.length ?? 0;
  }

  /** Forgets every armed fault. */
  clear(): void {
    this.queued.clear();
    this.latency.clear();
    this.globalLatencyMs = 0;
    this.isolatedReplicas = new Set();
  }

  /**
   * The action for the next request of `apiKey` (consumes one queued fault); `replicaId` is the
   * sender's replica id for a Fetch (-1 for a client).
   */
  next(apiKey: number, replicaId = -1): FaultAction | undefined {
    if (apiKey === ApiKey.Fetch && this.isIsolatedFrom(replicaId)) return { drop: true };
    const q = this.queued.get(apiKey);
    const action: FaultAction = q?.length ? (q.shift() as FaultAction) : {};
    if (q && q.length === 0) this.queued.delete(apiKey);
    const delay = (this.latency.get(apiKey) ?? 0) + this.globalLatencyMs;
    if (delay > 0) action.delayMs = delay;
    return action.errorCode !== undefined || action.drop || action.dropResponse || action.delayMs
      ? action
      : undefined;
  }
}
