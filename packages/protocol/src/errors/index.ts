/**
 * Kafka's error codes: the table as data, and one `Error` class per code.
 *
 * @module
 */
export * from './classes.js';
export { KafkaClientError, type KafkaClientErrorOptions, RetriableError } from './client-error.js';
export {
  InvalidMetadataError,
  KafkaError,
  type KafkaErrorContext,
  type KafkaErrorDetails,
  RetriableKafkaError,
  UnknownErrorCodeError,
} from './kafka-error.js';
export {
  ErrorCode,
  errorByCode,
  errorByName,
  isInvalidMetadata,
  isKnownErrorCode,
  isRetriable,
  KAFKA_ERRORS,
  type KafkaErrorInfo,
  type KafkaErrorName,
} from './table.js';
