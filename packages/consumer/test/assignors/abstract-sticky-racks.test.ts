/*
 * Ported from Apache Kafka's AbstractStickyAssignorTest (clients/src/test/java/org/apache/kafka/
 * clients/consumer/internals/AbstractStickyAssignorTest.java, trunk), Copyright the Apache Software
 * Foundation, licensed under the Apache License, Version 2.0
 * (http://www.apache.org/licenses/LICENSE-2.0). Test names are Kafka's.
 */
/**
 * The rack-aware scenarios of AbstractStickyAssignorTest, for `sticky` and `cooperative-sticky`:
 * members on racks a/b/c, partitions whose replicas sit on a subset of racks; the assignments are
 * Kafka's, as is the number of partitions left off their member's rack.
 */
import { describe, it } from 'vitest';
import {
  type AbstractStickyAssignor,
  CooperativeStickyAssignor,
  StickyAssignor,
} from '../../src/assignors/index.js';
import { nullRacks, racks, verifyRackAssignment } from './helpers.js';

const ASSIGNORS: [string, () => AbstractStickyAssignor][] = [
  ['sticky', () => new StickyAssignor()],
  ['cooperative-sticky', () => new CooperativeStickyAssignor()],
];

const topics = new Map([
  ['t1', 6],
  ['t2', 7],
  ['t3', 2],
]);
const allTopics = ['t1', 't2', 't3'];

describe.each(ASSIGNORS)('%s (AbstractStickyAssignorTest, rack-aware)', (name, create) => {
  const isSticky = name === 'sticky';

  it('testRackAwareAssignmentWithUniformSubscription', () => {
    const assignor = create();
    const consumerTopics = [allTopics, allTopics, allTopics];
    const verify = (
      rf: number,
      brokerRacks: (string | null)[],
      consumerRacks: (string | null)[],
      expected: string[],
      mismatch: number,
    ) => {
      verifyRackAssignment(
        assignor,
        topics,
        rf,
        brokerRacks,
        consumerRacks,
        consumerTopics,
        null,
        expected,
        mismatch,
      );
      verifyRackAssignment(
        assignor,
        topics,
        rf,
        brokerRacks,
        consumerRacks,
        consumerTopics,
        expected,
        expected,
        mismatch,
      );
    };
    const nonRackAware = [
      't1-0, t1-3, t2-0, t2-3, t2-6',
      't1-1, t1-4, t2-1, t2-4, t3-0',
      't1-2, t1-5, t2-2, t2-5, t3-1',
    ];
    verify(3, nullRacks(3), racks(3), nonRackAware, -1);
    verify(3, racks(3), nullRacks(3), nonRackAware, -1);
    assignor.preferRackAwareLogic = true;
    verify(3, racks(3), racks(3), nonRackAware, 0);
    verify(4, racks(4), racks(3), nonRackAware, 0);
    assignor.preferRackAwareLogic = false;
    verify(3, racks(3), racks(3), nonRackAware, 0);
    verify(3, racks(3), ['d', 'e', 'f'], nonRackAware, -1);
    verify(3, racks(3), [null, 'e', 'f'], nonRackAware, -1);

    // Rack-aligned for a lower replication factor, where brokers hold a subset of partitions.
    let assignment = [
      't1-0, t1-3, t2-0, t2-3, t2-6',
      't1-1, t1-4, t2-1, t2-4, t3-0',
      't1-2, t1-5, t2-2, t2-5, t3-1',
    ];
    verify(1, racks(3), racks(3), assignment, 0);
    verify(2, racks(3), racks(3), assignment, 0);

    // One member on a rack with no partitions: it gets misaligned partitions, for balance.
    verify(3, racks(2), racks(3), assignment, 5);

    // Rack alignment improves when owned partitions are misaligned.
    assignment = [
      't1-0, t1-3, t2-0, t2-3, t2-6',
      't1-1, t1-4, t2-1, t2-4, t3-0',
      't1-2, t1-5, t2-2, t2-5, t3-1',
    ];
    const owned = [
      't1-0, t1-1, t1-2, t1-3, t1-4',
      't1-5, t2-0, t2-1, t2-2, t2-3',
      't2-4, t2-5, t2-6, t3-0, t3-1',
    ];
    if (isSticky) {
      verifyRackAssignment(assignor, topics, 1, racks(3), racks(3), consumerTopics, owned, assignment, 0);
    } else {
      // Since KAFKA-15170 an owned partition off its member's rack that goes to another member
      // changes owner, so the cooperative assignor withholds it for one rebalance: the members
      // keep only their same-rack partitions first, and get the rest in the follow-up.
      const intermediate = ['t1-0, t1-3', 't2-1', 't2-5, t3-1'];
      verifyRackAssignment(assignor, topics, 1, racks(3), racks(3), consumerTopics, owned, intermediate, 0);
      verifyRackAssignment(
        assignor,
        topics,
        1,
        racks(3),
        racks(3),
        consumerTopics,
        intermediate,
        assignment,
        0,
      );
    }

    // Stickiness holds when racks match.
    assignor.preferRackAwareLogic = true;
    verifyRackAssignment(assignor, topics, 3, racks(3), racks(3), consumerTopics, assignment, assignment, 0);
  });

  it('testRackAwareAssignmentWithNonEqualSubscription', () => {
    const assignor = create();
    const consumerTopics = [allTopics, allTopics, ['t1', 't3']];
    const verify = (
      rf: number,
      brokerRacks: (string | null)[],
      consumerRacks: (string | null)[],
      expected: string[],
      mismatch: number,
    ) => {
      verifyRackAssignment(
        assignor,
        topics,
        rf,
        brokerRacks,
        consumerRacks,
        consumerTopics,
        null,
        expected,
        mismatch,
      );
      verifyRackAssignment(
        assignor,
        topics,
        rf,
        brokerRacks,
        consumerRacks,
        consumerTopics,
        expected,
        expected,
        mismatch,
      );
    };
    const nonRackAware = [
      't1-5, t2-0, t2-2, t2-4, t2-6',
      't1-3, t2-1, t2-3, t2-5, t3-0',
      't1-0, t1-1, t1-2, t1-4, t3-1',
    ];
    verify(3, nullRacks(3), racks(3), nonRackAware, -1);
    verify(3, racks(3), nullRacks(3), nonRackAware, -1);
    assignor.preferRackAwareLogic = true;
    verify(3, racks(3), racks(3), nonRackAware, 0);
    verify(4, racks(4), racks(3), nonRackAware, 0);
    assignor.preferRackAwareLogic = false;
    verify(3, racks(3), racks(3), nonRackAware, 0);
    verify(3, racks(3), ['d', 'e', 'f'], nonRackAware, -1);
    verify(3, racks(3), [null, 'e', 'f'], nonRackAware, -1);

    // Rack alignment is best effort: with few rack choices, some partitions stay misaligned.
    let assignment = [
      't1-3, t2-0, t2-2, t2-3, t2-6',
      't1-4, t2-1, t2-4, t2-5, t3-0',
      't1-0, t1-1, t1-2, t1-5, t3-1',
    ];
    verify(1, racks(3), racks(3), assignment, 4);
    assignment = [
      't1-3, t2-0, t2-2, t2-5, t2-6',
      't1-0, t2-1, t2-3, t2-4, t3-0',
      't1-1, t1-2, t1-4, t1-5, t3-1',
    ];
    verify(2, racks(3), racks(3), assignment, 0);

    // One member on a rack with no partitions: it gets misaligned partitions, for balance.
    verify(
      3,
      racks(2),
      racks(3),
      ['t1-5, t2-0, t2-2, t2-4, t2-6', 't1-3, t2-1, t2-3, t2-5, t3-0', 't1-0, t1-1, t1-2, t1-4, t3-1'],
      5,
    );

    // Rack alignment is attempted, not guaranteed, when owned partitions are misaligned.
    const owned = [
      't1-0, t1-1, t1-2, t1-3, t1-4',
      't1-5, t2-0, t2-1, t2-2, t2-3',
      't2-4, t2-5, t2-6, t3-0, t3-1',
    ];
    if (isSticky) {
      assignment = [
        't1-3, t2-0, t2-2, t2-3, t2-6',
        't1-4, t2-1, t2-4, t2-5, t3-0',
        't1-0, t1-1, t1-2, t1-5, t3-1',
      ];
      verifyRackAssignment(assignor, topics, 1, racks(3), racks(3), consumerTopics, owned, assignment, 4);
    } else {
      const intermediate = ['t1-3', 't2-1', 't3-1'];
      verifyRackAssignment(assignor, topics, 1, racks(3), racks(3), consumerTopics, owned, intermediate, 0);
      assignment = [
        't1-3, t2-0, t2-2, t2-3, t2-6',
        't1-4, t2-1, t2-4, t2-5, t3-0',
        't1-0, t1-1, t1-2, t1-5, t3-1',
      ];
      verifyRackAssignment(
        assignor,
        topics,
        1,
        racks(3),
        racks(3),
        consumerTopics,
        intermediate,
        assignment,
        4,
      );
    }

    // The same result as without racks when all racks match.
    if (isSticky) {
      assignment = [
        't1-5, t2-0, t2-2, t2-4, t2-6',
        't1-3, t2-1, t2-3, t2-5, t3-0',
        't1-0, t1-1, t1-2, t1-4, t3-1',
      ];
      assignor.preferRackAwareLogic = false;
      verifyRackAssignment(assignor, topics, 3, racks(3), racks(3), consumerTopics, owned, assignment, 0);
      assignor.preferRackAwareLogic = true;
      verifyRackAssignment(assignor, topics, 3, racks(3), racks(3), consumerTopics, owned, assignment, 0);
    } else {
      assignment = [
        't1-2, t1-3, t1-4, t2-4, t2-5',
        't2-0, t2-1, t2-2, t2-3, t2-6',
        't1-0, t1-1, t1-5, t3-0, t3-1',
      ];
      const intermediate = ['t1-2, t1-3, t1-4', 't2-0, t2-1, t2-2, t2-3', 't3-0, t3-1'];
      assignor.preferRackAwareLogic = false;
      verifyRackAssignment(assignor, topics, 3, racks(3), racks(3), consumerTopics, owned, intermediate, 0);
      verifyRackAssignment(
        assignor,
        topics,
        3,
        racks(3),
        racks(3),
        consumerTopics,
        intermediate,
        assignment,
        0,
      );
      assignor.preferRackAwareLogic = true;
      verifyRackAssignment(assignor, topics, 3, racks(3), racks(3), consumerTopics, owned, intermediate, 0);
      verifyRackAssignment(
        assignor,
        topics,
        3,
        racks(3),
        racks(3),
        consumerTopics,
        intermediate,
        assignment,
        0,
      );
    }
  });
});
