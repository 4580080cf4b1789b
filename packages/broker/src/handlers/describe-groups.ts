/**
 * DescribeGroups: state, protocol and members of groups this broker coordinates. Member metadata
 * and assignments are shown once the group is Stable, as Kafka does; an unknown group is Dead.
 */
import { AclOperation, ResourceType } from '@tskafka/protocol';
import { Api } from '@tskafka/protocol/internals';
import { authorizedOperations, checkGroup } from '../auth/request-auth.js';
import { defineHandler } from '../handler.js';

/** Kafka's "not requested" value of authorizedOperations. */
const OPERATIONS_NOT_REQUESTED = -2147483648;

/** DescribeGroups handler (v0-5). */
export const describeGroupsHandler = defineHandler({
  api: Api.DescribeGroups,
  minVersion: 0,
  maxVersion: 5,
  handle(ctx, req) {
    const ops = ctx.node.groupCoordinator.offsets;
    return {
      throttleTimeMs: 0,
      groups: req.groups.map((groupId) => {
        const denied = checkGroup(ctx, AclOperation.DESCRIBE, groupId);
        if (denied !== null) {
          return {
            errorCode: denied,
            groupId,
            groupState: '',
            protocolType: '',
            protocolData: '',
            members: [],
            authorizedOperations: OPERATIONS_NOT_REQUESTED,
          };
        }
        const d = ops.describeGroup(groupId);
        return {
          errorCode: d.errorCode,
          groupId,
          groupState: d.state,
          protocolType: d.protocolType,
          protocolData: d.protocol,
          members: d.members.map((m) => ({
            memberId: m.memberId,
            groupInstanceId: m.groupInstanceId,
            clientId: m.clientId,
            clientHost: m.clientHost,
            memberMetadata: m.metadata,
            memberAssignment: m.assignment,
          })),
          authorizedOperations: req.includeAuthorizedOperations
            ? authorizedOperations(ctx, ResourceType.GROUP, groupId)
            : OPERATIONS_NOT_REQUESTED,
        };
      }),
    };
  },
  errorResponse(req, errorCode) {
    return {
      groups: req.groups.map((groupId) => ({
        errorCode,
        groupId,
        groupState: '',
        protocolType: '',
        protocolData: '',
        members: [],
      })),
    };
  },
});
