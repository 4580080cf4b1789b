/**
 * CreatePartitions on the controller (ClusterMetadata), checked as Kafka's
 * ReplicationControlManager checks it: a manual assignment naming an unknown broker, a broker
 * twice, no broker, the wrong replica count or the wrong number of partitions is refused with
 * INVALID_REPLICA_ASSIGNMENT and the topic keeps its partitions, so no partition is left without
 * a leader for ever.
 */
import { ErrorCode } from '@tskafka/protocol';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../src/api-error.js';
import { parseBrokerConfig } from '../src/config.js';
import { ClusterMetadata } from '../src/metadata.js';

function cluster(brokers: number): ClusterMetadata {
  const md = new ClusterMetadata(parseBrokerConfig());
  for (let id = 1; id <= brokers; id++)
    md.registerBroker({ nodeId: id, host: 'localhost', port: 9000 + id, rack: null });
  md.createTopic('t', { numPartitions: 1, replicationFactor: 2, assignments: [[1, 2]] });
  return md;
}

/** The code and message of what `fn` throws. */
function refusal(fn: () => void): { code: number; message: string } {
  try {
    fn();
  } catch (e) {
    if (e instanceof ApiError) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error('expected an ApiError');
}

describe('CreatePartitions with a manual assignment', () => {
  it.each([
    ['an unknown broker', 2, [[1, 99]], /includes broker 99, but no such broker is registered/],
    ['a broker twice', 2, [[2, 2]], /includes the broker 2 more than once/],
    ['no broker', 2, [[]], /empty replica list/],
    ['fewer replicas than the topic has', 2, [[1]], /1 replica\(s\).*previous partitions, which have 2/],
    ['fewer assignments than new partitions', 3, [[1, 2]], /add 2 additional partition\(s\), but only 1/],
  ])(
    'refuses %s with INVALID_REPLICA_ASSIGNMENT and keeps the topic as it was',
    (_, count, assignments, text) => {
      const md = cluster(3);
      const r = refusal(() => md.createPartitions('t', count, assignments));
      expect(r.code).toBe(ErrorCode.INVALID_REPLICA_ASSIGNMENT);
      expect(r.message).toMatch(text);
      expect(md.topics.get('t')?.partitions).toHaveLength(1);
    },
  );

  it('refuses an assignment to registered brokers that are all stopped', () => {
    const md = cluster(3);
    md.setBrokerAlive(3, false);
    md.setBrokerAlive(2, false);
    const r = refusal(() => md.createPartitions('t', 2, [[2, 3]]));
    expect(r).toMatchObject({ code: ErrorCode.INVALID_REPLICA_ASSIGNMENT });
    expect(r.message).toMatch(/partition 1 are fenced/);
    expect(md.topics.get('t')?.partitions).toHaveLength(1);
  });

  it('accepts a valid assignment, leading from its first replica', () => {
    const md = cluster(3);
    md.createPartitions('t', 3, [
      [3, 1],
      [2, 3],
    ]);
    expect(md.topics.get('t')?.partitions.map((p) => [p.partition, p.leader, p.replicas])).toEqual([
      [0, 1, [1, 2]],
      [1, 3, [3, 1]],
      [2, 2, [2, 3]],
    ]);
  });
});
