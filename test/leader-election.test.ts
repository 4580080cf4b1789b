/**
 * Leader elections asked for over the wire (ElectLeaders), through `admin.electLeaders` and the
 * `tskafka leader-election` command (Kafka's `kafka-leader-election.sh`), on an in-process
 * cluster of three brokers with the automatic rebalance off: preferred elections give leadership
 * back to the first assigned replica, answer ELECTION_NOT_NEEDED where it leads already and
 * leave those out when asked for every partition; an unclean election brings back a partition
 * whose in-sync replicas are all down, on a replica that was out of sync, and clients use it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Cluster, startCluster } from '@tskafka/broker';
import {
  ElectionNotNeededError,
  PreferredLeaderNotAvailableError,
  UnknownTopicOrPartitionError,
} from '@tskafka/protocol';
import { Kafka } from 'tskafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../packages/cli/test/run-cli.js';
import { readTopic } from './read-topic.js';
import { until } from './until.js';

let cluster: Cluster;
let kafka: Kafka;
let bootstrap: string;
const dir = mkdtempSync(join(tmpdir(), 'tskafka-election-'));

beforeAll(async () => {
  // On disk, so a restarted broker keeps what it had replicated.
  cluster = await startCluster({
    brokers: 3,
    logLevel: 'error',
    dataDir: join(dir, 'data'),
    config: { 'auto.leader.rebalance.enable': false },
  });
  bootstrap = cluster.bootstrapServers.join(',');
  kafka = new Kafka({ bootstrapServers: cluster.bootstrapServers, clientId: 'election-test' });
});
afterAll(async () => {
  await cluster?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Creates `topic` with three partitions, each preferring a different broker. */
async function createTopic(topic: string): Promise<void> {
  const admin = kafka.admin();
  try {
    await admin.createTopics([
      {
        topic,
        replicaAssignment: [
          { partition: 0, replicas: [1, 2, 3] },
          { partition: 1, replicas: [2, 3, 1] },
          { partition: 2, replicas: [3, 1, 2] },
        ],
      },
    ]);
  } finally {
    await admin.close();
  }
}

const leaders = (topic: string) => cluster.metadata.topics.get(topic)?.partitions.map((p) => p.leader);

describe('admin.electLeaders', () => {
  it('moves leadership back to the preferred replica, with an error for each partition that could not', async () => {
    await createTopic('pref');
    cluster.moveLeader('pref', 0, 2);
    const epoch = cluster.metadata.topics.get('pref')?.partitions[0].leaderEpoch ?? -1;
    expect(leaders('pref')).toEqual([2, 2, 3]);
    const admin = kafka.admin();
    try {
      const results = await admin.electLeaders('preferred', [
        { topic: 'pref', partition: 0 },
        { topic: 'pref', partition: 1 },
        { topic: 'missing', partition: 0 },
      ]);
      expect(results.map((r) => [r.topic, r.partition, r.error?.constructor])).toEqual([
        ['missing', 0, UnknownTopicOrPartitionError],
        ['pref', 0, undefined],
        ['pref', 1, ElectionNotNeededError],
      ]);
      expect(leaders('pref')).toEqual([1, 2, 3]);
      expect(cluster.metadata.topics.get('pref')?.partitions[0].leaderEpoch).toBe(epoch + 1);
    } finally {
      await admin.close();
    }
  });

  it('for every partition answers only those that needed an election', async () => {
    await createTopic('all');
    cluster.moveLeader('all', 1, 3);
    cluster.moveLeader('all', 2, 1);
    const admin = kafka.admin();
    try {
      const results = await admin.electLeaders('preferred', null);
      expect(results.map((r) => [r.topic, r.partition, r.error])).toEqual([
        ['all', 1, null],
        ['all', 2, null],
      ]);
      expect(leaders('all')).toEqual([1, 2, 3]);
    } finally {
      await admin.close();
    }
  });

  it('elects an out-of-sync replica uncleanly when every in-sync one is down', async () => {
    const admin = kafka.admin();
    try {
      await admin.createTopics([
        { topic: 'unclean', replicaAssignment: [{ partition: 0, replicas: [2, 3] }] },
      ]);
      const producer = kafka.producer({ acks: 'all' });
      await producer.connect();
      await producer.send({ topic: 'unclean', value: 'before' });
      // The follower stops (and leaves the ISR), then the leader: no in-sync replica is alive.
      await cluster.stopBroker(3);
      await producer.send({ topic: 'unclean', value: 'only-on-2' });
      await producer.close();
      await cluster.stopBroker(2);
      await cluster.startBroker(3);
      const p = () => cluster.metadata.topics.get('unclean')?.partitions[0];
      expect(p()?.leader).toBe(-1);
      // The preferred replica (2) is down: no preferred election.
      const [preferred] = await admin.electLeaders('preferred', [{ topic: 'unclean', partition: 0 }]);
      expect(preferred.error).toBeInstanceOf(PreferredLeaderNotAvailableError);
      const [unclean] = await admin.electLeaders('unclean', [{ topic: 'unclean', partition: 0 }]);
      expect(unclean.error).toBeNull();
      expect(p()?.leader).toBe(3);
      expect(p()?.isr).toEqual([3]);
      // A partition with a leader needs no unclean election.
      const [again] = await admin.electLeaders('unclean', [{ topic: 'unclean', partition: 0 }]);
      expect(again.error).toBeInstanceOf(ElectionNotNeededError);
      // Clients use the new leader; what only broker 2 had is gone, as an unclean election loses it.
      const after = kafka.producer({ acks: 'all' });
      await after.connect();
      await after.send({ topic: 'unclean', value: 'after' });
      await after.close();
      expect(await readTopic(kafka, 'unclean', 1, 'read_uncommitted')).toEqual(['before', 'after']);
    } finally {
      await admin.close();
      await cluster.startBroker(2);
      await until('broker 2 is back', () => cluster.metadata.brokers.get(2)?.alive === true);
    }
  });
});

describe('tskafka leader-election', () => {
  const run = (...args: string[]) => runCli(['leader-election', '--bootstrap-server', bootstrap, ...args]);

  it('prints what it elected and what needed no election, as kafka-leader-election.sh', async () => {
    await createTopic('cli');
    cluster.moveLeader('cli', 0, 3);
    const one = await run('--election-type', 'PREFERRED', '--topic', 'cli', '--partition', '0');
    expect(one).toMatchObject({ code: 0, stderr: '' });
    expect(one.stdout).toBe('Successfully completed leader election (PREFERRED) for partitions cli-0\n');
    expect(leaders('cli')).toEqual([1, 2, 3]);

    cluster.moveLeader('cli', 2, 1);
    const file = join(dir, 'partitions.json');
    writeFileSync(
      file,
      JSON.stringify({
        partitions: [
          { topic: 'cli', partition: 1 },
          { topic: 'cli', partition: 2 },
        ],
      }),
    );
    const fromFile = await run('--election-type', 'preferred', '--path-to-json-file', file);
    expect(fromFile.code).toBe(0);
    expect(fromFile.stdout).toBe(
      'Successfully completed leader election (PREFERRED) for partitions cli-2\n' +
        'Valid replica already elected for partitions cli-1\n',
    );

    // Every leader back where it is preferred (the unclean test above moved some), then one moved.
    const admin = kafka.admin();
    await admin.electLeaders('preferred', null).finally(() => admin.close());
    cluster.moveLeader('cli', 1, 1);
    const all = await run('--election-type', 'PREFERRED', '--all-topic-partitions');
    expect(all.code).toBe(0);
    expect(all.stdout).toBe('Successfully completed leader election (PREFERRED) for partitions cli-1\n');
  });

  it('fails with exit code 1 naming each partition it could not elect', async () => {
    const r = await run('--election-type', 'PREFERRED', '--topic', 'nope', '--partition', '0');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /^Error completing leader election \(PREFERRED\) for partition: nope-0: UnknownTopicOrPartitionError: /,
    );
    expect(r.stderr).toBe('tskafka leader-election: 1 replica(s) could not be elected\n');
  });

  it('refuses bad flags with exit code 2 and one line', async () => {
    for (const [args, message] of [
      [['--topic', 'cli', '--partition', '0'], 'missing required option --election-type'],
      [
        ['--election-type', 'CLEAN', '--all-topic-partitions'],
        '--election-type must be PREFERRED or UNCLEAN',
      ],
      [['--election-type', 'PREFERRED'], 'exactly one of --topic with --partition'],
      [['--election-type', 'PREFERRED', '--topic', 'cli'], '--topic and --partition go together'],
      [['--election-type', 'PREFERRED', '--path-to-json-file', join(dir, 'none.json')], 'cannot read'],
    ] as const) {
      const r = await run(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toContain(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});
