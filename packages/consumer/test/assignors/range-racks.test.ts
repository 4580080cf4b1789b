/*
 * Ported from Apache Kafka's RangeAssignorTest (clients/src/test/java/org/apache/kafka/clients/
 * consumer/RangeAssignorTest.java, trunk at 1763e549c98f, the KIP-881 rack-aware version),
 * Copyright the Apache Software Foundation, licensed under the Apache License, Version 2.0
 * (http://www.apache.org/licenses/LICENSE-2.0). Test names are Kafka's. Also the rack decision
 * shared by every rack-aware assignor, AbstractPartitionAssignorTest.testUseRackAwareAssignment.
 */
/**
 * The rack-aware scenarios of RangeAssignorTest (the rest are in range.test.ts): members
 * `consumer0..` on racks, partitions with replicas on a subset of racks; the assignments are
 * Kafka's, as is the number of partitions left off their member's rack.
 */
import { describe, expect, it } from 'vitest';
import { RangeAssignor } from '../../src/assignors/index.js';
import { useRackAwareAssignment } from '../../src/assignors/sticky-support.js';
import { ALL_RACKS, nullRacks, racks, verifyRackAssignment } from './helpers.js';

describe('useRackAwareAssignment (AbstractPartitionAssignorTest)', () => {
  it('testUseRackAwareAssignment', () => {
    const rackList = ['a', 'b', 'c'];
    const allRacks = new Set(rackList);
    const twoRacks = new Set(['a', 'b']);
    const none = new Set<string>();
    const partitionsOnAllRacks = new Map<string, Set<string>>();
    const partitionsOnSubsetOfRacks = new Map<string, Set<string>>();
    for (let i = 0; i < 10; i++) {
      partitionsOnAllRacks.set(`${i}:topic`, allRacks);
      partitionsOnSubsetOfRacks.set(`${i}:topic`, new Set([rackList[i % rackList.length]]));
    }
    const use = (
      consumerRacks: Set<string>,
      partitionRacks: Set<string>,
      racksPerPartition: Map<string, Set<string>>,
      prefer: boolean,
    ) => useRackAwareAssignment(consumerRacks, partitionRacks, racksPerPartition, prefer);
    for (const prefer of [false, true]) {
      expect(use(none, none, partitionsOnAllRacks, prefer)).toBe(false);
      expect(use(none, allRacks, partitionsOnAllRacks, prefer)).toBe(false);
      expect(use(allRacks, none, new Map(), prefer)).toBe(false);
      expect(use(new Set(['d']), allRacks, partitionsOnAllRacks, prefer)).toBe(false);
      // Every partition on every rack: racks only matter when preferred.
      expect(use(allRacks, allRacks, partitionsOnAllRacks, prefer)).toBe(prefer);
      expect(use(twoRacks, allRacks, partitionsOnAllRacks, prefer)).toBe(prefer);
      expect(use(allRacks, allRacks, partitionsOnSubsetOfRacks, prefer)).toBe(true);
      expect(use(twoRacks, allRacks, partitionsOnSubsetOfRacks, prefer)).toBe(true);
    }
    expect(use(new Set(['a', 'd']), allRacks, partitionsOnAllRacks, false)).toBe(false);
    expect(use(new Set(['a', 'd']), allRacks, partitionsOnSubsetOfRacks, false)).toBe(true);
  });
});

describe('RangeAssignor (RangeAssignorTest, rack-aware)', () => {
  /** Java's `verifyRackAssignment` for the range assignor (no owned partitions). */
  const verify = (
    assignor: RangeAssignor,
    topics: Map<string, number>,
    replicationFactor: number,
    brokerRacks: (string | null)[],
    consumerRacks: (string | null)[],
    consumerTopics: string[][],
    expected: string[],
    numPartitionsWithRackMismatch: number,
  ) =>
    verifyRackAssignment(
      assignor,
      topics,
      replicationFactor,
      brokerRacks,
      consumerRacks,
      consumerTopics,
      null,
      expected,
      numPartitionsWithRackMismatch,
    );

  /** Java's `verifyNonRackAwareAssignment`: the combinations where rack-aware logic is not used. */
  const verifyNonRackAwareAssignment = (
    assignor: RangeAssignor,
    topics: Map<string, number>,
    consumerTopics: string[][],
    expected: string[],
  ) => {
    verify(assignor, topics, 3, nullRacks(3), racks(3), consumerTopics, expected, -1);
    verify(assignor, topics, 3, racks(3), nullRacks(3), consumerTopics, expected, -1);
    verify(assignor, topics, 3, racks(3), racks(3), consumerTopics, expected, 0);
    verify(assignor, topics, 4, racks(4), racks(3), consumerTopics, expected, 0);
    verify(assignor, topics, 3, racks(3), ['d', 'e', 'f'], consumerTopics, expected, -1);
    verify(assignor, topics, 3, racks(3), [null, 'e', 'f'], consumerTopics, expected, -1);
    assignor.preferRackAwareLogic = true;
    verify(assignor, topics, 3, racks(3), racks(3), consumerTopics, expected, 0);
    assignor.preferRackAwareLogic = false;
  };

  const allTopics = ['t1', 't2', 't3'];

  it('testRackAwareAssignmentWithUniformSubscription', () => {
    const assignor = new RangeAssignor();
    const topics = new Map([
      ['t1', 6],
      ['t2', 7],
      ['t3', 2],
    ]);
    const consumerTopics = [allTopics, allTopics, allTopics];
    verifyNonRackAwareAssignment(assignor, topics, consumerTopics, [
      't1-0, t1-1, t2-0, t2-1, t2-2, t3-0',
      't1-2, t1-3, t2-3, t2-4, t3-1',
      't1-4, t1-5, t2-5, t2-6',
    ]);
    // Best-effort rack-aware assignment for lower replication factors, where racks have a subset
    // of the partitions.
    verify(
      assignor,
      topics,
      1,
      racks(3),
      racks(3),
      consumerTopics,
      ['t1-0, t1-3, t2-0, t2-3, t2-6', 't1-1, t1-4, t2-1, t2-4, t3-0', 't1-2, t1-5, t2-2, t2-5, t3-1'],
      0,
    );
    verify(
      assignor,
      topics,
      2,
      racks(3),
      racks(3),
      consumerTopics,
      ['t1-0, t1-2, t2-0, t2-2, t2-3, t3-1', 't1-1, t1-3, t2-1, t2-4, t3-0', 't1-4, t1-5, t2-5, t2-6'],
      1,
    );
    // One consumer on a rack with no partitions.
    verify(
      assignor,
      topics,
      3,
      racks(2),
      racks(3),
      consumerTopics,
      ['t1-0, t1-1, t2-0, t2-1, t2-2, t3-0', 't1-2, t1-3, t2-3, t2-4, t3-1', 't1-4, t1-5, t2-5, t2-6'],
      4,
    );
  });

  it('testRackAwareAssignmentWithNonEqualSubscription', () => {
    const assignor = new RangeAssignor();
    const topics = new Map([
      ['t1', 6],
      ['t2', 7],
      ['t3', 2],
    ]);
    const consumerTopics = [allTopics, allTopics, ['t1', 't3']];
    verifyNonRackAwareAssignment(assignor, topics, consumerTopics, [
      't1-0, t1-1, t2-0, t2-1, t2-2, t2-3, t3-0',
      't1-2, t1-3, t2-4, t2-5, t2-6, t3-1',
      't1-4, t1-5',
    ]);
    verify(
      assignor,
      topics,
      1,
      racks(3),
      racks(3),
      consumerTopics,
      ['t1-0, t1-3, t2-0, t2-2, t2-3, t2-6', 't1-1, t1-4, t2-1, t2-4, t2-5, t3-0', 't1-2, t1-5, t3-1'],
      2,
    );
    verify(
      assignor,
      topics,
      2,
      racks(3),
      racks(3),
      consumerTopics,
      ['t1-0, t1-2, t2-0, t2-2, t2-3, t2-5, t3-1', 't1-1, t1-3, t2-1, t2-4, t2-6, t3-0', 't1-4, t1-5'],
      0,
    );
    // One consumer on a rack with no partitions.
    verify(
      assignor,
      topics,
      3,
      racks(2),
      racks(3),
      consumerTopics,
      ['t1-0, t1-1, t2-0, t2-1, t2-2, t2-3, t3-0', 't1-2, t1-3, t2-4, t2-5, t2-6, t3-1', 't1-4, t1-5'],
      2,
    );
  });

  it('testRackAwareAssignmentWithUniformPartitions', () => {
    const assignor = new RangeAssignor();
    const topics = new Map([
      ['t1', 5],
      ['t2', 5],
      ['t3', 5],
    ]);
    const consumerTopics = [allTopics, allTopics, allTopics];
    const nonRackAware = [
      't1-0, t1-1, t2-0, t2-1, t3-0, t3-1',
      't1-2, t1-3, t2-2, t2-3, t3-2, t3-3',
      't1-4, t2-4, t3-4',
    ];
    verifyNonRackAwareAssignment(assignor, topics, consumerTopics, nonRackAware);
    // Co-partitioning is prioritized over rack alignment.
    verify(assignor, topics, 1, racks(3), racks(3), consumerTopics, nonRackAware, 10);
    verify(assignor, topics, 2, racks(3), racks(3), consumerTopics, nonRackAware, 5);
    verify(assignor, topics, 3, racks(2), racks(3), consumerTopics, nonRackAware, 3);
  });

  it('testRackAwareAssignmentWithUniformPartitionsNonEqualSubscription', () => {
    const assignor = new RangeAssignor();
    const topics = new Map([
      ['t1', 5],
      ['t2', 5],
      ['t3', 5],
    ]);
    const consumerTopics = [allTopics, allTopics, ['t1', 't3']];
    verifyNonRackAwareAssignment(assignor, topics, consumerTopics, [
      't1-0, t1-1, t2-0, t2-1, t2-2, t3-0, t3-1',
      't1-2, t1-3, t2-3, t2-4, t3-2, t3-3',
      't1-4, t3-4',
    ]);
    // Co-partitioning is prioritized over rack alignment for topics with equal subscriptions.
    verify(
      assignor,
      topics,
      1,
      racks(3),
      racks(3),
      consumerTopics,
      ['t1-0, t1-1, t2-0, t2-1, t2-4, t3-0, t3-1', 't1-2, t1-3, t2-2, t2-3, t3-2, t3-3', 't1-4, t3-4'],
      9,
    );
    verify(
      assignor,
      topics,
      2,
      racks(3),
      racks(3),
      consumerTopics,
      ['t1-2, t2-0, t2-1, t2-3, t3-2', 't1-0, t1-3, t2-2, t2-4, t3-0, t3-3', 't1-1, t1-4, t3-1, t3-4'],
      0,
    );
    // One consumer on a rack with no partitions.
    verify(
      assignor,
      topics,
      3,
      racks(2),
      racks(3),
      consumerTopics,
      ['t1-0, t1-1, t2-0, t2-1, t2-2, t3-0, t3-1', 't1-2, t1-3, t2-3, t2-4, t3-2, t3-3', 't1-4, t3-4'],
      2,
    );
  });

  it('testRackAwareAssignmentWithCoPartitioning', () => {
    const assignor = new RangeAssignor();
    const topics = new Map([
      ['t1', 6],
      ['t2', 6],
      ['t3', 2],
      ['t4', 2],
    ]);
    let consumerTopics = [
      ['t1', 't2'],
      ['t1', 't2'],
      ['t3', 't4'],
      ['t3', 't4'],
    ];
    const consumerRacks = [ALL_RACKS[0], ALL_RACKS[1], ALL_RACKS[1], ALL_RACKS[0]];
    let nonRackAware = [
      't1-0, t1-1, t1-2, t2-0, t2-1, t2-2',
      't1-3, t1-4, t1-5, t2-3, t2-4, t2-5',
      't3-0, t4-0',
      't3-1, t4-1',
    ];
    verify(assignor, topics, 3, racks(2), consumerRacks, consumerTopics, nonRackAware, -1);
    verify(assignor, topics, 3, racks(2), consumerRacks, consumerTopics, nonRackAware, -1);
    verify(assignor, topics, 2, racks(2), consumerRacks, consumerTopics, nonRackAware, 0);
    verify(
      assignor,
      topics,
      1,
      racks(2),
      consumerRacks,
      consumerTopics,
      [
        't1-0, t1-2, t1-4, t2-0, t2-2, t2-4',
        't1-1, t1-3, t1-5, t2-1, t2-3, t2-5',
        't3-1, t4-1',
        't3-0, t4-0',
      ],
      0,
    );

    const all = ['t1', 't2', 't3', 't4'];
    consumerTopics = [all, all, all, all];
    nonRackAware = [
      't1-0, t1-1, t2-0, t2-1, t3-0, t4-0',
      't1-2, t1-3, t2-2, t2-3, t3-1, t4-1',
      't1-4, t2-4',
      't1-5, t2-5',
    ];
    verify(assignor, topics, 3, racks(2), consumerRacks, consumerTopics, nonRackAware, -1);
    verify(assignor, topics, 3, racks(2), consumerRacks, consumerTopics, nonRackAware, -1);
    verify(assignor, topics, 2, racks(2), consumerRacks, consumerTopics, nonRackAware, 0);
    verify(
      assignor,
      topics,
      1,
      racks(2),
      consumerRacks,
      consumerTopics,
      [
        't1-0, t1-2, t2-0, t2-2, t3-0, t4-0',
        't1-1, t1-3, t2-1, t2-3, t3-1, t4-1',
        't1-5, t2-5',
        't1-4, t2-4',
      ],
      0,
    );
    verify(
      assignor,
      topics,
      1,
      racks(3),
      consumerRacks,
      consumerTopics,
      [
        't1-0, t1-3, t2-0, t2-3, t3-0, t4-0',
        't1-1, t1-4, t2-1, t2-4, t3-1, t4-1',
        't1-2, t2-2',
        't1-5, t2-5',
      ],
      6,
    );
  });

  it('testCoPartitionedAssignmentWithSameSubscription', () => {
    const assignor = new RangeAssignor();
    const topics = new Map([
      ['t1', 6],
      ['t2', 6],
      ['t3', 2],
      ['t4', 2],
      ['t5', 4],
      ['t6', 4],
    ]);
    const topicList = ['t1', 't2', 't3', 't4', 't5', 't6', 't7', 't8', 't9'];
    const consumerTopics = [topicList, topicList, topicList];
    const consumerRacks = [ALL_RACKS[0], ALL_RACKS[1], ALL_RACKS[2]];
    const nonRackAware = [
      't1-0, t1-1, t2-0, t2-1, t3-0, t4-0, t5-0, t5-1, t6-0, t6-1',
      't1-2, t1-3, t2-2, t2-3, t3-1, t4-1, t5-2, t6-2',
      't1-4, t1-5, t2-4, t2-5, t5-3, t6-3',
    ];
    verify(assignor, topics, 3, nullRacks(3), consumerRacks, consumerTopics, nonRackAware, -1);
    assignor.preferRackAwareLogic = true;
    verify(assignor, topics, 3, racks(3), consumerRacks, consumerTopics, nonRackAware, 0);
    verify(
      assignor,
      topics,
      2,
      racks(3),
      consumerRacks,
      consumerTopics,
      [
        't1-0, t1-2, t2-0, t2-2, t3-0, t4-0, t5-1, t6-1',
        't1-1, t1-3, t2-1, t2-3, t3-1, t4-1, t5-2, t6-2',
        't1-4, t1-5, t2-4, t2-5, t5-0, t5-3, t6-0, t6-3',
      ],
      0,
    );
  });
});
