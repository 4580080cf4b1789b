/**
 * Bad input against the reference broker over TCP: random bytes, valid requests of every API and
 * version mutated at random (bytes flipped, cut short, stretched, hostile integers written over
 * counts and lengths, wrong size prefixes), truncated requests, and size prefixes that claim far
 * more than they bring. Each connection is closed (truncated frames: unanswered, with a log line
 * naming the API and version), the process never fails, nothing it stored is garbage, a
 * connection opened before the storm is still served, and kcat still works afterwards.
 *
 * The cases come from fast-check with a random seed; set FUZZ_SEED to replay a run (the seed is in
 * the test's name and every failure message) and FUZZ_RUNS for a longer one than CI's 3,000.
 */
import { type RunningBroker, startBroker } from '@tskafka/broker';
import { CompressionType, ErrorCode } from '@tskafka/protocol';
import { Api, type ApiDef, crc32c, encodeRecordBatch, encodeRequest } from '@tskafka/protocol/internals';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runKcat } from './kcat.js';
import { WireClient } from './wire-client.js';

const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const TOPIC = 'fuzz-topic';
const VALUE = 'fuzz-value';

let broker: RunningBroker;
let bootstrap: string;
const log: { level: string; message: string }[] = [];

beforeAll(async () => {
  broker = await startBroker({
    config: { 'num.partitions': 2, 'group.initial.rebalance.delay.ms': 0 },
    logLevel: 'info',
    logger: (level, message) => log.push({ level, message }),
  });
  bootstrap = broker.bootstrapServers[0];
  await runKcat(['-b', bootstrap, '-P', '-t', TOPIC], { input: `${VALUE}\n`.repeat(20) });
});

afterAll(async () => {
  await broker?.close();
});

/** One valid request body per API (a superset of every version's fields), for the corpus. */
function bodies(): [ApiDef, unknown][] {
  const batch = encodeRecordBatch({ records: [{ key: Buffer.from('k'), value: Buffer.from(VALUE) }] });
  const group = 'fuzz-group';
  return [
    [Api.ApiVersions, { clientSoftwareName: 'fuzz', clientSoftwareVersion: '1' }],
    [Api.Metadata, { topics: [{ name: TOPIC }], allowAutoTopicCreation: false }],
    [
      Api.Produce,
      {
        transactionalId: null,
        acks: 1,
        timeoutMs: 1000,
        topicData: [{ name: TOPIC, partitionData: [{ index: 0, records: batch }] }],
      },
    ],
    [
      Api.Fetch,
      {
        replicaId: -1,
        maxWaitMs: 20,
        minBytes: 1,
        maxBytes: 65536,
        isolationLevel: 0,
        sessionId: 0,
        sessionEpoch: -1,
        topics: [{ topic: TOPIC, partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 65536 }] }],
        forgottenTopicsData: [],
        rackId: '',
      },
    ],
    [
      Api.ListOffsets,
      {
        replicaId: -1,
        isolationLevel: 0,
        topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, timestamp: -2 }] }],
      },
    ],
    [
      Api.CreateTopics,
      {
        topics: [{ name: 'fuzz-new', numPartitions: 2, replicationFactor: 1, assignments: [], configs: [] }],
        timeoutMs: 1000,
        validateOnly: true,
      },
    ],
    [
      Api.CreatePartitions,
      { topics: [{ name: TOPIC, count: 3, assignments: null }], timeoutMs: 1000, validateOnly: true },
    ],
    [Api.FindCoordinator, { key: group, keyType: 0, coordinatorKeys: [group] }],
    [
      Api.JoinGroup,
      {
        groupId: group,
        sessionTimeoutMs: 6000,
        rebalanceTimeoutMs: 100,
        memberId: '',
        groupInstanceId: null,
        protocolType: 'consumer',
        protocols: [{ name: 'range', metadata: Buffer.from([0, 0, 0, 0, 0, 0]) }],
      },
    ],
    [Api.Heartbeat, { groupId: group, generationId: 1, memberId: 'm', groupInstanceId: null }],
    [
      Api.OffsetCommit,
      {
        groupId: group,
        generationIdOrMemberEpoch: -1,
        memberId: '',
        groupInstanceId: null,
        topics: [
          { name: TOPIC, partitions: [{ partitionIndex: 0, committedOffset: 1, committedMetadata: '' }] },
        ],
      },
    ],
    [
      Api.OffsetFetch,
      {
        groupId: group,
        topics: [{ name: TOPIC, partitionIndexes: [0] }],
        groups: [{ groupId: group, topics: [{ name: TOPIC, partitionIndexes: [0] }] }],
        requireStable: false,
      },
    ],
    [Api.DescribeGroups, { groups: [group], includeAuthorizedOperations: false }],
    [Api.ListGroups, { statesFilter: [], typesFilter: [] }],
    [Api.InitProducerId, { transactionalId: null, transactionTimeoutMs: 60000 }],
    [
      Api.DescribeConfigs,
      {
        resources: [{ resourceType: 2, resourceName: TOPIC, configurationKeys: null }],
        includeSynonyms: true,
      },
    ],
    [Api.DescribeCluster, { includeClusterAuthorizedOperations: false }],
    [Api.SaslHandshake, { mechanism: 'PLAIN' }],
  ];
}

/**
 * Every body encoded at every version the broker serves. The encoder refuses a field a version
 * does not have, so such top-level fields are dropped for that version (the error names them).
 */
function corpus(): { name: string; version: number; frame: Buffer }[] {
  const out: { name: string; version: number; frame: Buffer }[] = [];
  for (const [api, full] of bodies()) {
    const handler = broker.node.handlers.get(api.key);
    if (!handler) throw new Error(`no handler for ${api.name}`);
    for (let v = handler.minVersion; v <= handler.maxVersion; v++) {
      const body = { ...(full as Record<string, unknown>) };
      for (;;) {
        try {
          out.push({
            name: api.name,
            version: v,
            frame: encodeRequest(api, v, 1000 + v, 'fuzz', body as never),
          });
          break;
        } catch (e) {
          const field = /: (\w+): field is not in version/.exec((e as Error).message)?.[1];
          if (!field || !(field in body)) throw e;
          delete body[field];
        }
      }
    }
  }
  return out;
}

/** Writes `bytes` on a new connection, half-closes it, and returns what came back once it closed. */
async function exchange(bytes: Buffer): Promise<Buffer[]> {
  const c = await WireClient.connect(bootstrap);
  c.write(bytes);
  c.end();
  const frames: Buffer[] = [];
  for (let f = await c.nextFrame(); f !== null; f = await c.nextFrame()) frames.push(f);
  await c.closed;
  return frames;
}

/** Runs `cases` on up to `width` connections at a time. */
async function storm<T>(cases: T[], width: number, run: (c: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < cases.length) await run(cases[next++]);
    }),
  );
}

/** Sets the size prefix to the frame's real length. */
function resized(body: Buffer): Buffer {
  const out = Buffer.alloc(4 + body.length);
  out.writeInt32BE(body.length, 0);
  body.copy(out, 4);
  return out;
}

const HOSTILE_INTS = [0x7fffffff, -1, -2, 0x80000000 | 0, 0x10000000, 65536, 0];

type Mutation =
  | { kind: 'flip'; pos: number; xor: number }
  | { kind: 'int32'; pos: number; value: number }
  | { kind: 'int16'; pos: number; value: number }
  | { kind: 'truncate'; cut: number }
  | { kind: 'extend'; bytes: Uint8Array }
  | { kind: 'splice'; pos: number; bytes: Uint8Array }
  | { kind: 'size'; size: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), pos: fc.nat(), xor: fc.integer({ min: 1, max: 255 }) }),
  fc.record({
    kind: fc.constant('int32' as const),
    pos: fc.nat(),
    value: fc.oneof(fc.constantFrom(...HOSTILE_INTS), fc.integer()),
  }),
  fc.record({
    kind: fc.constant('int16' as const),
    pos: fc.nat(),
    value: fc.constantFrom(0x7fff, -1, -2, 0x8000 - 0x10000, 1000),
  }),
  fc.record({ kind: fc.constant('truncate' as const), cut: fc.nat() }),
  fc.record({ kind: fc.constant('extend' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }) }),
  fc.record({
    kind: fc.constant('splice' as const),
    pos: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }),
  }),
  fc.record({ kind: fc.constant('size' as const), size: fc.integer() }),
);

/** Applies `m` to a frame's body (after the size prefix); the prefix is fixed up unless `m` sets it. */
function mutate(frame: Buffer, m: Mutation): Buffer {
  const body = Buffer.from(frame.subarray(4));
  switch (m.kind) {
    case 'flip':
      body[m.pos % body.length] ^= m.xor;
      return resized(body);
    case 'int32':
      if (body.length >= 4) body.writeInt32BE(m.value | 0, m.pos % (body.length - 3));
      return resized(body);
    case 'int16':
      body.writeInt16BE(m.value, m.pos % (body.length - 1));
      return resized(body);
    case 'truncate':
      return resized(body.subarray(0, m.cut % body.length));
    case 'extend':
      return resized(Buffer.concat([body, m.bytes]));
    case 'splice': {
      const at = m.pos % body.length;
      return resized(Buffer.concat([body.subarray(0, at), m.bytes, body.subarray(at + m.bytes.length)]));
    }
    case 'size': {
      const out = Buffer.from(frame);
      out.writeInt32BE(m.size | 0, 0);
      return out;
    }
  }
}

describe(`the broker under bad input (FUZZ_SEED=${SEED})`, () => {
  it('survives random bytes and mutated frames on many connections, closing each bad one', async () => {
    const keepAlive = await WireClient.connect(bootstrap);
    const frames = corpus();
    expect(new Set(frames.map((f) => f.name)).size).toBe(bodies().length);
    expect(frames.length).toBeGreaterThan(100);
    // The corpus itself is valid: one of each answered normally.
    for (const f of frames.filter((x) => x.name !== 'JoinGroup').slice(0, 40)) {
      expect((await exchange(f.frame)).length, `${f.name} v${f.version} (seed ${SEED})`).toBe(1);
    }

    const mutated = fc.sample(fc.tuple(fc.nat({ max: frames.length - 1 }), mutation), {
      numRuns: Number(process.env.FUZZ_RUNS ?? 3000),
      seed: SEED,
    });
    await storm(mutated, 24, async ([i, m]) => {
      const bytes = mutate(frames[i].frame, m);
      const answers = await exchange(bytes);
      // At most one answer per frame sent; a wrong size prefix may split or join frames.
      if (m.kind !== 'size' && m.kind !== 'extend') {
        expect(
          answers.length,
          `${frames[i].name} v${frames[i].version} ${JSON.stringify(m)} seed ${SEED}`,
        ).toBeLessThanOrEqual(1);
      }
    });

    const random = fc.sample(fc.uint8Array({ minLength: 0, maxLength: 300 }), {
      numRuns: 300,
      seed: SEED + 1,
    });
    await storm(random, 24, async (bytes) => {
      await exchange(Buffer.from(bytes));
    });

    // The connection opened before the storm is still served.
    const md = await keepAlive.request(Api.Metadata, 12, { topics: [{ name: TOPIC }] });
    expect(md.topics[0].errorCode).toBe(0);
    keepAlive.close();
    // Nothing the broker failed to expect: bad input is the client's error, never an internal one.
    expect(log.filter((l) => l.level === 'error').map((l) => l.message)).toEqual([]);
  }, 50_000);

  it('closes a truncated request unanswered, with a log line naming its API and version', async () => {
    const frames = corpus().filter((f) => f.name !== 'ApiVersions');
    await storm(frames, 16, async (f) => {
      // Cut after the header's api key, version, correlation id and client id, half way through
      // the rest, with a size prefix that matches the cut.
      const headerLength = 8 + 2 + 'fuzz'.length;
      const body = f.frame.subarray(4);
      const cut = headerLength + Math.floor((body.length - headerLength) / 2);
      if (cut >= body.length) return;
      const before = log.length;
      expect(await exchange(resized(body.subarray(0, cut))), `${f.name} v${f.version}`).toEqual([]);
      expect(log.slice(before).some((l) => l.message.includes(`${f.name} v${f.version}`))).toBe(true);
    });
  });

  it('answers a Produce whose batch has a valid CRC but garbage inside, and stores nothing unreadable', async () => {
    const topic = 'fuzz-batches';
    broker.cluster.metadata.createTopic(topic, { numPartitions: 1, replicationFactor: 1 });
    const c = await WireClient.connect(bootstrap);
    const batches = [
      CompressionType.None,
      CompressionType.Gzip,
      CompressionType.Snappy,
      CompressionType.Lz4,
      CompressionType.Zstd,
    ].map((compression) =>
      encodeRecordBatch({
        compression,
        records: Array.from({ length: 5 }, (_, i) => ({
          key: Buffer.from(`key-${i}`),
          value: Buffer.from(`value-${i}-${'x'.repeat(i * 10)}`),
          headers: { h: `header-${i}` },
        })),
      }),
    );
    const cases = fc.sample(
      fc.tuple(
        fc.nat({ max: batches.length - 1 }),
        fc.array(fc.tuple(fc.nat(), fc.oneof(fc.integer({ min: 1, max: 255 }), fc.constant(0x80))), {
          minLength: 1,
          maxLength: 4,
        }),
      ),
      { numRuns: 400, seed: SEED + 2 },
    );
    const codes = new Set<number>();
    for (const [b, flips] of cases) {
      const batch = Buffer.from(batches[b]);
      // Anything after the CRC field (attributes, offsets, counts, records), then a CRC that matches.
      for (const [pos, xor] of flips) batch[21 + (pos % (batch.length - 21))] ^= xor;
      batch.writeUInt32BE(crc32c(batch.subarray(21)), 17);
      const res = await c.request(Api.Produce, 9, {
        transactionalId: null,
        acks: 1,
        timeoutMs: 1000,
        topicData: [{ name: topic, partitionData: [{ index: 0, records: batch }] }],
      });
      const code = res.responses[0].partitionResponses[0].errorCode;
      codes.add(code);
      expect(code, `batch ${b} flips ${JSON.stringify(flips)} seed ${SEED}`).not.toBe(
        ErrorCode.UNKNOWN_SERVER_ERROR,
      );
    }
    c.close();
    expect(codes.has(ErrorCode.NONE)).toBe(true); // some flips only change a key or value byte
    expect([...codes].filter((x) => x !== ErrorCode.NONE).length).toBeGreaterThan(0);
    expect(log.filter((l) => l.level === 'error').map((l) => l.message)).toEqual([]);
    // Every stored record reads back: one per offset, and kcat reports no error.
    const end = broker.node.replicaManager.getPartition(topic, 0)?.logEndOffset ?? -1;
    const read = await runKcat(['-b', bootstrap, '-C', '-t', topic, '-o', 'beginning', '-e', '-f', '%o\n']);
    expect(read.stderr).not.toMatch(/ERROR/);
    expect(read.stdout.split('\n').filter(Boolean).map(Number)).toEqual(
      Array.from({ length: end }, (_, i) => i),
    );
  });

  it("refuses hostile partition counts with POLICY_VIOLATION, as Kafka's 10,000 per request cap", async () => {
    const c = await WireClient.connect(bootstrap);
    try {
      const create = (topics: [string, number][], validateOnly = false) =>
        c.request(Api.CreateTopics, 7, {
          topics: topics.map(([name, numPartitions]) => ({
            name,
            numPartitions,
            replicationFactor: 1,
            assignments: [],
            configs: [],
          })),
          timeoutMs: 1000,
          validateOnly,
        });
      const huge = await create([['huge', 0x7fffffff]]);
      expect(huge.topics[0]).toMatchObject({
        errorCode: ErrorCode.POLICY_VIOLATION,
        errorMessage: 'Excessively large number of partitions per request.',
      });
      // The cap is on the whole request: both topics fail, though each alone would pass.
      const split = await create([
        ['half-a', 6000],
        ['half-b', 6000],
      ]);
      expect(split.topics.map((t) => t.errorCode)).toEqual([
        ErrorCode.POLICY_VIOLATION,
        ErrorCode.POLICY_VIOLATION,
      ]);
      expect((await create([['at-the-cap', 10_000]], true)).topics[0].errorCode).toBe(ErrorCode.NONE);
      const partitions = broker.node.metadata.topics.get(TOPIC)?.partitions.length;
      const grow = await c.request(Api.CreatePartitions, 3, {
        topics: [{ name: TOPIC, count: 0x7fffffff, assignments: null }],
        timeoutMs: 1000,
        validateOnly: false,
      });
      expect(grow.results[0].errorCode).toBe(ErrorCode.POLICY_VIOLATION);
      for (const name of ['huge', 'half-a', 'half-b', 'at-the-cap'])
        expect(broker.node.metadata.topics.has(name)).toBe(false);
      expect(broker.node.metadata.topics.get(TOPIC)?.partitions.length).toBe(partitions);
    } finally {
      c.close();
    }
  });

  it('never allocates what a size prefix claims, and refuses one above socket.request.max.bytes', async () => {
    const limit = broker.node.config.socketRequestMaxBytes;
    const prefix = (size: number) => {
      const b = Buffer.alloc(4 + 16);
      b.writeInt32BE(size, 0);
      return b;
    };
    const before = process.memoryUsage().arrayBuffers;
    // Twenty connections each promising just under the limit (2 GB in all), then sending 16 bytes.
    const waiting = await Promise.all(Array.from({ length: 20 }, () => WireClient.connect(bootstrap)));
    for (const c of waiting) c.write(prefix(limit - 1));
    const other = await WireClient.connect(bootstrap);
    const md = await other.request(Api.Metadata, 12, { topics: null });
    other.close();
    expect(md.brokers).toHaveLength(1); // served while they wait
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(limit / 2);
    for (const c of waiting) expect(c.isOpen).toBe(true);
    for (const c of waiting) c.close();

    const over = log.length;
    expect(await exchange(prefix(limit + 1))).toEqual([]);
    expect(await exchange(prefix(-5))).toEqual([]);
    expect(log.slice(over).some((l) => l.message.includes('exceeds the limit'))).toBe(true);
  });

  it('keeps serving a normal client afterwards, with nothing corrupt stored', async () => {
    const { stdout } = await runKcat(['-b', bootstrap, '-L']);
    expect(stdout).toContain(`broker 1 at ${bootstrap}`);
    await runKcat(['-b', bootstrap, '-P', '-t', 'after-fuzz', '-K:'], { input: 'a:1\nb:2\n' });
    const after = await runKcat([
      '-b',
      bootstrap,
      '-C',
      '-t',
      'after-fuzz',
      '-o',
      'beginning',
      '-e',
      '-q',
      '-f',
      '%k:%s\n',
    ]);
    expect(after.stdout.split('\n').filter(Boolean).sort()).toEqual(['a:1', 'b:2']);
    // Whatever mutated Produce requests got stored are whole copies of the valid batch.
    const stored = await runKcat(['-b', bootstrap, '-C', '-t', TOPIC, '-o', 'beginning', '-e', '-q']);
    const values = stored.stdout.split('\n').filter(Boolean);
    expect(values.length).toBeGreaterThanOrEqual(20);
    expect(new Set(values)).toEqual(new Set([VALUE]));
  });
});
