/*
 * Ported from Apache Kafka's RoundRobinAssignorTest (clients/src/test/java/org/apache/kafka/
 * clients/consumer/RoundRobinAssignorTest.java, trunk), Copyright the Apache Software Foundation,
 * licensed under the Apache License, Version 2.0 (http://www.apache.org/licenses/LICENSE-2.0).
 * Test names are Kafka's; every @Test of the class is here.
 */
/**
 * Java compares lists with `assertEquals`, so the order within a member's assignment is checked
 * too. The round-robin assignor is not rack-aware (neither is Kafka's).
 */
import { describe, expect, it } from 'vitest';
import { RoundRobinAssignor, roundRobin, type Subscription } from '../../src/assignors/index.js';
import { mapOf, sub, tp } from './helpers.js';

const assignor = new RoundRobinAssignor();
const topic = 'topic';
const topic1 = 'topic1';
const topic2 = 'topic2';
const consumerId = 'consumer';
const assign = (ppt: Record<string, number>, subs: Record<string, Subscription>) =>
  assignor.assign(mapOf(ppt), mapOf(subs));

describe('RoundRobinAssignor (RoundRobinAssignorTest)', () => {
  it('is named roundrobin and eager', () => {
    expect(roundRobin.name).toBe('roundrobin');
    expect(assignor.supportedProtocols).toEqual(['EAGER']);
  });

  it('testOneConsumerNoTopic', () => {
    const a = assign({}, { [consumerId]: sub([]) });
    expect([...a.keys()]).toEqual([consumerId]);
    expect(a.get(consumerId)).toEqual([]);
  });

  it('testOneConsumerNonexistentTopic', () => {
    const a = assign({}, { [consumerId]: sub([topic]) });
    expect([...a.keys()]).toEqual([consumerId]);
    expect(a.get(consumerId)).toEqual([]);
  });

  it('testOneConsumerOneTopic', () => {
    const a = assign({ topic: 3 }, { [consumerId]: sub([topic]) });
    expect(a.get(consumerId)).toEqual([tp(topic, 0), tp(topic, 1), tp(topic, 2)]);
  });

  it('testOnlyAssignsPartitionsFromSubscribedTopics', () => {
    const a = assign({ topic: 3, other: 3 }, { [consumerId]: sub([topic]) });
    expect(a.get(consumerId)).toEqual([tp(topic, 0), tp(topic, 1), tp(topic, 2)]);
  });

  it('testOneConsumerMultipleTopics', () => {
    const a = assign({ topic1: 1, topic2: 2 }, { [consumerId]: sub([topic1, topic2]) });
    expect(a.get(consumerId)).toEqual([tp(topic1, 0), tp(topic2, 0), tp(topic2, 1)]);
  });

  it('testTwoConsumersOneTopicOnePartition', () => {
    const a = assign({ topic: 1 }, { consumer1: sub([topic]), consumer2: sub([topic]) });
    expect(a.get('consumer1')).toEqual([tp(topic, 0)]);
    expect(a.get('consumer2')).toEqual([]);
  });

  it('testTwoConsumersOneTopicTwoPartitions', () => {
    const a = assign({ topic: 2 }, { consumer1: sub([topic]), consumer2: sub([topic]) });
    expect(a.get('consumer1')).toEqual([tp(topic, 0)]);
    expect(a.get('consumer2')).toEqual([tp(topic, 1)]);
  });

  it('testMultipleConsumersMixedTopics', () => {
    const a = assign(
      { topic1: 3, topic2: 2 },
      { consumer1: sub([topic1]), consumer2: sub([topic1, topic2]), consumer3: sub([topic1]) },
    );
    expect(a.get('consumer1')).toEqual([tp(topic1, 0)]);
    expect(a.get('consumer2')).toEqual([tp(topic1, 1), tp(topic2, 0), tp(topic2, 1)]);
    expect(a.get('consumer3')).toEqual([tp(topic1, 2)]);
  });

  it('testTwoDynamicConsumersTwoTopicsSixPartitions', () => {
    const a = assign(
      { topic1: 3, topic2: 3 },
      { consumer1: sub([topic1, topic2]), consumer2: sub([topic1, topic2]) },
    );
    expect(a.get('consumer1')).toEqual([tp(topic1, 0), tp(topic1, 2), tp(topic2, 1)]);
    expect(a.get('consumer2')).toEqual([tp(topic1, 1), tp(topic2, 0), tp(topic2, 2)]);
  });

  it('testTwoStaticConsumersTwoTopicsSixPartitions', () => {
    const a = assign(
      { topic1: 3, topic2: 3 },
      {
        'consumer-b': sub([topic1, topic2], { groupInstanceId: 'instance1' }),
        'consumer-a': sub([topic1, topic2], { groupInstanceId: 'instance2' }),
      },
    );
    expect(a.get('consumer-b')).toEqual([tp(topic1, 0), tp(topic1, 2), tp(topic2, 1)]);
    expect(a.get('consumer-a')).toEqual([tp(topic1, 1), tp(topic2, 0), tp(topic2, 2)]);
  });

  it('testOneStaticConsumerAndOneDynamicConsumerTwoTopicsSixPartitions', () => {
    const a = assign(
      { topic1: 3, topic2: 3 },
      {
        'consumer-b': sub([topic1, topic2], { groupInstanceId: 'instance1' }),
        'consumer-a': sub([topic1, topic2]),
      },
    );
    expect(a.get('consumer-b')).toEqual([tp(topic1, 0), tp(topic1, 2), tp(topic2, 1)]);
    expect(a.get('consumer-a')).toEqual([tp(topic1, 1), tp(topic2, 0), tp(topic2, 2)]);
  });

  it('testStaticMemberRoundRobinAssignmentPersistent', () => {
    const topics = [topic1, topic2];
    const subs: Record<string, Subscription> = {
      consumer1: sub(topics, { groupInstanceId: 'instance1' }),
      consumer2: sub(topics, { groupInstanceId: 'instance2' }),
      consumer3: sub(topics, { groupInstanceId: 'instance3' }),
      consumer4: sub(topics),
    };
    const expected = {
      consumer1: [tp(topic1, 0), tp(topic2, 1)],
      consumer2: [tp(topic1, 1), tp(topic2, 2)],
      consumer3: [tp(topic1, 2)],
      consumer4: [tp(topic2, 0)],
    };
    expect(Object.fromEntries(assign({ topic1: 3, topic2: 3 }, subs))).toEqual(expected);
    // Replace dynamic member 4 with a new dynamic member 5.
    delete subs.consumer4;
    subs.consumer5 = sub(topics);
    const { consumer4, ...rest } = expected;
    expect(Object.fromEntries(assign({ topic1: 3, topic2: 3 }, subs))).toEqual({
      ...rest,
      consumer5: consumer4,
    });
  });

  it('testStaticMemberRoundRobinAssignmentPersistentAfterMemberIdChanges', () => {
    const ppt = { topic1: 5, topic2: 5 };
    const topics = [topic1, topic2];
    const consumers: Record<string, Subscription> = {
      consumer1: sub(topics, { groupInstanceId: 'instance1' }),
      consumer2: sub(topics, { groupInstanceId: 'instance2' }),
      consumer3: sub(topics, { groupInstanceId: 'instance3' }),
    };
    // RangeAssignorTest's checkStaticAssignment: the assignment by group.instance.id.
    const checkStaticAssignment = () => {
      const a = assign(ppt, consumers);
      return Object.fromEntries(Object.entries(consumers).map(([m, s]) => [s.groupInstanceId!, a.get(m)]));
    };
    const staticAssignment = checkStaticAssignment();
    expect(staticAssignment).toEqual({
      instance1: [tp(topic1, 0), tp(topic1, 3), tp(topic2, 1), tp(topic2, 4)],
      instance2: [tp(topic1, 1), tp(topic1, 4), tp(topic2, 2)],
      instance3: [tp(topic1, 2), tp(topic2, 0), tp(topic2, 3)],
    });
    // Now switch the member.id fields for each member info: the assignment stays the same.
    consumers.consumer4 = consumers.consumer3;
    delete consumers.consumer3;
    consumers.consumer5 = consumers.consumer2;
    delete consumers.consumer2;
    expect(checkStaticAssignment()).toEqual(staticAssignment);
  });
});
