/**
 * Scenarios of Apache Kafka's RoundRobinAssignorTest (clients/src/test/java/org/apache/kafka/
 * clients/consumer/RoundRobinAssignorTest.java). Java compares lists with `assertEquals`, so
 * the order within a member's assignment is checked too.
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

  it('testStaticMemberAssignmentPersistent', () => {
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

  it('testStaticMemberAssignmentPersistentAfterMemberIdChanges', () => {
    const check = (memberIdToInstanceId: Record<string, string>, memberIdList: string[]) => {
      const subs = Object.fromEntries(
        Object.entries(memberIdToInstanceId).map(([m, i]) => [
          m,
          sub([topic1, topic2], { groupInstanceId: i }),
        ]),
      );
      const a = assign({ topic1: 3, topic2: 3 }, subs);
      const byInstance = Object.fromEntries(memberIdList.map((m) => [memberIdToInstanceId[m], a.get(m)]));
      const expected = Object.fromEntries(
        memberIdList.map((m, i) => [memberIdToInstanceId[m], [tp(topic1, i), tp(topic2, i)]]),
      );
      expect(byInstance).toEqual(expected);
      return byInstance;
    };
    const first = check({ consumer1: 'instance1', consumer2: 'instance2', consumer3: 'instance3' }, [
      'consumer1',
      'consumer2',
      'consumer3',
    ]);
    // Now switch the member.id fields for each member info: the assignment stays the same.
    const second = check({ consumer4: 'instance1', consumer5: 'instance2', consumer1: 'instance3' }, [
      'consumer4',
      'consumer5',
      'consumer1',
    ]);
    expect(second).toEqual(first);
  });
});
