/**
 * `assignorFor`, the rebalance protocol choice (as Java's ConsumerCoordinator makes it, cf.
 * ConsumerCoordinatorTest / AssignorSelectionTest) and the leader's `performAssignment`.
 */
import { describe, expect, it } from 'vitest';
import {
  ASSIGNOR_NAMES,
  assignorFor,
  type ConsumerPartitionAssignor,
  CooperativeStickyAssignor,
  decodeAssignment,
  encodeSubscription,
  performAssignment,
  RangeAssignor,
  RebalanceProtocol,
  RoundRobinAssignor,
  rebalanceProtocolOf,
  StickyAssignor,
} from '../../src/assignors/index.js';
import { tp } from './helpers.js';

describe('assignorFor', () => {
  it('knows the four Java protocol names', () => {
    expect(ASSIGNOR_NAMES).toEqual(['range', 'roundrobin', 'sticky', 'cooperative-sticky']);
    expect(assignorFor('range')).toBeInstanceOf(RangeAssignor);
    expect(assignorFor('roundrobin')).toBeInstanceOf(RoundRobinAssignor);
    expect(assignorFor('sticky')).toBeInstanceOf(StickyAssignor);
    expect(assignorFor('cooperative-sticky')).toBeInstanceOf(CooperativeStickyAssignor);
    for (const name of ASSIGNOR_NAMES) expect(assignorFor(name).name).toBe(name);
  });

  it('gives each consumer its own sticky assignor (they keep state), and shares the stateless ones', () => {
    expect(assignorFor('sticky')).not.toBe(assignorFor('sticky'));
    expect(assignorFor('range')).toBe(assignorFor('range'));
  });

  it('accepts the Java class names of partition.assignment.strategy', () => {
    expect(assignorFor('org.apache.kafka.clients.consumer.CooperativeStickyAssignor').name).toBe(
      'cooperative-sticky',
    );
    expect(assignorFor('org.apache.kafka.clients.consumer.RoundRobinAssignor').name).toBe('roundrobin');
  });

  it('passes a user assignor through, and names the known ones for an unknown name', () => {
    const mine: ConsumerPartitionAssignor = { name: 'mine', assign: () => new Map() };
    expect(assignorFor(mine)).toBe(mine);
    expect(() => assignorFor('rnage')).toThrow(/unknown partition assignor 'rnage'.*range, roundrobin/);
  });
});

describe('rebalanceProtocolOf', () => {
  it('picks COOPERATIVE only when every assignor supports it', () => {
    expect(rebalanceProtocolOf([assignorFor('cooperative-sticky')])).toBe(RebalanceProtocol.COOPERATIVE);
    expect(rebalanceProtocolOf([assignorFor('cooperative-sticky'), assignorFor('range')])).toBe(
      RebalanceProtocol.EAGER,
    );
    expect(rebalanceProtocolOf([{ name: 'x', assign: () => new Map() }])).toBe(RebalanceProtocol.EAGER);
  });

  it('fails when the assignors share no protocol', () => {
    const coopOnly: ConsumerPartitionAssignor = {
      name: 'coop-only',
      supportedProtocols: [RebalanceProtocol.COOPERATIVE],
      assign: () => new Map(),
    };
    expect(() => rebalanceProtocolOf([coopOnly, assignorFor('range')])).toThrow(
      /no rebalance protocol in common/,
    );
  });
});

describe('performAssignment', () => {
  it('decodes every member (any subscription version), assigns, and encodes each assignment', () => {
    const members = [
      // a Java 3.5+ member (v3) and a librdkafka member (v1), both static
      {
        memberId: 'b',
        groupInstanceId: 'i1',
        metadata: encodeSubscription({ topics: ['t'], rackId: 'r' }, 3),
      },
      { memberId: 'a', groupInstanceId: 'i2', metadata: encodeSubscription({ topics: ['t'] }, 1) },
    ];
    const out = performAssignment(assignorFor('range'), new Map([['t', 3]]), members);
    // static members sort by group.instance.id: b (i1) first
    expect(decodeAssignment(out.get('b')!).partitions).toEqual([tp('t', 0), tp('t', 1)]);
    expect(decodeAssignment(out.get('a')!).partitions).toEqual([tp('t', 2)]);
    expect(out.get('a')!.readInt16BE(0)).toBe(3);
  });

  it('runs a user assignor the same way', () => {
    const everythingToFirst: ConsumerPartitionAssignor = {
      name: 'first',
      assign(ppt, subs) {
        const [first, ...rest] = [...subs.keys()].sort();
        const all = [...ppt].flatMap(([topic, n]) =>
          Array.from({ length: n }, (_, partition) => ({ topic, partition })),
        );
        return new Map([[first, all], ...rest.map((m) => [m, []] as [string, never[]])]);
      },
    };
    const members = ['x', 'y'].map((memberId) => ({
      memberId,
      groupInstanceId: null,
      metadata: encodeSubscription({ topics: ['t'] }),
    }));
    const out = performAssignment(everythingToFirst, new Map([['t', 2]]), members);
    expect(decodeAssignment(out.get('x')!).partitions).toEqual([tp('t', 0), tp('t', 1)]);
    expect(decodeAssignment(out.get('y')!).partitions).toEqual([]);
  });
});
