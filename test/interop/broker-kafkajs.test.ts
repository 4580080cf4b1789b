/**
 * KafkaJS 2.2.4, a client we did not write, against the reference broker: admin topic calls,
 * plain and idempotent producers, a consumer group of two members splitting the partitions, and
 * the offsets it committed as the admin client reads them back, and its transactional producer
 * (sendOffsets, commit, abort) with a read-committed consumer that never sees aborted records.
 */
import { type RunningBroker, startBroker } from '@tskafka/broker';
import { type Admin, type EachMessagePayload, Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until as untilWithin } from '../until.js';

/** Resolves once `condition` holds, checking every 20 ms; fails with `what` after 20 s. */
const until = (what: string, condition: () => boolean) => untilWithin(what, condition, 20_000, 20);

let broker: RunningBroker;
let kafka: Kafka;
let admin: Admin;
/** Clients a failed test may leave connected; disconnected before the broker stops. */
const openClients: { disconnect(): Promise<void> }[] = [];

beforeAll(async () => {
  broker = await startBroker({
    config: { 'num.partitions': 1, 'group.initial.rebalance.delay.ms': 0 },
    logLevel: 'error',
  });
  kafka = new Kafka({
    clientId: 'kafkajs-interop',
    brokers: broker.bootstrapServers,
    logLevel: logLevel.NOTHING,
    retry: { retries: 3, initialRetryTime: 50 },
  });
  admin = kafka.admin();
  await admin.connect();
});

afterAll(async () => {
  for (const c of openClients) await c.disconnect().catch(() => {});
  await admin?.disconnect();
  await broker?.close();
});

describe('KafkaJS against the reference broker', () => {
  it('creates, lists and describes topics with the admin client', async () => {
    const created = await admin.createTopics({
      topics: [
        { topic: 'kjs-admin-a', numPartitions: 3, replicationFactor: 1 },
        { topic: 'kjs-admin-b', numPartitions: 1, configEntries: [{ name: 'retention.ms', value: '60000' }] },
      ],
      waitForLeaders: true,
    });
    expect(created).toBe(true);
    // Creating it again is no error to KafkaJS, which reports false (TOPIC_ALREADY_EXISTS).
    expect(await admin.createTopics({ topics: [{ topic: 'kjs-admin-a', numPartitions: 3 }] })).toBe(false);
    const names = await admin.listTopics();
    expect(names).toEqual(expect.arrayContaining(['kjs-admin-a', 'kjs-admin-b']));
    const { topics } = await admin.fetchTopicMetadata({ topics: ['kjs-admin-a', 'kjs-admin-b'] });
    const a = topics.find((t) => t.name === 'kjs-admin-a');
    expect(a?.partitions.map((p) => p.partitionId).sort()).toEqual([0, 1, 2]);
    for (const p of a?.partitions ?? []) {
      expect(p.leader).toBe(broker.node.nodeId);
      expect(p.replicas).toEqual([broker.node.nodeId]);
      expect(p.isr).toEqual([broker.node.nodeId]);
    }
    expect(topics.find((t) => t.name === 'kjs-admin-b')?.partitions).toHaveLength(1);
    const described = await admin.describeConfigs({
      resources: [{ type: 2 /* TOPIC */, name: 'kjs-admin-b', configNames: ['retention.ms'] }],
      includeSynonyms: false,
    });
    expect(described.resources[0].configEntries[0]).toMatchObject({
      configName: 'retention.ms',
      configValue: '60000',
    });
    // Every config of the topic, overridden or default.
    const all = await admin.describeConfigs({
      resources: [{ type: 2 /* TOPIC */, name: 'kjs-admin-b' }],
      includeSynonyms: false,
    });
    const entries = new Map(all.resources[0].configEntries.map((e) => [e.configName, e]));
    expect(entries.get('retention.ms')).toMatchObject({ configValue: '60000', isDefault: false });
    expect(entries.get('cleanup.policy')).toMatchObject({ configValue: 'delete', isDefault: true });
    expect(entries.size).toBeGreaterThan(10);
  });

  for (const idempotent of [false, true]) {
    it(`produces keyed records (${idempotent ? 'idempotent' : 'plain'}) and reads them back in order`, async () => {
      const topic = `kjs-produce-${idempotent ? 'idem' : 'plain'}`;
      await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
      const producer = kafka.producer({
        idempotent,
        maxInFlightRequests: idempotent ? 1 : undefined,
        allowAutoTopicCreation: false,
      });
      await producer.connect();
      const sent: { key: string; value: string }[] = [];
      for (let round = 0; round < 5; round++) {
        const messages = Array.from({ length: 100 }, (_, i) => {
          const n = round * 100 + i;
          return { key: `k${n % 7}`, value: `v${n}` };
        });
        sent.push(...messages);
        const meta = await producer.send({ topic, acks: -1, messages });
        for (const m of meta) expect(m.errorCode).toBe(0);
      }
      await producer.disconnect();
      // The idempotent producer really used a producer id, with sequences the broker checked.
      const producerIds = new Set<number>();
      for (const p of [0, 1]) {
        const state = broker.node.replicaManager.getPartition(topic, p)?.producerState;
        for (const id of state?.producers.keys() ?? []) producerIds.add(id);
      }
      expect(producerIds.size).toBe(idempotent ? 1 : 0);
      const offsets = await admin.fetchTopicOffsets(topic);
      const total = offsets.reduce((n, o) => n + Number(o.high) - Number(o.low), 0);
      // Exactly what was sent: no duplicates from retries, nothing lost.
      expect(total).toBe(sent.length);

      const got = new Map<number, { offset: number; key: string; value: string }[]>();
      const consumer = kafka.consumer({ groupId: `${topic}-reader`, maxWaitTimeInMs: 100 });
      openClients.push(consumer);
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      let count = 0;
      await consumer.run({
        eachMessage: async ({ partition, message }: EachMessagePayload) => {
          const list = got.get(partition) ?? [];
          list.push({
            offset: Number(message.offset),
            key: String(message.key),
            value: String(message.value),
          });
          got.set(partition, list);
          count++;
        },
      });
      await until(`${sent.length} records were read`, () => count >= sent.length);
      await consumer.disconnect();
      expect(count).toBe(sent.length);
      const keyPartition = new Map<string, number>();
      for (const [partition, records] of got) {
        expect(records.map((r) => r.offset)).toEqual(records.map((_, i) => i));
        // Within a partition, the order they were sent in.
        const order = records.map((r) => Number(r.value.slice(1)));
        expect(order).toEqual([...order].sort((x, y) => x - y));
        for (const r of records) {
          expect(keyPartition.get(r.key) ?? partition).toBe(partition);
          keyPartition.set(r.key, partition);
          expect(r.key).toBe(sent[Number(r.value.slice(1))].key);
        }
      }
    });
  }

  it('splits partitions between two group members, reads every record once and commits offsets', async () => {
    const topic = 'kjs-group';
    const groupId = 'kjs-group-consumers';
    await admin.createTopics({ topics: [{ topic, numPartitions: 4 }], waitForLeaders: true });
    const producer = kafka.producer();
    openClients.push(producer);
    await producer.connect();
    const values = Array.from({ length: 400 }, (_, i) => `m${i}`);
    const send = (from: number, to: number) =>
      producer.send({
        topic,
        messages: values.slice(from, to).map((value, i) => ({ key: `k${from + i}`, value })),
      });
    // Half before the group forms: the first member reads some alone, then hands partitions over
    // in the rebalance, committing first, so nothing is read twice.
    await send(0, 200);

    const seen: { member: number; partition: number; value: string }[] = [];
    const assigned = new Map<number, number[]>();
    const members = [0, 1].map((member) => {
      const consumer = kafka.consumer({
        groupId,
        sessionTimeout: 10_000,
        heartbeatInterval: 500,
        maxWaitTimeInMs: 100,
      });
      consumer.on(consumer.events.GROUP_JOIN, (e) => {
        assigned.set(member, e.payload.memberAssignment[topic] ?? []);
      });
      openClients.push(consumer);
      return { member, consumer };
    });
    for (const { member, consumer } of members) {
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ partition, message }) => {
          seen.push({ member, partition, value: String(message.value) });
        },
      });
    }
    const split = () => {
      const a = assigned.get(0) ?? [];
      const b = assigned.get(1) ?? [];
      const g = broker.node.groupCoordinator.offsets.describeGroup(groupId);
      // Both members' assignments of the same generation: disjoint and covering all four.
      const union = new Set([...a, ...b]);
      return (
        g.state === 'Stable' &&
        g.members.length === 2 &&
        a.length > 0 &&
        b.length > 0 &&
        union.size === 4 &&
        a.length + b.length === 4
      );
    };
    await until('the group is stable with the partitions split between both members', split);
    const a = new Set(assigned.get(0));
    const b = new Set(assigned.get(1));
    for (const p of a) expect(b.has(p)).toBe(false);
    expect(new Set([...a, ...b]).size).toBe(4);

    // The other half after the split: each record goes to the member that holds its partition.
    const before = seen.length;
    await send(200, 400);
    await until('every record is read', () => seen.length >= values.length);
    for (const s of seen.slice(before)) expect((s.member === 0 ? a : b).has(s.partition)).toBe(true);
    for (const { consumer } of members) await consumer.disconnect();
    await producer.disconnect();
    // Every record exactly once, across the rebalance.
    expect(seen.map((s) => s.value).sort()).toEqual([...values].sort());

    // What the group committed is the next offset to read: the end of every partition.
    const ends = await admin.fetchTopicOffsets(topic);
    const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
    expect(committed).toHaveLength(1);
    const byPartition = new Map(committed[0].partitions.map((p) => [p.partition, p.offset]));
    expect(byPartition.size).toBe(4);
    for (const e of ends) expect(byPartition.get(e.partition)).toBe(e.high);
    expect(ends.reduce((n, e) => n + Number(e.high), 0)).toBe(values.length);
    const groups = await admin.listGroups();
    expect(groups.groups.map((g) => g.groupId)).toContain(groupId);
  }, 45_000);

  it('transactions: sendOffsets, commit and abort; a readUncommitted: false consumer sees only commits', async () => {
    const topic = 'kjs-txn';
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
    const producer = kafka.producer({ transactionalId: 'kjs-txn', idempotent: true, maxInFlightRequests: 1 });
    openClients.push(producer);
    await producer.connect();
    const committed: string[] = [];
    for (let t = 0; t < 4; t++) {
      const txn = await producer.transaction();
      const values = Array.from({ length: 6 }, (_, i) => `t${t}-${i}`);
      await txn.send({ topic, messages: values.map((value, i) => ({ value, partition: i % 2 })) });
      if (t % 2 === 0) {
        await txn.sendOffsets({
          consumerGroupId: 'kjs-txn-group',
          topics: [{ topic, partitions: [{ partition: 0, offset: String(10 + t) }] }],
        });
        await txn.commit();
        committed.push(...values);
      } else {
        await txn.abort();
      }
    }
    await producer.disconnect();

    // The offsets of the last committed transaction are the group's.
    const offsets = await admin.fetchOffsets({ groupId: 'kjs-txn-group', topics: [topic] });
    expect(offsets[0].partitions.find((p) => p.partition === 0)?.offset).toBe('12');

    const read = async (readUncommitted: boolean): Promise<string[]> => {
      const consumer = kafka.consumer({
        groupId: `kjs-txn-read-${readUncommitted}`,
        readUncommitted,
        maxWaitTimeInMs: 100,
      });
      openClients.push(consumer);
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      const values: string[] = [];
      const ends = await admin.fetchTopicOffsets(topic);
      const positions = new Map<number, number>();
      await consumer.run({
        eachBatch: async ({ batch }) => {
          for (const m of batch.messages) values.push(m.value?.toString() ?? '');
          positions.set(batch.partition, Number(batch.lastOffset()) + 1);
        },
      });
      // Read until both partitions are past their last record: the markers at the end are not records.
      await until(`reading ${topic} to its end`, () =>
        ends.every((e) => (positions.get(e.partition) ?? 0) >= Number(e.high) - 1),
      );
      await consumer.disconnect();
      return values;
    };
    expect((await read(false)).sort()).toEqual([...committed].sort());
    expect(await read(true)).toHaveLength(24);
  }, 45_000);
});
