/**
 * The shapes KafkaJS's API takes and returns: messages, headers, record metadata, log entries,
 * and its enums (`logLevel`, `CompressionTypes`), with KafkaJS's names and values.
 *
 * @module
 */

/** Headers on send: a value may be an array, which writes the header once per element. */
export interface IHeaders {
  /** A header's value(s). */
  [key: string]: Buffer | string | (Buffer | string)[] | undefined;
}

/** A message to send. */
export interface Message {
  /** The key: same key, same partition. */
  key?: Buffer | string | null;
  /** The value; null is a tombstone. */
  value: Buffer | string | null;
  /** The partition; absent: the partitioner chooses. */
  partition?: number;
  /** Headers. */
  headers?: IHeaders;
  /** The timestamp, ms since the epoch as a string; absent: now. */
  timestamp?: string;
}

/** A consumed message (KafkaJS's `KafkaMessage`: strings for the 64-bit numbers). */
export interface KafkaMessage {
  /** The key bytes, or null. */
  key: Buffer | null;
  /** The value bytes, or null. */
  value: Buffer | null;
  /** The timestamp, ms since the epoch, as a string. */
  timestamp: string;
  /** The record's attributes byte (0 for records in a v2 batch). */
  attributes: number;
  /** The offset, as a string. */
  offset: string;
  /** The record's size in bytes (0: not tracked). */
  size: number;
  /** Headers; a key that repeats gives an array of its values. */
  headers?: { [key: string]: Buffer | Buffer[] | undefined };
}

/** What a send says per partition written to. */
export interface RecordMetadata {
  /** The topic. */
  topicName: string;
  /** The partition. */
  partition: number;
  /** The partition's error code (0: none). */
  errorCode: number;
  /** The offset the first message sent to the partition got, as a string. */
  baseOffset?: string;
  /** The broker's append time if the topic uses `LogAppendTime`, else `'-1'`. */
  logAppendTime?: string;
  /** The partition's log start offset, as a string. */
  logStartOffset?: string;
  /** Unused here; in KafkaJS's type for old message formats. */
  offset?: string;
  /** Unused here; in KafkaJS's type for old message formats. */
  timestamp?: string;
}

/** KafkaJS's log levels. */
export const logLevel = {
  /** Nothing. */
  NOTHING: 0,
  /** Errors. */
  ERROR: 1,
  /** Errors and warnings. */
  WARN: 2,
  /** Errors, warnings and information. */
  INFO: 4,
  /** Everything. */
  DEBUG: 5,
} as const;
/** See {@link logLevel}. */
export type logLevel = (typeof logLevel)[keyof typeof logLevel];

/** One log line as a KafkaJS `logCreator`'s function receives it. */
export interface LogEntry {
  /** The component that logged (`Producer`, `Consumer`, `Admin`, ...). */
  namespace: string;
  /** The line's level. */
  level: logLevel;
  /** The level's name: `ERROR`, `WARN`, `INFO`, `DEBUG`. */
  label: string;
  /** The line: its message, an ISO timestamp, and its context's fields. */
  log: { timestamp: string; message: string; [key: string]: unknown };
}

/** KafkaJS's logger factory: given the configured level, a function called for each line. */
export type logCreator = (level: logLevel) => (entry: LogEntry) => void;

/** KafkaJS's codec numbers. */
export const CompressionTypes = {
  /** No compression. */
  None: 0,
  /** gzip. */
  GZIP: 1,
  /** Snappy. */
  Snappy: 2,
  /** LZ4. */
  LZ4: 3,
  /** zstd. */
  ZSTD: 4,
} as const;
/** See {@link CompressionTypes}. */
export type CompressionTypes = (typeof CompressionTypes)[keyof typeof CompressionTypes];

/** Retry settings (KafkaJS's `RetryOptions`); `retries` and `initialRetryTime` are used. */
export interface RetryOptions {
  /** Longest wait between retries, ms. */
  maxRetryTime?: number;
  /** First wait between retries, ms. */
  initialRetryTime?: number;
  /** Growth of the wait. */
  factor?: number;
  /** Multiplier of the wait. */
  multiplier?: number;
  /** How many times to retry. */
  retries?: number;
  /** Whether to restart a consumer that crashed on a retriable error. */
  restartOnFailure?: (e: Error) => Promise<boolean>;
}

/** A topic-partition's offset as KafkaJS gives and takes it. */
export interface TopicPartitionOffset {
  /** The topic. */
  topic: string;
  /** The partition. */
  partition: number;
  /** The offset, as a string. */
  offset: string;
}
