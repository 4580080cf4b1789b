/**
 * Consumer interceptors (Java's `ConsumerInterceptor`): see or replace records before `poll`
 * hands them out, and see offsets once they are committed.
 *
 * @module
 */
import type { Logger } from '@tskafka/transport';
import type { ConsumerRecord, OffsetAndMetadata, TopicPartition } from './types.js';

/**
 * Called on every batch of records `poll` returns and every successful commit. An interceptor
 * that throws is logged and skipped; it never fails the poll or the commit.
 *
 * @typeParam K - the consumer's key type.
 * @typeParam V - the consumer's value type.
 */
export interface ConsumerInterceptor<K = unknown, V = unknown> {
  /** Sees the records of a poll before the user does; may return other records to hand out instead. */
  onConsume?(records: ConsumerRecord<K, V>[]): ConsumerRecord<K, V>[] | undefined;
  /** Sees the offsets of a successful commit. */
  onCommit?(offsets: ReadonlyMap<TopicPartition, OffsetAndMetadata>): void;
  /** Called when the consumer closes. */
  close?(): void;
}

/** The chain of a consumer's interceptors, called in order, each protected from the others' errors. */
export class ConsumerInterceptors<K, V> {
  /**
   * @param interceptors - in call order.
   * @param logger - receives a warning for each interceptor that throws.
   */
  constructor(
    private readonly interceptors: readonly ConsumerInterceptor<K, V>[],
    private readonly logger: Logger,
  ) {}

  /** Whether there is any interceptor. */
  get isEmpty(): boolean {
    return this.interceptors.length === 0;
  }

  /** Runs `onConsume` of each interceptor in turn. */
  onConsume(records: ConsumerRecord<K, V>[]): ConsumerRecord<K, V>[] {
    let out = records;
    for (const i of this.interceptors) {
      if (i.onConsume === undefined) continue;
      try {
        out = i.onConsume(out) ?? out;
      } catch (error) {
        this.logger.warn('consumer interceptor onConsume threw; skipped', { error: error as Error });
      }
    }
    return out;
  }

  /** Runs `onCommit` of each interceptor. */
  onCommit(offsets: ReadonlyMap<TopicPartition, OffsetAndMetadata>): void {
    for (const i of this.interceptors) {
      try {
        i.onCommit?.(offsets);
      } catch (error) {
        this.logger.warn('consumer interceptor onCommit threw; skipped', { error: error as Error });
      }
    }
  }

  /** Runs `close` of each interceptor. */
  close(): void {
    for (const i of this.interceptors) {
      try {
        i.close?.();
      } catch (error) {
        this.logger.warn('consumer interceptor close threw', { error: error as Error });
      }
    }
  }
}
