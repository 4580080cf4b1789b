import { type RunningBroker, startBroker } from '@tskafka/broker';
import { ApiKey, ErrorCode } from '@tskafka/protocol';
import { Api, encodeRecordBatch, encodeRequest, encodeResponse } from '@tskafka/protocol/internals';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BrokerProtocolError,
  ClientClosedError,
  Connection,
  ConnectionError,
  type ConnectionOptions,
  ConnectionPhase,
  RequestTimeoutError,
  silentLogger,
  UnsupportedApiVersionError,
} from '../src/internals.js';
import {
  allApiVersions,
  emptyMetadata,
  type FakeRequest,
  responseFor,
  startFakeBroker,
} from './fake-broker.js';

function connectionTo(port: number, extra: Partial<ConnectionOptions> = {}): Connection {
  return new Connection({ host: '127.0.0.1', port, logger: silentLogger, ...extra });
}

function metadataFor(topics: string[]) {
  return { topics: topics.map((name) => ({ name })), allowAutoTopicCreation: false };
}

describe('Connection against the reference broker', () => {
  let broker: RunningBroker;
  beforeAll(async () => {
    broker = await startBroker({ logLevel: 'silent' });
  });
  afterAll(async () => {
    await broker.close();
  });

  it('connects, negotiates the highest common version of each API and closes cleanly', async () => {
    const conn = await connectionTo(broker.node.port, { nodeId: 1 }).connect();
    expect(conn.phase).toBe(ConnectionPhase.Ready);
    expect(conn.broker).toBe(`1 (127.0.0.1:${broker.node.port})`);
    const advertised = broker.node.supportedApis().find((a) => a.apiKey === ApiKey.Metadata);
    expect(conn.versionFor(Api.Metadata)).toBe(
      Math.min(advertised?.maxVersion ?? -1, Api.Metadata.maxVersion),
    );
    expect(conn.versionFor(Api.Metadata, 4)).toBe(4);
    const closed = new Promise<Error | null>((resolve) => conn.once('close', resolve));
    conn.close();
    expect(await closed).toBeNull();
    await expect(conn.request(Api.Metadata, metadataFor([]))).rejects.toBeInstanceOf(ConnectionError);
  });

  it('pipelines requests and matches every response to its request, in order', async () => {
    const conn = await connectionTo(broker.node.port).connect();
    const names = Array.from({ length: 200 }, (_, i) => `pipelined-${i}`);
    const pending = names.map((name) => conn.request(Api.Metadata, metadataFor([name])));
    // All 200 are on the wire before the first answer can arrive.
    expect(conn.inFlightCount).toBe(200);
    const responses = await Promise.all(pending);
    expect(responses.map((r) => r.topics[0].name)).toEqual(names);
    expect(responses.every((r) => r.topics[0].errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)).toBe(true);
    expect(conn.inFlightCount).toBe(0);
    conn.close();
  });

  it('sends a pre-encoded frame in parts, writing its own correlation ids', async () => {
    const conn = await connectionTo(broker.node.port).connect();
    const v = conn.versionFor(Api.Metadata);
    const frames = ['enc-a', 'enc-b', 'enc-c'].map((name) =>
      encodeRequest(Api.Metadata, v, 0, conn.clientId, metadataFor([name])),
    );
    // The same correlation id (0) in every frame: the connection must overwrite it.
    const results = await Promise.all(
      frames.map((f, i) => conn.sendEncoded(Api.Metadata, i === 0 ? f : [f.subarray(0, 13), f.subarray(13)])),
    );
    expect(results.map((r) => r?.topics[0].name)).toEqual(['enc-a', 'enc-b', 'enc-c']);
    expect(frames.map((f) => f.readInt32BE(8))).toEqual([
      frames[0].readInt32BE(8),
      frames[0].readInt32BE(8) + 1,
      frames[0].readInt32BE(8) + 2,
    ]);
    await expect(conn.sendEncoded(Api.Produce, frames[0])).rejects.toThrow(/Produce request header/);
    conn.close();
  });

  it('resolves a Produce with acks=0 once written, with null, and keeps order with later requests', async () => {
    const conn = await connectionTo(broker.node.port).connect();
    await conn.request(Api.Metadata, { topics: [{ name: 'acks0' }], allowAutoTopicCreation: true });
    const records = encodeRecordBatch({ records: [{ value: 'a' }, { value: 'b' }] });
    const produce = {
      acks: 0,
      timeoutMs: 1000,
      topicData: [{ name: 'acks0', partitionData: [{ index: 0, records }] }],
    };
    expect(await conn.request(Api.Produce, produce)).toBeNull();
    const encoded = encodeRequest(Api.Produce, conn.versionFor(Api.Produce), 0, conn.clientId, produce);
    expect(await conn.sendEncoded(Api.Produce, encoded, false)).toBeNull();
    expect(conn.inFlightCount).toBe(0);
    // The broker handles a connection's requests in order: both batches are in before this answers.
    const offsets = await conn.request(Api.ListOffsets, {
      replicaId: -1,
      isolationLevel: 0,
      topics: [{ name: 'acks0', partitions: [{ partitionIndex: 0, timestamp: -1 }] }],
    });
    expect(offsets.topics[0].partitions[0].offset).toBe(4);
    conn.close();
  });

  it('refuses an API the broker does not offer, naming the API and both ranges', async () => {
    const lacking = await startBroker({ logLevel: 'silent' });
    try {
      lacking.node.handlers.delete(ApiKey.DescribeCluster);
      const conn = await connectionTo(lacking.node.port, { nodeId: 1 }).connect();
      expect(conn.supports(Api.DescribeCluster)).toBe(false);
      expect(conn.supports(Api.Metadata)).toBe(true);
      const error = await conn
        .request(Api.DescribeCluster, { includeClusterAuthorizedOperations: false })
        .then(
          () => null,
          (e: unknown) => e,
        );
      expect(error).toBeInstanceOf(UnsupportedApiVersionError);
      const e = error as UnsupportedApiVersionError;
      expect(e.retriable).toBe(false);
      expect(e.apiName).toBe('DescribeCluster');
      expect(e.brokerMaxVersion).toBeNull();
      expect(e.message).toContain(
        `this client supports v${Api.DescribeCluster.minVersion}-${Api.DescribeCluster.maxVersion}`,
      );
      expect(e.message).toContain('the broker does not support it');
      expect(e.message).toContain(`127.0.0.1:${lacking.node.port}`);
      // A range that does not meet the caller's floor.
      const high = await conn
        .request(Api.Metadata, metadataFor([]), { minVersion: 99 })
        .catch((x: unknown) => x);
      expect(high).toBeInstanceOf(UnsupportedApiVersionError);
      expect((high as Error).message).toMatch(/the broker supports v0-\d+/);
      conn.close();
    } finally {
      await lacking.close();
    }
  });

  it('fails with a retriable ConnectionError when nothing listens', async () => {
    const dead = await startBroker({ logLevel: 'silent' });
    const port = dead.node.port;
    await dead.close();
    const conn = connectionTo(port);
    const error = await conn.connect().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as ConnectionError).retriable).toBe(true);
    expect(conn.isClosed).toBe(true);
  });

  it('rejects requests in flight with ClientClosedError when closed by the client', async () => {
    const conn = await connectionTo(broker.node.port).connect();
    broker.node.faults.setLatency(ApiKey.Metadata, 200);
    try {
      const pending = [
        conn.request(Api.Metadata, metadataFor([])),
        conn.request(Api.Metadata, metadataFor([])),
      ];
      conn.close();
      for (const p of pending) await expect(p).rejects.toBeInstanceOf(ClientClosedError);
    } finally {
      broker.node.faults.clear();
    }
  });
});

describe('Connection against a misbehaving broker', () => {
  it('reads responses split at every byte', async () => {
    // One byte per write, one write per event-loop turn: the client sees every possible split.
    let queue = Buffer.alloc(0);
    let dribbling = false;
    const fake = await startFakeBroker((req) => {
      if (req.api !== Api.Metadata) return false;
      queue = Buffer.concat([queue, responseFor(req, Api.Metadata, emptyMetadata(1234))]);
      const dribble = (): void => {
        if (queue.length === 0 || req.socket.destroyed) {
          dribbling = false;
          return;
        }
        req.socket.write(queue.subarray(0, 1));
        queue = queue.subarray(1);
        setImmediate(dribble);
      };
      if (!dribbling) {
        dribbling = true;
        dribble();
      }
      return true;
    });
    try {
      const conn = await connectionTo(fake.port).connect();
      const [a, b] = await Promise.all([
        conn.request(Api.Metadata, metadataFor([])),
        conn.request(Api.Metadata, metadataFor([])),
      ]);
      expect(a.brokers[0].port).toBe(1234);
      expect(b.clusterId).toBe('fake');
      conn.close();
    } finally {
      await fake.close();
    }
  });

  it('closes the connection when a response comes out of order, failing everything in flight', async () => {
    const held: FakeRequest[] = [];
    const fake = await startFakeBroker((req) => {
      if (req.api !== Api.Metadata) return false;
      held.push(req);
      if (held.length === 2) {
        // Answer the second request first.
        req.socket.write(responseFor(held[1], Api.Metadata, emptyMetadata(1)));
        req.socket.write(responseFor(held[0], Api.Metadata, emptyMetadata(1)));
      }
      return true;
    });
    try {
      const conn = await connectionTo(fake.port).connect();
      const closed = new Promise<Error | null>((resolve) => conn.once('close', resolve));
      const results = await Promise.allSettled([
        conn.request(Api.Metadata, metadataFor([])),
        conn.request(Api.Metadata, metadataFor([])),
      ]);
      for (const r of results) {
        expect(r.status).toBe('rejected');
        expect((r as PromiseRejectedResult).reason).toBeInstanceOf(BrokerProtocolError);
      }
      const reason = (results[0] as PromiseRejectedResult).reason as BrokerProtocolError;
      expect(reason.message).toMatch(/does not match the oldest request in flight/);
      expect(reason.retriable).toBe(true);
      expect(await closed).toBeInstanceOf(BrokerProtocolError);
      expect(conn.isClosed).toBe(true);
    } finally {
      await fake.close();
    }
  });

  it('closes the connection when a response claims more than maxResponseSize, naming the limit', async () => {
    const fake = await startFakeBroker((req) => {
      if (req.api !== Api.Metadata) return false;
      const prefix = Buffer.alloc(8);
      prefix.writeInt32BE(10_000_000, 0);
      prefix.writeInt32BE(req.correlationId, 4);
      req.socket.write(prefix);
      return true;
    });
    try {
      const conn = await connectionTo(fake.port, { maxResponseSize: 1_000_000 }).connect();
      const closed = new Promise<Error | null>((resolve) => conn.once('close', resolve));
      const error = await conn.request(Api.Metadata, metadataFor([])).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BrokerProtocolError);
      expect((error as Error).message).toMatch(/frame of 10000000 bytes exceeds the limit of 1000000 bytes/);
      expect(await closed).toBeInstanceOf(BrokerProtocolError);
    } finally {
      await fake.close();
    }
  });

  it('times out a request: closes the connection and fails all in flight with RequestTimeoutError', async () => {
    const fake = await startFakeBroker((req) => req.api === Api.Metadata); // never answers Metadata
    try {
      const conn = await connectionTo(fake.port, { requestTimeoutMs: 100 }).connect();
      const closed = new Promise<Error | null>((resolve) => conn.once('close', resolve));
      const results = await Promise.allSettled([
        conn.request(Api.Metadata, metadataFor([])),
        conn.request(Api.Metadata, metadataFor([]), { timeoutMs: 60_000 }),
      ]);
      for (const r of results) {
        const reason = (r as PromiseRejectedResult).reason as RequestTimeoutError;
        expect(reason).toBeInstanceOf(RequestTimeoutError);
        expect(reason).toBeInstanceOf(ConnectionError);
        expect(reason.retriable).toBe(true);
        expect(reason.apiName).toBe('Metadata');
        expect(reason.timeoutMs).toBe(100);
        expect(reason.broker).toBe(`127.0.0.1:${fake.port}`);
      }
      expect(await closed).toBeInstanceOf(RequestTimeoutError);
      expect(conn.isClosed).toBe(true);
    } finally {
      await fake.close();
    }
  });

  it('retries ApiVersions at the version the broker reports after UNSUPPORTED_VERSION (KIP-511)', async () => {
    const apis = [
      { apiKey: ApiKey.ApiVersions, minVersion: 0, maxVersion: 2 },
      { apiKey: ApiKey.Metadata, minVersion: 0, maxVersion: 5 },
    ];
    const fake = await startFakeBroker((req) => {
      if (req.api !== Api.ApiVersions) return false;
      if (req.apiVersion > 2) {
        // What an old broker does: a v0 response whatever version was asked for.
        req.socket.write(
          encodeResponse(Api.ApiVersions, 0, req.correlationId, {
            errorCode: ErrorCode.UNSUPPORTED_VERSION,
            apiKeys: apis,
          }),
        );
      } else {
        req.socket.write(
          responseFor(req, Api.ApiVersions, { errorCode: 0, apiKeys: apis, throttleTimeMs: 0 }),
        );
      }
      return true;
    });
    try {
      const conn = await connectionTo(fake.port).connect();
      expect(fake.requests.map((r) => r.apiVersion)).toEqual([Api.ApiVersions.maxVersion, 2]);
      expect(conn.versionFor(Api.Metadata)).toBe(5);
      expect(conn.supports(Api.Produce)).toBe(false);
      expect(() => conn.versionFor(Api.Produce)).toThrow(UnsupportedApiVersionError);
      conn.close();
    } finally {
      await fake.close();
    }
  });

  it('fails the connection when the broker shares no ApiVersions version', async () => {
    const fake = await startFakeBroker((req) => {
      req.socket.write(
        encodeResponse(Api.ApiVersions, 0, req.correlationId, {
          errorCode: ErrorCode.UNSUPPORTED_VERSION,
          apiKeys: allApiVersions().filter((a) => a.apiKey !== ApiKey.ApiVersions),
        }),
      );
      return true;
    });
    try {
      const conn = connectionTo(fake.port);
      await expect(conn.connect()).rejects.toBeInstanceOf(UnsupportedApiVersionError);
      // It lists no ApiVersions range, so v0 is the fallback (as Java); v0 refused too: give up.
      expect(fake.requests.map((r) => r.apiVersion)).toEqual([Api.ApiVersions.maxVersion, 0]);
    } finally {
      await fake.close();
    }
  });
});
