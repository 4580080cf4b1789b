/**
 * The producer's metadata-wait queue: sends to a topic whose metadata is not known yet wait in
 * one list per topic on one shared lookup, and are appended in the order they were made once it
 * resolves. Each send's result is a native promise (a `PendingSend`) that the record's batch takes
 * over once appended: a burst of sends to a new topic costs no promise chain per record, and a record
 * that fails while nobody awaits its send is reported, not an unhandled rejection.
 *
 * @module
 */
import type { Cluster } from '@tskafka/transport/internals';
import { type FailedSendsListener, warnFailedSends } from './producer-batch.js';
import { PendingSend } from './send-promise.js';
import type { TransactionManager } from './transactions.js';
import type { ProducerRecord, RecordMetadata } from './types.js';

/** Where waiting sends go once their topic's metadata is in (the producer's own send path). */
export interface WaitingSendTarget<K, V> {
  /** Serializes, partitions and appends a send that waited `blockedMs` for `partitions`. */
  append(record: ProducerRecord<K, V>, partitions: number, blockedMs: number, deferred: DeferredSend): void;
  /** Fails a send refused before it was appended. */
  fail(record: ProducerRecord<K, V>, error: Error, deferred: DeferredSend): void;
}

/** The sends waiting for one topic's metadata, in the order they were made. */
export class TopicWait<K, V> {
  readonly sends: { record: ProducerRecord<K, V>; deferred: DeferredSend; generation: number }[] = [];
  // Settles once every send is appended or failed.
  settled: Promise<void> = Promise.resolve();
}

/**
 * A send waiting for its topic's metadata: its promise moves into the record's batch once
 * appended, or settles here when the record is refused.
 */
export class DeferredSend {
  /** What `send` returned, with its resolving functions. */
  readonly pending: PendingSend = new PendingSend();
  private done = false;

  constructor(
    private readonly topic: string,
    private readonly onFailed: FailedSendsListener = warnFailedSends,
  ) {}

  /** What `send` returned. */
  get promise(): Promise<RecordMetadata> {
    return this.pending.promise;
  }

  /** Settles the send here (it was not appended); a failure is rejected marked handled and reported. */
  complete(metadata: RecordMetadata | null, error: Error | null): void {
    if (this.done) return;
    this.done = true;
    if (error === null) this.pending.resolve(metadata as RecordMetadata);
    else {
      this.pending.fail(error);
      this.onFailed(this.topic, -1, error, 1);
    }
  }
}

/** The sends waiting for their topic's metadata, by topic. */
export class MetadataWaits<K, V> {
  /** The waits by topic; `send` checks it directly (a topic with sends waiting queues behind them). */
  readonly byTopic = new Map<string, TopicWait<K, V>>();

  constructor(
    private readonly cluster: Cluster,
    private readonly maxBlockMs: number,
    private readonly transactions: TransactionManager | null,
    private readonly target: WaitingSendTarget<K, V>,
    private readonly wakeup: () => void,
    private readonly onFailedSends: FailedSendsListener = warnFailedSends,
  ) {}

  /** Queues a send until its topic's metadata is in; returns the send's result. */
  add(r: ProducerRecord<K, V>): Promise<RecordMetadata> {
    const topic = r.topic;
    const wait = this.byTopic.get(topic) ?? this.waitForTopic(topic);
    const deferred = new DeferredSend(topic, this.onFailedSends);
    // The transaction may end while the record waits: it must not land in the next one.
    wait.sends.push({ record: r, deferred, generation: this.transactions?.generation ?? 0 });
    return deferred.promise;
  }

  /**
   * Resolves once every waiting send is appended or failed, including sends queued meanwhile:
   * they are not in the accumulator yet, but count as sent before a flush or close.
   */
  async settle(): Promise<void> {
    while (this.byTopic.size > 0) {
      // Each wait appends its sends, in order, before it settles.
      await Promise.allSettled(Array.from(this.byTopic.values(), (w) => w.settled));
    }
  }

  /**
   * Fails every send still waiting for its topic's metadata with `error` (a close that ran out of
   * time); the lookups still running find nothing left to append.
   */
  failAll(error: Error): void {
    for (const wait of this.byTopic.values()) {
      for (const { record, deferred } of wait.sends) this.target.fail(record, error, deferred);
      wait.sends.length = 0;
    }
    this.byTopic.clear();
  }

  private waitForTopic(topic: string): TopicWait<K, V> {
    const started = Date.now();
    const wait = new TopicWait<K, V>();
    wait.settled = this.cluster.waitForTopic(topic, this.maxBlockMs).then(
      (t) => this.appendWaiting(topic, wait, t.partitions.length, Date.now() - started, null),
      (e: Error) => this.appendWaiting(topic, wait, 0, 0, e),
    );
    this.byTopic.set(topic, wait);
    return wait;
  }

  private appendWaiting(
    topic: string,
    wait: TopicWait<K, V>,
    partitions: number,
    blockedMs: number,
    error: Error | null,
  ): void {
    if (this.byTopic.get(topic) === wait) this.byTopic.delete(topic);
    const txn = this.transactions;
    for (const { record, deferred, generation } of wait.sends) {
      const refused = error ?? txn?.appendError(generation) ?? null;
      if (refused !== null) {
        this.target.fail(record, refused, deferred);
        continue;
      }
      try {
        this.target.append(record, partitions, blockedMs, deferred);
      } catch (e) {
        // A partitioner that throws fails its own record, as in send() itself; the rest go on.
        deferred.complete(null, e instanceof Error ? e : new Error(String(e)));
      }
    }
    wait.sends.length = 0;
    // EndTxn waits for records still waiting for metadata: look again once they are in.
    if (txn !== null) this.wakeup();
  }
}
