/**
 * The group coordinator answers only once its `__consumer_offsets` writes are in the ISR, as
 * Kafka's acks=-1 appends do: OffsetCommit, TxnOffsetCommit and the leader's SyncGroup. The
 * in-memory store holds replication (a stalled follower) until the test releases it, with NONE
 * (the ISR caught up) or the error the replica manager would give (REQUEST_TIMED_OUT after
 * `offsets.commit.timeout.ms`, NOT_LEADER_OR_FOLLOWER when leadership moved).
 */
import { ErrorCode } from '@tskafka/protocol';
import { describe, expect, it } from 'vitest';
import { GroupState } from '../src/group/group.js';
import type { CommitOffsetsParams } from '../src/group/offset-ops.js';
import { harness, join, settled } from './group-harness.js';

function commit(offset: number, p: Partial<CommitOffsetsParams> = {}): CommitOffsetsParams {
  return {
    groupId: 'simple',
    memberId: '',
    groupInstanceId: null,
    generationId: -1,
    apiVersion: 8,
    offsets: [
      {
        topic: 't1',
        partition: 0,
        offset: { offset, leaderEpoch: -1, metadata: '', commitTimestamp: 1000, expireTimestamp: null },
      },
    ],
    ...p,
  };
}

describe('OffsetCommit waits for the ISR', () => {
  it('is answered only once replicated; until then the offset is pending, not committed', async () => {
    const h = await harness();
    const ops = h.coordinator.offsets;
    expect(await ops.commitOffsets(commit(5))).toEqual([0]);
    h.store.holdReplication = true;
    const pending = ops.commitOffsets(commit(9));
    expect(await settled(pending)).toBe(false);
    // Written to the log, but served neither as committed nor, with requireStable, as settled.
    expect(h.store.all()).toHaveLength(2);
    expect(ops.fetchOffsets('simple', false, [{ topic: 't1', partition: 0 }]).offsets[0].offset).toBe(5);
    expect(ops.fetchOffsets('simple', true, [{ topic: 't1', partition: 0 }]).offsets[0].errorCode).toBe(
      ErrorCode.UNSTABLE_OFFSET_COMMIT,
    );
    expect(h.store.releaseReplication()).toBe(1);
    expect(await pending).toEqual([0]);
    expect(ops.fetchOffsets('simple', true, [{ topic: 't1', partition: 0 }]).offsets[0]).toMatchObject({
      offset: 9,
      errorCode: 0,
    });
  });

  it('a write the ISR does not take answers REQUEST_TIMED_OUT, one whose leader moved NOT_COORDINATOR; the offset stays', async () => {
    const h = await harness();
    const ops = h.coordinator.offsets;
    await ops.commitOffsets(commit(5));
    h.store.holdReplication = true;
    const timedOut = ops.commitOffsets(commit(7));
    await settled(timedOut);
    h.store.releaseReplication(ErrorCode.REQUEST_TIMED_OUT);
    expect(await timedOut).toEqual([ErrorCode.REQUEST_TIMED_OUT]);
    const moved = ops.commitOffsets(commit(8));
    await settled(moved);
    h.store.releaseReplication(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    expect(await moved).toEqual([ErrorCode.NOT_COORDINATOR]);
    expect(ops.fetchOffsets('simple', true, [{ topic: 't1', partition: 0 }]).offsets[0]).toMatchObject({
      offset: 5,
      errorCode: 0,
    });
  });

  it('two commits in flight end with the later one committed', async () => {
    const h = await harness();
    const ops = h.coordinator.offsets;
    h.store.holdReplication = true;
    const first = ops.commitOffsets(commit(3));
    const second = ops.commitOffsets(commit(4));
    await settled(second);
    h.store.releaseReplication();
    expect([await first, await second]).toEqual([[0], [0]]);
    expect(ops.fetchOffsets('simple', false, [{ topic: 't1', partition: 0 }]).offsets[0].offset).toBe(4);
  });
});

describe('TxnOffsetCommit waits for the ISR', () => {
  it('answers once replicated, with the mapped error when the ISR does not take it', async () => {
    const h = await harness();
    const ops = h.coordinator.offsets;
    const txn = {
      groupId: 'g',
      producerId: 5,
      producerEpoch: 0,
      memberId: '',
      groupInstanceId: null,
      generationId: -1,
    };
    h.store.holdReplication = true;
    const ok = ops.commitTxnOffsets({ ...txn, offsets: commit(10).offsets });
    expect(await settled(ok)).toBe(false);
    h.store.releaseReplication();
    expect(await ok).toEqual([0]);
    const timedOut = ops.commitTxnOffsets({ ...txn, offsets: commit(11).offsets });
    await settled(timedOut);
    h.store.releaseReplication(ErrorCode.REQUEST_TIMED_OUT);
    expect(await timedOut).toEqual([ErrorCode.REQUEST_TIMED_OUT]);
  });
});

describe('SyncGroup waits for the ISR', () => {
  async function completingRebalance() {
    const h = await harness();
    const j = h.coordinator.handleJoinGroup(join('g', { clientId: 'a' }));
    h.clock.advance(0);
    const r = await j;
    const sync = () =>
      h.coordinator.handleSyncGroup({
        groupId: 'g',
        generationId: r.generationId,
        memberId: r.memberId,
        groupInstanceId: null,
        protocolType: null,
        protocolName: null,
        assignments: [{ memberId: r.memberId, assignment: Buffer.from('A') }],
      });
    return { h, sync };
  }

  it("the leader's assignment is handed out only once the group metadata is replicated", async () => {
    const { h, sync } = await completingRebalance();
    h.store.holdReplication = true;
    const answer = sync();
    expect(await settled(answer)).toBe(false);
    expect(h.coordinator.groupManager.getGroup('g')?.state).toBe(GroupState.CompletingRebalance);
    h.store.releaseReplication();
    expect(await answer).toMatchObject({ errorCode: 0, assignment: Buffer.from('A') });
    expect(h.coordinator.groupManager.getGroup('g')?.state).toBe(GroupState.Stable);
  });

  it('a write that times out answers REBALANCE_IN_PROGRESS and the group rebalances', async () => {
    const { h, sync } = await completingRebalance();
    h.store.holdReplication = true;
    const answer = sync();
    await settled(answer);
    h.store.releaseReplication(ErrorCode.REQUEST_TIMED_OUT);
    expect((await answer).errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    expect(h.coordinator.groupManager.getGroup('g')?.state).toBe(GroupState.PreparingRebalance);
  });
});

describe('a static member rejoining a Stable group waits for the ISR', () => {
  it('is answered once its new member id is replicated; a write that times out keeps the old id', async () => {
    const h = await harness();
    const staticJoin = (clientId: string) =>
      h.coordinator.handleJoinGroup(
        join('s', { clientId, groupInstanceId: 'inst-a', requireKnownMemberId: true }),
      );
    const first = staticJoin('a');
    h.clock.advance(0);
    const r = await first;
    await h.coordinator.handleSyncGroup({
      groupId: 's',
      generationId: r.generationId,
      memberId: r.memberId,
      groupInstanceId: 'inst-a',
      protocolType: null,
      protocolName: null,
      assignments: [{ memberId: r.memberId, assignment: Buffer.from('A') }],
    });
    h.store.holdReplication = true;
    const timedOut = staticJoin('a-restarted');
    expect(await settled(timedOut)).toBe(false);
    h.store.releaseReplication(ErrorCode.REQUEST_TIMED_OUT);
    expect((await timedOut).errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    expect(h.coordinator.groupManager.getGroup('s')?.currentStaticMemberId('inst-a')).toBe(r.memberId);

    const rejoined = staticJoin('a-restarted');
    expect(await settled(rejoined)).toBe(false);
    h.store.releaseReplication();
    const answer = await rejoined;
    expect(answer.errorCode).toBe(0);
    expect(answer.memberId).not.toBe(r.memberId);
    expect(h.coordinator.groupManager.getGroup('s')?.currentStaticMemberId('inst-a')).toBe(answer.memberId);
  });
});
