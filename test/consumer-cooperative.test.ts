/**
 * Cooperative rebalancing (KIP-429) with the `cooperative-sticky` assignor against our
 * reference broker: when a fourth member joins three that own 12 partitions, only the 3
 * partitions that move are revoked (one from each old member), the others keep fetching, and
 * every record is consumed exactly once with commits in `onPartitionsRevoked`.
 */
import { type RunningBroker, startBroker } from '@tskafka/broker';
import { type Consumer, Kafka, stringDeserializer, type TopicPartition } from 'tskafka';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

let broker: RunningBroker;

beforeAll(async () => {
  broker = await startBroker({
    config: { 'group.initial.rebalance.delay.ms': 0, 'group.min.session.timeout.ms': 500 },
  });
});
afterAll(async () => {
  await broker?.close();
});

const key = (tp: TopicPartition): string => `${tp.topic}-${tp.partition}`;

describe('cooperative-sticky', () => {
  it('a joining member takes only the partitions that must move; nothing is read twice', async () => {
    const topic = 'coop';
    const group = 'coop-group';
    broker.cluster.metadata.createTopic(topic, { numPartitions: 12, replicationFactor: 1 });
    const kafka = new Kafka({ bootstrapServers: broker.bootstrapServers, clientId: 'coop' });
    const seen = new Map<string, string>();
    const duplicates: string[] = [];
    const owned = new Map<string, Set<string>>();
    const revokedLog = new Map<string, string[][]>();

    function member(name: string): { consumer: Consumer<Buffer | null, string | null>; done: Promise<void> } {
      const consumer = kafka.consumer({
        groupId: group,
        autoOffsetReset: 'earliest',
        enableAutoCommit: false,
        partitionAssignors: ['cooperative-sticky'],
        valueDeserializer: stringDeserializer,
        heartbeatIntervalMs: 100,
        sessionTimeoutMs: 6_000,
        maxPollRecords: 20,
      });
      const mine = new Set<string>();
      owned.set(name, mine);
      revokedLog.set(name, []);
      const processed = new Map<string, { topic: string; partition: number; offset: number }>();
      const done = (async () => {
        await consumer.connect();
        await consumer.subscribe([topic], {
          onPartitionsRevoked: async (ps) => {
            const offsets = ps.flatMap((p) => processed.get(key(p)) ?? []);
            if (offsets.length > 0) await consumer.commitSync(offsets);
            for (const p of ps) {
              processed.delete(key(p));
              mine.delete(key(p));
            }
            revokedLog.get(name)?.push(ps.map(key));
          },
          onPartitionsAssigned: (ps) => {
            for (const p of ps) mine.add(key(p));
          },
        });
        await consumer.run({
          eachMessage: ({ topic: t, partition, message }) => {
            const v = message.value as string;
            if (seen.has(v)) duplicates.push(`${v} by ${name} after ${seen.get(v)}`);
            seen.set(v, name);
            processed.set(`${t}-${partition}`, { topic: t, partition, offset: message.offset + 1 });
          },
        });
        // Commit what is left before leaving, as a real application would.
        const rest = [...processed.values()];
        if (rest.length > 0) await consumer.commitSync(rest);
      })();
      return { consumer, done };
    }

    async function produce(from: number, count: number): Promise<void> {
      const producer = kafka.producer();
      await producer.connect();
      await Promise.all(
        Array.from({ length: count }, (_, j) =>
          producer.send({ topic, partition: (from + j) % 12, value: `v${from + j}` }),
        ),
      );
      await producer.close();
    }

    const members = [member('a'), member('b'), member('c')];
    const sizes = () => [...owned.values()].map((s) => s.size).sort((x, y) => x - y);
    await vi.waitFor(() => expect(sizes()).toEqual([4, 4, 4]), { timeout: 20_000, interval: 20 });
    await produce(0, 600);
    await vi.waitFor(() => expect(seen.size).toBe(600), { timeout: 20_000, interval: 20 });

    const before = new Map([...owned].map(([n, s]) => [n, new Set(s)]));
    for (const log of revokedLog.values()) log.length = 0;
    const joining = produce(600, 600);
    members.push(member('d'));
    await joining;
    await vi.waitFor(() => expect(sizes()).toEqual([3, 3, 3, 3]), { timeout: 20_000, interval: 20 });
    await produce(1200, 600);
    await vi.waitFor(() => expect(seen.size).toBe(1800), { timeout: 20_000, interval: 20 });

    // Only the moved partitions were revoked: one from each old member, each one it owned.
    for (const name of ['a', 'b', 'c']) {
      const revoked = (revokedLog.get(name) ?? []).flat();
      expect(revoked).toHaveLength(1);
      expect(before.get(name)?.has(revoked[0])).toBe(true);
      for (const p of owned.get(name) ?? []) expect(before.get(name)?.has(p)).toBe(true);
    }
    for (const m of members) await m.consumer.close();
    await Promise.all(members.map((m) => m.done));
    expect(duplicates).toEqual([]);
    expect(seen.size).toBe(1800);
  });
});
