/**
 * Partition log storage of the reference broker, after Apache Kafka's log layer (`UnifiedLog`,
 * `LogSegment`, `OffsetIndex`, `TimeIndex`, `LogValidator`, `LeaderEpochFileCache`), in memory or
 * on disk in Kafka's layout.
 *
 * @module
 */
export {
  BatchAttribute,
  BatchField,
  type BatchHeader,
  type Decompressor,
  isBatchCrcValid,
  LOG_OVERHEAD,
  MAGIC_V2,
  RECORD_BATCH_OVERHEAD,
  readBatchHeader,
} from './batch.js';
export {
  type ActiveProducer,
  CLEANER_SWAP_FILE,
  type CleanableRange,
  type CleanOptions,
  type CleanResult,
  needsCleaning,
} from './cleaner.js';
export {
  type CleanupPolicy,
  DEFAULT_LOG_CONFIG,
  LOG_CONFIG_NAMES,
  type LogConfig,
  logConfig,
  logConfigFromTopicConfig,
  parseCleanupPolicy,
  type TimestampType,
} from './config.js';
export {
  DiskLogDirectory,
  DiskSegmentFile,
  LOG_START_OFFSET_CHECKPOINT,
  type OffsetCheckpointEntry,
  readOffsetCheckpoint,
  writeOffsetCheckpoint,
} from './disk.js';
export { InconsistentTopicIdError, LogError, LogErrorCode, OffsetOutOfRangeError } from './errors.js';
export { OffsetIndex, type OffsetPosition, TimeIndex, type TimestampOffset } from './indexes.js';
export {
  type EpochEndOffset,
  type EpochEntry,
  LEADER_EPOCH_CHECKPOINT,
  LeaderEpochCache,
} from './leader-epoch.js';
export {
  type AppendOptions,
  type AppendResult,
  type DeletedSegment,
  type LogReadResult,
  PARTITION_METADATA,
  PartitionLog,
  type PartitionLogOptions,
  type RetentionResult,
} from './partition-log.js';
export { ReadBufferLease, ReadBufferPool, type ReadBuffers } from './read-buffers.js';
export {
  LogSegment,
  type RecoveryResult,
  type SegmentInfo,
  SegmentSuffix,
  segmentFileName,
  type TimestampAndOffset,
} from './segment.js';
export { type LogDirectory, MemoryLogDirectory, MemorySegmentFile, type SegmentFile } from './storage.js';
export {
  ABORTED_TXN_ENTRY_SIZE,
  type AbortedTxn,
  decodeAbortedTxns,
  encodeAbortedTxns,
  TransactionIndex,
} from './txn-index.js';
export {
  type BatchSummary,
  LogValidationError,
  readBatchSummary,
  type ValidateOptions,
  validateRecordBatches,
} from './validator.js';
