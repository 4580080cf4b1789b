/**
 * The classic group state machine, driven by a manual clock: joins, leader election, protocol
 * selection, SyncGroup, heartbeats, session/rebalance/sync timeouts, static membership, LeaveGroup.
 */
import { ErrorCode } from '@tskafka/protocol';
import { describe, expect, it } from 'vitest';
import { GroupState } from '../src/group/group.js';
import { decodeGroupMetadataValue, decodeRecordKey } from '../src/group/records.js';
import { type Harness, harness, join, recordsOf, settled, subscription } from './group-harness.js';

/** Joins with the KIP-394 handshake (JoinGroup v4+): MEMBER_ID_REQUIRED, then join with that id. */
async function handshake(h: Harness, groupId: string, clientId: string) {
  const first = await h.coordinator.handleJoinGroup(join(groupId, { clientId, requireKnownMemberId: true }));
  expect(first.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
  expect(first.memberId.startsWith(`${clientId}-`)).toBe(true);
  return first.memberId;
}

/** Two dynamic members, joined and synced: generation 1, Stable; `a` leads. */
async function stableGroup(h: Harness, groupId = 'g') {
  const ja = h.coordinator.handleJoinGroup(join(groupId, { clientId: 'a' }));
  const jb = h.coordinator.handleJoinGroup(join(groupId, { clientId: 'b' }));
  h.clock.advance(0);
  const [ra, rb] = await Promise.all([ja, jb]);
  const sb = h.coordinator.handleSyncGroup({
    groupId,
    generationId: rb.generationId,
    memberId: rb.memberId,
    groupInstanceId: null,
    protocolType: 'consumer',
    protocolName: 'range',
    assignments: [],
  });
  const sa = await h.coordinator.handleSyncGroup({
    groupId,
    generationId: ra.generationId,
    memberId: ra.memberId,
    groupInstanceId: null,
    protocolType: null,
    protocolName: null,
    assignments: [
      { memberId: ra.memberId, assignment: Buffer.from('A') },
      { memberId: rb.memberId, assignment: Buffer.from('B') },
    ],
  });
  expect(sa.errorCode).toBe(0);
  expect((await sb).errorCode).toBe(0);
  return { a: ra.memberId, b: rb.memberId, generation: ra.generationId };
}

function sync(
  groupId: string,
  memberId: string,
  generationId: number,
  assignments: { memberId: string; assignment: Buffer }[] = [],
) {
  return {
    groupId,
    generationId,
    memberId,
    groupInstanceId: null,
    protocolType: null,
    protocolName: null,
    assignments,
  };
}

function heartbeat(
  h: Harness,
  groupId: string,
  memberId: string,
  generationId: number,
  groupInstanceId: string | null = null,
) {
  return h.coordinator.handleHeartbeat({ groupId, memberId, generationId, groupInstanceId });
}

describe('group coordinator: joining and syncing', () => {
  it('elects the first member leader, gives both the generation and the leader all members, and distributes the assignment', async () => {
    const h = await harness({ 'group.initial.rebalance.delay.ms': 3000 });
    const a = await handshake(h, 'g', 'a');
    const ja = h.coordinator.handleJoinGroup(
      join('g', { clientId: 'a', memberId: a, requireKnownMemberId: true }),
    );
    expect(h.coordinator.groupManager.getGroup('g')?.state).toBe(GroupState.PreparingRebalance);
    const b = await handshake(h, 'g', 'b');
    const jb = h.coordinator.handleJoinGroup(
      join('g', {
        clientId: 'b',
        memberId: b,
        requireKnownMemberId: true,
        protocols: [{ name: 'range', metadata: subscription(['t2']) }],
      }),
    );
    // group.initial.rebalance.delay.ms: b joined during the first 3 s, so the delay is extended once.
    h.clock.advance(3000);
    expect(await settled(ja)).toBe(false);
    h.clock.advance(3000);
    const [ra, rb] = await Promise.all([ja, jb]);
    expect(ra).toMatchObject({
      errorCode: 0,
      generationId: 1,
      protocolType: 'consumer',
      protocolName: 'range',
      leader: a,
      memberId: a,
    });
    expect(rb).toMatchObject({
      errorCode: 0,
      generationId: 1,
      protocolName: 'range',
      leader: a,
      memberId: b,
      members: [],
    });
    expect(ra.members.map((m) => m.memberId)).toEqual([a, b]);
    expect(ra.members[1].metadata.equals(subscription(['t2']))).toBe(true);
    expect(h.coordinator.groupManager.getGroup('g')?.state).toBe(GroupState.CompletingRebalance);

    // The follower's SyncGroup waits for the leader's assignment.
    const sb = h.coordinator.handleSyncGroup(sync('g', b, 1));
    expect(await settled(sb)).toBe(false);
    const sa = await h.coordinator.handleSyncGroup(
      sync('g', a, 1, [
        { memberId: a, assignment: Buffer.from('for-a') },
        { memberId: b, assignment: Buffer.from('for-b') },
      ]),
    );
    expect(sa).toMatchObject({ errorCode: 0, protocolType: 'consumer', protocolName: 'range' });
    expect(sa.assignment.toString()).toBe('for-a');
    expect((await sb).assignment.toString()).toBe('for-b');
    const group = h.coordinator.groupManager.getGroup('g');
    expect(group?.state).toBe(GroupState.Stable);
    expect(group?.subscribedTopics).toEqual(new Set(['t1', 't2']));

    // The completed rebalance is stored as a GroupMetadataKey v2 / GroupMetadataValue v3 record.
    const records = recordsOf(h, 'g');
    const last = records[records.length - 1];
    expect(last.key.readInt16BE(0)).toBe(2);
    expect(decodeRecordKey(last.key)).toEqual({ type: 'group', group: 'g' });
    const value = decodeGroupMetadataValue(last.value as Buffer);
    expect(value).toMatchObject({
      version: 3,
      protocolType: 'consumer',
      generation: 1,
      protocol: 'range',
      leader: a,
    });
    expect(
      value.members.map((m) => [m.memberId, m.clientId, m.clientHost, m.sessionTimeout, m.rebalanceTimeout]),
    ).toEqual([
      [a, 'a', '/127.0.0.1', 10_000, 30_000],
      [b, 'b', '/127.0.0.1', 10_000, 30_000],
    ]);
    expect(value.members[1].assignment.toString()).toBe('for-b');
    expect(value.members[1].subscription.equals(subscription(['t2']))).toBe(true);

    expect(heartbeat(h, 'g', a, 1)).toBe(0);
    expect(heartbeat(h, 'g', b, 1)).toBe(0);
  });

  it('a third member triggers a rebalance: heartbeats answer REBALANCE_IN_PROGRESS until everyone rejoined', async () => {
    const h = await harness();
    const { a, b } = await stableGroup(h);
    const jc = h.coordinator.handleJoinGroup(join('g', { clientId: 'c' }));
    expect(h.coordinator.groupManager.getGroup('g')?.state).toBe(GroupState.PreparingRebalance);
    expect(heartbeat(h, 'g', a, 1)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    expect(heartbeat(h, 'g', b, 1)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    // Offsets may still be committed by the old generation while preparing.
    const ja = h.coordinator.handleJoinGroup(join('g', { clientId: 'a', memberId: a }));
    expect(await settled(jc)).toBe(false);
    // The last member to rejoin completes the join phase at once (no timer needed).
    const rb = await h.coordinator.handleJoinGroup(join('g', { clientId: 'b', memberId: b }));
    const [ra, rc] = await Promise.all([ja, jc]);
    expect([ra.generationId, rb.generationId, rc.generationId]).toEqual([2, 2, 2]);
    expect(ra.leader).toBe(a);
    expect(ra.members).toHaveLength(3);
    expect(rc.members).toEqual([]);
    expect(heartbeat(h, 'g', a, 1)).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect(heartbeat(h, 'g', a, 2)).toBe(0);
  });

  it('selects the protocol all members support with the most votes', async () => {
    const h = await harness();
    const p = (...names: string[]) => names.map((name) => ({ name, metadata: subscription(['t1']) }));
    const ja = h.coordinator.handleJoinGroup(
      join('g', { clientId: 'a', protocols: p('range', 'roundrobin', 'sticky') }),
    );
    const jb = h.coordinator.handleJoinGroup(
      join('g', { clientId: 'b', protocols: p('roundrobin', 'range') }),
    );
    const jc = h.coordinator.handleJoinGroup(
      join('g', { clientId: 'c', protocols: p('roundrobin', 'range') }),
    );
    h.clock.advance(0);
    const results = await Promise.all([ja, jb, jc]);
    expect(results.map((r) => r.protocolName)).toEqual(['roundrobin', 'roundrobin', 'roundrobin']);
    // A member that shares no protocol with the group, or has another protocol type, cannot join.
    const d = await h.coordinator.handleJoinGroup(
      join('g', { clientId: 'd', protocols: p('cooperative-sticky') }),
    );
    expect(d.errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    const e = await h.coordinator.handleJoinGroup(
      join('g', { clientId: 'e', protocolType: 'connect', protocols: p('range') }),
    );
    expect(e.errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  });

  it('answers protocol, generation and membership errors with Kafka codes', async () => {
    const h = await harness();
    const { a, b } = await stableGroup(h);
    const c = h.coordinator;
    expect((await c.handleSyncGroup(sync('g', a, 7))).errorCode).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect((await c.handleSyncGroup(sync('g', 'nobody', 1))).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect((await c.handleSyncGroup(sync('nogroup', a, 1))).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(
      (await c.handleSyncGroup({ ...sync('g', b, 1), protocolType: 'consumer', protocolName: 'roundrobin' }))
        .errorCode,
    ).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    expect(heartbeat(h, 'g', b, 0)).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect(heartbeat(h, 'g', 'nobody', 1)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(heartbeat(h, '', a, 1)).toBe(ErrorCode.INVALID_GROUP_ID);
    expect((await c.handleJoinGroup(join('other', { memberId: 'stale-id' }))).errorCode).toBe(
      ErrorCode.UNKNOWN_MEMBER_ID,
    );
    expect((await c.handleJoinGroup(join('g', { sessionTimeoutMs: 10 }))).errorCode).toBe(
      ErrorCode.INVALID_SESSION_TIMEOUT,
    );
    expect((await c.handleJoinGroup(join(''))).errorCode).toBe(ErrorCode.INVALID_GROUP_ID);
    // A follower in a Stable group that rejoins with the same metadata just gets the current generation.
    const again = await c.handleJoinGroup(join('g', { clientId: 'b', memberId: b }));
    expect(again).toMatchObject({ errorCode: 0, generationId: 1, leader: a, members: [] });
    expect(c.groupManager.getGroup('g')?.state).toBe(GroupState.Stable);
    // In Stable, SyncGroup returns the current assignment.
    expect((await c.handleSyncGroup(sync('g', b, 1))).assignment.toString()).toBe('B');
  });

  it('answers NOT_COORDINATOR when another broker leads the group partition', async () => {
    const h = await harness();
    h.metadata.registerBroker({ nodeId: 2, host: '127.0.0.1', port: 9093, rack: null });
    const p = h.coordinator.groupManager.partitionFor('elsewhere');
    h.metadata.setLeader('__consumer_offsets', p, 2);
    expect((await h.coordinator.handleJoinGroup(join('elsewhere'))).errorCode).toBe(
      ErrorCode.NOT_COORDINATOR,
    );
    expect(h.coordinator.findCoordinator('elsewhere')).toMatchObject({ errorCode: 0, nodeId: 2, port: 9093 });
  });
});

describe('group coordinator: timeouts', () => {
  it('removes a member whose session expires, and rebalances the rest', async () => {
    const h = await harness();
    const { a, b } = await stableGroup(h);
    h.clock.advance(5000);
    expect(heartbeat(h, 'g', a, 1)).toBe(0);
    h.clock.advance(4999);
    expect(heartbeat(h, 'g', a, 1)).toBe(0);
    expect(h.coordinator.groupManager.getGroup('g')?.has(b)).toBe(true);
    h.clock.advance(1); // b's 10 s session ends
    const group = h.coordinator.groupManager.getGroup('g');
    expect(group?.has(b)).toBe(false);
    expect(group?.state).toBe(GroupState.PreparingRebalance);
    expect(heartbeat(h, 'g', a, 1)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    const ra = await h.coordinator.handleJoinGroup(join('g', { clientId: 'a', memberId: a }));
    expect(ra).toMatchObject({ generationId: 2, leader: a });
    expect(ra.members.map((m) => m.memberId)).toEqual([a]);
    expect(heartbeat(h, 'g', b, 2)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('removes a member that keeps heartbeating but does not rejoin within the rebalance timeout', async () => {
    const h = await harness();
    const { a, b } = await stableGroup(h);
    const ja = h.coordinator.handleJoinGroup(join('g', { clientId: 'a', memberId: a }));
    for (let t = 0; t < 5; t++) {
      h.clock.advance(5000);
      expect(heartbeat(h, 'g', b, 1)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    }
    expect(await settled(ja)).toBe(false);
    h.clock.advance(5000); // 30 s: the rebalance timeout
    const ra = await ja;
    expect(ra.generationId).toBe(2);
    expect(ra.members.map((m) => m.memberId)).toEqual([a]);
    expect(heartbeat(h, 'g', b, 1)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('replaces a leader that does not rejoin', async () => {
    const h = await harness();
    const { a, b } = await stableGroup(h);
    // b changes its subscription: a rebalance, which the leader a never rejoins.
    const jb = h.coordinator.handleJoinGroup(
      join('g', {
        clientId: 'b',
        memberId: b,
        protocols: [{ name: 'range', metadata: subscription(['t1', 't2']) }],
      }),
    );
    h.clock.advance(30_000);
    const rb = await jb;
    expect(rb.leader).toBe(b);
    expect(rb.members.map((m) => m.memberId)).toEqual([b]);
    expect(h.coordinator.groupManager.getGroup('g')?.has(a)).toBe(false);
  });

  it('removes members that never send SyncGroup within the rebalance timeout', async () => {
    const h = await harness();
    // Sessions longer than the rebalance timeout, so that it is the sync timeout that acts.
    const ja = h.coordinator.handleJoinGroup(join('g', { clientId: 'a', sessionTimeoutMs: 45_000 }));
    const jb = h.coordinator.handleJoinGroup(join('g', { clientId: 'b', sessionTimeoutMs: 45_000 }));
    h.clock.advance(0);
    const [ra, rb] = await Promise.all([ja, jb]);
    const sb = h.coordinator.handleSyncGroup(sync('g', rb.memberId, 1));
    h.clock.advance(29_999);
    expect(await settled(sb)).toBe(false);
    h.clock.advance(1);
    // The leader never sent its assignment: it is removed, the waiting member is told to rejoin.
    expect((await sb).errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    const group = h.coordinator.groupManager.getGroup('g');
    expect(group?.has(ra.memberId)).toBe(false);
    expect(group?.has(rb.memberId)).toBe(true);
    expect(group?.state).toBe(GroupState.PreparingRebalance);
  });

  it('forgets a MEMBER_ID_REQUIRED member that never comes back, after its session timeout', async () => {
    const h = await harness();
    const { a, b } = await stableGroup(h);
    await handshake(h, 'g', 'ghost');
    const ja = h.coordinator.handleJoinGroup(join('g', { clientId: 'a', memberId: a }));
    const jb = h.coordinator.handleJoinGroup(join('g', { clientId: 'b', memberId: b }));
    // Every member rejoined, but the pending member is still expected: the join waits for it.
    h.clock.advance(9_999);
    expect(await settled(ja)).toBe(false);
    h.clock.advance(1);
    expect(await ja).toMatchObject({ errorCode: 0, generationId: 2, leader: a });
    expect((await jb).generationId).toBe(2);
  });

  it('an empty group after everyone left is stored as an empty generation', async () => {
    const h = await harness();
    const { a, b } = await stableGroup(h);
    const left = h.coordinator.handleLeaveGroup('g', [
      { memberId: a, groupInstanceId: null, reason: 'shutdown' },
      { memberId: b, groupInstanceId: null, reason: null },
    ]);
    expect(left).toEqual({
      errorCode: 0,
      members: [
        { memberId: a, groupInstanceId: null, errorCode: 0 },
        { memberId: b, groupInstanceId: null, errorCode: 0 },
      ],
    });
    h.clock.advance(0);
    const group = h.coordinator.groupManager.getGroup('g');
    expect(group?.state).toBe(GroupState.Empty);
    expect(group?.generationId).toBe(2);
    const records = recordsOf(h, 'g');
    const value = decodeGroupMetadataValue(records[records.length - 1].value as Buffer);
    expect(value).toMatchObject({ generation: 2, protocol: null, leader: null, members: [] });
  });
});

describe('group coordinator: LeaveGroup and static membership', () => {
  it('LeaveGroup removes the member and the others rebalance without it', async () => {
    const h = await harness();
    const { a, b } = await stableGroup(h);
    const r = h.coordinator.handleLeaveGroup('g', [
      { memberId: b, groupInstanceId: null, reason: null },
      { memberId: 'unknown', groupInstanceId: null, reason: null },
    ]);
    expect(r.members.map((m) => m.errorCode)).toEqual([0, ErrorCode.UNKNOWN_MEMBER_ID]);
    expect(heartbeat(h, 'g', a, 1)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    const ra = await h.coordinator.handleJoinGroup(join('g', { clientId: 'a', memberId: a }));
    expect(ra.members.map((m) => m.memberId)).toEqual([a]);
    expect(
      h.coordinator.handleLeaveGroup('nogroup', [{ memberId: a, groupInstanceId: null, reason: null }]),
    ).toEqual({
      errorCode: 0,
      members: [{ memberId: a, groupInstanceId: null, errorCode: ErrorCode.UNKNOWN_MEMBER_ID }],
    });
  });

  async function staticGroup(h: Harness, protocols = ['range']) {
    const ps = protocols.map((name) => ({ name, metadata: subscription(['t1']) }));
    const ja = h.coordinator.handleJoinGroup(
      join('s', { clientId: 'a', groupInstanceId: 'inst-a', requireKnownMemberId: true, protocols: ps }),
    );
    const jb = h.coordinator.handleJoinGroup(
      join('s', { clientId: 'b', groupInstanceId: 'inst-b', requireKnownMemberId: true, protocols: ps }),
    );
    h.clock.advance(0);
    const [ra, rb] = await Promise.all([ja, jb]);
    expect(ra.memberId.startsWith('inst-a-')).toBe(true);
    const sb = h.coordinator.handleSyncGroup({ ...sync('s', rb.memberId, 1), groupInstanceId: 'inst-b' });
    await h.coordinator.handleSyncGroup({
      ...sync('s', ra.memberId, 1, [
        { memberId: ra.memberId, assignment: Buffer.from('A') },
        { memberId: rb.memberId, assignment: Buffer.from('B') },
      ]),
      groupInstanceId: 'inst-a',
    });
    await sb;
    return { a: ra.memberId, b: rb.memberId };
  }

  it('a static member rejoining with a new member id replaces the old one without a rebalance', async () => {
    const h = await harness();
    const { a, b } = await staticGroup(h);
    const before = recordsOf(h, 's').length;
    const r = await h.coordinator.handleJoinGroup(
      join('s', { clientId: 'b2', groupInstanceId: 'inst-b', requireKnownMemberId: true }),
    );
    expect(r.errorCode).toBe(0);
    expect(r.memberId).not.toBe(b);
    expect(r).toMatchObject({ generationId: 1, protocolName: 'range', leader: a, members: [] });
    const group = h.coordinator.groupManager.getGroup('s');
    expect(group?.state).toBe(GroupState.Stable);
    // The old member id is fenced; the new one continues with the same assignment.
    expect(heartbeat(h, 's', b, 1, 'inst-b')).toBe(ErrorCode.FENCED_INSTANCE_ID);
    expect(heartbeat(h, 's', r.memberId, 1, 'inst-b')).toBe(0);
    const s = await h.coordinator.handleSyncGroup({ ...sync('s', r.memberId, 1), groupInstanceId: 'inst-b' });
    expect(s.assignment.toString()).toBe('B');
    // The replacement is persisted.
    const records = recordsOf(h, 's');
    expect(records.length).toBe(before + 1);
    const value = decodeGroupMetadataValue(records[records.length - 1].value as Buffer);
    expect(value.members.map((m) => [m.memberId, m.groupInstanceId])).toEqual([
      [a, 'inst-a'],
      [r.memberId, 'inst-b'],
    ]);
  });

  it('a restarted static leader keeps leading; with JoinGroup v9 it is told to skip the assignment', async () => {
    const h = await harness();
    const { a } = await staticGroup(h);
    const old = await h.coordinator.handleJoinGroup(join('s', { clientId: 'a2', groupInstanceId: 'inst-a' }));
    // Before v9 the old leader id is returned, so the new member does not think it must assign.
    expect(old.leader).toBe(a);
    expect(old.members).toEqual([]);
    const v9 = await h.coordinator.handleJoinGroup(
      join('s', { clientId: 'a3', groupInstanceId: 'inst-a', supportSkippingAssignment: true }),
    );
    expect(v9).toMatchObject({ errorCode: 0, generationId: 1, skipAssignment: true, leader: v9.memberId });
    expect(v9.members).toHaveLength(2);
    expect(h.coordinator.groupManager.getGroup('s')?.state).toBe(GroupState.Stable);
  });

  it('a static member rejoining with other protocols triggers a rebalance', async () => {
    const h = await harness();
    await staticGroup(h, ['range', 'roundrobin']);
    // Only roundrobin now: the group's next protocol would change from range, so it must rebalance.
    const p = h.coordinator.handleJoinGroup(
      join('s', {
        groupInstanceId: 'inst-b',
        protocols: [{ name: 'roundrobin', metadata: subscription(['t1']) }],
      }),
    );
    expect(await settled(p)).toBe(false);
    expect(h.coordinator.groupManager.getGroup('s')?.state).toBe(GroupState.PreparingRebalance);
  });

  it('static members that do not rejoin stay in the group; the admin removes one by group.instance.id', async () => {
    const h = await harness();
    const { a, b } = await staticGroup(h);
    const ja = h.coordinator.handleJoinGroup({ ...join('s', { memberId: a, groupInstanceId: 'inst-a' }) });
    for (let t = 0; t < 6; t++) {
      h.clock.advance(5000);
      if (t < 5) expect(heartbeat(h, 's', b, 1, 'inst-b')).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    }
    const ra = await ja;
    expect(ra.members.map((m) => m.memberId)).toEqual([a, b]);
    const r = h.coordinator.handleLeaveGroup('s', [
      { memberId: '', groupInstanceId: 'inst-b', reason: 'admin' },
    ]);
    expect(r.members[0].errorCode).toBe(0);
    expect(h.coordinator.groupManager.getGroup('s')?.has(b)).toBe(false);
    // A member id that does not match its group.instance.id is fenced.
    expect(
      h.coordinator.handleLeaveGroup('s', [{ memberId: 'x', groupInstanceId: 'inst-a', reason: null }])
        .members[0].errorCode,
    ).toBe(ErrorCode.FENCED_INSTANCE_ID);
  });
});

describe('group coordinator: ownership', () => {
  it('parked requests get NOT_COORDINATOR when the group moves to another broker or the broker stops', async () => {
    const h = await harness();
    const { a, b } = await stableGroup(h);
    const ja = h.coordinator.handleJoinGroup(join('g', { clientId: 'a', memberId: a }));
    h.metadata.registerBroker({ nodeId: 2, host: '127.0.0.1', port: 9093, rack: null });
    h.metadata.setLeader('__consumer_offsets', h.coordinator.groupManager.partitionFor('g'), 2);
    expect((await ja).errorCode).toBe(ErrorCode.NOT_COORDINATOR);
    expect(heartbeat(h, 'g', b, 1)).toBe(ErrorCode.NOT_COORDINATOR);
    expect(h.coordinator.groupManager.getGroup('g')).toBeUndefined();
    // Back to this broker: the group is read back from the log, as it was last stored.
    h.metadata.setLeader('__consumer_offsets', h.coordinator.groupManager.partitionFor('g'), 1);
    expect(h.coordinator.groupManager.getGroup('g')).toMatchObject({
      state: GroupState.Stable,
      generationId: 1,
    });
    const parked = h.coordinator.handleJoinGroup(join('g', { clientId: 'a', memberId: a }));
    h.coordinator.stop();
    expect((await parked).errorCode).toBe(ErrorCode.NOT_COORDINATOR);
    expect(heartbeat(h, 'g', b, 1)).toBe(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    expect(h.clock.pending).toBe(0);
  });

  it('FindCoordinator answers COORDINATOR_NOT_AVAILABLE while the offsets topic cannot be created', async () => {
    const h = await harness({ 'offsets.topic.replication.factor': 3 }, false);
    expect(h.coordinator.findCoordinator('g')).toMatchObject({
      errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE,
      nodeId: -1,
    });
    expect((await h.coordinator.handleJoinGroup(join('g'))).errorCode).toBe(ErrorCode.NOT_COORDINATOR);
  });
});
