/**
 * KafkaJS-style custom partition assigners (`({ cluster }) => ({ name, version, assign, protocol })`
 * with `AssignerProtocol`) run unchanged in `tskafka/kafkajs`: the same assignment as in KafkaJS,
 * and a group mixing a KafkaJS consumer and a `tskafka/kafkajs` consumer agrees on it.
 */

import { startBroker } from '@tskafka/broker';
import * as kafkajs from 'kafkajs';
import * as ours from 'tskafka/kafkajs';
import { describe, expect, it } from 'vitest';
import { both, type KafkaJSModule, until } from './harness.js';

/**
 * A custom assigner as KafkaJS's documentation writes one: every member says in its user data
 * whether it is a `primary`; primaries share the partitions round-robin, the others get none.
 */
function primaryAssigner(lib: KafkaJSModule, role: string): kafkajs.PartitionAssigner {
  const { AssignerProtocol } = lib;
  return ({ cluster }) => ({
    name: 'PrimaryAssigner',
    version: 1,
    async assign({ members, topics }) {
      const primaries = members
        .filter(
          (m) => AssignerProtocol.MemberMetadata.decode(m.memberMetadata)?.userData.toString() === 'primary',
        )
        .map((m) => m.memberId)
        .sort();
      const assignment: Record<string, Record<string, number[]>> = {};
      for (const m of members) assignment[m.memberId] = {};
      let i = 0;
      for (const topic of topics) {
        for (const { partitionId } of cluster.findTopicPartitionMetadata(topic)) {
          const to = assignment[primaries[i++ % primaries.length]];
          to[topic] = [...(to[topic] ?? []), partitionId];
        }
      }
      return members.map(({ memberId }) => ({
        memberId,
        memberAssignment: AssignerProtocol.MemberAssignment.encode({
          version: this.version,
          assignment: assignment[memberId],
          userData: Buffer.alloc(0),
        }),
      }));
    },
    protocol({ topics }) {
      return {
        name: this.name,
        metadata: AssignerProtocol.MemberMetadata.encode({
          version: this.version,
          topics,
          userData: Buffer.from(role),
        }),
      };
    },
  });
}

type Joined = Record<string, number[]>;

async function startMember(
  lib: KafkaJSModule,
  kafka: kafkajs.Kafka,
  role: string,
  topic: string,
): Promise<{ consumer: kafkajs.Consumer; assigned: () => Joined | null }> {
  const consumer = kafka.consumer({
    groupId: 'custom-assigner',
    partitionAssigners: [primaryAssigner(lib, role)],
    maxWaitTimeInMs: 100,
    heartbeatInterval: 200,
  });
  let assigned: Joined | null = null;
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    assigned = (payload as { memberAssignment: Joined }).memberAssignment;
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic] });
  await consumer.run({ eachMessage: async () => {} });
  return { consumer, assigned: () => assigned };
}

const partitionsOf = (j: Joined | null, topic: string) => [...(j?.[topic] ?? [])].sort();

describe('KafkaJS custom partition assigners', () => {
  it('AssignerProtocol writes and reads the bytes KafkaJS does', () => {
    const metadata = { version: 3, topics: ['a', 'bé'], userData: Buffer.from('xyz') };
    const assignment = { version: 1, assignment: { a: [0, 2], b: [1] }, userData: Buffer.from([7]) };
    const theirs = kafkajs.AssignerProtocol;
    const mine = ours.AssignerProtocol;
    expect(mine.MemberMetadata.encode(metadata)).toEqual(theirs.MemberMetadata.encode(metadata));
    expect(mine.MemberAssignment.encode(assignment)).toEqual(theirs.MemberAssignment.encode(assignment));
    expect(mine.MemberMetadata.decode(theirs.MemberMetadata.encode(metadata))).toEqual(metadata);
    expect(mine.MemberAssignment.decode(theirs.MemberAssignment.encode(assignment))).toEqual(assignment);
    expect(mine.MemberAssignment.decode(Buffer.alloc(0))).toBe(
      theirs.MemberAssignment.decode(Buffer.alloc(0)),
    );
  });

  it('a custom assigner gives the same assignment under kafkajs and tskafka/kafkajs', async () => {
    const r = await both(async ({ lib, kafka }) => {
      const admin = kafka.admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic: 'jobs', numPartitions: 4 }] });
      await admin.disconnect();
      const primary = await startMember(lib, kafka, 'primary', 'jobs');
      const standby = await startMember(lib, kafka, 'standby', 'jobs');
      await until(
        'both members joined with all 4 partitions assigned',
        () =>
          partitionsOf(primary.assigned(), 'jobs').length +
            partitionsOf(standby.assigned(), 'jobs').length ===
          4,
      );
      const result = {
        primary: partitionsOf(primary.assigned(), 'jobs'),
        standby: partitionsOf(standby.assigned(), 'jobs'),
      };
      await Promise.all([primary.consumer.disconnect(), standby.consumer.disconnect()]);
      return result;
    });
    expect(r.ours).toEqual({ primary: [0, 1, 2, 3], standby: [] });
    expect(r.ours).toEqual(r.kafkajs);
  });

  it('a KafkaJS consumer and a tskafka/kafkajs consumer share a group through the same custom assigner', async () => {
    const broker = await startBroker({ config: { 'num.partitions': 1 } });
    try {
      const config = {
        clientId: 'mixed',
        brokers: broker.bootstrapServers,
        logLevel: kafkajs.logLevel.NOTHING,
      };
      const theirs = new kafkajs.Kafka(config);
      const mine = new ours.Kafka(config) as unknown as kafkajs.Kafka;
      const admin = theirs.admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic: 'mixed', numPartitions: 4 }] });
      await admin.disconnect();
      // Ours joins first, so it leads the group and runs the assigner over the KafkaJS member's bytes.
      const b = await startMember(ours as unknown as KafkaJSModule, mine, 'primary', 'mixed');
      await until('the first member joined', () => b.assigned() !== null);
      const a = await startMember(kafkajs, theirs, 'primary', 'mixed');
      await until(
        'both members hold two partitions each',
        () =>
          partitionsOf(a.assigned(), 'mixed').length === 2 &&
          partitionsOf(b.assigned(), 'mixed').length === 2,
        30_000,
      );
      expect([...partitionsOf(a.assigned(), 'mixed'), ...partitionsOf(b.assigned(), 'mixed')].sort()).toEqual(
        [0, 1, 2, 3],
      );
      await Promise.all([a.consumer.disconnect(), b.consumer.disconnect()]);
    } finally {
      await broker.close();
    }
  }, 60_000);
});
