/** ApiVersions: the APIs and version ranges this broker serves (KIP-511 client software fields accepted). */
import { Api } from '@tskafka/protocol/internals';
import { defineHandler } from '../handler.js';

/** ApiVersions handler. */
export const apiVersionsHandler = defineHandler({
  api: Api.ApiVersions,
  minVersion: 0,
  maxVersion: 4,
  beforeAuthentication: true,
  handle(ctx) {
    return { errorCode: 0, apiKeys: ctx.node.supportedApis(), throttleTimeMs: 0 };
  },
  errorResponse(_req, errorCode, ctx) {
    return ctx.node.apiVersionsError(errorCode);
  },
});
