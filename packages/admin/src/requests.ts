/**
 * How admin calls reach the cluster: to the controller, to partition leaders, to group
 * coordinators, with retries of retriable errors until the call's timeout. Batched calls
 * (several topics, partitions or groups in one request) resend only the items that failed with
 * a retriable error, so a retry never repeats what already succeeded.
 *
 * @module
 */

import {
  CoordinatorNotAvailableError,
  createKafkaError,
  type KafkaError,
  NotCoordinatorError,
} from '@tskafka/protocol';
import type { ApiDef } from '@tskafka/protocol/internals';
import { isRetriableError } from '@tskafka/transport';
import type { Cluster, RequestOf, ResponseOf, RetryOptions } from '@tskafka/transport/internals';

/** NOT_CONTROLLER: the request went to a broker that is not (or no longer) the controller. */
const NOT_CONTROLLER = 41;

/**
 * One admin call as its helpers see it: the cluster, and the call's name and time. Every step of
 * the call (its first connection, metadata, each request) retries within the same deadline,
 * `startedAt + timeoutMs`, and running out of it rejects with a `KafkaTimeoutError` naming
 * `operation`.
 */
export interface AdminContext {
  /** The cluster. */
  readonly cluster: Cluster;
  /** The call, as the application made it (e.g. `createTopics`): what its timeout error names. */
  readonly operation: string;
  /** The call's time: its `timeoutMs` option, else `default.api.timeout.ms`. */
  readonly timeoutMs: number;
  /** When the call began, on the cluster's clock. */
  readonly startedAt: number;
}

/**
 * Runs one step of a call (`fn`) with retries of retriable errors until the call's deadline,
 * warning while it retries; then rejects with a `KafkaTimeoutError` naming the call, the last
 * error as its cause. Anything not retriable rejects at once.
 */
export function retryCall<T>(
  ctx: AdminContext,
  fn: () => Promise<T>,
  options: Pick<RetryOptions, 'isRetriable' | 'onRetry'> = {},
): Promise<T> {
  return ctx.cluster.retry(fn, {
    ...options,
    timeoutMs: ctx.timeoutMs,
    startedAt: ctx.startedAt,
    operation: ctx.operation,
  });
}

/** The outcome for one item of a batched request. */
export interface ItemOutcome<R> {
  /** The item's key (a topic name, `topic:partition`, a group id). */
  key: string;
  /** Its error code, 0 for success. */
  errorCode: number;
  /** The broker's message, if any. */
  errorMessage?: string | null;
  /** The value for a success. */
  result?: R;
  /** The topic, for the error's context. */
  topic?: string;
  /** The partition, for the error's context. */
  partition?: number;
}

/** Options of {@link runPerItem}. */
export interface PerItemOptions<R> {
  /** The API, for errors. */
  apiName: string;
  /** Turns an error into a success (e.g. TOPIC_ALREADY_EXISTS with `ignoreExisting`); undefined keeps it. */
  recover?: (error: KafkaError, outcome: ItemOutcome<R>) => R | undefined;
  /** Errors not to retry although Kafka's table calls them retriable (e.g. an unknown topic named by the caller). */
  isFinal?: (error: KafkaError) => boolean;
}

/**
 * Sends `items` with `send`, resending those that failed with a retriable error (after the
 * cluster's backoff and, for stale metadata, a refresh) until none is left or the timeout ends.
 * Resolves with the results by key; rejects with the first error that was not retriable.
 */
export async function runPerItem<I, R>(
  ctx: AdminContext,
  items: readonly I[],
  keyOf: (item: I) => string,
  send: (pending: I[]) => Promise<ItemOutcome<R>[]>,
  options: PerItemOptions<R>,
): Promise<Map<string, R>> {
  const { cluster } = ctx;
  const results = new Map<string, R>();
  const failures: KafkaError[] = [];
  let pending = [...items];
  if (pending.length === 0) return results;
  await retryCall(ctx, async () => {
    const outcomes = await send(pending);
    const byKey = new Map(outcomes.map((o) => [o.key, o]));
    const next: I[] = [];
    let retriable: KafkaError | undefined;
    for (const item of pending) {
      const key = keyOf(item);
      const o = byKey.get(key) ?? {
        key,
        errorCode: -1,
        errorMessage: `the response has no result for ${key}`,
      };
      if (o.errorCode === 0) {
        results.set(key, o.result as R);
        continue;
      }
      const error = createKafkaError(o.errorCode, {
        apiName: options.apiName,
        message: o.errorMessage,
        ...(o.topic === undefined ? {} : { topic: o.topic }),
        ...(o.partition === undefined ? {} : { partition: o.partition }),
      });
      const recovered = options.recover?.(error, o);
      if (recovered !== undefined) results.set(key, recovered);
      else if (isRetriableError(error) && options.isFinal?.(error) !== true) {
        next.push(item);
        retriable ??= error;
      } else failures.push(error);
    }
    pending = next;
    if (retriable !== undefined) {
      if (retriable.code === NOT_CONTROLLER) {
        // The retry goes to whichever controller the metadata at hand names; say why it may fail again.
        await cluster.refreshMetadata().catch((error: unknown) =>
          cluster.options.logger.warn(`${options.apiName}: metadata refresh after NOT_CONTROLLER failed`, {
            error,
          }),
        );
      }
      throw retriable;
    }
  });
  if (failures.length > 0) throw failures[0];
  return results;
}

/**
 * Sends a request to the controller as the latest metadata names it (any broker when it names
 * none: KRaft brokers forward controller requests).
 */
export function requestController<A extends ApiDef>(
  cluster: Cluster,
  api: A,
  body: RequestOf<A>,
  timeoutMs?: number,
): Promise<ResponseOf<A>> {
  const controller = cluster.metadata.controllerId;
  const options = timeoutMs === undefined ? undefined : { timeoutMs };
  if (controller >= 0 && cluster.metadata.broker(controller) !== undefined) {
    return cluster.request(controller, api, body, options);
  }
  return cluster.requestAny(api, body, options);
}

/**
 * The request timeout for a call that asks the broker to wait `timeoutMs`: the broker's wait
 * plus the usual request timeout, so the broker answers before the client gives up.
 */
export function requestTimeoutFor(cluster: Cluster, timeoutMs: number): number {
  return timeoutMs + cluster.options.requestTimeoutMs;
}

/**
 * Runs `fn` (which talks to the coordinator of group `groupId`) with retries until the call's
 * deadline; NOT_COORDINATOR and COORDINATOR_NOT_AVAILABLE forget the cached coordinator first.
 */
export function withCoordinator<T>(ctx: AdminContext, groupId: string, fn: () => Promise<T>): Promise<T> {
  return retryCall(ctx, fn, {
    onRetry: (error) => {
      if (error instanceof NotCoordinatorError || error instanceof CoordinatorNotAvailableError) {
        ctx.cluster.invalidateCoordinator('group', groupId);
      }
    },
  });
}

/** Throws the Kafka error for `code` unless it is 0. */
export function check(
  code: number,
  context: { apiName: string; message?: string | null; topic?: string },
): void {
  if (code !== 0) throw createKafkaError(code, context);
}

/** Groups `items` into a map by `keyOf`, keeping their order. */
export function groupBy<T, K>(items: Iterable<T>, keyOf: (item: T) => K): Map<K, T[]> {
  const out = new Map<K, T[]>();
  for (const item of items) {
    const k = keyOf(item);
    const list = out.get(k);
    if (list === undefined) out.set(k, [item]);
    else list.push(item);
  }
  return out;
}

/**
 * Sends one request per partition leader (as the cluster's metadata names it) with
 * {@link runPerItem}; partitions without a leader count as LEADER_NOT_AVAILABLE, which refreshes
 * metadata and retries.
 */
export function perLeader<R>(
  ctx: AdminContext,
  partitions: readonly { topic: string; partition: number }[],
  apiName: string,
  send: (leader: number, batch: { topic: string; partition: number }[]) => Promise<ItemOutcome<R>[]>,
): Promise<Map<string, R>> {
  const { cluster } = ctx;
  return runPerItem(
    ctx,
    partitions,
    (p) => `${p.topic}:${p.partition}`,
    async (pending) => {
      const byLeader = groupBy(pending, (p) => cluster.leaderFor(p.topic, p.partition));
      const outcomes = await Promise.all(
        [...byLeader].map(async ([leader, batch]) => {
          if (leader >= 0) return send(leader, batch);
          return batch.map((p): ItemOutcome<R> => ({ key: `${p.topic}:${p.partition}`, ...p, errorCode: 5 }));
        }),
      );
      return outcomes.flat();
    },
    { apiName },
  );
}
