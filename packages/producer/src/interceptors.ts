/**
 * Producer interceptors (Java's `ProducerInterceptor`, KIP-42): code that sees every record on
 * its way in and every acknowledgement on its way out, e.g. to add headers, count or trace.
 *
 * @module
 */

import { stderrLogger } from '@tskafka/transport';
import type { ProducerLogger, ProducerRecord, RecordMetadata } from './types.js';

/**
 * Sees records before they are serialized and partitioned, and their outcome.
 * Every method is optional. Interceptors must not throw to change the send: one that throws is
 * logged and skipped, and the send goes on.
 *
 * @typeParam K - the producer's key type.
 * @typeParam V - the producer's value type.
 */
export interface ProducerInterceptor<K = unknown, V = unknown> {
  /**
   * Called first in `send`, before serialization and partitioning: returns the record to send
   * (this one, or a replacement; e.g. with headers added). Runs on the main path for every
   * record: keep it synchronous and cheap.
   */
  onSend?(record: ProducerRecord<K, V>): ProducerRecord<K, V>;
  /**
   * Called once per record when its outcome is known: with its metadata on success, or with the
   * error (and metadata carrying only the topic and, if chosen, the partition; offset -1) on
   * failure. Runs as the producer completes the record: keep it quick and do not block.
   *
   * @param record - the record as sent (after `onSend`), where the producer still has it.
   */
  onAcknowledgement?(
    metadata: RecordMetadata | null,
    error: Error | null,
    record?: ProducerRecord<K, V>,
  ): void;
  /** Called once when the producer closes. */
  close?(): void | Promise<void>;
}

/**
 * The interceptor chain, in the order given. `onSend` passes each interceptor the record the
 * previous one returned; an interceptor that throws, or returns nothing, is logged and skipped
 * (the record goes on as it was). `onAcknowledgement` calls each in order the same way.
 */
export class ProducerInterceptors<K = unknown, V = unknown> {
  private readonly interceptors: readonly ProducerInterceptor<K, V>[];
  private readonly onSendChain: readonly ProducerInterceptor<K, V>[];
  private readonly onAckChain: readonly ProducerInterceptor<K, V>[];

  /**
   * @param interceptors - in the order they run.
   * @param logger - receives a warning for each interceptor that throws (with the error in the
   *   context's `error` field); default: warnings to stderr.
   */
  constructor(
    interceptors: readonly ProducerInterceptor<K, V>[],
    private readonly logger: ProducerLogger = stderrLogger('warn'),
  ) {
    this.interceptors = [...interceptors];
    this.onSendChain = this.interceptors.filter((i) => typeof i.onSend === 'function');
    this.onAckChain = this.interceptors.filter((i) => typeof i.onAcknowledgement === 'function');
  }

  /** Whether any interceptor has `onSend` (the producer skips the chain when none does). */
  get hasOnSend(): boolean {
    return this.onSendChain.length > 0;
  }

  /** Whether any interceptor has `onAcknowledgement`. */
  get hasOnAcknowledgement(): boolean {
    return this.onAckChain.length > 0;
  }

  /** Runs the `onSend` chain; returns the record to send. Never throws. */
  onSend(record: ProducerRecord<K, V>): ProducerRecord<K, V> {
    let current = record;
    for (const interceptor of this.onSendChain) {
      try {
        const next = (interceptor.onSend as NonNullable<ProducerInterceptor<K, V>['onSend']>).call(
          interceptor,
          current,
        );
        if (next === null || typeof next !== 'object') {
          this.logger.warn('producer interceptor onSend returned no record; ignored', {
            interceptor: nameOf(interceptor),
            topic: current.topic,
          });
          continue;
        }
        current = next;
      } catch (error) {
        this.logger.warn('producer interceptor onSend threw; skipped', {
          interceptor: nameOf(interceptor),
          topic: current.topic,
          error,
        });
      }
    }
    return current;
  }

  /** Runs every `onAcknowledgement`; never throws. */
  onAcknowledgement(
    metadata: RecordMetadata | null,
    error: Error | null,
    record?: ProducerRecord<K, V>,
  ): void {
    for (const interceptor of this.onAckChain) {
      try {
        (interceptor.onAcknowledgement as NonNullable<ProducerInterceptor<K, V>['onAcknowledgement']>).call(
          interceptor,
          metadata,
          error,
          record,
        );
      } catch (thrown) {
        this.logger.warn('producer interceptor onAcknowledgement threw; skipped', {
          interceptor: nameOf(interceptor),
          topic: metadata?.topic ?? record?.topic,
          error: thrown,
        });
      }
    }
  }

  /**
   * Reports a send that failed before it reached the accumulator (serialization, partitioning,
   * a full buffer) to `onAcknowledgement`, as Java's `onSendError`: metadata carries the topic
   * and the partition if known (else -1), offset and timestamp -1.
   */
  onSendError(record: ProducerRecord<K, V>, partition: number | undefined, error: Error): void {
    if (this.onAckChain.length === 0) return;
    const metadata: RecordMetadata = {
      topic: record.topic,
      partition: partition ?? record.partition ?? -1,
      offset: -1,
      timestamp: -1,
    };
    this.onAcknowledgement(metadata, error, record);
  }

  /** Closes every interceptor, in order; errors are logged, and every interceptor is closed. */
  async close(): Promise<void> {
    for (const interceptor of this.interceptors) {
      if (typeof interceptor.close !== 'function') continue;
      try {
        await interceptor.close();
      } catch (error) {
        this.logger.warn('producer interceptor close threw', { interceptor: nameOf(interceptor), error });
      }
    }
  }
}

function nameOf(interceptor: object): string {
  const name = interceptor.constructor?.name;
  return name !== undefined && name !== 'Object' ? name : 'anonymous';
}
