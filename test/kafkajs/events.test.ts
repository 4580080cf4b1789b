/**
 * `tskafka/kafkajs`'s instrumentation events against KafkaJS's own in the same scenario: the same
 * event names in the same order (the consumer's lifecycle, batch and commit events; fetches
 * before batches; heartbeats), with payloads of the same shape (the same keys, with values of
 * the same types), on the consumer, the producer and the admin client, network events included.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { both, until } from './harness.js';

interface Seen {
  type: string;
  payload: unknown;
}

/** A payload's shape: its keys (sorted) with the `typeof` of each value. */
function shape(payload: unknown): Record<string, string> | string {
  if (payload === null || typeof payload !== 'object') return typeof payload;
  return Object.fromEntries(
    Object.entries(payload)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => [k, Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v]),
  );
}

/** The shape of the first event of each type. */
function shapes(events: Seen[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const e of events) if (!(e.type in out)) out[e.type] = shape(e.payload);
  return out;
}

const firstOccurrences = (names: string[]) => names.filter((n, i) => names.indexOf(n) === i);
const isNetwork = (type: string) => type.includes('.network.');

describe('tskafka/kafkajs instrumentation events, differential against kafkajs 2.2.4', () => {
  it('consumer: lifecycle, fetch, batch, commit, heartbeat and network events', async () => {
    const r = await both(async ({ kafka }) => {
      const admin = kafka.admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic: 'events', numPartitions: 1 }] });
      await admin.disconnect();
      const producer = kafka.producer();
      await producer.connect();
      await producer.send({ topic: 'events', messages: [{ value: 'a' }, { value: 'b' }, { value: 'c' }] });
      await producer.disconnect();

      const consumer = kafka.consumer({ groupId: 'ev', maxWaitTimeInMs: 100, heartbeatInterval: 100 });
      const events: Seen[] = [];
      for (const name of Object.values(consumer.events))
        consumer.on(name, ({ type, payload }) => events.push({ type, payload }));
      await consumer.connect();
      await consumer.subscribe({ topics: ['events'], fromBeginning: true });
      let handled = 0;
      await consumer.run({
        eachMessage: async () => {
          handled++;
        },
      });
      const count = (type: string) => events.filter((e) => e.type === type).length;
      await until(
        'the messages are handled, heartbeats answered and fetches repeated',
        () => handled === 3 && count(consumer.events.HEARTBEAT) >= 2 && count(consumer.events.FETCH) >= 3,
      );
      await consumer.disconnect();

      const names = events.map((e) => e.type);
      const consumerNames = names.filter((n) => !isNetwork(n));
      const join = events.find((e) => e.type === consumer.events.GROUP_JOIN)?.payload as {
        memberId: string;
        memberAssignment: unknown;
        isLeader: boolean;
        groupProtocol: string;
      };
      const heartbeats = events
        .filter((e) => e.type === consumer.events.HEARTBEAT)
        .map((e) => e.payload as { groupId: string; memberId: string; groupGenerationId: number });
      const fetches = consumerNames.filter(
        (n) => n === consumer.events.FETCH_START || n === consumer.events.FETCH,
      );
      const requests = events
        .filter((e) => e.type === consumer.events.REQUEST)
        .map((e) => e.payload as { apiName: string; clientId: string; broker: string });
      return {
        // The lifecycle, batch and commit events, in order.
        lifecycle: consumerNames.filter(
          (n) =>
            n !== consumer.events.HEARTBEAT &&
            n !== consumer.events.FETCH_START &&
            n !== consumer.events.FETCH,
        ),
        // Where fetching, batches and heartbeats first come (heartbeats run on their own timer).
        firstOccurrences: firstOccurrences(consumerNames.filter((n) => n !== consumer.events.HEARTBEAT)),
        // Each fetch ends after it starts, one at a time.
        fetchesAlternate: fetches.every(
          (n, i) => n === (i % 2 === 0 ? consumer.events.FETCH_START : consumer.events.FETCH),
        ),
        join: {
          memberAssignment: join.memberAssignment,
          isLeader: join.isLeader,
          groupProtocol: join.groupProtocol,
        },
        heartbeatsOfThisMember: heartbeats.every((h) => h.groupId === 'ev' && h.memberId === join.memberId),
        requestsOfThisClient: requests.every((q) => q.clientId === 'differential' && /:\d+$/.test(q.broker)),
        groupApis: [...new Set(requests.map((q) => q.apiName))]
          .filter((a) =>
            ['JoinGroup', 'SyncGroup', 'Heartbeat', 'Fetch', 'OffsetCommit', 'LeaveGroup'].includes(a),
          )
          .sort(),
        shapes: shapes(events),
      };
    });
    expect(r.kafkajs.lifecycle).toEqual([
      'consumer.connect',
      'consumer.connect',
      'consumer.group_join',
      'consumer.start_batch_process',
      'consumer.end_batch_process',
      'consumer.commit_offsets',
      'consumer.stop',
      'consumer.disconnect',
    ]);
    expect(r.kafkajs.firstOccurrences).toEqual([
      'consumer.connect',
      'consumer.group_join',
      'consumer.fetch_start',
      'consumer.fetch',
      'consumer.start_batch_process',
      'consumer.end_batch_process',
      'consumer.commit_offsets',
      'consumer.stop',
      'consumer.disconnect',
    ]);
    expect(r.kafkajs.groupApis).toEqual([
      'Fetch',
      'Heartbeat',
      'JoinGroup',
      'LeaveGroup',
      'OffsetCommit',
      'SyncGroup',
    ]);
    expect(Object.keys(r.kafkajs.shapes)).toContain('consumer.network.request');
    expect(r.ours).toEqual(r.kafkajs);
  });

  it('producer and admin: connect, requests and disconnect, with the same payload shapes', async () => {
    const r = await both(async ({ kafka }) => {
      const admin = kafka.admin();
      const adminEvents: Seen[] = [];
      for (const name of Object.values(admin.events))
        admin.on(name, ({ type, payload }) => adminEvents.push({ type, payload }));
      await admin.connect();
      await admin.createTopics({ topics: [{ topic: 'sent', numPartitions: 1 }] });
      await admin.disconnect();
      const producer = kafka.producer();
      const producerEvents: Seen[] = [];
      for (const name of Object.values(producer.events))
        producer.on(name, ({ type, payload }) => producerEvents.push({ type, payload }));
      await producer.connect();
      await producer.send({ topic: 'sent', messages: [{ value: 'x' }] });
      await producer.disconnect();
      const apis = (events: Seen[]) =>
        events.filter((e) => isNetwork(e.type)).map((e) => (e.payload as { apiName: string }).apiName);
      return {
        admin: {
          lifecycle: adminEvents.filter((e) => !isNetwork(e.type)).map((e) => e.type),
          createTopicsSeen: apis(adminEvents).includes('CreateTopics'),
          shapes: shapes(adminEvents),
        },
        producer: {
          lifecycle: producerEvents.filter((e) => !isNetwork(e.type)).map((e) => e.type),
          produceSeen: apis(producerEvents).includes('Produce'),
          // The producer's events carry only its own requests.
          onlyItsOwn: !apis(producerEvents).includes('CreateTopics'),
          shapes: shapes(producerEvents),
        },
      };
    });
    expect(r.kafkajs.admin.lifecycle).toEqual(['admin.connect', 'admin.disconnect']);
    expect(r.kafkajs.producer).toMatchObject({ produceSeen: true, onlyItsOwn: true });
    expect(r.kafkajs.admin.createTopicsSeen).toBe(true);
    expect(r.ours).toEqual(r.kafkajs);
  });

  describe('a broker that never answers', () => {
    let silent: Server;
    let port = 0;
    const sockets = new Set<Socket>();
    beforeAll(async () => {
      silent = createServer((socket) => {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
      });
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      port = (silent.address() as { port: number }).port;
    });
    afterAll(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    });

    it('REQUEST_TIMEOUT names the request that timed out', async () => {
      const r = await both(async ({ lib }) => {
        const kafka = new lib.Kafka({
          clientId: 'silent',
          brokers: [`127.0.0.1:${port}`],
          logLevel: lib.logLevel.NOTHING,
          requestTimeout: 300,
          retry: { retries: 0 },
        });
        const admin = kafka.admin();
        const timeouts: Seen[] = [];
        admin.on(admin.events.REQUEST_TIMEOUT, ({ type, payload }) => timeouts.push({ type, payload }));
        const failed = await admin.connect().then(
          () => false,
          () => true,
        );
        await admin.disconnect();
        const first = timeouts[0]?.payload as { apiName: string; clientId: string } | undefined;
        return { failed, apiName: first?.apiName, clientId: first?.clientId, shapes: shapes(timeouts) };
      });
      expect(r.kafkajs).toMatchObject({ failed: true, apiName: 'ApiVersions', clientId: 'silent' });
      expect(r.ours).toEqual(r.kafkajs);
    });
  });
});
