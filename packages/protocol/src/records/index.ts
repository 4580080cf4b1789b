/**
 * Record batch v2 (magic 2): building batches on the produce path, reading headers for the
 * broker, decoding records for the consumer, and control records for transactions.
 *
 * @module
 */
export {
  decodeBatchAttributes,
  encodeBatchAttributes,
  LOG_OVERHEAD,
  NO_PARTITION_LEADER_EPOCH,
  NO_PRODUCER_EPOCH,
  NO_PRODUCER_ID,
  NO_SEQUENCE,
  NO_TIMESTAMP,
  RECORD_BATCH_MAGIC,
  RECORD_BATCH_OVERHEAD,
  type RecordBatchAttributes,
  RecordBatchField,
  type RecordBatchHeader,
  type RecordBatchScan,
  type RecordBatchSlice,
  readRecordBatchHeader,
  readRecordBatchHeaders,
  recordBatchSize,
  setBaseOffset,
  setMaxTimestamp,
  setPartitionLeaderEpoch,
  setProducerState,
  TimestampType,
  updateRecordBatchCrc,
  verifyRecordBatchCrc,
} from './batch.js';
export * from './builder.js';
export * from './control.js';
export * from './decode.js';
