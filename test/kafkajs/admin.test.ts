/**
 * `tskafka/kafkajs`'s admin client and errors against KafkaJS's own: the same calls answer the
 * same (topics, offsets, metadata, groups), and the same bad input fails with the same KafkaJS
 * error class, `type` and `retriable`.
 */
import { describe, expect, it } from 'vitest';
import { both, describeError } from './harness.js';

describe('tskafka/kafkajs admin, differential against kafkajs 2.2.4', () => {
  it('createTopics, listTopics, fetchTopicMetadata, fetchTopicOffsets, createPartitions answer alike', async () => {
    const r = await both(async ({ kafka }) => {
      const admin = kafka.admin();
      await admin.connect();
      const created = await admin.createTopics({
        topics: [
          { topic: 't1', numPartitions: 2 },
          { topic: 't2', numPartitions: 3, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] },
        ],
      });
      const again = await admin.createTopics({ topics: [{ topic: 't1', numPartitions: 2 }] });
      const producer = kafka.producer();
      await producer.connect();
      await producer.send({
        topic: 't2',
        messages: [1, 2, 3, 4].map((i) => ({ key: `k${i}`, value: `v${i}`, partition: i % 2 })),
      });
      await producer.disconnect();
      const grown = await admin.createPartitions({ topicPartitions: [{ topic: 't1', count: 4 }] });
      const topics = (await admin.listTopics()).sort();
      // Topics by name, partitions by id: KafkaJS keeps the broker's order, which is no contract.
      const metadata = (await admin.fetchTopicMetadata({ topics: ['t1', 't2'] })).topics
        .map((t) => ({
          ...t,
          partitions: [...t.partitions].sort((a, b) => a.partitionId - b.partitionId),
        }))
        .sort((a, b) => a.name.localeCompare(b.name));
      const offsets = await admin.fetchTopicOffsets('t2');
      await admin.deleteTopics({ topics: ['t1'] });
      const afterDelete = (await admin.listTopics()).sort();
      await admin.disconnect();
      return { created, again, grown, topics, metadata, offsets, afterDelete };
    });
    expect(r.kafkajs.created).toBe(true);
    expect(r.kafkajs.again).toBe(false);
    expect(r.kafkajs.offsets.map((o) => o.high)).toEqual(['2', '2', '0']);
    expect(r.ours).toEqual(r.kafkajs);
  });

  it('a group: listGroups, describeGroups and fetchOffsets after commitOffsets', async () => {
    const r = await both(async ({ kafka }) => {
      const admin = kafka.admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic: 'g', numPartitions: 2 }] });
      const consumer = kafka.consumer({ groupId: 'grp', maxWaitTimeInMs: 100 });
      await consumer.connect();
      await consumer.subscribe({ topics: ['g'] });
      await consumer.run({ eachMessage: async () => {} });
      await consumer.commitOffsets([{ topic: 'g', partition: 1, offset: '0' }]);
      const groups = await admin.listGroups();
      const described = await admin.describeGroups(['grp']);
      const members = described.groups.map((g) => ({
        groupId: g.groupId,
        protocolType: g.protocolType,
        state: g.state,
        protocol: g.protocol,
        members: g.members.length,
      }));
      const offsets = await admin.fetchOffsets({ groupId: 'grp', topics: ['g'] });
      const own = await consumer.describeGroup();
      const self = { state: own.state, protocol: own.protocol, members: own.members.map((m) => m.clientId) };
      await consumer.disconnect();
      await admin.disconnect();
      return { groups: groups.groups, members, offsets, self };
    });
    expect(r.kafkajs.members[0].state).toBe('Stable');
    expect(r.ours).toEqual(r.kafkajs);
  });

  it('offsets by timestamp, setOffsets, resetOffsets, deleteTopicRecords, deleteGroups, describeCluster', async () => {
    const r = await both(async ({ kafka }) => {
      const admin = kafka.admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic: 'ts', numPartitions: 2 }] });
      const producer = kafka.producer();
      await producer.connect();
      await producer.send({
        topic: 'ts',
        messages: [0, 1, 2, 3, 4, 5].map((i) => ({
          value: `v${i}`,
          partition: 0,
          timestamp: String(1_000 * (i + 1)),
        })),
      });
      await producer.disconnect();
      const byTimestamp = {
        middle: await admin.fetchTopicOffsetsByTimestamp('ts', 3_500),
        future: await admin.fetchTopicOffsetsByTimestamp('ts', 99_000),
      };
      await admin.setOffsets({ groupId: 'set', topic: 'ts', partitions: [{ partition: 0, offset: '4' }] });
      const afterSet = await admin.fetchOffsets({ groupId: 'set', topics: ['ts'] });
      await admin.resetOffsets({ groupId: 'set', topic: 'ts', earliest: true });
      const afterReset = await admin.fetchOffsets({ groupId: 'set', topics: ['ts'] });
      await admin.deleteTopicRecords({ topic: 'ts', partitions: [{ partition: 0, offset: '2' }] });
      const afterDeleteRecords = await admin.fetchTopicOffsets('ts');
      const deletedGroups = await admin.deleteGroups(['set']);
      const groupsLeft = (await admin.listGroups()).groups.map((g) => g.groupId);
      const cluster = await admin.describeCluster();
      await admin.disconnect();
      return {
        byTimestamp,
        afterSet,
        afterReset,
        afterDeleteRecords,
        deletedGroups,
        groupsLeft,
        cluster: { brokers: cluster.brokers.map((b) => b.nodeId), controller: cluster.controller },
      };
    });
    expect(r.kafkajs.byTimestamp.middle[0]).toEqual({ partition: 0, offset: '3' });
    expect(r.kafkajs.afterDeleteRecords[0].low).toBe('2');
    // KafkaJS commits the sentinel -2 ("earliest", which only KafkaJS consumers understand);
    // ours commits the earliest offsets themselves, which every client reads alike.
    expect(r.kafkajs.afterReset[0].partitions.map((p) => p.offset)).toEqual(['-2', '-2']);
    expect(r.ours.afterReset[0].partitions.map((p) => p.offset)).toEqual(['0', '0']);
    expect({ ...r.ours, afterReset: null }).toEqual({ ...r.kafkajs, afterReset: null });
  });

  it('the same bad input fails with the same KafkaJS error', async () => {
    const r = await both(async ({ kafka, lib }) => {
      const admin = kafka.admin();
      await admin.connect();
      const producer = kafka.producer();
      await producer.connect();
      const errors: Record<string, unknown> = {};
      const capture = async (name: string, fn: () => Promise<unknown>) => {
        try {
          await fn();
          errors[name] = 'no error';
        } catch (e) {
          const inner = (e as { errors?: unknown[] }).errors?.map(describeError);
          errors[name] = { ...describeError(e), isKafkaJSError: e instanceof lib.KafkaJSError, inner };
        }
      };
      await capture('invalid topic name', () =>
        producer.send({ topic: 'bad topic!', messages: [{ value: 'x' }] }),
      );
      await capture('createTopics with 0 partitions', () =>
        admin.createTopics({ topics: [{ topic: 'zero', numPartitions: -5 }] }),
      );
      await capture('delete a missing topic', () => admin.deleteTopics({ topics: ['missing'] }));
      await capture('send without a messages array', () =>
        producer.send({ topic: 'x', messages: undefined as unknown as [] }),
      );
      await capture('a message without a value', () =>
        producer.send({ topic: 'x', messages: [{ key: 'k' } as unknown as { value: string }] }),
      );
      await producer.disconnect();
      await admin.disconnect();
      return errors;
    });
    expect(r.kafkajs['invalid topic name']).toMatchObject({
      name: 'KafkaJSNonRetriableError',
      causeType: 'INVALID_TOPIC_EXCEPTION',
    });
    expect(r.kafkajs['delete a missing topic']).toMatchObject({
      name: 'KafkaJSNumberOfRetriesExceeded',
      causeType: 'UNKNOWN_TOPIC_OR_PARTITION',
    });
    expect(r.ours).toEqual(r.kafkajs);
  });
});
