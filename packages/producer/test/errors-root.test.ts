/**
 * Every error the producer raises itself is a KafkaClientError with `retriable` as Java marks
 * its counterpart (BufferExhaustedException and the delivery TimeoutException retriable;
 * RecordTooLargeException, a closed producer, transaction misuse and aborts not), and
 * `instanceof RetriableError` agrees.
 */
import { KafkaClientError, RetriableError } from '@tskafka/protocol';
import { describe, expect, it } from 'vitest';
import {
  AbortableTransactionError,
  BufferExhaustedError,
  DeliveryTimeoutError,
  ProducerClosedError,
  ProducerError,
  RecordTooLargeError,
  TransactionAbortedError,
  TransactionStateError,
} from '../src/errors.js';

const cause = new Error('NOT_ENOUGH_REPLICAS');

describe('the producer’s errors', () => {
  it.each([
    ['ProducerError', () => new ProducerError('failed', { cause }), false],
    ['ProducerError', () => new ProducerError('produce response missing', { retriable: true, cause }), true],
    ['BufferExhaustedError', () => new BufferExhaustedError(16_384, 0, 32 * 1024 * 1024, 60_000), true],
    [
      'DeliveryTimeoutError',
      () => new DeliveryTimeoutError('orders', 0, 10, 120_001, 120_000, true, cause),
      true,
    ],
    ['RecordTooLargeError', () => new RecordTooLargeError(2_000_000, 1_048_576, 'max.request.size'), false],
    ['ProducerClosedError', () => new ProducerClosedError(), false],
    [
      'TransactionStateError',
      () => new TransactionStateError('commitTransaction()', 'Ready', 'none is open'),
      false,
    ],
    ['AbortableTransactionError', () => new AbortableTransactionError('commitTransaction()', cause), false],
    ['TransactionAbortedError', () => new TransactionAbortedError(undefined, cause), false],
  ] as const)('%s is a KafkaClientError, retriable: %s', (name, make, retriable) => {
    const error = make();
    expect(error).toBeInstanceOf(KafkaClientError);
    expect(error).toBeInstanceOf(ProducerError);
    expect(error.name).toBe(name);
    expect(error.retriable).toBe(retriable);
    expect(error instanceof RetriableError).toBe(retriable);
  });

  it('keeps the error that led to it as the cause', () => {
    expect(new DeliveryTimeoutError('orders', 0, 1, 10, 5, false, cause).cause).toBe(cause);
    expect(new AbortableTransactionError('send()', cause).cause).toBe(cause);
    expect(new ProducerError('x', { cause }).cause).toBe(cause);
  });
});
