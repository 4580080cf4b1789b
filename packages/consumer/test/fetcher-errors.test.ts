/**
 * The fetcher's error path: a Fetch response that cannot be read is said at warn, and after
 * `MAX_UNREADABLE_FETCHES` in a row for the same partition `collect` (so `poll`) throws a
 * {@link RecordFetchError} naming the partition and offset, as Java's consumer raises "Received
 * exception when fetching the next record"; a corrupt batch does so at once; a batch that would
 * decompress beyond what the consumer asked for (`fetch.max.bytes`) is refused before it is
 * inflated, not after the codecs' own 256 MiB.
 */

import { CompressionType, encodeRecordBatch } from '@tskafka/protocol/internals';
import { BrokerProtocolError } from '@tskafka/transport';
import type { Cluster } from '@tskafka/transport/internals';
import { describe, expect, it } from 'vitest';
import { RecordFetchError } from '../src/errors.js';
import { Fetcher, MAX_UNREADABLE_FETCHES } from '../src/fetcher.js';
import { SubscriptionState } from '../src/subscription-state.js';

type Outcome = { records: Buffer } | { error: Error };

/** A fetcher of t-0 at offset 0 against a cluster that answers each Fetch with the next outcome. */
function setup(outcomes: Outcome[], maxBytes = 1 << 20) {
  const warnings: string[] = [];
  const cluster = {
    leaderFor: () => 0,
    requestMetadataUpdate: () => undefined,
    readyConnection: () => undefined,
    request: async () => {
      const next = outcomes.shift();
      if (next === undefined) return new Promise(() => {});
      if ('error' in next) throw next.error;
      return {
        responses: [
          {
            topic: 't',
            partitions: [
              {
                partitionIndex: 0,
                errorCode: 0,
                highWatermark: 100,
                lastStableOffset: 100,
                abortedTransactions: null,
                records: next.records,
              },
            ],
          },
        ],
      };
    },
  } as unknown as Cluster;
  const subscriptions = new SubscriptionState();
  subscriptions.assignFromUser([{ topic: 't', partition: 0 }]);
  const state = subscriptions.state('t', 0);
  if (state === undefined) throw new Error('no state for t-0');
  subscriptions.seek(state, 0);
  const fetcher = new Fetcher(
    cluster,
    subscriptions,
    {
      minBytes: 1,
      maxWaitMs: 500,
      maxBytes,
      maxPartitionBytes: Math.min(maxBytes, 1 << 20),
      isolationLevel: 0,
      checkCrcs: true,
      autoOffsetReset: 'earliest',
      requestTimeoutMs: 30_000,
    },
    { debug() {}, info() {}, warn: (m: string) => warnings.push(m), error() {} },
  );
  return { fetcher, warnings };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));
const unreadable = () => ({ error: new BrokerProtocolError('cannot decode Fetch v12 response') });

/** Sends a fetch, lets it settle, and collects. */
async function round(fetcher: Fetcher) {
  fetcher.sendFetches();
  await tick();
  await tick();
  return fetcher.collect(500);
}

describe('Fetcher errors', () => {
  it('says so at warn, then throws a RecordFetchError after repeated unreadable responses', async () => {
    const { fetcher, warnings } = setup(Array.from({ length: MAX_UNREADABLE_FETCHES }, unreadable));
    for (let i = 1; i < MAX_UNREADABLE_FETCHES; i++) expect(await round(fetcher)).toEqual([]);
    expect(warnings).toHaveLength(MAX_UNREADABLE_FETCHES - 1);
    expect(warnings[0]).toMatch(/fetch of t-0 from broker 0 failed: the response could not be read/);
    const error = await round(fetcher).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RecordFetchError);
    expect(error).toMatchObject({ topic: 't', partition: 0, offset: 0 });
    expect((error as Error).message).toMatch(
      /^Received exception when fetching the next record from t-0 at offset 0: .*seek past the record/,
    );
    expect((error as Error).cause).toBeInstanceOf(BrokerProtocolError);
  });

  it('starts counting again after a response that could be read', async () => {
    const good = encodeRecordBatch({ baseOffset: 0, timestamp: 1, records: [{ value: 'v0' }] });
    const outcomes: Outcome[] = [];
    for (let i = 1; i < MAX_UNREADABLE_FETCHES; i++) outcomes.push(unreadable());
    outcomes.push({ records: good });
    for (let i = 1; i < MAX_UNREADABLE_FETCHES; i++) outcomes.push(unreadable());
    const { fetcher } = setup(outcomes);
    let records = 0;
    for (let i = 0; i < 2 * MAX_UNREADABLE_FETCHES - 1; i++) records += (await round(fetcher)).length;
    expect(records).toBe(1);
  });

  it('throws a RecordFetchError for a corrupt batch', async () => {
    const bad = encodeRecordBatch({ baseOffset: 0, timestamp: 1, records: [{ value: 'v0' }] });
    bad[bad.length - 1] ^= 0xff; // the CRC no longer matches
    const { fetcher, warnings } = setup([{ records: bad }]);
    const error = await round(fetcher).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RecordFetchError);
    expect((error as Error).message).toMatch(/CRC/);
    expect(warnings).toHaveLength(1);
  });

  it('refuses a batch that decompresses beyond fetch.max.bytes before inflating it', async () => {
    // 8 MiB of zeros in a gzip batch of a few KiB: a bomb for a consumer that asked for 1 MiB.
    const bomb = encodeRecordBatch({
      baseOffset: 0,
      timestamp: 1,
      compression: CompressionType.Gzip,
      records: [{ value: Buffer.alloc(8 << 20) }],
    });
    expect(bomb.length).toBeLessThan(64 * 1024);
    const { fetcher } = setup([{ records: bomb }], 1 << 20);
    const error = await round(fetcher).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RecordFetchError);
    expect((error as Error).message).toMatch(/exceeds the limit of 1048576 bytes/);
  });

  it('still reads a compressed batch within what the consumer asked for', async () => {
    const batch = encodeRecordBatch({
      baseOffset: 0,
      timestamp: 1,
      compression: CompressionType.Gzip,
      records: [{ value: Buffer.alloc(512 * 1024) }],
    });
    const { fetcher } = setup([{ records: batch }], 1 << 20);
    const records = await round(fetcher);
    expect(records).toHaveLength(1);
    expect(records[0].value?.length).toBe(512 * 1024);
  });
});
