/**
 * The consumer's fetch session handler (Java's `FetchSessionHandler`): a full fetch at epoch 0
 * first, then incremental fetches listing only added or changed partitions and forgetting those
 * that left; session errors and failed fetches fall back to a full fetch; close sends epoch -1.
 */
import { ErrorCode } from '@tskafka/protocol';
import { describe, expect, it } from 'vitest';
import { FetchSessionHandler, type SessionPartitionData } from '../src/fetch-session.js';

const p = (partition: number, fetchOffset: number, topic = 't'): SessionPartitionData => ({
  topic,
  partition,
  fetchOffset,
  partitionMaxBytes: 1000,
  currentLeaderEpoch: -1,
});
const listed = (r: { toSend: readonly SessionPartitionData[] }) =>
  r.toSend.map((x) => `${x.partition}@${x.fetchOffset}`);
const answer = (sessionId: number, partitions: number[] = [], errorCode = 0) => ({
  errorCode,
  sessionId,
  responses: partitions.length
    ? [{ topic: 't', partitions: partitions.map((partitionIndex) => ({ partitionIndex })) }]
    : [],
});

describe('FetchSessionHandler', () => {
  it('sends everything at epoch 0, then only what changed, forgetting what left', () => {
    const h = new FetchSessionHandler(1);
    let r = h.build([p(0, 0), p(1, 0), p(2, 0)]);
    expect([r.sessionId, r.sessionEpoch, r.full]).toEqual([0, 0, true]);
    expect(listed(r)).toEqual(['0@0', '1@0', '2@0']);
    expect(h.handleResponse(answer(77, [0, 1, 2]))).toBeNull();

    r = h.build([p(0, 5), p(1, 0), p(2, 0)]);
    expect([r.sessionId, r.sessionEpoch, r.full]).toEqual([77, 1, false]);
    expect(listed(r)).toEqual(['0@5']);
    expect(r.toForget).toEqual([]);
    expect(h.handleResponse(answer(77))).toBeNull();

    r = h.build([p(0, 5), p(2, 3), p(3, 0)]);
    expect(r.sessionEpoch).toBe(2);
    expect(listed(r)).toEqual(['2@3', '3@0']);
    expect(r.toForget).toEqual([{ topic: 't', partition: 1 }]);
    expect(h.handleResponse(answer(77, [3]))).toBeNull();
    expect(h.build([p(0, 5), p(2, 3), p(3, 0)]).sessionEpoch).toBe(3);
  });

  it('stays with full fetches when the broker opens no session', () => {
    const h = new FetchSessionHandler(1);
    h.build([p(0, 0)]);
    expect(h.handleResponse(answer(0, [0]))).toBeNull();
    const r = h.build([p(0, 4)]);
    expect([r.sessionId, r.sessionEpoch, r.full]).toEqual([0, 0, true]);
    expect(listed(r)).toEqual(['0@4']);
  });

  it('after a session error or a failed fetch, the next fetch is full again', () => {
    const h = new FetchSessionHandler(1);
    h.build([p(0, 0), p(1, 0)]);
    h.handleResponse(answer(9, [0, 1]));
    h.build([p(0, 1), p(1, 0)]);
    // An unknown session: a new one, without naming the old.
    expect(h.handleResponse(answer(0, [], ErrorCode.FETCH_SESSION_ID_NOT_FOUND))).toContain('error code');
    let r = h.build([p(0, 1), p(1, 0)]);
    expect([r.sessionId, r.sessionEpoch, r.full]).toEqual([0, 0, true]);
    expect(listed(r)).toEqual(['0@1', '1@0']);
    h.handleResponse(answer(10, [0, 1]));

    // A wrong epoch: the next full fetch names the session, which closes it and opens another.
    h.build([p(0, 1), p(1, 0)]);
    h.handleResponse(answer(0, [], ErrorCode.INVALID_FETCH_SESSION_EPOCH));
    r = h.build([p(0, 1), p(1, 0)]);
    expect([r.sessionId, r.sessionEpoch, r.full]).toEqual([10, 0, true]);
    h.handleResponse(answer(11, [0, 1]));

    // A fetch lost on the way: the same.
    h.build([p(0, 2), p(1, 0)]);
    h.handleError();
    r = h.build([p(0, 2), p(1, 0)]);
    expect([r.sessionId, r.sessionEpoch, r.full]).toEqual([11, 0, true]);
    expect(listed(r)).toEqual(['0@2', '1@0']);
  });

  it('refuses an answer naming a partition outside the session', () => {
    const h = new FetchSessionHandler(1);
    h.build([p(0, 0)]);
    h.handleResponse(answer(5, [0]));
    h.build([p(0, 1)]);
    expect(h.handleResponse(answer(5, [0, 7]))).toContain('t-7');
    const r = h.build([p(0, 1)]);
    expect([r.sessionId, r.sessionEpoch, r.full]).toEqual([5, 0, true]);
  });

  it('a broker that closes the session (id 0 in an incremental answer) gets a full fetch next', () => {
    const h = new FetchSessionHandler(1);
    h.build([p(0, 0)]);
    h.handleResponse(answer(5, [0]));
    h.build([p(0, 0)]);
    expect(h.handleResponse(answer(0))).toBeNull();
    expect(h.build([p(0, 0)])).toMatchObject({ sessionId: 0, sessionEpoch: 0, full: true });
  });

  it('closes with epoch -1 naming the session, and only when there is one', () => {
    const h = new FetchSessionHandler(1);
    expect(h.closeRequest()).toBeNull();
    h.build([p(0, 0)]);
    h.handleResponse(answer(42, [0]));
    expect(h.closeRequest()).toMatchObject({ sessionId: 42, sessionEpoch: -1, toSend: [], toForget: [] });
    expect(h.closeRequest()).toBeNull();
  });
});
