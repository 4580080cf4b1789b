/**
 * Every error the consumer raises itself is a KafkaClientError, none retriable (each needs the
 * application to act: Java's CommitFailedException and NoOffsetForPartitionException are not
 * RetriableExceptions either), and `instanceof RetriableError` agrees.
 */
import { KafkaClientError, RebalanceInProgressError, RetriableError } from '@tskafka/protocol';
import { describe, expect, it } from 'vitest';
import { assignorFor } from '../src/assignors/index.js';
import {
  CommitFailedError,
  ConsumerClosedError,
  ConsumerError,
  GroupIdRequiredError,
  NoOffsetForPartitionError,
} from '../src/errors.js';
import { SubscriptionState } from '../src/subscription-state.js';

describe('the consumer’s errors', () => {
  it.each([
    ['ConsumerError', () => new ConsumerError('assignor missing'), false],
    ['ConsumerError', () => new ConsumerError('marked', { retriable: true }), true],
    ['ConsumerClosedError', () => new ConsumerClosedError('the consumer is closed'), false],
    [
      'NoOffsetForPartitionError',
      () => new NoOffsetForPartitionError([{ topic: 'orders', partition: 0 }]),
      false,
    ],
    ['CommitFailedError', () => new CommitFailedError('the group rebalanced'), false],
    ['GroupIdRequiredError', () => new GroupIdRequiredError('subscribe() needs a groupId'), false],
  ] as const)('%s is a KafkaClientError, retriable: %s', (name, make, retriable) => {
    const error = make();
    expect(error).toBeInstanceOf(KafkaClientError);
    expect(error).toBeInstanceOf(ConsumerError);
    expect(error.name).toBe(name);
    expect(error.retriable).toBe(retriable);
    expect(error instanceof RetriableError).toBe(retriable);
  });

  it('keeps the broker error behind a failed commit as its cause', () => {
    const cause = new RebalanceInProgressError();
    expect(new CommitFailedError('rebalancing', { cause }).cause).toBe(cause);
  });

  it('misuse and bad assignor names are ConsumerErrors too, not plain Errors', () => {
    expect(() => assignorFor('rnage')).toThrow(ConsumerError);
    const subscriptions = new SubscriptionState();
    subscriptions.subscribe(['orders']);
    expect(() => subscriptions.assignFromUser([{ topic: 'orders', partition: 0 }])).toThrow(ConsumerError);
  });
});
