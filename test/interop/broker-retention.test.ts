/**
 * Retention end to end, through the broker's own APIs: a topic created with a small
 * `segment.bytes` and a `retention.bytes` rolls segments as kcat writes to it, the broker's
 * retention check deletes the oldest whole segments (their files are gone from the data
 * directory), ListOffsets earliest moves forward, and a fetch below the new log start answers
 * OFFSET_OUT_OF_RANGE. Then `retention.ms` set with IncrementalAlterConfigs deletes everything but
 * the active segment.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningBroker, startBroker } from '@tskafka/broker';
import { ErrorCode } from '@tskafka/protocol';
import { Api } from '@tskafka/protocol/internals';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until as untilWithin } from '../until.js';

/** Resolves once `condition` holds; fails with `what` after 20 s. */
const until = (what: string, condition: () => boolean | Promise<boolean>) =>
  untilWithin(what, condition, 20_000);

import { runKcat } from './kcat.js';
import { WireClient } from './wire-client.js';

const SEGMENT_BYTES = 16 * 1024;
const RETENTION_BYTES = 48 * 1024;

let broker: RunningBroker;
let dir: string;
let client: WireClient;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tskafka-retention-'));
  broker = await startBroker({
    dataDir: dir,
    // Retention runs every 100 ms here, instead of Kafka's five minutes.
    config: { 'log.retention.check.interval.ms': 100 },
    logLevel: 'error',
  });
  client = await WireClient.connect(broker.bootstrapServers[0]);
});

afterAll(async () => {
  client?.close();
  await broker?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** ListOffsets earliest (-2) and latest (-1) of partition 0. */
async function offsets(topic: string): Promise<{ earliest: number; latest: number }> {
  const ask = async (timestamp: number) => {
    const res = await client.request(Api.ListOffsets, 7, {
      replicaId: -1,
      isolationLevel: 0,
      topics: [{ name: topic, partitions: [{ partitionIndex: 0, timestamp }] }],
    });
    const p = res.topics[0].partitions[0];
    expect(p.errorCode).toBe(ErrorCode.NONE);
    return Number(p.offset);
  };
  return { earliest: await ask(-2), latest: await ask(-1) };
}

/** The segment files of partition 0, by extension. */
function segmentFiles(topic: string): { log: string[]; index: string[]; timeindex: string[] } {
  const files = readdirSync(join(dir, `${topic}-0`));
  const ext = (e: string) => files.filter((f) => f.endsWith(e)).sort();
  return { log: ext('.log'), index: ext('.index'), timeindex: ext('.timeindex') };
}

describe('retention through the broker', () => {
  it('rolls segments, deletes the oldest by retention.bytes and then retention.ms, and moves the log start', async () => {
    const topic = 'retained';
    const admin = new Kafka({ brokers: broker.bootstrapServers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      await admin.createTopics({
        topics: [
          {
            topic,
            numPartitions: 1,
            configEntries: [
              { name: 'segment.bytes', value: String(SEGMENT_BYTES) },
              { name: 'retention.bytes', value: String(RETENTION_BYTES) },
            ],
          },
        ],
      });
    } finally {
      await admin.disconnect();
    }
    // About 200 KB in batches of a few KB: a dozen segments of 16 KB.
    const lines = Array.from({ length: 2000 }, (_, i) => `${i}:${'v'.repeat(90)}`);
    await runKcat(['-b', broker.bootstrapServers[0], '-P', '-t', topic, '-X', 'batch.size=4096'], {
      input: `${lines.join('\n')}\n`,
    });
    const { latest } = await offsets(topic);
    expect(latest).toBe(2000);

    // retention.bytes: the oldest segments go while the rest would still be over the limit
    // (Kafka's rule), and the active one always stays.
    const overLimit = () => {
      const sizes = segmentFiles(topic).log.map((f) => statSync(join(dir, `${topic}-0`, f)).size);
      return sizes.reduce((a, b) => a + b, 0) - sizes[0] >= RETENTION_BYTES;
    };
    await until('retention.bytes deleted the old segments', () => !overLimit());
    const afterBytes = await offsets(topic);
    expect(afterBytes.earliest).toBeGreaterThan(0);
    const files = segmentFiles(topic);
    // The log starts at the base offset of the oldest segment left, whose file name says it.
    expect(Number(files.log[0].slice(0, 20))).toBe(afterBytes.earliest);
    expect(files.log.length).toBeGreaterThan(1);
    // Every segment's indexes went with it.
    expect(files.index).toEqual(files.log.map((f) => f.replace('.log', '.index')));
    expect(files.timeindex).toEqual(files.log.map((f) => f.replace('.log', '.timeindex')));
    expect(afterBytes.latest).toBe(2000);

    // A fetch below the log start is out of range; at the log start it returns the first record left.
    const fetch = async (fetchOffset: number) => {
      const res = await client.request(Api.Fetch, 12, {
        replicaId: -1,
        maxWaitMs: 0,
        minBytes: 1,
        maxBytes: 1 << 20,
        isolationLevel: 0,
        sessionId: 0,
        sessionEpoch: -1,
        topics: [
          {
            topic,
            partitions: [{ partition: 0, fetchOffset, logStartOffset: -1, partitionMaxBytes: 1 << 20 }],
          },
        ],
        forgottenTopicsData: [],
        rackId: '',
      });
      return res.responses[0].partitions[0];
    };
    const below = await fetch(afterBytes.earliest - 1);
    expect(below.errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
    expect(Number(below.logStartOffset)).toBe(afterBytes.earliest);
    expect((await fetch(0)).errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
    const at = await fetch(afterBytes.earliest);
    expect(at.errorCode).toBe(ErrorCode.NONE);
    expect(at.records?.length ?? 0).toBeGreaterThan(0);
    // Past the end is out of range too; at the end there is nothing yet.
    expect((await fetch(2001)).errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
    const atEnd = await fetch(2000);
    expect(atEnd.errorCode).toBe(ErrorCode.NONE);
    expect(Number(atEnd.highWatermark)).toBe(2000);
    expect(atEnd.records?.length ?? 0).toBe(0);
    // A consumer positioned below the log start is told so, and resets to the earliest record.
    const reset = await runKcat(
      ['-b', broker.bootstrapServers[0], '-C', '-t', topic, '-p', '0', '-o', '0', '-e', '-q'].concat([
        '-X',
        'auto.offset.reset=earliest',
      ]),
      { timeoutMs: 15_000 },
    );
    expect(reset.stdout.split('\n').filter(Boolean)).toEqual(lines.slice(afterBytes.earliest));
    // A consumer reads exactly what is left: from the new log start to the end.
    const { stdout } = await runKcat([
      '-b',
      broker.bootstrapServers[0],
      '-C',
      '-t',
      topic,
      '-o',
      'beginning',
      '-e',
      '-q',
    ]);
    expect(stdout.split('\n').filter(Boolean)).toEqual(lines.slice(afterBytes.earliest));

    // retention.ms=0: every closed segment is older than that; only the active one stays.
    const altered = await client.request(Api.IncrementalAlterConfigs, 1, {
      resources: [
        {
          resourceType: 2,
          resourceName: topic,
          configs: [{ name: 'retention.ms', configOperation: 0, value: '0' }],
        },
      ],
      validateOnly: false,
    });
    expect(altered.responses[0].errorCode).toBe(ErrorCode.NONE);
    await until('retention.ms deleted every closed segment', () => segmentFiles(topic).log.length === 1);
    const active = segmentFiles(topic).log[0];
    const afterTime = await offsets(topic);
    expect(afterTime.earliest).toBe(Number(active.slice(0, 20)));
    expect(afterTime.earliest).toBeGreaterThan(afterBytes.earliest);
    expect(afterTime.latest).toBe(2000);
    expect((await fetch(afterBytes.earliest)).errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
  });
});
