/**
 * Offsets and persistence: commits by members and by simple consumers, fetches, the Kafka record
 * formats in `__consumer_offsets`, reload after a restart, deletion of groups and offsets,
 * expiration, and the group → partition mapping with Java's String.hashCode.
 */
import { ErrorCode } from '@tskafka/protocol';
import { describe, expect, it } from 'vitest';
import { GroupState, type OffsetAndMetadata } from '../src/group/group.js';
import { javaStringHashCode, partitionForGroup } from '../src/group/metadata-manager.js';
import type { CommitOffsetsParams } from '../src/group/offset-ops.js';
import { decodeGroupMetadataValue, decodeOffsetCommitValue, decodeRecordKey } from '../src/group/records.js';
import { type Harness, harness, join, recordsOf, subscription } from './group-harness.js';

function offset(o: number, extra: Partial<OffsetAndMetadata> = {}): OffsetAndMetadata {
  return { offset: o, leaderEpoch: -1, metadata: '', commitTimestamp: 1000, expireTimestamp: null, ...extra };
}

function commit(groupId: string, p: Partial<CommitOffsetsParams> = {}): CommitOffsetsParams {
  return {
    groupId,
    memberId: '',
    groupInstanceId: null,
    generationId: -1,
    apiVersion: 8,
    offsets: [{ topic: 't1', partition: 0, offset: offset(5) }],
    ...p,
  };
}

/** One consumer `a` subscribed to `t1`, Stable in generation 1. */
async function oneMemberGroup(h: Harness, groupId = 'g') {
  const j = h.coordinator.handleJoinGroup(join(groupId, { clientId: 'a' }));
  h.clock.advance(0);
  const r = await j;
  await h.coordinator.handleSyncGroup({
    groupId,
    generationId: 1,
    memberId: r.memberId,
    groupInstanceId: null,
    protocolType: null,
    protocolName: null,
    assignments: [{ memberId: r.memberId, assignment: Buffer.from('A') }],
  });
  return r.memberId;
}

describe('group id to offsets partition', () => {
  it('uses Java String.hashCode and Kafka Utils.abs (n & 0x7fffffff)', () => {
    // "my-group": h = 31*h + c over m(109) y(121) -(45) g(103) r(114) o(111) u(117) p(112):
    // 109, 3500, 108545, 3364998, 104315052, 3233766723 → int32 -1061200573, then
    // 31 * -1061200573 + 117 = -32897217646 → int32 1462520722, then
    // 31 * 1462520722 + 112 = 45338142494 → int32 -1906497762 (0x8E5D_271E).
    expect(javaStringHashCode('my-group')).toBe(-1906497762);
    // & 0x7fffffff: 240985886; % 50 = 36 (Kafka's default offsets.topic.num.partitions).
    expect(partitionForGroup('my-group', 50)).toBe(36);
    expect(javaStringHashCode('test-group')).toBe(627841412);
    expect(partitionForGroup('test-group', 50)).toBe(12);
    expect(javaStringHashCode('')).toBe(0);
    // UTF-16 code units, like Java: a non-ASCII letter and a surrogate pair.
    expect(javaStringHashCode('grüppe')).toBe(-1233264812);
    expect(javaStringHashCode('😀')).toBe(1772899);
    // Integer.MIN_VALUE: Math.abs would stay negative; Kafka's abs maps it to 0.
    expect(javaStringHashCode('polygenelubricants')).toBe(-2147483648);
    expect(partitionForGroup('polygenelubricants', 50)).toBe(0);
  });
});

describe('offset commits and fetches', () => {
  it('a simple consumer (generation -1) commits to a new group; fetch returns -1 where nothing was committed', async () => {
    const h = await harness();
    const ops = h.coordinator.offsets;
    expect(
      await ops.commitOffsets(
        commit('simple', { offsets: [{ topic: 't1', partition: 1, offset: offset(42, { metadata: 'm' }) }] }),
      ),
    ).toEqual([0]);
    expect(h.coordinator.groupManager.getGroup('simple')?.state).toBe(GroupState.Empty);
    expect(
      ops.fetchOffsets('simple', false, [
        { topic: 't1', partition: 1 },
        { topic: 't1', partition: 2 },
      ]),
    ).toEqual({
      errorCode: 0,
      offsets: [
        { topic: 't1', partition: 1, offset: 42, leaderEpoch: -1, metadata: 'm', errorCode: 0 },
        { topic: 't1', partition: 2, offset: -1, leaderEpoch: -1, metadata: '', errorCode: 0 },
      ],
    });
    // All partitions (null) of the group; an unknown group has none.
    expect(ops.fetchOffsets('simple', false, null).offsets.map((o) => o.offset)).toEqual([42]);
    expect(ops.fetchOffsets('nobody', false, [{ topic: 't1', partition: 0 }]).offsets[0].offset).toBe(-1);
    // A generation for a group that does not exist: ILLEGAL_GENERATION (GROUP_ID_NOT_FOUND from v9).
    expect(await ops.commitOffsets(commit('ghost', { generationId: 3, apiVersion: 8 }))).toEqual([
      ErrorCode.ILLEGAL_GENERATION,
    ]);
    expect(await ops.commitOffsets(commit('ghost', { generationId: 3, apiVersion: 9 }))).toEqual([
      ErrorCode.GROUP_ID_NOT_FOUND,
    ]);
    const tooLong = offset(1, { metadata: 'x'.repeat(4097) });
    expect(
      await ops.commitOffsets(
        commit('simple', { offsets: [{ topic: 't1', partition: 0, offset: tooLong }] }),
      ),
    ).toEqual([ErrorCode.OFFSET_METADATA_TOO_LARGE]);
  });

  it('members commit in their generation; others are refused', async () => {
    const h = await harness();
    const a = await oneMemberGroup(h);
    const ops = h.coordinator.offsets;
    expect(await ops.commitOffsets(commit('g', { memberId: a, generationId: 1 }))).toEqual([0]);
    expect(await ops.commitOffsets(commit('g', { memberId: a, generationId: 0 }))).toEqual([
      ErrorCode.ILLEGAL_GENERATION,
    ]);
    expect(await ops.commitOffsets(commit('g', { memberId: 'x', generationId: 1 }))).toEqual([
      ErrorCode.UNKNOWN_MEMBER_ID,
    ]);
    // A simple commit to a group with members is refused.
    expect(await ops.commitOffsets(commit('g'))).toEqual([ErrorCode.UNKNOWN_MEMBER_ID]);
    // While the group completes a rebalance, the member must finish it first.
    const j = h.coordinator.handleJoinGroup(join('g', { clientId: 'a', memberId: a }));
    const r = await j;
    expect(h.coordinator.groupManager.getGroup('g')?.state).toBe(GroupState.CompletingRebalance);
    expect(await ops.commitOffsets(commit('g', { memberId: a, generationId: r.generationId }))).toEqual([
      ErrorCode.REBALANCE_IN_PROGRESS,
    ]);
    // An append failure maps to the coordinator error the client expects.
    h.store.failNext = ErrorCode.NOT_LEADER_OR_FOLLOWER;
    expect(await ops.commitOffsets(commit('simple'))).toEqual([ErrorCode.NOT_COORDINATOR]);
  });

  it('with requireStable, a partition with a pending transactional commit answers UNSTABLE_OFFSET_COMMIT', async () => {
    const h = await harness();
    await h.coordinator.offsets.commitOffsets(commit('tx'));
    h.coordinator.groupManager
      .getGroup('tx')
      ?.putPendingTxnOffset(7, { topic: 't1', partition: 0, offset: offset(9), recordOffset: 1 });
    expect(
      h.coordinator.offsets.fetchOffsets('tx', true, [{ topic: 't1', partition: 0 }]).offsets[0],
    ).toMatchObject({
      offset: -1,
      errorCode: ErrorCode.UNSTABLE_OFFSET_COMMIT,
    });
    expect(
      h.coordinator.offsets.fetchOffsets('tx', false, [{ topic: 't1', partition: 0 }]).offsets[0].offset,
    ).toBe(5);
  });
});

describe('persistence in __consumer_offsets', () => {
  it('writes Kafka-format offset records: key v1, value v3 (v1 with an explicit expire timestamp)', async () => {
    const h = await harness();
    await h.coordinator.offsets.commitOffsets(
      commit('fmt', {
        offsets: [
          {
            topic: 't1',
            partition: 2,
            offset: offset(77, { leaderEpoch: 4, metadata: 'meta', commitTimestamp: 1234 }),
          },
          {
            topic: 't2',
            partition: 0,
            offset: offset(8, { commitTimestamp: 1234, expireTimestamp: 99_999 }),
          },
        ],
      }),
    );
    const [r1, r2] = recordsOf(h, 'fmt');
    expect(r1.partition).toBe(partitionForGroup('fmt', 4));
    expect(r1.key.readInt16BE(0)).toBe(1);
    expect(decodeRecordKey(r1.key)).toEqual({ type: 'offset', group: 'fmt', topic: 't1', partition: 2 });
    expect(decodeOffsetCommitValue(r1.value as Buffer)).toEqual({
      version: 3,
      offset: 77,
      leaderEpoch: 4,
      metadata: 'meta',
      commitTimestamp: 1234,
      expireTimestamp: -1,
    });
    // Byte layout of the v3 value: int16 version, int64 offset, int32 epoch, string, int64 timestamp.
    expect((r1.value as Buffer).toString('hex')).toBe(
      [
        '0003',
        '000000000000004d',
        '00000004',
        '0004',
        Buffer.from('meta').toString('hex'),
        '00000000000004d2',
      ].join(''),
    );
    expect(decodeOffsetCommitValue(r2.value as Buffer)).toMatchObject({
      version: 1,
      offset: 8,
      expireTimestamp: 99_999,
    });
  });

  it('offsets and a Stable group survive a restart; members continue their generation', async () => {
    const h = await harness();
    const a = await oneMemberGroup(h);
    await h.coordinator.offsets.commitOffsets(
      commit('g', {
        memberId: a,
        generationId: 1,
        offsets: [{ topic: 't1', partition: 0, offset: offset(11) }],
      }),
    );
    await h.coordinator.offsets.commitOffsets(
      commit('simple', { offsets: [{ topic: 't2', partition: 1, offset: offset(3) }] }),
    );
    const c = await h.restart();
    const group = c.groupManager.getGroup('g');
    expect(group).toMatchObject({
      state: GroupState.Stable,
      generationId: 1,
      protocolName: 'range',
      leaderId: a,
    });
    expect(group?.get(a).assignment.toString()).toBe('A');
    expect(group?.subscribedTopics).toEqual(new Set(['t1']));
    expect(c.handleHeartbeat({ groupId: 'g', memberId: a, generationId: 1, groupInstanceId: null })).toBe(0);
    expect(c.offsets.fetchOffsets('g', false, null).offsets).toEqual([
      { topic: 't1', partition: 0, offset: 11, leaderEpoch: -1, metadata: '', errorCode: 0 },
    ]);
    expect(c.groupManager.getGroup('simple')?.state).toBe(GroupState.Empty);
    expect(c.offsets.fetchOffsets('simple', false, null).offsets[0].offset).toBe(3);
    // Loaded members still need to heartbeat.
    h.clock.advance(10_000);
    expect(c.groupManager.getGroup('g')).toMatchObject({ state: GroupState.Empty, generationId: 2 });
  });

  it('DeleteGroups refuses groups with members, then deletes with tombstones that survive a restart', async () => {
    const h = await harness();
    const a = await oneMemberGroup(h);
    const ops = h.coordinator.offsets;
    await ops.commitOffsets(commit('g', { memberId: a, generationId: 1 }));
    expect(ops.deleteGroups(['g', 'unknown'])).toEqual(
      new Map([
        ['g', ErrorCode.NON_EMPTY_GROUP],
        ['unknown', ErrorCode.GROUP_ID_NOT_FOUND],
      ]),
    );
    h.coordinator.handleLeaveGroup('g', [{ memberId: a, groupInstanceId: null, reason: null }]);
    expect(h.coordinator.groupManager.getGroup('g')?.state).toBe(GroupState.Empty);
    expect(ops.deleteGroups(['g'])).toEqual(new Map([['g', 0]]));
    expect(h.coordinator.groupManager.getGroup('g')).toBeUndefined();
    const tail = recordsOf(h, 'g').slice(-2);
    expect(tail.map((r) => [decodeRecordKey(r.key), r.value])).toEqual([
      [{ type: 'offset', group: 'g', topic: 't1', partition: 0 }, null],
      [{ type: 'group', group: 'g' }, null],
    ]);
    const c = await h.restart();
    expect(c.groupManager.getGroup('g')).toBeUndefined();
    expect(c.offsets.describeGroup('g')).toMatchObject({ errorCode: 0, state: 'Dead', members: [] });
  });

  it('OffsetDelete refuses partitions of subscribed topics and deletes the others', async () => {
    const h = await harness();
    const a = await oneMemberGroup(h);
    const ops = h.coordinator.offsets;
    await ops.commitOffsets(
      commit('g', {
        memberId: a,
        generationId: 1,
        offsets: [
          { topic: 't1', partition: 0, offset: offset(1) },
          { topic: 't2', partition: 0, offset: offset(2) },
        ],
      }),
    );
    const r = ops.deleteOffsets('g', [
      { topic: 't1', partition: 0 },
      { topic: 't2', partition: 0 },
    ]);
    expect(r).toEqual({
      errorCode: 0,
      partitions: [
        { topic: 't1', partition: 0, errorCode: ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC },
        { topic: 't2', partition: 0, errorCode: 0 },
      ],
    });
    expect(ops.fetchOffsets('g', false, null).offsets.map((o) => o.topic)).toEqual(['t1']);
    const last = recordsOf(h, 'g').at(-1);
    expect(last && decodeRecordKey(last.key)).toEqual({
      type: 'offset',
      group: 'g',
      topic: 't2',
      partition: 0,
    });
    expect(last?.value).toBeNull();
    expect(ops.deleteOffsets('nope', [{ topic: 't1', partition: 0 }]).errorCode).toBe(
      ErrorCode.GROUP_ID_NOT_FOUND,
    );
    // A non-consumer group with members cannot tell what it consumes.
    const j = h.coordinator.handleJoinGroup(
      join('connect', {
        protocolType: 'connect',
        protocols: [{ name: 'default', metadata: Buffer.from('x') }],
      }),
    );
    h.clock.advance(0);
    await j;
    expect(ops.deleteOffsets('connect', [{ topic: 't1', partition: 0 }]).errorCode).toBe(
      ErrorCode.NON_EMPTY_GROUP,
    );
  });

  it('expires offsets of an empty group after offsets.retention, then removes the group', async () => {
    const h = await harness({ 'offsets.retention.minutes': 1 });
    const a = await oneMemberGroup(h);
    await h.coordinator.offsets.commitOffsets(commit('g', { memberId: a, generationId: 1 }));
    h.coordinator.handleLeaveGroup('g', [{ memberId: a, groupInstanceId: null, reason: null }]);
    h.clock.advance(30_000);
    expect(h.coordinator.groupManager.expireOffsets(h.clock.now())).toBe(0);
    h.clock.advance(30_000);
    expect(h.coordinator.groupManager.expireOffsets(h.clock.now())).toBe(1);
    expect(h.coordinator.groupManager.getGroup('g')).toBeUndefined();
    const tail = recordsOf(h, 'g').slice(-2);
    expect(tail.map((r) => decodeRecordKey(r.key).type)).toEqual(['offset', 'group']);
  });

  it('DescribeGroups shows metadata and assignments once Stable; ListGroups filters by state and type', async () => {
    const h = await harness();
    const a = await oneMemberGroup(h);
    await h.coordinator.offsets.commitOffsets(commit('simple'));
    const d = h.coordinator.offsets.describeGroup('g');
    expect(d).toMatchObject({ errorCode: 0, state: 'Stable', protocolType: 'consumer', protocol: 'range' });
    expect(d.members).toHaveLength(1);
    expect(d.members[0]).toMatchObject({ memberId: a, clientId: 'a', clientHost: '/127.0.0.1' });
    expect(d.members[0].metadata.equals(subscription(['t1']))).toBe(true);
    expect(d.members[0].assignment.toString()).toBe('A');
    const ops = h.coordinator.offsets;
    expect(
      ops.listGroups([], []).groups.map((g) => [g.groupId, g.state, g.protocolType, g.groupType]),
    ).toEqual([
      ['g', 'Stable', 'consumer', 'classic'],
      ['simple', 'Empty', '', 'classic'],
    ]);
    expect(ops.listGroups(['empty'], []).groups.map((g) => g.groupId)).toEqual(['simple']);
    expect(ops.listGroups([], ['Classic']).groups).toHaveLength(2);
    expect(ops.listGroups([], ['consumer']).groups).toEqual([]);
    // The stored group metadata value can be decoded from the log as well.
    const rec = recordsOf(h, 'g').find((r) => decodeRecordKey(r.key).type === 'group');
    expect(decodeGroupMetadataValue(rec?.value as Buffer).members[0].memberId).toBe(a);
  });

  it('removes offsets of a deleted topic, and skips undecodable records when loading', async () => {
    const h = await harness();
    await h.coordinator.offsets.commitOffsets(
      commit('s', {
        offsets: [
          { topic: 't1', partition: 0, offset: offset(1) },
          { topic: 't2', partition: 0, offset: offset(2) },
        ],
      }),
    );
    h.metadata.deleteTopic('t2');
    expect(h.coordinator.offsets.fetchOffsets('s', false, null).offsets.map((o) => o.topic)).toEqual(['t1']);
    const last = recordsOf(h, 's').at(-1);
    expect(last && [decodeRecordKey(last.key), last.value]).toEqual([
      { type: 'offset', group: 's', topic: 't2', partition: 0 },
      null,
    ]);
    // A garbled value: that record is skipped, the rest of the partition loads.
    const p = h.coordinator.groupManager.partitionFor('s');
    h.store.append(p, [{ key: recordsOf(h, 's')[0].key, value: Buffer.from([0, 3, 1]) }], 0);
    const c = await h.restart();
    expect(c.offsets.fetchOffsets('s', false, null).offsets).toMatchObject([{ topic: 't1', offset: 1 }]);
    expect(h.logs.some((l) => l.includes('skipping the undecodable record'))).toBe(true);
  });
});
