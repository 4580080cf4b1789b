/**
 * `tskafka topics --describe` when the topic's configs cannot be read (here DescribeConfigs
 * answered with CLUSTER_AUTHORIZATION_FAILED): the partitions are still printed, and the failure
 * is a warning on stderr with its cause rather than an empty `Configs:` that looks like "none set".
 */
import { PassThrough } from 'node:stream';
import { type RunningBroker, startBroker } from '@tskafka/broker';
import { Api, ErrorCode } from '@tskafka/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topicsCommand } from '../src/index.js';

let broker: RunningBroker;
let bootstrap: string;

beforeAll(async () => {
  broker = await startBroker();
  bootstrap = broker.bootstrapServers[0] ?? '';
});
afterAll(async () => {
  await broker?.close();
});

function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

async function topics(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  const out = capture();
  const err = capture();
  await topicsCommand(['--bootstrap-server', bootstrap, ...args], out.stream, err.stream);
  return { stdout: out.text(), stderr: err.text() };
}

describe('topics --describe', () => {
  it('prints the partitions and warns on stderr when the configs cannot be read', async () => {
    await topics('--create', '--topic', 'guarded', '--partitions', '1', '--config', 'retention.ms=1000');
    expect((await topics('--describe', '--topic', 'guarded')).stderr).toBe('');

    broker.node.faults.pushRequestErrors(Api.DescribeConfigs.key, ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
    const { stdout, stderr } = await topics('--describe', '--topic', 'guarded');
    expect(stdout).toMatch(
      /^Topic: guarded\t.*PartitionCount: 1\t.*Configs: \n\tTopic: guarded\tPartition: 0\t/,
    );
    expect(stderr).toMatch(
      /^WARN cannot read the configs of topic guarded: CLUSTER_AUTHORIZATION_FAILED \(31\)/,
    );
  });
});
