/**
 * The interop harness itself: the librdkafka mock cluster launcher, its fault-injection commands,
 * and the recording proxy with address rewriting, driven by kcat. Fails (never skips) when the
 * tools are missing, naming the Debian packages to install.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api, decodeResponse } from '../../packages/protocol/src/internals.js';
import { runKcat } from './kcat.js';
import { haveKcat, haveMockCluster, type MockCluster, startMockCluster } from './mock-cluster.js';
import { type RecordingProxy, startRecordingProxy } from './recording-proxy.js';

describe('interop tools', () => {
  it('are installed', () => {
    for (const check of [haveMockCluster(), haveKcat()]) expect(check.ok, check.message).toBe(true);
  });
});

describe('mock cluster behind the recording proxy', () => {
  let mock: MockCluster;
  let proxy: RecordingProxy;

  beforeAll(async () => {
    mock = await startMockCluster({
      brokers: 2,
      topics: [{ name: 'orders', partitions: 3, replicationFactor: 2 }],
    });
    proxy = await startRecordingProxy({ upstreams: mock.bootstrapServers.split(',') });
  });

  afterAll(async () => {
    await proxy?.close();
    await mock?.close();
  });

  it('lists every broker at its proxy address, and records the original Metadata bytes', async () => {
    const { stdout } = await runKcat(['-L', '-b', proxy.bootstrapServers]);
    const upstreams = mock.bootstrapServers.split(',');
    expect(upstreams).toHaveLength(2);
    upstreams.forEach((u, i) => {
      expect(stdout).toContain(`broker ${i + 1} at ${proxy.addressOf(u)}`);
    });
    expect(stdout).toContain('topic "orders" with 3 partitions');

    const frames = proxy.take();
    expect(proxy.problems).toEqual([]);
    const metadata = frames.filter((f) => f.direction === 'response' && f.apiKey === Api.Metadata.key);
    expect(metadata.length).toBeGreaterThan(0);
    for (const f of metadata) {
      const { body } = decodeResponse(Api.Metadata, f.apiVersion, f.bytes);
      expect(body.brokers.map((b) => `${b.host}:${b.port}`)).toEqual(upstreams);
    }
    // Each response is recorded after its request, on the same connection.
    for (const f of frames.filter((x) => x.direction === 'response')) {
      const i = frames.indexOf(f);
      expect(
        frames
          .slice(0, i)
          .some(
            (r) =>
              r.direction === 'request' &&
              r.connection === f.connection &&
              r.correlationId === f.correlationId,
          ),
      ).toBe(true);
    }
  });

  it('takes commands: topics created at run time show up in metadata', async () => {
    await mock.command('create_topic payments 2 1');
    const { stdout } = await runKcat(['-L', '-b', proxy.bootstrapServers, '-t', 'payments']);
    expect(stdout).toContain('topic "payments" with 2 partitions');
    proxy.take();
  });

  it('answers ok to fault injection, and rejects what it does not understand', async () => {
    await mock.command('push_request_errors 0 2 6 -195');
    await mock.command('clear_request_errors 0');
    await mock.command('broker_down 2');
    await mock.command('broker_up 2');
    await expect(mock.command('no_such_command 1')).rejects.toThrow(/unknown command/);
    await expect(mock.command('push_request_errors 0 3 6')).rejects.toThrow(/expected/);
    await expect(mock.command('broker_down 1\nbroker_down 2')).rejects.toThrow(/one line/);
  });

  it('closes cleanly', async () => {
    const other = await startMockCluster();
    await other.close();
    await other.close();
    await expect(other.command('broker_down 1')).rejects.toThrow(/closed/);
  });
});
