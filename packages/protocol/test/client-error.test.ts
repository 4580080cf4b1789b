/**
 * The error root: every error of the protocol package is a KafkaClientError with a name, a
 * cause and `retriable` (false unless marked), and `instanceof RetriableError` says exactly what
 * `retriable` says, for every Kafka error code and for the codec and framing errors alike.
 */
import { describe, expect, it } from 'vitest';
import { CompressionError, CompressionErrorKind } from '../src/compression/errors.js';
import {
  createKafkaError,
  NotLeaderOrFollowerError,
  TopicAuthorizationFailedError,
} from '../src/errors/classes.js';
import { KafkaClientError, RetriableError } from '../src/errors/client-error.js';
import {
  InvalidMetadataError,
  KafkaError,
  RetriableKafkaError,
  UnknownErrorCodeError,
} from '../src/errors/kafka-error.js';
import { KAFKA_ERRORS } from '../src/errors/table.js';
import { FrameSizeError } from '../src/frame.js';
import { KafkaClientError as FromIndex, RetriableError as RetriableFromIndex } from '../src/index.js';
import { ProtocolDecodeError, ProtocolEncodeError } from '../src/primitives/errors.js';

/** What a user checks of one of our errors: the root, the name, and the two retriability tests agreeing. */
function expectRooted(error: unknown, name: string, retriable: boolean): void {
  expect(error).toBeInstanceOf(Error);
  expect(error).toBeInstanceOf(KafkaClientError);
  expect((error as Error).name).toBe(name);
  expect((error as KafkaClientError).retriable).toBe(retriable);
  expect(error instanceof RetriableError).toBe(retriable);
}

describe('KafkaClientError', () => {
  it('is exported from the package index', () => {
    expect(FromIndex).toBe(KafkaClientError);
    expect(RetriableFromIndex).toBe(RetriableError);
  });

  it('is not retriable unless marked, keeps its cause, and is named after its class', () => {
    const cause = new Error('socket hang up');
    const plain = new KafkaClientError('failed');
    expectRooted(plain, 'KafkaClientError', false);
    expect(plain.message).toBe('failed');
    expect(plain.cause).toBeUndefined();
    expect(Object.hasOwn(plain, 'cause')).toBe(false);

    const marked = new KafkaClientError('lost', { retriable: true, cause });
    expectRooted(marked, 'KafkaClientError', true);
    expect(marked.cause).toBe(cause);

    class OrdersUnavailable extends KafkaClientError {}
    expectRooted(new OrdersUnavailable('no orders', { retriable: true }), 'OrdersUnavailable', true);
    expect(new OrdersUnavailable('no orders').stack).toMatch(/^OrdersUnavailable: no orders/);
  });
});

describe('RetriableError', () => {
  it('matches retriable KafkaClientErrors only, whichever branch of the tree they sit on', () => {
    expect(new NotLeaderOrFollowerError() instanceof RetriableError).toBe(true);
    expect(new KafkaClientError('x', { retriable: true }) instanceof RetriableError).toBe(true);
    expect(new TopicAuthorizationFailedError() instanceof RetriableError).toBe(false);
    expect(new KafkaClientError('x') instanceof RetriableError).toBe(false);
    // Not ours: a look-alike flag does not make an error retriable.
    expect(Object.assign(new Error('x'), { retriable: true }) instanceof RetriableError).toBe(false);
    expect({ retriable: true } instanceof RetriableError).toBe(false);
    const notObjects: unknown[] = [null, undefined, 'retriable', 42];
    for (const value of notObjects) expect(value instanceof RetriableError).toBe(false);
  });

  it('narrows the type: a RetriableError has retriable true', () => {
    const error: unknown = new NotLeaderOrFollowerError();
    if (!(error instanceof RetriableError)) throw new Error('expected a RetriableError');
    const retriable: true = error.retriable; // compiles only if narrowed
    expect(retriable).toBe(true);
  });

  it('keeps ordinary instanceof for a subclass, whose instances are retriable', () => {
    class LeaderMoving extends RetriableError {}
    class OtherRetriable extends RetriableError {}
    const moving = new LeaderMoving('leader moving', { cause: 'election' });
    expectRooted(moving, 'LeaderMoving', true);
    expect(moving.cause).toBe('election');
    expect(moving instanceof LeaderMoving).toBe(true);
    expect(moving instanceof OtherRetriable).toBe(false);
    // A retriable error of another class is a RetriableError, but not a LeaderMoving.
    expect(new NotLeaderOrFollowerError() instanceof LeaderMoving).toBe(false);
    expect(new NotLeaderOrFollowerError() instanceof RetriableError).toBe(true);
  });
});

describe('the protocol package’s errors', () => {
  it('every Kafka error code: a KafkaClientError whose retriable follows the table, and RetriableError agrees', () => {
    for (const info of KAFKA_ERRORS) {
      if (info.code === 0) continue;
      const error = createKafkaError(info.code);
      expect(error, info.name).toBeInstanceOf(KafkaError);
      expect(error, info.name).toBeInstanceOf(KafkaClientError);
      expect(error.retriable, info.name).toBe(info.retriable);
      expect(error instanceof RetriableError, info.name).toBe(info.retriable);
      expect(error instanceof RetriableKafkaError, info.name).toBe(info.retriable);
      expect(error instanceof InvalidMetadataError, info.name).toBe(info.invalidMetadata);
    }
  });

  it('a Kafka error keeps the cause it was given', () => {
    const cause = new Error('the broker said so');
    expect(createKafkaError(6, { cause }).cause).toBe(cause);
  });

  it.each([
    ['UnknownErrorCodeError', () => new UnknownErrorCodeError(-999), false],
    ['ProtocolDecodeError', () => new ProtocolDecodeError('truncated', 4, 'FetchResponse v12'), false],
    ['ProtocolEncodeError', () => new ProtocolEncodeError('too long', 'ProduceRequest v9'), false],
    ['FrameSizeError', () => new FrameSizeError(1 << 30, 100 * 1024 * 1024), false],
    ['CompressionError', () => new CompressionError('lz4', CompressionErrorKind.Corrupt, 'bad magic'), false],
  ] as const)('%s is a KafkaClientError, retriable: %s', (name, make, retriable) => {
    expectRooted(make(), name, retriable);
  });

  it('FrameSizeError is still a ProtocolDecodeError', () => {
    expect(new FrameSizeError(-1, 10)).toBeInstanceOf(ProtocolDecodeError);
  });

  it('CompressionError keeps the codec library’s error as its cause', () => {
    const cause = new Error('zlib: invalid block type');
    expect(
      new CompressionError('gzip', CompressionErrorKind.Corrupt, 'invalid block type', cause).cause,
    ).toBe(cause);
  });
});
