/**
 * SaslHandshake (API key 17), versions 0-1: the client names a mechanism; the broker lists the
 * enabled ones and starts the exchange. v0 means the tokens that follow are raw frames, v1 that
 * they come in SaslAuthenticate requests. The decisions are the authenticator's (sasl.ts).
 */
import { Api } from '@tskafka/protocol/internals';
import { defineHandler } from '../handler.js';
import { respondThenClose } from '../sasl.js';

/** The SaslHandshake handler. */
export const saslHandshakeHandler = defineHandler({
  api: Api.SaslHandshake,
  minVersion: 0,
  maxVersion: 1,
  beforeAuthentication: true,
  handle(ctx, request) {
    const outcome = ctx.connection.sasl.handshake(ctx.connection, request.mechanism, ctx.apiVersion);
    const body = { errorCode: outcome.errorCode, mechanisms: outcome.mechanisms };
    return outcome.closeReason === null
      ? body
      : respondThenClose(ctx, Api.SaslHandshake, body, outcome.closeReason);
  },
  // Kafka's SaslHandshakeRequest.getErrorResponse lists no mechanisms.
  errorResponse: (_request, errorCode) => ({ errorCode, mechanisms: [] }),
});
