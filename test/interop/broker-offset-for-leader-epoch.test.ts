/**
 * OffsetForLeaderEpoch over the wire on a three-broker reference cluster as leadership moves: the
 * new leader answers where each epoch ended (every version, v0 to v4), fences stale and unknown
 * current epochs, the old leader (now a follower) answers NOT_LEADER_OR_FOLLOWER to consumers
 * and replicas alike (as Kafka), and after the leader stops its successor knows the same epochs.
 * kcat (librdkafka) consumes across a leader move.
 */
import { type Cluster, startCluster } from '@tskafka/broker';
import { ErrorCode } from '@tskafka/protocol';
import { Api, encodeRecordBatch } from '@tskafka/protocol/internals';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../until.js';
import { runKcat } from './kcat.js';
import { WireClient } from './wire-client.js';

let cluster: Cluster;
const clients: WireClient[] = [];

beforeAll(async () => {
  cluster = await startCluster({ brokers: 3, logLevel: 'error' });
});

afterAll(async () => {
  for (const c of clients) c.close();
  await cluster?.close();
});

async function connect(nodeId: number): Promise<WireClient> {
  const c = await WireClient.connect(cluster.broker(nodeId).address);
  clients.push(c);
  return c;
}

/** Appends `n` records on the partition's current leader; returns that leader's id. */
function produce(topic: string, n: number): number {
  const leader = cluster.metadata.topics.get(topic)?.partitions[0].leader ?? -1;
  const batch = encodeRecordBatch({
    timestamp: Date.now(),
    records: Array.from({ length: n }, (_, i) => ({ value: `v${i}` })),
  });
  cluster.broker(leader).replicaManager.appendToLeader(topic, 0, batch, Date.now());
  return leader;
}

/** Waits until every live replica holds the leader's log end offset. */
async function replicated(topic: string, nodes: number[]): Promise<void> {
  const leader = cluster.metadata.topics.get(topic)?.partitions[0].leader ?? -1;
  const leo = (id: number) => cluster.broker(id).replicaManager.getPartition(topic, 0)?.logEndOffset;
  await until(`${topic} is replicated to ${nodes.join(',')}`, () =>
    nodes.every((id) => leo(id) === leo(leader)),
  );
}

/** One partition's OffsetForLeaderEpoch answer from `c`. */
async function ask(
  c: WireClient,
  topic: string,
  leaderEpoch: number,
  opts: { version?: number; currentLeaderEpoch?: number; replicaId?: number } = {},
) {
  const res = await c.request(Api.OffsetForLeaderEpoch, opts.version ?? 4, {
    replicaId: opts.replicaId ?? -1,
    topics: [
      {
        topic,
        partitions: [{ partition: 0, currentLeaderEpoch: opts.currentLeaderEpoch ?? -1, leaderEpoch }],
      },
    ],
  });
  const { errorCode, leaderEpoch: epoch, endOffset } = res.topics[0].partitions[0];
  return { errorCode, leaderEpoch: epoch, endOffset };
}

describe('OffsetForLeaderEpoch across leader changes', () => {
  it('the new leader answers where each epoch ended; the old one refuses', async () => {
    const topic = 'epochs';
    cluster.metadata.createTopic(topic, { numPartitions: 1, replicationFactor: 3, assignments: [[1, 2, 3]] });
    await until(
      'broker 1 leads epochs-0',
      () => cluster.broker(1).replicaManager.getPartition(topic, 0)?.isLeader === true,
    );
    produce(topic, 5);
    await replicated(topic, [1, 2, 3]);
    cluster.moveLeader(topic, 0, 2);
    await until(
      'broker 2 leads epochs-0',
      () => cluster.broker(2).replicaManager.getPartition(topic, 0)?.isLeader === true,
    );
    expect(produce(topic, 3)).toBe(2);

    const leader = await connect(2);
    const none = ErrorCode.NONE;
    expect(await ask(leader, topic, 0)).toEqual({ errorCode: none, leaderEpoch: 0, endOffset: 5 });
    expect(await ask(leader, topic, 1, { currentLeaderEpoch: 1 })).toEqual({
      errorCode: none,
      leaderEpoch: 1,
      endOffset: 8,
    });
    // Every version; v0 has no leaderEpoch in the response (decoded as its default, -1).
    for (let version = 0; version <= 4; version++) {
      expect(await ask(leader, topic, 0, { version })).toEqual({
        errorCode: none,
        leaderEpoch: version === 0 ? -1 : 0,
        endOffset: 5,
      });
    }
    expect((await ask(leader, topic, 0, { currentLeaderEpoch: 0 })).errorCode).toBe(
      ErrorCode.FENCED_LEADER_EPOCH,
    );
    expect((await ask(leader, topic, 0, { currentLeaderEpoch: 7 })).errorCode).toBe(
      ErrorCode.UNKNOWN_LEADER_EPOCH,
    );
    expect(await ask(leader, 'no-such-topic', 0)).toEqual({
      errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      leaderEpoch: -1,
      endOffset: -1,
    });

    // The old leader is a follower now: leader-only for consumers and replicas, as Kafka.
    const follower = await connect(1);
    for (const replicaId of [-1, 3]) {
      expect(await ask(follower, topic, 0, { replicaId, version: 3 })).toEqual({
        errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER,
        leaderEpoch: -1,
        endOffset: -1,
      });
    }

    // The leader stops: its successor (epoch 2) has the same history, epoch 1 ending at 8.
    await replicated(topic, [1, 2, 3]);
    await cluster.stopBroker(2);
    const next = cluster.metadata.topics.get(topic)?.partitions[0];
    expect(next?.leaderEpoch).toBe(2);
    const successor = await connect(next?.leader ?? -1);
    expect(await ask(successor, topic, 1, { currentLeaderEpoch: 2 })).toEqual({
      errorCode: none,
      leaderEpoch: 1,
      endOffset: 8,
    });
    expect(await ask(successor, topic, 2)).toEqual({ errorCode: none, leaderEpoch: 2, endOffset: 8 });
    await cluster.startBroker(2);
  });

  it('kcat consumes across a leader move', async () => {
    const topic = 'kcat-epochs';
    cluster.metadata.createTopic(topic, { numPartitions: 1, replicationFactor: 3, assignments: [[1, 2, 3]] });
    await until(
      'broker 1 leads kcat-epochs-0',
      () => cluster.broker(1).replicaManager.getPartition(topic, 0)?.isLeader === true,
    );
    const bootstrap = cluster.bootstrapServers.join(',');
    await runKcat(['-b', bootstrap, '-P', '-t', topic, '-p', '0'], { input: 'a\nb\nc\n' });
    await replicated(topic, [1, 2, 3]);
    // A consumer that has read a, b, c keeps reading after the leader moved mid-way.
    const consumer = runKcat([
      '-b',
      bootstrap,
      '-C',
      '-t',
      topic,
      '-p',
      '0',
      '-o',
      'beginning',
      '-c',
      '6',
      '-q',
    ]);
    // Broker 1's waiting fetches: one per follower broker at most, so a third is kcat's, parked
    // at the end of what it has read.
    await until(
      'kcat waits for more at broker 1',
      () => cluster.broker(1).replicaManager.fetchPurgatory.size >= 3,
    );
    cluster.moveLeader(topic, 0, 3);
    await until(
      'broker 3 leads kcat-epochs-0',
      () => cluster.broker(3).replicaManager.getPartition(topic, 0)?.isLeader === true,
    );
    await runKcat(['-b', bootstrap, '-P', '-t', topic, '-p', '0'], { input: 'd\ne\nf\n' });
    const { stdout } = await consumer;
    expect(stdout.split('\n').filter((l) => l.length > 0)).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
  });
});
