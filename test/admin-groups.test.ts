/**
 * The admin client's consumer-group calls against the reference broker, with a real consumer
 * from `tskafka`: after it commits, listGroups, describeGroups (with the decoded assignment) and
 * listConsumerGroupOffsets show it; alterConsumerGroupOffsets is refused while it is a member and
 * resets the offsets once the group is empty; deleteConsumerGroupOffsets and deleteGroups.
 */
import { type RunningBroker, startBroker } from '@tskafka/broker';
import { GroupIdNotFoundError, NonEmptyGroupError, UnknownMemberIdError } from '@tskafka/protocol';
import { type Admin, type Consumer, Kafka } from 'tskafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
let broker: RunningBroker;
let kafka: Kafka;
let admin: Admin;

beforeAll(async () => {
  broker = await startBroker();
  kafka = new Kafka({ bootstrapServers: broker.bootstrapServers, clientId: 'admin-groups', logger: quiet });
  admin = kafka.admin();
  await admin.connect();
  await admin.createTopics([{ topic: 'payments', numPartitions: 2, replicationFactor: 1 }]);
  const producer = kafka.producer();
  await producer.connect();
  await Promise.all(
    Array.from({ length: 10 }, (_, i) =>
      producer.send({ topic: 'payments', partition: i % 2, value: `v${i}` }),
    ),
  );
  await producer.close();
});
afterAll(async () => {
  await admin?.close();
  await broker?.close();
});

async function consumeAndCommit(groupId: string): Promise<Consumer> {
  const consumer = kafka.consumer({
    groupId,
    autoOffsetReset: 'earliest',
    enableAutoCommit: false,
    sessionTimeoutMs: 6_000,
    heartbeatIntervalMs: 100,
  });
  await consumer.connect();
  await consumer.subscribe(['payments']);
  let seen = 0;
  for (let i = 0; seen < 10 && i < 100; i++) seen += (await consumer.poll(200)).length;
  expect(seen).toBe(10);
  await consumer.commitSync();
  return consumer;
}

describe('consumer groups', () => {
  it('shows a committed group, resets it when empty, and deletes it', async () => {
    const consumer = await consumeAndCommit('billing');

    const listed = await admin.listGroups();
    expect(listed).toContainEqual(expect.objectContaining({ groupId: 'billing', protocolType: 'consumer' }));

    const [described] = await admin.describeGroups(['billing']);
    expect(described.state).toBe('Stable');
    expect(described.protocolType).toBe('consumer');
    expect(described.protocol).toBe('range');
    expect(described.members).toHaveLength(1);
    expect(described.members[0].clientId).toBe('admin-groups');
    expect(described.members[0].assignment).toEqual([
      { topic: 'payments', partition: 0 },
      { topic: 'payments', partition: 1 },
    ]);

    expect(await admin.listConsumerGroupOffsets('billing')).toEqual([
      expect.objectContaining({ topic: 'payments', partition: 0, offset: 5 }),
      expect.objectContaining({ topic: 'payments', partition: 1, offset: 5 }),
    ]);
    expect(await admin.listConsumerGroupOffsets('billing', ['other'])).toEqual([]);

    // A live member: the coordinator refuses commits without its generation, and deletion.
    await expect(
      admin.alterConsumerGroupOffsets('billing', [{ topic: 'payments', partition: 0, offset: 0 }]),
    ).rejects.toBeInstanceOf(UnknownMemberIdError);
    await expect(admin.deleteGroups(['billing'])).rejects.toBeInstanceOf(NonEmptyGroupError);

    await consumer.close();
    const [empty] = await admin.describeGroups(['billing']);
    expect(empty.state).toBe('Empty');
    expect(empty.members).toEqual([]);

    await admin.alterConsumerGroupOffsets('billing', [
      { topic: 'payments', partition: 0, offset: 0 },
      { topic: 'payments', partition: 1, offset: 2, metadata: 'reset' },
    ]);
    expect(await admin.listConsumerGroupOffsets('billing')).toEqual([
      { topic: 'payments', partition: 0, offset: 0, metadata: '', leaderEpoch: expect.any(Number) },
      { topic: 'payments', partition: 1, offset: 2, metadata: 'reset', leaderEpoch: expect.any(Number) },
    ]);

    await admin.deleteConsumerGroupOffsets('billing', [{ topic: 'payments', partition: 1 }]);
    expect((await admin.listConsumerGroupOffsets('billing')).map((o) => o.partition)).toEqual([0]);

    await admin.deleteGroups(['billing']);
    expect((await admin.listGroups()).map((g) => g.groupId)).not.toContain('billing');
    await expect(admin.deleteGroups(['billing'])).rejects.toBeInstanceOf(GroupIdNotFoundError);
  });

  it('a reset offset is where a new consumer of the group starts', async () => {
    const first = await consumeAndCommit('reset-me');
    await first.close();
    await admin.alterConsumerGroupOffsets('reset-me', [
      { topic: 'payments', partition: 0, offset: 3 },
      { topic: 'payments', partition: 1, offset: 4 },
    ]);
    const consumer = kafka.consumer({ groupId: 'reset-me', enableAutoCommit: false });
    await consumer.connect();
    await consumer.subscribe(['payments']);
    const records = [];
    for (let i = 0; records.length < 3 && i < 100; i++) records.push(...(await consumer.poll(200)));
    await consumer.close();
    expect(records.map((r) => `${r.partition}@${r.offset}`).sort()).toEqual(['0@3', '0@4', '1@4']);
  });
});
