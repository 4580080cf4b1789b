/**
 * Golden bytes from peers we did not write: every frame that kcat and confluent-kafka-python
 * (librdkafka 2.0.2) exchanged with librdkafka's mock cluster, recorded by
 * `test/interop/capture-golden.ts` into `fixtures/golden/`. Each frame must decode with no bytes
 * left over and re-encode to the same bytes; then the decoded fields are held against what the
 * peer was asked to do. Record batches inside Produce and Fetch are checked here only at the
 * batch-header level (raw offsets); `golden-records.test.ts` decodes the records themselves.
 */
import { readdirSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { Api, apiByKey } from '../src/api.js';
import { decodeRequest, decodeResponse, encodeRequest, encodeResponse } from '../src/frame.js';
import { ConsumerProtocolAssignment } from '../src/messages/consumer-protocol-assignment.js';
import { ConsumerProtocolSubscription } from '../src/messages/consumer-protocol-subscription.js';
import { ProtocolDecodeError } from '../src/primitives/errors.js';
import { Reader } from '../src/primitives/reader.js';
import { decodeMessage, encodeMessage } from '../src/schema/codec.js';
import type { MessageDef, MessageValue } from '../src/schema/dsl.js';
import {
  batchHeaders,
  bytesOf,
  CODEC_ID,
  CODECS,
  FIXTURES,
  GOLDEN_DIR,
  type GoldenFixture,
  type GoldenFrame,
  isMockApiVersionsFallback,
  loadGolden as load,
  type ProduceInputs,
  requests,
  responses,
  responseTo,
  TOPIC,
} from './fixtures/golden/golden-fixtures.js';

const UNSUPPORTED_VERSION = 35;
const mockPort = (fx: GoldenFixture) => Number(fx.cluster.brokers[0].address.split(':')[1]);

/** Decodes and re-encodes one frame; the bytes must come back identical. */
function roundTrip(f: GoldenFrame): void {
  const api = apiByKey(f.apiKey);
  expect(api, `no schema for API key ${f.apiKey}`).toBeDefined();
  const bytes = bytesOf(f);
  if (f.direction === 'request') {
    const { header, body } = decodeRequest(api!, bytes);
    expect(header).toMatchObject({
      requestApiKey: f.apiKey,
      requestApiVersion: f.apiVersion,
      correlationId: f.correlationId,
    });
    const again = encodeRequest(api!, f.apiVersion, f.correlationId, header.clientId, body as never);
    expect(again.subarray(4).toString('hex')).toBe(f.hex);
  } else {
    const { correlationId, body } = decodeResponse(api!, f.apiVersion, bytes);
    expect(correlationId).toBe(f.correlationId);
    const again = encodeResponse(api!, f.apiVersion, f.correlationId, body as never);
    expect(again.subarray(4).toString('hex')).toBe(f.hex);
  }
}

describe('every golden frame decodes whole and re-encodes byte for byte', () => {
  it('has every fixture, and nothing unexpected', () => {
    const present = readdirSync(GOLDEN_DIR)
      .filter((n) => n.endsWith('.json'))
      .map((n) => n.slice(0, -5))
      .sort();
    expect(present).toEqual([...FIXTURES].sort());
  });

  for (const name of FIXTURES) {
    describe(name, () => {
      const fx = load(name);
      it('pairs each response with a request of the same API and version', () => {
        for (const f of fx.frames.filter((x) => x.direction === 'response')) {
          const req = fx.frames.find(
            (x) =>
              x.direction === 'request' &&
              x.connection === f.connection &&
              x.correlationId === f.correlationId,
          );
          expect(req).toMatchObject({ apiKey: f.apiKey, apiVersion: f.apiVersion });
        }
      });
      fx.frames.forEach((f, i) => {
        it(`#${i} ${f.direction} ${f.apiName} v${f.apiVersion} (correlation ${f.correlationId})`, () => {
          if (isMockApiVersionsFallback(f)) {
            // Not a clean decode: assert exactly the known mock layout instead (see above).
            expect(() => decodeResponse(Api.ApiVersions, f.apiVersion, bytesOf(f))).toThrow(
              ProtocolDecodeError,
            );
            expect(() => decodeResponse(Api.ApiVersions, 0, bytesOf(f))).toThrow(ProtocolDecodeError);
            const body = bytesOf(f).subarray(4);
            expect(body.readInt16BE(0)).toBe(UNSUPPORTED_VERSION);
            expect(body.subarray(2).toString('hex')).toBe(`01${'0012' + '0000' + '0002'}00000000`);
            return;
          }
          roundTrip(f);
        });
      });
    });
  }
});

/** Decodes an embedded data schema that starts with its int16 version, and re-encodes it. */
function decodeVersioned<M extends MessageDef>(
  schema: M,
  bytes: Buffer,
): { version: number; value: MessageValue<M> } {
  const version = bytes.readInt16BE(0);
  const value = decodeMessage(schema, version, new Reader(bytes, 2));
  expect(encodeMessage(schema, version, value as never).toString('hex')).toBe(
    bytes.subarray(2).toString('hex'),
  );
  return { version, value };
}

/** What the mock (2.0.2, ListOffsets capped at v3 by our launcher) answers to ApiVersions v0. */
const MOCK_API_VERSIONS = [
  [0, 0, 7], // Produce
  [1, 0, 11], // Fetch
  [2, 0, 3], // ListOffsets (capped)
  [3, 0, 2], // Metadata
  [8, 0, 7], // OffsetCommit
  [9, 0, 5], // OffsetFetch
  [10, 0, 2], // FindCoordinator
  [11, 0, 5], // JoinGroup
  [12, 0, 3], // Heartbeat
  [13, 0, 1], // LeaveGroup
  [14, 0, 3], // SyncGroup
  [18, 0, 2], // ApiVersions
  [22, 0, 4], // InitProducerId
  [24, 0, 1], // AddPartitionsToTxn
  [25, 0, 1], // AddOffsetsToTxn
  [26, 0, 1], // EndTxn
  [28, 0, 2], // TxnOffsetCommit
].map(([apiKey, minVersion, maxVersion]) => ({ apiKey, minVersion, maxVersion }));

describe('every session: headers and the ApiVersions handshake', () => {
  for (const name of FIXTURES) {
    it(name, () => {
      const fx = load(name);
      const python = name.startsWith('python-');
      for (const f of fx.frames.filter((x) => x.direction === 'request')) {
        expect(decodeRequest(apiByKey(f.apiKey)!, bytesOf(f)).header.clientId).toBe('rdkafka');
      }
      const connections = new Set(fx.frames.map((f) => f.connection));
      for (const c of connections) {
        const [v3, v3Reply, v0, v0Reply] = fx.frames.filter((f) => f.connection === c);
        // librdkafka opens with ApiVersions v3 and, told UNSUPPORTED_VERSION, retries with v0.
        expect(decodeRequest(Api.ApiVersions, bytesOf(v3))).toMatchObject({
          header: { requestApiVersion: 3 },
          body: python
            ? { clientSoftwareName: 'confluent-kafka-python', clientSoftwareVersion: '1.7.0-rdkafka-2.0.2' }
            : { clientSoftwareName: 'librdkafka', clientSoftwareVersion: '2.0.2' },
        });
        expect(isMockApiVersionsFallback(v3Reply)).toBe(true);
        expect(decodeRequest(Api.ApiVersions, bytesOf(v0)).header.requestApiVersion).toBe(0);
        if (v0Reply === undefined) continue; // a client that closed before the answer
        expect(decodeResponse(Api.ApiVersions, 0, bytesOf(v0Reply)).body).toMatchObject({
          errorCode: 0,
          apiKeys: MOCK_API_VERSIONS,
        });
      }
    });
  }
});

describe('kcat -L', () => {
  const fx = load('kcat-metadata');
  it('asks for brokers only, then for every topic', () => {
    expect(requests(fx, Api.Metadata).map((r) => [r.header.requestApiVersion, r.body.topics])).toEqual([
      [2, []],
      [2, null],
    ]);
  });
  it('hears the brokers, topics and partitions the mock was started with', () => {
    const [brokersOnly, all] = responses(fx, Api.Metadata).map((r) => r.body);
    const broker = { nodeId: 1, host: '127.0.0.1', port: mockPort(fx), rack: null };
    expect(brokersOnly).toMatchObject({ brokers: [broker], topics: [] });
    expect(all.clusterId).toMatch(/^mockCluster/);
    expect(all.brokers).toEqual([broker]);
    expect(all.topics).toEqual([
      {
        errorCode: 0,
        name: TOPIC,
        topicId: 'AAAAAAAAAAAAAAAAAAAAAA', // not in v2: the default
        isInternal: false,
        partitions: [0, 1].map((p) => ({
          errorCode: 0,
          partitionIndex: p,
          leaderId: 1,
          leaderEpoch: -1,
          replicaNodes: [1],
          isrNodes: [1],
          offlineReplicas: [],
        })),
        topicAuthorizedOperations: -2147483648,
      },
    ]);
  });
});

for (const codec of CODECS) {
  describe(`kcat -P -z ${codec}`, () => {
    const fx = load(`kcat-produce-${codec}`);
    const inputs = fx.inputs as ProduceInputs;
    const produced = requests(fx, Api.Produce);

    it('sends Produce v7 with acks=all to the topic, one batch per partition', () => {
      expect(produced.length).toBeGreaterThan(0);
      for (const { header, body } of produced) {
        expect(header.requestApiVersion).toBe(7);
        expect(body).toMatchObject({ transactionalId: null, acks: -1, timeoutMs: 30000 });
        expect(body.topicData.map((t) => t.name)).toEqual([TOPIC]);
        for (const p of body.topicData[0].partitionData) {
          expect([0, 1]).toContain(p.index);
          expect(p.records?.length).toBeGreaterThan(61);
        }
      }
    });

    it(`writes magic-2 batches compressed with ${codec}, holding every input record`, () => {
      let count = 0;
      for (const { body } of produced) {
        for (const p of body.topicData[0].partitionData) {
          for (const b of batchHeaders(p.records!)) {
            expect(b).toMatchObject({
              baseOffset: 0,
              // librdkafka writes 0 here; Java producers write -1 (NO_PARTITION_LEADER_EPOCH).
              partitionLeaderEpoch: 0,
              magic: 2,
              attributes: CODEC_ID[codec], // CreateTime, not transactional, not control
              producerId: -1,
              producerEpoch: -1,
              baseSequence: -1,
            });
            expect(b.lastOffsetDelta).toBe(b.recordsCount - 1);
            expect(b.baseTimestamp).toBeGreaterThanOrEqual(inputs.producedAfterMs);
            expect(b.maxTimestamp).toBeLessThanOrEqual(inputs.producedBeforeMs);
            count += b.recordsCount;
            // An independent look inside, where Node has the codec.
            const plain = codec === 'none' ? b.body : codec === 'gzip' ? gunzipSync(b.body) : null;
            if (plain) expect(plain.includes('h1')).toBe(true);
          }
        }
      }
      expect(count).toBe(inputs.records.length);
    });

    it('gets every partition accepted at offset 0 of an empty log', () => {
      for (const { frame, body } of produced) {
        const res = responseTo(fx, Api.Produce, frame).body;
        expect(res.responses.map((t) => t.name)).toEqual([TOPIC]);
        expect(res.responses[0].partitionResponses.map((p) => p.index)).toEqual(
          body.topicData[0].partitionData.map((p) => p.index),
        );
        for (const p of res.responses[0].partitionResponses) {
          expect(p).toMatchObject({ errorCode: 0, logStartOffset: 0 });
          expect(p.baseOffset).toBeGreaterThanOrEqual(0);
          // The mock answers a constant 1234 where a broker with CreateTime answers -1.
          expect(p.logAppendTimeMs).toBe(1234);
        }
      }
    });
  });
}

describe('kcat -C -o beginning -e', () => {
  const fx = load('kcat-consume');
  const fetches = responses(fx, Api.Fetch);

  it('resolves the earliest offset of each partition with ListOffsets v2', () => {
    const asked = requests(fx, Api.ListOffsets).flatMap((r) => {
      expect(r.body).toMatchObject({ replicaId: -1, isolationLevel: 1 }); // read_committed
      return r.body.topics.flatMap((t) => t.partitions.map((p) => [t.name, p.partitionIndex, p.timestamp]));
    });
    expect(asked.sort()).toEqual([
      [TOPIC, 0, -2],
      [TOPIC, 1, -2],
    ]);
    for (const r of responses(fx, Api.ListOffsets)) {
      for (const p of r.body.topics[0].partitions) expect(p).toMatchObject({ errorCode: 0, offset: 0 });
    }
  });

  it('fetches with Fetch v11 and librdkafka default limits', () => {
    for (const { header, body } of requests(fx, Api.Fetch)) {
      expect(header.requestApiVersion).toBe(11);
      expect(body).toMatchObject({
        replicaId: -1,
        maxWaitMs: 500,
        minBytes: 1,
        maxBytes: 52428800,
        isolationLevel: 1,
        sessionId: 0,
        sessionEpoch: -1,
        forgottenTopicsData: [],
        rackId: '',
      });
      expect(body.topics.map((t) => t.topic)).toEqual([TOPIC]);
      for (const p of body.topics[0].partitions) expect(p.partitionMaxBytes).toBe(1048576);
    }
  });

  it('receives every record produced, in batches of all five codecs, then empty partitions', () => {
    const hwm = new Map<number, number>();
    const codecs = new Set<number>();
    let count = 0;
    for (const { body } of fetches) {
      expect(body.errorCode).toBe(0);
      for (const p of body.responses[0].partitions) {
        expect(p).toMatchObject({ errorCode: 0, logStartOffset: 0, abortedTransactions: [] });
        expect(p.lastStableOffset).toBe(p.highWatermark);
        hwm.set(p.partitionIndex, p.highWatermark);
        for (const b of batchHeaders(p.records!)) {
          codecs.add(b.attributes & 7);
          count += b.recordsCount;
        }
      }
    }
    const produced = CODECS.reduce(
      (n, c) => n + (load(`kcat-produce-${c}`).inputs as ProduceInputs).records.length,
      0,
    );
    expect(count).toBe(produced);
    expect([...hwm.values()].reduce((a, b) => a + b, 0)).toBe(produced);
    expect([...codecs].sort()).toEqual([0, 1, 2, 3, 4]);
    const last = fetches[fetches.length - 1].body.responses[0].partitions;
    for (const p of last) expect(p.records?.length).toBe(0);
  });
});

describe('ListOffsets by timestamp', () => {
  it('kcat -Q asks for the timestamp; the mock, which does not look up timestamps, answers -1', () => {
    const fx = load('kcat-offsets-for-times');
    const ts = fx.inputs.timestampMs as number;
    const [req] = requests(fx, Api.ListOffsets);
    expect(req.body.topics).toEqual([
      {
        name: TOPIC,
        partitions: [0, 1].map((p) => ({
          partitionIndex: p,
          currentLeaderEpoch: -1,
          timestamp: ts,
          maxNumOffsets: 1,
        })),
      },
    ]);
    const res = responseTo(fx, Api.ListOffsets, req.frame).body;
    expect(res.topics[0].partitions).toEqual(
      [0, 1].map((p) => ({
        partitionIndex: p,
        errorCode: 0,
        oldStyleOffsets: [],
        timestamp: -1,
        offset: -1,
        leaderEpoch: -1,
      })),
    );
    expect(fx.inputs.kcatOutput).toBe(`${TOPIC} [0] offset -1\n${TOPIC} [1] offset -1`);
  });

  it('kcat -C -o s@<ts> falls back to the end of each partition after the -1 answer', () => {
    const fx = load('kcat-consume-timestamp');
    const [byTime, ...latest] = requests(fx, Api.ListOffsets);
    expect(byTime.body.topics[0].partitions.map((p) => p.timestamp)).toEqual([
      fx.inputs.timestampMs,
      fx.inputs.timestampMs,
    ]);
    const ends = new Map<number, number>();
    for (const r of latest) {
      const p = r.body.topics[0].partitions[0];
      expect(p.timestamp).toBe(-1); // LATEST
      ends.set(
        p.partitionIndex,
        responseTo(fx, Api.ListOffsets, r.frame).body.topics[0].partitions[0].offset,
      );
    }
    for (const { body } of requests(fx, Api.Fetch)) {
      for (const p of body.topics[0].partitions) expect(p.fetchOffset).toBe(ends.get(p.partition));
    }
  });
});

describe('kcat -G (balanced consumer)', () => {
  const fx = load('kcat-group');
  const group = fx.inputs.groupId as string;
  const [join] = requests(fx, Api.JoinGroup);
  const joined = responseTo(fx, Api.JoinGroup, join.frame).body;
  const { memberId, generationId } = joined;

  it('finds the group coordinator: the one broker, at its real address', () => {
    for (const r of requests(fx, Api.FindCoordinator)) {
      expect(r.body).toMatchObject({ key: group, keyType: 0 });
      expect(responseTo(fx, Api.FindCoordinator, r.frame).body).toMatchObject({
        errorCode: 0,
        errorMessage: null,
        nodeId: 1,
        host: '127.0.0.1',
        port: mockPort(fx),
      });
    }
  });

  it('joins with protocol type consumer, offering range and roundrobin for the topic', () => {
    expect(join.body).toMatchObject({
      groupId: group,
      sessionTimeoutMs: 45000,
      rebalanceTimeoutMs: 300000,
      memberId: '',
      groupInstanceId: null,
      protocolType: 'consumer',
    });
    expect(join.body.protocols.map((p) => p.name)).toEqual(['range', 'roundrobin']);
    for (const p of join.body.protocols) {
      // librdkafka writes an empty userData, not null (-1) as Java's consumer does.
      expect(decodeVersioned(ConsumerProtocolSubscription, p.metadata)).toEqual({
        version: 1,
        value: {
          topics: [TOPIC],
          userData: Buffer.alloc(0),
          ownedPartitions: [],
          generationId: -1,
          rackId: null,
        },
      });
    }
    expect(joined).toMatchObject({ errorCode: 0, protocolName: 'range', leader: memberId });
    expect(generationId).toBeGreaterThan(0);
    expect(joined.members).toEqual([
      { memberId, groupInstanceId: null, metadata: join.body.protocols[0].metadata },
    ]);
  });

  it('as leader, assigns both partitions to itself with SyncGroup', () => {
    const [sync] = requests(fx, Api.SyncGroup);
    expect(sync.body).toMatchObject({ groupId: group, generationId, memberId, groupInstanceId: null });
    expect(sync.body.assignments.map((a) => a.memberId)).toEqual([memberId]);
    const assignment = sync.body.assignments[0].assignment;
    expect(decodeVersioned(ConsumerProtocolAssignment, assignment)).toEqual({
      version: 0,
      value: { assignedPartitions: [{ topic: TOPIC, partitions: [0, 1] }], userData: Buffer.alloc(0) },
    });
    const synced = responseTo(fx, Api.SyncGroup, sync.frame).body;
    expect(synced.errorCode).toBe(0);
    expect(synced.assignment.equals(assignment)).toBe(true);
  });

  it('heartbeats as the member of the generation', () => {
    const beats = requests(fx, Api.Heartbeat);
    expect(beats.length).toBeGreaterThanOrEqual(2);
    for (const b of beats) {
      expect(b.body).toEqual({ groupId: group, generationId, memberId, groupInstanceId: null });
      expect(responseTo(fx, Api.Heartbeat, b.frame).body).toEqual({ throttleTimeMs: 0, errorCode: 0 });
    }
  });

  it('fetches committed offsets (none yet) for the assigned partitions', () => {
    const [req] = requests(fx, Api.OffsetFetch);
    expect(req.body).toMatchObject({ groupId: group, topics: [{ name: TOPIC, partitionIndexes: [0, 1] }] });
    const res = responseTo(fx, Api.OffsetFetch, req.frame).body;
    expect(res.errorCode).toBe(0);
    for (const p of res.topics[0].partitions) {
      expect(p).toMatchObject({ committedOffset: -1, metadata: null, errorCode: 0 });
    }
  });

  it('commits the high watermark of each partition, then leaves the group', () => {
    const hwm = new Map<number, number>();
    for (const { body } of responses(fx, Api.Fetch)) {
      for (const p of body.responses[0].partitions) hwm.set(p.partitionIndex, p.highWatermark);
    }
    const commits = requests(fx, Api.OffsetCommit);
    expect(commits.length).toBeGreaterThan(0);
    for (const c of commits) {
      expect(c.body).toMatchObject({ groupId: group, generationIdOrMemberEpoch: generationId, memberId });
      expect(
        responseTo(fx, Api.OffsetCommit, c.frame).body.topics[0].partitions.map((p) => p.errorCode),
      ).toEqual(c.body.topics[0].partitions.map(() => 0));
    }
    const last = commits[commits.length - 1].body.topics;
    expect(last.map((t) => t.name)).toEqual([TOPIC]);
    expect(last[0].partitions.map((p) => [p.partitionIndex, p.committedOffset, p.committedMetadata])).toEqual(
      [0, 1].map((p) => [p, hwm.get(p), '']),
    );
    const [leave] = requests(fx, Api.LeaveGroup);
    expect(leave.body).toMatchObject({ groupId: group, memberId });
    expect(responseTo(fx, Api.LeaveGroup, leave.frame).body.errorCode).toBe(0);
  });
});

describe('confluent-kafka-python transactional producer', () => {
  const fx = load('python-transaction');
  const inputs = fx.inputs as {
    transactionalId: string;
    groupId: string;
    partition: number;
    records: { key: string; value: string; timestamp: number; headers: { key: string; value: string }[] }[];
    committedOffset: number;
  };
  const txn = inputs.transactionalId;
  const [init] = requests(fx, Api.InitProducerId);
  const { producerId, producerEpoch } = responseTo(fx, Api.InitProducerId, init.frame).body;

  it('finds the transaction coordinator and the group coordinator', () => {
    const keys = requests(fx, Api.FindCoordinator).map((r) => [r.body.keyType, r.body.key]);
    expect(keys).toContainEqual([1, txn]);
    expect(keys).toContainEqual([0, inputs.groupId]);
  });

  it('gets a producer id for its transactional id', () => {
    expect(init.header.requestApiVersion).toBe(4);
    expect(init.body).toEqual({
      transactionalId: txn,
      transactionTimeoutMs: 60000,
      producerId: -1,
      producerEpoch: -1,
    });
    expect(producerId).toBeGreaterThan(0);
    expect(producerEpoch).toBeGreaterThanOrEqual(0);
  });

  it('adds the partition, then produces a transactional batch with explicit timestamps', () => {
    const [add] = requests(fx, Api.AddPartitionsToTxn);
    expect(add.body).toMatchObject({
      v3AndBelowTransactionalId: txn,
      v3AndBelowProducerId: producerId,
      v3AndBelowProducerEpoch: producerEpoch,
      v3AndBelowTopics: [{ name: TOPIC, partitions: [inputs.partition] }],
    });
    expect(responseTo(fx, Api.AddPartitionsToTxn, add.frame).body.errorCode).toBe(0);

    const [produce] = requests(fx, Api.Produce);
    expect(produce.body).toMatchObject({ transactionalId: txn, acks: -1 });
    const [part] = produce.body.topicData[0].partitionData;
    expect(part.index).toBe(inputs.partition);
    expect(batchHeaders(part.records!)).toMatchObject([
      {
        magic: 2,
        attributes: 0x10, // transactional, uncompressed, CreateTime
        producerId,
        producerEpoch,
        baseSequence: 0,
        recordsCount: inputs.records.length,
        baseTimestamp: inputs.records[0].timestamp,
        maxTimestamp: inputs.records[inputs.records.length - 1].timestamp,
      },
    ]);
    for (const r of inputs.records) expect(part.records!.includes(r.key)).toBe(true);
  });

  it('sends the consumer offsets to the transaction, then commits', () => {
    const [addOffsets] = requests(fx, Api.AddOffsetsToTxn);
    expect(addOffsets.body).toEqual({
      transactionalId: txn,
      producerId,
      producerEpoch,
      groupId: inputs.groupId,
    });
    const [commit] = requests(fx, Api.TxnOffsetCommit);
    expect(commit.body).toMatchObject({
      transactionalId: txn,
      groupId: inputs.groupId,
      producerId,
      producerEpoch,
    });
    expect(commit.body.topics).toEqual([
      {
        name: TOPIC,
        partitions: [
          {
            partitionIndex: inputs.partition,
            committedOffset: inputs.committedOffset,
            committedLeaderEpoch: -1,
            committedMetadata: '',
          },
        ],
      },
    ]);
    expect(responseTo(fx, Api.TxnOffsetCommit, commit.frame).body.topics[0].partitions[0].errorCode).toBe(0);
    const [end] = requests(fx, Api.EndTxn);
    expect(end.body).toEqual({ transactionalId: txn, producerId, producerEpoch, committed: true });
    expect(responseTo(fx, Api.EndTxn, end.frame).body.errorCode).toBe(0);
  });
});
