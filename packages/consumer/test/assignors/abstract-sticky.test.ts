/*
 * Ported from Apache Kafka's AbstractStickyAssignorTest (clients/src/test/java/org/apache/kafka/
 * clients/consumer/internals/AbstractStickyAssignorTest.java, trunk), Copyright the Apache Software
 * Foundation, licensed under the Apache License, Version 2.0
 * (http://www.apache.org/licenses/LICENSE-2.0). Test names are Kafka's.
 */
/**
 * Run, as in Kafka, against both the eager `sticky` and the `cooperative-sticky` assignor and, for
 * the tests Kafka parameterizes with `RackConfig`, under each rack config (partitions with replicas
 * on racks, members with racks, rack-aware logic preferred). Large-group tests run scaled down,
 * with no time limits.
 */
import { describe, expect, it } from 'vitest';
import {
  type AbstractStickyAssignor,
  CooperativeStickyAssignor,
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
  subV0,
  subV1,
  subV2,
  tp,
  transferring,
  verifyValidityAndBalance,
} from './helpers.js';

const topic = 'topic';
const topic1 = 'topic1';
const topic2 = 'topic2';
const [consumer1, consumer2, consumer3, consumer4] = ['consumer1', 'consumer2', 'consumer3', 'consumer4'];
const consumerId = 'consumer';
const generationId = 1;

const ASSIGNORS: [string, () => AbstractStickyAssignor][] = [
  ['sticky', () => new StickyAssignor()],
  ['cooperative-sticky', () => new CooperativeStickyAssignor()],
];

describe.each(
  ASSIGNORS.flatMap(([name, make]) => RACK_CONFIGS.map((rackConfig) => [name, rackConfig, make] as const)),
)('%s, rackConfig = %s (AbstractStickyAssignorTest)', (_name, rackConfig, make) => {
  const create = () => initializeRacks(make(), rackConfig);
  // Kafka runs these with hasConsumerRack = false / true only (NO_CONSUMER_RACK, BROKER_AND_CONSUMER_RACK).
  const consumerRackOnly = rackConfig !== 'NO_BROKER_RACK';
  const v2 = (a: AbstractStickyAssignor, topics: string[], ps: TopicPartition[], gen = generationId) =>
    subV2(a, topics, ps, gen);

  it('testMemberData', () => {
    const a = create();
    const owned = [tp(topic1, 0), tp(topic2, 1)];
    for (const s of [
      subV0(a, [topic], owned, generationId),
      subV1(a, [topic], owned, generationId),
      v2(a, [topic], owned),
    ]) {
      if (s === null) continue;
      expect(a.memberData(s)).toEqual({ partitions: owned, generation: generationId });
    }
  });

  // Kafka runs these two with and without a consumer rack only.
  if (consumerRackOnly)
    it('testOneConsumerNoTopic', () => {
      const a = create();
      const subs = mapOf({ [consumerId]: sub([]) });
      const ppt = new Map<string, number>();
      const r = a.assign(ppt, subs);
      expect([...r.keys()]).toEqual([consumerId]);
      expect(r.get(consumerId)).toEqual([]);
      expect(transferring(a)).toEqual({});
      verifyValidityAndBalance(a, subs, r, ppt);
      expect(isFullyBalanced(r)).toBe(true);
    });

  if (consumerRackOnly)
    it('testOneConsumerNonexistentTopic', () => {
      const a = create();
      const subs = mapOf({ [consumerId]: sub([topic]) });
      const ppt = mapOf({ topic: 0 });
      const r = a.assign(ppt, subs);
      expect([...r.keys()]).toEqual([consumerId]);
      expect(r.get(consumerId)).toEqual([]);
      expect(transferring(a)).toEqual({});
      verifyValidityAndBalance(a, subs, r, ppt);
      expect(isFullyBalanced(r)).toBe(true);
    });

  it('testOneConsumerOneTopic', () => {
    const a = create();
    const subs = mapOf({ [consumerId]: sub([topic]) });
    const ppt = mapOf({ topic: 3 });
    const r = a.assign(ppt, subs);
    expect(r.get(consumerId)).toEqual([tp(topic, 0), tp(topic, 1), tp(topic, 2)]);
    expect(transferring(a)).toEqual({});
    verifyValidityAndBalance(a, subs, r, ppt);
    expect(isFullyBalanced(r)).toBe(true);
  });

  it('testOnlyAssignsPartitionsFromSubscribedTopics', () => {
    const a = create();
    const owned = [tp(topic, 0), tp(topic, 1), tp('other', 0), tp('other', 1)];
    const subs = mapOf({ [consumerId]: v2(a, [topic], owned) });
    const ppt = mapOf({ topic: 2 });
    const r = a.assign(ppt, subs);
    expect(r.get(consumerId)).toEqual([tp(topic, 0), tp(topic, 1)]);
    expect(transferring(a)).toEqual({});
    verifyValidityAndBalance(a, subs, r, ppt);
    expect(isFullyBalanced(r)).toBe(true);
  });

  it('testOneConsumerMultipleTopics', () => {
    const a = create();
    const ppt = mapOf({ topic1: 1, topic2: 2 });
    const subs = mapOf({ [consumerId]: sub([topic1, topic2]) });
    const r = a.assign(ppt, subs);
    expect(r.get(consumerId)).toEqual([tp(topic1, 0), tp(topic2, 0), tp(topic2, 1)]);
    expect(transferring(a)).toEqual({});
    verifyValidityAndBalance(a, subs, r, ppt);
    expect(isFullyBalanced(r)).toBe(true);
  });

  it('testTwoConsumersOneTopicOnePartition', () => {
    const a = create();
    const ppt = mapOf({ topic: 1 });
    const subs = mapOf({ [consumer1]: sub([topic]), [consumer2]: sub([topic]) });
    const r = a.assign(ppt, subs);
    expect(transferring(a)).toEqual({});
    verifyValidityAndBalance(a, subs, r, ppt);
    expect(isFullyBalanced(r)).toBe(true);
  });

  it('testTwoConsumersOneTopicTwoPartitions', () => {
    const a = create();
    const ppt = mapOf({ topic: 2 });
    const subs = mapOf({ [consumer1]: sub([topic]), [consumer2]: sub([topic]) });
    const r = a.assign(ppt, subs);
    expect(r.get(consumer1)).toEqual([tp(topic, 0)]);
    expect(r.get(consumer2)).toEqual([tp(topic, 1)]);
    expect(transferring(a)).toEqual({});
    verifyValidityAndBalance(a, subs, r, ppt);
    expect(isFullyBalanced(r)).toBe(true);
  });

  it('testMultipleConsumersMixedTopicSubscriptions', () => {
    const a = create();
    const subs = mapOf({
      [consumer1]: sub([topic1]),
      [consumer2]: sub([topic1, topic2]),
      [consumer3]: sub([topic1]),
    });
    const ppt = mapOf({ topic1: 3, topic2: 2 });
    const r = a.assign(ppt, subs);
    expect(r.get(consumer1)).toEqual([tp(topic1, 0), tp(topic1, 2)]);
    expect(r.get(consumer2)).toEqual([tp(topic2, 0), tp(topic2, 1)]);
    expect(r.get(consumer3)).toEqual([tp(topic1, 1)]);
    expect(transferring(a)).toBeNull();
    verifyValidityAndBalance(a, subs, r, ppt);
    expect(isFullyBalanced(r)).toBe(true);
  });

  it('testTwoConsumersTwoTopicsSixPartitions', () => {
    const a = create();
    const ppt = mapOf({ topic1: 3, topic2: 3 });
    const subs = mapOf({ [consumer1]: sub([topic1, topic2]), [consumer2]: sub([topic1, topic2]) });
    const r = a.assign(ppt, subs);
    expect(r.get(consumer1)).toEqual([tp(topic1, 0), tp(topic1, 2), tp(topic2, 1)]);
    expect(r.get(consumer2)).toEqual([tp(topic1, 1), tp(topic2, 0), tp(topic2, 2)]);
    expect(transferring(a)).toEqual({});
    verifyValidityAndBalance(a, subs, r, ppt);
    expect(isFullyBalanced(r)).toBe(true);
  });

  it('testConsumerOwningMinQuotaExpectedMaxQuota', () => {
    const a = create();
    const t = [topic1, topic2];
    const subs = mapOf({
      [consumer1]: v2(a, t, [tp(topic1, 0), tp(topic2, 1)]),
      [consumer2]: v2(a, t, [tp(topic1, 1), tp(topic2, 2)]),
    });
    const ppt = mapOf({ topic1: 2, topic2: 3 });
    const r = a.assign(ppt, subs);
    expect(r.get(consumer1)).toEqual([tp(topic1, 0), tp(topic2, 1), tp(topic2, 0)]);
    expect(r.get(consumer2)).toEqual([tp(topic1, 1), tp(topic2, 2)]);
    expect(transferring(a)).toEqual({});
    verifyValidityAndBalance(a, subs, r, ppt);
    expect(isFullyBalanced(r)).toBe(true);
  });

  it('testMaxQuotaConsumerMoreThanNumExpectedMaxCapacityMembers', () => {
    const a = create();
    const t = [topic1, topic2];
    const subs = mapOf({
      [consumer1]: v2(a, t, [tp(topic1, 0), tp(topic2, 0)]),
      [consumer2]: v2(a, t, [tp(topic1, 1), tp(topic2, 1)]),
      [consumer3]: v2(a, t, []),
    });
    const ppt = mapOf({ topic1: 2, topic2: 2 });
    let r = a.assign(ppt, subs);
    expect(transferring(a)).toEqual({ 'topic2-0': consumer3 });
    r = verifyValidityAndBalance(a, subs, r, ppt);
    expect(r.get(consumer1)).toEqual([tp(topic1, 0)]);
    expect(r.get(consumer2)).toEqual([tp(topic1, 1), tp(topic2, 1)]);
    expect(r.get(consumer3)).toEqual([tp(topic2, 0)]);
    expect(isFullyBalanced(r)).toBe(true);
  });

  it('testAllConsumersAreUnderMinQuota', () => {
    const a = create();
    const t = [topic1, topic2];
    const subs = mapOf({
      [consumer1]: v2(a, t, [tp(topic1, 0)]),
      [consumer2]: v2(a, t, [tp(topic1, 1)]),
      [consumer3]: v2(a, t, []),
    });
    const ppt = mapOf({ topic1: 2, topic2: 3 });
    let r = a.assign(ppt, subs);
    expect(transferring(a)).toEqual({});
    r = verifyValidityAndBalance(a, subs, r, ppt);
    expect(r.get(consumer1)).toEqual([tp(topic1, 0), tp(topic2, 1)]);
    expect(r.get(consumer2)).toEqual([tp(topic1, 1), tp(topic2, 2)]);
    expect(r.get(consumer3)).toEqual([tp(topic2, 0)]);
    expect(isFullyBalanced(r)).toBe(true);
  });

  it('testAddRemoveConsumerOneTopic', () => {
    const a = create();
    const ppt = mapOf({ topic: 3 });
    const subs = mapOf({ [consumer1]: sub([topic]) });
    let r = a.assign(ppt, subs);
    expect(r.get(consumer1)).toEqual([tp(topic, 0), tp(topic, 1), tp(topic, 2)]);
    verifyValidityAndBalance(a, subs, r, ppt);
    expect(isFullyBalanced(r)).toBe(true);

    subs.set(consumer1, v2(a, [topic], r.get(consumer1)!));
    subs.set(consumer2, v2(a, [topic], []));
    r = a.assign(ppt, subs);
    expect(transferring(a)).toEqual({ 'topic-2': consumer2 });
    r = verifyValidityAndBalance(a, subs, r, ppt);
    expect(r.get(consumer1)).toEqual([tp(topic, 0), tp(topic, 1)]);
    expect(r.get(consumer2)).toEqual([tp(topic, 2)]);
    expect(isFullyBalanced(r)).toBe(true);

    subs.delete(consumer1);
    subs.set(consumer2, v2(a, [topic], r.get(consumer2)!));
    r = a.assign(ppt, subs);
    expect(asSet(r.get(consumer2))).toEqual(asSet([tp(topic, 0), tp(topic, 1), tp(topic, 2)]));
    expect(transferring(a)).toEqual({});
    verifyValidityAndBalance(a, subs, r, ppt);
    expect(isFullyBalanced(r)).toBe(true);
  });

  it('testAddRemoveTwoConsumersTwoTopics', () => {
    const a = create();
    const all = [topic1, topic2];
    const ppt = mapOf({ topic1: 3, topic2: 4 });
    const subs = mapOf({ [consumer1]: sub(all), [consumer2]: sub(all) });
    let r = a.assign(ppt, subs);
    expect(r.get(consumer1)).toEqual([tp(topic1, 0), tp(topic1, 2), tp(topic2, 1), tp(topic2, 3)]);
    expect(r.get(consumer2)).toEqual([tp(topic1, 1), tp(topic2, 0), tp(topic2, 2)]);
    expect(transferring(a)).toEqual({});
    verifyValidityAndBalance(a, subs, r, ppt);
    expect(isFullyBalanced(r)).toBe(true);

    // add 2 consumers
    subs.set(consumer1, v2(a, all, r.get(consumer1)!));
    subs.set(consumer2, v2(a, all, r.get(consumer2)!));
    subs.set(consumer3, v2(a, all, []));
    subs.set(consumer4, v2(a, all, []));
    r = a.assign(ppt, subs);
    expect(transferring(a)).toEqual({ 'topic1-2': consumer3, 'topic2-3': consumer3, 'topic2-2': consumer4 });
    r = verifyValidityAndBalance(a, subs, r, ppt);
    expect(r.get(consumer1)).toEqual([tp(topic1, 0), tp(topic2, 1)]);
    expect(r.get(consumer2)).toEqual([tp(topic2, 0), tp(topic1, 1)]);
    expect(r.get(consumer3)).toEqual([tp(topic1, 2), tp(topic2, 3)]);
    expect(r.get(consumer4)).toEqual([tp(topic2, 2)]);
    expect(isFullyBalanced(r)).toBe(true);

    // remove 2 consumers
    subs.delete(consumer1);
    subs.delete(consumer2);
    subs.set(consumer3, v2(a, all, r.get(consumer3)!));
    subs.set(consumer4, v2(a, all, r.get(consumer4)!));
    r = a.assign(ppt, subs);
    expect(r.get(consumer3)).toEqual([tp(topic1, 2), tp(topic2, 3), tp(topic1, 0), tp(topic2, 1)]);
    expect(r.get(consumer4)).toEqual([tp(topic2, 2), tp(topic1, 1), tp(topic2, 0)]);
    expect(transferring(a)).toEqual({});
    verifyValidityAndBalance(a, subs, r, ppt);
    expect(isFullyBalanced(r)).toBe(true);
  });

  it('testTopicBalanceAfterReassignment', () => {
    const a = create();
    const all = [topic1, topic2];
    const ppt = mapOf({ topic1: 12, topic2: 12 });
    const subs = mapOf({ [consumer1]: sub(all) });
    const perTopic = (r: Map<string, TopicPartition[]>, t: string, n: number) => {
      for (const [m, ps] of r)
        expect(ps.filter((p) => p.topic === t).length, `${m}'s ${t} partitions`).toBe(n);
    };
    let r = a.assign(ppt, subs);
    verifyValidityAndBalance(a, subs, r, ppt);
    perTopic(r, topic1, 12);
    perTopic(r, topic2, 12);
    expect(transferring(a)).toEqual({});
    expect(isFullyBalanced(r)).toBe(true);

    // Add another consumer
    subs.set(consumer1, v2(a, all, r.get(consumer1)!));
    subs.set(consumer2, v2(a, all, []));
    r = verifyValidityAndBalance(a, subs, a.assign(ppt, subs), ppt);
    perTopic(r, topic1, 6);
    perTopic(r, topic2, 6);
    expect(isFullyBalanced(r)).toBe(true);

    // Add two more consumers
    subs.set(consumer1, v2(a, all, r.get(consumer1)!));
    subs.set(consumer2, v2(a, all, r.get(consumer2)!));
    subs.set(consumer3, v2(a, all, []));
    subs.set(consumer4, v2(a, all, []));
    r = verifyValidityAndBalance(a, subs, a.assign(ppt, subs), ppt);
    perTopic(r, topic1, 3);
    perTopic(r, topic2, 3);
    expect(isFullyBalanced(r)).toBe(true);

    // remove 2 consumers
    subs.delete(consumer1);
    subs.delete(consumer2);
    subs.set(consumer3, v2(a, all, r.get(consumer3)!));
    subs.set(consumer4, v2(a, all, r.get(consumer4)!));
    r = a.assign(ppt, subs);
    verifyValidityAndBalance(a, subs, r, ppt);
    perTopic(r, topic1, 6);
    perTopic(r, topic2, 6);
    expect(transferring(a)).toEqual({});
    expect(isFullyBalanced(r)).toBe(true);
  });

  it('testPoorRoundRobinAssignmentScenario', () => {
    const a = create();
    const ppt = new Map([1, 2, 3, 4, 5].map((i) => [`topic${i}`, (i % 2) + 1] as [string, number]));
    const subs = mapOf({
      consumer1: sub(['topic1', 'topic2', 'topic3', 'topic4', 'topic5']),
      consumer2: sub(['topic1', 'topic3', 'topic5']),
      consumer3: sub(['topic1', 'topic3', 'topic5']),
      consumer4: sub(['topic1', 'topic2', 'topic3', 'topic4', 'topic5']),
    });
    verifyValidityAndBalance(a, subs, a.assign(ppt, subs), ppt);
  });

  it('testAddRemoveTopicTwoConsumers', () => {
    const a = create();
    const ppt = mapOf({ topic: 3 });
    const subs = mapOf({ [consumer1]: sub([topic]), [consumer2]: sub([topic]) });
    let r = a.assign(ppt, subs);
    expect(transferring(a)).toEqual({});
    expect(isFullyBalanced(r)).toBe(true);
    verifyValidityAndBalance(a, subs, r, ppt);
    const c1a1 = r.get(consumer1)!;
    const c2a1 = r.get(consumer2)!;
    expect([c1a1.length, c2a1.length].sort()).toEqual([1, 2]);

    ppt.set(topic2, 3);
    subs.set(consumer1, v2(a, [topic, topic2], c1a1));
    subs.set(consumer2, v2(a, [topic, topic2], c2a1));
    r = a.assign(ppt, subs);
    expect(transferring(a)).toEqual({});
    verifyValidityAndBalance(a, subs, r, ppt);
    expect(isFullyBalanced(r)).toBe(true);
    const c1a2 = r.get(consumer1)!;
    const c2a2 = r.get(consumer2)!;
    expect([c1a2.length, c2a2.length]).toEqual([3, 3]);
    expect(asSet(c1a2)).toEqual(expect.arrayContaining(asSet(c1a1)));
    expect(asSet(c2a2)).toEqual(expect.arrayContaining(asSet(c2a1)));

    ppt.delete(topic);
    subs.set(consumer1, v2(a, [topic2], c1a2));
    subs.set(consumer2, v2(a, [topic2], c2a2));
    r = a.assign(ppt, subs);
    expect(transferring(a)).toEqual({});
    verifyValidityAndBalance(a, subs, r, ppt);
    expect(isFullyBalanced(r)).toBe(true);
    expect([r.get(consumer1)!.length, r.get(consumer2)!.length].sort()).toEqual([1, 2]);
    expect(asSet(c1a2)).toEqual(expect.arrayContaining(asSet(r.get(consumer1))));
    expect(asSet(c2a2)).toEqual(expect.arrayContaining(asSet(r.get(consumer2))));
  });

  it('testReassignmentAfterOneConsumerLeaves', () => {
    const a = create();
    const ppt = new Map<string, number>();
    for (let i = 1; i < 20; i++) ppt.set(padded('t', i, 20), i);
    const subs = new Map<string, Subscription>();
    for (let i = 1; i < 20; i++) {
      const topics = Array.from({ length: i }, (_, j) => padded('t', j + 1, 20));
      subs.set(padded('c', i, 20), sub(topics));
    }
    const r1 = verifyValidityAndBalance(a, subs, a.assign(ppt, subs), ppt);
    for (const [c, s] of subs) subs.set(c, v2(a, s.topics, r1.get(c)!));
    subs.delete('c10');
    const r2 = verifyValidityAndBalance(a, subs, a.assign(ppt, subs), ppt);
    expect(a.isSticky()).toBe(true);
    expect(isSticky(r1, r2)).toBe(true);
  });

  it('testReassignmentAfterOneConsumerAdded', () => {
    const a = create();
    const ppt = mapOf({ topic: 20 });
    const subs = new Map<string, Subscription>();
    for (let i = 1; i < 10; i++) subs.set(padded('c', i, 10), sub([topic]));
    let r = a.assign(ppt, subs);
    expect(transferring(a)).toEqual({});
    verifyValidityAndBalance(a, subs, r, ppt);
    // add a new consumer (the others, as in Kafka, still send no owned partitions)
    subs.set(padded('c', 10, 10), sub([topic]));
    r = a.assign(ppt, subs);
    expect(transferring(a)).toEqual({});
    verifyValidityAndBalance(a, subs, r, ppt);
  });

  it('testSameSubscriptions', () => {
    const a = create();
    const ppt = new Map<string, number>();
    for (let i = 1; i < 15; i++) ppt.set(padded('t', i, 15), i);
    const subs = new Map<string, Subscription>();
    for (let i = 1; i < 9; i++) subs.set(padded('c', i, 9), sub([...ppt.keys()]));
    const r1 = a.assign(ppt, subs);
    expect(transferring(a)).toEqual({});
    verifyValidityAndBalance(a, subs, r1, ppt);
    for (const [c, s] of subs) subs.set(c, v2(a, s.topics, r1.get(c)!));
    subs.delete(padded('c', 5, 9));
    const r2 = a.assign(ppt, subs);
    // Only c5's partitions move: to members that keep everything they had.
    expect(transferring(a)).toEqual({});
    for (const [c, ps] of r2) expect(asSet(ps)).toEqual(expect.arrayContaining(asSet(r1.get(c))));
    verifyValidityAndBalance(a, subs, r2, ppt);
  });

  if (consumerRackOnly)
    it('testLargeAssignmentAndGroupWithUniformSubscription (scaled: 50 topics x 200 partitions, 200 members)', () => {
      const a = create();
      const topics = Array.from({ length: 50 }, (_, i) => padded('t', i, 50));
      const ppt = new Map(topics.map((t) => [t, 200] as [string, number]));
      const subs = new Map<string, Subscription>();
      for (let i = 0; i < 200; i++) subs.set(padded('c', i, 200), sub(topics));
      const r1 = a.assign(ppt, subs);
      expect(isFullyBalanced(r1)).toBe(true);
      for (let i = 1; i < 200; i++)
        subs.set(padded('c', i, 200), v2(a, topics, r1.get(padded('c', i, 200))!));
      const r2 = a.assign(ppt, subs);
      verifyValidityAndBalance(a, subs, r2, ppt);
    });

  if (consumerRackOnly)
    it('testLargeAssignmentAndGroupWithNonEqualSubscription (scaled: 20 topics x 200 partitions, 100 members)', () => {
      const a = create();
      const topics = Array.from({ length: 20 }, (_, i) => padded('t', i, 20));
      const ppt = new Map(topics.map((t) => [t, 200] as [string, number]));
      const subs = new Map<string, Subscription>();
      const topicsOf = (i: number) => (i === 99 ? topics.slice(0, 1) : topics);
      for (let i = 0; i < 100; i++) subs.set(padded('c', i, 100), sub(topicsOf(i)));
      const r1 = verifyValidityAndBalance(a, subs, a.assign(ppt, subs), ppt);
      for (let i = 1; i < 100; i++)
        subs.set(padded('c', i, 100), v2(a, topicsOf(i), r1.get(padded('c', i, 100))!));
      verifyValidityAndBalance(a, subs, a.assign(ppt, subs), ppt);
    });

  if (consumerRackOnly)
    it('testAssignmentAndGroupWithNonEqualSubscriptionNotTimeout (scaled: 50 topics x 200 partitions)', () => {
      const a = create();
      const topics = Array.from({ length: 50 }, (_, i) => padded('t', i, 50));
      const ppt = new Map(topics.map((t) => [t, 200] as [string, number]));
      const topicsOf = (i: number) => (i % 4 === 0 ? topics.slice(0, 25) : topics.slice(25));
      const subs = new Map<string, Subscription>();
      for (let i = 0; i < 20; i++) subs.set(padded('c', i, 20), sub(topicsOf(i)));
      const r1 = verifyValidityAndBalance(a, subs, a.assign(ppt, subs), ppt);
      for (let i = 1; i < 20; i++)
        subs.set(padded('c', i, 20), v2(a, topicsOf(i), r1.get(padded('c', i, 20))!));
      verifyValidityAndBalance(a, subs, a.assign(ppt, subs), ppt);
    });

  it('testSubscriptionNotEqualAndAssignSamePartitionWith3Generation', () => {
    const a = create();
    const ppt = mapOf({ topic: 6, topic1: 1 });
    for (const g of [
      [1, 2, 3],
      [1, 3, 2],
      [2, 1, 3],
      [2, 3, 1],
      [3, 1, 2],
      [3, 2, 1],
    ]) {
      const subs = mapOf({
        [consumer1]: v2(a, [topic], [tp(topic, 0), tp(topic, 2)], g[0]),
        [consumer2]: v2(a, [topic], [tp(topic, 1), tp(topic, 2), tp(topic, 3)], g[1]),
        [consumer3]: v2(a, [topic], [tp(topic, 2), tp(topic, 4), tp(topic, 5)], g[2]),
        [consumer4]: v2(a, [topic1], [tp(topic1, 0)], 2),
      });
      const r = a.assign(ppt, subs);
      const all = [...r.values()].flat();
      expect(new Set(asSet(all)).size).toBe(all.length);
      for (const l of r.values()) expect(l.length).toBeGreaterThanOrEqual(1);
      for (const l of r.values()) expect(l.length).toBeLessThanOrEqual(2);
    }
  });
});
