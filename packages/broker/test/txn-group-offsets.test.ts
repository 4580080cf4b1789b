/**
 * The group coordinator's side of transactions (Kafka's GroupMetadataManager pending
 * transactional offsets): TxnOffsetCommit validation, offsets pending per producer until the
 * marker, ordering against plain commits, and replay of the offsets log with its markers.
 */

import { ErrorCode } from '@tskafka/protocol';
import { ControlRecordType, encodeControlRecord } from '@tskafka/protocol/internals';
import { describe, expect, it } from 'vitest';
import type { OffsetAndMetadata } from '../src/group/group.js';
import type { CommitOffsetsParams, CommitTxnOffsetsParams } from '../src/group/offset-ops.js';
import { type Harness, harness, join } from './group-harness.js';

function offset(o: number): OffsetAndMetadata {
  return { offset: o, leaderEpoch: -1, metadata: '', commitTimestamp: 1000, expireTimestamp: null };
}

function txnCommit(
  producerId: number,
  o: number,
  p: Partial<CommitTxnOffsetsParams> = {},
): CommitTxnOffsetsParams {
  return {
    groupId: 'g',
    producerId,
    producerEpoch: 0,
    memberId: '',
    groupInstanceId: null,
    generationId: -1,
    offsets: [{ topic: 't1', partition: 0, offset: offset(o) }],
    ...p,
  };
}

function plainCommit(o: number): CommitOffsetsParams {
  return {
    groupId: 'g',
    memberId: '',
    groupInstanceId: null,
    generationId: -1,
    apiVersion: 8,
    offsets: [{ topic: 't1', partition: 0, offset: offset(o) }],
  };
}

function fetched(h: Harness, requireStable = false) {
  const r = h.coordinator.offsets.fetchOffsets('g', requireStable, [{ topic: 't1', partition: 0 }]);
  return { offset: r.offsets[0].offset, errorCode: r.offsets[0].errorCode };
}

/** Writes a marker to the group's offsets partition and tells the coordinator, as the replica manager does. */
function marker(h: Harness, producerId: number, committed: boolean): void {
  const p = h.coordinator.groupManager.partitionFor('g');
  const { key, value } = encodeControlRecord(
    committed ? ControlRecordType.Commit : ControlRecordType.Abort,
    0,
  );
  h.store.appendMarker(p, producerId, key, value);
  h.coordinator.onTxnMarker(p, producerId, committed);
}

describe('TxnOffsetCommit in the group coordinator', () => {
  it('writes a transactional batch of the producer and keeps the offsets pending until the marker', async () => {
    const h = await harness();
    expect(await h.coordinator.offsets.commitTxnOffsets(txnCommit(5, 10))).toEqual([0]);
    const written = h.store.all();
    expect(written).toHaveLength(1);
    expect(written[0].batch).toEqual({ producerId: 5, isTransactional: true, isControl: false });
    expect(fetched(h)).toEqual({ offset: -1, errorCode: 0 });
    expect(fetched(h, true)).toEqual({ offset: -1, errorCode: ErrorCode.UNSTABLE_OFFSET_COMMIT });
    marker(h, 5, true);
    expect(fetched(h, true)).toEqual({ offset: 10, errorCode: 0 });
  });

  it('drops the offsets of an aborted transaction and keeps those of other producers pending', async () => {
    const h = await harness();
    await h.coordinator.offsets.commitOffsets(plainCommit(3));
    await h.coordinator.offsets.commitTxnOffsets(txnCommit(5, 10));
    await h.coordinator.offsets.commitTxnOffsets(
      txnCommit(6, 20, { offsets: [{ topic: 't2', partition: 1, offset: offset(20) }] }),
    );
    marker(h, 5, false);
    expect(fetched(h, true)).toEqual({ offset: 3, errorCode: 0 });
    expect(h.coordinator.groupManager.getGroup('g')?.hasPendingOffsetCommits('t2', 1)).toBe(true);
  });

  it('a plain commit written after the transactional one wins when the transaction commits', async () => {
    const h = await harness();
    await h.coordinator.offsets.commitTxnOffsets(txnCommit(5, 10));
    await h.coordinator.offsets.commitOffsets(plainCommit(7));
    marker(h, 5, true);
    expect(fetched(h)).toEqual({ offset: 7, errorCode: 0 });
  });

  it('checks the member and generation when the request carries them (v3+)', async () => {
    const h = await harness();
    const j = h.coordinator.handleJoinGroup(join('g', { clientId: 'a', groupInstanceId: 'inst-a' }));
    h.clock.advance(0);
    const r = await j;
    const member = { memberId: r.memberId, groupInstanceId: 'inst-a' };
    const commit = (p: Partial<CommitTxnOffsetsParams>) =>
      h.coordinator.offsets.commitTxnOffsets(txnCommit(5, 10, p));
    expect(await commit({ ...member, generationId: r.generationId + 1 })).toEqual([
      ErrorCode.ILLEGAL_GENERATION,
    ]);
    expect(await commit({ memberId: 'someone-else', generationId: r.generationId })).toEqual([
      ErrorCode.UNKNOWN_MEMBER_ID,
    ]);
    expect(
      await commit({ memberId: 'someone-else', groupInstanceId: 'inst-a', generationId: r.generationId }),
    ).toEqual([ErrorCode.FENCED_INSTANCE_ID]);
    // While the group completes its rebalance, a member of the generation may commit in a transaction.
    expect(await commit({ ...member, generationId: r.generationId })).toEqual([0]);
    // Older clients send no member and generation: accepted even though the group has members.
    expect(await commit({})).toEqual([0]);
    expect(h.store.all().filter((x) => x.batch?.isTransactional)).toHaveLength(2);
  });

  it('refuses the empty group id and overlong metadata, as OffsetCommit does', async () => {
    const h = await harness();
    expect(await h.coordinator.offsets.commitTxnOffsets(txnCommit(5, 1, { groupId: '' }))).toEqual([
      ErrorCode.INVALID_GROUP_ID,
    ]);
    const long = { ...offset(1), metadata: 'x'.repeat(5000) };
    expect(
      await h.coordinator.offsets.commitTxnOffsets(
        txnCommit(5, 1, {
          offsets: [
            { topic: 't1', partition: 0, offset: long },
            { topic: 't1', partition: 1, offset: offset(2) },
          ],
        }),
      ),
    ).toEqual([ErrorCode.OFFSET_METADATA_TOO_LARGE, 0]);
  });

  it('a reload decides pending offsets by the markers in the log and keeps the undecided pending', async () => {
    const h = await harness();
    await h.coordinator.offsets.commitOffsets(plainCommit(1));
    await h.coordinator.offsets.commitTxnOffsets(txnCommit(5, 10));
    marker(h, 5, true);
    await h.coordinator.offsets.commitTxnOffsets(txnCommit(6, 20));
    marker(h, 6, false);
    await h.coordinator.offsets.commitTxnOffsets(
      txnCommit(7, 30, { offsets: [{ topic: 't2', partition: 0, offset: offset(30) }] }),
    );
    // A group known only through a pending transactional commit is loaded too.
    await h.coordinator.offsets.commitTxnOffsets(txnCommit(8, 40, { groupId: 'only-pending' }));

    await h.restart();
    expect(fetched(h, true)).toEqual({ offset: 10, errorCode: 0 });
    const r = h.coordinator.offsets.fetchOffsets('g', true, [{ topic: 't2', partition: 0 }]);
    expect(r.offsets[0].errorCode).toBe(ErrorCode.UNSTABLE_OFFSET_COMMIT);
    expect(h.coordinator.groupManager.getGroup('only-pending')?.hasPendingOffsetCommits('t1', 0)).toBe(true);
    marker(h, 7, true);
    expect(
      h.coordinator.offsets.fetchOffsets('g', true, [{ topic: 't2', partition: 0 }]).offsets[0],
    ).toMatchObject({
      offset: 30,
      errorCode: 0,
    });
  });
});
