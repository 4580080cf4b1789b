/**
 * ListOffsets v0 (KIP-79's predecessor: `maxNumOffsets` asked, `oldStyleOffsets` answered), which
 * lag monitors and clients that do not ask ApiVersions still send. A v0 answer of
 * UNSUPPORTED_VERSION made such a monitor show no group at all; the broker now answers latest
 * (-1) with the high watermark and earliest (-2) with the log start offset, as Kafka's
 * `legacyFetchOffsetsBefore` did. Read by kafka-python (Debian's python3-kafka) told it talks to
 * a 0.10.0 broker, which sends only ListOffsets v0, by kcat (librdkafka) told not to ask
 * ApiVersions and to assume a 0.9.0 broker, and by a raw v0 request asking for more than one
 * offset.
 */
import { spawnSync } from 'node:child_process';
import { type RunningBroker, startBroker } from '@tskafka/broker';
import { ApiKey, ErrorCode } from '@tskafka/protocol';
import { Api } from '@tskafka/protocol/internals';
import { Admin, Producer } from 'tskafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runKcat } from './kcat.js';
import { PYTHON, runPython } from './python.js';
import { WireClient } from './wire-client.js';

let broker: RunningBroker;
let bootstrap: string;
const topic = 'lag';

beforeAll(async () => {
  const r = spawnSync(PYTHON, ['-c', 'import kafka'], { encoding: 'utf8' });
  if (r.status !== 0)
    throw new Error(`kafka-python is needed under ${PYTHON}: apt-get install python3-kafka`);
  broker = await startBroker({ logLevel: 'silent' });
  bootstrap = broker.bootstrapServers[0];
  const admin = new Admin({ bootstrapServers: broker.bootstrapServers });
  const producer = new Producer({ bootstrapServers: broker.bootstrapServers });
  try {
    await admin.createTopics([{ topic, numPartitions: 2, replicationFactor: 1 }]);
    await producer.connect();
    for (let i = 0; i < 5; i++) await producer.send({ topic, partition: 0, value: `a${i}` });
    await producer.send({ topic, partition: 1, value: 'b0' });
    await admin.deleteRecords([{ topic, partition: 0, offset: 2 }]);
  } finally {
    await producer.close();
    await admin.close();
  }
});

afterAll(async () => {
  await broker?.close();
});

describe('ListOffsets v0', () => {
  it('is advertised from v0 in ApiVersions', async () => {
    const c = await WireClient.connect(bootstrap);
    try {
      const res = await c.request(Api.ApiVersions, 3, {
        clientSoftwareName: 'v0',
        clientSoftwareVersion: '1',
      });
      expect(res.apiKeys.find((k) => k.apiKey === ApiKey.ListOffsets)?.minVersion).toBe(0);
    } finally {
      c.close();
    }
  });

  it('kafka-python as a 0.10.0 client reads beginning and end offsets', async () => {
    const [offsets] = await runPython('legacy_offsets.py', [bootstrap, topic]);
    expect(offsets).toEqual({ beginning: { '0': 2, '1': 0 }, end: { '0': 5, '1': 1 } });
  });

  it('kcat without ApiVersions (broker.version.fallback=0.9.0) queries latest and earliest with v0', async () => {
    const query = (offset: number) =>
      runKcat([
        '-b',
        bootstrap,
        '-X',
        'api.version.request=false',
        '-X',
        'broker.version.fallback=0.9.0',
        '-d',
        'protocol',
        '-Q',
        '-t',
        `${topic}:0:${offset}`,
      ]);
    const latest = await query(-1);
    expect(latest.stderr).toContain('Sent ListOffsetsRequest (v0');
    expect(latest.stdout.trim()).toBe(`${topic} [0] offset 5`);
    expect((await query(-2)).stdout.trim()).toBe(`${topic} [0] offset 2`);
  });

  it('answers oldStyleOffsets newest first, at most maxNumOffsets, for latest and earliest', async () => {
    const c = await WireClient.connect(bootstrap);
    try {
      const ask = async (timestamp: number, maxNumOffsets: number, partitionIndex = 0) =>
        (
          await c.request(Api.ListOffsets, 0, {
            replicaId: -1,
            topics: [{ name: topic, partitions: [{ partitionIndex, timestamp, maxNumOffsets }] }],
          })
        ).topics[0].partitions[0];
      // One segment holding data: its base offset (raised to the log start offset), then the end.
      expect(await ask(-1, 1)).toMatchObject({ errorCode: 0, oldStyleOffsets: [5] });
      expect(await ask(-1, 10)).toMatchObject({ errorCode: 0, oldStyleOffsets: [5, 2] });
      expect(await ask(-2, 10)).toMatchObject({ errorCode: 0, oldStyleOffsets: [2] });
      expect(await ask(-1, 1, 7)).toMatchObject({
        errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
        oldStyleOffsets: [],
      });
    } finally {
      c.close();
    }
  });
});
