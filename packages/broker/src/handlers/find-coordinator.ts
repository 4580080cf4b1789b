/**
 * FindCoordinator: which broker coordinates a group (key type 0) or a transactional id (key type
 * 1). The coordinator is the leader of the key's partition of `__consumer_offsets` or
 * `__transaction_state`; the topic is created on the first lookup, as Kafka does. v4+ looks up
 * several keys at once.
 */

import { AclOperation, ErrorCode } from '@tskafka/protocol';
import { Api } from '@tskafka/protocol/internals';
import { checkGroup, checkTransactionalId } from '../auth/request-auth.js';
import { defineHandler, type RequestContext } from '../handler.js';
import { endpointFor } from '../metadata.js';

/** Coordinator key types. */
const GROUP = 0;
const TRANSACTION = 1;

function lookup(ctx: RequestContext, key: string, keyType: number) {
  const node = ctx.node;
  // DESCRIBE on the group or transactional id, as Kafka checks before looking the coordinator up.
  const denied =
    keyType === GROUP
      ? checkGroup(ctx, AclOperation.DESCRIBE, key)
      : keyType === TRANSACTION
        ? checkTransactionalId(ctx, AclOperation.DESCRIBE, key)
        : null;
  if (denied !== null) return { errorCode: denied, errorMessage: null, nodeId: -1, host: '', port: -1 };
  const found =
    keyType === GROUP
      ? node.groupCoordinator.findCoordinator(key)
      : keyType === TRANSACTION
        ? node.txnCoordinator.findCoordinator(key)
        : null;
  if (found) {
    // The coordinators answer with the inter-broker address; the client is told the one of the
    // listener it came in on.
    const broker = found.nodeId >= 0 ? node.metadata.brokers.get(found.nodeId) : undefined;
    const at = broker && endpointFor(broker, ctx.connection.listenerName);
    if (!broker || found.errorCode !== ErrorCode.NONE) return found;
    if (!at) {
      return {
        ...found,
        errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE,
        errorMessage: `the coordinator has no ${ctx.connection.listenerName} listener`,
        nodeId: -1,
        host: '',
        port: -1,
      };
    }
    return { ...found, host: at.host, port: at.port };
  }
  return {
    errorCode: ErrorCode.INVALID_REQUEST,
    errorMessage: `Unknown coordinator type ${keyType} in FindCoordinator request`,
    nodeId: -1,
    host: '',
    port: -1,
  };
}

/** FindCoordinator handler (v0-6). */
export const findCoordinatorHandler = defineHandler({
  api: Api.FindCoordinator,
  minVersion: 0,
  maxVersion: 6,
  handle(ctx, req) {
    if (ctx.apiVersion < 4) return { throttleTimeMs: 0, ...lookup(ctx, req.key, req.keyType) };
    return {
      throttleTimeMs: 0,
      coordinators: req.coordinatorKeys.map((key) => ({ key, ...lookup(ctx, key, req.keyType) })),
    };
  },
  errorResponse(req, errorCode, ctx) {
    if (ctx.apiVersion < 4) return { errorCode, errorMessage: null, nodeId: -1, host: '', port: -1 };
    return {
      coordinators: req.coordinatorKeys.map((key) => ({
        key,
        nodeId: -1,
        host: '',
        port: -1,
        errorCode,
        errorMessage: null,
      })),
    };
  },
});
