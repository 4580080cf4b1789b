/**
 * What the commands cannot show goes to stderr as a warning with its cause, not nowhere.
 * `tskafka topics --describe` when the topic's configs cannot be read (here DescribeConfigs
 * answered with CLUSTER_AUTHORIZATION_FAILED): the partitions are still printed, without an
 * empty `Configs:` passing for "none set". `tskafka consumer-groups --describe` of a group whose
 * member's assignment is not the consumer protocol: the warning names the member.
 */
import { PassThrough } from 'node:stream';
import { type RunningBroker, startBroker } from '@tskafka/broker';
import { ErrorCode } from '@tskafka/protocol';
import { Api } from '@tskafka/protocol/internals';
import { silentLogger } from '@tskafka/transport';
import { Cluster } from '@tskafka/transport/internals';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consumerGroupsCommand, topicsCommand } from '../src/index.js';

let broker: RunningBroker;
let bootstrap: string;

beforeAll(async () => {
  broker = await startBroker({ config: { 'group.initial.rebalance.delay.ms': 0 } });
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

type Command = (argv: string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream) => Promise<void>;

async function run(command: Command, args: string[]): Promise<{ stdout: string; stderr: string }> {
  const out = capture();
  const err = capture();
  await command(['--bootstrap-server', bootstrap, ...args], out.stream, err.stream);
  return { stdout: out.text(), stderr: err.text() };
}

const topics = (...args: string[]) => run(topicsCommand, args);
const groups = (...args: string[]) => run(consumerGroupsCommand, args);

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

describe('consumer-groups --describe', () => {
  it('warns on stderr, naming the member, when a member’s assignment does not decode', async () => {
    // A member that joins as a consumer and syncs bytes that are not a ConsumerProtocolAssignment.
    const raw = new Cluster({
      bootstrapServers: broker.bootstrapServers,
      logger: silentLogger,
      clientId: 'raw',
    });
    try {
      await raw.connect();
      const join = (memberId: string) =>
        raw.requestCoordinator('group', 'garbled', Api.JoinGroup, {
          groupId: 'garbled',
          sessionTimeoutMs: 30_000,
          rebalanceTimeoutMs: 30_000,
          memberId,
          groupInstanceId: null,
          protocolType: 'consumer',
          protocols: [{ name: 'range', metadata: Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0]) }],
          reason: null,
        });
      let joined = await join('');
      if (joined.errorCode === ErrorCode.MEMBER_ID_REQUIRED) joined = await join(joined.memberId);
      expect(joined.errorCode).toBe(0);
      const synced = await raw.requestCoordinator('group', 'garbled', Api.SyncGroup, {
        groupId: 'garbled',
        generationId: joined.generationId,
        memberId: joined.memberId,
        groupInstanceId: null,
        protocolType: 'consumer',
        protocolName: 'range',
        assignments: [{ memberId: joined.memberId, assignment: Buffer.from([0, 0, 0, 0, 0, 1]) }],
      });
      expect(synced.errorCode).toBe(0);

      const { stderr } = await groups('--describe', '--group', 'garbled');
      expect(stderr).toMatch(
        new RegExp(
          `^WARN cannot decode the assignment of member ${joined.memberId}: ConsumerProtocolAssignment`,
        ),
      );
    } finally {
      await raw.close();
    }
  });
});
