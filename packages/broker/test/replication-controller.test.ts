/**
 * The controller's replication decisions (ClusterMetadata), without brokers running: clean leader
 * election from the live ISR when a broker stops, offline partitions (leader -1) coming back with
 * an ISR member, ISR changes from the leader (AlterPartition) checked against its epoch, and the
 * controlled leader move of fault injection.
 */
import { ErrorCode } from '@tskafka/protocol';
import { describe, expect, it } from 'vitest';
import { parseBrokerConfig } from '../src/config.js';
import { ClusterMetadata, type MetadataChange } from '../src/metadata.js';

function cluster(brokers: number) {
  const md = new ClusterMetadata(parseBrokerConfig());
  for (let id = 1; id <= brokers; id++)
    md.registerBroker({ nodeId: id, host: 'localhost', port: 9000 + id, rack: null });
  const changes: MetadataChange['type'][] = [];
  md.onChange((c) => changes.push(c.type));
  return { md, changes };
}

describe('controller: elections and ISR', () => {
  it('a stopped leader hands over to the first live ISR member, with the epochs bumped', () => {
    const { md, changes } = cluster(3);
    md.createTopic('t', { numPartitions: 1, replicationFactor: 3, assignments: [[1, 2, 3]] });
    md.setBrokerAlive(1, false);
    expect(md.topics.get('t')?.partitions[0]).toMatchObject({
      leader: 2,
      leaderEpoch: 1,
      partitionEpoch: 1,
      isr: [2, 3],
    });
    // A follower that stops only leaves the ISR.
    md.setBrokerAlive(3, false);
    expect(md.topics.get('t')?.partitions[0]).toMatchObject({ leader: 2, leaderEpoch: 1, isr: [2] });
    expect(changes).toEqual(['topicCreated', 'leaderChanged', 'isrChanged']);
  });

  it('with no live ISR member the partition goes offline and comes back with its last ISR member', () => {
    const { md } = cluster(2);
    md.createTopic('t', { numPartitions: 1, replicationFactor: 2, assignments: [[1, 2]] });
    md.setBrokerAlive(2, false);
    md.setBrokerAlive(1, false);
    expect(md.topics.get('t')?.partitions[0]).toMatchObject({ leader: -1, isr: [1] });
    // Broker 2 was not in the ISR when the last member stopped: no unclean election.
    md.setBrokerAlive(2, true);
    expect(md.topics.get('t')?.partitions[0].leader).toBe(-1);
    md.registerBroker({ nodeId: 1, host: 'localhost', port: 9001, rack: null });
    expect(md.topics.get('t')?.partitions[0]).toMatchObject({ leader: 1, isr: [1] });
  });

  it('applies ISR changes only from the current leader in its epoch, never adding a dead broker', () => {
    const { md } = cluster(3);
    md.createTopic('t', { numPartitions: 1, replicationFactor: 3, assignments: [[1, 2, 3]] });
    expect(md.alterIsr('t', 0, 1, 0, [1, 2])).toBe(true);
    expect(md.topics.get('t')?.partitions[0]).toMatchObject({ isr: [1, 2], partitionEpoch: 1 });
    expect(md.alterIsr('t', 0, 2, 0, [1, 2, 3])).toBe(false); // not the leader
    expect(md.alterIsr('t', 0, 1, 7, [1, 2, 3])).toBe(false); // stale epoch
    expect(md.alterIsr('t', 0, 1, 0, [2, 3])).toBe(false); // without the leader
    md.setBrokerAlive(3, false);
    expect(md.alterIsr('t', 0, 1, 0, [1, 2, 3])).toBe(false); // broker 3 is down
    expect(
      md.alterIsr(
        't',
        0,
        1,
        0,
        [3, 1, 2].filter((r) => r !== 3),
      ),
    ).toBe(true);
  });

  it('moves a leader to a live in-sync replica only', () => {
    const { md } = cluster(3);
    md.createTopic('t', { numPartitions: 1, replicationFactor: 3, assignments: [[1, 2, 3]] });
    md.electLeader('t', 0, 3);
    expect(md.topics.get('t')?.partitions[0]).toMatchObject({ leader: 3, leaderEpoch: 1, isr: [1, 2, 3] });
    md.alterIsr('t', 0, 3, 1, [1, 3]);
    expect(() => md.electLeader('t', 0, 2)).toThrow(
      expect.objectContaining({ code: ErrorCode.ELIGIBLE_LEADERS_NOT_AVAILABLE }),
    );
  });
});
