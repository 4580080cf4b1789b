/**
 * A compressed batch that inflates far beyond what the consumer asked for (a gzip bomb) is
 * refused by `poll` with a RecordFetchError naming the partition and the limit, before it is
 * inflated, instead of after 256 MiB: 8 MiB of zeros, gzip-compressed to a few KiB, against a
 * consumer with `fetch.max.bytes` and `max.partition.fetch.bytes` of 1 MiB. (kcat would be the
 * producer we did not write, but its batch of this one record reached the broker uncompressed.)
 */
import { startBroker } from '@tskafka/broker';
import { Kafka, RecordFetchError } from 'tskafka';
import { afterEach, describe, expect, it } from 'vitest';

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('a fetched batch that decompresses beyond fetch.max.bytes', () => {
  it('fails poll with a RecordFetchError instead of inflating it', async () => {
    const broker = await startBroker({ logLevel: 'silent', config: { 'num.partitions': 1 } });
    cleanups.push(() => broker.close());
    const bootstrap = broker.bootstrapServers[0];
    const kafka = new Kafka({ bootstrapServers: [bootstrap], clientId: 'decompression-limit' });
    const producer = kafka.producer({ compression: 'gzip', maxRequestSize: 20_000_000 });
    cleanups.push(() => producer.close());
    await producer.connect();
    await producer.send({ topic: 'bomb', partition: 0, value: Buffer.alloc(8 << 20) });
    const stored = broker.node.replicaManager.getPartition('bomb', 0);
    expect(stored?.log.read(0, 1 << 30).records.reduce((n, b) => n + b.length, 0)).toBeLessThan(1 << 20);
    const consumer = kafka.consumer({
      fetchMaxBytes: 1 << 20,
      maxPartitionFetchBytes: 1 << 20,
      logger: { debug() {}, info() {}, warn() {}, error() {} },
    });
    cleanups.push(() => consumer.close());
    await consumer.connect();
    await consumer.assign([{ topic: 'bomb', partition: 0 }]);
    await consumer.seekToBeginning([{ topic: 'bomb', partition: 0 }]);
    let error: unknown;
    for (let i = 0; i < 20 && error === undefined; i++) {
      try {
        await consumer.poll(500);
      } catch (e) {
        error = e;
      }
    }
    expect(error).toBeInstanceOf(RecordFetchError);
    expect(error).toMatchObject({ topic: 'bomb', partition: 0, offset: 0 });
    expect((error as Error).message).toMatch(/exceeds the limit of 1048576 bytes/);
  });
});
