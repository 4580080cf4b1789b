/*
 * Ported from Apache Kafka's RangeAssignorTest (clients/src/test/java/org/apache/kafka/clients/
 * consumer/RangeAssignorTest.java, trunk at 1763e549c98f, the KIP-881 rack-aware version),
 * Copyright the Apache Software Foundation, licensed under the Apache License, Version 2.0
 * (http://www.apache.org/licenses/LICENSE-2.0). Test names are Kafka's; with range-racks.test.ts
 * every @Test and @ParameterizedTest is here, the parameterized ones run under each RackConfig
 * (or with and without consumer racks) as in Kafka.
 */
/**
 * Java compares most assignments with `assertAssignment`, which ignores order; so do we. As Java's
 * `initializeRacks`, each test puts partitions' replicas on racks (unless NO_BROKER_RACK), members
 * on racks (unless NO_CONSUMER_RACK) and turns `preferRackAwareLogic` on: racks and members are
 * laid out so that the expected assignment is the same under every config.
 */
import { describe, expect, it } from 'vitest';
import {
  type PartitionInfo,
  RangeAssignor,
  range,
  type Subscription,
  type TopicPartition,
} from '../../src/assignors/index.js';
import { ALL_RACKS, asSet, partitionInfosOnRacks, RACK_CONFIGS, type RackConfig, tp } from './helpers.js';

const topic1 = 'topic1';
const topic2 = 'topic2';
const [consumer1, consumer2, consumer3] = ['consumer1', 'consumer2', 'consumer3'];
const [instance1, instance2, instance3] = ['instance1', 'instance2', 'instance3'];

const expectAssignment = (actual: TopicPartition[] | undefined, expected: TopicPartition[]) =>
  expect(asSet(actual)).toEqual(asSet(expected));

/** The per-test state of Java's RangeAssignorTest (JUnit makes one instance per test). */
class Fixture {
  readonly assignor = new RangeAssignor();
  private numBrokerRacks = 0;
  private hasConsumerRack = false;
  private replicationFactor = 3;

  constructor(rackConfig: RackConfig, maxConsumers = 3) {
    this.replicationFactor = maxConsumers;
    this.numBrokerRacks = rackConfig !== 'NO_BROKER_RACK' ? maxConsumers : 0;
    this.hasConsumerRack = rackConfig !== 'NO_CONSUMER_RACK';
    // Rack and consumer ordering are the same in all the tests, so the rack-aware logic is
    // checked by the same expectations.
    this.assignor.preferRackAwareLogic = true;
  }

  partitionInfos(topic: string, n: number): PartitionInfo[] {
    return partitionInfosOnRacks(topic, n, this.replicationFactor, this.numBrokerRacks, 0);
  }

  twoTopics(n1: number, n2: number): Map<string, PartitionInfo[]> {
    return new Map([
      [topic1, this.partitionInfos(topic1, n1)],
      [topic2, this.partitionInfos(topic2, n2)],
    ]);
  }

  subscription(topics: string[], consumerIndex: number, groupInstanceId?: string): Subscription {
    const numRacks = this.numBrokerRacks > 0 ? this.numBrokerRacks : ALL_RACKS.length;
    const rackId = this.hasConsumerRack ? ALL_RACKS[consumerIndex % numRacks] : null;
    return { topics, userData: null, ownedPartitions: [], generationId: -1, rackId, groupInstanceId };
  }

  assign(partitionsPerTopic: Map<string, PartitionInfo[]>, consumers: Map<string, Subscription>) {
    return this.assignor.assignPartitions(partitionsPerTopic, consumers);
  }
}

/** Java's `checkStaticAssignment`: the assignment keyed by group.instance.id. */
function checkStaticAssignment(
  assignor: RangeAssignor,
  partitionsPerTopic: Map<string, PartitionInfo[]>,
  consumers: Map<string, Subscription>,
): Record<string, string[]> {
  const byMember = assignor.assignPartitions(partitionsPerTopic, consumers);
  const out: Record<string, string[]> = {};
  for (const [m, s] of consumers) if (s.groupInstanceId) out[s.groupInstanceId] = asSet(byMember.get(m));
  return out;
}

describe('RangeAssignor (RangeAssignorTest)', () => {
  it('is named range and eager', () => {
    expect(range.name).toBe('range');
    expect(new RangeAssignor().supportedProtocols).toEqual(['EAGER']);
  });

  describe.each([true, false])('hasConsumerRack = %s', (hasConsumerRack) => {
    const config: RackConfig = hasConsumerRack ? 'BROKER_AND_CONSUMER_RACK' : 'NO_CONSUMER_RACK';

    it('testOneConsumerNoTopic', () => {
      const f = new Fixture(config);
      const a = f.assign(new Map(), new Map([[consumer1, f.subscription([], 0)]]));
      expect([...a.keys()]).toEqual([consumer1]);
      expect(a.get(consumer1)).toEqual([]);
    });

    it('testOneConsumerNonexistentTopic', () => {
      const f = new Fixture(config);
      const a = f.assign(new Map(), new Map([[consumer1, f.subscription([topic1], 0)]]));
      expect([...a.keys()]).toEqual([consumer1]);
      expect(a.get(consumer1)).toEqual([]);
    });
  });

  describe.each(RACK_CONFIGS)('rackConfig = %s', (rackConfig) => {
    it('testOneConsumerOneTopic', () => {
      const f = new Fixture(rackConfig);
      const a = f.assign(
        new Map([[topic1, f.partitionInfos(topic1, 3)]]),
        new Map([[consumer1, f.subscription([topic1], 0)]]),
      );
      expect([...a.keys()]).toEqual([consumer1]);
      expectAssignment(a.get(consumer1), [tp(topic1, 0), tp(topic1, 1), tp(topic1, 2)]);
    });

    it('testOnlyAssignsPartitionsFromSubscribedTopics', () => {
      const f = new Fixture(rackConfig);
      const a = f.assign(
        new Map([
          [topic1, f.partitionInfos(topic1, 3)],
          ['other', f.partitionInfos('other', 3)],
        ]),
        new Map([[consumer1, f.subscription([topic1], 0)]]),
      );
      expect([...a.keys()]).toEqual([consumer1]);
      expectAssignment(a.get(consumer1), [tp(topic1, 0), tp(topic1, 1), tp(topic1, 2)]);
    });

    it('testOneConsumerMultipleTopics', () => {
      const f = new Fixture(rackConfig);
      const a = f.assign(f.twoTopics(1, 2), new Map([[consumer1, f.subscription([topic1, topic2], 0)]]));
      expect([...a.keys()]).toEqual([consumer1]);
      expectAssignment(a.get(consumer1), [tp(topic1, 0), tp(topic2, 0), tp(topic2, 1)]);
    });

    it('testTwoConsumersOneTopicOnePartition', () => {
      const f = new Fixture(rackConfig);
      const a = f.assign(
        new Map([[topic1, f.partitionInfos(topic1, 1)]]),
        new Map([
          [consumer1, f.subscription([topic1], 0)],
          [consumer2, f.subscription([topic1], 1)],
        ]),
      );
      expectAssignment(a.get(consumer1), [tp(topic1, 0)]);
      expectAssignment(a.get(consumer2), []);
    });

    it('testTwoConsumersOneTopicTwoPartitions', () => {
      const f = new Fixture(rackConfig);
      const a = f.assign(
        new Map([[topic1, f.partitionInfos(topic1, 2)]]),
        new Map([
          [consumer1, f.subscription([topic1], 0)],
          [consumer2, f.subscription([topic1], 1)],
        ]),
      );
      expectAssignment(a.get(consumer1), [tp(topic1, 0)]);
      expectAssignment(a.get(consumer2), [tp(topic1, 1)]);
    });

    it('testMultipleConsumersMixedTopics', () => {
      const f = new Fixture(rackConfig);
      const a = f.assign(
        f.twoTopics(3, 2),
        new Map([
          [consumer1, f.subscription([topic1], 0)],
          [consumer2, f.subscription([topic1, topic2], 1)],
          [consumer3, f.subscription([topic1], 2)],
        ]),
      );
      expectAssignment(a.get(consumer1), [tp(topic1, 0)]);
      expectAssignment(a.get(consumer2), [tp(topic1, 1), tp(topic2, 0), tp(topic2, 1)]);
      expectAssignment(a.get(consumer3), [tp(topic1, 2)]);
    });

    it('testTwoConsumersTwoTopicsSixPartitions', () => {
      const f = new Fixture(rackConfig);
      const a = f.assign(
        f.twoTopics(3, 3),
        new Map([
          [consumer1, f.subscription([topic1, topic2], 0)],
          [consumer2, f.subscription([topic1, topic2], 1)],
        ]),
      );
      expectAssignment(a.get(consumer1), [tp(topic1, 0), tp(topic1, 1), tp(topic2, 0), tp(topic2, 1)]);
      expectAssignment(a.get(consumer2), [tp(topic1, 2), tp(topic2, 2)]);
    });

    it('testTwoStaticConsumersTwoTopicsSixPartitions', () => {
      // Although consumer high has a higher rank than consumer low, the comparison happens on
      // instance id level.
      const f = new Fixture(rackConfig);
      const [low, high] = ['consumer-b', 'consumer-a'];
      const a = f.assign(
        f.twoTopics(3, 3),
        new Map([
          [low, f.subscription([topic1, topic2], 0, instance1)],
          [high, f.subscription([topic1, topic2], 1, instance2)],
        ]),
      );
      expectAssignment(a.get(low), [tp(topic1, 0), tp(topic1, 1), tp(topic2, 0), tp(topic2, 1)]);
      expectAssignment(a.get(high), [tp(topic1, 2), tp(topic2, 2)]);
    });

    it('testOneStaticConsumerAndOneDynamicConsumerTwoTopicsSixPartitions', () => {
      // Consumer low wins the comparison because it has an instance id while the other does not.
      const f = new Fixture(rackConfig);
      const [low, high] = ['consumer-b', 'consumer-a'];
      const a = f.assign(
        f.twoTopics(3, 3),
        new Map([
          [low, f.subscription([topic1, topic2], 0, instance1)],
          [high, f.subscription([topic1, topic2], 1)],
        ]),
      );
      expectAssignment(a.get(low), [tp(topic1, 0), tp(topic1, 1), tp(topic2, 0), tp(topic2, 1)]);
      expectAssignment(a.get(high), [tp(topic1, 2), tp(topic2, 2)]);
    });

    it('testStaticMemberRangeAssignmentPersistent', () => {
      const f = new Fixture(rackConfig, 5);
      const partitionsPerTopic = f.twoTopics(5, 4);
      const topics = [topic1, topic2];
      let index = 0;
      const consumers = new Map<string, Subscription>();
      for (const [m, i] of [
        [consumer1, instance1],
        [consumer2, instance2],
        [consumer3, instance3],
      ])
        consumers.set(m, f.subscription(topics, index++, i));
      // Consumer 4 is a dynamic member.
      consumers.set('consumer4', f.subscription(topics, index++));
      // The 3 static members keep their assignment across generations.
      const expected = new Map<string, TopicPartition[]>([
        [consumer1, [tp(topic1, 0), tp(topic1, 1), tp(topic2, 0)]],
        [consumer2, [tp(topic1, 2), tp(topic2, 1)]],
        [consumer3, [tp(topic1, 3), tp(topic2, 2)]],
        ['consumer4', [tp(topic1, 4), tp(topic2, 3)]],
      ]);
      const bySets = (m: Map<string, TopicPartition[]>) =>
        Object.fromEntries([...m].map(([k, v]) => [k, asSet(v)]));
      expect(bySets(f.assign(partitionsPerTopic, consumers))).toEqual(bySets(expected));

      // Replace dynamic member 4 with a new dynamic member 5.
      consumers.delete('consumer4');
      consumers.set('consumer5', f.subscription(topics, index++));
      expected.delete('consumer4');
      expected.set('consumer5', [tp(topic1, 4), tp(topic2, 3)]);
      expect(bySets(f.assign(partitionsPerTopic, consumers))).toEqual(bySets(expected));
    });

    it('testStaticMemberRangeAssignmentPersistentAfterMemberIdChanges', () => {
      const f = new Fixture(rackConfig);
      const partitionsPerTopic = f.twoTopics(5, 5);
      const topics = [topic1, topic2];
      const consumers = new Map<string, Subscription>([
        [consumer1, f.subscription(topics, 0, instance1)],
        [consumer2, f.subscription(topics, 1, instance2)],
        [consumer3, f.subscription(topics, 2, instance3)],
      ]);
      const staticAssignment = checkStaticAssignment(f.assignor, partitionsPerTopic, consumers);
      expect(staticAssignment).toEqual({
        instance1: asSet([tp(topic1, 0), tp(topic1, 1), tp(topic2, 0), tp(topic2, 1)]),
        instance2: asSet([tp(topic1, 2), tp(topic1, 3), tp(topic2, 2), tp(topic2, 3)]),
        instance3: asSet([tp(topic1, 4), tp(topic2, 4)]),
      });
      // Now switch the member.id fields for each member info: the assignment stays the same.
      consumers.set('consumer4', consumers.get(consumer3)!);
      consumers.delete(consumer3);
      consumers.set('consumer5', consumers.get(consumer2)!);
      consumers.delete(consumer2);
      expect(checkStaticAssignment(f.assignor, partitionsPerTopic, consumers)).toEqual(staticAssignment);
    });
  });

  it('testRackAwareStaticMemberRangeAssignmentPersistentAfterMemberIdChanges', () => {
    const f = new Fixture('BROKER_AND_CONSUMER_RACK');
    const partitionsPerTopic = new Map([
      [topic1, partitionInfosOnRacks(topic1, 5, 2, 3, 0)],
      [topic2, partitionInfosOnRacks(topic2, 5, 2, 3, 0)],
    ]);
    const topics = [topic1, topic2];
    // Members on racks a, b, c (ALL_RACKS[consumerIndex]).
    const consumers = new Map<string, Subscription>([
      [consumer1, f.subscription(topics, 0, instance1)],
      [consumer2, f.subscription(topics, 1, instance2)],
      [consumer3, f.subscription(topics, 2, instance3)],
    ]);
    const staticAssignment = checkStaticAssignment(f.assignor, partitionsPerTopic, consumers);
    expect(staticAssignment).toEqual({
      instance1: asSet([tp(topic1, 0), tp(topic1, 2), tp(topic2, 0), tp(topic2, 2)]),
      instance2: asSet([tp(topic1, 1), tp(topic1, 3), tp(topic2, 1), tp(topic2, 3)]),
      instance3: asSet([tp(topic1, 4), tp(topic2, 4)]),
    });
    consumers.set('consumer4', consumers.get(consumer3)!);
    consumers.delete(consumer3);
    consumers.set('consumer5', consumers.get(consumer2)!);
    consumers.delete(consumer2);
    expect(checkStaticAssignment(f.assignor, partitionsPerTopic, consumers)).toEqual(staticAssignment);
  });
});
