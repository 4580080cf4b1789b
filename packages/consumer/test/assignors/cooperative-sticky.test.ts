/*
 * Ported from Apache Kafka's CooperativeStickyAssignorTest (clients/src/test/java/org/apache/
 * kafka/clients/consumer/CooperativeStickyAssignorTest.java, trunk), Copyright the Apache Software
 * Foundation, licensed under the Apache License, Version 2.0
 * (http://www.apache.org/licenses/LICENSE-2.0). Test names are Kafka's; every @Test and
 * @ParameterizedTest of the class is here, under each RackConfig where Kafka parameterizes it. The
 * tests it inherits from AbstractStickyAssignorTest are in abstract-sticky*.test.ts, and its
 * `verifyValidityAndBalance` override (follow-up rebalances while partitions are revoked) is
 * `verifyValidityAndBalance` in helpers.ts.
 */
import { describe, expect, it } from 'vitest';
import {
  CooperativeStickyAssignor,
  DEFAULT_GENERATION,
  encodeCooperativeUserData,
  type PartitionInfo,
  type Subscription,
  type TopicPartition,
} from '../../src/assignors/index.js';
import {
  ALL_RACKS,
  initializeRacks,
  isFullyBalanced,
  mapOf,
  partitionInfosOnRacks,
  RACK_CONFIGS,
  subV1,
  subV2,
  tp,
  verifyValidityAndBalance,
} from './helpers.js';

const topic = 'topic';
const topic1 = 'topic1';
const topic2 = 'topic2';
const [consumer1, consumer2, consumer3] = ['consumer1', 'consumer2', 'consumer3'];
const generationId = 1;
const tp0 = tp(topic, 0);
const tp1 = tp(topic, 1);

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
    let s: Subscription = { topics: [topic], userData: a.subscriptionUserData([topic]) };
    expect(a.memberData(s).generation).toBe(DEFAULT_GENERATION);
    a.onAssignment({ partitions: [] }, { generationId: 10, memberId: 'dummy-member-id' });
    s = { topics: [topic], userData: a.subscriptionUserData([topic]) };
    expect(a.memberData(s).generation).toBe(10);
    expect(a.subscriptionUserData([topic])!.toString('hex')).toBe('0000000a');
  });

  it('testDecodeGeneration', () => {
    expect(create().memberData({ topics: [topic] }).generation).toBeUndefined();
  });

  describe.each(RACK_CONFIGS)('rackConfig = %s', (rackConfig) => {
    const racked = () => initializeRacks(create(), rackConfig);

    it('testAllConsumersHaveOwnedPartitionInvalidatedWhenClaimedByMultipleConsumersInSameGenerationWithEqualPartitionsPerConsumer', () => {
      const a = racked();
      const ppt = mapOf({ topic: 3 });
      const subs = mapOf({
        [consumer1]: v2(a, [topic], [tp(topic, 0), tp(topic, 1)]),
        [consumer2]: v2(a, [topic], [tp(topic, 0), tp(topic, 2)]),
        [consumer3]: v2(a, [topic], []),
      });
      const r = a.assign(ppt, subs);
      expect(r.get(consumer1)).toEqual([tp(topic, 1)]);
      expect(r.get(consumer2)).toEqual([tp(topic, 2)]);
      // topic-0 counts as owned: it cannot be assigned until both have revoked it.
      expect(r.get(consumer3)).toEqual([]);
      const final = verifyValidityAndBalance(a, subs, r, ppt);
      expect(isFullyBalanced(final)).toBe(true);
    });

    it('testAllConsumersHaveOwnedPartitionInvalidatedWhenClaimedByMultipleConsumersInSameGenerationWithUnequalPartitionsPerConsumer', () => {
      const a = racked();
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
  });

  it('testMemberDataWithInconsistentData', () => {
    const a = create();
    a.onAssignment({ partitions: [tp1] }, { generationId, memberId: consumer1 });
    const userData = a.subscriptionUserData([topic]);
    // Owned partitions in the subscription without a generation: the generation comes from the
    // user data (the cooperative assignor puts only that there), the partitions from the subscription.
    const memberData = a.memberData({ topics: [topic], userData, ownedPartitions: [tp0] });
    expect(memberData.partitions).toEqual([tp0]);
    expect(memberData.generation).toBe(generationId);
  });

  it('testMemberDataWithEmptyPartitionsAndEqualGeneration', () => {
    const memberData = create().memberData({
      topics: [topic],
      userData: encodeCooperativeUserData(generationId),
      ownedPartitions: [],
      generationId,
    });
    expect(memberData.partitions).toEqual([]);
    expect(memberData.generation).toBe(generationId);
  });

  it('testMemberDataWithEmptyPartitionsAndHigherGeneration', () => {
    const memberData = create().memberData({
      topics: [topic],
      userData: encodeCooperativeUserData(generationId - 1),
      ownedPartitions: [],
      generationId,
    });
    expect(memberData.partitions).toEqual([]);
    expect(memberData.generation).toBe(generationId);
  });

  it('testAssignorWithOldVersionSubscriptions', () => {
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
    const final = verifyValidityAndBalance(a, subs, r, ppt);
    expect(isFullyBalanced(final)).toBe(true);
  });

  it('testUniformSubscriptionTransferOwnershipListIsRight', () => {
    // Replication factor 1 over brokers on racks a, b: partitions 0 and 2 on a, 1 and 3 on b.
    const a = create();
    const ppt = new Map<string, PartitionInfo[]>([[topic1, partitionInfosOnRacks(topic1, 4, 1, 2, 0)]]);
    const subs = new Map<string, Subscription>([
      ['c0', { ...v2(a, [topic1], [tp(topic1, 0), tp(topic1, 1)]), rackId: ALL_RACKS[0] }],
      ['c1', { ...v2(a, [topic1], [tp(topic1, 2), tp(topic1, 3)]), rackId: ALL_RACKS[1] }],
    ]);
    a.assignPartitions(ppt, subs);
    // c0 gives up 1 (rack b) for 2 (rack a), c1 the other way round.
    expect(a.partitionsTransferringOwnership?.size).toBe(2);
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
    // First round: the old members keep 4 each, nothing is handed over yet.
    expect(r2.get(consumer1)!.length).toBe(4);
    expect(r2.get(consumer2)!.length).toBe(4);
    expect(r2.get(consumer3)).toEqual([]);
    const final = verifyValidityAndBalance(a, subs, r2, ppt);
    expect([...final.values()].map((l) => l.length)).toEqual([4, 4, 4]);
  });
});
