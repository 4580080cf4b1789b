/**
 * Requests at versions the broker does not support, answered as Apache Kafka answers them:
 *
 * - ApiVersions at a version the broker cannot parse (above its highest, or negative) gets a v0
 *   response with UNSUPPORTED_VERSION that lists the ApiVersions range it does support (KIP-511),
 *   so the client can retry at a version both sides know; the connection stays open.
 * - Any other API at a version outside the schema, or an unknown API key, cannot be parsed:
 *   Kafka closes the connection (`RequestContext.parseRequest` throws InvalidRequestException), and
 *   so does the reference broker.
 * - A version the schema can parse but this broker does not serve (Produce v0-2, Fetch v0-3,
 *   which Kafka 4 removed too) is answered with the API's own error response carrying
 *   UNSUPPORTED_VERSION, so old clients get a clear error rather than a hang-up. (ListOffsets v0
 *   is served: see broker-list-offsets-v0.test.ts.)
 */
import { type RunningBroker, startBroker } from '@tskafka/broker';
import { ApiKey, ErrorCode } from '@tskafka/protocol';
import { Api, decodeResponse } from '@tskafka/protocol/internals';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runKcat } from './kcat.js';
import { WireClient } from './wire-client.js';

let broker: RunningBroker;
let bootstrap: string;

beforeAll(async () => {
  broker = await startBroker({ logLevel: 'silent' });
  bootstrap = broker.bootstrapServers[0];
});

afterAll(async () => {
  await broker?.close();
});

/**
 * A request frame with a v1 header (api key, version, correlation id, client id) and `body`,
 * built by hand, since our encoder only knows the versions its schemas cover.
 */
function rawRequest(
  apiKey: number,
  apiVersion: number,
  correlationId: number,
  body = Buffer.alloc(0),
): Buffer {
  const clientId = Buffer.from('versions-test');
  const header = Buffer.alloc(10 + clientId.length);
  header.writeInt16BE(apiKey, 0);
  header.writeInt16BE(apiVersion, 2);
  header.writeInt32BE(correlationId, 4);
  header.writeInt16BE(clientId.length, 8);
  clientId.copy(header, 10);
  const size = Buffer.alloc(4);
  size.writeInt32BE(header.length + body.length);
  return Buffer.concat([size, header, body]);
}

/** What the broker advertises for `apiKey` in a normal ApiVersions exchange. */
async function advertised(apiKey: number): Promise<{ minVersion: number; maxVersion: number }> {
  const c = await WireClient.connect(bootstrap);
  try {
    const res = await c.request(Api.ApiVersions, 3, {
      clientSoftwareName: 'versions',
      clientSoftwareVersion: '1',
    });
    const k = res.apiKeys.find((x) => x.apiKey === apiKey);
    if (!k) throw new Error(`API key ${apiKey} is not advertised`);
    return k;
  } finally {
    c.close();
  }
}

describe('ApiVersions at an unsupported version', () => {
  for (const version of [5, 127, -1]) {
    it(`v${version}: a v0 UNSUPPORTED_VERSION answer listing the supported ApiVersions range`, async () => {
      const range = await advertised(ApiKey.ApiVersions);
      const c = await WireClient.connect(bootstrap);
      try {
        // A flexible-looking body (empty tagged fields) the broker must not try to parse.
        c.write(rawRequest(ApiKey.ApiVersions, version, 77, Buffer.from([0, 0, 0])));
        const frame = await c.nextFrame();
        expect(frame).not.toBeNull();
        const { correlationId, body } = decodeResponse(Api.ApiVersions, 0, frame as Buffer);
        expect(correlationId).toBe(77);
        expect(body.errorCode).toBe(ErrorCode.UNSUPPORTED_VERSION);
        // As Kafka's ApiVersionsRequest.getErrorResponse: just the ApiVersions range.
        expect(body.apiKeys).toEqual([{ apiKey: ApiKey.ApiVersions, ...range }]);
        // The client retries at the highest version both know, on the same connection.
        const retry = await c.request(Api.ApiVersions, range.maxVersion, {
          clientSoftwareName: 'versions',
          clientSoftwareVersion: '1',
        });
        expect(retry.errorCode).toBe(ErrorCode.NONE);
        expect(retry.apiKeys.length).toBeGreaterThan(10);
      } finally {
        c.close();
      }
    });
  }
});

describe('other APIs at versions the broker cannot parse', () => {
  const cases: [string, number, number][] = [
    ['Metadata above its highest version', ApiKey.Metadata, Api.Metadata.maxVersion + 1],
    ['Produce at a negative version', ApiKey.Produce, -1],
    ['Fetch far above its highest version', ApiKey.Fetch, 1000],
    ['an unknown API key', 9999, 0],
    ['an API with no handler (Envelope, key 58)', 58, 0],
  ];
  for (const [what, apiKey, version] of cases) {
    it(`closes the connection for ${what}`, async () => {
      const c = await WireClient.connect(bootstrap);
      c.write(rawRequest(apiKey, version, 5, Buffer.alloc(16)));
      expect(await c.nextFrame()).toBeNull();
      await c.closed;
    });
  }
});

describe('versions the schema knows but the broker does not serve', () => {
  it('Produce v2 is answered with UNSUPPORTED_VERSION for each partition', async () => {
    const { minVersion } = await advertised(ApiKey.Produce);
    expect(minVersion).toBe(3);
    const c = await WireClient.connect(bootstrap);
    try {
      const res = await c.request(Api.Produce, 2, {
        acks: 1,
        timeoutMs: 1000,
        topicData: [{ name: 'old-client', partitionData: [{ index: 0, records: Buffer.alloc(0) }] }],
      });
      expect(res.responses[0].partitionResponses[0].errorCode).toBe(ErrorCode.UNSUPPORTED_VERSION);
      expect(broker.node.metadata.topics.has('old-client')).toBe(false);
      expect(c.isOpen).toBe(true);
    } finally {
      c.close();
    }
  });

  it('Fetch v3 likewise', async () => {
    expect((await advertised(ApiKey.Fetch)).minVersion).toBe(4);
    const c = await WireClient.connect(bootstrap);
    try {
      const fetch = await c.request(Api.Fetch, 3, {
        replicaId: -1,
        maxWaitMs: 0,
        minBytes: 1,
        maxBytes: 1024,
        topics: [{ topic: 't', partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 1024 }] }],
      });
      expect(fetch.responses[0].partitions[0].errorCode).toBe(ErrorCode.UNSUPPORTED_VERSION);
    } finally {
      c.close();
    }
  });

  it('a normal client still works afterwards', async () => {
    const { stdout } = await runKcat(['-b', bootstrap, '-L']);
    expect(stdout).toContain(`broker ${broker.node.nodeId} at ${bootstrap}`);
  });
});
