/**
 * TLS against the reference broker's SSL listener, with a self-signed certificate made by the
 * `openssl` CLI at test time.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningBroker, startBroker } from '@tskafka/broker';
import { Api, decodeRecordBatches, encodeRecordBatch } from '@tskafka/protocol/internals';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cluster, Connection, SslAuthenticationError, silentLogger } from '../src/internals.js';

function selfSignedCertificate(): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'tskafka-tls-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
      ],
      { stdio: 'ignore' },
    );
    return {
      key: readFileSync(join(dir, 'key.pem'), 'utf8'),
      cert: readFileSync(join(dir, 'cert.pem'), 'utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('TLS', () => {
  let broker: RunningBroker;
  let sslPort = 0;
  let cert = '';
  // Connections the SSL listener accepted, from the broker's debug log.
  let accepted = 0;

  beforeAll(async () => {
    const pair = selfSignedCertificate();
    cert = pair.cert;
    broker = await startBroker({
      listeners: [{ name: 'SSL', ssl: pair }],
      logLevel: 'debug',
      logger: (_level, message) => {
        if (/ on listener SSL, /.test(message)) accepted++;
      },
    });
    sslPort = broker.node.port;
  });

  afterAll(async () => {
    await broker.close();
  });

  it('connects over TLS with the tls.connect options Node users know', async () => {
    const conn = await new Connection({
      host: '127.0.0.1',
      port: sslPort,
      ssl: { ca: cert },
      logger: silentLogger,
    }).connect();
    const md = await conn.request(Api.Metadata, { topics: [] });
    expect(md.brokers[0].nodeId).toBe(1);
    conn.close();
  });

  it('reads large responses over TLS whole (records of 300 KB produced and fetched back)', async () => {
    broker.cluster.metadata.createTopic('tls-large', { numPartitions: 1, replicationFactor: 1 });
    const conn = await new Connection({
      host: '127.0.0.1',
      port: sslPort,
      ssl: { ca: cert },
      logger: silentLogger,
    }).connect();
    try {
      const value = Buffer.alloc(300_000);
      for (let i = 0; i < value.length; i++) value[i] = (i * 13) & 0xff;
      const batch = encodeRecordBatch({ baseOffset: 0, records: [{ value }, { value: value.subarray(7) }] });
      const produced = await conn.request(Api.Produce, {
        transactionalId: null,
        acks: 1,
        timeoutMs: 5000,
        topicData: [{ name: 'tls-large', partitionData: [{ index: 0, records: batch }] }],
      });
      expect(produced?.responses[0].partitionResponses[0].errorCode).toBe(0);
      // v12: topics by name (v13 and later name them by id).
      const fetched = await conn.request(
        Api.Fetch,
        {
          replicaId: -1,
          maxWaitMs: 0,
          minBytes: 1,
          maxBytes: 10_000_000,
          isolationLevel: 0,
          topics: [
            {
              topic: 'tls-large',
              partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 10_000_000 }],
            },
          ],
        },
        { maxVersion: 12 },
      );
      const records = fetched.responses[0].partitions[0].records as Buffer;
      const values = decodeRecordBatches(records).flatMap((b) => b.records.map((r) => r.value));
      expect(values).toHaveLength(2);
      expect(values[0]?.equals(value)).toBe(true);
      expect(values[1]?.equals(value.subarray(7))).toBe(true);
    } finally {
      conn.close();
    }
  });

  it('refuses a certificate it cannot verify with a non-retriable SslAuthenticationError', async () => {
    const error = await new Connection({
      host: '127.0.0.1',
      port: sslPort,
      ssl: true,
      logger: silentLogger,
    })
      .connect()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SslAuthenticationError);
    expect((error as SslAuthenticationError).retriable).toBe(false);
    expect((error as Error).message).toMatch(/TLS handshake failed/);
  });

  it('talks TLS to every broker of a Cluster', async () => {
    const before = accepted;
    const cluster = new Cluster({
      bootstrapServers: `127.0.0.1:${sslPort}`,
      ssl: { ca: cert },
      logger: silentLogger,
    });
    try {
      await cluster.connect();
      const topic = await cluster.waitForTopic('over-tls', 5000);
      expect(topic.partitions.length).toBeGreaterThan(0);
      const res = await cluster.request(cluster.leaderFor('over-tls', 0), Api.ListOffsets, {
        replicaId: -1,
        isolationLevel: 0,
        topics: [{ name: 'over-tls', partitions: [{ partitionIndex: 0, timestamp: -1 }] }],
      });
      expect(res.topics[0].partitions[0].errorCode).toBe(0);
      // The bootstrap connection and the one to node 1 (as Metadata advertised it) were both TLS.
      expect(accepted - before).toBe(2);
    } finally {
      await cluster.close();
    }
  });
});
