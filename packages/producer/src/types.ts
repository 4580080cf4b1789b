/**
 * The records a producer sends and what it says back about them.
 *
 * @module
 */

import type { RecordHeaders } from '@tskafka/transport';

/**
 * A record to send (Java's `ProducerRecord`).
 *
 * @typeParam K - the key type the producer's key serializer accepts.
 * @typeParam V - the value type the producer's value serializer accepts.
 */
export interface ProducerRecord<K = unknown, V = unknown> {
  /** The topic. */
  topic: string;
  /**
   * The key: records with the same key go to the same partition (with the default
   * partitioner). Absent or null: no key.
   */
  key?: K | null;
  /** The value; null is a tombstone. */
  value: V;
  /** The partition; absent: the partitioner chooses. */
  partition?: number;
  /** The record's timestamp in ms since the epoch; absent: the time of `send`. */
  timestamp?: number;
  /** Headers, name to value (a string is written as UTF-8). */
  headers?: RecordHeaders;
}

/** Where a record was written: what `send` resolves to (Java's `RecordMetadata`). */
export interface RecordMetadata {
  /** The record's topic. */
  readonly topic: string;
  /** The record's partition; -1 when a send failed before a partition was chosen. */
  readonly partition: number;
  /** The record's offset in the partition; -1 with `acks=0`, where the broker says nothing, and on failure. */
  readonly offset: number;
  /** The broker's append time if the topic uses `LogAppendTime`, else the record's own timestamp; -1 on failure. */
  readonly timestamp: number;
  /**
   * The broker's append time as its Produce response gave it: set under `LogAppendTime`, else -1
   * (-1 too with `acks=0`). Absent where no response was read (a failed send).
   */
  readonly logAppendTime?: number;
  /**
   * The partition's log start offset as the Produce response gave it (v5+), else -1. Absent
   * where no response was read (a failed send).
   */
  readonly logStartOffset?: number;
}

/**
 * Where the producer's own components report problems they cope with (an interceptor that
 * threw). `@tskafka/transport`'s `Logger` fits, as does `console`.
 */
export interface ProducerLogger {
  /** Something went wrong and the producer carried on. */
  warn(message: string, context?: Record<string, unknown>): void;
}
