/*
 * Ported from Apache Kafka's StickyAssignorTest (clients/src/test/java/org/apache/kafka/clients/
 * consumer/StickyAssignorTest.java, trunk), Copyright the Apache Software Foundation, licensed
 * under the Apache License, Version 2.0 (http://www.apache.org/licenses/LICENSE-2.0). Test names
 * are Kafka's; every @Test and @ParameterizedTest of the class is here, parameterized as in Kafka
 * (RackConfig, and rackAndSubscriptionCombinations). The tests it inherits from
 * AbstractStickyAssignorTest are in abstract-sticky*.test.ts, run for both sticky assignors.
 */
/**
 * As in Kafka, the eager assignor's v1/v2 subscriptions carry no rack while `subscription(...)`
 * and the v0 ones get `consumerRackId(consumerIndex)` (see `initializeRacks` in helpers.ts).
 */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_GENERATION,
  decodeStickyUserData,
  encodeStickyUserData,
  StickyAssignor,
  type Subscription,
  type TopicPartition,
} from '../../src/assignors/index.js';
import {
  asSet,
  initializeRacks,
  isFullyBalanced,
  mapOf,
  RACK_CONFIGS,
  sub,
  subV0,
  subV1,
  subV2,
  tp,
  verifyValidityAndBalance,
} from './helpers.js';

const topic = 'topic';
const topic1 = 'topic1';
const topic2 = 'topic2';
const topic3 = 'topic3';
const [consumer1, consumer2, consumer3] = ['consumer1', 'consumer2', 'consumer3'];
const generationId = 1;
const tp0 = tp(topic, 0);
const tp1 = tp(topic, 1);

/** `a` contains every partition of `b` (Java's `containsAll`). */
const containsAll = (a: readonly TopicPartition[], b: readonly TopicPartition[]) =>
  asSet(b).every((p) => asSet(a).includes(p));
/** No partition in common (Java's `Collections.disjoint`). */
const disjoint = (a: readonly TopicPartition[], b: readonly TopicPartition[]) =>
  !asSet(a).some((p) => asSet(b).includes(p));

/** Kafka's `rackAndSubscriptionCombinations`. */
const RACK_AND_SUBSCRIPTION = [true, false].flatMap((equal) =>
  RACK_CONFIGS.map((rackConfig) => [rackConfig, equal] as const),
);

describe('StickyAssignor (StickyAssignorTest)', () => {
  it('is named sticky and eager', () => {
    const a = new StickyAssignor();
    expect(a.name).toBe('sticky');
    expect(a.supportedProtocols).toEqual(['EAGER']);
  });

  it('writes the user data layout of Java (STICKY_ASSIGNOR_USER_DATA_V1): no version prefix', () => {
    const hex = encodeStickyUserData([tp('t', 0), tp('t', 2), tp('u', 1)], 5).toString('hex');
    expect(hex).toBe(
      [
        '00000002', // previous_assignment: 2 topics
        '0001',
        '74',
        '00000002',
        '00000000',
        '00000002', // t: [0, 2]
        '0001',
        '75',
        '00000001',
        '00000001', // u: [1]
        '00000005', // generation
      ].join(''),
    );
    expect(decodeStickyUserData(Buffer.from(hex, 'hex'))).toEqual({
      partitions: [tp('t', 0), tp('t', 2), tp('u', 1)],
      generation: 5,
    });
    // v0 has no generation; bytes that are not user data read as none.
    expect(decodeStickyUserData(encodeStickyUserData([tp1]))).toEqual({ partitions: [tp1] });
    expect(decodeStickyUserData(Buffer.from('ff', 'hex'))).toEqual({
      partitions: [],
      generation: DEFAULT_GENERATION,
    });
  });

  describe.each(RACK_CONFIGS)('rackConfig = %s', (rackConfig) => {
    const create = () => initializeRacks(new StickyAssignor(), rackConfig);

    it('testAllConsumersHaveOwnedPartitionInvalidatedWhenClaimedByMultipleConsumersInSameGenerationWithEqualPartitionsPerConsumer', () => {
      const a = create();
      const ppt = mapOf({ topic: 3 });
      const subs = mapOf({
        [consumer1]: subV2(a, [topic], [tp(topic, 0), tp(topic, 1)], generationId),
        [consumer2]: subV2(a, [topic], [tp(topic, 0), tp(topic, 2)], generationId),
        [consumer3]: subV2(a, [topic], [], generationId),
      });
      const r = a.assign(ppt, subs);
      expect(r.get(consumer1)).toEqual([tp(topic, 1)]);
      expect(r.get(consumer2)).toEqual([tp(topic, 2)]);
      expect(r.get(consumer3)).toEqual([tp(topic, 0)]);
      verifyValidityAndBalance(a, subs, r, ppt);
      expect(isFullyBalanced(r)).toBe(true);
    });

    it('testAllConsumersHaveOwnedPartitionInvalidatedWhenClaimedByMultipleConsumersInSameGenerationWithUnequalPartitionsPerConsumer', () => {
      const a = create();
      const ppt = mapOf({ topic: 4 });
      const subs = mapOf({
        [consumer1]: subV2(a, [topic], [tp(topic, 0), tp(topic, 1)], generationId),
        [consumer2]: subV2(a, [topic], [tp(topic, 0), tp(topic, 2)], generationId),
        [consumer3]: subV2(a, [topic], [], generationId),
      });
      const r = a.assign(ppt, subs);
      expect(r.get(consumer1)).toEqual([tp(topic, 1), tp(topic, 3)]);
      expect(r.get(consumer2)).toEqual([tp(topic, 2)]);
      expect(r.get(consumer3)).toEqual([tp(topic, 0)]);
      verifyValidityAndBalance(a, subs, r, ppt);
      expect(isFullyBalanced(r)).toBe(true);
    });

    it('testSchemaBackwardCompatibility', () => {
      const a = create();
      const ppt = mapOf({ topic: 3 });
      const c1partitions0 = [tp(topic, 0), tp(topic, 2)];
      const c2partitions0 = [tp(topic, 1)];
      const subs = mapOf<Subscription>({
        [consumer1]: subV2(a, [topic], c1partitions0, 1),
        // Java's buildSubscriptionWithOldSchema: STICKY_ASSIGNOR_USER_DATA_V0, no generation.
        [consumer2]: { topics: [topic], userData: encodeStickyUserData(c2partitions0), ownedPartitions: [] },
        [consumer3]: sub([topic]),
      });
      const r = a.assign(ppt, subs);
      const [c1, c2, c3] = [consumer1, consumer2, consumer3].map((c) => r.get(c)!);
      expect([c1.length, c2.length, c3.length]).toEqual([1, 1, 1]);
      expect(containsAll(c1partitions0, c1)).toBe(true);
      expect(containsAll(c2partitions0, c2)).toBe(true);
      verifyValidityAndBalance(a, subs, r, ppt);
      expect(isFullyBalanced(r)).toBe(true);
    });

    it('testMemberDataWithInconsistentData', () => {
      const a = create();
      a.onAssignment({ partitions: [tp1] }, { generationId, memberId: consumer1 });
      const userData = a.subscriptionUserData([topic]);
      const memberData = a.memberData({ topics: [topic], userData, ownedPartitions: [tp0] });
      // The sticky assignor puts the assignment in its user data and always honours that.
      expect(memberData.partitions).toEqual([tp1]);
      expect(memberData.generation).toBe(generationId);
    });
  });

  describe.each(RACK_AND_SUBSCRIPTION)(
    'rackConfig = %s, isAllSubscriptionsEqual = %s',
    (rackConfig, equal) => {
      const create = () => initializeRacks(new StickyAssignor(), rackConfig);

      it('testAssignmentWithMultipleGenerations1', () => {
        const a = create();
        const allTopics = [topic, topic2];
        const consumer2Topics = equal ? allTopics : [topic];
        const ppt = mapOf({ topic: 6, topic2: 6 });
        const subs = mapOf({
          [consumer1]: sub(allTopics),
          [consumer2]: sub(consumer2Topics),
          [consumer3]: sub(allTopics),
        });
        let r = a.assign(ppt, subs);
        const [r1p1, r1p2, r1p3] = [consumer1, consumer2, consumer3].map((c) => r.get(c)!);
        expect([r1p1.length, r1p2.length, r1p3.length]).toEqual([4, 4, 4]);
        verifyValidityAndBalance(a, subs, r, ppt);
        expect(isFullyBalanced(r)).toBe(true);

        subs.set(consumer1, subV2(a, allTopics, r1p1, generationId));
        subs.set(consumer2, subV2(a, consumer2Topics, r1p2, generationId));
        subs.delete(consumer3);
        r = a.assign(ppt, subs);
        const [r2p1, r2p2] = [consumer1, consumer2].map((c) => r.get(c)!);
        expect([r2p1.length, r2p2.length]).toEqual([6, 6]);
        // Only true when all subscriptions are equal.
        if (equal) expect(containsAll(r2p1, r1p1)).toBe(true);
        expect(containsAll(r2p2, r1p2)).toBe(true);
        verifyValidityAndBalance(a, subs, r, ppt);
        expect(isFullyBalanced(r)).toBe(true);
        expect(disjoint(r2p2, r1p3)).toBe(false);

        subs.delete(consumer1);
        subs.set(consumer2, subV2(a, consumer2Topics, r2p2, 2));
        subs.set(consumer3, subV2(a, allTopics, r1p3, 1));
        r = a.assign(ppt, subs);
        const [r3p2, r3p3] = [consumer2, consumer3].map((c) => r.get(c)!);
        expect([r3p2.length, r3p3.length]).toEqual([6, 6]);
        expect(disjoint(r3p2, r3p3)).toBe(true);
        verifyValidityAndBalance(a, subs, r, ppt);
        expect(isFullyBalanced(r)).toBe(true);
      });

      it('testAssignmentWithMultipleGenerations2', () => {
        const a = create();
        const allTopics = [topic, topic2, topic3];
        const consumer1Topics = equal ? allTopics : [topic];
        const consumer3Topics = equal ? allTopics : [topic, topic2];
        const ppt = mapOf({ topic: 4, topic2: 4, topic3: 4 });
        const subs = mapOf({
          [consumer1]: sub(consumer1Topics),
          [consumer2]: sub(allTopics),
          [consumer3]: sub(consumer3Topics),
        });
        let r = a.assign(ppt, subs);
        const [r1p1, r1p2, r1p3] = [consumer1, consumer2, consumer3].map((c) => r.get(c)!);
        expect([r1p1.length, r1p2.length, r1p3.length]).toEqual([4, 4, 4]);
        verifyValidityAndBalance(a, subs, r, ppt);
        expect(isFullyBalanced(r)).toBe(true);

        subs.delete(consumer1);
        subs.set(consumer2, subV2(a, allTopics, r1p2, 1));
        subs.delete(consumer3);
        r = a.assign(ppt, subs);
        const r2p2 = r.get(consumer2)!;
        expect(r2p2.length).toBe(12);
        expect(containsAll(r2p2, r1p2)).toBe(true);
        verifyValidityAndBalance(a, subs, r, ppt);
        expect(isFullyBalanced(r)).toBe(true);

        subs.set(consumer1, subV2(a, consumer1Topics, r1p1, 1));
        subs.set(consumer2, subV2(a, allTopics, r2p2, 2));
        subs.set(consumer3, subV2(a, consumer3Topics, r1p3, 1));
        r = a.assign(ppt, subs);
        const [r3p1, r3p2, r3p3] = [consumer1, consumer2, consumer3].map((c) => r.get(c)!);
        expect([r3p1.length, r3p2.length, r3p3.length]).toEqual([4, 4, 4]);
        verifyValidityAndBalance(a, subs, r, ppt);
        expect(isFullyBalanced(r)).toBe(true);
      });

      it('testAssignmentWithConflictingPreviousGenerations', () => {
        const a = create();
        const ppt = mapOf({ topic: 4, topic2: 4, topic3: 4 });
        const allTopics = [topic, topic2, topic3];
        const consumer1Topics = equal ? allTopics : [topic];
        const consumer2Topics = equal ? allTopics : [topic, topic2];
        const [t2p0, t2p1, t2p2, t2p3] = [0, 1, 2, 3].map((p) => tp(topic2, p));
        const [t3p0, t3p1, t3p2, t3p3] = [0, 1, 2, 3].map((p) => tp(topic3, p));
        const [p0, p1, p2, p3] = [0, 1, 2, 3].map((p) => tp(topic, p));
        const c1partitions0 = equal ? [p0, p1, p2, t2p2, t2p3, t3p0] : [p0, p1, p2, p3];
        const c2partitions0 = [p0, p1, t2p0, t2p1, t2p2, t2p3];
        const c3partitions0 = [p2, p3, t3p0, t3p1, t3p2, t3p3];
        const subs = mapOf({
          [consumer1]: subV2(a, consumer1Topics, c1partitions0, 1),
          [consumer2]: subV2(a, consumer2Topics, c2partitions0, 2),
          [consumer3]: subV2(a, allTopics, c3partitions0, 2),
        });
        const r = a.assign(ppt, subs);
        const [c1, c2, c3] = [consumer1, consumer2, consumer3].map((c) => r.get(c)!);
        expect([c1.length, c2.length, c3.length]).toEqual([4, 4, 4]);
        expect(containsAll(c2partitions0, c2)).toBe(true);
        expect(containsAll(c3partitions0, c3)).toBe(true);
        verifyValidityAndBalance(a, subs, r, ppt);
        expect(isFullyBalanced(r)).toBe(true);
      });
    },
  );

  it('testMemberDataWillHonorUserData', () => {
    const a = new StickyAssignor();
    const owned = [tp(topic1, 0), tp(topic2, 1)];
    const generationIdInUserData = generationId - 1;
    const memberData = a.memberData({
      topics: [topic],
      userData: encodeStickyUserData(owned, generationIdInUserData),
      ownedPartitions: [],
      generationId,
    });
    // Under the eager protocol the user data always wins.
    expect(memberData.partitions).toEqual(owned);
    expect(memberData.generation).toBe(generationIdInUserData);
  });

  it('testAssignorWithOldVersionSubscriptions', () => {
    const a = new StickyAssignor();
    const ppt = mapOf({ topic1: 3 });
    const subs = mapOf({
      [consumer1]: subV0(a, [topic1], [tp(topic1, 0)], generationId)!,
      [consumer2]: subV1(a, [topic1], [tp(topic1, 1)], generationId),
      [consumer3]: subV2(a, [topic1], [], generationId),
    });
    const r = a.assign(ppt, subs);
    expect(r.get(consumer1)).toEqual([tp(topic1, 0)]);
    expect(r.get(consumer2)).toEqual([tp(topic1, 1)]);
    expect(r.get(consumer3)).toEqual([tp(topic1, 2)]);
    verifyValidityAndBalance(a, subs, r, ppt);
    expect(isFullyBalanced(r)).toBe(true);
  });
});
