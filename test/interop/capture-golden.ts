/**
 * Records golden bytes from peers we did not write: kcat and confluent-kafka-python (both on
 * librdkafka 2.0.2) talk to librdkafka's mock cluster through the recording proxy, and every
 * frame of each session, both directions, is saved as a fixture under
 * `packages/protocol/test/fixtures/golden/`, which `packages/protocol/test/golden.test.ts` decodes.
 *
 * Run by hand to (re)record, from the repository root:
 *
 *   npx vitest run --config test/interop/capture-golden.config.ts
 *
 * The fixtures change on every run (timestamps, ports, the mock's cluster and topic ids), so
 * re-record only when adding sessions, and check the tests still hold.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runKcat } from './kcat.js';
import { type MockCluster, startMockCluster } from './mock-cluster.js';
import { type RecordedFrame, type RecordingProxy, startRecordingProxy } from './recording-proxy.js';

const OUT = fileURLToPath(new URL('../../packages/protocol/test/fixtures/golden/', import.meta.url));
const PYTHON = '/usr/bin/python3'; // Debian's python3-confluent-kafka, not a venv's python
const TOPIC = 'golden';
const PARTITIONS = 2;
const GROUP = 'tskafka-golden-group';
const CODECS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;

/** The records kcat -P sends for a codec, as `key:value` lines (`-K:`; `-Z` makes empty NULL). */
function produceInputs(codec: string) {
  const records: { key: string | null; value: string | null }[] = [
    { key: `k1-${codec}`, value: `v1-${codec}` },
    { key: `k2-${codec}`, value: `value two ${codec}` },
    // Compressible, so the compressed batches are visibly smaller than the records.
    { key: `k3-${codec}`, value: `${codec}-`.repeat(40) },
  ];
  if (codec === 'none') {
    records.push({ key: 'k4-none', value: null }, { key: null, value: 'no key' });
  }
  return {
    records,
    headers: [
      { key: 'h1', value: 'v1' },
      { key: 'h2', value: `${codec}` },
    ],
  };
}

let mock: MockCluster;
let proxy: RecordingProxy;
const peerVersions: Record<string, string> = {};

beforeAll(async () => {
  mock = await startMockCluster({ brokers: 1, topics: [{ name: TOPIC, partitions: PARTITIONS }] });
  proxy = await startRecordingProxy({ upstreams: mock.bootstrapServers.split(',') });
  const kcat = /Version (\S+) .*librdkafka (\S+)/.exec(execFileSync('kcat', ['-V'], { encoding: 'utf8' }));
  peerVersions.kcat = `kcat ${kcat?.[1]} / librdkafka ${kcat?.[2]}`;
  peerVersions.librdkafka = execFileSync('pkg-config', ['--modversion', 'rdkafka'], {
    encoding: 'utf8',
  }).trim();
  const py = execFileSync(
    PYTHON,
    ['-c', 'import confluent_kafka as c; print(c.version()[0], c.libversion()[0])'],
    { encoding: 'utf8' },
  ).split(' ');
  peerVersions.python = `confluent-kafka-python ${py[0]} / librdkafka ${py[1].trim()}`;
  mkdirSync(OUT, { recursive: true });
});

afterAll(async () => {
  await proxy?.close();
  await mock?.close();
});

/** Hex of frames without their size prefix, in arrival order, for the fixture. */
function fixtureFrames(frames: RecordedFrame[]) {
  return frames.map((f) => ({
    direction: f.direction,
    apiKey: f.apiKey,
    apiName: f.apiName,
    apiVersion: f.apiVersion,
    correlationId: f.correlationId,
    connection: f.connection,
    hex: f.bytes.toString('hex'),
  }));
}

/** Takes the frames of the session just run and writes them with its description. */
async function save(
  name: string,
  peer: string,
  command: string,
  note: string,
  inputs: Record<string, unknown>,
): Promise<RecordedFrame[]> {
  await sleep(300); // let the last frames of a closing client cross the proxy
  const frames = proxy.take();
  expect(proxy.problems).toEqual([]);
  expect(frames.length).toBeGreaterThan(0);
  const fixture = {
    peer,
    capturedAt: new Date().toISOString(),
    command,
    note,
    cluster: {
      kind: `librdkafka ${peerVersions.librdkafka} mock cluster (rd_kafka_mock_cluster_new), ListOffsets capped at v3`,
      brokers: [{ nodeId: 1, address: mock.bootstrapServers }],
      topics: [{ name: TOPIC, partitions: PARTITIONS, replicationFactor: 1 }],
    },
    inputs,
    frames: fixtureFrames(frames),
  };
  writeFileSync(`${OUT}${name}.json`, `${JSON.stringify(fixture, null, 2)}\n`);
  return frames;
}

function apis(frames: RecordedFrame[]): Set<string> {
  return new Set(frames.map((f) => f.apiName));
}

// The sessions run in order against one cluster: the consumers read what the producers wrote.
describe.sequential('capture golden bytes', () => {
  it('kcat -L: ApiVersions, Metadata', async () => {
    await runKcat(['-L', '-b', proxy.bootstrapServers]);
    const frames = await save(
      'kcat-metadata',
      peerVersions.kcat,
      'kcat -L -b <proxy>',
      'Cluster metadata listing: ApiVersions, then Metadata for all topics.',
      {},
    );
    expect(apis(frames)).toContain('Metadata');
  });

  let tsBeforeZstd = 0;
  for (const codec of CODECS) {
    it(`kcat -P -z ${codec}: Produce`, async () => {
      const inputs = produceInputs(codec);
      const lines = inputs.records.map((r) => `${r.key ?? ''}:${r.value ?? ''}\n`).join('');
      const headerArgs = inputs.headers.flatMap((h) => ['-H', `${h.key}=${h.value}`]);
      if (codec === 'zstd') {
        await sleep(50);
        tsBeforeZstd = Date.now();
        await sleep(50);
      }
      const before = Date.now();
      const args = ['-P', '-b', proxy.bootstrapServers, '-t', TOPIC, '-K:', '-Z', '-z', codec, ...headerArgs];
      await runKcat(args, { input: lines });
      const after = Date.now();
      const frames = await save(
        `kcat-produce-${codec}`,
        peerVersions.kcat,
        `printf '<records as key:value lines>' | kcat -P -b <proxy> -t ${TOPIC} -K: -Z -z ${codec} ${headerArgs.join(' ')}`,
        `One kcat producer run with compression.codec=${codec}. -Z sends an empty key or value as NULL. ` +
          'kcat sets no timestamps: librdkafka stamps CreateTime between producedAfterMs and producedBeforeMs. ' +
          'The keyed records go to the partition chosen by the default consistent_random partitioner.',
        { ...inputs, compression: codec, producedAfterMs: before, producedBeforeMs: after },
      );
      expect(apis(frames)).toContain('Produce');
    });
  }

  it('kcat -C -o beginning -e: ListOffsets, Fetch', async () => {
    await runKcat(['-C', '-b', proxy.bootstrapServers, '-t', TOPIC, '-o', 'beginning', '-e', '-q']);
    const frames = await save(
      'kcat-consume',
      peerVersions.kcat,
      `kcat -C -b <proxy> -t ${TOPIC} -o beginning -e -q`,
      'Simple (assign) consumer from the earliest offset to the end of each partition, after the ' +
        'kcat-produce-* sessions wrote their records (none, gzip, snappy, lz4, zstd, in that order).',
      { codecsInOrder: CODECS, records: Object.fromEntries(CODECS.map((c) => [c, produceInputs(c)])) },
    );
    expect(apis(frames)).toContain('Fetch');
  });

  it('kcat -Q: ListOffsets by timestamp', async () => {
    const targets = Array.from({ length: PARTITIONS }, (_, p) => [
      '-t',
      `${TOPIC}:${p}:${tsBeforeZstd}`,
    ]).flat();
    const { stdout } = await runKcat(['-Q', '-b', proxy.bootstrapServers, ...targets]);
    const frames = await save(
      'kcat-offsets-for-times',
      peerVersions.kcat,
      `kcat -Q -b <proxy> -t ${TOPIC}:0:<timestampMs> -t ${TOPIC}:1:<timestampMs>`,
      'offsets_for_times for every partition at a timestamp taken just before the zstd producer ran.',
      { timestampMs: tsBeforeZstd, kcatOutput: stdout.trim() },
    );
    expect(apis(frames)).toContain('ListOffsets');
  });

  it('kcat -C -o s@<ts>: ListOffsets by timestamp from a consumer', async () => {
    await runKcat(['-C', '-b', proxy.bootstrapServers, '-t', TOPIC, '-o', `s@${tsBeforeZstd}`, '-e', '-q']);
    const frames = await save(
      'kcat-consume-timestamp',
      peerVersions.kcat,
      `kcat -C -b <proxy> -t ${TOPIC} -o s@<timestampMs> -e -q`,
      'Simple consumer starting at a timestamp taken just before the zstd producer ran.',
      { timestampMs: tsBeforeZstd },
    );
    expect(apis(frames)).toContain('ListOffsets');
  });

  it('kcat -G: group membership, offsets', async () => {
    const args = [
      '-G',
      GROUP,
      '-b',
      proxy.bootstrapServers,
      '-q',
      '-X',
      'auto.offset.reset=earliest',
      '-X',
      'heartbeat.interval.ms=500',
      '-X',
      'auto.commit.interval.ms=1000',
      '-X',
      'partition.assignment.strategy=range,roundrobin',
      TOPIC,
    ];
    await runKcat(args, { stopAfterMs: 9000 });
    const frames = await save(
      'kcat-group',
      peerVersions.kcat,
      `kcat -G ${GROUP} -b <proxy> -q ${args.slice(5, -1).join(' ')} ${TOPIC}  (SIGINT after 9 s)`,
      'Balanced consumer: FindCoordinator, JoinGroup (the mock delays the join ~3 s), SyncGroup, ' +
        'OffsetFetch, Fetch, Heartbeat every 500 ms, OffsetCommit every second and on close, LeaveGroup.',
      { groupId: GROUP, topic: TOPIC, assignmentStrategies: ['range', 'roundrobin'] },
    );
    for (const api of [
      'FindCoordinator',
      'JoinGroup',
      'SyncGroup',
      'Heartbeat',
      'OffsetFetch',
      'LeaveGroup',
    ]) {
      expect(apis(frames)).toContain(api);
    }
  });

  it('confluent-kafka-python: transactional producer', async () => {
    const inputs = {
      transactionalId: 'tskafka-golden-txn',
      groupId: 'tskafka-golden-txn-group',
      partition: 0,
      records: [
        { key: 'txn-k1', value: 'txn-v1', timestamp: 1700000000000, headers: [{ key: 'th', value: 'tv' }] },
        { key: 'txn-k2', value: 'txn-v2', timestamp: 1700000000001, headers: [] },
      ],
      committedOffset: 2,
    };
    const script = `
import json, sys
from confluent_kafka import Consumer, Producer, TopicPartition
i = json.loads(sys.argv[2])
p = Producer({'bootstrap.servers': sys.argv[1], 'transactional.id': i['transactionalId']})
p.init_transactions(10)
p.begin_transaction()
for r in i['records']:
    p.produce('${TOPIC}', key=r['key'].encode(), value=r['value'].encode(), partition=i['partition'],
              timestamp=r['timestamp'], headers=[(h['key'], h['value'].encode()) for h in r['headers']])
p.flush(10)
c = Consumer({'bootstrap.servers': sys.argv[1], 'group.id': i['groupId']})
p.send_offsets_to_transaction([TopicPartition('${TOPIC}', i['partition'], i['committedOffset'])],
                              c.consumer_group_metadata(), 10)
p.commit_transaction(10)
c.close()
`;
    await runPython(script, [proxy.bootstrapServers, JSON.stringify(inputs)]);
    const frames = await save(
      'python-transaction',
      peerVersions.python,
      'python3 -c <script> (Producer with transactional.id: init_transactions, produce x2, ' +
        'send_offsets_to_transaction, commit_transaction)',
      'A transactional producer: InitProducerId, AddPartitionsToTxn, Produce with producer id/epoch ' +
        'and sequence, AddOffsetsToTxn, TxnOffsetCommit, EndTxn(commit). Timestamps set explicitly.',
      inputs,
    );
    for (const api of ['InitProducerId', 'AddPartitionsToTxn', 'Produce', 'EndTxn']) {
      expect(apis(frames)).toContain(api);
    }
  });
});

function runPython(script: string, args: string[]): Promise<string> {
  const child = spawn(PYTHON, ['-c', script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => {
    out += s;
  });
  child.stderr.setEncoding('utf8').on('data', (s: string) => {
    out += s;
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve, reject) => {
    child.once('error', (e) =>
      reject(new Error(`${PYTHON}: ${e.message} (Debian package python3-confluent-kafka)`)),
    );
    child.once('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`python exited with ${code}: ${out}`));
    });
  });
}
