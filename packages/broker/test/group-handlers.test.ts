/**
 * The group API handlers over every version they advertise: requests are encoded and decoded
 * with the protocol schemas (so defaults are what a real request carries), and every answer,
 * including the error answers, must encode at its version.
 */

import { ErrorCode } from '@tskafka/protocol';
import {
  Api,
  type ApiDef,
  decodeMessage,
  encodeMessage,
  type MessageInput,
  Reader,
} from '@tskafka/protocol/internals';
import { describe, expect, it } from 'vitest';
import { GROUP_METADATA_TOPIC_NAME } from '../src/group/store.js';
import type { ApiHandler, RequestContext } from '../src/handler.js';
import { groupHandlers } from '../src/handlers/group-handlers.js';
import { type Harness, harness, subscription } from './group-harness.js';

function handlerOf<A extends ApiDef>(api: A): ApiHandler<A> {
  const h = groupHandlers.find((x) => x.api === (api as unknown));
  if (!h) throw new Error(`no handler for ${api.name}`);
  return h as unknown as ApiHandler<A>;
}

function ctxOf(h: Harness, apiVersion: number): RequestContext {
  const node = { ...h.host, groupCoordinator: h.coordinator };
  return {
    node,
    connection: { remote: '::ffff:127.0.0.1:50000' },
    header: { requestApiKey: 0, requestApiVersion: apiVersion, correlationId: 1, clientId: 'cli' },
    apiVersion,
    now: h.clock.now(),
  } as unknown as RequestContext;
}

/** Sends `request` (encoded and decoded at `v`) to the API's handler; returns the answer re-decoded at `v`. */
async function call<A extends ApiDef>(h: Harness, api: A, v: number, request: MessageInput<A['request']>) {
  const handler = handlerOf(api);
  const req = decodeMessage(api.request, v, new Reader(encodeMessage(api.request, v, request)));
  const body = await handler.handle(ctxOf(h, v), req as never);
  const res = decodeMessage(api.response, v, new Reader(encodeMessage(api.response, v, body as never)));
  // The one-error answer of the same request must encode too (UNSUPPORTED_VERSION, injected faults).
  encodeMessage(
    api.response,
    v,
    handler.errorResponse(req as never, ErrorCode.NOT_COORDINATOR, ctxOf(h, v)) as never,
  );
  return res as Record<string, unknown> & { [k: string]: never };
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('group handlers', () => {
  it('advertise the versions they implement', () => {
    const ranges = Object.fromEntries(groupHandlers.map((x) => [x.api.name, [x.minVersion, x.maxVersion]]));
    expect(ranges).toEqual({
      FindCoordinator: [0, 6],
      JoinGroup: [0, 9],
      SyncGroup: [0, 5],
      Heartbeat: [0, 4],
      LeaveGroup: [0, 5],
      OffsetCommit: [0, 9],
      OffsetFetch: [0, 9],
      DescribeGroups: [0, 5],
      ListGroups: [0, 5],
      DeleteGroups: [0, 2],
      OffsetDelete: [0, 0],
      TxnOffsetCommit: [0, 4],
    });
  });

  it('FindCoordinator creates __consumer_offsets and answers the partition leader (v0-6, batched from v4)', async () => {
    const h = await harness({}, false);
    const v0 = await call(h, Api.FindCoordinator, 0, { key: 'g' });
    expect(v0).toMatchObject({ errorCode: 0, nodeId: 1, host: '127.0.0.1', port: 9092 });
    const topic = h.metadata.topics.get(GROUP_METADATA_TOPIC_NAME);
    expect(topic?.partitions).toHaveLength(4);
    expect(topic?.internal).toBe(true);
    expect(topic?.configs.get('cleanup.policy')).toBe('compact');
    // Key type 1 (transactional ids) goes to the transaction coordinator: txn-coordinator-broker.test.ts.
    for (const v of range(1, 3)) {
      expect(await call(h, Api.FindCoordinator, v, { key: 'g', keyType: 0 })).toMatchObject({
        errorCode: 0,
        nodeId: 1,
      });
    }
    for (const v of range(4, 6)) {
      const r = await call(h, Api.FindCoordinator, v, { keyType: 0, coordinatorKeys: ['a', 'b'] });
      expect(r.coordinators).toMatchObject([
        { key: 'a', nodeId: 1, port: 9092, errorCode: 0 },
        { key: 'b', nodeId: 1, port: 9092, errorCode: 0 },
      ]);
      const bad = await call(h, Api.FindCoordinator, v, { keyType: 9, coordinatorKeys: ['a'] });
      expect(bad.coordinators).toMatchObject([
        { key: 'a', errorCode: ErrorCode.INVALID_REQUEST, nodeId: -1 },
      ]);
    }
  });

  it('JoinGroup, SyncGroup, Heartbeat and LeaveGroup work at every version', async () => {
    const h = await harness();
    for (const v of range(0, 9)) {
      const groupId = `g-v${v}`;
      const request = {
        groupId,
        sessionTimeoutMs: 10_000,
        rebalanceTimeoutMs: 20_000,
        memberId: '',
        protocolType: 'consumer',
        protocols: [{ name: 'range', metadata: subscription(['t1']) }],
        reason: 'test',
      };
      let memberId = '';
      if (v >= 4) {
        const first = await call(h, Api.JoinGroup, v, request);
        expect(first.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
        memberId = first.memberId as unknown as string;
        expect(memberId.startsWith('cli-')).toBe(true);
      }
      const pending = call(h, Api.JoinGroup, v, { ...request, memberId });
      h.clock.advance(0);
      const joined = await pending;
      expect(joined).toMatchObject({ errorCode: 0, generationId: 1, protocolName: 'range' });
      memberId = joined.memberId as unknown as string;
      expect(joined.leader).toBe(memberId);
      expect((joined.members as unknown as unknown[]).length).toBe(1);
      if (v >= 7) expect(joined.protocolType).toBe('consumer');
      // The group remembers the rebalance timeout (v0: the session timeout).
      expect(h.coordinator.groupManager.getGroup(groupId)?.get(memberId).rebalanceTimeoutMs).toBe(
        v === 0 ? 10_000 : 20_000,
      );
      expect(h.coordinator.groupManager.getGroup(groupId)?.get(memberId).clientHost).toBe('/127.0.0.1');

      const sv = Math.min(v, 5);
      const synced = await call(h, Api.SyncGroup, sv, {
        groupId,
        generationId: 1,
        memberId,
        protocolType: 'consumer',
        protocolName: 'range',
        assignments: [{ memberId, assignment: Buffer.from('x') }],
      });
      expect(synced.errorCode).toBe(0);
      expect((synced.assignment as unknown as Buffer).toString()).toBe('x');
      if (sv >= 5) expect(synced).toMatchObject({ protocolType: 'consumer', protocolName: 'range' });

      const hv = Math.min(v, 4);
      expect((await call(h, Api.Heartbeat, hv, { groupId, generationId: 1, memberId })).errorCode).toBe(0);
      expect((await call(h, Api.Heartbeat, hv, { groupId, generationId: 2, memberId })).errorCode).toBe(
        ErrorCode.ILLEGAL_GENERATION,
      );

      const lv = Math.min(v, 5);
      const left =
        lv >= 3
          ? await call(h, Api.LeaveGroup, lv, { groupId, members: [{ memberId }, { memberId: 'nobody' }] })
          : await call(h, Api.LeaveGroup, lv, { groupId, memberId });
      if (lv >= 3) {
        expect(left.errorCode).toBe(0);
        expect(left.members).toMatchObject([
          { memberId, errorCode: 0 },
          { memberId: 'nobody', errorCode: ErrorCode.UNKNOWN_MEMBER_ID },
        ]);
      } else {
        expect(left.errorCode).toBe(0);
        const again = await call(h, Api.LeaveGroup, lv, { groupId, memberId });
        expect(again.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
      }
    }
  });

  it('SyncGroup v5 without protocol type and name is INCONSISTENT_GROUP_PROTOCOL', async () => {
    const h = await harness();
    const r = await call(h, Api.SyncGroup, 5, {
      groupId: 'g',
      generationId: 1,
      memberId: 'm',
      assignments: [],
    });
    expect(r.errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  });

  it('OffsetCommit and OffsetFetch at every version; unknown partitions are UNKNOWN_TOPIC_OR_PARTITION', async () => {
    const h = await harness();
    for (const v of range(0, 9)) {
      const groupId = `simple-v${v}`;
      const committed = await call(h, Api.OffsetCommit, v, {
        groupId,
        generationIdOrMemberEpoch: -1,
        memberId: '',
        retentionTimeMs: -1,
        topics: [
          {
            name: 't1',
            partitions: [
              { partitionIndex: 0, committedOffset: 10 + v, committedLeaderEpoch: 3, committedMetadata: 'm' },
              { partitionIndex: 9, committedOffset: 1, committedMetadata: null },
            ],
          },
          {
            name: 'missing',
            partitions: [{ partitionIndex: 0, committedOffset: 1, committedMetadata: null }],
          },
        ],
      });
      expect(committed.topics).toEqual([
        {
          name: 't1',
          partitions: [
            { partitionIndex: 0, errorCode: 0 },
            { partitionIndex: 9, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION },
          ],
        },
        {
          name: 'missing',
          partitions: [{ partitionIndex: 0, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION }],
        },
      ]);
      const topics = [{ name: 't1', partitionIndexes: [0, 1] }];
      const fetched =
        v >= 8
          ? await call(h, Api.OffsetFetch, v, {
              groups: [
                { groupId, topics },
                { groupId: 'nobody', topics: null },
              ],
              requireStable: true,
            })
          : await call(h, Api.OffsetFetch, v, { groupId, topics, requireStable: v >= 7 });
      const partitions =
        v >= 8
          ? (fetched.groups as unknown as { topics: { partitions: unknown[] }[]; errorCode: number }[])[0]
              .topics[0].partitions
          : (fetched.topics as unknown as { partitions: unknown[] }[])[0].partitions;
      expect(partitions).toMatchObject([
        {
          partitionIndex: 0,
          committedOffset: 10 + v,
          metadata: 'm',
          errorCode: 0,
          ...(v >= 5 ? { committedLeaderEpoch: v >= 6 ? 3 : -1 } : {}),
        },
        { partitionIndex: 1, committedOffset: -1, metadata: '', errorCode: 0 },
      ]);
      if (v >= 8)
        expect((fetched.groups as unknown as unknown[])[1]).toEqual({
          groupId: 'nobody',
          topics: [],
          errorCode: 0,
        });
      if (v >= 2 && v < 8) {
        // null topics: everything the group committed.
        const all = await call(h, Api.OffsetFetch, v, { groupId, topics: null });
        expect((all.topics as unknown as unknown[]).length).toBe(1);
      }
    }
  });

  it('OffsetFetch v0-1 carry a group error on every partition; v2+ at the top', async () => {
    const h = await harness();
    const topics = [{ name: 't1', partitionIndexes: [0] }];
    const v1 = await call(h, Api.OffsetFetch, 1, { groupId: '', topics });
    expect(v1.topics).toMatchObject([{ partitions: [{ errorCode: 0 }] }]);
    h.coordinator.stop();
    const stopped1 = await call(h, Api.OffsetFetch, 1, { groupId: 'g', topics });
    expect(stopped1.topics).toMatchObject([
      { partitions: [{ errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, committedOffset: -1 }] },
    ]);
    const stopped2 = await call(h, Api.OffsetFetch, 2, { groupId: 'g', topics });
    expect(stopped2).toMatchObject({ errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, topics: [] });
  });

  it('DescribeGroups, ListGroups, DeleteGroups and OffsetDelete at every version', async () => {
    const h = await harness();
    const pending = h.coordinator.handleJoinGroup({
      groupId: 'live',
      memberId: '',
      groupInstanceId: 'inst',
      requireKnownMemberId: true,
      supportSkippingAssignment: false,
      clientId: 'c',
      clientHost: '/10.0.0.1',
      rebalanceTimeoutMs: 1000,
      sessionTimeoutMs: 10_000,
      protocolType: 'consumer',
      protocols: [{ name: 'range', metadata: subscription(['t1']) }],
      reason: null,
    });
    h.clock.advance(0);
    const member = await pending;
    await h.coordinator.handleSyncGroup({
      groupId: 'live',
      generationId: 1,
      memberId: member.memberId,
      groupInstanceId: 'inst',
      protocolType: null,
      protocolName: null,
      assignments: [{ memberId: member.memberId, assignment: Buffer.from('asg') }],
    });
    await h.coordinator.offsets.commitOffsets({
      groupId: 'idle',
      memberId: '',
      groupInstanceId: null,
      generationId: -1,
      apiVersion: 8,
      offsets: [
        {
          topic: 't2',
          partition: 0,
          offset: { offset: 1, leaderEpoch: -1, metadata: '', commitTimestamp: 0, expireTimestamp: null },
        },
      ],
    });
    for (const v of range(0, 5)) {
      const d = await call(h, Api.DescribeGroups, v, {
        groups: ['live', 'unknown'],
        includeAuthorizedOperations: v >= 3,
      });
      const [live, unknown] = d.groups as unknown as Record<string, unknown>[];
      expect(live).toMatchObject({
        errorCode: 0,
        groupId: 'live',
        groupState: 'Stable',
        protocolType: 'consumer',
        protocolData: 'range',
      });
      const m = (live.members as Record<string, unknown>[])[0];
      expect(m).toMatchObject({
        memberId: member.memberId,
        clientId: 'c',
        clientHost: '/10.0.0.1',
        groupInstanceId: v >= 4 ? 'inst' : null,
      });
      expect((m.memberMetadata as Buffer).equals(subscription(['t1']))).toBe(true);
      expect((m.memberAssignment as Buffer).toString()).toBe('asg');
      if (v >= 3) expect(live.authorizedOperations).toBe(328);
      expect(unknown).toMatchObject({ errorCode: 0, groupState: 'Dead', members: [] });

      const l = await call(h, Api.ListGroups, v, {
        statesFilter: v >= 4 ? ['stable'] : [],
        typesFilter: v >= 5 ? ['classic'] : [],
      });
      const listed = (l.groups as unknown as { groupId: string }[]).map((g) => g.groupId).sort();
      expect(listed).toEqual(v >= 4 ? ['live'] : ['idle', 'live']);
    }
    for (const v of range(0, 2)) {
      const r = await call(h, Api.DeleteGroups, v, { groupsNames: ['live', 'missing'] });
      expect(r.results).toEqual([
        { groupId: 'live', errorCode: ErrorCode.NON_EMPTY_GROUP },
        { groupId: 'missing', errorCode: ErrorCode.GROUP_ID_NOT_FOUND },
      ]);
    }
    const od = await call(h, Api.OffsetDelete, 0, {
      groupId: 'live',
      topics: [
        { name: 't1', partitions: [{ partitionIndex: 0 }] },
        { name: 'nope', partitions: [{ partitionIndex: 0 }] },
      ],
    });
    expect(od.errorCode).toBe(0);
    expect(od.topics).toEqual([
      { name: 'nope', partitions: [{ partitionIndex: 0, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION }] },
      { name: 't1', partitions: [{ partitionIndex: 0, errorCode: ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC }] },
    ]);
    expect((await call(h, Api.DeleteGroups, 2, { groupsNames: ['idle'] })).results).toEqual([
      { groupId: 'idle', errorCode: 0 },
    ]);
  });
});
