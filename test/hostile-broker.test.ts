/**
 * Our clients against a hostile broker (test/hostile-broker.ts): for Metadata (the admin client's
 * listTopics) and Produce (a send), each way of spoiling a response (garbage, lengths and counts of
 * about 2^31, a frame cut short then silent or closed, a size prefix of 1.9 GiB, a wrong
 * correlation id, no answer at all) must end the call with a typed error (the SDK's error root)
 * within the client's own timeouts, leave the process running, and not allocate what the response
 * claims. The client's timeouts are short here so that each case ends in a few seconds.
 */
import { type RunningBroker, startBroker } from '@tskafka/broker';
import { ApiKey } from '@tskafka/protocol';
import { Kafka, KafkaClientError, silentLogger } from 'tskafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Hostility, startHostileBroker } from './hostile-broker.js';

let broker: RunningBroker;
beforeAll(async () => {
  broker = await startBroker({ logLevel: 'error', config: { 'num.partitions': 1 } });
  const kafka = new Kafka({ bootstrapServers: broker.bootstrapServers, logger: silentLogger });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics([{ topic: 'hostile', numPartitions: 1, replicationFactor: 1 }]);
  await admin.close();
});
afterAll(async () => {
  await broker?.close();
});

const HOSTILITIES: Hostility[] = [
  'garbage',
  'huge-counts',
  'truncated',
  'truncated-then-close',
  'oversized',
  'wrong-correlation',
  'silent',
];

const TIMEOUTS = { requestTimeoutMs: 1000, reconnectBackoffMs: 50, reconnectBackoffMaxMs: 200 };

/** External memory (Buffers) now, in MiB: what a client that believed a 1.9 GiB size prefix would fill. */
const bufferMiB = () => process.memoryUsage().arrayBuffers / 2 ** 20;

describe.concurrent('a hostile broker', () => {
  it.each(HOSTILITIES)(
    'Metadata answered with %s: listTopics fails with a typed error',
    async (hostility) => {
      const hostile = await startHostileBroker(broker.bootstrapServers[0], ApiKey.Metadata, hostility);
      const kafka = new Kafka({ bootstrapServers: [hostile.bootstrap], logger: silentLogger });
      const admin = kafka.admin({ ...TIMEOUTS, defaultApiTimeoutMs: 2000 });
      try {
        const before = bufferMiB();
        const error = await admin.listTopics().then(
          () => null,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(KafkaClientError);
        expect(hostile.spoiled).toBeGreaterThan(0);
        expect(bufferMiB() - before).toBeLessThan(256);
      } finally {
        await admin.close({ timeoutMs: 1000 }).catch(() => {});
        await hostile.close();
      }
    },
  );

  it.each(HOSTILITIES)('Produce answered with %s: send fails with a typed error', async (hostility) => {
    const hostile = await startHostileBroker(broker.bootstrapServers[0], ApiKey.Produce, hostility);
    const kafka = new Kafka({ bootstrapServers: [hostile.bootstrap], logger: silentLogger });
    const producer = kafka.producer({
      ...TIMEOUTS,
      idempotent: false,
      acks: 1,
      lingerMs: 0,
      deliveryTimeoutMs: 2500,
      retries: 1,
    });
    try {
      await producer.connect();
      const before = bufferMiB();
      const error = await producer.send({ topic: 'hostile', value: 'v' }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(KafkaClientError);
      expect(hostile.spoiled).toBeGreaterThan(0);
      expect(bufferMiB() - before).toBeLessThan(256);
    } finally {
      await producer.close({ timeoutMs: 1000 }).catch(() => {});
      await hostile.close();
    }
  });
});
