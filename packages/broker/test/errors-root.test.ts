/**
 * The reference broker's errors share the SDK's root: each is a KafkaClientError, an ApiError is
 * retriable exactly when Kafka's table says its code is (as the client receiving the code will
 * treat it), inter-broker connection failures are retriable, configuration, SASL refusals and
 * state-machine violations are not, and `instanceof RetriableError` agrees.
 */
import { ErrorCode, KafkaClientError, RetriableError } from '@tskafka/protocol';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../src/api-error.js';
import { BrokerConfigError } from '../src/config.js';
import {
  InconsistentTopicIdError,
  LogError,
  LogErrorCode,
  OffsetOutOfRangeError,
} from '../src/log/errors.js';
import { LogValidationError } from '../src/log/validator.js';
import { SaslAuthenticationError } from '../src/sasl/session.js';
import { InterBrokerConnectionError } from '../src/txn/inter-broker-client.js';
import { IllegalTransactionStateError } from '../src/txn/metadata.js';

describe('the broker’s errors', () => {
  it.each([
    ['ApiError', () => new ApiError(ErrorCode.NOT_LEADER_OR_FOLLOWER, 'not the leader'), true],
    ['ApiError', () => new ApiError(ErrorCode.NOT_COORDINATOR, 'not the coordinator'), true],
    ['ApiError', () => new ApiError(ErrorCode.INVALID_TOPIC_EXCEPTION, 'illegal name'), false],
    ['ApiError', () => new ApiError(ErrorCode.UNKNOWN_SERVER_ERROR, 'bug'), false],
    ['ApiError', () => new ApiError(-12_345, 'a code nobody knows'), false],
    ['LogError', () => new LogError(LogErrorCode.CORRUPT_MESSAGE, 'CRC mismatch'), true],
    ['OffsetOutOfRangeError', () => new OffsetOutOfRangeError(10, 0, 5), false],
    ['InconsistentTopicIdError', () => new InconsistentTopicIdError('a', 'b'), true],
    ['LogValidationError', () => new LogValidationError(LogErrorCode.INVALID_RECORD, 'null key', 0), false],
    [
      'InterBrokerConnectionError',
      () => new InterBrokerConnectionError('b:9092 closed the connection'),
      true,
    ],
    ['IllegalTransactionStateError', () => new IllegalTransactionStateError('Empty -> PrepareCommit'), false],
    [
      'SaslAuthenticationError',
      () => new SaslAuthenticationError(ErrorCode.SASL_AUTHENTICATION_FAILED, 'refused'),
      false,
    ],
    ['BrokerConfigError', () => new BrokerConfigError('num.partition: unknown key'), false],
  ] as const)('%s is a KafkaClientError, retriable: %s', (name, make, retriable) => {
    const error = make();
    expect(error).toBeInstanceOf(KafkaClientError);
    expect(error.name).toBe(name);
    expect(error.retriable).toBe(retriable);
    expect(error instanceof RetriableError).toBe(retriable);
  });

  it('keeps the code an ApiError answers with, and the socket error behind an inter-broker failure', () => {
    expect(new OffsetOutOfRangeError(10, 0, 5)).toBeInstanceOf(ApiError);
    expect(new OffsetOutOfRangeError(10, 0, 5).code).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
    const cause = new Error('ECONNREFUSED');
    expect(new InterBrokerConnectionError('cannot connect', { cause }).cause).toBe(cause);
  });
});
