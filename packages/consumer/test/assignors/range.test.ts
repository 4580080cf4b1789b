/**
 * Scenarios of Apache Kafka's RangeAssignorTest (clients/src/test/java/org/apache/kafka/clients/
 * consumer/RangeAssignorTest.java), non-rack-aware. Java compares with `assertAssignment`, which
 * ignores order; so do we.
 */
import { describe, expect, it } from 'vitest';
import { RangeAssignor, range, type Subscription, type TopicPartition } from '../../src/assignors/index.js';
import { asSet, mapOf, sub, tp } from './helpers.js';

const assignor = new RangeAssignor();
const topic1 = 'topic1';
const topic2 = 'topic2';
const assign = (ppt: Record<string, number>, subs: Record<string, Subscription>) =>
  assignor.assign(mapOf(ppt), mapOf(subs));
const expectAssignment = (actual: TopicPartition[] | undefined, expected: TopicPartition[]) =>
  expect(asSet(actual)).toEqual(asSet(expected));

describe('RangeAssignor (RangeAssignorTest)', () => {
  it('is named range and eager', () => {
    expect(range.name).toBe('range');
    expect(assignor.supportedProtocols).toEqual(['EAGER']);
  });

  it('testOneConsumerNoTopic', () => {
    const a = assign({}, { consumer1: sub([]) });
    expect([...a.keys()]).toEqual(['consumer1']);
    expect(a.get('consumer1')).toEqual([]);
  });

  it('testOneConsumerNonexistentTopic', () => {
    const a = assign({}, { consumer1: sub([topic1]) });
    expect([...a.keys()]).toEqual(['consumer1']);
    expect(a.get('consumer1')).toEqual([]);
  });

  it('testOneConsumerOneTopic', () => {
    const a = assign({ topic1: 3 }, { consumer1: sub([topic1]) });
    expectAssignment(a.get('consumer1'), [tp(topic1, 0), tp(topic1, 1), tp(topic1, 2)]);
  });

  it('testOnlyAssignsPartitionsFromSubscribedTopics', () => {
    const a = assign({ topic1: 3, other: 3 }, { consumer1: sub([topic1]) });
    expectAssignment(a.get('consumer1'), [tp(topic1, 0), tp(topic1, 1), tp(topic1, 2)]);
  });

  it('testOneConsumerMultipleTopics', () => {
    const a = assign({ topic1: 1, topic2: 2 }, { consumer1: sub([topic1, topic2]) });
    expectAssignment(a.get('consumer1'), [tp(topic1, 0), tp(topic2, 0), tp(topic2, 1)]);
  });

  it('testTwoConsumersOneTopicOnePartition', () => {
    const a = assign({ topic1: 1 }, { consumer1: sub([topic1]), consumer2: sub([topic1]) });
    expectAssignment(a.get('consumer1'), [tp(topic1, 0)]);
    expectAssignment(a.get('consumer2'), []);
  });

  it('testTwoConsumersOneTopicTwoPartitions', () => {
    const a = assign({ topic1: 2 }, { consumer1: sub([topic1]), consumer2: sub([topic1]) });
    expectAssignment(a.get('consumer1'), [tp(topic1, 0)]);
    expectAssignment(a.get('consumer2'), [tp(topic1, 1)]);
  });

  it('testMultipleConsumersMixedTopics', () => {
    const a = assign(
      { topic1: 3, topic2: 2 },
      { consumer1: sub([topic1]), consumer2: sub([topic1, topic2]), consumer3: sub([topic1]) },
    );
    expectAssignment(a.get('consumer1'), [tp(topic1, 0)]);
    expectAssignment(a.get('consumer2'), [tp(topic1, 1), tp(topic2, 0), tp(topic2, 1)]);
    expectAssignment(a.get('consumer3'), [tp(topic1, 2)]);
  });

  it('testTwoConsumersTwoTopicsSixPartitions', () => {
    const a = assign(
      { topic1: 3, topic2: 3 },
      { consumer1: sub([topic1, topic2]), consumer2: sub([topic1, topic2]) },
    );
    expectAssignment(a.get('consumer1'), [tp(topic1, 0), tp(topic1, 1), tp(topic2, 0), tp(topic2, 1)]);
    expectAssignment(a.get('consumer2'), [tp(topic1, 2), tp(topic2, 2)]);
  });

  it('testTwoStaticConsumersTwoTopicsSixPartitions: static members sort by group.instance.id', () => {
    const a = assign(
      { topic1: 3, topic2: 3 },
      {
        'consumer-b': sub([topic1, topic2], { groupInstanceId: 'instance1' }),
        'consumer-a': sub([topic1, topic2], { groupInstanceId: 'instance2' }),
      },
    );
    expectAssignment(a.get('consumer-b'), [tp(topic1, 0), tp(topic1, 1), tp(topic2, 0), tp(topic2, 1)]);
    expectAssignment(a.get('consumer-a'), [tp(topic1, 2), tp(topic2, 2)]);
  });

  it('testOneStaticConsumerAndOneDynamicConsumerTwoTopicsSixPartitions: static before dynamic', () => {
    const a = assign(
      { topic1: 3, topic2: 3 },
      {
        'consumer-b': sub([topic1, topic2], { groupInstanceId: 'instance1' }),
        'consumer-a': sub([topic1, topic2]),
      },
    );
    expectAssignment(a.get('consumer-b'), [tp(topic1, 0), tp(topic1, 1), tp(topic2, 0), tp(topic2, 1)]);
    expectAssignment(a.get('consumer-a'), [tp(topic1, 2), tp(topic2, 2)]);
  });

  it('testStaticMemberRangeAssignmentPersistent', () => {
    const topics = [topic1, topic2];
    const subs: Record<string, Subscription> = {
      consumer1: sub(topics, { groupInstanceId: 'instance1' }),
      consumer2: sub(topics, { groupInstanceId: 'instance2' }),
      consumer3: sub(topics, { groupInstanceId: 'instance3' }),
      consumer4: sub(topics),
    };
    const expected: Record<string, TopicPartition[]> = {
      consumer1: [tp(topic1, 0), tp(topic1, 1), tp(topic2, 0)],
      consumer2: [tp(topic1, 2), tp(topic2, 1)],
      consumer3: [tp(topic1, 3), tp(topic2, 2)],
      consumer4: [tp(topic1, 4), tp(topic2, 3)],
    };
    let a = assign({ topic1: 5, topic2: 4 }, subs);
    for (const [m, ps] of Object.entries(expected)) expectAssignment(a.get(m), ps);
    // Replace dynamic member 4 with a new dynamic member 5: the static members keep theirs.
    delete subs.consumer4;
    subs.consumer5 = sub(topics);
    a = assign({ topic1: 5, topic2: 4 }, subs);
    expect([...a.keys()].sort()).toEqual(['consumer1', 'consumer2', 'consumer3', 'consumer5']);
    expectAssignment(a.get('consumer5'), expected.consumer4);
    for (const m of ['consumer1', 'consumer2', 'consumer3']) expectAssignment(a.get(m), expected[m]);
  });

  it('testStaticMemberRangeAssignmentPersistentAfterMemberIdChanges', () => {
    const topics = [topic1, topic2];
    const byInstance = (subs: Record<string, Subscription>) => {
      const a = assign({ topic1: 5, topic2: 5 }, subs);
      return Object.fromEntries(Object.entries(subs).map(([m, s]) => [s.groupInstanceId!, asSet(a.get(m))]));
    };
    const subs: Record<string, Subscription> = {
      consumer1: sub(topics, { groupInstanceId: 'instance1' }),
      consumer2: sub(topics, { groupInstanceId: 'instance2' }),
      consumer3: sub(topics, { groupInstanceId: 'instance3' }),
    };
    const first = byInstance(subs);
    expect(first).toEqual({
      instance1: asSet([tp(topic1, 0), tp(topic1, 1), tp(topic2, 0), tp(topic2, 1)]),
      instance2: asSet([tp(topic1, 2), tp(topic1, 3), tp(topic2, 2), tp(topic2, 3)]),
      instance3: asSet([tp(topic1, 4), tp(topic2, 4)]),
    });
    // Now switch the member.id fields for each member info: the assignment stays the same.
    const switched = { consumer1: subs.consumer1, consumer4: subs.consumer3, consumer5: subs.consumer2 };
    expect(byInstance(switched)).toEqual(first);
  });
});
