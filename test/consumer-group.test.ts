/**
 * Consumer groups against our reference broker: members split the partitions; across
 * rebalances (one leaves, one joins) every record is consumed exactly once when each member
 * commits what it processed in `onPartitionsRevoked`; a seek in `onPartitionsAssigned` wins;
 * heartbeats keep a member with a slow handler in the group; a member that stops polling for
 * `max.poll.interval.ms` leaves and finds its partitions lost; a static member that restarts gets
 * its partitions back without the others rebalancing.
 */
import { type RunningBroker, startBroker } from '@tskafka/broker';
import {
  type Consumer,
  type ConsumerRecord,
  Kafka,
  ManualClock,
  MemberState,
  stringDeserializer,
  type TopicPartition,
} from 'tskafka';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

let broker: RunningBroker;

beforeAll(async () => {
  broker = await startBroker({
    config: {
      'num.partitions': 3,
      'group.initial.rebalance.delay.ms': 0,
      'group.min.session.timeout.ms': 500,
    },
  });
});
afterAll(async () => {
  await broker?.close();
});

function kafka(clientId = 'group-test'): Kafka {
  return new Kafka({ bootstrapServers: broker.bootstrapServers, clientId });
}

async function produce(topic: string, from: number, count: number, partitions: number): Promise<void> {
  const producer = kafka().producer();
  await producer.connect();
  await Promise.all(
    Array.from({ length: count }, (_, j) => {
      const i = from + j;
      return producer.send({ topic, partition: i % partitions, key: `k${i}`, value: `v${i}` });
    }),
  );
  await producer.close();
}

const key = (tp: TopicPartition): string => `${tp.topic}-${tp.partition}`;

describe('consumer groups', () => {
  it('subscribe + poll: one member gets every partition and reads everything in order', async () => {
    const topic = 'g-single';
    broker.cluster.metadata.createTopic(topic, { numPartitions: 3, replicationFactor: 1 });
    await produce(topic, 0, 90, 3);
    const consumer = kafka().consumer({
      groupId: 'g-single',
      autoOffsetReset: 'earliest',
      valueDeserializer: stringDeserializer,
    });
    await consumer.connect();
    const assigned: TopicPartition[][] = [];
    await consumer.subscribe([topic], { onPartitionsAssigned: (ps) => void assigned.push(ps) });
    const records: ConsumerRecord<Buffer | null, string | null>[] = [];
    while (records.length < 90) records.push(...(await consumer.poll(500)));
    expect(assigned).toEqual([[0, 1, 2].map((partition) => ({ topic, partition }))]);
    expect(consumer.memberState).toBe(MemberState.Stable);
    for (const p of [0, 1, 2]) {
      expect(records.filter((r) => r.partition === p).map((r) => r.offset)).toEqual(
        Array.from({ length: 30 }, (_, i) => i),
      );
    }
    await consumer.close();
  });

  it('3 members on 12 partitions, one leaves and one joins: every record once with commits in onPartitionsRevoked', async () => {
    const topic = 'g-rebalance';
    const group = 'g-rebalance';
    broker.cluster.metadata.createTopic(topic, { numPartitions: 12, replicationFactor: 1 });
    const seen = new Map<string, string>(); // value -> member
    const duplicates: string[] = [];
    const owners = new Map<string, Set<string>>();

    function member(name: string): { consumer: Consumer<Buffer | null, string | null>; done: Promise<void> } {
      const consumer = kafka(name).consumer<Buffer | null, string | null>({
        groupId: group,
        autoOffsetReset: 'earliest',
        enableAutoCommit: false,
        valueDeserializer: 'string',
        maxPollRecords: 20,
        heartbeatIntervalMs: 100,
        sessionTimeoutMs: 6_000,
      });
      // What this member processed and has not committed yet, by partition.
      const processed = new Map<string, { tp: TopicPartition; offset: number }>();
      const commitProcessed = async (): Promise<void> => {
        const offsets = [...processed.values()].map((p) => ({ ...p.tp, offset: p.offset }));
        processed.clear();
        if (offsets.length > 0) await consumer.commitSync(offsets);
      };
      const mine = new Set<string>();
      owners.set(name, mine);
      const done = (async () => {
        await consumer.connect();
        await consumer.subscribe([topic], {
          onPartitionsRevoked: async (ps) => {
            await commitProcessed();
            for (const p of ps) mine.delete(key(p));
          },
          onPartitionsAssigned: (ps) => {
            for (const p of ps) mine.add(key(p));
          },
        });
        await consumer.run({
          eachMessage: async ({ topic: t, partition, message }) => {
            const v = message.value as string;
            if (seen.has(v)) duplicates.push(`${v} by ${name} after ${seen.get(v)}`);
            seen.set(v, name);
            processed.set(`${t}-${partition}`, { tp: { topic: t, partition }, offset: message.offset + 1 });
          },
        });
      })();
      return { consumer, done };
    }

    const a = member('a');
    const b = member('b');
    const c = member('c');
    await produce(topic, 0, 600, 12);
    await vi.waitFor(() => expect(seen.size).toBe(600), { timeout: 20_000, interval: 20 });
    const ownedBy = (n: string) => owners.get(n)?.size ?? 0;
    expect(ownedBy('a') + ownedBy('b') + ownedBy('c')).toBe(12);
    expect(Math.min(ownedBy('a'), ownedBy('b'), ownedBy('c'))).toBe(4);

    // Records keep coming while member a leaves and member d joins.
    const more = produce(topic, 600, 600, 12);
    await a.consumer.close();
    await a.done;
    const d = member('d');
    await more;
    await produce(topic, 1200, 600, 12);
    await vi.waitFor(() => expect(seen.size).toBe(1800), { timeout: 30_000, interval: 20 });
    await vi.waitFor(() => expect([ownedBy('b'), ownedBy('c'), ownedBy('d')].sort()).toEqual([4, 4, 4]), {
      timeout: 20_000,
      interval: 20,
    });
    for (const m of [b, c, d]) await m.consumer.close();
    await Promise.all([b.done, c.done, d.done]);
    expect(duplicates).toEqual([]);
    expect(seen.size).toBe(1800);
  });

  it('a seek in onPartitionsAssigned wins over the committed offset', async () => {
    const topic = 'g-seek';
    const group = 'g-seek';
    broker.cluster.metadata.createTopic(topic, { numPartitions: 1, replicationFactor: 1 });
    await produce(topic, 0, 50, 1);
    const first = kafka().consumer({ groupId: group, autoOffsetReset: 'earliest', enableAutoCommit: false });
    await first.connect();
    await first.assign([{ topic, partition: 0 }]);
    await first.commitSync([{ topic, partition: 0, offset: 10 }]);
    await first.close();

    const consumer = kafka().consumer({
      groupId: group,
      autoOffsetReset: 'earliest',
      valueDeserializer: stringDeserializer,
    });
    await consumer.connect();
    await consumer.subscribe([topic], {
      onPartitionsAssigned: (ps) => {
        for (const p of ps) consumer.seek(p, 40); // e.g. from the application's own database
      },
    });
    const records: ConsumerRecord<Buffer | null, string | null>[] = [];
    while (records.length < 10) records.push(...(await consumer.poll(500)));
    expect(records.map((r) => r.offset)).toEqual(Array.from({ length: 10 }, (_, i) => 40 + i));
    await consumer.close();
  });

  it('heartbeats continue while eachMessage is slower than session.timeout.ms (but within max.poll.interval.ms)', async () => {
    const topic = 'g-slow';
    const group = 'g-slow';
    broker.cluster.metadata.createTopic(topic, { numPartitions: 2, replicationFactor: 1 });
    await produce(topic, 0, 2, 2);
    const consumer = kafka().consumer({
      groupId: group,
      autoOffsetReset: 'earliest',
      sessionTimeoutMs: 600,
      heartbeatIntervalMs: 100,
      maxPollIntervalMs: 20_000,
      maxPollRecords: 1,
    });
    const lost: TopicPartition[][] = [];
    const revoked: TopicPartition[][] = [];
    await consumer.connect();
    await consumer.subscribe([topic], {
      onPartitionsLost: (ps) => void lost.push(ps),
      onPartitionsRevoked: (ps) => void revoked.push(ps),
    });
    let handled = 0;
    let generation = -1;
    const running = consumer.run({
      eachMessage: async () => {
        if (handled === 0) generation = consumer.groupMetadata().generationId;
        // Longer than the session timeout: only heartbeats from their own timer keep the member in.
        await new Promise((resolve) => setTimeout(resolve, 1_500));
        handled++;
      },
    });
    await vi.waitFor(() => expect(handled).toBe(2), { timeout: 10_000, interval: 50 });
    expect(consumer.groupMetadata().generationId).toBe(generation);
    expect(consumer.memberState).toBe(MemberState.Stable);
    expect(lost).toEqual([]);
    expect(revoked).toEqual([]);
    await consumer.stop();
    await running;
    await consumer.close();
  });

  it('a member that does not poll within max.poll.interval.ms leaves the group and finds its partitions lost', async () => {
    const topic = 'g-poll-timeout';
    broker.cluster.metadata.createTopic(topic, { numPartitions: 2, replicationFactor: 1 });
    // The consumer's heartbeat timer runs on a manual clock: max.poll.interval.ms passes when the
    // test says so, not after a real wait.
    const clock = new ManualClock(Date.now());
    const consumer = kafka().consumer({
      groupId: 'g-poll-timeout',
      sessionTimeoutMs: 6_000,
      heartbeatIntervalMs: 50,
      maxPollIntervalMs: 700,
      logger: { debug() {}, info() {}, warn() {}, error() {} },
      clock,
    });
    const lost: TopicPartition[][] = [];
    await consumer.connect();
    await consumer.subscribe([topic], { onPartitionsLost: (ps) => void lost.push(ps) });
    await consumer.poll(0);
    expect(consumer.memberState).toBe(MemberState.Stable);
    const generation = consumer.groupMetadata().generationId;
    // Heartbeats go out (and their answers schedule the next) as the clock moves, 50 ms a step.
    let advanced = 0;
    await vi.waitFor(
      () => {
        if (consumer.memberState !== MemberState.Unjoined) {
          clock.advance(50);
          advanced += 50;
        }
        expect(consumer.memberState).toBe(MemberState.Unjoined);
      },
      { timeout: 10_000, interval: 10 },
    );
    expect(advanced).toBeGreaterThanOrEqual(700); // not before max.poll.interval.ms
    expect(consumer.groupMetadata().generationId).toBe(-1);
    await consumer.poll(0);
    expect(lost).toEqual([[0, 1].map((partition) => ({ topic, partition }))]);
    expect(consumer.memberState).toBe(MemberState.Stable);
    expect(consumer.groupMetadata().generationId).toBeGreaterThan(generation);
    await consumer.close();
  });

  it('a static member that restarts gets its partitions back without the other member rebalancing', async () => {
    const topic = 'g-static';
    const group = 'g-static';
    broker.cluster.metadata.createTopic(topic, { numPartitions: 4, replicationFactor: 1 });
    const make = (instance: string) =>
      kafka(instance).consumer({
        groupId: group,
        groupInstanceId: instance,
        sessionTimeoutMs: 10_000,
        heartbeatIntervalMs: 100,
      });
    const a = make('static-a');
    const b = make('static-b');
    const bRevoked: TopicPartition[][] = [];
    await a.connect();
    await b.connect();
    await a.subscribe([topic]);
    await b.subscribe([topic], { onPartitionsRevoked: (ps) => void bRevoked.push(ps) });
    // Both poll until the group settles with both members.
    await vi.waitFor(
      async () => {
        await Promise.all([a.poll(0), b.poll(0)]);
        expect(a.assignment().length + b.assignment().length).toBe(4);
        expect(a.assignment().length).toBe(2);
      },
      { timeout: 15_000, interval: 10 },
    );
    const aAssignment = a.assignment();
    const bAssignment = b.assignment();
    const bGeneration = b.groupMetadata().generationId;
    const revokedBefore = bRevoked.length;
    await a.close(); // a static member sends no LeaveGroup

    const again = make('static-a');
    await again.connect();
    await again.subscribe([topic]);
    await again.poll(0);
    expect(again.assignment()).toEqual(aAssignment);
    await b.poll(0);
    expect(b.assignment()).toEqual(bAssignment);
    expect(b.groupMetadata().generationId).toBe(bGeneration);
    expect(bRevoked.length).toBe(revokedBefore);
    await again.close();
    await b.close();
  });

  it('the leader rebalances when partitions are added to a subscribed topic', async () => {
    const topic = 'g-grow';
    broker.cluster.metadata.createTopic(topic, { numPartitions: 2, replicationFactor: 1 });
    const consumer = kafka().consumer({
      groupId: 'g-grow',
      autoOffsetReset: 'earliest',
      metadataMaxAgeMs: 100,
    });
    const assigned: TopicPartition[][] = [];
    await consumer.connect();
    await consumer.subscribe([topic], { onPartitionsAssigned: (ps) => void assigned.push(ps) });
    await consumer.poll(0);
    expect(consumer.assignment()).toHaveLength(2);
    broker.cluster.metadata.createPartitions(topic, 4);
    await vi.waitFor(
      async () => {
        await consumer.poll(50);
        expect(consumer.assignment()).toHaveLength(4);
      },
      { timeout: 10_000, interval: 10 },
    );
    expect(assigned.at(-1)).toEqual([0, 1, 2, 3].map((partition) => ({ topic, partition })));
    await consumer.close();
  });
});
