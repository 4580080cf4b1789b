/**
 * Scenarios specific to the eager `sticky` assignor, from Apache Kafka's StickyAssignorTest
 * (clients/src/test/java/org/apache/kafka/clients/consumer/StickyAssignorTest.java): its user
 * data (previous assignment, v0 without and v1 with the generation), multiple generations and
 * conflicting previous assignments.
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
import { asSet, isFullyBalanced, isSticky, mapOf, sub, tp, verifyValidityAndBalance } from './helpers.js';

const topic = 'topic';
const [consumer1, consumer2, consumer3] = ['consumer1', 'consumer2', 'consumer3'];

/** Java's `buildSubscriptionWithGeneration`: previous assignment and generation in the user data. */
const withGeneration = (topics: string[], ps: TopicPartition[], generation: number): Subscription => ({
  topics,
  userData: encodeStickyUserData(ps, generation),
});

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
  });

  it('testSchemaBackwardCompatibility: reads v0 user data (no generation) and tolerates garbage', () => {
    const v0 = encodeStickyUserData([tp(topic, 1)]);
    expect(decodeStickyUserData(v0)).toEqual({ partitions: [tp(topic, 1)] });
    expect(decodeStickyUserData(Buffer.from('ff', 'hex'))).toEqual({
      partitions: [],
      generation: DEFAULT_GENERATION,
    });

    const a = new StickyAssignor();
    const ppt = mapOf({ topic: 3 });
    const subs = mapOf({
      [consumer1]: { topics: [topic], userData: encodeStickyUserData([tp(topic, 0), tp(topic, 2)]) },
      [consumer2]: withGeneration([topic], [tp(topic, 1)], 1),
      [consumer3]: sub([topic]),
    });
    const r = a.assign(ppt, subs);
    verifyValidityAndBalance(a, subs, r, ppt);
    expect(isFullyBalanced(r)).toBe(true);
  });

  it('onAssignment / subscriptionUserData carry the previous assignment and generation', () => {
    const a = new StickyAssignor();
    expect(a.subscriptionUserData([topic])).toBeNull();
    a.onAssignment({ partitions: [tp(topic, 0)] }, { generationId: 4, memberId: 'm' });
    const memberData = a.memberData({ topics: [topic], userData: a.subscriptionUserData([topic]) });
    expect(memberData).toEqual({ partitions: [tp(topic, 0)], generation: 4 });
  });

  it('testAssignmentWithMultipleGenerations1', () => {
    const a = new StickyAssignor();
    const ppt = mapOf({ topic: 6 });
    const subs = mapOf({ [consumer1]: sub([topic]), [consumer2]: sub([topic]), [consumer3]: sub([topic]) });
    const r1 = a.assign(ppt, subs);
    const [r1p1, r1p2, r1p3] = [consumer1, consumer2, consumer3].map((c) => r1.get(c)!);
    expect([r1p1.length, r1p2.length, r1p3.length]).toEqual([2, 2, 2]);
    verifyValidityAndBalance(a, subs, r1, ppt);

    subs.set(consumer1, withGeneration([topic], r1p1, 1));
    subs.set(consumer2, withGeneration([topic], r1p2, 1));
    subs.delete(consumer3);
    const r2 = a.assign(ppt, subs);
    const [r2p1, r2p2] = [consumer1, consumer2].map((c) => r2.get(c)!);
    expect([r2p1.length, r2p2.length]).toEqual([3, 3]);
    expect(asSet(r2p1)).toEqual(expect.arrayContaining(asSet(r1p1)));
    expect(asSet(r2p2)).toEqual(expect.arrayContaining(asSet(r1p2)));
    verifyValidityAndBalance(a, subs, r2, ppt);
    expect(isSticky(r1, r2)).toBe(true);
    expect(asSet(r2p2).some((p) => asSet(r1p3).includes(p))).toBe(true);

    subs.delete(consumer1);
    subs.set(consumer2, withGeneration([topic], r2p2, 2));
    subs.set(consumer3, withGeneration([topic], r1p3, 1));
    const r3 = a.assign(ppt, subs);
    const [r3p2, r3p3] = [consumer2, consumer3].map((c) => r3.get(c)!);
    expect([r3p2.length, r3p3.length]).toEqual([3, 3]);
    // consumer2 (generation 2) keeps everything it had; consumer3's stale claim loses
    expect(asSet(r3p2)).toEqual(asSet(r2p2));
    verifyValidityAndBalance(a, subs, r3, ppt);
  });

  it('testAssignmentWithConflictingPreviousGenerations', () => {
    const a = new StickyAssignor();
    const ppt = mapOf({ topic: 6 });
    const subs = mapOf({
      [consumer1]: withGeneration([topic], [tp(topic, 0), tp(topic, 1), tp(topic, 4)], 1),
      [consumer2]: withGeneration([topic], [tp(topic, 0), tp(topic, 2), tp(topic, 3)], 1),
      [consumer3]: withGeneration([topic], [tp(topic, 3), tp(topic, 4), tp(topic, 5)], 2),
    });
    const r = a.assign(ppt, subs);
    expect(r.get(consumer1)!.length + r.get(consumer2)!.length + r.get(consumer3)!.length).toBe(6);
    // generation 2 wins its claims: consumer3 keeps two of them (its quota), the others lose theirs
    expect(r.get(consumer3)!.length).toBe(2);
    expect(asSet([tp(topic, 3), tp(topic, 4), tp(topic, 5)])).toEqual(
      expect.arrayContaining(asSet(r.get(consumer3))),
    );
    expect(asSet(r.get(consumer1))).toContain('topic-1');
    expect(asSet(r.get(consumer2))).toContain('topic-2');
    verifyValidityAndBalance(a, subs, r, ppt);
    expect(isFullyBalanced(r)).toBe(true);
  });

  it('testConflictingPreviousAssignments: both claim everything in the same generation', () => {
    const a = new StickyAssignor();
    const ppt = mapOf({ topic: 2 });
    const both = [tp(topic, 0), tp(topic, 1)];
    const subs = mapOf({
      [consumer1]: withGeneration([topic], both, 1),
      [consumer2]: withGeneration([topic], both, 1),
    });
    const r = a.assign(ppt, subs);
    expect(r.get(consumer1)!.length).toBe(1);
    expect(r.get(consumer2)!.length).toBe(1);
    verifyValidityAndBalance(a, subs, r, ppt);
  });
});
