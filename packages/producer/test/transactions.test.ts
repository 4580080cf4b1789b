/**
 * The transactional producer's state machine (TransactionManager) driven through the real
 * accumulator, sender and sender loop, with a manual clock and a scripted coordinator: the order
 * of requests, calls in the wrong state, retries inside a call, abortable errors and the abort
 * that clears them, fatal fencing, records dropped by an abort, and max.block.ms.
 */
import { ErrorCode, ProducerFencedError, TransactionalIdAuthorizationFailedError } from '@tskafka/protocol';
import { readRecordBatchHeader } from '@tskafka/protocol/internals';
import { ConnectionError, KafkaTimeoutError, UnsupportedApiVersionError } from '@tskafka/transport';
import { describe, expect, it } from 'vitest';
import { RecordAccumulator } from '../src/accumulator.js';
import {
  AbortableTransactionError,
  ProduceRequestError,
  TransactionAbortedError,
  TransactionStateError,
} from '../src/errors.js';
import { IdempotenceManager } from '../src/idempotence.js';
import { type ProduceRequestData, type ProduceResponseData, Sender } from '../src/sender.js';
import { SenderLoop } from '../src/sender-loop.js';
import type { TransactionApi, TransactionRequest, TransactionResponse } from '../src/transaction-requests.js';
import { type TransactionalResult, TransactionState } from '../src/transaction-state.js';
import { TransactionManager } from '../src/transactions.js';
import type { RecordMetadata } from '../src/types.js';
import { batchesOf, FakeCluster, FakeMetadata, ManualClock, ScriptedIo } from './fakes.js';

const T0 = 1_000_000;
const PID = 4000;
const GROUP = { groupId: 'g', generationId: 7, memberId: 'm-1', groupInstanceId: 'i-1' };

interface Held {
  request: TransactionRequest;
  release(): void;
}

/**
 * A network with a scripted transaction coordinator: logs every request (Produce included) in
 * order; answers transactional requests with success unless `faults` holds an error code (or an
 * Error to reject with) for the API; requests of an API in `hold` wait for `release()`.
 */
class TxnIo extends ScriptedIo {
  readonly log: string[] = [];
  readonly requests: TransactionRequest[] = [];
  readonly faults = new Map<TransactionApi, (number | Error)[]>();
  readonly hold = new Set<TransactionApi>();
  readonly held: Held[] = [];

  fault(api: TransactionApi, ...codes: (number | Error)[]): void {
    this.faults.set(api, [...(this.faults.get(api) ?? []), ...codes]);
  }

  override send(
    nodeId: number,
    request: ProduceRequestData,
    expect: boolean,
  ): Promise<ProduceResponseData | null> {
    this.log.push('Produce');
    return super.send(nodeId, request, expect);
  }

  sendTransactional<A extends TransactionApi>(
    request: TransactionRequest<A>,
  ): Promise<TransactionResponse<A>> {
    const r = request as TransactionRequest;
    this.log.push(r.api === 'FindCoordinator' ? `FindCoordinator(${r.coordinator.type})` : r.api);
    this.requests.push(r);
    const answer = (): Promise<TransactionResponse<A>> => {
      const f = this.faults.get(r.api)?.shift();
      if (f instanceof Error) return Promise.reject(f);
      return Promise.resolve(this.answer(r, f ?? 0) as TransactionResponse<A>);
    };
    if (!this.hold.has(r.api)) return answer();
    return new Promise((resolve, reject) => {
      this.held.push({ request: r, release: () => answer().then(resolve, reject) });
    });
  }

  private answer(r: TransactionRequest, code: number): TransactionResponse {
    switch (r.api) {
      case 'InitProducerId': {
        const b = (r as TransactionRequest<'InitProducerId'>).body;
        if (code !== 0) return { errorCode: code, producerId: -1, producerEpoch: -1 };
        return { errorCode: 0, producerId: PID, producerEpoch: b.producerId < 0 ? 0 : b.producerEpoch + 1 };
      }
      case 'AddPartitionsToTxn':
        return {
          results: (r as TransactionRequest<'AddPartitionsToTxn'>).body.topics.flatMap((t) =>
            t.partitions.map((partition) => ({ topic: t.name, partition, errorCode: code })),
          ),
        };
      case 'TxnOffsetCommit':
        return {
          results: (r as TransactionRequest<'TxnOffsetCommit'>).body.topics.flatMap((t) =>
            t.partitions.map((p) => ({ topic: t.name, partition: p.partition, errorCode: code })),
          ),
        };
      default:
        return { errorCode: code };
    }
  }

  /** The bodies of the requests of `api`, in order. */
  bodies<A extends TransactionApi>(api: A): TransactionRequest<A>['body'][] {
    return this.requests.filter((r) => r.api === api).map((r) => r.body as TransactionRequest<A>['body']);
  }
}

function setup() {
  const clock = new ManualClock(T0);
  const idem = new IdempotenceManager({ transactional: true });
  const acc = new RecordAccumulator({
    batchSize: 1024,
    lingerMs: 0,
    deliveryTimeoutMs: 120_000,
    idempotence: idem,
    transactional: true,
    clock,
  });
  const txn = new TransactionManager({
    transactionalId: 'tx',
    transactionTimeoutMs: 30_000,
    retryBackoffMs: 100,
    accumulator: acc,
    idempotence: idem,
    clock,
  });
  const md = new FakeMetadata({ 't-0': 1, 't-1': 2 });
  const io = new TxnIo();
  const cluster = new FakeCluster();
  /** Per partition, a Produce error code to answer instead of writing (consumed once). */
  const produceFaults = new Map<number, number>();
  io.handler = (_node, request) =>
    cluster.handle(request, (_t, p) => {
      const code = produceFaults.get(p);
      produceFaults.delete(p);
      return code;
    });
  const sender = new Sender(acc, md, io, {
    retryBackoffMs: 100,
    random: () => 0.5,
    transactionalId: 'tx',
    transactions: txn,
  });
  const loop = new SenderLoop(sender, io, clock);
  const send = (value: string, partition = 0): Promise<RecordMetadata> => {
    const refused = txn.sendError();
    if (refused !== null) return Promise.reject(refused);
    const p = acc.append('t', partition, T0, null, value, null, clock.now());
    p.catch(() => {});
    return p;
  };
  /** What the producer does around each call: wake the sender, wait up to max.block.ms. */
  const wait = (result: TransactionalResult, op = 'op', maxBlockMs = 60_000) => {
    loop.wakeup();
    const p = txn.awaitResult(result, maxBlockMs, op);
    p.catch(() => {});
    return p;
  };
  const init = async () => {
    const p = wait(txn.initTransactions());
    await clock.tick();
    await p;
  };
  return { clock, idem, acc, txn, md, io, cluster, produceFaults, sender, loop, send, wait, init };
}

/** Settles a promise into 'pending', its value, or its error, without awaiting it. */
function track<T>(p: Promise<T>): { state: 'pending' | 'resolved' | 'rejected'; value?: T; error?: unknown } {
  const out: { state: 'pending' | 'resolved' | 'rejected'; value?: T; error?: unknown } = {
    state: 'pending',
  };
  p.then(
    (value) => Object.assign(out, { state: 'resolved', value }),
    (error: unknown) => Object.assign(out, { state: 'rejected', error }),
  );
  return out;
}

function producedHeaders(io: TxnIo) {
  return io.sent.flatMap((s) =>
    batchesOf(s.request).map((b) => {
      const h = readRecordBatchHeader(b.records);
      return {
        partition: b.partition,
        producerId: h.producerId,
        producerEpoch: h.producerEpoch,
        baseSequence: h.baseSequence,
        isTransactional: h.isTransactional,
      };
    }),
  );
}

describe('TransactionManager', () => {
  it('happy path: FindCoordinator, InitProducerId, AddPartitionsToTxn before Produce, offsets, EndTxn', async () => {
    const { clock, txn, io, send, wait, init } = setup();
    expect(txn.state).toBe(TransactionState.Uninitialized);
    await init();
    expect(txn.state).toBe(TransactionState.Ready);
    expect(io.bodies('InitProducerId')).toEqual([
      { transactionalId: 'tx', transactionTimeoutMs: 30_000, producerId: -1, producerEpoch: -1 },
    ]);

    txn.beginTransaction();
    expect(txn.state).toBe(TransactionState.InTransaction);
    const sends = [send('a', 0), send('b', 1), send('c', 0)];
    await clock.tick();
    expect((await Promise.all(sends)).map((m) => [m.partition, m.offset])).toEqual([
      [0, 0],
      [1, 0],
      [0, 1],
    ]);
    const offsets = wait(
      txn.sendOffsetsToTransaction(
        new Map([
          [
            { topic: 'in', partition: 3 },
            { offset: 42, metadata: 'md', leaderEpoch: 5 },
          ],
        ]),
        GROUP,
      ),
    );
    await clock.tick();
    await offsets;
    const commit = wait(txn.beginCommit());
    expect(txn.state).toBe(TransactionState.CommittingTransaction);
    await clock.tick();
    await commit;
    expect(txn.state).toBe(TransactionState.Ready);

    expect(io.log).toEqual([
      'FindCoordinator(transaction)',
      'InitProducerId',
      'AddPartitionsToTxn',
      'Produce',
      'Produce',
      'AddOffsetsToTxn',
      'FindCoordinator(group)',
      'TxnOffsetCommit',
      'EndTxn',
    ]);
    expect(io.bodies('AddPartitionsToTxn')).toEqual([
      {
        transactionalId: 'tx',
        producerId: PID,
        producerEpoch: 0,
        topics: [{ name: 't', partitions: [0, 1] }],
      },
    ]);
    expect(io.bodies('AddOffsetsToTxn')).toEqual([
      { transactionalId: 'tx', producerId: PID, producerEpoch: 0, groupId: 'g' },
    ]);
    expect(io.requests.find((r) => r.api === 'TxnOffsetCommit')?.coordinator).toEqual({
      type: 'group',
      key: 'g',
    });
    expect(io.bodies('TxnOffsetCommit')).toEqual([
      {
        transactionalId: 'tx',
        groupId: 'g',
        producerId: PID,
        producerEpoch: 0,
        generationId: 7,
        memberId: 'm-1',
        groupInstanceId: 'i-1',
        topics: [{ name: 'in', partitions: [{ partition: 3, offset: 42, leaderEpoch: 5, metadata: 'md' }] }],
      },
    ]);
    expect(io.bodies('EndTxn')).toEqual([
      { transactionalId: 'tx', producerId: PID, producerEpoch: 0, committed: true },
    ]);
    for (const h of producedHeaders(io)) {
      expect(h).toMatchObject({ producerId: PID, producerEpoch: 0, isTransactional: true });
    }
    expect(io.sent.map((s) => s.request.transactionalId)).toEqual(['tx', 'tx']);

    // The next transaction adds its partitions again; sequences go on.
    txn.beginTransaction();
    const d = send('d', 0);
    await clock.tick();
    await d;
    const commit2 = wait(txn.beginCommit());
    await clock.tick();
    await commit2;
    expect(io.log.slice(9)).toEqual(['AddPartitionsToTxn', 'Produce', 'EndTxn']);
    expect(producedHeaders(io).at(-1)).toMatchObject({ partition: 0, baseSequence: 2 });
  });

  it('drains no batch of a partition until AddPartitionsToTxn added it; new partitions go in one request', async () => {
    const { clock, txn, io, send, init } = setup();
    await init();
    txn.beginTransaction();
    io.hold.add('AddPartitionsToTxn');
    const a = track(send('a', 0));
    await clock.tick();
    const b = track(send('b', 1)); // opened while the first AddPartitionsToTxn is in flight
    await clock.advance(1000);
    expect(io.log.filter((l) => l !== 'FindCoordinator(transaction)' && l !== 'InitProducerId')).toEqual([
      'AddPartitionsToTxn',
    ]);
    expect(io.sent).toHaveLength(0);
    io.held.shift()?.release();
    await clock.tick();
    // Partition 0 is added and sent; partition 1 gets its own AddPartitionsToTxn, still held.
    expect(io.sent).toHaveLength(1);
    expect(a.state).toBe('resolved');
    expect(b.state).toBe('pending');
    expect(io.bodies('AddPartitionsToTxn').map((x) => x.topics)).toEqual([
      [{ name: 't', partitions: [0] }],
      [{ name: 't', partitions: [1] }],
    ]);
    io.held.shift()?.release();
    await clock.tick();
    expect(b.state).toBe('resolved');
  });

  it('refuses calls made in the wrong state, naming the state and the call', async () => {
    const { txn, init, send } = setup();
    const expectState = (fn: () => unknown, operation: string, state: string) => {
      let error: unknown;
      try {
        fn();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(TransactionStateError);
      expect(error).toMatchObject({ operation, state });
      expect((error as Error).message).toContain(operation);
      expect((error as Error).message).toContain(state);
    };
    expectState(() => txn.beginTransaction(), 'beginTransaction()', 'Uninitialized');
    expectState(() => txn.beginCommit(), 'commitTransaction()', 'Uninitialized');
    expectState(() => txn.beginAbort(), 'abortTransaction()', 'Uninitialized');
    expectState(
      () => txn.sendOffsetsToTransaction([{ topic: 'x', partition: 0, offset: 1 }], GROUP),
      'sendOffsetsToTransaction()',
      'Uninitialized',
    );
    await expect(send('x')).rejects.toMatchObject({
      name: 'TransactionStateError',
      operation: 'send()',
      state: 'Uninitialized',
    });
    await init();
    expectState(() => txn.initTransactions(), 'initTransactions()', 'Ready');
    expectState(() => txn.beginCommit(), 'commitTransaction()', 'Ready');
    expectState(() => txn.beginAbort(), 'abortTransaction()', 'Ready');
    await expect(send('x')).rejects.toThrow(/send\(\) in transaction state Ready: no transaction is open/);
    txn.beginTransaction();
    expectState(() => txn.beginTransaction(), 'beginTransaction()', 'InTransaction');
    txn.beginCommit();
    expectState(() => txn.beginTransaction(), 'beginTransaction()', 'CommittingTransaction');
    expectState(() => txn.beginAbort(), 'abortTransaction()', 'CommittingTransaction');
    await expect(send('x')).rejects.toMatchObject({ state: 'CommittingTransaction' });
  });

  it('retries CONCURRENT_TRANSACTIONS and COORDINATOR_LOAD_IN_PROGRESS inside the call, after retry.backoff.ms', async () => {
    const { clock, txn, io, wait } = setup();
    io.fault('InitProducerId', ErrorCode.CONCURRENT_TRANSACTIONS, ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
    const init = track(wait(txn.initTransactions()));
    await clock.tick();
    expect(io.bodies('InitProducerId')).toHaveLength(1);
    await clock.advance(99);
    expect(io.bodies('InitProducerId')).toHaveLength(1);
    await clock.advance(1);
    expect(io.bodies('InitProducerId')).toHaveLength(2);
    expect(init.state).toBe('pending');
    await clock.advance(100);
    expect(io.bodies('InitProducerId')).toHaveLength(3);
    expect(init.state).toBe('resolved');
    expect(txn.state).toBe(TransactionState.Ready);
  });

  it('on NOT_COORDINATOR (and a lost connection) finds the coordinator again and retries the request', async () => {
    const { clock, txn, io, send, wait, init } = setup();
    await init();
    txn.beginTransaction();
    const a = send('a');
    await clock.tick();
    await a;
    io.fault('EndTxn', ErrorCode.NOT_COORDINATOR, new ConnectionError('socket hang up', { broker: '1' }));
    io.fault('FindCoordinator', ErrorCode.COORDINATOR_NOT_AVAILABLE);
    const commit = track(wait(txn.beginCommit()));
    await clock.advance(1000);
    expect(commit.state).toBe('resolved');
    expect(io.log.slice(4)).toEqual([
      'EndTxn', // NOT_COORDINATOR
      'FindCoordinator(transaction)', // COORDINATOR_NOT_AVAILABLE
      'FindCoordinator(transaction)',
      'EndTxn', // connection lost
      'FindCoordinator(transaction)',
      'EndTxn',
    ]);
    expect(txn.state).toBe(TransactionState.Ready);
  });

  it('a record that fails makes the error abortable: only abort works, then the epoch is bumped and the producer goes on', async () => {
    const { clock, txn, io, send, wait, init, produceFaults } = setup();
    await init();
    txn.beginTransaction();
    produceFaults.set(0, ErrorCode.INVALID_PRODUCER_EPOCH); // KIP-588: abortable from a partition leader
    const a = track(send('a', 0));
    await clock.tick();
    expect(a.state).toBe('rejected');
    expect(txn.state).toBe(TransactionState.AbortableError);

    expect(() => txn.beginCommit()).toThrow(AbortableTransactionError);
    expect(() => txn.beginTransaction()).toThrow(AbortableTransactionError);
    expect(() => txn.sendOffsetsToTransaction([{ topic: 'x', partition: 0, offset: 1 }], GROUP)).toThrow(
      AbortableTransactionError,
    );
    const refused = send('b', 1);
    await expect(refused).rejects.toBeInstanceOf(AbortableTransactionError);
    await expect(refused).rejects.toMatchObject({ cause: { errorName: 'INVALID_PRODUCER_EPOCH' } });

    const abort = track(wait(txn.beginAbort()));
    expect(txn.state).toBe(TransactionState.AbortingTransaction);
    await clock.tick();
    expect(abort.state).toBe('resolved');
    expect(txn.state).toBe(TransactionState.Ready);
    expect(io.bodies('EndTxn')).toEqual([
      { transactionalId: 'tx', producerId: PID, producerEpoch: 0, committed: false },
    ]);
    // KIP-360: the epoch is bumped with the current id and epoch after the abort.
    expect(io.bodies('InitProducerId').at(-1)).toMatchObject({ producerId: PID, producerEpoch: 0 });

    txn.beginTransaction();
    const c = track(send('c', 0));
    await clock.tick();
    expect(c.state).toBe('resolved');
    const commit = track(wait(txn.beginCommit()));
    await clock.tick();
    expect(commit.state).toBe('resolved');
    expect(producedHeaders(io).at(-1)).toMatchObject({ producerEpoch: 1, baseSequence: 0 });
  });

  it('UNKNOWN_PRODUCER_ID on a produce fails the batch instead of bumping the epoch locally', async () => {
    const { clock, txn, io, send, init, produceFaults, idem } = setup();
    await init();
    txn.beginTransaction();
    produceFaults.set(0, ErrorCode.UNKNOWN_PRODUCER_ID);
    const a = track(send('a', 0));
    await clock.tick();
    expect(a.state).toBe('rejected');
    expect(txn.state).toBe(TransactionState.AbortableError);
    expect(idem.producerEpoch).toBe(0);
    expect(io.bodies('InitProducerId')).toHaveLength(1);
  });

  it('offsets the group refuses (ILLEGAL_GENERATION) fail the call and the transaction with an abortable error', async () => {
    const { clock, txn, io, wait, init } = setup();
    await init();
    txn.beginTransaction();
    io.fault('TxnOffsetCommit', ErrorCode.ILLEGAL_GENERATION);
    const offsets = track(
      wait(txn.sendOffsetsToTransaction([{ topic: 'in', partition: 0, offset: 1 }], GROUP)),
    );
    await clock.tick();
    expect(offsets.state).toBe('rejected');
    expect(offsets.error).toBeInstanceOf(AbortableTransactionError);
    expect(txn.state).toBe(TransactionState.AbortableError);
    const abort = track(wait(txn.beginAbort()));
    await clock.tick();
    expect(abort.state).toBe('resolved');
  });

  it('retries TxnOffsetCommit partitions that failed with a retriable error, only those', async () => {
    const { clock, txn, io, wait, init } = setup();
    await init();
    txn.beginTransaction();
    io.fault('TxnOffsetCommit', ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
    const offsets = track(
      wait(txn.sendOffsetsToTransaction([{ topic: 'in', partition: 0, offset: 1 }], GROUP)),
    );
    await clock.advance(100);
    expect(offsets.state).toBe('resolved');
    expect(io.bodies('TxnOffsetCommit')).toHaveLength(2);
  });

  it('fencing is fatal: the call and every later one reject with ProducerFencedError, buffered records fail', async () => {
    const { clock, txn, io, send, wait, init } = setup();
    await init();
    txn.beginTransaction();
    const a = send('a', 0);
    await clock.tick();
    await a;
    io.hold.add('EndTxn');
    io.fault('EndTxn', ErrorCode.INVALID_PRODUCER_EPOCH); // from the coordinator: fenced
    const commit = track(wait(txn.beginCommit()));
    await clock.tick();
    io.held.shift()?.release();
    await clock.tick();
    expect(commit.state).toBe('rejected');
    expect(commit.error).toBeInstanceOf(ProducerFencedError);
    expect(txn.state).toBe(TransactionState.FatalError);
    const fenced = commit.error;
    expect(() => txn.beginTransaction()).toThrow(fenced as Error);
    expect(() => txn.beginAbort()).toThrow(fenced as Error);
    expect(() => txn.beginCommit()).toThrow(fenced as Error);
    expect(() => txn.initTransactions()).toThrow(fenced as Error);
    await expect(send('b')).rejects.toBe(fenced);
  });

  it('a Produce request failing with UnsupportedApiVersionError is fatal, as UNSUPPORTED_VERSION is, and is not retried', async () => {
    const { clock, txn, io, send, init } = setup();
    await init();
    txn.beginTransaction();
    const cause = new UnsupportedApiVersionError('Produce', 0, { min: 3, max: 11 }, null);
    io.handler = () => cause;
    const a = track(send('a', 0));
    await clock.advance(1000);
    expect(io.sent).toHaveLength(1);
    expect(a.error).toBeInstanceOf(ProduceRequestError);
    expect((a.error as ProduceRequestError).cause).toBe(cause);
    expect(txn.state).toBe(TransactionState.FatalError);
    expect(() => txn.beginCommit()).toThrow(a.error as Error);
  });

  it('a Produce request failing with an unknown error fails its record at once and makes the transaction abortable', async () => {
    const { clock, txn, io, send, init } = setup();
    await init();
    txn.beginTransaction();
    const cause = new Error('cannot encode field "records"');
    io.handler = () => cause;
    const a = track(send('a', 0));
    await clock.advance(1000);
    expect(io.sent).toHaveLength(1);
    expect((a.error as ProduceRequestError).cause).toBe(cause);
    expect(txn.state).toBe(TransactionState.AbortableError);
    expect(() => txn.beginCommit()).toThrow(AbortableTransactionError);
  });

  it('a transactional request failing with an unknown error is fatal and not retried', async () => {
    const { clock, txn, io, send, wait, init } = setup();
    await init();
    txn.beginTransaction();
    const a = send('a', 0);
    await clock.tick();
    await a;
    const cause = new Error('cannot encode field "transactionalId"');
    io.fault('EndTxn', cause);
    const commit = track(wait(txn.beginCommit()));
    await clock.advance(1000);
    expect(io.log.filter((api) => api === 'EndTxn')).toHaveLength(1);
    expect(commit.state).toBe('rejected');
    expect((commit.error as Error).cause).toBe(cause);
    expect((commit.error as Error).message).toContain('EndTxn');
    expect(txn.state).toBe(TransactionState.FatalError);
  });

  it('an authorization failure of InitProducerId is fatal', async () => {
    const { clock, txn, io, wait } = setup();
    io.fault('InitProducerId', ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
    const init = track(wait(txn.initTransactions()));
    await clock.tick();
    expect(init.error).toBeInstanceOf(TransactionalIdAuthorizationFailedError);
    expect(txn.state).toBe(TransactionState.FatalError);
  });

  it('abort drops the records not sent yet (TransactionAbortedError) and ends the transaction', async () => {
    const { clock, txn, io, send, wait, init } = setup();
    await init();
    txn.beginTransaction();
    io.hold.add('AddPartitionsToTxn');
    const records = [send('a', 0), send('b', 1), send('c', 0)].map(track);
    await clock.tick();
    const abort = track(wait(txn.beginAbort()));
    await clock.tick();
    for (const r of records) {
      expect(r.state).toBe('rejected');
      expect(r.error).toBeInstanceOf(TransactionAbortedError);
    }
    expect(abort.state).toBe('pending'); // the AddPartitionsToTxn in flight comes back first
    io.held.shift()?.release();
    await clock.tick();
    expect(abort.state).toBe('resolved');
    expect(io.sent).toHaveLength(0);
    expect(io.bodies('EndTxn')).toEqual([
      { transactionalId: 'tx', producerId: PID, producerEpoch: 0, committed: false },
    ]);
    expect(txn.state).toBe(TransactionState.Ready);
  });

  it('commit waits for records in flight, then sends EndTxn; with nothing added, sends none', async () => {
    const { clock, txn, io, send, wait, init } = setup();
    await init();
    txn.beginTransaction();
    const empty = track(wait(txn.beginCommit()));
    await clock.tick();
    expect(empty.state).toBe('resolved');
    expect(io.bodies('EndTxn')).toHaveLength(0);

    txn.beginTransaction();
    io.handler = null; // produce responses wait for the test
    const a = track(send('a', 0));
    await clock.tick();
    expect(io.sent).toHaveLength(1);
    const commit = track(wait(txn.beginCommit()));
    await clock.advance(500);
    expect(io.bodies('EndTxn')).toHaveLength(0);
    io.sent[0].resolve({
      responses: [{ name: 't', partitionResponses: [{ index: 0, errorCode: 0, baseOffset: 9 }] }],
    });
    await clock.tick();
    expect(a.value).toMatchObject({ offset: 9 });
    expect(commit.state).toBe('resolved');
    expect(io.bodies('EndTxn')).toHaveLength(1);
  });

  it('waits up to max.block.ms; calling again after a timeout waits for the same request', async () => {
    const { clock, txn, io, wait } = setup();
    io.hold.add('InitProducerId');
    const first = txn.initTransactions();
    const timedOut = track(wait(first, 'initTransactions()', 1000));
    await clock.advance(999);
    expect(timedOut.state).toBe('pending');
    await clock.advance(1);
    expect(timedOut.state).toBe('rejected');
    expect(timedOut.error).toBeInstanceOf(KafkaTimeoutError);
    expect((timedOut.error as Error).message).toMatch(/1000 ms while awaiting initTransactions\(\)/);
    expect(txn.state).toBe(TransactionState.Initializing);
    // Another call is refused; the same one resumes waiting for the request already sent.
    expect(() => txn.beginTransaction()).toThrow(TransactionStateError);
    const again = txn.initTransactions();
    expect(again).toBe(first);
    const resumed = track(wait(again, 'initTransactions()', 1000));
    io.held.shift()?.release();
    await clock.tick();
    expect(resumed.state).toBe('resolved');
    expect(io.bodies('InitProducerId')).toHaveLength(1);
    expect(txn.state).toBe(TransactionState.Ready);
  });

  it('a record that expires (delivery.timeout.ms) waiting for its partition to be added makes the error abortable', async () => {
    const { clock, txn, io, send, init } = setup();
    await init();
    txn.beginTransaction();
    io.hold.add('AddPartitionsToTxn');
    const a = track(send('a', 0));
    await clock.advance(120_000);
    expect(a.state).toBe('rejected');
    expect(txn.state).toBe(TransactionState.AbortableError);
  });
});
