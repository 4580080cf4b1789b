/**
 * The admin client against the reference broker (a 3-broker cluster): topics, partitions,
 * configs, the cluster, offsets and records.
 */

import { type Cluster, startCluster } from '@tskafka/broker';
import {
  InvalidPartitionsError,
  TopicAlreadyExistsError,
  UnknownTopicOrPartitionError,
} from '@tskafka/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Admin, decodeMemberAssignment } from '../src/internals.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
let cluster: Cluster;
let admin: Admin;

beforeAll(async () => {
  cluster = await startCluster({ brokers: 3 });
  admin = new Admin({ bootstrapServers: cluster.bootstrapServers, clientId: 'admin-test', logger: quiet });
  await admin.connect();
});
afterAll(async () => {
  await admin?.close();
  await cluster?.close();
});

describe('topics', () => {
  it('creates, lists, describes and deletes topics', async () => {
    const created = await admin.createTopics([
      { topic: 'orders', numPartitions: 3, replicationFactor: 3 },
      { topic: 'audit', numPartitions: 1, replicationFactor: 2, configs: { 'cleanup.policy': 'compact' } },
    ]);
    expect(created.map((c) => c.topic)).toEqual(['orders', 'audit']);
    expect(created.every((c) => !c.alreadyExisted)).toBe(true);

    expect(await admin.listTopics()).toEqual(expect.arrayContaining(['audit', 'orders']));

    const [orders] = await admin.describeTopics(['orders']);
    expect(orders.name).toBe('orders');
    expect(orders.isInternal).toBe(false);
    expect(orders.partitions.map((p) => p.partition)).toEqual([0, 1, 2]);
    for (const p of orders.partitions) {
      expect(p.replicas).toHaveLength(3);
      expect(p.replicas).toContain(p.leader);
      expect(p.isr.sort()).toEqual([...p.replicas].sort());
    }

    await admin.deleteTopics(['audit']);
    expect(await admin.listTopics()).not.toContain('audit');
  });

  it('rejects an existing topic with TopicAlreadyExistsError unless ignoreExisting', async () => {
    await admin.createTopics([{ topic: 'twice', numPartitions: 1, replicationFactor: 1 }]);
    await expect(admin.createTopics([{ topic: 'twice', numPartitions: 1 }])).rejects.toBeInstanceOf(
      TopicAlreadyExistsError,
    );
    const [again] = await admin.createTopics([{ topic: 'twice', numPartitions: 1 }], {
      ignoreExisting: true,
    });
    expect(again.alreadyExisted).toBe(true);
  });

  it('validateOnly creates nothing', async () => {
    await admin.createTopics([{ topic: 'dry-run', numPartitions: 2, replicationFactor: 1 }], {
      validateOnly: true,
    });
    expect(await admin.listTopics()).not.toContain('dry-run');
  });

  it('describing or deleting an unknown topic is UnknownTopicOrPartitionError', async () => {
    await expect(admin.describeTopics(['no-such-topic'])).rejects.toBeInstanceOf(
      UnknownTopicOrPartitionError,
    );
    await expect(admin.deleteTopics(['no-such-topic'])).rejects.toBeInstanceOf(UnknownTopicOrPartitionError);
  });

  it('grows a topic with createPartitions', async () => {
    await admin.createTopics([{ topic: 'grow', numPartitions: 2, replicationFactor: 2 }]);
    await admin.createPartitions([{ topic: 'grow', count: 5 }]);
    const [grow] = await admin.describeTopics(['grow']);
    expect(grow.partitions).toHaveLength(5);
    await expect(admin.createPartitions([{ topic: 'grow', count: 3 }])).rejects.toBeInstanceOf(
      InvalidPartitionsError,
    );
  });

  it('lists internal topics only when asked', async () => {
    const all = await admin.listTopics({ listInternal: true });
    const plain = await admin.listTopics();
    expect(plain.every((t) => !t.startsWith('__'))).toBe(true);
    expect(all.length).toBeGreaterThanOrEqual(plain.length);
  });
});

describe('configs', () => {
  it('round-trips topic configs with incrementalAlterConfigs and alterConfigs', async () => {
    await admin.createTopics([
      { topic: 'configured', numPartitions: 1, replicationFactor: 1, configs: { 'retention.ms': '3600000' } },
    ]);
    const [before] = await admin.describeConfigs([{ type: 'topic', name: 'configured' }]);
    const retention = before.configs.find((c) => c.name === 'retention.ms');
    expect(retention?.value).toBe('3600000');
    expect(retention?.source).toBe('topic');
    expect(retention?.isDefault).toBe(false);

    await admin.incrementalAlterConfigs([
      { type: 'topic', name: 'configured', configs: [{ name: 'cleanup.policy', value: 'compact' }] },
    ]);
    const [after] = await admin.describeConfigs([
      { type: 'topic', name: 'configured', configNames: ['cleanup.policy', 'retention.ms'] },
    ]);
    expect(Object.fromEntries(after.configs.map((c) => [c.name, c.value]))).toEqual({
      'cleanup.policy': 'compact',
      'retention.ms': '3600000',
    });

    await admin.incrementalAlterConfigs([
      { type: 'topic', name: 'configured', configs: [{ name: 'retention.ms', op: 'delete' }] },
    ]);
    const [deleted] = await admin.describeConfigs([
      { type: 'topic', name: 'configured', configNames: ['retention.ms'] },
    ]);
    expect(deleted.configs[0].source).toBe('default');

    await admin.alterConfigs([{ type: 'topic', name: 'configured', configs: { 'retention.ms': '1000' } }]);
    const [replaced] = await admin.describeConfigs([
      { type: 'topic', name: 'configured', configNames: ['retention.ms', 'cleanup.policy'] },
    ]);
    const values = Object.fromEntries(replaced.configs.map((c) => [c.name, c]));
    expect(values['retention.ms'].value).toBe('1000');
    expect(values['cleanup.policy'].source).toBe('default');
  });

  it('describes a broker from that broker', async () => {
    const [broker] = await admin.describeConfigs([{ type: 'broker', name: '2' }]);
    expect(broker.type).toBe('broker');
    expect(broker.name).toBe('2');
    expect(broker.configs.length).toBeGreaterThan(0);
  });
});

describe('cluster, offsets and records', () => {
  it('describes the cluster', async () => {
    const d = await admin.describeCluster();
    expect(d.brokers.map((b) => b.nodeId).sort()).toEqual([1, 2, 3]);
    expect(d.brokers.map((b) => b.nodeId)).toContain(d.controller);
    expect(typeof d.clusterId).toBe('string');
  });

  it('lists offsets and deletes records', async () => {
    await admin.createTopics([{ topic: 'records', numPartitions: 2, replicationFactor: 1 }]);
    const empty = await admin.listOffsets('records', 'latest');
    expect(empty.map((o) => [o.partition, o.offset])).toEqual([
      [0, 0],
      [1, 0],
    ]);
    const earliest = await admin.listOffsets([{ topic: 'records', partition: 1 }], 'earliest');
    expect(earliest[0].offset).toBe(0);
    const deleted = await admin.deleteRecords([{ topic: 'records', partition: 0, offset: -1 }]);
    expect(deleted[0].lowWatermark).toBe(0);
  });
});

describe('decodeMemberAssignment', () => {
  it('reads the consumer protocol; empty bytes are no partitions', () => {
    // Version 0, one topic "t" with partitions 0 and 2, null user data.
    const bytes = Buffer.from([
      0, 0, 0, 0, 0, 1, 0, 1, 0x74, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 2, 0xff, 0xff, 0xff, 0xff,
    ]);
    expect(decodeMemberAssignment(bytes)).toEqual([
      { topic: 't', partition: 0 },
      { topic: 't', partition: 2 },
    ]);
    expect(decodeMemberAssignment(Buffer.alloc(0))).toEqual([]);
  });
});
