/**
 * The membership state machine with a manual clock: JoinGroup/SyncGroup outcomes (KIP-394's
 * MEMBER_ID_REQUIRED, resets, coordinator moves, fatal errors), heartbeat timing and errors,
 * the session and max.poll.interval.ms timers. No sockets, no sleeping.
 */
import { ErrorCode } from '@tskafka/protocol';
import { describe, expect, it } from 'vitest';
import { GroupMembership, MemberState, MembershipAction } from '../src/membership.js';

const options = {
  sessionTimeoutMs: 10_000,
  heartbeatIntervalMs: 3_000,
  maxPollIntervalMs: 60_000,
  groupInstanceId: null,
  retryBackoffMs: 100,
};

function joined(now = 0): GroupMembership {
  const m = new GroupMembership(options, now);
  m.joinSent();
  m.joinCompleted({ errorCode: 0, generationId: 1, protocolName: 'range', leader: 'm1', memberId: 'm1' });
  m.syncSent();
  m.syncCompleted(0, now);
  return m;
}

describe('GroupMembership', () => {
  it('joins: Unjoined → Joining → Syncing → Stable, leader when the leader id is its own', () => {
    const m = new GroupMembership(options, 0);
    expect(m.state).toBe(MemberState.Unjoined);
    expect(m.needsJoin).toBe(true);
    m.joinSent();
    expect(m.state).toBe(MemberState.Joining);
    const action = m.joinCompleted({
      errorCode: 0,
      generationId: 7,
      protocolName: 'range',
      leader: 'm1',
      memberId: 'm1',
    });
    expect(action).toBe(MembershipAction.None);
    expect(m.state).toBe(MemberState.Syncing);
    expect(m.isLeader).toBe(true);
    expect(m.generationId).toBe(7);
    expect(m.syncCompleted(0, 5)).toBe(MembershipAction.None);
    expect(m.state).toBe(MemberState.Stable);
    expect(m.needsJoin).toBe(false);
  });

  it('MEMBER_ID_REQUIRED (KIP-394): keeps the id the coordinator handed out and rejoins at once', () => {
    const m = new GroupMembership(options, 0);
    m.joinSent();
    const action = m.joinCompleted({
      errorCode: ErrorCode.MEMBER_ID_REQUIRED,
      generationId: -1,
      protocolName: null,
      leader: '',
      memberId: 'given-id',
    });
    expect(action).toBe(MembershipAction.RetryJoin);
    expect(m.memberId).toBe('given-id');
    expect(m.needsJoin).toBe(true);
  });

  it.each([
    [ErrorCode.UNKNOWN_MEMBER_ID, MembershipAction.RetryJoin, ''],
    [ErrorCode.ILLEGAL_GENERATION, MembershipAction.RetryJoin, 'm1'],
    [ErrorCode.NOT_COORDINATOR, MembershipAction.Rediscover, 'm1'],
    [ErrorCode.COORDINATOR_NOT_AVAILABLE, MembershipAction.Rediscover, 'm1'],
    [ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, MembershipAction.Backoff, 'm1'],
    [ErrorCode.REBALANCE_IN_PROGRESS, MembershipAction.Backoff, 'm1'],
    [ErrorCode.INCONSISTENT_GROUP_PROTOCOL, MembershipAction.Fatal, 'm1'],
    [ErrorCode.FENCED_INSTANCE_ID, MembershipAction.Fatal, 'm1'],
  ])('JoinGroup error %i → %s (member id afterwards %j)', (code, expected, memberId) => {
    const m = joined();
    m.requestRejoin('test');
    m.joinSent();
    expect(
      m.joinCompleted({ errorCode: code, generationId: -1, protocolName: null, leader: '', memberId: '' }),
    ).toBe(expected);
    expect(m.memberId).toBe(memberId);
    expect(m.state).toBe(expected === MembershipAction.Fatal ? MemberState.Fatal : MemberState.Unjoined);
  });

  it.each([
    [ErrorCode.REBALANCE_IN_PROGRESS, MembershipAction.RetryJoin, 1],
    [ErrorCode.UNKNOWN_MEMBER_ID, MembershipAction.RetryJoin, -1],
    [ErrorCode.ILLEGAL_GENERATION, MembershipAction.RetryJoin, -1],
    [ErrorCode.NOT_COORDINATOR, MembershipAction.Rediscover, 1],
  ])('SyncGroup error %i → %s, generation %i', (code, expected, generation) => {
    const m = new GroupMembership(options, 0);
    m.joinSent();
    m.joinCompleted({ errorCode: 0, generationId: 1, protocolName: 'range', leader: 'x', memberId: 'm1' });
    m.syncSent();
    expect(m.syncCompleted(code, 0)).toBe(expected);
    expect(m.generationId).toBe(generation);
    expect(m.needsJoin).toBe(true);
  });

  it('heartbeats every heartbeat.interval.ms, one at a time, from the moment the member is Stable', () => {
    const m = joined(1_000);
    expect(m.heartbeatDue(1_000)).toBe(false);
    expect(m.timeToNextHeartbeat(1_000)).toBe(3_000);
    expect(m.heartbeatDue(3_999)).toBe(false);
    expect(m.heartbeatDue(4_000)).toBe(true);
    m.heartbeatSent(4_000);
    expect(m.heartbeatDue(8_000)).toBe(false); // one in flight
    expect(m.heartbeatCompleted(0, 4_010)).toBe(MembershipAction.None);
    expect(m.timeToNextHeartbeat(4_010)).toBe(2_990);
    expect(m.heartbeatDue(7_000)).toBe(true);
  });

  it('a heartbeat that fails backs off retry.backoff.ms, not the full interval', () => {
    const m = joined(0);
    m.heartbeatSent(3_000);
    expect(m.heartbeatCompleted(null, 3_050)).toBe(MembershipAction.Rediscover);
    expect(m.timeToNextHeartbeat(3_050)).toBe(100);
    expect(m.heartbeatCompleted(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, 3_200)).toBe(MembershipAction.None);
    expect(m.timeToNextHeartbeat(3_200)).toBe(100);
  });

  it('REBALANCE_IN_PROGRESS in a heartbeat: rejoin at the next poll, keeping the generation until then', () => {
    const m = joined(0);
    m.heartbeatSent(3_000);
    expect(m.heartbeatCompleted(ErrorCode.REBALANCE_IN_PROGRESS, 3_001)).toBe(MembershipAction.Rejoin);
    expect(m.state).toBe(MemberState.PreparingRebalance);
    expect(m.needsJoin).toBe(true);
    expect(m.hasGeneration).toBe(true);
    // Heartbeats go on while the user finishes processing.
    expect(m.heartbeating).toBe(true);
    expect(m.heartbeatDue(6_001)).toBe(true);
  });

  it.each([
    [ErrorCode.UNKNOWN_MEMBER_ID, ''],
    [ErrorCode.ILLEGAL_GENERATION, 'm1'],
  ])('heartbeat error %i: out of the group, partitions lost (member id %j)', (code, memberId) => {
    const m = joined(0);
    m.heartbeatSent(3_000);
    expect(m.heartbeatCompleted(code, 3_001)).toBe(MembershipAction.Reset);
    expect(m.hasGeneration).toBe(false);
    expect(m.state).toBe(MemberState.Unjoined);
    expect(m.memberId).toBe(memberId);
    expect(m.heartbeating).toBe(false);
  });

  it('the session timer: no heartbeat response for session.timeout.ms', () => {
    const m = joined(0);
    expect(m.sessionTimeoutExpired(10_000)).toBe(false);
    expect(m.sessionTimeoutExpired(10_001)).toBe(true);
    m.heartbeatSent(9_000);
    m.heartbeatCompleted(0, 9_500);
    expect(m.sessionTimeoutExpired(10_001)).toBe(false);
  });

  it('max.poll.interval.ms: the poll timer restarts on every poll', () => {
    const m = joined(0);
    expect(m.pollTimeoutExpired(60_000)).toBe(false);
    expect(m.pollTimeoutExpired(60_001)).toBe(true);
    m.pollCalled(50_000);
    expect(m.pollTimeoutExpired(60_001)).toBe(false);
    expect(m.timeToPollTimeout(60_001)).toBe(49_999);
    m.left('poll timeout');
    expect(m.state).toBe(MemberState.Unjoined);
    expect(m.generationId).toBe(-1);
  });
});

describe('GroupMembership, interrupted joins', () => {
  it('a JoinGroup without an answer goes back to Unjoined and keeps the generation', () => {
    const m = joined(0);
    m.requestRejoin('test');
    m.joinSent();
    m.joinInterrupted('connection lost');
    expect(m.state).toBe(MemberState.Unjoined);
    expect(m.needsJoin).toBe(true);
    expect(m.generationId).toBe(1);
    expect(m.memberId).toBe('m1');
  });
});
