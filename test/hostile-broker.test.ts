/**
 * Our clients against a hostile broker (test/hostile-broker.ts): for Metadata (the admin client's
 * listTopics) and Produce (a send), each way of spoiling a response (garbage, lengths and counts of
 * about 2^31, a frame cut short then silent or closed, a size prefix of 1.9 GiB, a wrong
 * correlation id, no answer at all) must end the call with a typed error (the SDK's error root)
 * within the client's own timeouts, leave the process running, and not allocate what the response
 * claims. The client's timeouts are short here so that each case ends in a few seconds. Fetch
 * answered with a compressed bomb (gzip, snappy, lz4, zstd) that inflates far beyond the
 * consumer's `fetch.max.bytes`: poll fails with a RecordFetchError, as for a real broker's batch
 * (test/fetch-decompression-limit.test.ts), without inflating it.
 */
import { type RunningBroker, startBroker } from '@tskafka/broker';
import { ApiKey } from '@tskafka/protocol';
import { Kafka, KafkaClientError, RecordFetchError, silentLogger } from 'tskafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOMB_BYTES, type CompressedBomb, type Hostility, startHostileBroker } from './hostile-broker.js';

let broker: RunningBroker;
beforeAll(async () => {
  broker = await startBroker({ logLevel: 'error', config: { 'num.partitions': 1 } });
  const kafka = new Kafka({ bootstrapServers: broker.bootstrapServers, logger: silentLogger });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics([{ topic: 'hostile', numPartitions: 1, replicationFactor: 1 }]);
  await admin.close();
  // One real record, so that the bombs' offset 0 is below the high watermark.
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: 'bombs', partition: 0, value: 'real' });
  await producer.close();
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

const BOMBS: CompressedBomb[] = ['gzip-bomb', 'snappy-bomb', 'lz4-bomb', 'zstd-bomb'];

/**
 * The process's resident memory now, in bytes: what a consumer that inflated a bomb would have
 * grown by, whether the codec wrote into a Buffer or into native memory (heap and Buffers alone do
 * not show a native codec's output).
 */
const memory = () => process.memoryUsage().rss;

// One at a time: each case measures the process's memory.
describe('a hostile broker answering Fetch with a compressed bomb', () => {
  it.each(BOMBS)('%s: poll fails with a RecordFetchError and does not inflate it', async (bomb) => {
    const hostile = await startHostileBroker(broker.bootstrapServers[0], ApiKey.Fetch, bomb);
    const kafka = new Kafka({ bootstrapServers: [hostile.bootstrap], logger: silentLogger });
    // The consumer logs the refused batch at warn as it refuses it: memory then still holds
    // whatever decompression allocated, before a garbage collection could hide it.
    let atRefusal = 0;
    const consumer = kafka.consumer({
      ...TIMEOUTS,
      fetchMaxBytes: 1 << 20,
      maxPartitionFetchBytes: 1 << 20,
      logger: {
        ...silentLogger,
        warn() {
          atRefusal = Math.max(atRefusal, memory());
        },
      },
    });
    try {
      await consumer.connect();
      await consumer.assign([{ topic: 'bombs', partition: 0 }]);
      await consumer.seekToBeginning([{ topic: 'bombs', partition: 0 }]);
      const before = memory();
      let error: unknown;
      // Each poll is bounded by its own timeout; a bomb answers at once, so the first polls meet it.
      for (let i = 0; i < 5 && error === undefined; i++) {
        error = await consumer.poll(TIMEOUTS.requestTimeoutMs).then(
          () => undefined,
          (e: unknown) => e,
        );
      }
      const grown = Math.max(memory(), atRefusal) - before;
      expect(error).toBeInstanceOf(RecordFetchError);
      expect(error).toBeInstanceOf(KafkaClientError);
      expect(error).toMatchObject({ topic: 'bombs', partition: 0, offset: 0 });
      // The limit is what the consumer asked for, or the fetched bytes when more (KIP-74): a
      // snappy bomb is 2.3 MiB on the wire.
      const limit = Number(
        /decompressed size exceeds the limit of (\d+) bytes/.exec((error as Error).message)?.[1],
      );
      expect(limit).toBeLessThan(3 << 20);
      expect(hostile.spoiled).toBeGreaterThan(0);
      expect(grown).toBeLessThan(BOMB_BYTES[bomb] / 4);
    } finally {
      await consumer.close({ timeoutMs: 1000 }).catch(() => {});
      await hostile.close();
    }
  });
});
