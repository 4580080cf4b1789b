/**
 * The transaction coordinator's state machine on a manual clock, an in-memory
 * `__transaction_state` and a fake marker channel: transitions and their records, fencing,
 * KIP-360 recovery, timeouts, marker retries, replay after a restart, expiration.
 */
import { ErrorCode } from '@tskafka/protocol';
import { describe, expect, it } from 'vitest';
import { decodeTransactionLogKey, decodeTransactionLogValue, transactionLogKey } from '../src/txn/records.js';
import { partitionForTransactionalId } from '../src/txn/state-manager.js';
import { type TxnHarness, txnHarness } from './txn-harness.js';

const T1 = (partition: number) => ({ topic: 't1', partition });

/** The states written for `id`, oldest first (null for a tombstone). */
function written(h: TxnHarness, id: string): (string | null)[] {
  const names = [
    'Empty',
    'Ongoing',
    'PrepareCommit',
    'PrepareAbort',
    'CompleteCommit',
    'CompleteAbort',
    'Dead',
    'PrepareEpochFence',
  ];
  return h.store
    .all()
    .filter((r) => decodeTransactionLogKey(r.key) === id)
    .map((r) => (r.value ? names[decodeTransactionLogValue(r.value).transactionStatus] : null));
}

function describeTxn(h: TxnHarness, id: string) {
  return h.coordinator.handleDescribeTransaction(id);
}

/** InitProducerId then AddPartitions: an Ongoing transaction on t1-0 and t1-1. */
function begin(h: TxnHarness, id: string, timeoutMs = 60_000) {
  const init = h.coordinator.handleInitProducerId(id, timeoutMs, null);
  expect(init.errorCode).toBe(ErrorCode.NONE);
  const add = h.coordinator.handleAddPartitionsToTransaction(id, init.producerId, init.producerEpoch, [
    T1(0),
    T1(1),
  ]);
  expect(add).toBe(ErrorCode.NONE);
  return init;
}

describe('transaction coordinator', () => {
  it('hands a new transactional id a producer id at epoch 0, then bumps the epoch on each InitProducerId', () => {
    const h = txnHarness();
    const first = h.coordinator.handleInitProducerId('tx', 60_000, null);
    expect(first).toMatchObject({ errorCode: 0, producerEpoch: 0 });
    expect(first.producerId).toBeGreaterThanOrEqual(0);
    const second = h.coordinator.handleInitProducerId('tx', 60_000, null);
    expect(second).toEqual({ errorCode: 0, producerId: first.producerId, producerEpoch: 1 });
    expect(written(h, 'tx')).toEqual(['Empty', 'Empty']);
    // The fenced producer can no longer start a transaction.
    expect(h.coordinator.handleAddPartitionsToTransaction('tx', first.producerId, 0, [T1(0)])).toBe(
      ErrorCode.PRODUCER_FENCED,
    );
  });

  it('writes Kafka’s TransactionLog key v0 and value v0 layout to the partition of hash(id)', () => {
    const h = txnHarness();
    const init = begin(h, 'orders-tx', 30_000);
    const p = partitionForTransactionalId('orders-tx', 4);
    const records = h.store.partitions.get(p) ?? [];
    expect(records).toHaveLength(2);
    // Key: int16 version 0, then the string (int16 length + UTF-8).
    const key = Buffer.alloc(2 + 2 + 9);
    key.writeInt16BE(0, 0);
    key.writeInt16BE(9, 2);
    key.write('orders-tx', 4);
    expect(records[1].key).toEqual(key);
    // Value v0: producerId int64, epoch int16, timeout int32, status int8,
    // [topic string, [partition int32]], lastUpdate int64, start int64.
    const v = records[1].value as Buffer;
    let o = 0;
    expect(v.readInt16BE(o)).toBe(0);
    o += 2;
    expect(Number(v.readBigInt64BE(o))).toBe(init.producerId);
    o += 8;
    expect(v.readInt16BE(o)).toBe(0);
    o += 2;
    expect(v.readInt32BE(o)).toBe(30_000);
    o += 4;
    expect(v.readInt8(o)).toBe(1); // Ongoing
    o += 1;
    expect(v.readInt32BE(o)).toBe(1); // one topic
    o += 4;
    expect(v.readInt16BE(o)).toBe(2);
    expect(v.toString('utf8', o + 2, o + 4)).toBe('t1');
    o += 4;
    expect(v.readInt32BE(o)).toBe(2);
    expect([v.readInt32BE(o + 4), v.readInt32BE(o + 8)].sort()).toEqual([0, 1]);
    o += 12;
    expect(Number(v.readBigInt64BE(o))).toBe(h.clock.now());
    expect(Number(v.readBigInt64BE(o + 8))).toBe(h.clock.now());
    expect(v.length).toBe(o + 16);
    // The Empty record carries a null partition array (length -1).
    const empty = records[0].value as Buffer;
    expect(empty.readInt32BE(2 + 8 + 2 + 4 + 1)).toBe(-1);
    expect(records[0].key).toEqual(transactionLogKey('orders-tx'));
  });

  it('refuses bad requests with Kafka’s codes', () => {
    const h = txnHarness({ 'transaction.max.timeout.ms': 10_000 });
    const c = h.coordinator;
    expect(c.handleInitProducerId('tx', 10_001, null).errorCode).toBe(ErrorCode.INVALID_TRANSACTION_TIMEOUT);
    expect(c.handleInitProducerId('', 1000, null).errorCode).toBe(ErrorCode.INVALID_REQUEST);
    expect(c.handleAddPartitionsToTransaction('unknown', 1, 0, [T1(0)])).toBe(
      ErrorCode.INVALID_PRODUCER_ID_MAPPING,
    );
    expect(c.handleEndTransaction('unknown', 1, 0, true)).toBe(ErrorCode.INVALID_PRODUCER_ID_MAPPING);
    const init = c.handleInitProducerId('tx', 1000, null);
    expect(c.handleAddPartitionsToTransaction('tx', init.producerId + 1, 0, [T1(0)])).toBe(
      ErrorCode.INVALID_PRODUCER_ID_MAPPING,
    );
    expect(c.handleEndTransaction('tx', init.producerId, 0, true)).toBe(ErrorCode.INVALID_TXN_STATE);
    expect(c.handleEndTransaction('tx', init.producerId, 1, false)).toBe(ErrorCode.PRODUCER_FENCED);
  });

  it('answers NOT_COORDINATOR for ids whose partition another broker leads', () => {
    const h = txnHarness();
    const id = 'tx';
    h.metadata.setLeader('__transaction_state', partitionForTransactionalId(id, 4), 2);
    expect(h.coordinator.handleInitProducerId(id, 1000, null).errorCode).toBe(ErrorCode.NOT_COORDINATOR);
    expect(h.coordinator.findCoordinator(id)).toMatchObject({ errorCode: 0, nodeId: 2, port: 9093 });
  });

  it('commits: PrepareCommit, markers to each leader, CompleteCommit; a retried EndTxn succeeds', async () => {
    const h = txnHarness();
    const init = begin(h, 'tx');
    expect(describeTxn(h, 'tx')).toMatchObject({
      transactionState: 'Ongoing',
      topics: [{ topic: 't1', partitions: [0, 1] }],
    });
    h.channel.hold = true;
    expect(h.coordinator.handleEndTransaction('tx', init.producerId, 0, true)).toBe(ErrorCode.NONE);
    expect(describeTxn(h, 'tx').transactionState).toBe('PrepareCommit');
    // While markers are written: the same EndTxn is told to retry, the opposite one is refused.
    expect(h.coordinator.handleEndTransaction('tx', init.producerId, 0, true)).toBe(
      ErrorCode.CONCURRENT_TRANSACTIONS,
    );
    expect(h.coordinator.handleEndTransaction('tx', init.producerId, 0, false)).toBe(
      ErrorCode.CONCURRENT_TRANSACTIONS,
    );
    expect(h.coordinator.handleAddPartitionsToTransaction('tx', init.producerId, 0, [T1(2)])).toBe(
      ErrorCode.CONCURRENT_TRANSACTIONS,
    );
    expect(h.coordinator.handleInitProducerId('tx', 60_000, null).errorCode).toBe(
      ErrorCode.CONCURRENT_TRANSACTIONS,
    );
    const byNode = Object.fromEntries(h.channel.sent.map((s) => [s.nodeId, s.request]));
    expect(byNode).toEqual({
      1: {
        producerId: init.producerId,
        producerEpoch: 0,
        coordinatorEpoch: 0,
        committed: true,
        partitions: [T1(0)],
      },
      2: {
        producerId: init.producerId,
        producerEpoch: 0,
        coordinatorEpoch: 0,
        committed: true,
        partitions: [T1(1)],
      },
    });
    h.channel.release();
    await h.coordinator.markerManager.whenComplete('tx');
    expect(describeTxn(h, 'tx')).toMatchObject({ transactionState: 'CompleteCommit', topics: [] });
    expect(written(h, 'tx')).toEqual(['Empty', 'Ongoing', 'PrepareCommit', 'CompleteCommit']);
    expect(h.coordinator.handleEndTransaction('tx', init.producerId, 0, true)).toBe(ErrorCode.NONE);
    expect(h.coordinator.handleEndTransaction('tx', init.producerId, 0, false)).toBe(
      ErrorCode.INVALID_TXN_STATE,
    );
    // The next transaction starts from CompleteCommit.
    expect(h.coordinator.handleAddPartitionsToTransaction('tx', init.producerId, 0, [T1(2)])).toBe(
      ErrorCode.NONE,
    );
    expect(describeTxn(h, 'tx').topics).toEqual([{ topic: 't1', partitions: [2] }]);
  });

  it('fences an Ongoing transaction on InitProducerId: aborts it under epoch+1, then hands out epoch+2', async () => {
    const h = txnHarness();
    const old = begin(h, 'tx');
    h.channel.hold = true;
    expect(h.coordinator.handleInitProducerId('tx', 60_000, null).errorCode).toBe(
      ErrorCode.CONCURRENT_TRANSACTIONS,
    );
    expect(describeTxn(h, 'tx')).toMatchObject({ transactionState: 'PrepareAbort', producerEpoch: 1 });
    expect(h.channel.sent.map((s) => [s.request.committed, s.request.producerEpoch])).toEqual([
      [false, 1],
      [false, 1],
    ]);
    // The zombie is fenced at once.
    expect(h.coordinator.handleEndTransaction('tx', old.producerId, 0, true)).toBe(ErrorCode.PRODUCER_FENCED);
    expect(h.coordinator.handleInitProducerId('tx', 60_000, null).errorCode).toBe(
      ErrorCode.CONCURRENT_TRANSACTIONS,
    );
    h.channel.release();
    await h.coordinator.markerManager.whenComplete('tx');
    expect(written(h, 'tx')).toEqual(['Empty', 'Ongoing', 'PrepareAbort', 'CompleteAbort']);
    expect(h.coordinator.handleInitProducerId('tx', 60_000, null)).toEqual({
      errorCode: 0,
      producerId: old.producerId,
      producerEpoch: 2,
    });
  });

  it('lets a producer recover with its id and epoch (KIP-360) and fences stale ones', () => {
    const h = txnHarness();
    const c = h.coordinator;
    const a = c.handleInitProducerId('tx', 60_000, null);
    const b = c.handleInitProducerId('tx', 60_000, { producerId: a.producerId, producerEpoch: 0 });
    expect(b).toEqual({ errorCode: 0, producerId: a.producerId, producerEpoch: 1 });
    // A retry of that call (its answer lost) gets the same epoch again.
    expect(c.handleInitProducerId('tx', 60_000, { producerId: a.producerId, producerEpoch: 0 })).toEqual(b);
    // Neither the current nor the previous epoch: fenced. Another producer id: fenced.
    c.handleInitProducerId('tx', 60_000, null);
    expect(
      c.handleInitProducerId('tx', 60_000, { producerId: a.producerId, producerEpoch: 1 }).errorCode,
    ).toBe(ErrorCode.PRODUCER_FENCED);
    expect(
      c.handleInitProducerId('tx', 60_000, { producerId: a.producerId + 7, producerEpoch: 2 }).errorCode,
    ).toBe(ErrorCode.PRODUCER_FENCED);
  });

  it('rotates to a new producer id when the epochs are exhausted', () => {
    const h = txnHarness();
    const a = h.coordinator.handleInitProducerId('tx', 60_000, null);
    const m = h.coordinator.stateManager.getTransactionState('tx');
    if ('error' in m || !m.metadata) throw new Error('no metadata');
    m.metadata.producerEpoch = 32766;
    const b = h.coordinator.handleInitProducerId('tx', 60_000, null);
    expect(b.errorCode).toBe(0);
    expect(b.producerId).not.toBe(a.producerId);
    expect(b.producerEpoch).toBe(0);
  });

  it('aborts transactions open longer than their timeout and fences their producer', async () => {
    const h = txnHarness();
    const init = begin(h, 'slow', 5_000);
    const other = begin(h, 'fast', 60_000);
    h.clock.advance(4_000);
    expect(describeTxn(h, 'slow').transactionState).toBe('Ongoing');
    h.clock.advance(2_000);
    await h.coordinator.markerManager.whenComplete('slow');
    expect(describeTxn(h, 'slow')).toMatchObject({ transactionState: 'CompleteAbort', producerEpoch: 1 });
    expect(h.channel.sent.every((s) => !s.request.committed && s.request.producerEpoch === 1)).toBe(true);
    expect(h.coordinator.handleEndTransaction('slow', init.producerId, 0, true)).toBe(
      ErrorCode.PRODUCER_FENCED,
    );
    expect(describeTxn(h, 'fast')).toMatchObject({
      transactionState: 'Ongoing',
      producerId: other.producerId,
    });
  });

  it('retries markers that failed, waits for a leader, and skips partitions of deleted topics', async () => {
    const h = txnHarness();
    h.metadata.createTopic('gone', { numPartitions: 1, replicationFactor: 1, assignments: [[1]] });
    const init = begin(h, 'tx');
    expect(
      h.coordinator.handleAddPartitionsToTransaction('tx', init.producerId, 0, [
        { topic: 'gone', partition: 0 },
      ]),
    ).toBe(0);
    h.metadata.deleteTopic('gone');
    let attempts = 0;
    h.channel.answer = (node) => {
      if (node === 1) return attempts++ === 0 ? ErrorCode.NOT_LEADER_OR_FOLLOWER : ErrorCode.NONE;
      return 'unreachable';
    };
    expect(h.coordinator.handleEndTransaction('tx', init.producerId, 0, true)).toBe(0);
    await h.settle();
    expect(describeTxn(h, 'tx')).toMatchObject({
      transactionState: 'PrepareCommit',
      topics: [{ topic: 't1', partitions: [0, 1] }],
    });
    h.clock.advance(100);
    await h.settle();
    // t1-0 made it on the second try; node 2 is still unreachable.
    expect(describeTxn(h, 'tx').topics).toEqual([{ topic: 't1', partitions: [1] }]);
    h.metadata.setBrokerAlive(2, false);
    const sentBefore = h.channel.sent.length;
    h.clock.advance(100);
    await h.settle();
    expect(h.channel.sent.length).toBe(sentBefore); // no live leader: nothing sent
    h.metadata.setBrokerAlive(2, true);
    h.channel.answer = () => ErrorCode.NONE;
    h.clock.advance(100);
    await h.coordinator.markerManager.whenComplete('tx');
    expect(describeTxn(h, 'tx').transactionState).toBe('CompleteCommit');
    expect(h.channel.sent.some((s) => s.request.partitions.some((p) => p.topic === 'gone'))).toBe(false);
  });

  it('keeps the state unchanged when the log append fails, and the client may retry', () => {
    const h = txnHarness();
    const init = h.coordinator.handleInitProducerId('tx', 60_000, null);
    h.store.failNext.push(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    expect(h.coordinator.handleAddPartitionsToTransaction('tx', init.producerId, 0, [T1(0)])).toBe(
      ErrorCode.NOT_COORDINATOR,
    );
    expect(describeTxn(h, 'tx')).toMatchObject({ transactionState: 'Empty', topics: [] });
    h.store.failNext.push(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect(h.coordinator.handleAddPartitionsToTransaction('tx', init.producerId, 0, [T1(0)])).toBe(
      ErrorCode.COORDINATOR_NOT_AVAILABLE,
    );
    expect(h.coordinator.handleAddPartitionsToTransaction('tx', init.producerId, 0, [T1(0)])).toBe(
      ErrorCode.NONE,
    );
  });

  it('replays its state on restart and completes a transaction left in PrepareCommit', async () => {
    const h = txnHarness();
    const a = begin(h, 'committing');
    const b = begin(h, 'open');
    h.coordinator.handleInitProducerId('idle', 60_000, null);
    h.channel.hold = true;
    expect(h.coordinator.handleEndTransaction('committing', a.producerId, 0, true)).toBe(0);
    // The broker goes down before any marker is acknowledged.
    h.restart();
    h.channel.release();
    await h.settle();
    await h.coordinator.markerManager.whenComplete('committing');
    expect(describeTxn(h, 'committing')).toMatchObject({
      transactionState: 'CompleteCommit',
      producerId: a.producerId,
    });
    expect(written(h, 'committing')).toEqual(['Empty', 'Ongoing', 'PrepareCommit', 'CompleteCommit']);
    const resent = h.channel.sent.filter((s) => s.request.producerId === a.producerId);
    expect(resent.length).toBe(4); // both partitions before the restart, both again after it
    expect(describeTxn(h, 'open')).toMatchObject({
      transactionState: 'Ongoing',
      producerId: b.producerId,
      producerEpoch: 0,
      topics: [{ topic: 't1', partitions: [0, 1] }],
    });
    expect(describeTxn(h, 'idle')).toMatchObject({ transactionState: 'Empty' });
    // The restarted coordinator continues: the open transaction commits, epochs keep counting.
    expect(h.coordinator.handleEndTransaction('open', b.producerId, 0, true)).toBe(0);
    expect(h.coordinator.handleInitProducerId('idle', 60_000, null).producerEpoch).toBe(1);
  });

  it('expires transactional ids idle longer than transactional.id.expiration.ms', () => {
    const h = txnHarness({
      'transactional.id.expiration.ms': 60_000,
      'transaction.remove.expired.transaction.cleanup.interval.ms': 10_000,
    });
    h.coordinator.handleInitProducerId('old', 60_000, null);
    begin(h, 'busy', 900_000);
    h.clock.advance(50_000);
    h.coordinator.handleInitProducerId('recent', 60_000, null);
    h.clock.advance(20_000);
    expect(describeTxn(h, 'old').errorCode).toBe(ErrorCode.TRANSACTIONAL_ID_NOT_FOUND);
    expect(written(h, 'old')).toEqual(['Empty', null]);
    expect(describeTxn(h, 'recent').errorCode).toBe(0);
    expect(describeTxn(h, 'busy').transactionState).toBe('Ongoing');
    // A tombstoned id stays gone after a restart, and starts afresh.
    h.restart();
    expect(describeTxn(h, 'old').errorCode).toBe(ErrorCode.TRANSACTIONAL_ID_NOT_FOUND);
    expect(h.coordinator.handleInitProducerId('old', 60_000, null).producerEpoch).toBe(0);
  });

  it('lists transactions by state, producer id and running time', () => {
    const h = txnHarness();
    const a = begin(h, 'a');
    h.clock.advance(10_000);
    h.coordinator.handleInitProducerId('b', 60_000, null);
    const list = (states: string[], pids: number[], duration = -1) =>
      h.coordinator
        .handleListTransactions(states, pids, duration)
        .transactionStates.map((t) => `${t.transactionalId}:${t.transactionState}`)
        .sort();
    expect(list([], [])).toEqual(['a:Ongoing', 'b:Empty']);
    expect(list(['Ongoing'], [])).toEqual(['a:Ongoing']);
    expect(list([], [a.producerId])).toEqual(['a:Ongoing']);
    expect(list(['Ongoing'], [], 5_000)).toEqual(['a:Ongoing']);
    expect(list(['Ongoing'], [], 20_000)).toEqual([]);
    expect(h.coordinator.handleListTransactions(['Bogus'], [], -1)).toMatchObject({
      unknownStateFilters: ['Bogus'],
      transactionStates: [],
    });
  });
});
