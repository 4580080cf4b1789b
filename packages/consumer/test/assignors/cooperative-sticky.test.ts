/**
 * Scenarios specific to `cooperative-sticky`, from Apache Kafka's CooperativeStickyAssignorTest
 * (clients/src/test/java/org/apache/kafka/clients/consumer/CooperativeStickyAssignorTest.java).
 */
import { describe, expect, it } from 'vitest';
import {
  CooperativeStickyAssignor,
  DEFAULT_GENERATION,
  encodeCooperativeUserData,
  type TopicPartition,
} from '../../src/assignors/index.js';
import { isFullyBalanced, mapOf, subV1, subV2, tp, verifyValidityAndBalance } from './helpers.js';

const topic = 'topic';
const topic1 = 'topic1';
const topic2 = 'topic2';
const [consumer1, consumer2, consumer3] = ['consumer1', 'consumer2', 'consumer3'];
const generationId = 1;

describe('CooperativeStickyAssignor (CooperativeStickyAssignorTest)', () => {
  const create = () => new CooperativeStickyAssignor();
  const v2 = (a: CooperativeStickyAssignor, topics: string[], ps: TopicPartition[], gen = generationId) =>
    subV2(a, topics, ps, gen);

  it('is named cooperative-sticky and supports COOPERATIVE then EAGER', () => {
    expect(create().name).toBe('cooperative-sticky');
    expect(create().supportedProtocols).toEqual(['COOPERATIVE', 'EAGER']);
  });

  it('testEncodeAndDecodeGeneration', () => {
    const a = create();
    let s = { topics: [topic], userData: a.subscriptionUserData([topic]) };
    expect(a.memberData(s).generation).toBe(DEFAULT_GENERATION);
    a.onAssignment({ partitions: [] }, { generationId: 10, memberId: 'dummy-member-id' });
    s = { topics: [topic], userData: a.subscriptionUserData([topic]) };
    expect(a.memberData(s).generation).toBe(10);
    expect(a.subscriptionUserData([topic])!.toString('hex')).toBe('0000000a');
  });

  it('testDecodeGeneration: no user data, no generation', () => {
    expect(create().memberData({ topics: [topic] }).generation).toBeUndefined();
  });

  it('testAllConsumersHaveOwnedPartitionInvalidatedWhenClaimedByMultipleConsumersInSameGenerationWithEqualPartitionsPerConsumer', () => {
    const a = create();
    const ppt = mapOf({ topic: 3 });
    const subs = mapOf({
      [consumer1]: v2(a, [topic], [tp(topic, 0), tp(topic, 1)]),
      [consumer2]: v2(a, [topic], [tp(topic, 0), tp(topic, 2)]),
      [consumer3]: v2(a, [topic], []),
    });
    const r = a.assign(ppt, subs);
    expect(r.get(consumer1)).toEqual([tp(topic, 1)]);
    expect(r.get(consumer2)).toEqual([tp(topic, 2)]);
    // topic-0 counts as owned: it cannot be assigned until both have revoked it
    expect(r.get(consumer3)).toEqual([]);
    const final = verifyValidityAndBalance(a, subs, r, ppt);
    expect(isFullyBalanced(final)).toBe(true);
  });

  it('testAllConsumersHaveOwnedPartitionInvalidatedWhenClaimedByMultipleConsumersInSameGenerationWithUnequalPartitionsPerConsumer', () => {
    const a = create();
    const ppt = mapOf({ topic: 4 });
    const subs = mapOf({
      [consumer1]: v2(a, [topic], [tp(topic, 0), tp(topic, 1)]),
      [consumer2]: v2(a, [topic], [tp(topic, 0), tp(topic, 2)]),
      [consumer3]: v2(a, [topic], []),
    });
    const r = a.assign(ppt, subs);
    expect(r.get(consumer1)).toEqual([tp(topic, 1), tp(topic, 3)]);
    expect(r.get(consumer2)).toEqual([tp(topic, 2)]);
    expect(r.get(consumer3)).toEqual([]);
    const final = verifyValidityAndBalance(a, subs, r, ppt);
    expect(isFullyBalanced(final)).toBe(true);
  });

  it('testMemberDataWithInconsistentData: owned partitions from the subscription, generation from user data', () => {
    const a = create();
    a.onAssignment({ partitions: [tp(topic, 1)] }, { generationId, memberId: consumer1 });
    const userData = a.subscriptionUserData([topic]);
    const data = a.memberData({ topics: [topic], userData, ownedPartitions: [tp(topic, 0)] });
    expect(data).toEqual({ partitions: [tp(topic, 0)], generation: generationId });
  });

  it('testMemberDataWithEmptyPartitionsAndEqualGeneration / ...AndHigherGeneration: the subscription wins', () => {
    const a = create();
    for (const userGeneration of [generationId, generationId - 1]) {
      const data = a.memberData({
        topics: [topic],
        userData: encodeCooperativeUserData(userGeneration),
        ownedPartitions: [],
        generationId,
      });
      expect(data).toEqual({ partitions: [], generation: generationId });
    }
  });

  it('testAssignorWithOldVersionSubscriptions: v1 subscriptions (generation in user data)', () => {
    const a = create();
    const ppt = mapOf({ topic1: 3 });
    const subs = mapOf({
      [consumer1]: subV1(a, [topic1], [tp(topic1, 0)], generationId),
      [consumer2]: subV1(a, [topic1], [tp(topic1, 1)], generationId),
      [consumer3]: v2(a, [topic1], []),
    });
    const r = a.assign(ppt, subs);
    expect(r.get(consumer1)).toEqual([tp(topic1, 0)]);
    expect(r.get(consumer2)).toEqual([tp(topic1, 1)]);
    expect(r.get(consumer3)).toEqual([tp(topic1, 2)]);
    verifyValidityAndBalance(a, subs, r, ppt);
  });

  it('a member joining: only the partitions it takes are revoked, and it gets them one rebalance later', () => {
    const a = create();
    const ppt = mapOf({ topic1: 6, topic2: 6 });
    const all = [topic1, topic2];
    const subs = mapOf({ [consumer1]: v2(a, all, []), [consumer2]: v2(a, all, []) });
    const r1 = a.assign(ppt, subs);
    subs.set(consumer1, v2(a, all, r1.get(consumer1)!));
    subs.set(consumer2, v2(a, all, r1.get(consumer2)!));
    subs.set(consumer3, v2(a, all, []));
    const r2 = a.assign(ppt, subs);
    // first round: the old members keep 4 each, nothing is handed over yet
    expect(r2.get(consumer1)!.length).toBe(4);
    expect(r2.get(consumer2)!.length).toBe(4);
    expect(r2.get(consumer3)).toEqual([]);
    const final = verifyValidityAndBalance(a, subs, r2, ppt);
    expect([...final.values()].map((l) => l.length)).toEqual([4, 4, 4]);
  });
});
