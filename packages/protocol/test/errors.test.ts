/**
 * The error table against values Kafka states (Errors.java and the exception classes it names),
 * and the classes against the table: one per code, under the right base class, with the
 * message naming code, name and context.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import * as errors from '../src/errors/index.js';
import {
  CoordinatorNotAvailableError,
  createKafkaError,
  ErrorCode,
  errorByCode,
  errorByName,
  InvalidMetadataError,
  isInvalidMetadata,
  isKnownErrorCode,
  isRetriable,
  KAFKA_ERRORS,
  KafkaError,
  NotLeaderOrFollowerError,
  OffsetOutOfRangeError,
  OutOfOrderSequenceNumberError,
  ProducerFencedError,
  RebalanceInProgressError,
  RetriableKafkaError,
  UnknownErrorCodeError,
  UnknownTopicOrPartitionError,
} from '../src/errors/index.js';

// `NOT_LEADER_OR_FOLLOWER` -> `NotLeaderOrFollowerError`; `NETWORK_EXCEPTION` -> `NetworkError`.
function className(name: string): string {
  const words = name.split('_');
  if (words.at(-1) === 'ERROR' || words.at(-1) === 'EXCEPTION') words.pop();
  return `${words.map((w) => w[0] + w.slice(1).toLowerCase()).join('')}Error`;
}

const exported = errors as unknown as Record<string, unknown>;
const errorEntries = KAFKA_ERRORS.filter((e) => e.code !== 0);

describe('the error table', () => {
  it('has unique codes and names, every code from -1 to the newest', () => {
    const codes = KAFKA_ERRORS.map((e) => e.code);
    expect(new Set(codes).size).toBe(codes.length);
    expect(new Set(KAFKA_ERRORS.map((e) => e.name)).size).toBe(codes.length);
    const newest = codes.at(-1)!;
    expect(codes).toEqual(Array.from({ length: newest + 2 }, (_, i) => i - 1));
    expect(newest).toBeGreaterThanOrEqual(133);
  });

  it('has the codes, names and flags Kafka states', () => {
    // [code, name, retriable (extends RetriableException), invalidMetadata (extends InvalidMetadataException)]
    const stated: [number, string, boolean, boolean][] = [
      [-1, 'UNKNOWN_SERVER_ERROR', false, false],
      [0, 'NONE', false, false],
      [1, 'OFFSET_OUT_OF_RANGE', false, false],
      [2, 'CORRUPT_MESSAGE', true, false],
      [3, 'UNKNOWN_TOPIC_OR_PARTITION', true, true],
      [6, 'NOT_LEADER_OR_FOLLOWER', true, true],
      [7, 'REQUEST_TIMED_OUT', true, false],
      [8, 'BROKER_NOT_AVAILABLE', false, false],
      [13, 'NETWORK_EXCEPTION', true, true],
      [15, 'COORDINATOR_NOT_AVAILABLE', true, false],
      [16, 'NOT_COORDINATOR', true, false],
      [22, 'ILLEGAL_GENERATION', false, false],
      [25, 'UNKNOWN_MEMBER_ID', false, false],
      [27, 'REBALANCE_IN_PROGRESS', false, false],
      [29, 'TOPIC_AUTHORIZATION_FAILED', false, false],
      [35, 'UNSUPPORTED_VERSION', false, false],
      [41, 'NOT_CONTROLLER', true, false],
      [45, 'OUT_OF_ORDER_SEQUENCE_NUMBER', false, false],
      [51, 'CONCURRENT_TRANSACTIONS', true, false],
      [74, 'FENCED_LEADER_EPOCH', true, true],
      [75, 'UNKNOWN_LEADER_EPOCH', true, false],
      [90, 'PRODUCER_FENCED', false, false],
      [100, 'UNKNOWN_TOPIC_ID', true, true],
      [120, 'TRANSACTION_ABORTABLE', false, false],
      [129, 'REBOOTSTRAP_REQUIRED', false, false],
      [133, 'SHARE_SESSION_LIMIT_REACHED', true, false],
    ];
    for (const [code, name, retriable, invalidMetadata] of stated) {
      expect(errorByCode(code)).toMatchObject({ code, name, retriable, invalidMetadata });
    }
    expect(errorByCode(6).message).toBe(
      'For requests intended only for the leader, this error indicates that the broker is not the current leader. ' +
        'For requests intended for any replica, this error indicates that the broker is not a replica of the topic partition.',
    );
    expect(errorByCode(1).message).toBe(
      'The requested offset is not within the range of offsets maintained by the server.',
    );
  });

  it('marks exactly the codes whose Java exceptions are retriable, or refresh metadata', () => {
    expect(KAFKA_ERRORS.filter((e) => e.retriable).map((e) => e.code)).toEqual([
      2, 3, 5, 6, 7, 9, 13, 14, 15, 16, 19, 20, 41, 51, 56, 70, 71, 72, 74, 75, 78, 80, 83, 84, 88, 89, 100,
      103, 106, 122, 123, 133,
    ]);
    expect(KAFKA_ERRORS.filter((e) => e.invalidMetadata).map((e) => e.code)).toEqual([
      3, 5, 6, 9, 13, 56, 72, 74, 80, 83, 84, 100, 103,
    ]);
    for (const e of KAFKA_ERRORS) if (e.invalidMetadata) expect(e.retriable).toBe(true);
  });

  it('gives every code by name', () => {
    expect(ErrorCode.NOT_LEADER_OR_FOLLOWER).toBe(6);
    expect(ErrorCode.UNKNOWN_SERVER_ERROR).toBe(-1);
    expect(ErrorCode.NONE).toBe(0);
    expectTypeOf(ErrorCode.NOT_LEADER_OR_FOLLOWER).toEqualTypeOf<6>();
    expect(Object.keys(ErrorCode)).toHaveLength(KAFKA_ERRORS.length);
    for (const e of KAFKA_ERRORS) expect(ErrorCode[e.name]).toBe(e.code);
    expect(Object.isFrozen(ErrorCode)).toBe(true);
  });

  it('looks entries up by code and by name', () => {
    for (const e of KAFKA_ERRORS) {
      expect(errorByCode(e.code)).toBe(e);
      expect(errorByName(e.name)).toBe(e);
      expect(isKnownErrorCode(e.code)).toBe(true);
      expect(isRetriable(e.code)).toBe(e.retriable);
      expect(isInvalidMetadata(e.code)).toBe(e.invalidMetadata);
    }
    expect(errorByName('NOT_A_KAFKA_ERROR')).toBeUndefined();
  });

  it('gives an unknown code a synthetic entry that is not retriable', () => {
    expect(errorByCode(999)).toEqual({
      code: 999,
      name: 'UNKNOWN_ERROR_CODE_999',
      retriable: false,
      invalidMetadata: false,
      message: "Error code 999 is not in this client's error table.",
    });
    expect(errorByCode(-2).name).toBe('UNKNOWN_ERROR_CODE_-2');
    expect(isKnownErrorCode(999)).toBe(false);
    expect(isRetriable(999)).toBe(false);
    expect(isInvalidMetadata(999)).toBe(false);
  });
});

describe('the error classes', () => {
  it('have one class per code, under the base class its flags call for', () => {
    for (const info of errorEntries) {
      const cls = exported[className(info.name)] as abstract new (...args: never[]) => KafkaError;
      expect(cls, info.name).toBeTypeOf('function');
      const err = createKafkaError(info.code);
      expect(err).toBeInstanceOf(cls);
      expect(err).toBeInstanceOf(KafkaError);
      expect(err).toBeInstanceOf(Error);
      expect(err instanceof RetriableKafkaError, info.name).toBe(info.retriable);
      expect(err instanceof InvalidMetadataError, info.name).toBe(info.invalidMetadata);
      expect(err).toMatchObject({
        name: className(info.name),
        code: info.code,
        errorName: info.name,
        retriable: info.retriable,
        invalidMetadata: info.invalidMetadata,
        description: info.message,
        message: `${info.name} (${info.code}): ${info.message}`,
      });
    }
  });

  it('export no class without a code', () => {
    const concrete = Object.entries(exported).filter(
      ([name, value]) =>
        typeof value === 'function' &&
        value.prototype instanceof KafkaError &&
        !['RetriableKafkaError', 'InvalidMetadataError', 'UnknownErrorCodeError'].includes(name),
    );
    expect(concrete.map(([name]) => name).sort()).toEqual(errorEntries.map((e) => className(e.name)).sort());
  });

  it('place the codes Kafka names where its hierarchy does', () => {
    expect(createKafkaError(6)).toBeInstanceOf(NotLeaderOrFollowerError);
    expect(createKafkaError(6)).toBeInstanceOf(InvalidMetadataError);
    expect(createKafkaError(3)).toBeInstanceOf(UnknownTopicOrPartitionError);
    expect(createKafkaError(3)).toBeInstanceOf(InvalidMetadataError);
    expect(createKafkaError(15)).toBeInstanceOf(CoordinatorNotAvailableError);
    expect(createKafkaError(15)).toBeInstanceOf(RetriableKafkaError);
    expect(createKafkaError(15)).not.toBeInstanceOf(InvalidMetadataError);
    for (const cls of [
      OffsetOutOfRangeError,
      RebalanceInProgressError,
      ProducerFencedError,
      OutOfOrderSequenceNumberError,
    ]) {
      expect(new cls()).not.toBeInstanceOf(RetriableKafkaError);
    }
  });

  it('can be constructed directly', () => {
    const err = new NotLeaderOrFollowerError({ topic: 'orders', partition: 0 });
    expect(err).toEqual(createKafkaError(6, { topic: 'orders', partition: 0 }));
    expect(err.code).toBe(6);
    expect(err.retriable).toBe(true);
  });

  it('refuse NONE, a code that is not an integer, and a class without a code', () => {
    expect(() => createKafkaError(0)).toThrow(TypeError);
    expect(() => createKafkaError(0)).toThrow(/NONE/);
    expect(() => createKafkaError(1.5)).toThrow(TypeError);
    class NotBound extends KafkaError {}
    expect(() => new NotBound()).toThrow(TypeError);
  });

  it('give a code missing from the table an UnknownErrorCodeError', () => {
    const err = createKafkaError(999, { broker: '2' });
    expect(err).toBeInstanceOf(UnknownErrorCodeError);
    expect(err).not.toBeInstanceOf(RetriableKafkaError);
    expect(err).toMatchObject({ code: 999, errorName: 'UNKNOWN_ERROR_CODE_999', retriable: false });
    expect(err.message).toBe(
      "UNKNOWN_ERROR_CODE_999 (999): Error code 999 is not in this client's error table. [broker 2]",
    );
    expect(() => new UnknownErrorCodeError(6)).toThrow(/NOT_LEADER_OR_FOLLOWER/);
  });
});

describe('the message', () => {
  it('names the code, Kafka name, description and context', () => {
    const err = createKafkaError(6, { apiName: 'Produce', broker: '1', topic: 'orders', partition: 0 });
    expect(err.message).toBe(
      'NOT_LEADER_OR_FOLLOWER (6): For requests intended only for the leader, this error indicates that the broker ' +
        'is not the current leader. For requests intended for any replica, this error indicates that the broker is ' +
        'not a replica of the topic partition. [Produce to broker 1 for orders-0]',
    );
    expect(err).toMatchObject({ apiName: 'Produce', broker: '1', topic: 'orders', partition: 0 });
    expect(String(err)).toMatch(/^NotLeaderOrFollowerError: NOT_LEADER_OR_FOLLOWER \(6\): /);
  });

  it('shows whichever context is known, and none when none is', () => {
    const msg = (details: errors.KafkaErrorDetails) => createKafkaError(3, details).message;
    const base = 'UNKNOWN_TOPIC_OR_PARTITION (3): This server does not host this topic-partition.';
    expect(msg({})).toBe(base);
    expect(msg({ topic: 'orders' })).toBe(`${base} [for orders]`);
    expect(msg({ partition: 4 })).toBe(`${base} [for partition 4]`);
    expect(msg({ broker: 'localhost:9092' })).toBe(`${base} [broker localhost:9092]`);
    expect(msg({ apiName: 'Fetch', topic: 't', partition: 2 })).toBe(`${base} [Fetch for t-2]`);
    expect(Object.keys(createKafkaError(3))).not.toContain('broker');
  });

  it("uses the broker's own message instead of Kafka's default", () => {
    const err = createKafkaError(42, { message: 'Invalid required acks 3', apiName: 'Produce' });
    expect(err.message).toBe('INVALID_REQUEST (42): Invalid required acks 3 [Produce]');
    expect(err.description).toBe('Invalid required acks 3');
  });

  it('keeps the cause, and takes context added later without overwriting', () => {
    const cause = new Error('socket closed');
    const err = createKafkaError(13, { topic: 'orders', cause });
    expect(err.cause).toBe(cause);
    expect(err.withContext({ broker: '3', topic: 'other', apiName: 'Fetch' })).toBe(err);
    expect(err.topic).toBe('orders');
    expect(err.message).toBe(
      'NETWORK_EXCEPTION (13): The server disconnected before a response was received. [Fetch to broker 3 for orders]',
    );
  });
});

describe('the types', () => {
  it('narrow with instanceof, in both branches', () => {
    const err: KafkaError = createKafkaError(6);
    if (err instanceof NotLeaderOrFollowerError) {
      expectTypeOf(err.errorName).toEqualTypeOf<'NOT_LEADER_OR_FOLLOWER'>();
      expectTypeOf(err.retriable).toEqualTypeOf<true>();
      expectTypeOf(err.invalidMetadata).toEqualTypeOf<true>();
    } else {
      expectTypeOf(err).not.toBeNever();
    }
    if (!(err instanceof RetriableKafkaError)) expectTypeOf(err).not.toBeNever();
    if (!(err instanceof InvalidMetadataError)) expectTypeOf(err).not.toBeNever();
  });
});
