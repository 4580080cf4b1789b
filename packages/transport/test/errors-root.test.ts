/**
 * Every error the transport raises is a KafkaClientError with `retriable` as Java would mark it
 * (network failures and timeouts retriable; closed clients, failed authentication, version
 * mismatches, configuration and serialization not), and `instanceof RetriableError` agrees.
 */
import { KafkaClientError, RetriableError } from '@tskafka/protocol';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../src/config/errors.js';
import { ConfigValueError } from '../src/config/schema.js';
import {
  BrokerProtocolError,
  ClientClosedError,
  ConnectionError,
  isRetriableError,
  KafkaTimeoutError,
  RequestTimeoutError,
  SaslAuthenticationError,
  SslAuthenticationError,
  TransportError,
  UnsupportedApiVersionError,
} from '../src/errors.js';
import { SerializationError } from '../src/serde.js';

const cause = new Error('ECONNRESET');

describe('the transport’s errors', () => {
  it.each([
    ['TransportError', () => new TransportError('failed', { cause }), false],
    ['ConnectionError', () => new ConnectionError('connection reset', { broker: '1 (b:9092)', cause }), true],
    ['RequestTimeoutError', () => new RequestTimeoutError('Metadata timed out', 30_000, { cause }), true],
    ['BrokerProtocolError', () => new BrokerProtocolError('unexpected correlation id', { cause }), true],
    [
      'UnsupportedApiVersionError',
      () => new UnsupportedApiVersionError('Produce', 0, { min: 3, max: 11 }, null, { cause }),
      false,
    ],
    ['SaslAuthenticationError', () => new SaslAuthenticationError('bad password', 'PLAIN', { cause }), false],
    ['SslAuthenticationError', () => new SslAuthenticationError('certificate expired', { cause }), false],
    ['KafkaTimeoutError', () => new KafkaTimeoutError('topic not present', 60_000, { cause }), true],
    ['ClientClosedError', () => new ClientClosedError('the client is closed', { cause }), false],
    ['ConfigError', () => new ConfigError('linger.mss', 'unknown key', 'linger.ms'), false],
    ['ConfigValueError', () => new ConfigValueError('expected a number'), false],
    ['SerializationError', () => new SerializationError('not JSON', 'orders', { cause }), false],
  ] as const)('%s is a KafkaClientError, retriable: %s', (name, make, retriable) => {
    const error = make();
    expect(error).toBeInstanceOf(KafkaClientError);
    expect(error.name).toBe(name);
    expect(error.retriable).toBe(retriable);
    expect(error instanceof RetriableError).toBe(retriable);
    expect(isRetriableError(error)).toBe(retriable);
    if (name !== 'ConfigError' && name !== 'ConfigValueError') expect(error.cause).toBe(cause);
  });

  it('isRetriableError is instanceof RetriableError: a plain error with a retriable flag is not ours', () => {
    expect(isRetriableError(Object.assign(new Error('x'), { retriable: true }))).toBe(false);
    expect(isRetriableError(new TypeError('a bug'))).toBe(false);
  });
});
