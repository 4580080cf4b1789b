/** The command line's error is a KafkaClientError, not retriable, and `instanceof RetriableError` agrees. */
import { KafkaClientError, RetriableError } from '@tskafka/protocol';
import { describe, expect, it } from 'vitest';
import { CliError } from '../src/errors.js';

describe('CliError', () => {
  it('is a KafkaClientError, named, with its exit code, and not retriable', () => {
    const error = new CliError('--create requires --topic', 2);
    expect(error).toBeInstanceOf(KafkaClientError);
    expect(error.name).toBe('CliError');
    expect(error.exitCode).toBe(2);
    expect(error.retriable).toBe(false);
    expect(error instanceof RetriableError).toBe(false);
  });
});
