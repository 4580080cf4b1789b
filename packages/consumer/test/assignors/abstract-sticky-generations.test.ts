/*
 * Ported from Apache Kafka's AbstractStickyAssignorTest (clients/src/test/java/org/apache/kafka/
 * clients/consumer/internals/AbstractStickyAssignorTest.java, trunk), Copyright the Apache Software
 * Foundation, licensed under the Apache License, Version 2.0
 * (http://www.apache.org/licenses/LICENSE-2.0). Test names are Kafka's.
 */
/**
 * More scenarios of AbstractStickyAssignorTest: random groups, deleted topics, stickiness, and
 * owned partitions claimed across generations; run against both `sticky` and `cooperative-sticky`
 * under each rack config, as Kafka does. Java's `new Random()` is a seeded PRNG here.
 */
import { describe, expect, it } from 'vitest';
import {
  type AbstractStickyAssignor,
  CooperativeStickyAssignor,
  DEFAULT_GENERATION,
  StickyAssignor,
  type Subscription,
  type TopicPartition,
} from '../../src/assignors/index.js';
import {
  asSet,
  initializeRacks,
  isFullyBalanced,
  isSticky,
  mapOf,
  padded,
  RACK_CONFIGS,
  sub,
  subV2,
  tp,
  transferring,
  verifyValidityAndBalance,
} from './helpers.js';

const topic = 'topic';
const topic1 = 'topic1';
const topic2 = 'topic2';
const topic3 = 'topic3';
const [consumer1, consumer2, consumer3, consumer4] = ['consumer1', 'consumer2', 'consumer3', 'consumer4'];
const consumerId = 'consumer';
const generationId = 1;

/** A deterministic PRNG (mulberry32), standing in for the Java tests' `new Random()`. */
function prng(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

const ASSIGNORS: [string, () => AbstractStickyAssignor][] = [
  ['sticky', () => new StickyAssignor()],
  ['cooperative-sticky', () => new CooperativeStickyAssignor()],
];

describe.each(
  ASSIGNORS.flatMap(([name, make]) => RACK_CONFIGS.map((rackConfig) => [name, rackConfig, make] as const)),
)('%s, rackConfig = %s (AbstractStickyAssignorTest, continued)', (_name, rackConfig, make) => {
  const create = () => initializeRacks(make(), rackConfig);
  const v2 = (a: AbstractStickyAssignor, topics: string[], ps: TopicPartition[], gen = generationId) =>
    subV2(a, topics, ps, gen);

  // Kafka runs this one with and without a consumer rack only.
  if (rackConfig !== 'NO_BROKER_RACK')
    it('testLargeAssignmentWithMultipleConsumersLeavingAndRandomSubscription', () => {
      const rand = prng(42);
      const a = create();
      const ppt = new Map<string, number>();
      for (let i = 0; i < 40; i++) ppt.set(padded('t', i, 40), rand(10) + 1);
      const subs = new Map<string, Subscription>();
      for (let i = 0; i < 200; i++) {
        const topics: string[] = [];
        const n = rand(20);
        for (let j = 0; j < n; j++) topics.push(padded('t', rand(40), 40));
        subs.set(padded('c', i, 200), sub(topics));
      }
      const r1 = verifyValidityAndBalance(a, subs, a.assign(ppt, subs), ppt);
      // As Kafka: all but the first member send what they own.
      for (let i = 1; i < 200; i++) {
        const c = padded('c', i, 200);
        subs.set(c, v2(a, subs.get(c)!.topics, r1.get(c)!));
      }
      for (let i = 0; i < 50; i++) subs.delete(padded('c', rand(200), 200));
      const r2 = verifyValidityAndBalance(a, subs, a.assign(ppt, subs), ppt);
      expect(isSticky(r1, r2)).toBe(true);
      expect(a.isSticky()).toBe(true);
    });

  it('testNewSubscription', () => {
    const a = create();
    const ppt = new Map<string, number>();
    for (let i = 1; i < 5; i++) ppt.set(padded('t', i, 5), 1);
    const subs = new Map<string, Subscription>();
    for (let i = 0; i < 3; i++) {
      const topics: string[] = [];
      for (let j = i; j <= 3 * i - 2; j++) topics.push(padded('t', j, 5));
      subs.set(padded('c', i, 3), sub(topics));
    }
    const r1 = verifyValidityAndBalance(a, subs, a.assign(ppt, subs), ppt);
    for (const [c, s] of subs) subs.set(c, v2(a, s.topics, r1.get(c)!));
    const c0 = subs.get(padded('c', 0, 3))!;
    subs.set(padded('c', 0, 3), { ...c0, topics: [...c0.topics, padded('t', 1, 5)] });
    const r2 = verifyValidityAndBalance(a, subs, a.assign(ppt, subs), ppt);
    expect(isSticky(r1, r2)).toBe(true);
    expect(a.isSticky()).toBe(true);
  });

  it('testMoveExistingAssignments', () => {
    const a = create();
    const ppt = new Map([1, 2, 3, 4, 5, 6].map((i) => [`topic${i}`, 1] as [string, number]));
    const subs = mapOf({
      [consumer1]: v2(a, [topic1, topic2], [tp(topic1, 0)]),
      [consumer2]: v2(a, [topic1, topic2, topic3, 'topic4'], [tp(topic2, 0), tp(topic3, 0)]),
      [consumer3]: v2(
        a,
        [topic2, topic3, 'topic4', 'topic5', 'topic6'],
        [tp('topic4', 0), tp('topic5', 0), tp('topic6', 0)],
      ),
    });
    const r = a.assign(ppt, subs);
    expect(transferring(a)).toBeNull();
    verifyValidityAndBalance(a, subs, r, ppt);
  });

  it('testStickiness', () => {
    const a = create();
    const ppt = mapOf({ topic1: 3 });
    const subs = mapOf({
      [consumer1]: sub([topic1]),
      [consumer2]: sub([topic1]),
      [consumer3]: sub([topic1]),
      [consumer4]: sub([topic1]),
    });
    const r1 = a.assign(ppt, subs);
    expect(transferring(a)).toEqual({});
    verifyValidityAndBalance(a, subs, r1, ppt);
    for (const ps of r1.values()) expect(ps.length).toBeLessThanOrEqual(1);
    // removing the potential group leader
    subs.delete(consumer1);
    for (const c of [consumer2, consumer3, consumer4]) subs.set(c, v2(a, [topic1], r1.get(c)!));
    const r2 = a.assign(ppt, subs);
    expect(transferring(a)).toEqual({});
    verifyValidityAndBalance(a, subs, r2, ppt);
    for (const [c, ps] of r2) {
      expect(ps.length).toBe(1);
      // Stickiness honoured: whoever had a partition keeps it.
      if (r1.get(c)!.length === 1) expect(ps).toEqual(r1.get(c));
    }
  });

  it('testAssignmentUpdatedForDeletedTopic', () => {
    const a = create();
    const subs = mapOf({ [consumerId]: sub([topic1, topic2, topic3]) });
    const r = a.assign(mapOf({ topic1: 1, topic3: 100 }), subs);
    expect(transferring(a)).toEqual({});
    expect(r.get(consumerId)!.length).toBe(101);
    expect([...r.keys()]).toEqual([consumerId]);
    expect(isFullyBalanced(r)).toBe(true);
  });

  it('testNoExceptionThrownWhenOnlySubscribedTopicDeleted', () => {
    const a = create();
    const subs = mapOf({ [consumerId]: sub([topic]) });
    const r = a.assign(mapOf({ topic: 3 }), subs);
    expect(transferring(a)).toEqual({});
    subs.set(consumerId, v2(a, [topic], r.get(consumerId)!));
    const r2 = a.assign(new Map(), subs);
    expect(transferring(a)).toEqual({});
    expect(r2.size).toBe(1);
    expect(r2.get(consumerId)).toEqual([]);
  });

  it('testReassignmentWithRandomSubscriptionsAndChanges (scaled: 10 seeded rounds)', () => {
    const rand = prng(7);
    const randomSublist = (list: string[]) => {
      const out = [...list];
      const remove = rand(list.length);
      for (let i = 0; i < remove; i++) out.splice(rand(out.length), 1);
      return out.sort();
    };
    for (let round = 1; round <= 10; round++) {
      const numTopics = 10 + rand(10);
      const topics = Array.from({ length: numTopics }, (_, i) => padded('t', i, 20));
      const ppt = new Map(topics.map((t, i) => [t, i + 1] as [string, number]));
      const numConsumers = 20 + rand(20);
      const a = create();
      const subs = new Map<string, Subscription>();
      for (let i = 0; i < numConsumers; i++) subs.set(padded('c', i, 40), sub(randomSublist(topics)));
      const r1 = verifyValidityAndBalance(a, subs, a.assign(ppt, subs), ppt);
      const subs2 = new Map<string, Subscription>();
      for (let i = 0; i < numConsumers; i++) {
        const c = padded('c', i, 40);
        subs2.set(c, v2(a, randomSublist(topics), r1.get(c)!));
      }
      const r2 = verifyValidityAndBalance(a, subs2, a.assign(ppt, subs2), ppt);
      expect(isSticky(r1, r2)).toBe(true);
      expect(a.isSticky()).toBe(true);
    }
  });

  it('testAllConsumersReachExpectedQuotaAndAreConsideredFilled', () => {
    const a = create();
    const ppt = mapOf({ topic: 4 });
    const subs = mapOf({
      [consumer1]: v2(a, [topic], [tp(topic, 0), tp(topic, 1)]),
      [consumer2]: v2(a, [topic], [tp(topic, 2)]),
      [consumer3]: v2(a, [topic], []),
    });
    const r = a.assign(ppt, subs);
    expect(r.get(consumer1)).toEqual([tp(topic, 0), tp(topic, 1)]);
    expect(r.get(consumer2)).toEqual([tp(topic, 2)]);
    expect(r.get(consumer3)).toEqual([tp(topic, 3)]);
    expect(transferring(a)).toEqual({});
    verifyValidityAndBalance(a, subs, r, ppt);
    expect(isFullyBalanced(r)).toBe(true);
  });

  it.each([
    ['testOwnedPartitionsAreInvalidatedForConsumerWithStaleGeneration', 9],
    ['testOwnedPartitionsAreInvalidatedForConsumerWithNoGeneration', DEFAULT_GENERATION],
  ])('%s', (_test, otherGeneration) => {
    const a = create();
    const ppt = mapOf({ topic: 3, topic2: 3 });
    const owned = [tp(topic, 0), tp(topic, 2), tp(topic2, 1)];
    const subs = mapOf({
      [consumer1]: v2(a, [topic, topic2], owned, 10),
      [consumer2]: v2(a, [topic, topic2], owned, otherGeneration),
    });
    const r = a.assign(ppt, subs);
    expect(asSet(r.get(consumer1))).toEqual(asSet(owned));
    expect(asSet(r.get(consumer2))).toEqual(asSet([tp(topic, 1), tp(topic2, 0), tp(topic2, 2)]));
    expect(transferring(a)).toEqual({});
    verifyValidityAndBalance(a, subs, r, ppt);
    expect(isFullyBalanced(r)).toBe(true);
  });

  it('testPartitionsTransferringOwnershipIncludeThePartitionClaimedByMultipleConsumersInSameGeneration', () => {
    const a = create();
    const ppt = mapOf({ topic: 3 });
    const subs = mapOf({
      [consumer1]: v2(a, [topic], [tp(topic, 0), tp(topic, 1)]),
      [consumer2]: v2(a, [topic], [tp(topic, 0), tp(topic, 2)]),
      [consumer3]: v2(a, [topic], []),
    });
    let r = a.assign(ppt, subs);
    // the partition claimed by both is in partitionsTransferringOwnership
    expect(transferring(a)).toEqual({ 'topic-0': consumer3 });
    r = verifyValidityAndBalance(a, subs, r, ppt);
    expect(r.get(consumer1)).toEqual([tp(topic, 1)]);
    expect(r.get(consumer2)).toEqual([tp(topic, 2)]);
    expect(r.get(consumer3)).toEqual([tp(topic, 0)]);
    expect(isFullyBalanced(r)).toBe(true);
  });

  it('testEnsurePartitionsAssignedToHighestGeneration', () => {
    const a = create();
    const ppt = mapOf({ topic: 3, topic2: 3, topic3: 3 });
    const all = [topic, topic2, topic3];
    const subs = mapOf({
      [consumer1]: v2(a, all, [tp(topic, 0), tp(topic2, 0), tp(topic3, 0)], 10),
      [consumer2]: v2(a, all, [tp(topic, 1), tp(topic2, 1), tp(topic3, 1)], 9),
      [consumer3]: v2(a, all, [tp(topic2, 1), tp(topic3, 0), tp(topic3, 2)], 8),
    });
    const r = a.assign(ppt, subs);
    expect(asSet(r.get(consumer1))).toEqual(asSet([tp(topic, 0), tp(topic2, 0), tp(topic3, 0)]));
    expect(asSet(r.get(consumer2))).toEqual(asSet([tp(topic, 1), tp(topic2, 1), tp(topic3, 1)]));
    expect(asSet(r.get(consumer3))).toEqual(asSet([tp(topic, 2), tp(topic2, 2), tp(topic3, 2)]));
    expect(transferring(a)).toEqual({});
    verifyValidityAndBalance(a, subs, r, ppt);
    expect(isFullyBalanced(r)).toBe(true);
  });

  it('testNoReassignmentOnCurrentMembers', () => {
    const a = create();
    const ppt = mapOf({ topic: 3, topic1: 3, topic2: 3, topic3: 3 });
    const all = [topic, topic2, topic3, topic1];
    const subs = mapOf({
      [consumer1]: v2(a, all, [], DEFAULT_GENERATION),
      [consumer2]: v2(a, all, [tp(topic, 0), tp(topic2, 0), tp(topic1, 0)], 9),
      [consumer3]: v2(a, all, [tp(topic3, 2), tp(topic2, 2), tp(topic1, 1)], 8),
      [consumer4]: v2(a, all, [tp(topic3, 1), tp(topic, 1), tp(topic, 2)], 7),
    });
    const r = a.assign(ppt, subs);
    // assigned partitions do not get reassigned
    expect(asSet(r.get(consumer1))).toEqual(asSet([tp(topic1, 2), tp(topic2, 1), tp(topic3, 0)]));
    expect(transferring(a)).toEqual({});
    verifyValidityAndBalance(a, subs, r, ppt);
    expect(isFullyBalanced(r)).toBe(true);
  });

  it('testOwnedPartitionsAreInvalidatedForConsumerWithMultipleGeneration', () => {
    const a = create();
    const ppt = mapOf({ topic: 3, topic2: 3 });
    const subs = mapOf({
      [consumer1]: v2(a, [topic, topic2], [tp(topic, 0), tp(topic2, 1), tp(topic, 1)], 10),
      [consumer2]: v2(a, [topic, topic2], [tp(topic, 0), tp(topic2, 1), tp(topic2, 2)], 8),
    });
    const r = a.assign(ppt, subs);
    expect(asSet(r.get(consumer1))).toEqual(asSet([tp(topic, 0), tp(topic2, 1), tp(topic, 1)]));
    expect(asSet(r.get(consumer2))).toEqual(asSet([tp(topic, 2), tp(topic2, 2), tp(topic2, 0)]));
    expect(transferring(a)).toEqual({});
    verifyValidityAndBalance(a, subs, r, ppt);
    expect(isFullyBalanced(r)).toBe(true);
  });
});
