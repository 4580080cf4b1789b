/**
 * JoinGroup: a member joins (or rejoins) a classic group. The answer waits until the rebalance
 * completes; the leader's carries every member's metadata. v4+ first joins get MEMBER_ID_REQUIRED
 * (KIP-394), v5+ static members carry a group.instance.id (KIP-345), v9 may tell a static leader
 * to skip the assignment (KIP-814).
 */
import { AclOperation } from '@tskafka/protocol';
import { Api } from '@tskafka/protocol/internals';
import { checkGroup, withAuthorization } from '../auth/request-auth.js';
import { defineHandler, type RequestContext } from '../handler.js';

/** The client's address as Kafka's `InetAddress.toString` shows it: `/127.0.0.1`. */
export function clientHostOf(ctx: RequestContext): string {
  const remote = ctx.connection.remote;
  const colon = remote.lastIndexOf(':');
  const host = colon > 0 ? remote.slice(0, colon) : remote;
  return `/${host.startsWith('::ffff:') ? host.slice(7) : host}`;
}

/** JoinGroup handler (v0-9). */
const joinGroupApi = defineHandler({
  api: Api.JoinGroup,
  minVersion: 0,
  maxVersion: 9,
  async handle(ctx, req) {
    const v = ctx.apiVersion;
    const r = await ctx.node.groupCoordinator.handleJoinGroup({
      groupId: req.groupId,
      memberId: req.memberId,
      groupInstanceId: req.groupInstanceId,
      requireKnownMemberId: v >= 4,
      supportSkippingAssignment: v >= 9,
      clientId: ctx.header.clientId ?? '',
      clientHost: clientHostOf(ctx),
      // v0 has no rebalance timeout: the session timeout serves as both.
      rebalanceTimeoutMs: v === 0 ? req.sessionTimeoutMs : req.rebalanceTimeoutMs,
      sessionTimeoutMs: req.sessionTimeoutMs,
      protocolType: req.protocolType,
      protocols: req.protocols.map((p) => ({ name: p.name, metadata: Buffer.from(p.metadata) })),
      reason: req.reason,
    });
    return {
      throttleTimeMs: 0,
      errorCode: r.errorCode,
      generationId: r.generationId,
      protocolType: r.protocolType,
      // Non-nullable before v7.
      protocolName: v >= 7 ? r.protocolName : (r.protocolName ?? ''),
      leader: r.leader,
      skipAssignment: r.skipAssignment,
      memberId: r.memberId,
      members: r.members,
    };
  },
  errorResponse(req, errorCode, ctx) {
    return {
      errorCode,
      generationId: -1,
      protocolName: ctx.apiVersion >= 7 ? null : '',
      leader: '',
      memberId: req.memberId,
      members: [],
    };
  },
});

/** The JoinGroup handler, refusing with GROUP_AUTHORIZATION_FAILED a principal without READ on the group. */
export const joinGroupHandler = withAuthorization(joinGroupApi, (ctx, req) =>
  checkGroup(ctx, AclOperation.READ, req.groupId),
);
