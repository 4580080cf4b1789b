/**
 * What handlers call to authorize a request (Kafka's `AuthHelper`): one check per operation and
 * resource, true for everything when no authorizer is configured (`authorizer.class.name` unset),
 * as in Kafka. The request's principal is `User:<name>` after SASL, `User:ANONYMOUS` on a
 * plaintext connection; its host is the client's IP address.
 */
import type { Socket } from 'node:net';
import { AclOperation, aclEnumName, ErrorCode, ResourceType } from '@tskafka/protocol';
import type { ApiDef, MessageValue } from '@tskafka/protocol/internals';
import { ApiError } from '../api-error.js';
import type { Connection } from '../connection.js';
import type { ApiHandler, RequestContext } from '../handler.js';
import { CLUSTER_NAME, supportedOperations } from './acl-binding.js';
import { type AuthorizableRequest, describeResource } from './authorizer.js';

/** Kafka's principal of an unauthenticated connection. */
export const ANONYMOUS_PRINCIPAL = 'User:ANONYMOUS';

/** The local `host:port` of the sockets this process's brokers opened to each other. */
const interBrokerEndpoints = new Set<string>();

/**
 * Marks `socket` (connected) as one broker's connection to another: the brokers of the in-process
 * cluster act as Kafka's broker principal, a super user, for follower fetches and transaction
 * markers. Forgotten when the socket closes.
 */
export function registerInterBrokerSocket(socket: Socket): void {
  const endpoint = `${socket.localAddress}:${socket.localPort}`;
  interBrokerEndpoints.add(endpoint);
  socket.once('close', () => interBrokerEndpoints.delete(endpoint));
}

/** The principal and host of `connection` as the authorizer sees them. */
export function requestIdentity(connection: Pick<Connection, 'principal' | 'remote'>): AuthorizableRequest {
  const p = connection.principal;
  const principal = p === null ? ANONYMOUS_PRINCIPAL : p.startsWith('User:') ? p : `User:${p}`;
  let host = connection.remote.slice(0, connection.remote.lastIndexOf(':'));
  if (host.startsWith('::ffff:')) host = host.slice(7);
  return { principal, host };
}

/** Whether the request's principal may do `operation` on the resource `resourceType`/`name`. */
export function authorize(
  ctx: RequestContext,
  operation: number,
  resourceType: number,
  name: string,
): boolean {
  const authorizer = ctx.node.authorizer;
  if (!authorizer || interBrokerEndpoints.has(ctx.connection.remote)) return true;
  const who = requestIdentity(ctx.connection);
  const allowed = authorizer.authorize(who, operation, resourceType, name);
  if (!allowed) {
    // Kafka's authorizer logger line for a denial.
    ctx.node.log(
      'info',
      `Principal = ${who.principal} is Denied operation = ${aclEnumName(AclOperation, operation)} from host = ${who.host} on resource = ${describeResource(resourceType, name)}`,
    );
  }
  return allowed;
}

/** Whether the request's principal may do `operation` on the cluster. */
export function authorizeCluster(ctx: RequestContext, operation: number): boolean {
  return authorize(ctx, operation, ResourceType.CLUSTER, CLUSTER_NAME);
}

/** Whether the request's principal may do `operation` on some resource of `resourceType`. */
export function authorizeByResourceType(
  ctx: RequestContext,
  operation: number,
  resourceType: number,
): boolean {
  const authorizer = ctx.node.authorizer;
  if (!authorizer || interBrokerEndpoints.has(ctx.connection.remote)) return true;
  return authorizer.authorizeByResourceType(requestIdentity(ctx.connection), operation, resourceType);
}

/**
 * The 32-bit field of operations the request's principal may do on the resource (every
 * supported one without an authorizer), for `includeTopicAuthorizedOperations` and the like.
 */
export function authorizedOperations(ctx: RequestContext, resourceType: number, name: string): number {
  const authorizer = ctx.node.authorizer;
  if (!authorizer) {
    let bits = 0;
    for (const op of supportedOperations(resourceType)) bits |= 1 << op;
    return bits;
  }
  return authorizer.authorizedOperations(requestIdentity(ctx.connection), resourceType, name);
}

/** TOPIC_AUTHORIZATION_FAILED for `topic`, with Kafka's message. */
export function notAuthorized(topic: string): ApiError {
  return new ApiError(ErrorCode.TOPIC_AUTHORIZATION_FAILED, `Not authorized to access topics: [${topic}]`);
}

/**
 * `handler`, answering its whole-request error response with the code `check` returns instead of
 * handling the request when that code is not null: for the APIs Kafka refuses as a whole
 * (JoinGroup without READ on the group, EndTxn without WRITE on the transactional id, ...).
 */
export function withAuthorization<A extends ApiDef>(
  handler: ApiHandler<A>,
  check: (ctx: RequestContext, request: MessageValue<A['request']>) => number | null,
): ApiHandler<A> {
  return {
    ...handler,
    handle(ctx, request) {
      const errorCode = check(ctx, request);
      return errorCode === null
        ? handler.handle(ctx, request)
        : handler.errorResponse(request, errorCode, ctx);
    },
  };
}

/** GROUP_AUTHORIZATION_FAILED unless the principal may do `operation` on `group`. */
export function checkGroup(ctx: RequestContext, operation: number, group: string): number | null {
  return authorize(ctx, operation, ResourceType.GROUP, group) ? null : ErrorCode.GROUP_AUTHORIZATION_FAILED;
}

/** TRANSACTIONAL_ID_AUTHORIZATION_FAILED unless the principal may do `operation` on `transactionalId`. */
export function checkTransactionalId(
  ctx: RequestContext,
  operation: number,
  transactionalId: string,
): number | null {
  return authorize(ctx, operation, ResourceType.TRANSACTIONAL_ID, transactionalId)
    ? null
    : ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED;
}

/**
 * The error for a config resource (DescribeConfigs, AlterConfigs, IncrementalAlterConfigs) the
 * principal may not do `operation` (DESCRIBE_CONFIGS or ALTER_CONFIGS) on, null when it may: a
 * topic's own ACLs, a group's for a group, the cluster's for brokers, broker loggers and the rest.
 */
export function configAuthorizationError(
  ctx: RequestContext,
  operation: number,
  resource: { resourceType: number; resourceName: string },
): { errorCode: number; errorMessage: string | null } | null {
  const { resourceType: type, resourceName: name } = resource;
  if (type === CONFIG_RESOURCE_TOPIC) {
    return authorize(ctx, operation, ResourceType.TOPIC, name)
      ? null
      : { errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, errorMessage: null };
  }
  if (type === CONFIG_RESOURCE_GROUP) {
    return authorize(ctx, operation, ResourceType.GROUP, name)
      ? null
      : { errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, errorMessage: null };
  }
  return authorizeCluster(ctx, operation)
    ? null
    : { errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: null };
}

/** Config resource types (Java's `ConfigResource.Type`) with resources of their own. */
const CONFIG_RESOURCE_TOPIC = 2;
const CONFIG_RESOURCE_GROUP = 32;
