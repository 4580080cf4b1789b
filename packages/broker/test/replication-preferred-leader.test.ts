/**
 * The controller's preferred leader election (ClusterMetadata), without brokers running: the
 * per-partition PREFERRED election with the codes Kafka's ElectLeaders answers, and one pass of
 * the automatic rebalance as Kafka's `checkAndTriggerAutoLeaderRebalance` decides it (per broker
 * imbalance ratio against `leader.imbalance.per.broker.percentage`).
 */
import { ErrorCode } from '@tskafka/protocol';
import { describe, expect, it } from 'vitest';
import { parseBrokerConfig } from '../src/config.js';
import { ClusterMetadata, type MetadataChange } from '../src/metadata.js';

function cluster(brokers: number, config: Record<string, number> = {}) {
  const md = new ClusterMetadata(parseBrokerConfig(config));
  for (let id = 1; id <= brokers; id++)
    md.registerBroker({ nodeId: id, host: 'localhost', port: 9000 + id, rack: null });
  const changes: MetadataChange['type'][] = [];
  md.onChange((c) => changes.push(c.type));
  return { md, changes };
}

describe('controller: preferred leader election', () => {
  it('parses the rebalance settings with Kafka defaults', () => {
    expect(parseBrokerConfig()).toMatchObject({
      autoLeaderRebalanceEnable: true,
      leaderImbalanceCheckIntervalMs: 300_000,
      leaderImbalancePerBrokerPercentage: 10,
    });
    expect(
      parseBrokerConfig({
        'auto.leader.rebalance.enable': 'false',
        'leader.imbalance.check.interval.seconds': 2,
      }),
    ).toMatchObject({ autoLeaderRebalanceEnable: false, leaderImbalanceCheckIntervalMs: 2000 });
    expect(() => parseBrokerConfig({ 'leader.imbalance.check.interval.seconds': 0 })).toThrow(/at least 1/);
    expect(() => parseBrokerConfig({ 'leader.imbalance.per.broker.percentage': 101 })).toThrow(/between/);
  });

  it('elects the preferred replica once it is back in the ISR, bumping the leader epoch', () => {
    const { md } = cluster(3);
    md.createTopic('t', { numPartitions: 1, replicationFactor: 3, assignments: [[1, 2, 3]] });
    md.setBrokerAlive(1, false);
    expect(() => md.electPreferredLeader('t', 0)).toThrow(
      expect.objectContaining({ code: ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE }),
    );
    // Back, but not yet caught up: still not eligible.
    md.setBrokerAlive(1, true);
    expect(() => md.electPreferredLeader('t', 0)).toThrow(
      expect.objectContaining({ code: ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE }),
    );
    expect(md.alterIsr('t', 0, 2, 1, [1, 2, 3])).toBe(true);
    expect(md.electPreferredLeader('t', 0)).toMatchObject({ leader: 1, leaderEpoch: 2 });
    expect(() => md.electPreferredLeader('t', 0)).toThrow(
      expect.objectContaining({ code: ErrorCode.ELECTION_NOT_NEEDED }),
    );
    expect(() => md.electPreferredLeader('t', 5)).toThrow(
      expect.objectContaining({ code: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION }),
    );
  });

  it('rebalances a broker whose imbalance ratio exceeds the percentage, and only eligible partitions', () => {
    const { md, changes } = cluster(3);
    md.createTopic('t', {
      numPartitions: 3,
      replicationFactor: 3,
      assignments: [
        [1, 2, 3],
        [1, 3, 2],
        [2, 3, 1],
      ],
    });
    md.setBrokerAlive(1, false);
    md.setBrokerAlive(1, true);
    // Nothing eligible yet: broker 1 is out of every ISR.
    expect(md.checkAndTriggerAutoLeaderRebalance()).toEqual([]);
    md.alterIsr('t', 0, 2, 1, [1, 2, 3]);
    changes.length = 0;
    expect(md.checkAndTriggerAutoLeaderRebalance()).toEqual([{ topic: 't', partition: 0 }]);
    expect(changes).toEqual(['leaderChanged']);
    const [p0, p1, p2] = md.topics.get('t')?.partitions ?? [];
    expect(p0).toMatchObject({ leader: 1, leaderEpoch: 2 });
    expect(p1.leader).toBe(3);
    expect(p2).toMatchObject({ leader: 2, leaderEpoch: 0 });
  });

  it('leaves a broker alone while its imbalance is within the percentage', () => {
    const { md } = cluster(2, { 'leader.imbalance.per.broker.percentage': 50 });
    md.createTopic('t', {
      numPartitions: 2,
      replicationFactor: 2,
      assignments: [
        [1, 2],
        [1, 2],
      ],
    });
    md.electLeader('t', 0, 2);
    // 1 of 2 partitions preferring broker 1 led elsewhere: 50% is not above 50%.
    expect(md.checkAndTriggerAutoLeaderRebalance()).toEqual([]);
    md.electLeader('t', 1, 2);
    expect(md.checkAndTriggerAutoLeaderRebalance()).toEqual([
      { topic: 't', partition: 0 },
      { topic: 't', partition: 1 },
    ]);
    expect(md.topics.get('t')?.partitions.map((p) => p.leader)).toEqual([1, 1]);
  });
});
