/**
 * The shapes of KafkaJS's consumer: its config, `subscribe` and `run` arguments, the
 * `eachMessage` and `eachBatch` payloads, and how a tskafka record becomes a KafkaJS message.
 *
 * @module
 */
import type { ConsumerPartitionAssignor, ConsumerRecord } from '@tskafka/consumer';
import type { RecordHeader } from '@tskafka/protocol';
import type { PartitionAssigner } from './assigners.js';
import type { KafkaMessage, RetryOptions } from './types.js';

/** KafkaJS's `ConsumerConfig`. */
export interface ConsumerConfig {
  /** The consumer group. */
  groupId: string;
  /** Refresh metadata at least this often, ms. */
  metadataMaxAge?: number;
  /** `session.timeout.ms`; KafkaJS's default 30000. */
  sessionTimeout?: number;
  /** How long a rebalance may take, ms (tskafka: `max.poll.interval.ms`). */
  rebalanceTimeout?: number;
  /** `heartbeat.interval.ms`; KafkaJS's default 3000. */
  heartbeatInterval?: number;
  /** `max.partition.fetch.bytes`. */
  maxBytesPerPartition?: number;
  /** `fetch.min.bytes`. */
  minBytes?: number;
  /** `fetch.max.bytes`. */
  maxBytes?: number;
  /** `fetch.max.wait.ms`; KafkaJS's default 5000. */
  maxWaitTimeInMs?: number;
  /** Retry settings: `initialRetryTime` is the wait before a failed handler's messages are retried. */
  retry?: RetryOptions;
  /**
   * The assigners, preferred first; default `[PartitionAssigners.roundRobin]` (KafkaJS's
   * `RoundRobinAssigner`). KafkaJS assigner functions (`({ cluster }) => ({ name, version, assign,
   * protocol })`) and tskafka assignors are both accepted.
   */
  partitionAssigners?: (PartitionAssigner | ConsumerPartitionAssignor)[];
  /** Whether subscribing to a missing topic creates it. */
  allowAutoTopicCreation?: boolean;
  /** Read records of open and aborted transactions too (`read_uncommitted`); default false. */
  readUncommitted?: boolean;
}

/** What `subscribe` takes: topics by name or pattern, and where to start without a committed offset. */
export interface ConsumerSubscribeTopics {
  /** Names or patterns (a pattern matches the topics that exist when `subscribe` is called). */
  topics: (string | RegExp)[];
  /** Start at the earliest offset (else the latest) where the group has none committed. */
  fromBeginning?: boolean;
}

/** KafkaJS's older `subscribe` argument: one topic. */
export interface ConsumerSubscribeTopic {
  /** A name or pattern. */
  topic: string | RegExp;
  /** As in {@link ConsumerSubscribeTopics}. */
  fromBeginning?: boolean;
}

/** A partition's messages from one fetch (KafkaJS's `Batch`). */
export interface Batch {
  /** The topic. */
  topic: string;
  /** The partition. */
  partition: number;
  /** The partition's high watermark when fetched, as a string. */
  highWatermark: string;
  /** The messages. */
  messages: KafkaMessage[];
  /** Whether there are no messages. */
  isEmpty(): boolean;
  /** The first message's offset, or null. */
  firstOffset(): string | null;
  /** The last message's offset (`highWatermark - 1` for an empty batch). */
  lastOffset(): string;
  /** Messages behind the high watermark after the last one of the batch. */
  offsetLag(): string;
  /** Messages behind the high watermark from the first one of the batch. */
  offsetLagLow(): string;
}

/** Offsets by topic and partition, as `uncommittedOffsets()` gives them. */
export interface OffsetsByTopicPartition {
  /** Topics with their partitions' offsets. */
  topics: { topic: string; partitions: { partition: string | number; offset: string }[] }[];
}

/** What `eachMessage` receives. */
export interface EachMessagePayload {
  /** The topic. */
  topic: string;
  /** The partition. */
  partition: number;
  /** The message. */
  message: KafkaMessage;
  /** Keeps the membership alive (tskafka heartbeats on its own: resolves at once). */
  heartbeat(): Promise<void>;
  /** Pauses this partition after this message; returns the function that resumes it. */
  pause(): () => void;
}

/** What `eachBatch` receives. */
export interface EachBatchPayload {
  /** The batch. */
  batch: Batch;
  /** Marks the messages up to `offset` handled, so commits include them. */
  resolveOffset(offset: string): void;
  /** Keeps the membership alive (tskafka heartbeats on its own: resolves at once). */
  heartbeat(): Promise<void>;
  /** Pauses this partition after this batch; returns the function that resumes it. */
  pause(): () => void;
  /** Commits the resolved offsets if `autoCommitInterval` or `autoCommitThreshold` says so. */
  commitOffsetsIfNecessary(offsets?: OffsetsByTopicPartition): Promise<void>;
  /** Resolved offsets not committed yet. */
  uncommittedOffsets(): OffsetsByTopicPartition;
  /** Whether the consumer is still running. */
  isRunning(): boolean;
  /** Whether the batch is stale (a seek moved the partition since it was fetched). */
  isStale(): boolean;
}

/** KafkaJS's `ConsumerRunConfig`. */
export interface ConsumerRunConfig {
  /** Commit resolved offsets automatically; default true. */
  autoCommit?: boolean;
  /** Commit at most this often, ms. */
  autoCommitInterval?: number | null;
  /** Commit after this many resolved messages. */
  autoCommitThreshold?: number | null;
  /** Resolve a batch's offsets when `eachBatch` returns; default true. */
  eachBatchAutoResolve?: boolean;
  /** Partitions whose batches are handled at once; default 1. */
  partitionsConsumedConcurrently?: number;
  /** Called per partition batch. */
  eachBatch?: (payload: EachBatchPayload) => Promise<void>;
  /** Called per message. */
  eachMessage?: (payload: EachMessagePayload) => Promise<void>;
}

/** Partitions of a topic to pause or resume; all of its assigned ones if `partitions` is absent. */
export interface TopicPartitions {
  /** The topic. */
  topic: string;
  /** The partitions. */
  partitions?: number[];
}

/** The group's description (KafkaJS's `GroupDescription`). */
export interface GroupDescription {
  /** The group. */
  groupId: string;
  /** Members and what they were assigned. */
  members: {
    memberId: string;
    clientId: string;
    clientHost: string;
    memberMetadata: Buffer;
    memberAssignment: Buffer;
  }[];
  /** The assignor in use. */
  protocol: string;
  /** `consumer` for consumer groups. */
  protocolType: string;
  /** `Stable`, `PreparingRebalance`, `CompletingRebalance`, `Empty` or `Dead`. */
  state: string;
}

/** KafkaJS's message shape for a tskafka record. */
export function toMessage(r: ConsumerRecord<Buffer | null, Buffer | null>): KafkaMessage {
  return {
    key: r.key,
    value: r.value,
    timestamp: String(r.timestamp),
    attributes: 0,
    offset: String(r.offset),
    size: 0,
    headers: r.headers.length === 0 ? {} : headersOf(r.headers),
  };
}

function headersOf(list: readonly RecordHeader[]): { [key: string]: Buffer | Buffer[] | undefined } {
  const out: { [key: string]: Buffer | Buffer[] | undefined } = {};
  for (const h of list) {
    const v =
      h.value === null ? undefined : Buffer.from(h.value.buffer, h.value.byteOffset, h.value.byteLength);
    if (v === undefined) continue;
    const prev = out[h.key];
    out[h.key] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}
