import { type MetadataResponse, ZERO_UUID } from '@tskafka/protocol/internals';
import { describe, expect, it } from 'vitest';
import { MetadataCache } from '../src/internals.js';

type Topic = MetadataResponse['topics'][number];

function partition(index: number, leader: number, leaderEpoch: number) {
  return {
    errorCode: 0,
    partitionIndex: index,
    leaderId: leader,
    leaderEpoch,
    replicaNodes: [1, 2, 3],
    isrNodes: [1, 2, 3],
    offlineReplicas: [],
  };
}

function topic(
  name: string,
  partitions: Topic['partitions'],
  topicId = 'AAAAAAAAAAAAAAAAAAAAAQ',
  errorCode = 0,
): Topic {
  return { errorCode, name, topicId, isInternal: false, partitions, topicAuthorizedOperations: -2147483648 };
}

function response(topics: Topic[]): MetadataResponse {
  return {
    throttleTimeMs: 0,
    brokers: [1, 2, 3].map((nodeId) => ({ nodeId, host: `b${nodeId}`, port: 9092, rack: null })),
    clusterId: 'cluster-x',
    controllerId: 2,
    topics,
    clusterAuthorizedOperations: -2147483648,
  };
}

describe('MetadataCache', () => {
  it('keeps brokers, controller, cluster id and partitions with leaders, epochs, replicas and ISR', () => {
    const md = new MetadataCache();
    expect(md.isBootstrapped).toBe(false);
    md.update(response([topic('orders', [partition(1, 3, 0), partition(0, 2, 4)])]), 10, ['orders'], 0);
    expect(md.isBootstrapped).toBe(true);
    expect(md.clusterId).toBe('cluster-x');
    expect(md.controllerId).toBe(2);
    expect(md.broker(3)).toEqual({ nodeId: 3, host: 'b3', port: 9092, rack: null });
    expect(md.partitionCountFor('orders')).toBe(2);
    expect(md.leaderFor('orders', 0)).toBe(2);
    expect(md.leaderFor('orders', 1)).toBe(3);
    expect(md.leaderFor('orders', 2)).toBe(-1);
    expect(md.leaderFor('nope', 0)).toBe(-1);
    expect(md.partition('orders', 0)).toMatchObject({ leaderEpoch: 4, replicas: [1, 2, 3], isr: [1, 2, 3] });
    expect(md.topic('orders')?.topicId).toBe('AAAAAAAAAAAAAAAAAAAAAQ');
  });

  it('never lets an older leader epoch replace a newer one (KIP-320)', () => {
    const md = new MetadataCache();
    md.update(response([topic('t', [partition(0, 1, 5)])]), 1, ['t'], 0);
    // A lagging broker still thinks broker 2 leads, at epoch 4.
    md.update(response([topic('t', [partition(0, 2, 4)])]), 2, ['t'], 0);
    expect(md.partition('t', 0)).toMatchObject({ leader: 1, leaderEpoch: 5 });
    // The same epoch or a newer one is taken.
    md.update(response([topic('t', [partition(0, 3, 6)])]), 3, ['t'], 0);
    expect(md.partition('t', 0)).toMatchObject({ leader: 3, leaderEpoch: 6 });
    // An epoch seen in a fetch response counts too, and asks for fresh metadata.
    expect(md.updateLastSeenEpoch('t', 0, 8)).toBe(true);
    expect(md.updateRequested).toBe(true);
    expect(md.updateLastSeenEpoch('t', 0, 8)).toBe(false);
    md.update(response([topic('t', [partition(0, 2, 7)])]), 4, ['t'], md.updateRequestVersion);
    expect(md.partition('t', 0)).toMatchObject({ leader: 3, leaderEpoch: 6 });
    expect(md.lastSeenLeaderEpoch('t', 0)).toBe(8);
  });

  it('starts over when the topic is recreated under a new id, and takes epoch-less entries as they are', () => {
    const md = new MetadataCache();
    md.update(response([topic('t', [partition(0, 1, 9)], 'AAAAAAAAAAAAAAAAAAAAAQ')]), 1, ['t'], 0);
    md.update(response([topic('t', [partition(0, 2, 0)], 'AAAAAAAAAAAAAAAAAAAAAg')]), 2, ['t'], 0);
    expect(md.partition('t', 0)).toMatchObject({ leader: 2, leaderEpoch: 0 });
    md.update(response([topic('t', [partition(0, 3, -1)], ZERO_UUID)]), 3, ['t'], 0);
    expect(md.partition('t', 0)).toMatchObject({ leader: 3, leaderEpoch: -1 });
  });

  it('records topic errors and drops deleted topics on a full refresh', () => {
    const md = new MetadataCache();
    md.update(response([topic('a', [partition(0, 1, 0)]), topic('b', [partition(0, 1, 0)])]), 1, null, 0);
    md.update(response([topic('a', [], ZERO_UUID, 3)]), 2, ['a'], 0);
    expect(md.topic('a')).toBeUndefined();
    expect(md.topicErrors.get('a')).toEqual({ errorCode: 3, atMs: 2 });
    expect(md.topic('b')).toBeDefined();
    md.update(response([topic('a', [partition(0, 1, 0)])]), 3, null, 0);
    expect(md.topicErrors.has('a')).toBe(false);
    expect(md.topic('b')).toBeUndefined();
  });

  it('is due for refresh at metadata.max.age.ms, at once when requested, never inside the backoff', () => {
    const md = new MetadataCache();
    expect(md.timeToNextUpdate(0, 1000, 100)).toBe(0);
    md.update(response([]), 5000, [], md.updateRequestVersion);
    expect(md.timeToNextUpdate(5000, 1000, 100)).toBe(1000);
    expect(md.timeToNextUpdate(5600, 1000, 100)).toBe(400);
    md.requestUpdate();
    expect(md.timeToNextUpdate(5050, 1000, 100)).toBe(50);
    expect(md.timeToNextUpdate(5200, 1000, 100)).toBe(0);
    // A response to a request sent before the update was requested does not satisfy it.
    const before = md.updateRequestVersion;
    md.requestUpdate();
    md.update(response([]), 5300, [], before);
    expect(md.updateRequested).toBe(true);
    md.update(response([]), 5400, [], md.updateRequestVersion);
    expect(md.updateRequested).toBe(false);
    md.failedUpdate(6000);
    expect(md.timeToNextUpdate(6000, 1000, 100)).toBe(400);
  });
});
